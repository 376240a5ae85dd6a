// row_requires: every row with a key has the listed columns filled.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class RowRequires final : public DeclaredRule {
 public:
  explicit RowRequires(const RuleDefinition& definition)
      : DeclaredRule(definition), table_(definition.table("table")), columns_(definition.columns(table_, "columns")) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TypedRow& row = table.rows[r];
      if (row.row->key.blank()) continue;
      for (std::size_t column : columns_) {
        const CellValue& cell = cell_at(row, column);
        if (!cell.blank()) continue;
        const std::string& label = column_label(*table.spec, column);
        report(sink, place_of(table, &cell), table.spec->label.it + " › " + label, "", {{"row", row_name(row, r)}, {"column", label}});
      }
    }
  }

 private:
  std::size_t table_;
  std::vector<std::size_t> columns_;
};

}  // namespace

std::unique_ptr<Rule> make_row_requires(const RuleDefinition& definition) { return std::make_unique<RowRequires>(definition); }

}  // namespace consolida::forms
