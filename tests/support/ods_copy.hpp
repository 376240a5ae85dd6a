// The values of an .xlsx written as an .ods, as a clerk's "Save as .ods" keeps them: cells with
// their cached values (formulas dropped), sheets and their visibility, defined names, custom
// properties. For tests that need an .ods of a known workbook without LibreOffice.
#pragma once

#include <cstdio>
#include <string>

#include "consolida/xlsx.hpp"
#include "support/zip_builder.hpp"

namespace consolida::testing {

inline std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// "'Scheda progetto'!$C$4:$D$5" -> "$'Scheda progetto'.$C$4:.$D$5"; other formulas as an expression.
inline std::string odf_range(const std::string& formula) {
  const auto bang = formula.rfind('!');
  if (bang == std::string::npos) return {};
  std::string sheet = formula.substr(0, bang);
  if (sheet.size() < 2 || sheet.front() != '\'') sheet = "'" + sheet + "'";
  std::string cells = formula.substr(bang + 1);
  if (const auto colon = cells.find(':'); colon != std::string::npos) cells.insert(colon + 1, ".");
  return "$" + sheet + "." + cells;
}

inline std::string ods_copy_of(const std::string& xlsx_path) {
  xlsx::Workbook workbook = xlsx::Workbook::open(xlsx_path);
  std::string tables;
  for (const xlsx::SheetInfo& sheet : workbook.sheets()) {
    if (sheet.kind != xlsx::SheetKind::worksheet) continue;
    tables += "<table:table table:name=\"" + xml_escape(sheet.name) + "\" table:style-name=\"" +
              (sheet.state == xlsx::SheetState::visible ? "ta1" : "ta2") + "\">";
    std::uint32_t next_row = 0;
    workbook.stream_sheet(sheet, [&](const xlsx::RowView& row) {
      if (row.row > next_row) {
        tables += "<table:table-row table:number-rows-repeated=\"" + std::to_string(row.row - next_row) +
                  "\"><table:table-cell/></table:table-row>";
      }
      tables += "<table:table-row>";
      std::uint32_t next_col = 0;
      for (const xlsx::CellView& cell : row.cells) {
        if (cell.col < next_col) continue;
        if (cell.col > next_col) tables += "<table:table-cell table:number-columns-repeated=\"" + std::to_string(cell.col - next_col) + "\"/>";
        next_col = cell.col + 1;
        char number[40];
        std::snprintf(number, sizeof number, "%.17g", cell.number);
        switch (cell.type) {
          case xlsx::CellType::number:
            tables += "<table:table-cell office:value-type=\"float\" office:value=\"" + std::string(number) + "\"><text:p>" + number + "</text:p></table:table-cell>";
            break;
          case xlsx::CellType::date: {
            const auto dt = xlsx::serial_to_datetime(cell.number, workbook.date1904());
            tables += "<table:table-cell office:value-type=\"date\" office:date-value=\"" + (dt ? xlsx::to_iso8601(*dt) : "") + "\"/>";
            break;
          }
          case xlsx::CellType::boolean:
            tables += std::string("<table:table-cell office:value-type=\"boolean\" office:boolean-value=\"") + (cell.number != 0 ? "true" : "false") + "\"/>";
            break;
          case xlsx::CellType::string:
          case xlsx::CellType::error:
            tables += "<table:table-cell office:value-type=\"string\"><text:p>" + xml_escape(cell.text) + "</text:p></table:table-cell>";
            break;
          case xlsx::CellType::empty:
            tables += "<table:table-cell/>";
            break;
        }
      }
      tables += "</table:table-row>";
      next_row = row.row + 1;
      return true;
    });
    tables += "</table:table>";
  }
  std::string names = "<table:named-expressions>";
  for (const xlsx::DefinedName& name : workbook.defined_names()) {
    const std::string range = odf_range(name.formula);
    if (!range.empty()) {
      names += "<table:named-range table:name=\"" + xml_escape(name.name) + "\" table:cell-range-address=\"" + xml_escape(range) + "\"/>";
    } else {
      names += "<table:named-expression table:name=\"" + xml_escape(name.name) + "\" table:expression=\"of:=" + xml_escape(name.formula) + "\"/>";
    }
  }
  names += "</table:named-expressions>";
  std::string meta;
  for (const xlsx::CustomProperty& property : workbook.custom_properties()) {
    meta += "<meta:user-defined meta:name=\"" + xml_escape(property.name) + "\">" + xml_escape(property.value) + "</meta:user-defined>";
  }
  const std::string styles =
      "<style:style style:name=\"ta1\" style:family=\"table\"><style:table-properties table:display=\"true\"/></style:style>"
      "<style:style style:name=\"ta2\" style:family=\"table\"><style:table-properties table:display=\"false\"/></style:style>";
  return minimal_ods(tables + names, styles, meta.empty() ? "<meta:generator>test</meta:generator>" : meta).build();
}

}  // namespace consolida::testing
