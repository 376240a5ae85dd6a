// same_group / distinct_from: the options marked in a multiple-choice field against the item
// chosen in another field — every option of the chosen item's group (a key point of the
// macro-area chosen), or none equal to it (secondary areas other than the main one).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class SelectionAgainstChoice final : public DeclaredRule {
 public:
  enum class Wants { same_group, distinct };

  SelectionAgainstChoice(const RuleDefinition& definition, Wants wants)
      : DeclaredRule(definition), field_(definition.field("field")), other_(definition.field("other_field")), wants_(wants) {
    needs_field(field_);
    needs_field(other_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const ListItem* chosen = form.fields()[other_].value.item();
    if (!chosen) return;
    const TypedField& field = form.fields()[field_];
    for (const Selection& selection : field.selected) {
      const bool wrong = wants_ == Wants::same_group ? selection.item->group != chosen->code : selection.item->code == chosen->code;
      if (!wrong) continue;
      report(sink, {field.sheet(), &selection.option->cells[0]}, field.spec->label.it, selection.item->display(),
             {{"value", selection.item->display()}, {"expected", chosen->display()}});
    }
  }

 private:
  std::size_t field_;
  std::size_t other_;
  Wants wants_;
};

}  // namespace

std::unique_ptr<Rule> make_same_group(const RuleDefinition& definition) {
  return std::make_unique<SelectionAgainstChoice>(definition, SelectionAgainstChoice::Wants::same_group);
}

std::unique_ptr<Rule> make_distinct_from(const RuleDefinition& definition) {
  return std::make_unique<SelectionAgainstChoice>(definition, SelectionAgainstChoice::Wants::distinct);
}

}  // namespace consolida::forms
