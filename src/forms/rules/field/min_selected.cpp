// min_selected: a multiple-choice field has at least `min` options marked (1 by default).
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class MinSelected final : public DeclaredRule {
 public:
  explicit MinSelected(const RuleDefinition& definition)
      : DeclaredRule(definition), field_(definition.field("field")), min_(definition.integer("min").value_or(1)) {
    needs_field(field_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedField& field = form.fields()[field_];
    const auto selected = static_cast<std::int64_t>(field.selected.size());
    if (selected >= min_) return;
    const auto& options = field.found->options;
    report(sink, {field.sheet(), options.empty() ? nullptr : &options[0].key}, field.spec->label.it, std::to_string(selected),
           {{"found", std::to_string(selected)}, {"min", std::to_string(min_)}});
  }

 private:
  std::size_t field_;
  std::int64_t min_;
};

}  // namespace

std::unique_ptr<Rule> make_min_selected(const RuleDefinition& definition) { return std::make_unique<MinSelected>(definition); }

}  // namespace consolida::forms
