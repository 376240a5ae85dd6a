#include "forms/breakdowns.hpp"

namespace consolida::forms {

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
      // A fixed row, else "other" (the last item) if the breakdown has it.
      const std::size_t item = spec.fixed_row(row.row->key.text).value_or(spec.fixed_rows.size());
      if (item < out.size()) out[item] += row.cells[column].number().value_or(0);
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
