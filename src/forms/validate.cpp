// FormInstance -> Report. Field attributes (required, max_words, min/max, list) make the simple
// rules; the explicit rules of the description add sums, groups and conditions.
#include <algorithm>

#include "common/labels.hpp"
#include "consolida/forms.hpp"
#include "consolida/registry.hpp"

namespace consolida::forms {
namespace {

// One parsed cell.
struct Typed {
  bool blank = true;
  bool ok = false;
  std::int64_t number = 0;  // cents, units or hundredths, by type
  values::Date date;
  bool yes = false;
  const ListItem* item = nullptr;
  bool status = false;  // a declared state instead of a number ("In definizione")
  std::string shown;  // the value as the report shows it
};

std::string upper_id(std::string_view id) {
  std::string out(id);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

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

bool is_percent_format(std::string_view format) { return format.find('%') != std::string_view::npos; }

class Validator {
 public:
  Validator(const FormInstance& instance, const FormSpec& form, const registry::Registry& registry)
      : in_(instance), form_(form), registry_(registry) {}

  Report run() {
    report_.file = in_.file;
    report_.form_id = form_.id;
    report_.form_version = form_.version;
    check_sheets();
    for (const FieldSpec& field : form_.fields) check_field(field);
    for (const TableSpec& table : form_.tables) check_table(table);
    for (const RuleSpec& rule : form_.rules) apply(rule);
    for (const auto& native : form_.native_rules) native->check(in_, form_, report_.issues);
    std::stable_sort(report_.issues.begin(), report_.issues.end(), [](const Issue& a, const Issue& b) {
      if (a.sheet != b.sheet) return a.sheet < b.sheet;
      if (a.row != b.row) return a.row < b.row;
      return a.col < b.col;
    });
    return std::move(report_);
  }

 private:
  using Vars = std::vector<std::pair<std::string, std::string>>;

  void add(std::string code, Severity severity, const std::string& sheet, const CellValue* cell, std::string label,
           std::string found, Text message, const Vars& vars = {}) {
    Issue issue;
    issue.code = std::move(code);
    issue.severity = severity;
    issue.sheet = sheet;
    if (cell) {
      issue.cell = xlsx::to_a1(cell->ref);
      issue.row = cell->ref.row;
      issue.col = cell->ref.col;
    }
    issue.label = std::move(label);
    issue.found = std::move(found);
    for (const auto& [key, value] : vars) {
      message.it = replace_all(message.it, "{" + key + "}", value);
      message.en = replace_all(message.en, "{" + key + "}", value);
    }
    issue.message = std::move(message);
    report_.issues.push_back(std::move(issue));
  }

  std::string code(std::string_view id, std::string_view check) const {
    return form_.code_prefix + "-" + upper_id(id) + "-" + std::string(check);
  }

  void check_sheets() {
    for (const SheetSpec& sheet : form_.sheets) {
      bool any_found = false;
      for (const auto& [id, field] : in_.fields) any_found = any_found || (field.found && field.sheet == sheet.name);
      for (const auto& [id, table] : in_.tables) any_found = any_found || (table.found && table.sheet == sheet.name);
      if (!any_found) {
        missing_sheets_.push_back(sheet.name);
        std::string present;
        for (const std::string& name : in_.sheet_names) present += (present.empty() ? "«" : ", «") + name + "»";
        add(form_.code_prefix + "-FOGLIO", Severity::error, sheet.name, nullptr, sheet.name, "",
            {"manca il foglio «" + sheet.name + "» del modello «" + form_.title.it + "» (fogli presenti: " + present +
                 "): se è stato rinominato, ridargli il nome «" + sheet.name + "»; altrimenti usare il modello scaricato",
             "sheet «" + sheet.name + "» of template «" + form_.title.in(Lang::en) + "» is missing (sheets present: " + present +
                 "): if it was renamed, give it back the name «" + sheet.name + "»; otherwise use the downloaded template"});
      }
    }
  }

  bool sheet_missing(std::string_view item_id) const {
    const SheetSpec* sheet = form_.sheet_of(item_id);
    return sheet && std::find(missing_sheets_.begin(), missing_sheets_.end(), sheet->name) != missing_sheets_.end();
  }

  // Parses a cell by its spec; reports format problems. `where` is the label used in messages.
  Typed parse(const ValueSpec& spec, const CellValue& cell, const std::string& sheet, const std::string& code_id,
              const std::string& where) {
    Typed out;
    if (cell.blank()) return out;
    out.blank = false;
    out.shown = cell.text;
    if (!cell.numeric) {
      for (const std::string& status : spec.statuses) {
        if (normalise_label(status) == normalise_label(cell.text)) {
          out.status = true;
          out.shown = status;
          return out;
        }
      }
    }
    std::optional<values::Problem> error;
    std::optional<values::Problem> warning;
    auto take = [&](const auto& parsed) {
      if (parsed.value) {
        out.ok = true;
        out.number = static_cast<std::int64_t>(*parsed.value);
      }
      error = parsed.error;
      warning = parsed.warning;
    };
    switch (spec.type) {
      case FieldType::text:
        out.ok = true;
        break;
      case FieldType::integer:
        take(parse_count(cell));
        break;
      case FieldType::decimal:
        take(parse_decimal(cell));
        break;
      case FieldType::amount:
        take(parse_amount(cell));
        break;
      case FieldType::percent:
        take(cell.numeric ? values::parse_percent_number(cell.lexical, is_percent_format(cell.number_format))
                          : values::parse_percent_text(cell.text));
        break;
      case FieldType::date:
        if (cell.numeric) {
          const auto dt = xlsx::serial_to_datetime(cell.number, in_.date1904);
          if (dt && dt->year > 0) {
            out.ok = true;
            out.date = {dt->year, dt->month, dt->day};
          } else {
            error = values::Problem{"«" + cell.text + "» non è una data valida", "«" + cell.text + "» is not a valid date"};
          }
        } else {
          const auto parsed = values::parse_date_text(cell.text);
          if (parsed.value) {
            out.ok = true;
            out.date = *parsed.value;
          }
          error = parsed.error;
        }
        if (out.ok) out.shown = values::to_string(out.date);
        break;
      case FieldType::yes_no: {
        const auto parsed = values::parse_yes_no(cell.text);
        if (parsed.value) {
          out.ok = true;
          out.yes = *parsed.value;
          out.shown = out.yes ? "SI" : "NO";
        }
        error = parsed.error;
        break;
      }
      case FieldType::choice:
        out.item = find_list_item(form_, spec.list, cell.text);
        out.ok = out.item != nullptr;
        if (!out.ok) {
          add(code(code_id, "LISTA"), Severity::error, sheet, &cell, where, cell.text,
              {"«{label}»: «{value}» non è tra le voci ammesse; sceglierla dall'elenco a discesa",
               "«{label}»: «{value}» is not one of the allowed entries; pick it from the drop-down list"},
              {{"label", where}, {"value", cell.text}});
          return out;
        }
        break;
      case FieldType::multi_choice:
        out.ok = true;
        break;
    }
    if (out.ok && is_numeric(spec.type)) out.shown = format_number(spec.type, out.number);
    if (error) {
      add(code(code_id, "FORMATO"), Severity::error, sheet, &cell, where, cell.text,
          {"«" + where + "»: " + error->it, "«" + where + "»: " + error->en});
    } else if (warning) {
      add(code(code_id, "AVVISO"), Severity::warning, sheet, &cell, where, cell.text,
          {"«" + where + "»: " + warning->it, "«" + where + "»: " + warning->en});
    }
    if (out.ok) check_bounds(spec, cell, out, sheet, code_id, where);
    return out;
  }

  void check_bounds(const ValueSpec& spec, const CellValue& cell, const Typed& value, const std::string& sheet,
                    const std::string& code_id, const std::string& where) {
    if (spec.max_words) {
      const std::size_t words = values::count_words(cell.text);
      if (words > *spec.max_words) {
        add(code(code_id, "PAROLE"), Severity::error, sheet, &cell, where, std::to_string(words) + " parole",
            {"«{label}»: {found} parole, al massimo {max}", "«{label}»: {found} words, at most {max}"},
            {{"label", where}, {"found", std::to_string(words)}, {"max", std::to_string(*spec.max_words)}});
      }
    }
    const bool numeric = is_numeric(spec.type);
    if (numeric && spec.min && value.number < *spec.min) {
      add(code(code_id, "MIN"), Severity::error, sheet, &cell, where, value.shown,
          {"«{label}»: {value} è sotto il minimo ammesso ({min})", "«{label}»: {value} is below the minimum ({min})"},
          {{"label", where}, {"value", value.shown}, {"min", format_number(spec.type, *spec.min)}});
    }
    if (numeric && spec.max && value.number > *spec.max) {
      add(code(code_id, "MAX"), Severity::error, sheet, &cell, where, value.shown,
          {"«{label}»: {value} supera il massimo ammesso ({max})", "«{label}»: {value} is above the maximum ({max})"},
          {{"label", where}, {"value", value.shown}, {"max", format_number(spec.type, *spec.max)}});
    }
    if (spec.type == FieldType::date && ((spec.min_date && value.date < *spec.min_date) || (spec.max_date && value.date > *spec.max_date))) {
      const std::string window = (spec.min_date ? values::to_string(*spec.min_date) : "...") + " - " +
                                 (spec.max_date ? values::to_string(*spec.max_date) : "...");
      add(code(code_id, "DATA"), Severity::error, sheet, &cell, where, value.shown,
          {"«{label}»: la data {value} è fuori dal periodo ammesso ({window})",
           "«{label}»: date {value} is outside the allowed period ({window})"},
          {{"label", where}, {"value", value.shown}, {"window", window}});
    }
  }

  // A field or table not found, unless its whole sheet is missing (already said once).
  // what_it carries its own agreement: "campo «x» non trovato", "tabella «x» non trovata".
  void report_missing(const std::string& id, const Text& label, const char* what_it, const char* not_found_it, const char* what_en) {
    if (sheet_missing(id)) return;
    const SheetSpec* sheet = form_.sheet_of(id);
    add(code(id, "ASSENTE"), Severity::error, sheet ? sheet->name : "", nullptr, label.it, "",
        {std::string(what_it) + " «" + label.it + "» " + not_found_it + ": il file non segue il modello, usare quello scaricato",
         std::string(what_en) + " «" + label.in(Lang::en) + "» not found: the file does not follow the template, use the downloaded one"});
  }

  void check_field(const FieldSpec& field) {
    const auto it = in_.fields.find(field.id);
    if (it == in_.fields.end() || !it->second.found) {
      report_missing(field.id, field.label, "campo", "non trovato", "field");
      return;
    }
    const FieldInstance& found = it->second;
    if (field.type == FieldType::multi_choice) {
      check_selection(field, found);
      return;
    }
    const Typed value = parse(field, found.cell, found.sheet, field.id, field.label.it);
    if (value.blank && field.required) {
      add(code(field.id, "OBBL"), Severity::error, found.sheet, &found.cell, field.label.it, "",
          {"«{label}» è obbligatorio", "«{label}» is required"}, {{"label", field.label.it}});
    }
    fields_[field.id] = value;
  }

  void check_selection(const FieldSpec& field, const FieldInstance& found) {
    auto& selected = selections_[field.id];
    for (const TableRow& option : found.options) {
      if (option.cells.empty() || option.cells[0].blank()) continue;
      const ListItem* item = find_list_item(form_, field.list, option.key.text);
      if (!item) {
        add(code(field.id, "LISTA"), Severity::error, found.sheet, &option.key, field.label.it, option.key.text,
            {"«{label}»: la voce «{value}» non è tra quelle del modello", "«{label}»: «{value}» is not one of the template's entries"},
            {{"label", field.label.it}, {"value", option.key.text}});
        continue;
      }
      selected.push_back({item, &option});
    }
  }

  void check_table(const TableSpec& table) {
    const auto it = in_.tables.find(table.id);
    if (it == in_.tables.end() || !it->second.found) {
      report_missing(table.id, table.label, "tabella", "non trovata", "table");
      return;
    }
    const TableInstance& found = it->second;
    auto& rows = tables_[table.id];
    for (const TableRow& row : found.rows) {
      std::vector<Typed> typed;
      typed.push_back(parse(table.key, row.key, found.sheet, table.id + "-" + table.key.id, table.label.it + " › " + table.key.label.it));
      for (std::size_t c = 0; c < table.columns.size() && c < row.cells.size(); ++c) {
        const ColumnSpec& column = table.columns[c];
        const std::string where = table.label.it + " › " + column.label.it;
        typed.push_back(table.marks ? mark(row.cells[c]) : parse(column, row.cells[c], found.sheet, table.id + "-" + column.id, where));
        if (column.required && row.filled() && row.cells[c].blank()) {
          add(code(table.id + "-" + column.id, "OBBL"), Severity::error, found.sheet, &row.cells[c], where, "",
              {"«{label}» è obbligatorio", "«{label}» is required"}, {{"label", where}});
        }
      }
      rows.push_back(std::move(typed));
    }
    check_subtotals(table, found, rows);
    if (table.total_label) {
      if (!found.total) {
        if (!found.rows.empty()) {
          add(code(table.id, "TOT"), Severity::error, found.sheet, nullptr, table.label.it, "",
              {"«" + table.label.it + "»: manca la riga " + *table.total_label, "«" + table.label.in(Lang::en) + "»: the " + *table.total_label + " row is missing"});
        }
      } else {
        auto& totals = totals_[table.id];
        for (std::size_t c = 0; c < table.columns.size() && c < found.total->cells.size(); ++c) {
          totals.push_back(parse(table.columns[c], found.total->cells[c], found.sheet, table.id + "-" + table.columns[c].id,
                                 table.label.it + " › " + *table.total_label + " › " + table.columns[c].label.it));
        }
      }
    }
  }

  // Each subtotal row must equal the sum of the rows above it, back to the previous subtotal.
  void check_subtotals(const TableSpec& table, const TableInstance& found, const std::vector<std::vector<Typed>>& rows) {
    std::size_t block_start = 0;
    for (std::size_t r = 0; r < found.rows.size(); ++r) {
      if (!found.rows[r].subtotal) continue;
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (table.columns[c].type != FieldType::amount) continue;
        const Typed& written = rows[r][c + 1];
        if (!written.ok) continue;
        std::int64_t sum = 0;
        for (std::size_t k = block_start; k < r; ++k) {
          if (!found.rows[k].subtotal && rows[k][c + 1].ok) sum += rows[k][c + 1].number;
        }
        if (sum != written.number) {
          const std::string where = table.label.it + " › " + table.columns[c].label.it;
          add(code(table.id, "SUBTOTALE"), Severity::error, found.sheet, &found.rows[r].cells[c], where, written.shown,
              {"«{row}», «{column}»: il subtotale scritto è {found}, le righe che riassume sommano {expected}",
               "«{row}», «{column}»: the subtotal written is {found}, the rows it sums add up to {expected}"},
              {{"row", found.rows[r].key.text}, {"column", table.columns[c].label.it}, {"found", written.shown},
               {"expected", values::format_cents(sum)}});
        }
      }
      block_start = r + 1;
    }
  }

  static Typed mark(const CellValue& cell) {
    Typed out;
    out.blank = cell.blank();
    out.ok = !out.blank;
    out.shown = cell.text;
    return out;
  }

  std::size_t column_index(const TableSpec& table, const std::string& id) const {
    if (table.key.id == id) return 0;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].id == id) return c + 1;
    }
    return 0;
  }

  const std::string& column_label(const TableSpec& table, std::size_t index) const {
    return index == 0 ? table.key.label.it : table.columns[index - 1].label.it;
  }

  const CellValue& cell_of(const TableRow& row, std::size_t index) const { return index == 0 ? row.key : row.cells[index - 1]; }

  bool condition_holds(const RuleSpec& rule) const {
    if (!rule.unless_field.empty()) {
      const auto it = fields_.find(rule.unless_field);
      if (it != fields_.end() && it->second.ok && it->second.yes) return false;
    }
    if (!rule.when_field.empty()) {
      const auto it = fields_.find(rule.when_field);
      if (it == fields_.end() || !it->second.ok) return false;
      if (normalise_label(it->second.shown) != normalise_label(rule.when_equals)) return false;
    }
    return true;
  }

  std::string row_name(const TableRow& row, std::size_t index) const {
    return row.key.blank() ? "riga " + std::to_string(row.row + 1) + " (n. " + std::to_string(index + 1) + ")" : row.key.text;
  }

  void apply(const RuleSpec& rule) {
    if (!condition_holds(rule)) return;
    // A rule about a field that is not in the file adds nothing to "field not found".
    for (const std::string* id : {&rule.field, &rule.other_field}) {
      if (id->empty()) continue;
      const auto it = in_.fields.find(*id);
      if (it == in_.fields.end() || !it->second.found) return;
    }
    const TableSpec* table = rule.table.empty() ? nullptr : form_.table(rule.table);
    const TableInstance* found = nullptr;
    if (table) {
      const auto it = in_.tables.find(table->id);
      if (it == in_.tables.end() || !it->second.found) return;  // already reported as missing
      found = &it->second;
    }
    const auto& typed_rows = table ? tables_[table->id] : empty_rows_;
    if (rule.kind == "min_selected") {
      const auto& selected = selections_[rule.field];
      if (static_cast<std::int64_t>(selected.size()) < rule.min.value_or(1)) {
        const auto& field = in_.fields.at(rule.field);
        add(rule.code, rule.severity, field.sheet, field.options.empty() ? nullptr : &field.options[0].key,
            form_.field(rule.field)->label.it, std::to_string(selected.size()), rule.message,
            {{"found", std::to_string(selected.size())}, {"min", std::to_string(rule.min.value_or(1))}});
      }
    } else if (rule.kind == "same_group" || rule.kind == "distinct_from") {
      const auto other = fields_.find(rule.other_field);
      if (other == fields_.end() || !other->second.ok || !other->second.item) return;
      const ListItem* chosen = other->second.item;
      const auto& field = in_.fields.at(rule.field);
      for (const auto& [item, option] : selections_[rule.field]) {
        const bool bad = rule.kind == "same_group" ? item->group != chosen->code : item->code == chosen->code;
        if (bad) {
          add(rule.code, rule.severity, field.sheet, &option->cells[0], form_.field(rule.field)->label.it, item->display(),
              rule.message, {{"value", item->display()}, {"expected", chosen->display()}});
        }
      }
    } else if (rule.kind == "required_if") {
      const auto it = fields_.find(rule.field);
      const auto& field = in_.fields.at(rule.field);
      if (field.found && (it == fields_.end() || it->second.blank)) {
        add(rule.code, rule.severity, field.sheet, &field.cell, form_.field(rule.field)->label.it, "", rule.message,
            {{"label", form_.field(rule.field)->label.it}});
      }
    } else if (rule.kind == "min_rows") {
      const auto filled =
          std::count_if(found->rows.begin(), found->rows.end(), [](const TableRow& r) { return r.filled() && !r.subtotal; });
      if (filled < rule.min.value_or(1)) {
        const CellValue* where = found->rows.empty() ? nullptr : &found->rows[0].key;
        add(rule.code, rule.severity, found->sheet, where, table->label.it, std::to_string(filled), rule.message,
            {{"found", std::to_string(filled)}, {"min", std::to_string(rule.min.value_or(1))}});
      }
    } else if (rule.kind == "row_requires") {
      for (std::size_t r = 0; r < found->rows.size(); ++r) {
        const TableRow& row = found->rows[r];
        if (row.key.blank()) continue;
        for (const std::string& column : rule.columns) {
          const std::size_t index = column_index(*table, column);
          if (cell_of(row, index).blank()) {
            add(rule.code, rule.severity, found->sheet, &cell_of(row, index), table->label.it + " › " + column_label(*table, index), "",
                rule.message, {{"row", row_name(row, r)}, {"column", column_label(*table, index)}});
          }
        }
      }
    } else if (rule.kind == "range") {
      const std::size_t index = column_index(*table, rule.column);
      const std::size_t when = rule.when_column.empty() ? 0 : column_index(*table, rule.when_column);
      for (std::size_t r = 0; r < found->rows.size(); ++r) {
        const Typed& value = typed_rows[r][index];
        if (!value.ok) continue;
        if (!rule.when_column.empty() && normalise_label(cell_of(found->rows[r], when).text) != normalise_label(rule.when_equals)) continue;
        if ((rule.min && value.number < *rule.min) || (rule.max && value.number > *rule.max)) {
          add(rule.code, rule.severity, found->sheet, &cell_of(found->rows[r], index), table->label.it + " › " + column_label(*table, index),
              value.shown, rule.message, {{"value", value.shown}, {"row", row_name(found->rows[r], r)}});
        }
      }
    } else if (rule.kind == "row_any_marked") {
      for (std::size_t r = 0; r < found->rows.size(); ++r) {
        const TableRow& row = found->rows[r];
        if (row.key.blank()) continue;
        const bool marked = std::any_of(row.cells.begin(), row.cells.end(), [](const CellValue& c) { return !c.blank(); }) ||
                            (r < found->extra_cells.size() &&
                             std::any_of(found->extra_cells[r].begin(), found->extra_cells[r].end(), [](const CellValue& c) { return !c.blank(); }));
        if (!marked) add(rule.code, rule.severity, found->sheet, &row.key, table->label.it, "", rule.message, {{"row", row_name(row, r)}});
      }
    } else if (rule.kind == "periods_until") {
      apply_periods_until(rule, *table, *found);
    } else if (rule.kind == "row_sum") {
      const std::size_t total_index = column_index(*table, rule.column);
      for (std::size_t r = 0; r < found->rows.size(); ++r) {
        const auto& typed = typed_rows[r];
        if (!found->rows[r].filled()) continue;
        std::int64_t sum = 0;
        bool complete = true;
        for (const std::string& column : rule.columns) {
          const Typed& part = typed[column_index(*table, column)];
          if (!part.blank && !part.ok) complete = false;
          sum += part.ok ? part.number : 0;
        }
        const Typed& total = typed[total_index];
        if (!complete || (!total.blank && !total.ok)) continue;  // a format error is already reported
        const std::int64_t written = total.ok ? total.number : 0;
        if (written != sum) {
          add(rule.code, rule.severity, found->sheet, &cell_of(found->rows[r], total_index),
              table->label.it + " › " + column_label(*table, total_index), values::format_cents(written), rule.message,
              {{"row", row_name(found->rows[r], r)}, {"found", values::format_cents(written)}, {"expected", values::format_cents(sum)}});
        }
      }
    } else if (rule.kind == "registry_comune" || rule.kind == "registry_comune_name" || rule.kind == "registry_ambito") {
      apply_registry(rule);
    } else if (rule.kind == "totals_equal") {
      apply_totals_equal(rule, *table, *found);
    } else if (rule.kind == "pass_through") {
      apply_pass_through(rule, *table, *found);
    } else if (rule.kind == "column_total") {
      if (!found->total) return;
      const auto& totals = totals_[table->id];
      for (std::size_t c = 0; c < totals.size(); ++c) {
        if (table->columns[c].type != FieldType::amount || totals[c].blank || !totals[c].ok) continue;
        std::int64_t sum = 0;
        bool complete = true;
        for (std::size_t r = 0; r < typed_rows.size(); ++r) {
          if (found->rows[r].subtotal) continue;  // already counted in the rows it sums
          const Typed& cell = typed_rows[r][c + 1];
          if (!cell.blank && !cell.ok) complete = false;
          sum += cell.ok ? cell.number : 0;
        }
        if (complete && sum != totals[c].number) {
          add(rule.code, rule.severity, found->sheet, &found->total->cells[c], table->label.it + " › " + table->columns[c].label.it,
              values::format_cents(totals[c].number), rule.message,
              {{"column", table->columns[c].label.it}, {"found", values::format_cents(totals[c].number)}, {"expected", values::format_cents(sum)}});
        }
      }
    }
  }

  // Identity checked against the registry: a known ISTAT code, a name that is that comune's
  // (as the seeds write names), a known Ambito.
  void apply_registry(const RuleSpec& rule) {
    const auto it = fields_.find(rule.field);
    if (it == fields_.end() || it->second.blank) return;  // "required" already says it
    const registry::Registry& registry = registry_;
    const FieldInstance& field = in_.fields.at(rule.field);
    const std::string value = field.cell.written();
    const std::string& label = form_.field(rule.field)->label.it;
    if (rule.kind == "registry_comune") {
      if (!registry.comune_by_istat(value)) add(rule.code, rule.severity, field.sheet, &field.cell, label, value, rule.message, {{"value", value}});
    } else if (rule.kind == "registry_ambito") {
      if (!registry.find_ambito(value)) add(rule.code, rule.severity, field.sheet, &field.cell, label, value, rule.message, {{"value", value}});
    } else {
      const auto code = fields_.find(rule.other_field);
      if (code == fields_.end() || code->second.blank) return;
      const registry::Comune* comune = registry.comune_by_istat(in_.fields.at(rule.other_field).cell.written());
      if (!comune) return;  // the code's own rule reports it
      const registry::Match match = registry.find_comune(value, &registry.ambito_of(*comune));
      if (std::find(match.candidates.begin(), match.candidates.end(), comune) == match.candidates.end()) {
        add(rule.code, rule.severity, field.sheet, &field.cell, label, value, rule.message,
            {{"value", value}, {"expected", comune->name}, {"code", comune->istat}});
      }
    }
  }

  // The sum of a column over the body rows (subtotals left out); nullopt if a cell is unreadable.
  std::optional<std::int64_t> column_sum(const TableSpec& table, const TableInstance& found, const std::string& column) {
    const std::size_t index = column_index(table, column);
    const auto& rows = tables_[table.id];
    std::int64_t sum = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (found.rows[r].subtotal) continue;
      const Typed& cell = rows[r][index];
      if (!cell.blank && !cell.ok) return std::nullopt;
      sum += cell.ok ? cell.number : 0;
    }
    return sum;
  }

  const TableInstance* table_found(const std::string& id) const {
    const auto it = in_.tables.find(id);
    return it == in_.tables.end() || !it->second.found ? nullptr : &it->second;
  }

  // Two tables that must balance (ENTRATE = SPESE), each summed from its rows.
  void apply_totals_equal(const RuleSpec& rule, const TableSpec& table, const TableInstance& found) {
    const TableSpec& other = *form_.table(rule.other_table);
    const TableInstance* other_found = table_found(other.id);
    if (!other_found) return;
    const auto left = column_sum(table, found, rule.column);
    const auto right = column_sum(other, *other_found, rule.other_column);
    if (!left || !right || *left == *right) return;
    const std::size_t index = column_index(table, rule.column);
    const CellValue* where = found.total && index > 0 ? &found.total->cells[index - 1] : nullptr;
    add(rule.code, rule.severity, found.sheet, where, table.label.it, values::format_cents(*left), rule.message,
        {{"found", values::format_cents(*left)}, {"expected", values::format_cents(*right)},
         {"difference", values::format_cents(*left - *right)}});
  }

  // Funds received for a purpose and passed on (list items of group "vincolato"): what comes in
  // by the fund's row must go out in the rows that name the fund.
  void apply_pass_through(const RuleSpec& rule, const TableSpec& table, const TableInstance& found) {
    const TableSpec& other = *form_.table(rule.other_table);
    const TableInstance* other_found = table_found(other.id);
    if (!other_found) return;
    const std::size_t in_index = column_index(table, rule.column);
    const std::size_t out_index = column_index(other, rule.other_column);
    const std::size_t by_index = column_index(other, rule.by_column);
    const auto& in_rows = tables_[table.id];
    const auto& out_rows = tables_[other.id];
    std::vector<const ListItem*> row_fund(found.rows.size(), nullptr);
    for (std::size_t r = 0; r < found.rows.size(); ++r) {
      if (!found.rows[r].subtotal && !found.rows[r].key.blank()) row_fund[r] = find_list_item(form_, rule.list, found.rows[r].key.text);
    }
    for (const ListItem& fund : *form_.list(rule.list)) {
      if (fund.group != "vincolato") continue;
      std::int64_t in = 0, out = 0;
      const CellValue* where = nullptr;
      bool readable = true;
      for (std::size_t r = 0; r < in_rows.size(); ++r) {
        if (row_fund[r] != &fund) continue;
        const Typed& cell = in_rows[r][in_index];
        readable = readable && (cell.blank || cell.ok);
        in += cell.ok ? cell.number : 0;
        where = &cell_of(found.rows[r], in_index);
      }
      for (std::size_t r = 0; r < out_rows.size(); ++r) {
        if (other_found->rows[r].subtotal || out_rows[r][by_index].item != &fund) continue;
        const Typed& cell = out_rows[r][out_index];
        readable = readable && (cell.blank || cell.ok);
        out += cell.ok ? cell.number : 0;
      }
      if (!readable || in == out) continue;
      add(rule.code, rule.severity, found.sheet, where, table.label.it, values::format_cents(in), rule.message,
          {{"row", fund.label}, {"found", values::format_cents(in)}, {"expected", values::format_cents(out)}});
    }
  }

  // A Gantt column ending after the deadline, or a column a user added ("gen 24-mar 24").
  void apply_periods_until(const RuleSpec& rule, const TableSpec& table, const TableInstance& found) {
    if (!rule.max_date) return;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const auto& end = table.columns[c].period_end;
      if (!end || *end <= *rule.max_date) continue;
      for (const TableRow& row : found.rows) {
        if (c < row.cells.size() && !row.cells[c].blank()) {
          add(rule.code, rule.severity, found.sheet, &row.cells[c], table.label.it, row.cells[c].text, rule.message,
              {{"column", table.columns[c].label.it}, {"row", row.key.text}});
        }
      }
    }
    for (std::size_t e = 0; e < found.extra_columns.size(); ++e) {
      const auto& [col, header] = found.extra_columns[e];
      const auto period_end = period_end_of(header);
      if (period_end && *period_end <= *rule.max_date) continue;
      for (std::size_t r = 0; r < found.rows.size() && r < found.extra_cells.size(); ++r) {
        const CellValue& cell = found.extra_cells[r][e];
        if (!cell.blank()) {
          add(rule.code, rule.severity, found.sheet, &cell, table.label.it, header, rule.message,
              {{"column", header}, {"row", found.rows[r].key.text}});
        }
      }
    }
  }

  // "gen 24-mar 24", "ott 23 - dic 23", "2024": the last day of the period a header names.
  static std::optional<values::Date> period_end_of(const std::string& header) {
    static const char* const months[] = {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"};
    const std::string text = normalise_label(header);
    std::optional<values::Date> last;
    for (std::size_t i = 0; i < text.size(); ++i) {
      for (int m = 0; m < 12; ++m) {
        if (text.compare(i, 3, months[m]) != 0) continue;
        std::size_t j = i + 3;
        while (j < text.size() && text[j] >= 'a' && text[j] <= 'z') ++j;  // "lugl", "giugno"
        while (j < text.size() && (text[j] == ' ' || text[j] == '.' || text[j] == '\'')) ++j;
        int year = 0, digits = 0;
        for (; j < text.size() && text[j] >= '0' && text[j] <= '9' && digits < 4; ++j, ++digits) year = year * 10 + (text[j] - '0');
        if (digits == 2) year += 2000;
        if (digits == 2 || digits == 4) {
          static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
          const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
          values::Date end{year, m + 1, days[m] + (m == 1 && leap ? 1 : 0)};
          if (!last || end > *last) last = end;
        }
      }
    }
    return last;
  }

  const FormInstance& in_;
  const FormSpec& form_;
  const registry::Registry& registry_;
  Report report_;
  std::vector<std::string> missing_sheets_;
  std::map<std::string, Typed> fields_;
  std::map<std::string, std::vector<std::pair<const ListItem*, const TableRow*>>> selections_;
  std::map<std::string, std::vector<std::vector<Typed>>> tables_;
  std::map<std::string, std::vector<Typed>> totals_;
  const std::vector<std::vector<Typed>> empty_rows_;
};

}  // namespace

const ListItem* find_list_item(const FormSpec& form, const std::string& list_name, const std::string& text) {
  const std::vector<ListItem>* list = form.list(list_name);
  if (!list) return nullptr;
  const std::string wanted = normalise_label(text);
  for (const ListItem& item : *list) {
    if (wanted == normalise_label(item.display()) || wanted == normalise_label(item.label)) return &item;
  }
  for (const ListItem& item : *list) {
    if (!item.code.empty() && wanted == normalise_label(item.code)) return &item;
  }
  return nullptr;
}

std::size_t Report::errors() const {
  return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const Issue& i) { return i.severity == Severity::error; }));
}

std::size_t Report::warnings() const { return issues.size() - errors(); }

Report validate(const FormInstance& instance, const FormSpec& form, const registry::Registry& registry) {
  return Validator(instance, form, registry).run();
}

const FormSpec& recognise(const xlsx::Workbook& workbook, const std::vector<FormSpec>& forms, const std::string& fallback_form) {
  const xlsx::CustomProperty* id = workbook.find_custom_property(kFormProperty);
  const xlsx::CustomProperty* version = workbook.find_custom_property(kVersionProperty);
  std::string declared = id ? id->value : std::string();
  std::string declared_version = version ? version->value : std::string();
  if (declared.empty()) {
    // The template also carries "id version" in a defined name, which survives some editors
    // that drop custom properties.
    if (const xlsx::DefinedName* name = workbook.find_defined_name("CONSOLIDA_MODULO")) {
      std::string value = name->formula;
      value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
      if (const auto space = value.find(' '); space != std::string::npos) {
        declared = value.substr(0, space);
        declared_version = value.substr(space + 1);
      }
    }
  }
  std::string names;
  for (const FormSpec& form : forms) names += (names.empty() ? "" : ", ") + form.id;
  if (declared.empty()) {
    for (const FormSpec& form : forms) {
      if (form.id == fallback_form) return form;
    }
    throw Error(ErrorCode::form_unknown,
                "il file non dichiara di quale modulo si tratta: usare il modello scaricato, oppure indicare --form (moduli: " + names + ")",
                "the file does not say which form it is: use the downloaded template, or pass --form (forms: " + names + ")",
                ErrorLocation{workbook.path(), {}, {}, 0, 0});
  }
  for (const FormSpec& form : forms) {
    if (form.id != declared) continue;
    if (declared_version == form.version) return form;
    const bool older = std::find(form.older_versions.begin(), form.older_versions.end(), declared_version) != form.older_versions.end();
    throw Error(ErrorCode::form_outdated,
                older ? "il file usa la versione " + declared_version + " del modello «" + form.title.it + "», superata dalla " + form.version +
                            ": scaricare il modello aggiornato e ricopiarvi i dati"
                      : "versione " + declared_version + " del modello «" + form.title.it + "» non riconosciuta (attuale: " + form.version +
                            "): scaricare il modello aggiornato",
                older ? "the file uses version " + declared_version + " of template «" + form.title.in(Lang::en) + "», replaced by " +
                            form.version + ": download the updated template and copy the data into it"
                      : "version " + declared_version + " of template «" + form.title.in(Lang::en) + "» is not recognised (current: " +
                            form.version + "): download the updated template",
                ErrorLocation{workbook.path(), {}, {}, 0, 0});
  }
  throw Error(ErrorCode::form_unknown, "modulo «" + declared + "» sconosciuto (moduli: " + names + ")",
              "unknown form «" + declared + "» (forms: " + names + ")", ErrorLocation{workbook.path(), {}, {}, 0, 0});
}

xlsx::Limits form_limits() {
  xlsx::Limits limits;
  limits.max_file_bytes = 32u << 20;
  limits.max_part_bytes = 32u << 20;
  limits.max_total_bytes = 128u << 20;
  return limits;
}

namespace {
Report validate_workbook(xlsx::Workbook& workbook, const std::vector<FormSpec>& forms, const registry::Registry& registry,
                         const std::string& fallback_form, FormInstance* instance_out) {
  const FormSpec& form = recognise(workbook, forms, fallback_form);
  FormInstance instance = extract(workbook, form);
  Report report = validate(instance, form, registry);
  if (!workbook.find_custom_property(kFormProperty) && !workbook.find_defined_name("CONSOLIDA_MODULO")) {
    Issue note;
    note.code = form.code_prefix + "-MODELLO";
    note.severity = Severity::warning;
    note.message = {"il file non porta l'identificativo del modello: letto come «" + form.id + "» cercando le etichette",
                    "the file lacks the template identifier: read as «" + form.id + "» by its labels"};
    report.issues.insert(report.issues.begin(), std::move(note));
  }
  if (instance_out) *instance_out = std::move(instance);
  return report;
}

}  // namespace

Report validate_file(const std::string& path, const std::vector<FormSpec>& forms, const registry::Registry& registry,
                     const std::string& fallback_form, FormInstance* instance_out) {
  xlsx::Workbook workbook = xlsx::Workbook::open(path, form_limits());
  return validate_workbook(workbook, forms, registry, fallback_form, instance_out);
}

Report validate_bytes(std::string bytes, const std::string& name, const std::vector<FormSpec>& forms,
                      const registry::Registry& registry, const std::string& fallback_form, FormInstance* instance_out) {
  xlsx::Workbook workbook = xlsx::Workbook::open_bytes(std::move(bytes), name, form_limits());
  return validate_workbook(workbook, forms, registry, fallback_form, instance_out);
}

}  // namespace consolida::forms
