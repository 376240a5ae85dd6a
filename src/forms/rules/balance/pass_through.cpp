// pass_through: funds received for a purpose and passed on (items of group "vincolato" of a
// list): what comes in on the fund's row must go out in the rows that name the fund.
#include "forms/rules/declared_rule.hpp"

namespace consolida::forms {
namespace {

class PassThrough final : public DeclaredRule {
 public:
  explicit PassThrough(const RuleDefinition& definition)
      : DeclaredRule(definition),
        table_(definition.table("table")),
        in_column_(definition.column(table_, "column")),
        other_table_(definition.table("other_table")),
        out_column_(definition.column(other_table_, "other_column")),
        by_column_(definition.column(other_table_, "by_column")),
        list_(definition.string("list")) {
    definition.list("list");  // must exist
    needs_table(table_);
  }

  void apply(const TypedForm& form, IssueSink& sink) const override {
    const TypedTable& in = form.tables()[table_];
    const TypedTable& out = form.tables()[other_table_];
    if (!out.found) return;
    std::vector<const ListItem*> row_fund(in.rows.size(), nullptr);
    for (std::size_t r = 0; r < in.rows.size(); ++r) {
      const TableRow& row = *in.rows[r].row;
      if (!row.subtotal && !row.key.blank()) row_fund[r] = find_list_item(form.spec(), list_, row.key.text);
    }
    for (const ListItem& fund : *form.spec().list(list_)) {
      if (fund.group != "vincolato") continue;
      std::int64_t received = 0, passed_on = 0;
      const CellValue* where = nullptr;
      bool readable = true;
      for (std::size_t r = 0; r < in.rows.size(); ++r) {
        if (row_fund[r] != &fund) continue;
        const TypedCell& cell = in.rows[r].cells[in_column_];
        readable = readable && (cell.blank() || cell.ok());
        received += cell.number().value_or(0);
        where = &cell_at(in.rows[r], in_column_);
      }
      for (const TypedRow& row : out.rows) {
        if (row.subtotal() || row.cells[by_column_].item() != &fund) continue;
        const TypedCell& cell = row.cells[out_column_];
        readable = readable && (cell.blank() || cell.ok());
        passed_on += cell.number().value_or(0);
      }
      if (!readable || received == passed_on) continue;
      report(sink, place_of(in, where), in.spec->label.it, values::format_cents(received),
             {{"row", fund.label}, {"found", values::format_cents(received)}, {"expected", values::format_cents(passed_on)}});
    }
  }

 private:
  std::size_t table_;
  std::size_t in_column_;
  std::size_t other_table_;
  std::size_t out_column_;
  std::size_t by_column_;
  std::string list_;
};

}  // namespace

std::unique_ptr<Rule> make_pass_through(const RuleDefinition& definition) { return std::make_unique<PassThrough>(definition); }

}  // namespace consolida::forms
