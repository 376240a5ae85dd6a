// breakdowns_agree: every breakdown of a table's consolidation (by area, by funding source, ...)
// sums to the same total, to the cent, so that each amount is counted once in each of them.
// A row with amounts whose key is none of a by-row breakdown's items is the usual cause (a row
// inserted without an area, or with a label of its own): when the label plainly names one item
// the row counts there and `guess_message` (a warning) asks the clerk to confirm; otherwise the
// row counts nowhere and the rule's error names the items it could be. Rows counted in every
// breakdown can still disagree through their own figures (a row's total that is not the sum of
// its sources): that is row_sum's to say, and consolidation refuses such an ente all the same.
#include <algorithm>
#include <numeric>

#include "forms/breakdowns.hpp"
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

// The columns a breakdown sums, as positions in a row.
std::vector<std::size_t> summed_columns(const TableSpec& spec, const Breakdown& breakdown) {
  std::vector<std::size_t> columns;
  if (!breakdown.rows_of_column.empty()) columns.push_back(*spec.position(breakdown.rows_of_column));
  for (const std::string& id : breakdown.column_sums) columns.push_back(*spec.position(id));
  return columns;
}

bool any_amount(const TypedRow& row, const std::vector<std::size_t>& columns) {
  return std::any_of(columns.begin(), columns.end(), [&](std::size_t c) { return row.cells[c].number().value_or(0) != 0; });
}

// Whether every amount summed was read: an unreadable one is reported where it is, and a sum
// without it would only add a second, misleading issue.
bool readable(const TypedTable& table, const std::vector<std::size_t>& columns) {
  return std::all_of(table.rows.begin(), table.rows.end(), [&](const TypedRow& row) {
    return row.subtotal() || std::all_of(columns.begin(), columns.end(), [&](std::size_t c) { return row.cells[c].blank() || row.cells[c].ok(); });
  });
}

std::string item_list(const TableSpec& spec, const std::vector<std::size_t>& items) {
  std::string out;
  for (std::size_t i : items) out += (out.empty() ? "«" : ", «") + spec.fixed_rows[i] + "»";
  return out;
}

}  // namespace

std::unique_ptr<Rule> make_breakdowns_agree(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const FormSpec& spec = definition.form();
  std::vector<std::size_t> breakdowns;  // positions in consolidation.breakdowns
  std::vector<std::size_t> columns;     // every column they sum
  for (std::size_t b = 0; b < spec.consolidation.breakdowns.size(); ++b) {
    const Breakdown& breakdown = spec.consolidation.breakdowns[b];
    if (breakdown.table != spec.tables[table_at].id) continue;
    breakdowns.push_back(b);
    for (std::size_t c : summed_columns(spec.tables[table_at], breakdown)) columns.push_back(c);
  }
  if (breakdowns.size() < 2) {
    definition.fail("la tabella «" + spec.tables[table_at].id + "» ha meno di due ripartizioni in \"consolidation.breakdowns\"",
                    "table «" + spec.tables[table_at].id + "» has fewer than two breakdowns in \"consolidation.breakdowns\"");
  }
  Text guess = definition.text("guess_message");
  if (guess.it.empty()) {
    guess = {"«{row}» non è una voce di «{breakdown}»: è contata in «{item}»; se non è così, scrivere la voce giusta",
             "«{row}» is not an item of «{breakdown}»: it is counted under «{item}»; if that is wrong, write the right item"};
  }
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const auto& all = form.spec().consolidation.breakdowns;
    const TypedTable& table = form.tables()[table_at];
    const TableSpec& table_spec = *table.spec;
    if (!readable(table, columns)) return;
    std::vector<std::int64_t> totals;
    for (std::size_t b : breakdowns) {
      const auto amounts = breakdown_amounts(form, all[b]);
      totals.push_back(std::accumulate(amounts.begin(), amounts.end(), std::int64_t{0}));
    }
    const auto widest = std::max_element(totals.begin(), totals.end());
    const Breakdown& reference = all[breakdowns[static_cast<std::size_t>(widest - totals.begin())]];
    for (std::size_t k = 0; k < breakdowns.size(); ++k) {
      const Breakdown& breakdown = all[breakdowns[k]];
      if (breakdown.rows_of_column.empty()) continue;
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const TypedRow& row = table.rows[r];
        if (row.subtotal() || !any_amount(row, columns)) continue;
        const RowItem item = row_item(table_spec, breakdown, row.row->key.text);
        if (item.item && !item.guessed) continue;
        const Place where = place_of(table, &row.row->key);
        const std::string label = table_spec.label.it + " › " + table_spec.key.label.it;
        IssueSink::Vars vars{{"row", row_name(row, r)}, {"breakdown", breakdown.title.it}};
        if (item.guessed) {
          vars.emplace_back("item", table_spec.fixed_rows[*item.item]);
          report.warning(guess, where, label, row.row->key.text, vars);
          continue;
        }
        vars.insert(vars.end(), {{"candidates", item_list(table_spec, item.candidates)},
                                 {"other", reference.title.it},
                                 {"found", values::format_cents(totals[k])},
                                 {"expected", values::format_cents(*widest)},
                                 {"difference", values::format_cents(*widest - totals[k])}});
        report(where, label, row.row->key.text, vars);
      }
    }
  });
}

}  // namespace consolida::forms
