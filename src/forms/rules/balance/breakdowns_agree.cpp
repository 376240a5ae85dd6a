// breakdowns_agree: every breakdown of a table's consolidation (by area, by funding source, ...)
// sums to the same total, to the cent, so that each amount is counted once in each of them. A
// row whose key is none of a by-row breakdown's items (and that breakdown gathers no "other"
// rows) is counted nowhere there: the issue points at that row.
#include <algorithm>
#include <numeric>

#include "forms/breakdowns.hpp"
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

// Whether every amount a breakdown sums was read: an unreadable one is reported where it is,
// and a sum without it would only add a second, misleading issue.
bool readable(const TypedTable& table, const Breakdown& breakdown) {
  std::vector<std::size_t> columns;
  if (!breakdown.rows_of_column.empty()) columns.push_back(*table.spec->position(breakdown.rows_of_column));
  for (const std::string& id : breakdown.column_sums) columns.push_back(*table.spec->position(id));
  return std::all_of(table.rows.begin(), table.rows.end(), [&](const TypedRow& row) {
    return row.subtotal() || std::all_of(columns.begin(), columns.end(), [&](std::size_t c) { return row.cells[c].blank() || row.cells[c].ok(); });
  });
}

// The rows a by-row breakdown leaves out, each with its own issue; false when there is none.
bool point_at_rows_left_out(const TypedTable& table, const Breakdown& breakdown, const Reporter& report, IssueSink::Vars vars) {
  if (breakdown.rows_of_column.empty() || !breakdown.other_label.empty()) return false;
  const TableSpec& spec = *table.spec;
  const std::size_t column = *spec.position(breakdown.rows_of_column);
  bool pointed = false;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const TypedRow& row = table.rows[r];
    if (row.subtotal() || row.cells[column].number().value_or(0) == 0 || spec.fixed_row(row.row->key.text)) continue;
    vars.back().second = row_name(row, r);
    report(place_of(table, &row.row->key), spec.label.it + " › " + spec.key.label.it, row.row->key.text, vars);
    pointed = true;
  }
  return pointed;
}

}  // namespace

std::unique_ptr<Rule> make_breakdowns_agree(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const FormSpec& spec = definition.form();
  std::vector<std::size_t> breakdowns;  // positions in consolidation.breakdowns
  for (std::size_t b = 0; b < spec.consolidation.breakdowns.size(); ++b) {
    if (spec.consolidation.breakdowns[b].table == spec.tables[table_at].id) breakdowns.push_back(b);
  }
  if (breakdowns.size() < 2) {
    definition.fail("la tabella «" + spec.tables[table_at].id + "» ha meno di due ripartizioni in \"consolidation.breakdowns\"",
                    "table «" + spec.tables[table_at].id + "» has fewer than two breakdowns in \"consolidation.breakdowns\"");
  }
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const auto& all = form.spec().consolidation.breakdowns;
    const TypedTable& table = form.tables()[table_at];
    std::vector<std::int64_t> totals;
    for (std::size_t b : breakdowns) {
      if (!readable(table, all[b])) return;
      const auto amounts = breakdown_amounts(form, all[b]);
      totals.push_back(std::accumulate(amounts.begin(), amounts.end(), std::int64_t{0}));
    }
    const auto widest = std::max_element(totals.begin(), totals.end());
    const Breakdown& reference = all[breakdowns[static_cast<std::size_t>(widest - totals.begin())]];
    for (std::size_t k = 0; k < breakdowns.size(); ++k) {
      if (totals[k] == *widest) continue;
      const Breakdown& short_one = all[breakdowns[k]];
      // {row} names the row left out, or the table when no single row is.
      const IssueSink::Vars vars{{"breakdown", short_one.title.it},
                                 {"other", reference.title.it},
                                 {"found", values::format_cents(totals[k])},
                                 {"expected", values::format_cents(*widest)},
                                 {"difference", values::format_cents(*widest - totals[k])},
                                 {"row", table.spec->label.it}};
      if (!point_at_rows_left_out(table, short_one, report, vars)) report(place_of(table), table.spec->label.it, values::format_cents(totals[k]), vars);
    }
  });
}

}  // namespace consolida::forms
