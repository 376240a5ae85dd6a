// same_group / distinct_from: the options marked in a multiple-choice field against the item
// chosen in another field — every option of the chosen item's group (a key point of the
// macro-area chosen), or none equal to it (secondary areas other than the main one).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

enum class Wants { same_group, distinct };

std::unique_ptr<Rule> selection_against_choice(const RuleDefinition& definition, Wants wants) {
  const std::size_t field_at = definition.field("field");
  const std::size_t other_at = definition.field("other_field");
  return declared_rule(definition, {{field_at, other_at}, {}}, [=](const TypedForm& form, const Reporter& report) {
    const ListItem* chosen = form.fields()[other_at].value.item();
    if (!chosen) return;
    const TypedField& field = form.fields()[field_at];
    for (const Selection& selection : field.selected) {
      const bool wrong = wants == Wants::same_group ? selection.item->group != chosen->code : selection.item->code == chosen->code;
      if (!wrong) continue;
      report({field.sheet(), &selection.option->cells[0]}, field.spec->label.it, selection.item->display(),
             {{"value", selection.item->display()}, {"expected", chosen->display()}});
    }
  });
}

}  // namespace

std::unique_ptr<Rule> make_same_group(const RuleDefinition& definition) { return selection_against_choice(definition, Wants::same_group); }
std::unique_ptr<Rule> make_distinct_from(const RuleDefinition& definition) { return selection_against_choice(definition, Wants::distinct); }

}  // namespace consolida::forms
