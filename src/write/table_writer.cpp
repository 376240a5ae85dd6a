// A plain list as a workbook: the export of a campaign's status.
#include <xlsxwriter.h>

#include <algorithm>

#include "consolida/error.hpp"
#include "consolida/write.hpp"

namespace consolida::write {
namespace {

// Columns sized to their longest text (in characters, UTF-8 continuation bytes not counted),
// within what a screen shows: a SHA-256 (64 characters) still fits, else it runs into the next
// column on paper.
double column_width(const TextTable& table, std::size_t column) {
  auto chars = [](const std::string& text) {
    return static_cast<double>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  double widest = chars(table.headers[column]);
  for (const auto& row : table.rows) {
    if (column < row.size()) widest = std::max(widest, chars(row[column]));
  }
  return std::clamp(widest + 2, 8.0, 70.0);
}

}  // namespace

void write_table(const TextTable& table, const std::string& sheet_name, const std::string& path) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  auto fail = [&](const std::string& detail) {
    throw Error(ErrorCode::io, "scrittura dell'elenco non riuscita (" + detail + ")", "writing the list failed (" + detail + ")",
                ErrorLocation{path, {}, {}, 0, 0});
  };
  if (!workbook) fail("impossibile creare il file");
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  lxw_format* header = workbook_add_format(workbook);
  format_set_bold(header);
  format_set_bg_color(header, 0xE8EEF7);
  format_set_bottom(header, LXW_BORDER_THIN);
  for (std::size_t c = 0; c < table.headers.size(); ++c) worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), column_width(table, c), nullptr);
  for (std::size_t c = 0; c < table.headers.size(); ++c) worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), table.headers[c].c_str(), header);
  lxw_row_t row = 1;
  for (const auto& cells : table.rows) {
    for (std::size_t c = 0; c < cells.size() && c < table.headers.size(); ++c) {
      // As text, codes included: "015142" keeps its leading zero.
      if (!cells[c].empty()) worksheet_write_string(sheet, row, static_cast<lxw_col_t>(c), cells[c].c_str(), nullptr);
    }
    ++row;
  }
  if (!table.headers.empty()) {
    worksheet_autofilter(sheet, 0, 0, row - 1, static_cast<lxw_col_t>(table.headers.size() - 1));
    worksheet_freeze_panes(sheet, 1, 0);
  }
  worksheet_set_landscape(sheet);
  worksheet_fit_to_pages(sheet, 1, 0);
  worksheet_repeat_rows(sheet, 0, 0);
  const lxw_error error = workbook_close(workbook);
  if (error != LXW_NO_ERROR) fail(lxw_strerror(error));
}

}  // namespace consolida::write
