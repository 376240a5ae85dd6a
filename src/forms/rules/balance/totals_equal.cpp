// totals_equal: two tables that must balance (ENTRATE = SPESE), each column summed from its rows.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

// The sum of a column over the body rows (subtotals left out); nullopt if a cell is unreadable.
std::optional<std::int64_t> column_sum(const TypedTable& table, std::size_t column) {
  std::int64_t sum = 0;
  for (const TypedRow& row : table.rows) {
    if (row.subtotal()) continue;
    const TypedCell& cell = row.cells[column];
    if (!cell.blank() && !cell.ok()) return std::nullopt;
    sum += cell.number().value_or(0);
  }
  return sum;
}

}  // namespace

std::unique_ptr<Rule> make_totals_equal(const RuleDefinition& definition) {
  const std::size_t left_at = definition.table("table");
  const std::size_t left_column = definition.column(left_at, "column");
  const std::size_t right_at = definition.table("other_table");
  const std::size_t right_column = definition.column(right_at, "other_column");
  return declared_rule(definition, {{}, left_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[left_at];
    if (!form.tables()[right_at].found) return;
    const auto left = column_sum(table, left_column);
    const auto right = column_sum(form.tables()[right_at], right_column);
    if (!left || !right || *left == *right) return;
    const auto& total = table.found->total;
    report(place_of(table, total && left_column > 0 ? &total->cells[left_column - 1] : nullptr), table.spec->label.it,
           values::format_cents(*left),
           {{"found", values::format_cents(*left)}, {"expected", values::format_cents(*right)},
            {"difference", values::format_cents(*left - *right)}});
  });
}

}  // namespace consolida::forms
