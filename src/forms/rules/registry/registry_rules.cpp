// registry_comune / registry_ambito / registry_comune_name: a form's identity checked against
// the registry it is validated with — a known ISTAT code, a known Ambito, and a comune's name
// that is the name of the comune with that code (as the seeds write names).
#include <algorithm>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

// What the registry says of a written identity: true when it is known.
using Known = bool (*)(const registry::Registry& registry, const std::string& value);

std::unique_ptr<Rule> registry_rule(const RuleDefinition& definition, Known known) {
  const std::size_t field_at = definition.field("field");
  return declared_rule(definition, {{field_at}, {}}, [=](const TypedForm& form, const Reporter& report) {
    const TypedField& field = form.fields()[field_at];
    if (field.value.blank()) return;  // "required" already says it
    const std::string& value = field.value.written();
    if (!known(form.registry(), value)) report(place_of(field), field.spec->label.it, value, {{"value", value}});
  });
}

}  // namespace

std::unique_ptr<Rule> make_registry_comune(const RuleDefinition& definition) {
  return registry_rule(definition, [](const registry::Registry& r, const std::string& v) { return r.comune_by_istat(v) != nullptr; });
}

std::unique_ptr<Rule> make_registry_ambito(const RuleDefinition& definition) {
  return registry_rule(definition, [](const registry::Registry& r, const std::string& v) { return r.find_ambito(v) != nullptr; });
}

std::unique_ptr<Rule> make_registry_comune_name(const RuleDefinition& definition) {
  const std::size_t name_at = definition.field("field");
  const std::size_t code_at = definition.field("other_field");
  return declared_rule(definition, {{name_at, code_at}, {}}, [=](const TypedForm& form, const Reporter& report) {
    const TypedField& name = form.fields()[name_at];
    const TypedField& code = form.fields()[code_at];
    if (name.value.blank() || code.value.blank()) return;
    const registry::Registry& registry = form.registry();
    const registry::Comune* comune = registry.comune_by_istat(code.value.written());
    if (!comune) return;  // the code's own rule reports it
    const std::string& value = name.value.written();
    const registry::Match match = registry.find_comune(value, &registry.ambito_of(*comune));
    if (std::find(match.candidates.begin(), match.candidates.end(), comune) != match.candidates.end()) return;
    report(place_of(name), name.spec->label.it, value, {{"value", value}, {"expected", comune->name}, {"code", comune->istat}});
  });
}

}  // namespace consolida::forms
