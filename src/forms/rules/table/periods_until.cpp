// periods_until: nothing marked in a Gantt column that ends after `max_date`, nor in a column a
// user added whose header names a later period ("gen 24-mar 24") or none at all.
#include "common/calendar.hpp"
#include "common/labels.hpp"
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

// "gen 24-mar 24", "ott 23 - dic 23", "2024": the last day of the period a header names.
std::optional<values::Date> period_end_of(const std::string& header) {
  const std::string text = normalise_label(header);
  std::optional<values::Date> last;
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (int m = 0; m < 12; ++m) {
      if (text.compare(i, 3, kItalianMonthsShort[static_cast<std::size_t>(m)]) != 0) continue;
      std::size_t j = i + 3;
      while (j < text.size() && text[j] >= 'a' && text[j] <= 'z') ++j;  // "lugl", "giugno"
      while (j < text.size() && (text[j] == ' ' || text[j] == '.' || text[j] == '\'')) ++j;
      int year = 0, digits = 0;
      for (; j < text.size() && text[j] >= '0' && text[j] <= '9' && digits < 4; ++j, ++digits) year = year * 10 + (text[j] - '0');
      if (digits == 2) year += 2000;
      if (digits != 2 && digits != 4) continue;
      const values::Date end{year, m + 1, days_in_month(year, m + 1)};
      if (!last || end > *last) last = end;
    }
  }
  return last;
}

}  // namespace

std::unique_ptr<Rule> make_periods_until(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const std::optional<values::Date> max_date = definition.date("max_date");
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    if (!max_date) return;
    const TypedTable& table = form.tables()[table_at];
    const TableSpec& spec = *table.spec;
    const TableInstance& found = *table.found;
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      const auto& end = spec.columns[c].period_end;
      if (!end || *end <= *max_date) continue;
      for (const TableRow& row : found.rows) {
        if (c >= row.cells.size() || row.cells[c].blank()) continue;
        report(place_of(table, &row.cells[c]), spec.label.it, row.cells[c].text, {{"column", spec.columns[c].label.it}, {"row", row.key.text}});
      }
    }
    for (std::size_t e = 0; e < found.extra_columns.size(); ++e) {
      const std::string& header = found.extra_columns[e].second;
      const auto period_end = period_end_of(header);
      if (period_end && *period_end <= *max_date) continue;
      for (std::size_t r = 0; r < found.rows.size() && r < found.extra_cells.size(); ++r) {
        const CellValue& cell = found.extra_cells[r][e];
        if (!cell.blank()) report(place_of(table, &cell), spec.label.it, header, {{"column", header}, {"row", found.rows[r].key.text}});
      }
    }
  });
}

}  // namespace consolida::forms
