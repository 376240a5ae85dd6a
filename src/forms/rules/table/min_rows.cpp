// min_rows: a table has at least `min` filled rows (1 by default), subtotals not counted.
#include <algorithm>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class MinRows final : public DeclaredRule {
 public:
  explicit MinRows(const RuleDefinition& definition)
      : DeclaredRule(definition), table_(definition.table("table")), min_(definition.integer("min").value_or(1)) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    const auto& rows = table.found->rows;
    const auto filled = std::count_if(rows.begin(), rows.end(), [](const TableRow& r) { return r.filled() && !r.subtotal; });
    if (filled >= min_) return;
    report(sink, place_of(table, rows.empty() ? nullptr : &rows[0].key), table.spec->label.it, std::to_string(filled),
           {{"found", std::to_string(filled)}, {"min", std::to_string(min_)}});
  }

 private:
  std::size_t table_;
  std::int64_t min_;
};

}  // namespace

std::unique_ptr<Rule> make_min_rows(const RuleDefinition& definition) { return std::make_unique<MinRows>(definition); }

}  // namespace consolida::forms
