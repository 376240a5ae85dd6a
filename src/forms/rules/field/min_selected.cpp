// min_selected: a multiple-choice field has at least `min` options marked (1 by default).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_min_selected(const RuleDefinition& definition) {
  const std::size_t field_at = definition.field("field");
  const std::int64_t min = definition.integer("min").value_or(1);
  return declared_rule(definition, {{field_at}, {}}, [=](const TypedForm& form, const Reporter& report) {
    const TypedField& field = form.fields()[field_at];
    const auto selected = static_cast<std::int64_t>(field.selected.size());
    if (selected >= min) return;
    const auto& options = field.found->options;
    report({field.sheet(), options.empty() ? nullptr : &options[0].key}, field.spec->label.it, std::to_string(selected),
           {{"found", std::to_string(selected)}, {"min", std::to_string(min)}});
  });
}

}  // namespace consolida::forms
