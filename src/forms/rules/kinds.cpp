// The rule kinds form.json can name, as SQLite keeps its built-in functions: a table from name
// to factory. Adding a kind is one file under rules/<family>/ and one line here.
#include <algorithm>
#include <array>
#include <utility>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

// field/
std::unique_ptr<Rule> make_min_selected(const RuleDefinition&);
std::unique_ptr<Rule> make_same_group(const RuleDefinition&);
std::unique_ptr<Rule> make_distinct_from(const RuleDefinition&);
std::unique_ptr<Rule> make_required_if(const RuleDefinition&);
// table/
std::unique_ptr<Rule> make_min_rows(const RuleDefinition&);
std::unique_ptr<Rule> make_row_requires(const RuleDefinition&);
std::unique_ptr<Rule> make_range(const RuleDefinition&);
std::unique_ptr<Rule> make_row_any_marked(const RuleDefinition&);
std::unique_ptr<Rule> make_periods_until(const RuleDefinition&);
std::unique_ptr<Rule> make_row_sum(const RuleDefinition&);
std::unique_ptr<Rule> make_column_total(const RuleDefinition&);
// balance/
std::unique_ptr<Rule> make_totals_equal(const RuleDefinition&);
std::unique_ptr<Rule> make_pass_through(const RuleDefinition&);
std::unique_ptr<Rule> make_breakdowns_agree(const RuleDefinition&);
// registry/
std::unique_ptr<Rule> make_registry_comune(const RuleDefinition&);
std::unique_ptr<Rule> make_registry_comune_name(const RuleDefinition&);
std::unique_ptr<Rule> make_registry_ambito(const RuleDefinition&);

namespace {

// In name order, for the binary search.
constexpr std::array<std::pair<std::string_view, RuleFactory>, 17> kKinds{{
    {"breakdowns_agree", make_breakdowns_agree},
    {"column_total", make_column_total},
    {"distinct_from", make_distinct_from},
    {"min_rows", make_min_rows},
    {"min_selected", make_min_selected},
    {"pass_through", make_pass_through},
    {"periods_until", make_periods_until},
    {"range", make_range},
    {"registry_ambito", make_registry_ambito},
    {"registry_comune", make_registry_comune},
    {"registry_comune_name", make_registry_comune_name},
    {"required_if", make_required_if},
    {"row_any_marked", make_row_any_marked},
    {"row_requires", make_row_requires},
    {"row_sum", make_row_sum},
    {"same_group", make_same_group},
    {"totals_equal", make_totals_equal},
}};

static_assert(std::is_sorted(kKinds.begin(), kKinds.end(), [](const auto& a, const auto& b) { return a.first < b.first; }),
              "kKinds must stay in name order");

}  // namespace

RuleFactory rule_factory(std::string_view kind) {
  const auto it = std::lower_bound(kKinds.begin(), kKinds.end(), kind, [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != kKinds.end() && it->first == kind ? it->second : nullptr;
}

std::vector<std::string_view> rule_kinds() {
  std::vector<std::string_view> names;
  for (const auto& [name, factory] : kKinds) names.push_back(name);
  return names;
}

}  // namespace consolida::forms
