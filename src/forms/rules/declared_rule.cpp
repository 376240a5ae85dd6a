#include "forms/rules/declared_rule.hpp"

#include "common/labels.hpp"

namespace consolida::forms {

RuleDefinition::RuleDefinition(FormSpec& form, const SpecReader& reader, JsonObject::Ptr json, std::string where)
    : form_(form), reader_(reader), json_(std::move(json)), where_(std::move(where)) {
  // What every rule has, then the type of every key any kind reads: a wrong value is refused
  // even where this rule's kind does not use it.
  code_ = reader_.string(json_, "code", where_, true);
  reference_ = "rules." + code_;
  const std::string severity = reader_.string(json_, "severity", where_);
  if (severity == "avviso" || severity == "warning") {
    severity_ = Severity::warning;
  } else if (!severity.empty() && severity != "errore" && severity != "error") {
    reader_.fail(where_ + ".severity", "usare \"errore\" o \"avviso\"", "use \"errore\" or \"avviso\"");
  }
  kind_ = reader_.string(json_, "kind", where_, true);
  message_ = reader_.text(json_, "message", where_, true);
  for (const char* key : {"field", "other_field", "table", "column", "when_field", "when_column", "when_equals", "unless_field",
                          "other_table", "other_column", "by_column", "list"}) {
    reader_.string(json_, key, where_);
  }
  reader_.strings(json_, "columns", where_);
  reader_.integer(json_, "min", where_);
  reader_.integer(json_, "max", where_);
  reader_.integer(json_, "only_above", where_);
  reader_.date(json_, "max_date", where_);
}

void RuleDefinition::fail(const std::string& it, const std::string& en) const { reader_.fail(reference_, it, en); }

std::string RuleDefinition::string(const std::string& key, bool required) const { return reader_.string(json_, key, where_, required); }

Text RuleDefinition::text(const std::string& key, bool required) const { return reader_.text(json_, key, where_, required); }

std::optional<std::int64_t> RuleDefinition::integer(const std::string& key) const { return reader_.integer(json_, key, where_); }

std::optional<values::Date> RuleDefinition::date(const std::string& key) const { return reader_.date(json_, key, where_); }

std::optional<std::size_t> RuleDefinition::optional_field(const std::string& key) const {
  const std::string id = string(key);
  if (id.empty()) return std::nullopt;
  const auto index = form_.field_index(id);
  if (!index) fail("campo \"" + id + "\" inesistente", "no field \"" + id + "\"");
  return index;
}

std::size_t RuleDefinition::field(const std::string& key) const {
  const auto index = optional_field(key);
  if (!index) fail("manca \"" + key + "\"", "\"" + key + "\" is missing");
  return *index;
}

std::size_t RuleDefinition::table(const std::string& key) const {
  const std::string id = string(key);
  const auto index = form_.table_index(id);
  if (!index) fail("tabella \"" + id + "\" inesistente", "no table \"" + id + "\"");
  return *index;
}

std::size_t RuleDefinition::column_by_id(std::size_t table, const std::string& id) const {
  const TableSpec& spec = form_.tables[table];
  const auto position = spec.position(id);
  if (!position) fail("colonna \"" + id + "\" inesistente in " + spec.id, "no column \"" + id + "\" in " + spec.id);
  return *position;
}

std::optional<std::size_t> RuleDefinition::optional_column(std::size_t table, const std::string& key) const {
  const std::string id = string(key);
  if (id.empty()) return std::nullopt;
  return column_by_id(table, id);
}

std::size_t RuleDefinition::column(std::size_t table, const std::string& key) const { return column_by_id(table, string(key)); }

std::vector<std::size_t> RuleDefinition::columns(std::size_t table, const std::string& key) const {
  std::vector<std::size_t> out;
  for (const std::string& id : reader_.strings(json_, key, where_)) out.push_back(column_by_id(table, id));
  return out;
}

void RuleDefinition::note_row_total(std::size_t table, std::size_t total, std::vector<std::size_t> parts) const {
  form_.tables[table].row_sums.push_back({total, std::move(parts)});
}

const std::vector<ListItem>& RuleDefinition::list(const std::string& key) const {
  const std::string name = string(key);
  const std::vector<ListItem>* items = form_.list(name);
  if (!items) fail("elenco \"" + name + "\" inesistente", "no list \"" + name + "\"");
  return *items;
}

namespace {

class DeclaredRule final : public Rule {
 public:
  DeclaredRule(const RuleDefinition& definition, Needs needs, Check check)
      : code_(definition.code()),
        severity_(definition.severity()),
        message_(definition.message()),
        when_field_(definition.optional_field("when_field")),
        when_equals_(normalise_label(definition.string("when_equals"))),
        unless_field_(definition.optional_field("unless_field")),
        needs_(std::move(needs)),
        check_(std::move(check)) {
    if (message_.it.empty()) definition.fail("manca il messaggio in italiano", "the Italian message is missing");
  }

  std::string_view code() const override { return code_; }

  void check(const TypedForm& form, IssueSink& sink) const override {
    if (!conditions_hold(form)) return;
    for (std::size_t field : needs_.fields) {
      if (!form.fields()[field].found) return;
    }
    if (needs_.table && !form.tables()[*needs_.table].found) return;
    check_(form, Reporter(code_, severity_, message_, sink));
  }

 private:
  bool conditions_hold(const TypedForm& form) const {
    if (unless_field_ && form.fields()[*unless_field_].value.yes().value_or(false)) return false;
    if (!when_field_) return true;
    const TypedField& when = form.fields()[*when_field_];
    return when.value.ok() && holds(when.value, *when.spec, when_equals_);
  }

  std::string code_;
  Severity severity_ = Severity::error;
  Text message_;
  std::optional<std::size_t> when_field_;
  std::string when_equals_;
  std::optional<std::size_t> unless_field_;
  Needs needs_;
  Check check_;
};

}  // namespace

std::unique_ptr<Rule> declared_rule(const RuleDefinition& definition, Needs needs, Check check) {
  return std::make_unique<DeclaredRule>(definition, std::move(needs), std::move(check));
}

const CellValue& cell_at(const TypedRow& row, std::size_t index) {
  static const CellValue absent;
  if (index == 0) return row.row->key;
  return index - 1 < row.row->cells.size() ? row.row->cells[index - 1] : absent;
}

const std::string& column_label(const TableSpec& table, std::size_t index) {
  return index == 0 ? table.key.label.it : table.columns[index - 1].label.it;
}

const ValueSpec& column_spec(const TableSpec& table, std::size_t index) {
  return index == 0 ? static_cast<const ValueSpec&>(table.key) : table.columns[index - 1];
}

std::string row_name(const TypedRow& row, std::size_t position) {
  return row.row->key.blank() ? "riga " + std::to_string(row.row->row + 1) + " (n. " + std::to_string(position + 1) + ")"
                              : row.row->key.text;
}

bool holds(const TypedCell& cell, const ValueSpec& spec, std::string_view folded) {
  if (normalise_label(shown(cell, spec)) == folded) return true;
  const ListItem* item = cell.item();
  return item && (normalise_label(item->label) == folded || normalise_label(item->display()) == folded ||
                  (!item->code.empty() && normalise_label(item->code) == folded));
}

}  // namespace consolida::forms
