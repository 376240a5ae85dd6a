// min_selected: a multiple-choice field has at least `min` options marked (1 by default). The
// problem is anchored at a mark cell, where the clerk types the X: with `group_field` (the
// macro-area of the key points), the first option of the group chosen there, so that marking
// the cell shown is a right answer; otherwise the first option's.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

const CellValue* mark_cell(const TableRow& option) { return option.cells.empty() ? &option.key : &option.cells[0]; }

const CellValue* first_mark_of_group(const TypedForm& form, const FieldSpec& spec, const FieldInstance& found, const ListItem* group) {
  if (found.options.empty()) return nullptr;
  if (group) {
    for (const TableRow& option : found.options) {
      const ListItem* item = find_list_item(form.spec(), spec.list, option.key.text);
      if (item && item->group == group->code) return mark_cell(option);
    }
  }
  return mark_cell(found.options[0]);
}

}  // namespace

std::unique_ptr<Rule> make_min_selected(const RuleDefinition& definition) {
  const std::size_t field_at = definition.field("field");
  const std::optional<std::size_t> group_at = definition.optional_field("group_field");
  const std::int64_t min = definition.integer("min").value_or(1);
  return declared_rule(definition, {{field_at}, {}}, [=](const TypedForm& form, const Reporter& report) {
    const TypedField& field = form.fields()[field_at];
    const auto selected = static_cast<std::int64_t>(field.selected.size());
    if (selected >= min) return;
    const ListItem* group = group_at ? form.fields()[*group_at].value.item() : nullptr;
    report({field.sheet(), first_mark_of_group(form, *field.spec, *field.found, group)}, field.spec->label.it, std::to_string(selected),
           {{"found", std::to_string(selected)}, {"min", std::to_string(min)}});
  });
}

}  // namespace consolida::forms
