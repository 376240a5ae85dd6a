// range: a column's values lie within [min, max] (in the value's unit), optionally only in the
// rows where another column equals `when_equals` (a percentage where the unit is "%"), and only
// for values above `only_above` (a fraction typed for a percentage is above 0: 0% is just none).
#include "common/labels.hpp"
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {

std::unique_ptr<Rule> make_range(const RuleDefinition& definition) {
  const std::size_t table_at = definition.table("table");
  const std::size_t checked = definition.column(table_at, "column");
  const std::optional<std::size_t> when_column = definition.optional_column(table_at, "when_column");
  const std::string when_equals = normalise_label(definition.string("when_equals"));
  const std::optional<std::int64_t> min = definition.integer("min"), max = definition.integer("max");
  const std::optional<std::int64_t> only_above = definition.integer("only_above");
  return declared_rule(definition, {{}, table_at}, [=](const TypedForm& form, const Reporter& report) {
    const TypedTable& table = form.tables()[table_at];
    const ValueSpec& spec = column_spec(*table.spec, checked);
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TypedCell& value = table.rows[r].cells[checked];
      if (!value.ok()) continue;
      if (when_column && !holds(table.rows[r].cells[*when_column], column_spec(*table.spec, *when_column), when_equals)) continue;
      const std::int64_t n = value.number().value_or(0);
      if (only_above && n <= *only_above) continue;
      if (!(min && n < *min) && !(max && n > *max)) continue;
      const std::string text = shown(value, spec);
      // {times_100}: the value a fraction typed for a percentage (0,7 for 70%) was meant to be.
      const std::string times_100 = shown(TypedCell{nullptr, typed::Decimal{n * 100}}, spec);
      report(place_of(table, value.cell), table.spec->label.it + " › " + column_label(*table.spec, checked), text,
             {{"value", text}, {"row", row_name(table.rows[r], r)}, {"times_100", times_100}});
    }
  });
}

}  // namespace consolida::forms
