// row_sum: in every filled row, a column equals the sum of other columns (a row's total cost).
// When the total is the template's formula and a part is text that the formula skips, the text
// is the cause (reported where it is as -TESTO), not the total.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_row_sum(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const std::size_t total_at = definition.column(table_at, "column");
  const std::vector<std::size_t> parts = definition.columns(table_at, "columns");
  definition.note_row_total(table_at, total_at, parts);  // the template writes it as a SUM
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[table_at];
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TypedRow& row = table.rows[r];
      if (!row.row->filled()) continue;
      std::int64_t sum = 0, sum_of_numbers = 0;
      bool complete = true, text = false;
      for (std::size_t part : parts) {
        const TypedCell& cell = row.cells[part];
        complete = complete && (cell.blank() || cell.ok());
        sum += cell.number().value_or(0);
        // Text under the column's total formula is reported where it is (-TESTO).
        const bool reported_as_text = cell.ok() && !cell.cell->numeric && part - 1 < table.total.size() &&
                                      table.total[part - 1].cell && table.total[part - 1].cell->formula;
        text = text || reported_as_text;
        if (!reported_as_text) sum_of_numbers += cell.number().value_or(0);
      }
      const TypedCell& total = row.cells[total_at];
      if (!complete || (!total.blank() && !total.ok())) continue;  // a format error is already reported
      const std::int64_t written = total.number().value_or(0);
      // The template's row formula skips text as the column's SUM does: the text is the cause.
      const bool formula_over_numbers = text && total.cell && total.cell->formula && written == sum_of_numbers;
      if (written == sum || formula_over_numbers) continue;
      report(place_of(table, total.cell), table.spec->label.it + " › " + column_label(*table.spec, total_at), values::format_cents(written),
             {{"row", row_name(row, r)}, {"found", values::format_cents(written)}, {"expected", values::format_cents(sum)}});
    }
  });
}

}  // namespace consolida::forms
