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
      const Place where = place_of(table, table.total[c].cell);
      const std::string label = spec.label.it + " › " + spec.columns[c].label.it;
      const IssueSink::Vars vars{{"column", spec.columns[c].label.it}, {"found", values::format_cents(*written)}, {"expected", values::format_cents(sum)}};
      // A row inserted right above the total falls outside the SUM the template wrote: its
      // figures are the whole difference.
      const TypedRow* last = table.rows.empty() ? nullptr : &table.rows.back();
      const bool outside_formula = table.total[c].cell->formula && last && !last->subtotal() &&
                                   last->row->row + 1 == table.found->total->row && last->cells[c + 1].number().value_or(0) != 0 &&
                                   sum - *last->cells[c + 1].number() == *written;
      if (!outside_formula) {
        report(where, label, values::format_cents(*written), vars);
        continue;
      }
      const std::string row = std::to_string(last->row->row + 1);
      report.with_cause({"la formula del totale non comprende la riga " + row +
                             ", inserita subito sopra il totale; scrivere quei dati in una delle righe vuote del modello",
                         "the total's formula does not include row " + row +
                             ", inserted right above the total; write those figures in one of the template's empty rows"},
                        where, label, values::format_cents(*written), vars);
    }
  });
}

}  // namespace consolida::forms
