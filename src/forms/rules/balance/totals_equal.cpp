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

class TotalsEqual final : public DeclaredRule {
 public:
  explicit TotalsEqual(const RuleDefinition& definition)
      : DeclaredRule(definition),
        table_(definition.table("table")),
        column_(definition.column(table_, "column")),
        other_table_(definition.table("other_table")),
        other_column_(definition.column(other_table_, "other_column")) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    const TypedTable& other = form.tables()[other_table_];
    if (!other.found) return;
    const auto left = column_sum(table, column_);
    const auto right = column_sum(other, other_column_);
    if (!left || !right || *left == *right) return;
    const auto& total = table.found->total;
    const CellValue* where = total && column_ > 0 ? &total->cells[column_ - 1] : nullptr;
    report(sink, place_of(table, where), table.spec->label.it, values::format_cents(*left),
           {{"found", values::format_cents(*left)}, {"expected", values::format_cents(*right)},
            {"difference", values::format_cents(*left - *right)}});
  }

 private:
  std::size_t table_;
  std::size_t column_;
  std::size_t other_table_;
  std::size_t other_column_;
};

}  // namespace

std::unique_ptr<Rule> make_totals_equal(const RuleDefinition& definition) { return std::make_unique<TotalsEqual>(definition); }

}  // namespace consolida::forms
