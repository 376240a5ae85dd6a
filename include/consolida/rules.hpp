// Rules: what a filled form must satisfy beyond the type of each value.
//
// Every rule, declared in form.json or compiled in a plugin library, is a Rule: it reads a
// TypedForm and tells an IssueSink what is wrong and where. The sink fills in sheet, cell, row
// and column from the place it is given, so no rule does that by hand.
//
// A compiled rule is exported from a plugin's shared library with Poco's manifest macros:
//   POCO_BEGIN_MANIFEST(consolida::forms::Rule) POCO_EXPORT_CLASS(MyRule) POCO_END_MANIFEST
// and listed in form.json: "native_rules": [{"library": "premialita_rules", "class": "MyRule"}].
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consolida/typed_form.hpp"

namespace consolida::forms {

// Where an issue points: a sheet and, when the problem is one cell's, that cell.
struct Place {
  std::string_view sheet;
  const CellValue* cell = nullptr;
};
inline Place place_of(const TypedField& field) { return {field.sheet(), field.found ? &field.found->cell : nullptr}; }
inline Place place_of(const TypedTable& table, const CellValue* cell = nullptr) { return {table.sheet(), cell}; }

// Collects the issues of one form. Messages may hold {placeholders}, replaced by `vars` in both
// languages.
class IssueSink {
 public:
  using Vars = std::vector<std::pair<std::string, std::string>>;
  explicit IssueSink(std::vector<Issue>& issues) : issues_(issues) {}
  Issue& add(std::string code, Severity severity, const Place& place, std::string label, std::string found, Text message,
             const Vars& vars = {});

 private:
  std::vector<Issue>& issues_;
};

class Rule {
 public:
  virtual ~Rule() = default;
  // Appends the problems found; must not throw for any form.
  virtual void check(const TypedForm& form, IssueSink& sink) const = 0;
  // The code of the issues the rule raises ("PREM-R14").
  virtual std::string_view code() const = 0;
};

// The rule kinds form.json can declare ("row_sum", "pass_through", ...), in name order.
std::vector<std::string_view> rule_kinds();

}  // namespace consolida::forms
