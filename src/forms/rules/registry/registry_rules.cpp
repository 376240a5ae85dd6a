// registry_comune / registry_ambito / registry_comune_name: a form's identity checked against
// the registry it is validated with — a known ISTAT code, a known Ambito, and a comune's name
// that is the name of the comune with that code (as the seeds write names).
#include <algorithm>

#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class RegistryRule : public DeclaredRule {
 public:
  explicit RegistryRule(const RuleDefinition& definition) : DeclaredRule(definition), field_(definition.field("field")) {
    needs_field(field_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const final {
    const TypedField& field = form.fields()[field_];
    if (field.value.blank()) return;  // "required" already says it
    check_value(form, field, field.value.written(), sink);
  }

 protected:
  virtual void check_value(const TypedForm& form, const TypedField& field, const std::string& value, IssueSink& sink) const = 0;

 private:
  std::size_t field_;
};

class RegistryComune final : public RegistryRule {
 public:
  using RegistryRule::RegistryRule;
  void check_value(const TypedForm& form, const TypedField& field, const std::string& value, IssueSink& sink) const override {
    if (!form.registry().comune_by_istat(value)) report(sink, place_of(field), field.spec->label.it, value, {{"value", value}});
  }
};

class RegistryAmbito final : public RegistryRule {
 public:
  using RegistryRule::RegistryRule;
  void check_value(const TypedForm& form, const TypedField& field, const std::string& value, IssueSink& sink) const override {
    if (!form.registry().find_ambito(value)) report(sink, place_of(field), field.spec->label.it, value, {{"value", value}});
  }
};

class RegistryComuneName final : public RegistryRule {
 public:
  explicit RegistryComuneName(const RuleDefinition& definition) : RegistryRule(definition), code_field_(definition.field("other_field")) {
    needs_field(code_field_);
  }
  void check_value(const TypedForm& form, const TypedField& field, const std::string& value, IssueSink& sink) const override {
    const TypedField& code = form.fields()[code_field_];
    if (code.value.blank()) return;
    const registry::Registry& registry = form.registry();
    const registry::Comune* comune = registry.comune_by_istat(code.value.written());
    if (!comune) return;  // the code's own rule reports it
    const registry::Match match = registry.find_comune(value, &registry.ambito_of(*comune));
    if (std::find(match.candidates.begin(), match.candidates.end(), comune) != match.candidates.end()) return;
    report(sink, place_of(field), field.spec->label.it, value, {{"value", value}, {"expected", comune->name}, {"code", comune->istat}});
  }

 private:
  std::size_t code_field_;
};

}  // namespace

std::unique_ptr<Rule> make_registry_comune(const RuleDefinition& definition) { return std::make_unique<RegistryComune>(definition); }
std::unique_ptr<Rule> make_registry_ambito(const RuleDefinition& definition) { return std::make_unique<RegistryAmbito>(definition); }
std::unique_ptr<Rule> make_registry_comune_name(const RuleDefinition& definition) {
  return std::make_unique<RegistryComuneName>(definition);
}

}  // namespace consolida::forms
