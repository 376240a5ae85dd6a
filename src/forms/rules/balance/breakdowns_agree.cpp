// breakdowns_agree: every breakdown of a table's consolidation (by area, by funding source, ...)
// sums to the same total, to the cent, so that each amount is counted once in each of them. A
// row whose key is none of a breakdown's items (and that breakdown gathers no "other" rows) is
// counted nowhere there: the issue points at that row.
#include <numeric>

#include "forms/labels.hpp"
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class BreakdownsAgree final : public DeclaredRule {
 public:
  explicit BreakdownsAgree(const RuleDefinition& definition) : DeclaredRule(definition), table_(definition.table("table")) {
    needs_table(table_);
    const FormSpec& form = definition.form();
    for (std::size_t b = 0; b < form.consolidation.breakdowns.size(); ++b) {
      if (form.consolidation.breakdowns[b].table == form.tables[table_].id) breakdowns_.push_back(b);
    }
    if (breakdowns_.size() < 2) {
      definition.fail("la tabella «" + form.tables[table_].id + "» ha meno di due ripartizioni in \"consolidation.breakdowns\"",
                      "table «" + form.tables[table_].id + "» has fewer than two breakdowns in \"consolidation.breakdowns\"");
    }
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const auto& all = form.spec().consolidation.breakdowns;
    std::vector<std::int64_t> totals;
    for (std::size_t b : breakdowns_) {
      const auto amounts = breakdown_amounts(form, all[b]);
      totals.push_back(std::accumulate(amounts.begin(), amounts.end(), std::int64_t{0}));
    }
    const std::int64_t widest = *std::max_element(totals.begin(), totals.end());
    const Breakdown& reference = all[breakdowns_[static_cast<std::size_t>(std::max_element(totals.begin(), totals.end()) - totals.begin())]];
    const TypedTable& table = form.tables()[table_];
    for (std::size_t k = 0; k < breakdowns_.size(); ++k) {
      if (totals[k] == widest) continue;
      const Breakdown& short_one = all[breakdowns_[k]];
      const IssueSink::Vars totals_vars{{"breakdown", short_one.title.it},
                                        {"other", reference.title.it},
                                        {"found", values::format_cents(totals[k])},
                                        {"expected", values::format_cents(widest)},
                                        {"difference", values::format_cents(widest - totals[k])}};
      if (!point_at_rows(table, short_one, sink, totals_vars)) {
        report(sink, place_of(table), table.spec->label.it, values::format_cents(totals[k]), totals_vars);
      }
    }
  }

 private:
  // The rows a by-row breakdown leaves out, each with its own issue; false when none is found.
  bool point_at_rows(const TypedTable& table, const Breakdown& breakdown, IssueSink& sink, IssueSink::Vars vars) const {
    if (breakdown.rows_of_column.empty() || !breakdown.other_label.empty()) return false;
    const TableSpec& spec = *table.spec;
    std::size_t column = 0;
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      if (spec.columns[c].id == breakdown.rows_of_column) column = c + 1;
    }
    std::vector<std::string> fixed;
    for (const std::string& label : spec.fixed_rows) fixed.push_back(normalise_label(label));
    bool pointed = false;
    vars.emplace_back("row", "");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TypedRow& row = table.rows[r];
      const std::int64_t amount = row.cells[column].number().value_or(0);
      if (row.subtotal() || amount == 0) continue;
      if (std::find(fixed.begin(), fixed.end(), normalise_label(row.row->key.text)) != fixed.end()) continue;
      vars.back().second = row_name(row, r);
      report(sink, place_of(table, &row.row->key), spec.label.it + " › " + spec.key.label.it, row.row->key.text, vars);
      pointed = true;
    }
    return pointed;
  }

  std::size_t table_;
  std::vector<std::size_t> breakdowns_;  // positions in consolidation.breakdowns
};

}  // namespace

std::unique_ptr<Rule> make_breakdowns_agree(const RuleDefinition& definition) { return std::make_unique<BreakdownsAgree>(definition); }

}  // namespace consolida::forms
