// totals_equal: two tables that must balance (ENTRATE = SPESE), each column summed from its rows.
// Which row holds the difference cannot be told from the totals; with `by_column` (the column of
// `table` naming an earmarked fund) and `list`, the rows of the earmarked funds whose income and
// transfers agree are ruled out, and the cells left are listed where the difference can lie.
#include <algorithm>

#include "forms/rules/balance/fund_flow.hpp"

namespace consolida::forms {
namespace {

// Beyond this many cells a list of where to look helps no one: the message alone is given.
constexpr std::size_t kMaxCellsToCheck = 100;

// The sum of a column over the body rows (subtotals left out); nullopt if a cell is unreadable.
std::optional<std::int64_t> column_sum(const TypedTable& table, std::size_t column) {
  std::int64_t sum = 0;
  for (const TypedRow& row : table.rows) {
    if (row.subtotal()) continue;
    const TypedCell& cell = row.cells[column];
    if (!cell.blank() && !cell.ok()) return std::nullopt;
    sum += cell.number().value_or(0);
  }
  return sum;
}

// The earmarked funds whose income equals what the rows that name them pass on.
std::vector<const ListItem*> funds_in_balance(const FormSpec& spec, const std::string& list, const TypedTable& in, std::size_t in_column,
                                              const TypedTable& out, std::size_t out_column, std::size_t fund_column) {
  const std::vector<const ListItem*> row_fund = income_funds(spec, list, in);
  std::vector<const ListItem*> balanced;
  for (const ListItem& fund : *spec.list(list)) {
    if (earmarked(&fund) && fund_flow(fund, in, row_fund, in_column, out, out_column, fund_column).balanced()) balanced.push_back(&fund);
  }
  return balanced;
}

// "C41:C48, B11, B13:B14": runs of cells one below the other in the same column as ranges; a
// cell on another sheet than `sheet` is named with its sheet.
std::string cell_list(const std::vector<std::pair<std::string_view, const CellValue*>>& cells, std::string_view sheet) {
  std::string out;
  for (std::size_t i = 0; i < cells.size();) {
    std::size_t j = i;
    while (j + 1 < cells.size() && cells[j + 1].first == cells[i].first && cells[j + 1].second->ref.col == cells[i].second->ref.col &&
           cells[j + 1].second->ref.row == cells[j].second->ref.row + 1) {
      ++j;
    }
    out += out.empty() ? "" : ", ";
    if (cells[i].first != sheet) out += std::string(cells[i].first) + "!";
    out += xlsx::to_a1(cells[i].second->ref);
    if (j > i) out += ":" + xlsx::to_a1(cells[j].second->ref);
    i = j + 1;
  }
  return out;
}

}  // namespace

std::unique_ptr<Rule> make_totals_equal(const RuleDefinition& definition) {
  const std::size_t left_at = definition.table("table");
  const std::size_t left_column = definition.column(left_at, "column");
  const std::size_t right_at = definition.table("other_table");
  const std::size_t right_column = definition.column(right_at, "other_column");
  const std::optional<std::size_t> fund_column = definition.optional_column(left_at, "by_column");
  const std::string list = definition.string("list", fund_column.has_value());
  if (fund_column) definition.list("list");  // must exist
  return declared_rule(definition, {{}, left_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[left_at];
    const TypedTable& other = form.tables()[right_at];
    if (!other.found) return;
    const auto left = column_sum(table, left_column);
    const auto right = column_sum(other, right_column);
    if (!left || !right || *left == *right) return;
    const auto& total = table.found->total;
    const Place place = place_of(table, total && left_column > 0 ? &total->cells[left_column - 1] : nullptr);
    const IssueSink::Vars vars{{"found", values::format_cents(*left)}, {"expected", values::format_cents(*right)},
                               {"difference", values::format_cents(*left - *right)}};
    if (!fund_column) return report(place, table.spec->label.it, values::format_cents(*left), vars);
    const std::vector<const ListItem*> balanced = funds_in_balance(form.spec(), list, other, right_column, table, left_column, *fund_column);
    auto in_balance = [&](const ListItem* item) { return std::find(balanced.begin(), balanced.end(), item) != balanced.end(); };
    std::vector<std::pair<std::string_view, const CellValue*>> cells;
    for (const TypedRow& row : table.rows) {
      if (!row.cells[left_column].blank() && !in_balance(row.cells[*fund_column].item())) cells.emplace_back(table.sheet(), &cell_at(row, left_column));
    }
    for (const TypedRow& row : other.rows) {
      if (!row.cells[right_column].blank() && !in_balance(find_list_item(form.spec(), list, row.row->key.text))) {
        cells.emplace_back(other.sheet(), &cell_at(row, right_column));
      }
    }
    if (balanced.empty() || cells.empty() || cells.size() > kMaxCellsToCheck) return report(place, table.spec->label.it, values::format_cents(*left), vars);
    std::vector<CellPlace> to_check;
    for (const auto& [sheet, cell] : cells) to_check.push_back({std::string(sheet), xlsx::to_a1(cell->ref)});
    const std::string where = cell_list(cells, place.sheet), count = std::to_string(cells.size());
    report.with_cells_to_check({"i fondi vincolati sono in pari, quindi la differenza è in una delle " + count + " celle evidenziate (" + where + ")",
                                "the earmarked funds balance, so the difference is in one of the " + count + " highlighted cells (" + where + ")"},
                               std::move(to_check), place, table.spec->label.it, values::format_cents(*left), vars);
  });
}

}  // namespace consolida::forms
