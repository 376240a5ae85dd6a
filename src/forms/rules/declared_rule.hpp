// What every rule declared in form.json shares: its entry read with located errors, its code,
// severity and message, and the conditions under which it applies.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consolida/rules.hpp"
#include "forms/spec_reader.hpp"

namespace consolida::forms {

// One entry of "rules" in form.json. A kind reads its own parameters through it; references to
// fields, tables, columns and lists are resolved to positions once, here, or fail naming the
// rule ("rules.PREM-R14: colonna \"x\" inesistente in risorse").
class RuleDefinition {
 public:
  // `form` is the description being loaded: a kind may record there what the template must
  // write for it (a row total as a formula).
  RuleDefinition(FormSpec& form, const SpecReader& reader, JsonObject::Ptr json, std::string where);

  const FormSpec& form() const { return form_; }
  const std::string& code() const { return code_; }
  const std::string& kind() const { return kind_; }
  Severity severity() const { return severity_; }
  const Text& message() const { return message_; }
  [[noreturn]] void fail(const std::string& it, const std::string& en) const;

  std::string string(const std::string& key, bool required = false) const;
  Text text(const std::string& key, bool required = false) const;
  std::optional<std::int64_t> integer(const std::string& key) const;
  std::optional<values::Date> date(const std::string& key) const;

  // Positions in form().fields / form().tables of the ids under `key`; required unless optional_.
  std::size_t field(const std::string& key) const;
  std::optional<std::size_t> optional_field(const std::string& key) const;
  std::size_t table(const std::string& key) const;
  // A column of a table as an index into TypedRow::cells: 0 the key, c + 1 the spec column c.
  std::size_t column(std::size_t table, const std::string& key) const;
  std::optional<std::size_t> optional_column(std::size_t table, const std::string& key) const;
  std::vector<std::size_t> columns(std::size_t table, const std::string& key) const;
  const std::vector<ListItem>& list(const std::string& key) const;

  // Tells the template that `total` is the sum of `parts` on every row of the table, so that it
  // writes the total as a formula (TableSpec::row_sums).
  void note_row_total(std::size_t table, std::size_t total, std::vector<std::size_t> parts) const;

 private:
  std::size_t column_by_id(std::size_t table, const std::string& id) const;
  FormSpec& form_;
  const SpecReader& reader_;
  JsonObject::Ptr json_;
  std::string where_;      // "rules[3]", for the shape of the entry
  std::string reference_;  // "rules.PREM-R14", for what it refers to
  std::string code_;
  std::string kind_;
  Severity severity_ = Severity::error;
  Text message_;
};

// Raises the issue of one declared rule: its code, severity and message, the {placeholders}
// of the message filled from `vars`.
class Reporter {
 public:
  Reporter(const std::string& code, Severity severity, const Text& message, IssueSink& sink)
      : code_(code), severity_(severity), message_(message), sink_(sink) {}
  void operator()(const Place& place, std::string label, std::string found, const IssueSink::Vars& vars = {}) const {
    sink_.add(code_, severity_, place, std::move(label), std::move(found), message_, vars);
  }
  // The rule's issue with a sentence that names the likely cause appended to its message.
  void with_cause(const Text& cause, const Place& place, std::string label, std::string found, const IssueSink::Vars& vars = {}) const {
    sink_.add(code_, severity_, place, std::move(label), std::move(found), {message_.it + ": " + cause.it, message_.en + ": " + cause.en}, vars);
  }
  // The rule's issue and the other cells the clerk has to look at or fill (Issue::to_check).
  void with_cells_to_check(std::vector<CellPlace> cells, const Place& place, std::string label, std::string found,
                           const IssueSink::Vars& vars = {}) const {
    sink_.add(code_, severity_, place, std::move(label), std::move(found), message_, vars).to_check = std::move(cells);
  }
  // The rule's issue with its cause and the cells where that cause can lie (Issue::to_check).
  void with_cells_to_check(const Text& cause, std::vector<CellPlace> cells, const Place& place, std::string label, std::string found,
                           const IssueSink::Vars& vars = {}) const {
    sink_.add(code_, severity_, place, std::move(label), std::move(found), {message_.it + ": " + cause.it, message_.en + ": " + cause.en}, vars)
        .to_check = std::move(cells);
  }
  // The rule's issue in another of its messages: a kind that finds more than one thing wrong.
  void with_message(const Text& message, const Place& place, std::string label, std::string found, const IssueSink::Vars& vars = {}) const {
    sink_.add(code_, severity_, place, std::move(label), std::move(found), message, vars);
  }
  // The same rule saying something milder: a guess it made that the clerk should confirm.
  void warning(const Text& message, const Place& place, std::string label, std::string found, const IssueSink::Vars& vars = {}) const {
    sink_.add(code_, Severity::warning, place, std::move(label), std::move(found), message, vars);
  }

 private:
  const std::string& code_;
  Severity severity_;
  const Text& message_;
  IssueSink& sink_;
};

// The fields and the table a rule is about: it applies only when they are in the file (one that
// is missing is reported once, as missing).
struct Needs {
  std::vector<std::size_t> fields;
  std::optional<std::size_t> table;
};

using Check = std::function<void(const TypedForm& form, const Reporter& report)>;

// A rule of form.json: code, severity, message and conditions (when_field/when_equals,
// unless_field) read from its entry; `check` is the kind's own test, with its parameters
// already read and resolved.
std::unique_ptr<Rule> declared_rule(const RuleDefinition& definition, Needs needs, Check check);

using RuleFactory = std::unique_ptr<Rule> (*)(const RuleDefinition&);
// The factory of a kind, or null when form.json names an unknown kind.
RuleFactory rule_factory(std::string_view kind);

// Small helpers the kinds share.
const CellValue& cell_at(const TypedRow& row, std::size_t index);  // 0 the key, c + 1 a column
const std::string& column_label(const TableSpec& table, std::size_t index);
const ValueSpec& column_spec(const TableSpec& table, std::size_t index);  // 0 the key, c + 1 a column
// "Servizio X", or "riga 12 (n. 3)" for a row without a key.
std::string row_name(const TypedRow& row, std::size_t position);
// Whether a cell holds the value `folded` (a normalised text, as when_equals): as the value is
// shown or, for a list choice, as its item's label, display or code, so that a synonym typed
// ("percentuale") holds what its item does ("%").
bool holds(const TypedCell& cell, const ValueSpec& spec, std::string_view folded);

}  // namespace consolida::forms
