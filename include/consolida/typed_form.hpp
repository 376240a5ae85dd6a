// The typed form: every cell a form reads, turned once into a value of its field's type.
//
// Data flows one way: FormInstance (cells as extracted) -> TypedForm (typed values, format
// problems found once) -> rules (issues) and consolidation (figures). Nothing after this stage
// parses a cell again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "consolida/forms.hpp"

namespace consolida::forms {

// The kinds of value a cell can hold once typed; one alternative per kind, as calamine does.
namespace typed {
struct Blank {};                     // nothing written, or only spaces
struct Invalid {};                   // written, but not a value of its type (reported by type_form)
struct Amount { std::int64_t cents; };
struct Count { std::int64_t units; };
struct Decimal { std::int64_t hundredths; };  // decimal fields, and percent fields in hundredths of a point
struct Date { values::Date date; };
struct YesNo { bool yes; };
struct Choice { const ListItem* item; };
struct Status { const std::string* name; };   // a declared state instead of a number ("In definizione")
struct Text {};                      // text as written (also a mark in a Gantt chart)
}  // namespace typed

using Value = std::variant<typed::Blank, typed::Invalid, typed::Amount, typed::Count, typed::Decimal, typed::Date,
                           typed::YesNo, typed::Choice, typed::Status, typed::Text>;

struct TypedCell {
  const CellValue* cell = nullptr;  // where it was read, and what was written there (null: not in the file)
  Value value;

  bool blank() const { return std::holds_alternative<typed::Blank>(value); }
  // A value of the cell's type was read (a declared state is not one).
  bool ok() const {
    return !blank() && !std::holds_alternative<typed::Invalid>(value) && !std::holds_alternative<typed::Status>(value);
  }
  bool status() const { return std::holds_alternative<typed::Status>(value); }
  // Amounts in cents, counts in units, decimals and percentages in hundredths.
  std::optional<std::int64_t> number() const;
  const ListItem* item() const;            // a choice's list item
  std::optional<bool> yes() const;         // a yes/no answer
  std::optional<values::Date> date() const;
  // What was written, as the file holds it (a number's stored digits, else the text).
  const std::string& written() const;
  const std::string& text() const;         // the cell as shown
};

// The value as a report shows it: "1.234,56", "12,5", "10,4%", "31/12/2023", "SI", the state's
// own spelling, else the text as written.
std::string shown(const TypedCell& cell, const ValueSpec& spec);

// An option of a multi_choice field marked with X, and the list item it names.
struct Selection {
  const ListItem* item = nullptr;
  const TableRow* option = nullptr;
};

struct TypedField {
  const FieldSpec* spec = nullptr;
  const FieldInstance* found = nullptr;  // null: the field is not in the file
  TypedCell value;                       // for a multi_choice, its first option's cell
  std::vector<Selection> selected;       // multi_choice only
  std::string_view sheet() const { return found ? std::string_view(found->sheet) : std::string_view(); }
};

struct TypedRow {
  const TableRow* row = nullptr;
  std::vector<TypedCell> cells;  // [0] the key, then one per spec column: always columns + 1
  bool subtotal() const { return row->subtotal; }
};

struct TypedTable {
  const TableSpec* spec = nullptr;
  const TableInstance* found = nullptr;  // null: the table is not in the file
  std::vector<TypedRow> rows;
  std::vector<TypedCell> total;          // per spec column, when the file has the total row
  std::string_view sheet() const { return found ? std::string_view(found->sheet) : std::string_view(); }
};

// A filled form with its typed values. It owns the extracted instance, so the typed cells it
// points into live as long as it does; it moves, but does not copy. It borrows the FormSpec
// (choices point at its list items) and the registry: both must outlive it, as the forms loaded
// at start-up and Registry::builtin() do.
class TypedForm {
 public:
  TypedForm() = default;
  TypedForm(TypedForm&&) = default;
  TypedForm& operator=(TypedForm&&) = default;

  const FormSpec& spec() const { return *spec_; }
  const FormInstance& instance() const { return *instance_; }
  const registry::Registry& registry() const { return *registry_; }
  // In the order of the form description: fields()[i] is spec().fields[i], likewise tables.
  const std::vector<TypedField>& fields() const { return fields_; }
  const std::vector<TypedTable>& tables() const { return tables_; }
  const TypedField* field(std::string_view id) const;  // null when the form has no such field
  const TypedTable* table(std::string_view id) const;
  // The sheets of the form that the file lacks (none of their fields or tables was found).
  const std::vector<std::string>& missing_sheets() const { return missing_sheets_; }
  bool sheet_missing(std::string_view item_id) const;
  // Problems of the values themselves (format, list, limits), found while typing.
  const std::vector<Issue>& problems() const { return problems_; }

 private:
  friend TypedForm type_form(FormInstance instance, const FormSpec& spec, const registry::Registry& registry);
  const FormSpec* spec_ = nullptr;
  const registry::Registry* registry_ = nullptr;
  std::unique_ptr<const FormInstance> instance_;
  std::vector<TypedField> fields_;
  std::vector<TypedTable> tables_;
  std::vector<std::string> missing_sheets_;
  std::vector<Issue> problems_;
};

// Types every cell of the instance by its spec and reports the problems of the values: not a
// value of its type, not in its list, outside the field's own limits (min, max, dates, words).
// `registry` is what the form's identity is checked against (registry rules).
TypedForm type_form(FormInstance instance, const FormSpec& spec, const registry::Registry& registry);

// A file whose declared year (the form's year_field) is not `expected`: an error at that cell,
// code <PREFIX>-ANNO. Nothing when the form declares no year field or the file holds no readable
// year there (the field's own checks report that).
std::optional<Issue> year_mismatch(const TypedForm& form, int expected);

// The rules a form's description makes (required fields, subtotals, total rows, missing sheets
// and items), then its declared and compiled rules, over a typed form.
Report validate(const TypedForm& form);

}  // namespace consolida::forms
