// range: a column's values lie within [min, max] (in the value's unit), optionally only in the
// rows where another column equals `when_equals` (a percentage where the unit is "%").
#include "forms/rules/declared_rule.hpp"
#include "forms/labels.hpp"

namespace consolida::forms {
namespace {

class Range final : public DeclaredRule {
 public:
  explicit Range(const RuleDefinition& definition)
      : DeclaredRule(definition),
        table_(definition.table("table")),
        column_(definition.column(table_, "column")),
        when_column_(definition.optional_column(table_, "when_column")),
        when_equals_(normalise_label(definition.string("when_equals"))),
        min_(definition.integer("min")),
        max_(definition.integer("max")) {
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& table = form.tables()[table_];
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const TypedRow& row = table.rows[r];
      const TypedCell& value = row.cells[column_];
      const auto number = value.number();
      if (!value.ok()) continue;
      if (when_column_ && normalise_label(cell_at(row, *when_column_).text) != when_equals_) continue;
      const std::int64_t n = number.value_or(0);
      if (!(min_ && n < *min_) && !(max_ && n > *max_)) continue;
      const ValueSpec& spec = column_ == 0 ? static_cast<const ValueSpec&>(table.spec->key) : table.spec->columns[column_ - 1];
      const std::string text = shown(value, spec);
      report(sink, place_of(table, value.cell), table.spec->label.it + " › " + column_label(*table.spec, column_), text,
             {{"value", text}, {"row", row_name(row, r)}});
    }
  }

 private:
  std::size_t table_;
  std::size_t column_;
  std::optional<std::size_t> when_column_;
  std::string when_equals_;
  std::optional<std::int64_t> min_;
  std::optional<std::int64_t> max_;
};

}  // namespace

std::unique_ptr<Rule> make_range(const RuleDefinition& definition) { return std::make_unique<Range>(definition); }

}  // namespace consolida::forms
