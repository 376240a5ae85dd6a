// FormInstance -> TypedForm: each cell read once as a value of its field's type, with the
// problems of the value itself (format, list, the field's own limits).
#include "consolida/typed_form.hpp"

#include <algorithm>

#include "consolida/rules.hpp"
#include "forms/attribute_code.hpp"
#include "common/labels.hpp"

namespace consolida::forms {
namespace {

std::string hundredths(std::int64_t value) {
  std::string text = values::format_cents(value);  // same grouping: 1.234,50
  if (text.ends_with(",00")) text.resize(text.size() - 3);
  return text;
}

bool is_numeric(FieldType type) {
  return type == FieldType::integer || type == FieldType::decimal || type == FieldType::amount || type == FieldType::percent;
}

// A number of a numeric field as the report shows it: "12", "12,5", "1.234,56", "10,4%".
std::string format_number(FieldType type, std::int64_t value) {
  switch (type) {
    case FieldType::integer: return std::to_string(value);
    case FieldType::amount: return values::format_cents(value);
    case FieldType::percent: return hundredths(value) + "%";
    default: return hundredths(value);
  }
}

// A cell of a numeric type read from its stored number or from its text: cents, units or
// hundredths. A number in a percent-formatted cell is read as the clerk sees it: Calc and Excel
// store "70%" typed there as 0,7, which is 70 in a percent field and in a decimal one alike.
values::Parsed<std::int64_t> parse_number(FieldType type, const CellValue& cell) {
  switch (type) {
    case FieldType::amount: return cell.numeric ? values::parse_amount_number(cell.lexical) : values::parse_amount_text(cell.text);
    case FieldType::integer: return cell.numeric ? values::parse_count_number(cell.lexical) : values::parse_count_text(cell.text);
    case FieldType::percent:
      return cell.numeric ? values::parse_percent_number(cell.lexical, cell.percent_formatted())
                          : values::parse_percent_text(cell.text);
    default:
      return cell.numeric ? values::parse_percent_number(cell.lexical, cell.percent_formatted())
                          : values::parse_decimal_text(cell.text);
  }
}

Value number_value(FieldType type, std::int64_t number) {
  if (type == FieldType::amount) return typed::Amount{number};
  if (type == FieldType::integer) return typed::Count{number};
  return typed::Decimal{number};
}

class Typist {
 public:
  Typist(const FormInstance& instance, const FormSpec& form, std::vector<Issue>& problems)
      : in_(instance), form_(form), sink_(problems) {}

  // Reads a cell by its spec. `code_id` makes the problem codes, `where` names the cell in messages.
  // `summed` says a formula of the template adds the cell up (a table's total row): SUM skips
  // text, so an amount or a count written as text there is an error of its own.
  TypedCell cell(const ValueSpec& spec, const CellValue& cell, std::string_view sheet, const std::string& code_id,
                 const std::string& where, bool summed = false) {
    TypedCell out{&cell, typed::Blank{}};
    if (cell.blank()) return out;
    if (!cell.numeric) {
      for (const std::string& status : spec.statuses) {
        if (normalise_label(status) == normalise_label(cell.text)) {
          out.value = typed::Status{&status};
          return out;
        }
      }
    }
    out.value = typed::Invalid{};
    std::optional<values::Problem> error;
    std::optional<values::Problem> warning;
    const Place place{sheet, &cell};
    switch (spec.type) {
      case FieldType::text:
      case FieldType::multi_choice:
        out.value = typed::Text{};
        break;
      case FieldType::integer:
      case FieldType::decimal:
      case FieldType::percent:
      case FieldType::amount: {
        if (cell.is_date) {  // "8/10" typed in a number cell: the spreadsheet made it a date
          error = date_not_number(cell);
          break;
        }
        const values::Parsed<std::int64_t> parsed = parse_number(spec.type, cell);
        if (parsed.value) out.value = number_value(spec.type, *parsed.value);
        error = parsed.error;
        warning = parsed.warning;
        if (error && spec.is_year()) error = values::Problem{"«" + cell.text + "» non è un anno valido (es. 2024)", "«" + cell.text + "» is not a valid year (e.g. 2024)"};
        break;
      }
      case FieldType::date:
        if (cell.numeric) {
          const auto dt = xlsx::serial_to_datetime(cell.number, in_.date1904);
          if (dt && dt->year > 0) {
            out.value = typed::Date{{dt->year, dt->month, dt->day}};
          } else {
            error = values::Problem{"«" + cell.text + "» non è una data valida", "«" + cell.text + "» is not a valid date"};
          }
        } else {
          const auto parsed = values::parse_date_text(cell.text);
          if (parsed.value) out.value = typed::Date{*parsed.value};
          error = parsed.error;
        }
        break;
      case FieldType::yes_no: {
        const auto parsed = values::parse_yes_no(cell.text);
        if (parsed.value) out.value = typed::YesNo{*parsed.value};
        error = parsed.error;
        break;
      }
      case FieldType::choice: {
        const ListMatch match = in_list(spec.list, cell.text);
        if (match.item) {
          out.value = typed::Choice{match.item};
          break;
        }
        not_in_list(code_id, place, where, cell.text, match.nearest);
        return out;
      }
    }
    if (error && !spec.statuses.empty()) {
      std::string states;
      for (const std::string& status : spec.statuses) states += (states.empty() ? "«" : ", «") + status + "»";
      error->it += ", né uno degli stati ammessi (" + states + ")";
      error->en += ", nor one of the states allowed (" + states + ")";
    }
    if (error) {
      sink_.add(attribute_code(form_, code_id, "FORMATO"), Severity::error, place, where, cell.text,
                {"«" + where + "»: " + error->it, "«" + where + "»: " + error->en});
    } else if (summed && (spec.type == FieldType::amount || spec.type == FieldType::integer) && !cell.numeric &&
               out.number().value_or(0) != 0) {
      sink_.add(attribute_code(form_, code_id, "TESTO"), Severity::error, place, where, cell.text,
                {"«" + where + "»: il valore «" + cell.text + "» è scritto come testo e la formula del totale lo ignora: riscriverlo come numero",
                 "«" + where + "»: the value «" + cell.text + "» is written as text and the total's formula ignores it: type it again as a number"});
    } else if (warning) {
      sink_.add(attribute_code(form_, code_id, "AVVISO"), Severity::warning, place, where, cell.text,
                {"«" + where + "»: " + warning->it, "«" + where + "»: " + warning->en});
    }
    if (out.ok()) check_limits(spec, out, place, code_id, where);
    return out;
  }

  void field(const FieldSpec& spec, TypedField& out) {
    const auto it = in_.fields.find(spec.id);
    out.spec = &spec;
    if (it == in_.fields.end() || !it->second.found) return;
    out.found = &it->second;
    out.value.cell = &it->second.cell;
    if (spec.type == FieldType::multi_choice) {
      selection(spec, it->second, out.selected);
    } else {
      out.value = cell(spec, it->second.cell, it->second.sheet, spec.id, spec.label.it);
    }
  }

  void table(const TableSpec& spec, TypedTable& out) {
    const auto it = in_.tables.find(spec.id);
    out.spec = &spec;
    if (it == in_.tables.end() || !it->second.found) return;
    const TableInstance& found = it->second;
    out.found = &found;
    out.rows.reserve(found.rows.size());
    const std::string key_where = spec.label.it + " › " + spec.key.label.it;
    for (const TableRow& row : found.rows) {
      TypedRow typed_row{&row, {}};
      typed_row.cells.reserve(spec.columns.size() + 1);
      typed_row.cells.push_back(cell(spec.key, row.key, found.sheet, spec.id + "-" + spec.key.id, key_where));
      for (std::size_t c = 0; c < spec.columns.size() && c < row.cells.size(); ++c) {
        const ColumnSpec& column = spec.columns[c];
        typed_row.cells.push_back(spec.marks ? mark(row.cells[c])
                                             : cell(column, row.cells[c], found.sheet, spec.id + "-" + column.id,
                                                    spec.label.it + " › " + column.label.it, summed_by_formula(found, c)));
      }
      typed_row.cells.resize(spec.columns.size() + 1);  // a row cut short reads as blank, never out of bounds
      out.rows.push_back(std::move(typed_row));
    }
    if (spec.total_label && found.total) {
      for (std::size_t c = 0; c < spec.columns.size() && c < found.total->cells.size(); ++c) {
        out.total.push_back(cell(spec.columns[c], found.total->cells[c], found.sheet, spec.id + "-" + spec.columns[c].id,
                                 spec.label.it + " › " + *spec.total_label + " › " + spec.columns[c].label.it));
      }
    }
  }

 private:
  // What a date where a number belongs says: the date the clerk sees, not its serial number.
  values::Problem date_not_number(const CellValue& cell) const {
    const auto dt = xlsx::serial_to_datetime(cell.number, in_.date1904);
    const std::string shown = dt && dt->year > 0 ? values::to_string(values::Date{dt->year, dt->month, dt->day}) : cell.text;
    return {"la cella contiene la data " + shown + ", non un numero (il foglio trasforma in data testi come «8/10»): riscrivere il valore come numero",
            "the cell holds the date " + shown + ", not a number (the spreadsheet turns text such as «8/10» into a date): type the value again as a number"};
  }

  // The table's total row holds a formula in this column (the template's SUM), not a typed figure.
  static bool summed_by_formula(const TableInstance& found, std::size_t column) {
    return found.total && column < found.total->cells.size() && found.total->cells[column].formula;
  }

  // The item a text names, or the one it most likely means for the first kMaxListSuggestions texts
  // of the file that name none.
  ListMatch in_list(const std::string& list, const std::string& text) {
    if (suggestions_ == kMaxListSuggestions) return ListMatch{find_list_item(form_, list, text), nullptr};
    ListMatch match = match_list_item(form_, list, text);
    if (!match.item) ++suggestions_;
    return match;
  }

  static TypedCell mark(const CellValue& cell) {
    return cell.blank() ? TypedCell{&cell, typed::Blank{}} : TypedCell{&cell, typed::Text{}};
  }

  // The options of a multi_choice marked with X, by the list item each names.
  void selection(const FieldSpec& spec, const FieldInstance& found, std::vector<Selection>& selected) {
    for (const TableRow& option : found.options) {
      if (option.cells.empty() || option.cells[0].blank()) continue;
      const ListMatch match = in_list(spec.list, option.key.text);
      const Place place{found.sheet, &option.key};
      if (!match.item) {
        const Text message = match.nearest ? Text{"«{label}»: la voce «{value}» non è tra quelle del modello (forse «{item}»?)",
                                                  "«{label}»: «{value}» is not one of the template's entries (perhaps «{item}»?)"}
                                           : Text{"«{label}»: la voce «{value}» non è tra quelle del modello",
                                                  "«{label}»: «{value}» is not one of the template's entries"};
        sink_.add(attribute_code(form_, spec.id, "LISTA"), Severity::error, place, spec.label.it, option.key.text, message,
                  {{"label", spec.label.it}, {"value", option.key.text}, {"item", match.nearest ? match.nearest->display() : ""}});
        continue;
      }
      selected.push_back({match.item, &option});
    }
  }

  // A text that is no item of the list, with the item it most likely means when one stands out.
  void not_in_list(const std::string& code_id, const Place& place, const std::string& where, const std::string& text,
                   const ListItem* nearest) {
    const Text message = nearest ? Text{"«{label}»: «{value}» non è tra le voci ammesse: forse «{item}»? Sceglierla dall'elenco a discesa",
                                        "«{label}»: «{value}» is not one of the allowed entries: perhaps «{item}»? Pick it from the drop-down list"}
                                 : Text{"«{label}»: «{value}» non è tra le voci ammesse; sceglierla dall'elenco a discesa",
                                        "«{label}»: «{value}» is not one of the allowed entries; pick it from the drop-down list"};
    sink_.add(attribute_code(form_, code_id, "LISTA"), Severity::error, place, where, text, message,
              {{"label", where}, {"value", text}, {"item", nearest ? nearest->display() : ""}});
  }

  // The field's own limits: words, minimum and maximum, the period of a date.
  void check_limits(const ValueSpec& spec, const TypedCell& value, const Place& place, const std::string& code_id,
                    const std::string& where) {
    if (spec.max_words) {
      const std::size_t words = values::count_words(value.cell->text);
      if (words > *spec.max_words) {
        sink_.add(attribute_code(form_, code_id, "PAROLE"), Severity::error, place, where, std::to_string(words) + " parole",
                  {"«{label}»: {found} parole, al massimo {max}", "«{label}»: {found} words, at most {max}"},
                  {{"label", where}, {"found", std::to_string(words)}, {"max", std::to_string(*spec.max_words)}});
      }
    }
    const std::optional<std::int64_t> number = is_numeric(spec.type) ? value.number() : std::nullopt;
    if (number && spec.min && *number < *spec.min) {
      const std::string text = shown(value, spec);
      sink_.add(attribute_code(form_, code_id, "MIN"), Severity::error, place, where, text,
                {"«{label}»: {value} è sotto il minimo ammesso ({min})", "«{label}»: {value} is below the minimum ({min})"},
                {{"label", where}, {"value", text}, {"min", format_number(spec.type, *spec.min)}});
    }
    if (number && spec.max && *number > *spec.max) {
      const std::string text = shown(value, spec);
      sink_.add(attribute_code(form_, code_id, "MAX"), Severity::error, place, where, text,
                {"«{label}»: {value} supera il massimo ammesso ({max})", "«{label}»: {value} is above the maximum ({max})"},
                {{"label", where}, {"value", text}, {"max", format_number(spec.type, *spec.max)}});
    }
    const std::optional<values::Date> date = spec.type == FieldType::date ? value.date() : std::nullopt;
    if (date && ((spec.min_date && *date < *spec.min_date) || (spec.max_date && *date > *spec.max_date))) {
      const std::string window = (spec.min_date ? values::to_string(*spec.min_date) : "...") + " - " +
                                 (spec.max_date ? values::to_string(*spec.max_date) : "...");
      const std::string text = shown(value, spec);
      sink_.add(attribute_code(form_, code_id, "DATA"), Severity::error, place, where, text,
                {"«{label}»: la data {value} è fuori dal periodo ammesso ({window})",
                 "«{label}»: date {value} is outside the allowed period ({window})"},
                {{"label", where}, {"value", text}, {"window", window}});
    }
  }

  const FormInstance& in_;
  const FormSpec& form_;
  IssueSink sink_;
  std::size_t suggestions_ = 0;  // texts outside a list looked up for their nearest item
};

}  // namespace

std::optional<std::int64_t> TypedCell::number() const {
  if (const auto* v = std::get_if<typed::Amount>(&value)) return v->cents;
  if (const auto* v = std::get_if<typed::Count>(&value)) return v->units;
  if (const auto* v = std::get_if<typed::Decimal>(&value)) return v->hundredths;
  return std::nullopt;
}

const ListItem* TypedCell::item() const {
  const auto* v = std::get_if<typed::Choice>(&value);
  return v ? v->item : nullptr;
}

std::optional<bool> TypedCell::yes() const {
  const auto* v = std::get_if<typed::YesNo>(&value);
  return v ? std::optional<bool>(v->yes) : std::nullopt;
}

std::optional<values::Date> TypedCell::date() const {
  const auto* v = std::get_if<typed::Date>(&value);
  return v ? std::optional<values::Date>(v->date) : std::nullopt;
}

const std::string& TypedCell::written() const {
  static const std::string none;
  return cell ? cell->written() : none;
}

const std::string& TypedCell::text() const {
  static const std::string none;
  return cell ? cell->text : none;
}

std::string shown(const TypedCell& cell, const ValueSpec& spec) {
  if (const auto* status = std::get_if<typed::Status>(&cell.value)) return *status->name;
  if (const auto number = cell.number(); number && is_numeric(spec.type)) return format_number(spec.type, *number);
  if (const auto date = cell.date()) return values::to_string(*date);
  if (const auto yes = cell.yes()) return *yes ? "SI" : "NO";
  return cell.text();
}

// Looked up by the spec's position, and checked against what was typed: a moved-from or empty
// typed form finds nothing.
const TypedField* TypedForm::field(std::string_view id) const {
  const auto index = spec_ ? spec_->field_index(id) : std::nullopt;
  return index && *index < fields_.size() ? &fields_[*index] : nullptr;
}

const TypedTable* TypedForm::table(std::string_view id) const {
  const auto index = spec_ ? spec_->table_index(id) : std::nullopt;
  return index && *index < tables_.size() ? &tables_[*index] : nullptr;
}

bool TypedForm::sheet_missing(std::string_view item_id) const {
  const SheetSpec* sheet = spec_ ? spec_->sheet_of(item_id) : nullptr;
  return sheet && std::find(missing_sheets_.begin(), missing_sheets_.end(), sheet->name) != missing_sheets_.end();
}

TypedForm type_form(FormInstance instance, const FormSpec& spec, const registry::Registry& registry) {
  TypedForm out;
  out.spec_ = &spec;
  out.registry_ = &registry;
  out.instance_ = std::make_unique<const FormInstance>(std::move(instance));
  const FormInstance& in = *out.instance_;
  for (const SheetSpec& sheet : spec.sheets) {
    const auto renamed = in.renamed_sheets.find(sheet.name);
    const std::string& in_file = renamed == in.renamed_sheets.end() ? sheet.name : renamed->second;
    bool any_found = false;
    for (const auto& [id, field] : in.fields) any_found = any_found || (field.found && field.sheet == in_file);
    for (const auto& [id, table] : in.tables) any_found = any_found || (table.found && table.sheet == in_file);
    // Read under its other name (ShapeRules says so) when one of the sheet's tables is found there
    // by its headers: a label or two in common with another form's sheet is not enough.
    const bool table_found = std::any_of(in.tables.begin(), in.tables.end(), [&](const auto& t) { return t.second.found && t.second.sheet == in_file; });
    if (renamed != in.renamed_sheets.end() && table_found) continue;
    // A sheet of that name whose items are not found is not missing: each item is, and says so.
    const bool present = std::any_of(in.sheet_names.begin(), in.sheet_names.end(),
                                     [&](const std::string& name) { return normalise_label(name) == normalise_label(sheet.name); });
    if (!any_found && !present) out.missing_sheets_.push_back(sheet.name);
  }
  Typist typist(in, spec, out.problems_);
  out.fields_.resize(spec.fields.size());
  for (std::size_t i = 0; i < spec.fields.size(); ++i) typist.field(spec.fields[i], out.fields_[i]);
  out.tables_.resize(spec.tables.size());
  for (std::size_t i = 0; i < spec.tables.size(); ++i) typist.table(spec.tables[i], out.tables_[i]);
  return out;
}

}  // namespace consolida::forms
