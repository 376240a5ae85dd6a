// row_sum: in every filled row, a column equals the sum of other columns (a row's total cost).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class RowSum final : public DeclaredRule {
 public:
  explicit RowSum(const RuleDefinition& definition)
      : DeclaredRule(definition),
        table_(definition.table("table")),
        total_(definition.column(table_, "column")),
        parts_(definition.columns(table_, "columns")) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TypedRow& row = table.rows[r];
      if (!row.row->filled()) continue;
      std::int64_t sum = 0;
      bool complete = true;
      for (std::size_t column : parts_) {
        const TypedCell& part = row.cells[column];
        if (!part.blank() && !part.ok()) complete = false;
        sum += part.number().value_or(0);
      }
      const TypedCell& total = row.cells[total_];
      if (!complete || (!total.blank() && !total.ok())) continue;  // a format error is already reported
      const std::int64_t written = total.number().value_or(0);
      if (written == sum) continue;
      report(sink, place_of(table, total.cell), table.spec->label.it + " › " + column_label(*table.spec, total_),
             values::format_cents(written),
             {{"row", row_name(row, r)}, {"found", values::format_cents(written)}, {"expected", values::format_cents(sum)}});
    }
  }

 private:
  std::size_t table_;
  std::size_t total_;
  std::vector<std::size_t> parts_;
};

}  // namespace

std::unique_ptr<Rule> make_row_sum(const RuleDefinition& definition) { return std::make_unique<RowSum>(definition); }

}  // namespace consolida::forms
