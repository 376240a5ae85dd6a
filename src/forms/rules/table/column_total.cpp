// column_total: the total row of a table equals, column by column, the sum of its body rows
// (subtotal rows left out: they are already counted in the rows they sum).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_column_total(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[table_at];
    const TableSpec& spec = *table.spec;
    for (std::size_t c = 0; c < table.total.size(); ++c) {
      const auto written = table.total[c].number();
      if (spec.columns[c].type != FieldType::amount || !table.total[c].ok() || !written) continue;
      std::int64_t sum = 0, sum_of_numbers = 0;
      bool complete = true, text = false;
      for (const TypedRow& row : table.rows) {
        if (row.subtotal()) continue;
        const TypedCell& cell = row.cells[c + 1];
        complete = complete && (cell.blank() || cell.ok());
        sum += cell.number().value_or(0);
        const bool written_as_text = cell.ok() && !cell.cell->numeric;
        text = text || written_as_text;
        if (!written_as_text) sum_of_numbers += cell.number().value_or(0);
      }
      // A total that is the template's SUM over the cells written as numbers: the amounts written
      // as text are the cause, and each is reported where it is.
      if (!complete || sum == *written || (text && sum_of_numbers == *written)) continue;
      report(place_of(table, table.total[c].cell), spec.label.it + " › " + spec.columns[c].label.it, values::format_cents(*written),
             {{"column", spec.columns[c].label.it}, {"found", values::format_cents(*written)}, {"expected", values::format_cents(sum)}});
    }
  });
}

}  // namespace consolida::forms
