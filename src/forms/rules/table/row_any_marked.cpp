// row_any_marked: every row with a key has at least one cell marked (an activity with no period
// in the Gantt chart), columns a user added to the chart included. The problem is anchored at
// the row's first period cell, where the clerk marks.
#include <algorithm>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {
bool any_written(const std::vector<CellValue>& cells) {
  return std::any_of(cells.begin(), cells.end(), [](const CellValue& c) { return !c.blank(); });
}
}  // namespace

std::unique_ptr<Rule> make_row_any_marked(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[table_at];
    const auto& extra = table.found->extra_cells;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TableRow& row = *table.rows[r].row;
      if (row.key.blank() || any_written(row.cells) || (r < extra.size() && any_written(extra[r]))) continue;
      report(place_of(table, row.cells.empty() ? &row.key : &row.cells[0]), table.spec->label.it, "", {{"row", row_name(table.rows[r], r)}});
    }
  });
}

}  // namespace consolida::forms
