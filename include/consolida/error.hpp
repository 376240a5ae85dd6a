// Errors raised while reading input files. Every error carries an Italian and an English
// message, a stable code (also the CLI exit status) and where it happened.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace consolida {

enum class Lang { it, en };

// Parse "it"/"en" (case-insensitive, also "it_IT.UTF-8" style locales). Unknown -> Italian.
Lang parse_lang(std::string_view text);

// Numeric values are the exit status of the CLI for an unreadable input; keep them stable.
enum class ErrorCode : int {
  io = 10,                  // cannot open or read the file
  unsupported_format = 11,  // xls, xlsb, ods, csv, pdf, ... : not an xlsx
  encrypted = 12,           // password-protected workbook
  corrupt_archive = 13,     // broken zip: truncated, bad CRC, inconsistent headers
  malformed_xml = 14,       // a part is not well-formed XML, or uses forbidden constructs (DTD)
  limit_exceeded = 15,      // a configured safety limit (size, ratio, cells, columns) was hit
  missing_part = 16,        // the package lacks a required part (workbook, a sheet)
  not_found = 17,           // the caller asked for something absent (a sheet name)
  invalid_plugin = 18,      // a form description (plugins/<id>/form.json) is wrong
  form_unknown = 19,        // the workbook is not one of the known forms
  form_outdated = 20,       // the workbook is an older version of a known form
  invalid_registry = 21,    // a registry file (comuni, Ambiti) is malformed or inconsistent
  data_dir_damaged = 22,    // the server's data directory is inconsistent: the database is missing, empty or a folder
};

// Short stable identifier for reports and JSON, e.g. "cifrato".
std::string_view error_code_id(ErrorCode code);

struct ErrorLocation {
  std::string file;   // path of the input file as given by the user
  std::string part;   // zip part, e.g. "xl/worksheets/sheet1.xml"
  std::string cell;   // A1 reference, when known
  std::uint64_t line = 0;    // 1-based; 0 = unknown
  std::uint64_t column = 0;  // 1-based byte column; 0 = unknown
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message_it, std::string message_en, ErrorLocation where = {});

  ErrorCode code() const noexcept { return code_; }
  const std::string& message(Lang lang) const noexcept { return lang == Lang::it ? it_ : en_; }
  const ErrorLocation& location() const noexcept { return where_; }

  // "file.xlsx, parte xl/worksheets/sheet1.xml, riga 2, colonna 17: <message>"
  std::string describe(Lang lang) const;

  Error& set_file(std::string file);
  Error& set_part(std::string part);  // only if not set yet: the innermost part wins
  Error& set_cell(std::string cell);  // likewise

 private:
  ErrorCode code_;
  std::string it_;
  std::string en_;
  ErrorLocation where_;
};

}  // namespace consolida
