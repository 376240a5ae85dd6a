// TypedForm -> Report. What the description itself makes a rule of (missing sheets and items,
// required cells, subtotals, total rows), then the declared rules and the compiled ones.
#include <algorithm>

#include "common/labels.hpp"
#include "consolida/forms.hpp"
#include "consolida/rules.hpp"
#include "consolida/typed_form.hpp"
#include "forms/attribute_code.hpp"

namespace consolida::forms {
namespace {

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

// The rules of the description's own shape: every sheet, field and table present, required
// cells filled, subtotals equal to the rows they sum, the total row where the table has one.
class ShapeRules {
 public:
  ShapeRules(const TypedForm& form, IssueSink& sink) : form_(form), spec_(form.spec()), sink_(sink) {}

  void check() {
    for (const std::string& sheet : form_.missing_sheets()) missing_sheet(sheet);
    for (const auto& [sheet, in_file] : form_.instance().renamed_sheets) {
      if (std::find(form_.missing_sheets().begin(), form_.missing_sheets().end(), sheet) == form_.missing_sheets().end()) renamed_sheet(sheet, in_file);
    }
    for (const TypedField& field : form_.fields()) check_field(field);
    for (const TypedTable& table : form_.tables()) check_table(table);
  }

 private:
  void missing_sheet(const std::string& sheet) {
    std::string present;
    for (const std::string& name : form_.instance().sheet_names) present += (present.empty() ? "«" : ", «") + name + "»";
    sink_.add(spec_.code_prefix + "-FOGLIO", Severity::error, {sheet, nullptr}, sheet, "",
              {"manca il foglio «" + sheet + "» del modello «" + spec_.title.it + "» (fogli presenti: " + present +
                   "): se è stato rinominato, ridargli il nome «" + sheet + "»; altrimenti usare il modello scaricato",
               "sheet «" + sheet + "» of template «" + spec_.title.in(Lang::en) + "» is missing (sheets present: " + present +
                   "): if it was renamed, give it back the name «" + sheet + "»; otherwise use the downloaded template"});
  }

  void renamed_sheet(const std::string& sheet, const std::string& in_file) {
    sink_.add(spec_.code_prefix + "-FOGLIO", Severity::error, {in_file, nullptr}, sheet, in_file,
              {"il foglio «" + sheet + "» del modello «" + spec_.title.it + "» si chiama «" + in_file +
                   "»: è stato verificato lo stesso, ma va ridato il nome «" + sheet + "» (la copia annotata lo ha già)",
               "sheet «" + sheet + "» of template «" + spec_.title.in(Lang::en) + "» is named «" + in_file +
                   "»: it was checked all the same, but it must be given back the name «" + sheet + "» (the annotated copy has it)"});
  }

  // A field or table not found, unless its whole sheet is missing (already said once).
  // what_it carries its own agreement: "campo «x» non trovato", "tabella «x» non trovata".
  // An optional field not found is a warning: nothing required is lost, but the file strays from
  // the template.
  void missing(const std::string& id, const Text& label, const char* what_it, const char* not_found_it, const char* what_en,
               Severity severity = Severity::error) {
    if (form_.sheet_missing(id)) return;
    const SheetSpec* sheet = spec_.sheet_of(id);
    sink_.add(attribute_code(spec_, id, "ASSENTE"), severity, {sheet ? std::string_view(sheet->name) : std::string_view(), nullptr},
              label.it, "",
              {std::string(what_it) + " «" + label.it + "» " + not_found_it + ": il file non segue il modello, usare quello scaricato",
               std::string(what_en) + " «" + label.in(Lang::en) + "» not found: the file does not follow the template, use the downloaded one"});
  }

  // A table not found; when a row holds most of its headers, the report says which ones it lacks,
  // since that is why the row was not taken for the table's.
  void missing_table(const TableSpec& spec) {
    const auto found = form_.instance().tables.find(spec.id);
    const auto& closest = found == form_.instance().tables.end() ? std::nullopt : found->second.closest_headers;
    if (!closest || form_.sheet_missing(spec.id)) return missing(spec.id, spec.label, "tabella", "non trovata", "table");
    std::string headers;
    for (const std::string& header : closest->missing) headers += (headers.empty() ? "«" : ", «") + header + "»";
    const std::string row = std::to_string(closest->row + 1);
    const SheetSpec* sheet = spec_.sheet_of(spec.id);
    sink_.add(attribute_code(spec_, spec.id, "ASSENTE"), Severity::error, {sheet ? std::string_view(sheet->name) : std::string_view(), nullptr},
              spec.label.it, "",
              {"tabella «" + spec.label.it + "» non trovata: la riga " + row + " ha le sue intestazioni ma non " + headers +
                   "; scriverle come nel modello (o usare il modello scaricato)",
               "table «" + spec.label.in(Lang::en) + "» not found: row " + row + " has its headers but not " + headers +
                   "; write them as in the template (or use the downloaded one)"});
  }

  void check_field(const TypedField& field) {
    const FieldSpec& spec = *field.spec;
    if (!field.found) return missing(spec.id, spec.label, "campo", "non trovato", "field", spec.required ? Severity::error : Severity::warning);
    if (spec.type == FieldType::multi_choice || !field.value.blank() || !spec.required) return;
    sink_.add(attribute_code(spec_, spec.id, "OBBL"), Severity::error, place_of(field), spec.label.it, "",
              {"«{label}» è obbligatorio", "«{label}» is required"}, {{"label", spec.label.it}});
  }

  void check_table(const TypedTable& table) {
    const TableSpec& spec = *table.spec;
    if (!table.found) return missing_table(spec);
    for (const TypedRow& row : table.rows) {
      if (!row.row->filled()) continue;
      for (std::size_t c = 0; c < spec.columns.size() && c < row.row->cells.size(); ++c) {
        const ColumnSpec& column = spec.columns[c];
        if (!column.required || !row.row->cells[c].blank()) continue;
        const std::string where = spec.label.it + " › " + column.label.it;
        sink_.add(attribute_code(spec_, spec.id + "-" + column.id, "OBBL"), Severity::error, place_of(table, &row.row->cells[c]),
                  where, "", {"«{label}» è obbligatorio", "«{label}» is required"}, {{"label", where}});
      }
    }
    check_subtotals(table);
    if (spec.total_label && !table.found->total && !table.found->rows.empty()) {
      sink_.add(attribute_code(spec_, spec.id, "TOT"), Severity::error, place_of(table), spec.label.it, "",
                {"«" + spec.label.it + "»: manca la riga " + *spec.total_label,
                 "«" + spec.label.in(Lang::en) + "»: the " + *spec.total_label + " row is missing"});
    }
  }

  // Each subtotal row must equal the sum of the rows above it, back to the previous subtotal.
  void check_subtotals(const TypedTable& table) {
    const TableSpec& spec = *table.spec;
    std::size_t block_start = 0;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (!table.rows[r].subtotal()) continue;
      for (std::size_t c = 0; c < spec.columns.size(); ++c) {
        if (spec.columns[c].type != FieldType::amount) continue;
        const TypedCell& written = table.rows[r].cells[c + 1];
        const auto subtotal = written.number();
        if (!written.ok() || !subtotal) continue;
        std::int64_t sum = 0;
        for (std::size_t k = block_start; k < r; ++k) {
          if (!table.rows[k].subtotal()) sum += table.rows[k].cells[c + 1].number().value_or(0);
        }
        if (sum == *subtotal) continue;
        const std::string where = spec.label.it + " › " + spec.columns[c].label.it;
        const std::string text = shown(written, spec.columns[c]);
        sink_.add(attribute_code(spec_, spec.id, "SUBTOTALE"), Severity::error, place_of(table, written.cell), where, text,
                  {"«{row}», «{column}»: il subtotale scritto è {found}, le righe che riassume sommano {expected}",
                   "«{row}», «{column}»: the subtotal written is {found}, the rows it sums add up to {expected}"},
                  {{"row", table.rows[r].row->key.text}, {"column", spec.columns[c].label.it}, {"found", text},
                   {"expected", values::format_cents(sum)}});
      }
      block_start = r + 1;
    }
  }

  const TypedForm& form_;
  const FormSpec& spec_;
  IssueSink& sink_;
};

}  // namespace

Issue& IssueSink::add(std::string code, Severity severity, const Place& place, std::string label, std::string found, Text message,
                      const Vars& vars) {
  Issue issue;
  issue.code = std::move(code);
  issue.severity = severity;
  issue.sheet = std::string(place.sheet);
  if (place.cell) {
    issue.cell = xlsx::to_a1(place.cell->ref);
    issue.row = place.cell->ref.row;
    issue.col = place.cell->ref.col;
  }
  issue.label = std::move(label);
  issue.found = std::move(found);
  for (const auto& [key, value] : vars) {
    message.it = replace_all(message.it, "{" + key + "}", value);
    message.en = replace_all(message.en, "{" + key + "}", value);
  }
  issue.message = std::move(message);
  return issues_.emplace_back(std::move(issue));
}

Report validate(const TypedForm& form) {
  const FormSpec& spec = form.spec();
  Report report;
  report.file = form.instance().file;
  report.form_id = spec.id;
  report.form_version = spec.version;
  report.issues = form.problems();
  IssueSink sink(report.issues);
  ShapeRules(form, sink).check();
  for (const auto& rule : spec.rules) rule->check(form, sink);
  for (const auto& rule : spec.native_rules) rule->check(form, sink);
  std::stable_sort(report.issues.begin(), report.issues.end(), [](const Issue& a, const Issue& b) {
    if (a.sheet != b.sheet) return a.sheet < b.sheet;
    if (a.row != b.row) return a.row < b.row;
    return a.col < b.col;
  });
  return report;
}

std::optional<Issue> year_mismatch(const TypedForm& form, int expected) {
  const FormSpec& spec = form.spec();
  const TypedField* year = spec.year_field.empty() ? nullptr : form.field(spec.year_field);
  const auto declared = year && year->value.ok() ? year->value.number() : std::nullopt;
  if (!declared || *declared == expected) return std::nullopt;
  std::vector<Issue> issues;
  IssueSink(issues).add(spec.code_prefix + "-ANNO", Severity::error, place_of(*year), year->spec->label.it, std::to_string(*declared),
                        {"«{label}»: il file dichiara l'anno {found}, ma sono attesi i dati del {expected}: correggere l'anno se è "
                         "sbagliato, altrimenti inviare il file dell'anno giusto",
                         "«{label}»: the file declares year {found}, but data for {expected} are expected: correct the year if it is "
                         "wrong, otherwise send the file for the right year"},
                        {{"label", year->spec->label.it}, {"found", std::to_string(*declared)}, {"expected", std::to_string(expected)}});
  return std::move(issues.front());
}

Report validate(FormInstance instance, const FormSpec& form, const registry::Registry& registry) {
  return validate(type_form(std::move(instance), form, registry));
}

const ListItem* find_list_item(const FormSpec& form, const std::string& list_name, const std::string& text) {
  const std::vector<ListItem>* list = form.list(list_name);
  if (!list) return nullptr;
  // A value chosen from the drop-down is its display text as written: found without folding.
  for (const ListItem& item : *list) {
    if (text == item.display()) return &item;
  }
  const std::string wanted = normalise_label(text);
  for (const ListItem& item : *list) {
    if (wanted == normalise_label(item.display()) || wanted == normalise_label(item.label)) return &item;
  }
  for (const ListItem& item : *list) {
    if (!item.code.empty() && wanted == normalise_label(item.code)) return &item;
  }
  for (const ListItem& item : *list) {
    for (const std::string& synonym : item.synonyms) {
      if (wanted == normalise_label(synonym)) return &item;
    }
  }
  return nullptr;
}

ListMatch match_list_item(const FormSpec& form, const std::string& list_name, const std::string& text) {
  ListMatch match;
  const std::vector<ListItem>* list = form.list(list_name);
  if (!list) return match;
  if ((match.item = find_list_item(form, list_name, text))) return match;
  // Labels and synonyms alike are candidates; each stands for its item.
  std::vector<std::string> candidates;
  std::vector<std::size_t> owners;  // positions in the list
  for (std::size_t i = 0; i < list->size(); ++i) {
    candidates.push_back((*list)[i].label);
    owners.push_back(i);
    for (const std::string& synonym : (*list)[i].synonyms) {
      candidates.push_back(synonym);
      owners.push_back(i);
    }
  }
  if (const auto closest = closest_label(text, candidates, owners)) match.nearest = &(*list)[owners[*closest]];
  return match;
}

std::size_t Report::errors() const {
  return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const Issue& i) { return i.severity == Severity::error; }));
}

std::size_t Report::warnings() const { return issues.size() - errors(); }

const FormSpec& recognise(const xlsx::Workbook& workbook, const std::vector<FormSpec>& forms, const std::string& fallback_form) {
  const xlsx::CustomProperty* id = workbook.find_custom_property(kFormProperty);
  const xlsx::CustomProperty* version = workbook.find_custom_property(kVersionProperty);
  std::string declared = id ? id->value : std::string();
  std::string declared_version = version ? version->value : std::string();
  if (declared.empty()) {
    // The template also carries "id version" in a defined name, which survives some editors
    // that drop custom properties.
    if (const xlsx::DefinedName* name = workbook.find_defined_name(kFormDefinedName)) {
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
                         const std::string& fallback_form, TypedForm* typed_out) {
  const FormSpec& form = recognise(workbook, forms, fallback_form);
  TypedForm typed = type_form(extract(workbook, form), form, registry);
  Report report = validate(typed);
  if (!workbook.find_custom_property(kFormProperty) && !workbook.find_defined_name(kFormDefinedName)) {
    Issue note;
    note.code = form.code_prefix + "-MODELLO";
    note.severity = Severity::warning;
    note.message = {"il file non porta l'identificativo del modello: letto come «" + form.id + "» cercando le etichette",
                    "the file lacks the template identifier: read as «" + form.id + "» by its labels"};
    report.issues.insert(report.issues.begin(), std::move(note));
  }
  if (typed_out) *typed_out = std::move(typed);
  return report;
}

}  // namespace

Report validate_file(const std::string& path, const std::vector<FormSpec>& forms, const registry::Registry& registry,
                     const std::string& fallback_form, TypedForm* typed_out) {
  xlsx::Workbook workbook = xlsx::Workbook::open(path, form_limits());
  return validate_workbook(workbook, forms, registry, fallback_form, typed_out);
}

Report validate_bytes(std::string bytes, const std::string& name, const std::vector<FormSpec>& forms,
                      const registry::Registry& registry, const std::string& fallback_form, TypedForm* typed_out) {
  xlsx::Workbook workbook = xlsx::Workbook::open_bytes(std::move(bytes), name, form_limits());
  return validate_workbook(workbook, forms, registry, fallback_form, typed_out);
}

}  // namespace consolida::forms
