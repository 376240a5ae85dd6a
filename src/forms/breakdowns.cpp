#include "forms/breakdowns.hpp"

#include <algorithm>

#include "common/labels.hpp"

namespace consolida::forms {

RowItem row_item(const TableSpec& table, const Breakdown& breakdown, std::string_view key) {
  RowItem out;
  if ((out.item = table.fixed_row(key))) return out;
  if (!breakdown.other_label.empty()) {
    out.item = table.fixed_rows.size();
    return out;
  }
  const std::vector<std::string> words = label_words(key);
  for (std::size_t i = 0; i < table.fixed_rows.size(); ++i) {
    const std::vector<std::string> item_words = label_words(table.fixed_rows[i]);
    if (words_within(item_words, words) || words_within(words, item_words)) out.candidates.push_back(i);
  }
  if (out.candidates.size() == 1) {
    out.item = out.candidates[0];
    out.guessed = true;
  } else if (out.candidates.empty()) {
    for (std::size_t i = 0; i < table.fixed_rows.size(); ++i) out.candidates.push_back(i);
  }
  return out;
}

std::vector<std::string> breakdown_items(const FormSpec& spec, const Breakdown& breakdown) {
  const TableSpec& table = *spec.table(breakdown.table);
  std::vector<std::string> items;
  if (!breakdown.rows_of_column.empty()) {
    items = table.fixed_rows;
    if (!breakdown.other_label.empty()) items.push_back(breakdown.other_label);
    return items;
  }
  for (const std::string& id : breakdown.column_sums) items.push_back(table.columns[*table.position(id) - 1].label.it);
  return items;
}

std::vector<std::int64_t> breakdown_amounts(const TypedForm& form, const Breakdown& breakdown) {
  const TableSpec& spec = *form.spec().table(breakdown.table);
  const bool by_row = !breakdown.rows_of_column.empty();
  std::vector<std::int64_t> out(by_row ? spec.fixed_rows.size() + (breakdown.other_label.empty() ? 0 : 1) : breakdown.column_sums.size(), 0);
  const TypedTable* table = form.table(breakdown.table);
  if (!table || !table->found) return out;
  if (by_row) {
    const std::size_t column = *spec.position(breakdown.rows_of_column);
    for (const TypedRow& row : table->rows) {
      if (row.subtotal()) continue;
      const std::optional<std::size_t> item = row_item(spec, breakdown, row.row->key.text).item;
      if (item) out[*item] += row.cells[column].number().value_or(0);
    }
    return out;
  }
  for (std::size_t k = 0; k < breakdown.column_sums.size(); ++k) {
    const std::size_t column = *spec.position(breakdown.column_sums[k]);
    for (const TypedRow& row : table->rows) {
      if (!row.subtotal()) out[k] += row.cells[column].number().value_or(0);
    }
  }
  return out;
}

}  // namespace consolida::forms
