// row_requires: every row with a key has the listed columns filled.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_row_requires(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const std::vector<std::size_t> required = definition.columns(table_at, "columns");
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[table_at];
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (table.rows[r].row->key.blank()) continue;
      for (std::size_t column : required) {
        const CellValue& cell = cell_at(table.rows[r], column);
        if (!cell.blank()) continue;
        const std::string& label = column_label(*table.spec, column);
        report(place_of(table, &cell), table.spec->label.it + " › " + label, "", {{"row", row_name(table.rows[r], r)}, {"column", label}});
      }
    }
  });
}

}  // namespace consolida::forms
