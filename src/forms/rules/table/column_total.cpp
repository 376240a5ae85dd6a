// column_total: the total row of a table equals, column by column, the sum of its body rows
// (subtotal rows left out: they are already counted in the rows they sum).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class ColumnTotal final : public DeclaredRule {
 public:
  explicit ColumnTotal(const RuleDefinition& definition) : DeclaredRule(definition), table_(definition.table("table")) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    const TableSpec& spec = *table.spec;
    for (std::size_t c = 0; c < table.total.size(); ++c) {
      const auto written = table.total[c].number();
      if (spec.columns[c].type != FieldType::amount || !table.total[c].ok() || !written) continue;
      std::int64_t sum = 0;
      bool complete = true;
      for (const TypedRow& row : table.rows) {
        if (row.subtotal()) continue;
        const TypedCell& cell = row.cells[c + 1];
        if (!cell.blank() && !cell.ok()) complete = false;
        sum += cell.number().value_or(0);
      }
      if (!complete || sum == *written) continue;
      report(sink, place_of(table, table.total[c].cell), spec.label.it + " › " + spec.columns[c].label.it, values::format_cents(*written),
             {{"column", spec.columns[c].label.it}, {"found", values::format_cents(*written)}, {"expected", values::format_cents(sum)}});
    }
  }

 private:
  std::size_t table_;
};

}  // namespace

std::unique_ptr<Rule> make_column_total(const RuleDefinition& definition) { return std::make_unique<ColumnTotal>(definition); }

}  // namespace consolida::forms
