// The validation report as JSON: the schema consolida.validazione/1 (docs/validation-json.md).
// The CLI (`validate --format json`), the server's API and its stored reports all write it here,
// so that a file gives the same document whichever way it was checked.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "consolida/error.hpp"
#include "consolida/forms.hpp"

namespace consolida::forms {

inline constexpr std::string_view kReportSchema = "consolida.validazione/1";

// One element of the document's files[]: the report of a file.
std::string to_json(const Report& report);
// One element of files[] for a file that could not be read or is not a known form.
std::string to_json(const std::string& file, const Error& error);

// A report read back from to_json's text. Also reads the reports the server stored before the
// schema (Italian keys, severity "errore bloccante"), which carry no file name: `file` is then
// empty. nullopt when the text is neither.
std::optional<Report> from_json(std::string_view json);

// The whole document, written entry by entry as files are validated:
// {"schema":"consolida.validazione/1","files":[...]}. close() writes the end.
class ReportDocument {
 public:
  explicit ReportDocument(std::ostream& out);
  void add(const Report& report);
  void add(const std::string& file, const Error& error);
  void close();

 private:
  void add_entry(const std::string& entry);
  std::ostream& out_;
  bool empty_ = true;
};

// The document of one report: what `consolida validate --format json FILE` prints.
std::string report_document(const Report& report);

}  // namespace consolida::forms
