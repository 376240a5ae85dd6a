// periods_until: the Gantt chart keeps the template's periods and ends by `max_date`. Nothing is
// marked in a period ending after the date; nothing is marked outside the template's period
// columns (a column the clerk added, whatever its header: "gen 24-mar 24", "2024", a date, none);
// no period header is changed from the template's ("ott 23-dic 23" relabelled "ott 23-mar 24").
#include "common/calendar.hpp"
#include "common/labels.hpp"
#include "common/numbers.hpp"
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

// "gen 24-mar 24", "ott 23 - dic 23", "2024", "15/03/2024": the last day of the period a header
// names (a bare year is the whole year, a date is that day).
std::optional<values::Date> period_end_of(const std::string& header) {
  const std::string text = normalise_label(header);
  if (const auto date = values::parse_date_text(text); date.value) return *date.value;
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
  if (const auto year = text.size() == 4 ? parse_integer<int>(text) : std::nullopt; !last && year && *year >= 1900 && *year <= 2100) {
    last = values::Date{*year, 12, 31};
  }
  return last;
}

bool after(const std::optional<values::Date>& end, const values::Date& max_date) { return end && *end > max_date; }

}  // namespace

std::unique_ptr<Rule> make_periods_until(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const std::optional<values::Date> max_date = definition.date("max_date");
  Text outside = definition.text("outside_message");
  if (outside.it.empty()) {
    outside = {"«{row}»: segno nella colonna «{column}», che non è un periodo del modello: segnare solo i periodi del modello (fino a «{last}»)",
               "«{row}»: mark in column «{column}», which is not one of the template's periods: mark only the template's periods (up to «{last}»)"};
  }
  Text header_changed = definition.text("header_message");
  if (header_changed.it.empty()) {
    header_changed = {"l'intestazione del periodo «{expected}» è stata cambiata in «{found}»: ripristinare quella del modello",
                      "the header of period «{expected}» was changed to «{found}»: restore the template's"};
  }
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    if (!max_date) return;
    const TypedTable& table = form.tables()[table_at];
    const TableSpec& spec = *table.spec;
    const TableInstance& found = *table.found;
    std::string last_period;
    for (const ColumnSpec& column : spec.columns) {
      if (column.period_end) last_period = column.label.it;
    }
    // The marks of one column; `found_as` is what the report says was found there (the period
    // an added column names, else the mark).
    auto marks = [&](auto cell_of, const std::string& column, const Text* message, const std::string& found_as = {}) {
      for (std::size_t r = 0; r < found.rows.size(); ++r) {
        const CellValue* cell = cell_of(r);
        if (!cell || cell->blank()) continue;
        const IssueSink::Vars vars{{"column", column}, {"row", found.rows[r].key.text}, {"last", last_period}};
        const std::string& shown = found_as.empty() ? cell->text : found_as;
        if (message) {
          report.with_message(*message, place_of(table, cell), spec.label.it, shown, vars);
        } else {
          report(place_of(table, cell), spec.label.it, shown, vars);
        }
      }
    };
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      const ColumnSpec& column = spec.columns[c];
      if (!column.period_end) continue;
      auto cell_of = [&](std::size_t r) { return c < found.rows[r].cells.size() ? &found.rows[r].cells[c] : nullptr; };
      const CellValue* header = c < found.headers.size() ? &found.headers[c] : nullptr;
      if (header && normalise_label(header->text) != normalise_label(column.label.it)) {
        // The clerk made the column another period: its header is reported, and its marks are
        // judged by the period it now names.
        report.with_message(header_changed, place_of(table, header), spec.label.it, header->text,
                            {{"expected", column.label.it}, {"found", header->text}, {"last", last_period}});
        if (after(period_end_of(header->text), *max_date) || after(column.period_end, *max_date)) marks(cell_of, header->text, nullptr);
        continue;
      }
      if (after(column.period_end, *max_date)) marks(cell_of, column.label.it, nullptr);
    }
    for (std::size_t e = 0; e < found.extra_columns.size(); ++e) {
      const auto& [col, header] = found.extra_columns[e];
      auto cell_of = [&](std::size_t r) { return r < found.extra_cells.size() && e < found.extra_cells[r].size() ? &found.extra_cells[r][e] : nullptr; };
      const std::string name = header.empty() ? xlsx::column_name(col) : header;
      marks(cell_of, name, after(period_end_of(header), *max_date) ? nullptr : &outside, header);
    }
  });
}

}  // namespace consolida::forms
