// row_any_marked: every row with a key has at least one cell marked (an activity with no period
// in the Gantt chart), columns a user added to the chart included.
#include <algorithm>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

bool any_written(const std::vector<CellValue>& cells) {
  return std::any_of(cells.begin(), cells.end(), [](const CellValue& c) { return !c.blank(); });
}

class RowAnyMarked final : public DeclaredRule {
 public:
  explicit RowAnyMarked(const RuleDefinition& definition) : DeclaredRule(definition), table_(definition.table("table")) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    const auto& extra = table.found->extra_cells;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TableRow& row = *table.rows[r].row;
      if (row.key.blank()) continue;
      if (any_written(row.cells) || (r < extra.size() && any_written(extra[r]))) continue;
      report(sink, place_of(table, &row.key), table.spec->label.it, "", {{"row", row_name(table.rows[r], r)}});
    }
  }

 private:
  std::size_t table_;
};

}  // namespace

std::unique_ptr<Rule> make_row_any_marked(const RuleDefinition& definition) { return std::make_unique<RowAnyMarked>(definition); }

}  // namespace consolida::forms
