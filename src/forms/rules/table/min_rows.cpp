// min_rows: a table has at least `min` filled rows (1 by default), subtotals not counted. The
// problem is anchored where the clerk types the missing row: the key of the first empty row,
// whose other cells it names as to fill (a row is more than its key).
#include <algorithm>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_min_rows(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const std::int64_t min = definition.integer("min").value_or(1);
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[table_at];
    const auto& rows = table.found->rows;
    const auto filled = std::count_if(rows.begin(), rows.end(), [](const TableRow& r) { return r.filled() && !r.subtotal; });
    if (filled >= min) return;
    const auto empty = std::find_if(rows.begin(), rows.end(), [](const TableRow& r) { return !r.filled(); });
    const CellValue* anchor = empty != rows.end() ? &empty->key : rows.empty() ? nullptr : &rows[0].key;
    const IssueSink::Vars vars{{"found", std::to_string(filled)}, {"min", std::to_string(min)}};
    if (empty == rows.end()) return report(place_of(table, anchor), table.spec->label.it, std::to_string(filled), vars);
    std::vector<CellPlace> row;
    for (const CellValue& cell : empty->cells) row.push_back({std::string(table.sheet()), xlsx::to_a1(cell.ref)});
    report.with_cells_to_check(std::move(row), place_of(table, anchor), table.spec->label.it, std::to_string(filled), vars);
  });
}

}  // namespace consolida::forms
