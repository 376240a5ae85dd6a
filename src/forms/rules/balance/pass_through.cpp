// pass_through: funds received for a purpose and passed on (items of group "vincolato" of a
// list): what comes in on the fund's row must go out in the rows that name the fund.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_pass_through(const RuleDefinition& definition) {
  const std::size_t in_at = definition.table("table");
  const std::size_t in_column = definition.column(in_at, "column");
  const std::size_t out_at = definition.table("other_table");
  const std::size_t out_column = definition.column(out_at, "other_column");
  const std::size_t fund_column = definition.column(out_at, "by_column");
  definition.list("list");  // must exist
  const std::string list = definition.string("list");
  return declared_rule(definition, {{}, in_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& in = form.tables()[in_at];
    const TypedTable& out = form.tables()[out_at];
    if (!out.found) return;
    std::vector<const ListItem*> row_fund(in.rows.size(), nullptr);
    for (std::size_t r = 0; r < in.rows.size(); ++r) {
      const TableRow& row = *in.rows[r].row;
      if (!row.subtotal && !row.key.blank()) row_fund[r] = find_list_item(form.spec(), list, row.key.text);
    }
    for (const ListItem& fund : *form.spec().list(list)) {
      if (fund.group != "vincolato") continue;
      std::int64_t received = 0, passed_on = 0;
      const CellValue* where = nullptr;
      bool readable = true;
      for (std::size_t r = 0; r < in.rows.size(); ++r) {
        if (row_fund[r] != &fund) continue;
        const TypedCell& cell = in.rows[r].cells[in_column];
        readable = readable && (cell.blank() || cell.ok());
        received += cell.number().value_or(0);
        where = &cell_at(in.rows[r], in_column);
      }
      for (const TypedRow& row : out.rows) {
        if (row.subtotal() || row.cells[fund_column].item() != &fund) continue;
        readable = readable && (row.cells[out_column].blank() || row.cells[out_column].ok());
        passed_on += row.cells[out_column].number().value_or(0);
      }
      if (!readable || received == passed_on) continue;
      report(place_of(in, where), in.spec->label.it, values::format_cents(received),
             {{"row", fund.label}, {"found", values::format_cents(received)}, {"expected", values::format_cents(passed_on)}});
    }
  });
}

}  // namespace consolida::forms
