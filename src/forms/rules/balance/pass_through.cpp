// pass_through: funds received for a purpose and passed on (items of group "vincolato" of a
// list): what comes in on the fund's row must go out in the rows that name the fund. The income
// is what the fund paid in, so an imbalance is marked where the clerk corrects it: the first row
// that passes the fund on (or the income row, when none does or a refused row explains it), or
// the fund cell of the one row without a fund that is worth exactly the shortfall.
#include "forms/rules/balance/fund_flow.hpp"

namespace consolida::forms {
namespace {

// The refused rows that explain a fund's imbalance: those whose fund most likely meant it, else
// those whose fund means nothing recognisable (they may have meant any).
std::vector<const TypedRow*> causes_of(const ListItem& fund, const std::vector<std::pair<const TypedRow*, const ListItem*>>& refused) {
  std::vector<const TypedRow*> meant, unknown;
  for (const auto& [row, nearest] : refused) {
    if (nearest == &fund) meant.push_back(row);
    if (!nearest) unknown.push_back(row);
  }
  return meant.empty() ? unknown : meant;
}

// "la differenza c'è perché la riga 23 è stata scartata (fondo «Fondo povertà» non riconosciuto): vedi C23"
Text cause_text(const std::vector<const TypedRow*>& rows, std::size_t fund_column) {
  std::string numbers, cells, funds;
  for (const TypedRow* row : rows) {
    const CellValue& fund = cell_at(*row, fund_column);
    numbers += (numbers.empty() ? "" : ", ") + std::to_string(row->row->row + 1);
    cells += (cells.empty() ? "" : ", ") + xlsx::to_a1(fund.ref);
    funds += (funds.empty() ? "«" : "», «") + fund.text;
  }
  funds += "»";
  if (rows.size() == 1) {
    return {"la differenza c'è perché la riga " + numbers + " è stata scartata (fondo " + funds + " non riconosciuto): vedi " + cells,
            "the difference is there because row " + numbers + " was left out (fund " + funds + " not recognised): see " + cells};
  }
  return {"la differenza c'è perché le righe " + numbers + " sono state scartate (fondi " + funds + " non riconosciuti): vedi " + cells,
          "the difference is there because rows " + numbers + " were left out (funds " + funds + " not recognised): see " + cells};
}

// Money moved from a fund's transfer to a row that names no fund leaves the totals balanced and
// the fund short by exactly that row's amount. The only such row worth the shortfall is named; two
// or more would be a guess.
const TypedRow* row_worth(const TypedTable& out, std::size_t fund_column, std::size_t amount_column, std::int64_t amount) {
  const TypedRow* found = nullptr;
  for (const TypedRow& row : out.rows) {
    if (row.subtotal() || !row.cells[fund_column].blank() || row.cells[amount_column].number() != amount) continue;
    if (found) return nullptr;
    found = &row;
  }
  return found;
}

// "la riga 41 («Spese generali», 100,00) non indica un fondo e vale esattamente la differenza: ..."
Text moved_text(const TypedRow& row, const ListItem& fund, std::size_t fund_column, std::int64_t amount, const std::string& income) {
  const std::string number = std::to_string(row.row->row + 1);
  const std::string what = "(«" + row.row->key.text + "», " + values::format_cents(amount) + ")";
  const std::string where = xlsx::to_a1(cell_at(row, fund_column).ref);
  return {"la riga " + number + " " + what + " non indica un fondo e vale esattamente la differenza: se fa parte del trasferimento, scegliere «" +
              fund.display() + "» in " + where + "; altrimenti correggere le spese del fondo (le entrate sono in " + income + ")",
          "row " + number + " " + what + " names no fund and is worth exactly the difference: if it is part of the transfer, choose «" +
              fund.display() + "» in " + where + "; otherwise correct the fund's expenditure (its income is in " + income + ")"};
}

}  // namespace

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
    const std::vector<const ListItem*> row_fund = income_funds(form.spec(), list, in);
    // Rows whose fund is no item of the list pass nothing on: their amount is missing from the
    // fund the clerk meant, and that fund's imbalance names them as its cause.
    std::vector<std::pair<const TypedRow*, const ListItem*>> refused;  // the row, the fund it likely meant
    for (const TypedRow& row : out.rows) {
      const TypedCell& fund = row.cells[fund_column];
      if (row.subtotal() || fund.blank() || fund.ok() || row.cells[out_column].number().value_or(0) == 0) continue;
      refused.emplace_back(&row, match_list_item(form.spec(), list, fund.text()).nearest);
    }
    for (const ListItem& fund : *form.spec().list(list)) {
      if (!earmarked(&fund)) continue;
      const FundFlow flow = fund_flow(fund, in, row_fund, in_column, out, out_column, fund_column);
      if (!flow.readable || flow.received == flow.passed_on) continue;
      const std::int64_t received = flow.received, passed_on = flow.passed_on;
      const CellValue* where = flow.income;
      const CellValue* passed_on_at = flow.first_transfer;
      const IssueSink::Vars vars{{"row", fund.label}, {"found", values::format_cents(received)}, {"expected", values::format_cents(passed_on)}};
      const std::vector<const TypedRow*> causes = causes_of(fund, refused);
      const TypedRow* moved = received > passed_on ? row_worth(out, fund_column, out_column, received - passed_on) : nullptr;
      if (causes.empty() && moved && where) {
        report.with_cause(moved_text(*moved, fund, fund_column, received - passed_on, xlsx::to_a1(where->ref)),
                          place_of(out, &cell_at(*moved, fund_column)), out.spec->label.it, "", vars);
      } else if (causes.empty() && passed_on_at && where) {
        const std::string income = xlsx::to_a1(where->ref);
        report.with_cause({"correggere le spese del fondo (le entrate sono in " + income + ")",
                           "correct the fund's expenditure (its income is in " + income + ")"},
                          place_of(out, passed_on_at), out.spec->label.it, values::format_cents(passed_on), vars);
      } else if (causes.empty()) {
        report(place_of(in, where), in.spec->label.it, values::format_cents(received), vars);
      } else {
        report.with_cause(cause_text(causes, fund_column), place_of(in, where), in.spec->label.it, values::format_cents(received), vars);
      }
    }
  });
}

}  // namespace consolida::forms
