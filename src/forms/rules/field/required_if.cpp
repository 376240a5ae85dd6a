// required_if: a field that must be filled when the rule's condition holds (when_field ...).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_required_if(const RuleDefinition& definition) {
  const std::size_t field_at = definition.field("field");
  return declared_rule(definition, {{field_at}, {}}, [=](const TypedForm& form, const Reporter& report) {
    const TypedField& field = form.fields()[field_at];
    if (field.value.blank()) report(place_of(field), field.spec->label.it, "", {{"label", field.spec->label.it}});
  });
}

}  // namespace consolida::forms
