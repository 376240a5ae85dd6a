// What every rule declared in form.json shares: its entry read with located errors, its code,
// severity and message, and the conditions under which it applies.
#pragma once

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
  RuleDefinition(const FormSpec& form, const SpecReader& reader, Object::Ptr json, std::string where);

  const FormSpec& form() const { return form_; }
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

 private:
  std::size_t column_by_id(std::size_t table, const std::string& id) const;
  const FormSpec& form_;
  const SpecReader& reader_;
  Object::Ptr json_;
  std::string where_;      // "rules[3]", for the shape of the entry
  std::string reference_;  // "rules.PREM-R14", for what it refers to
};

// A rule of form.json: the kind's own check runs only when its conditions hold and the fields
// and table it is about are in the file (a missing one is reported once, as missing).
class DeclaredRule : public Rule {
 public:
  explicit DeclaredRule(const RuleDefinition& definition);
  void check(const TypedForm& form, IssueSink& sink) const final;
  std::string_view code() const final { return code_; }

 protected:
  virtual void apply(const TypedForm& form, IssueSink& sink) const = 0;
  // Raises this rule's issue, its message's {placeholders} filled from `vars`.
  void report(IssueSink& sink, const Place& place, std::string label, std::string found, const IssueSink::Vars& vars = {}) const;
  // Fields and the table that must be in the file for the rule to apply.
  void needs_field(std::size_t field) { needed_fields_.push_back(field); }
  void needs_table(std::size_t table) { needed_table_ = table; }

 private:
  bool conditions_hold(const TypedForm& form) const;
  std::string code_;
  Severity severity_ = Severity::error;
  Text message_;
  std::optional<std::size_t> when_field_;
  std::string when_equals_;
  std::optional<std::size_t> unless_field_;
  std::vector<std::size_t> needed_fields_;
  std::optional<std::size_t> needed_table_;
};

using RuleFactory = std::unique_ptr<Rule> (*)(const RuleDefinition&);
// The factory of a kind, or null when form.json names an unknown kind.
RuleFactory rule_factory(std::string_view kind);

// Small helpers the kinds share.
const CellValue& cell_at(const TypedRow& row, std::size_t index);  // 0 the key, c + 1 a column
const std::string& column_label(const TableSpec& table, std::size_t index);
// "Servizio X", or "riga 12 (n. 3)" for a row without a key.
std::string row_name(const TypedRow& row, std::size_t position);

}  // namespace consolida::forms
