// Writing workbooks with libxlsxwriter: blank templates from a form description, and
// annotated copies of a filled form that mark each problem in place.
#pragma once

#include <string>
#include <vector>

#include "consolida/consolidate.hpp"
#include "consolida/forms.hpp"
#include "consolida/typed_form.hpp"

namespace consolida::write {

// The blank template: instructions, locked labels and unlocked inputs, drop-down lists, input
// messages, total formulas, defined names for every field and table, and the form id/version
// as custom document properties and the defined name CONSOLIDA_MODULO.
// Throws Error(io) if the file cannot be written.
void write_template(const forms::FormSpec& form, const std::string& path);

// The template filled with the given values, as a clerk would have filled it: the blank TOT cells
// get their SUM formula with the exact sum as cached value. Used to build test and sample data.
void write_filled(const forms::TypedForm& form, const std::string& path);

// The template filled with the values read from a workbook, each problem cell filled in red
// (errors) or yellow (warnings) with a comment holding the message, plus a sheet listing all
// problems. The clerk corrects this copy in Excel and uploads it again.
void write_annotated(const forms::TypedForm& form, const forms::Report& report, const std::string& path, Lang lang = Lang::it);

// The consolidated workbook: Riepilogo (totals by unit with SUMIFS formulas over Dettaglio, whose
// cached values are the exact sums in cents; per-capita figures), Dettaglio (one row per ente),
// Grafici, Mancanti, Provenienza (file, SHA-256, version, outcome) and Log validazione.
// Throws Error(io) if the file cannot be written.
void write_consolidated(const consolidate::Result& result, const std::string& path);

// Rows of text under a header row.
struct TextTable {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// The table on one sheet: bold header row kept in view and filterable, every cell as text (codes
// keep their leading zeros), columns sized to their text, printed landscape one page wide.
// Throws Error(io) if the file cannot be written.
void write_table(const TextTable& table, const std::string& sheet_name, const std::string& path);

}  // namespace consolida::write
