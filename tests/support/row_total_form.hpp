// A small form with a row total (SPESE: two sources and their Totale, a row_sum rule) and the
// cells of a workbook that fills it, for the tests of text under the template's SUM formulas.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "consolida/forms.hpp"
#include "support/zip_builder.hpp"

namespace consolida::testing {

inline forms::FormSpec row_total_form() {
  const std::filesystem::path dir = temp_path("plugin-righe");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "righe", "version": "1", "code_prefix": "RIG", "title": "Righe con totale",
    "fields": [{"id": "ambito", "label": "Ambito", "required": true, "cell": "B1"}],
    "tables": [
      {"id": "spese", "label": "SPESE", "key": {"id": "voce", "label": "Voce"},
       "columns": [{"id": "uno", "label": "Fonte uno", "type": "amount"}, {"id": "due", "label": "Fonte due", "type": "amount"},
                   {"id": "totale", "label": "Totale", "type": "amount"}],
       "blank_rows": 3, "total_label": "TOTALE"}
    ],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Spese", "items": ["ambito", "spese"]}]}],
    "rules": [{"code": "RIG-SOMMA", "kind": "row_sum", "table": "spese", "column": "totale", "columns": ["uno", "due"],
               "message": "{row}: totale {found}, somma {expected}"}]
  })";
  return forms::load_form(dir.string());
}

namespace cells {
inline std::string text(const std::string& ref, const std::string& value) {
  return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + value + "</t></is></c>";
}
inline std::string number(const std::string& ref, const std::string& value) { return "<c r=\"" + ref + "\"><v>" + value + "</v></c>"; }
// A formula with its cached result; an empty result is the empty text a formula may show.
inline std::string formula(const std::string& ref, const std::string& f, const std::string& cached) {
  return "<c r=\"" + ref + "\"" + (cached.empty() ? " t=\"str\"" : "") + "><f>" + f + "</f><v>" + cached + "</v></c>";
}
// The template's row total of row r: the sum of its sources, nothing while they are empty.
inline std::string row_total(int r, const std::string& cached) {
  const std::string n = std::to_string(r);
  return formula("D" + n, "IF(COUNT(B" + n + ":C" + n + ")=0,\"\",SUM(B" + n + ":C" + n + "))", cached);
}
}  // namespace cells

}  // namespace consolida::testing
