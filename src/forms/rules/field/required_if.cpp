// required_if: a field that must be filled when the rule's condition holds (when_field ...).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class RequiredIf final : public DeclaredRule {
 public:
  explicit RequiredIf(const RuleDefinition& definition) : DeclaredRule(definition), field_(definition.field("field")) {
    needs_field(field_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedField& field = form.fields()[field_];
    if (!field.value.blank()) return;
    report(sink, place_of(field), field.spec->label.it, "", {{"label", field.spec->label.it}});
  }

 private:
  std::size_t field_;
};

}  // namespace

std::unique_ptr<Rule> make_required_if(const RuleDefinition& definition) { return std::make_unique<RequiredIf>(definition); }

}  // namespace consolida::forms
