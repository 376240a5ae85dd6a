// Loading and checking a form description (plugins/<id>/form.json).
#include <Poco/ClassLoader.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SharedLibrary.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "consolida/forms.hpp"
#include "consolida/rules.hpp"
#include "common/labels.hpp"
#include "forms/rules/declared_rule.hpp"
#include "forms/spec_reader.hpp"

namespace consolida::forms {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Loaded native rule libraries stay loaded for the life of the process: rules created from them
// may be held by any FormSpec copy.
Poco::ClassLoader<Rule>& native_loader() {
  static Poco::ClassLoader<Rule> loader;
  return loader;
}

void load_native_rules(const Object::Ptr& root, const SpecReader& reader, const std::vector<std::string>& library_path,
                       FormSpec& form) {
  const auto rules = reader.array(root, "native_rules", "");
  if (!rules) return;
  std::vector<std::string> folders{form.directory};
  for (const std::string& folder : library_path) folders.push_back((std::filesystem::path(folder) / form.id).string());
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const auto entry = reader.object_at(rules, i, "native_rules");
    const std::string where = "native_rules[" + std::to_string(i) + "]";
    const std::string library = reader.string(entry, "library", where, true);
    const std::string class_name = reader.string(entry, "class", where, true);
    const std::string file = "lib" + library + Poco::SharedLibrary::suffix();
    std::string found;
    std::string searched;
    for (const std::string& folder : folders) {
      const auto candidate = std::filesystem::path(folder) / file;
      searched += (searched.empty() ? "" : ", ") + folder;
      if (std::filesystem::exists(candidate)) {
        found = candidate.string();
        break;
      }
    }
    if (found.empty()) {
      reader.fail(where, "libreria di regole " + file + " non trovata (cercata in: " + searched + ")",
                  "rule library " + file + " not found (searched: " + searched + ")");
    }
    try {
      auto& loader = native_loader();
      if (!loader.isLibraryLoaded(found)) loader.loadLibrary(found);
      form.native_rules.emplace_back(loader.create(class_name));
    } catch (const Poco::Exception& e) {
      reader.fail(where, "impossibile caricare la regola " + class_name + " da " + found + " (" + e.displayText() + ")",
                  "cannot load rule " + class_name + " from " + found + " (" + e.displayText() + ")");
    }
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::invalid_plugin, "impossibile leggere la descrizione del modulo", "cannot read the form description",
                ErrorLocation{path, {}, {}, 0, 0});
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The "consolidation" block: which ente a file speaks for and what of it adds up.
void read_consolidation(const Poco::JSON::Object::Ptr& c, const SpecReader& reader, FormSpec& form) {
  const std::string where = "consolidation";
  ConsolidationSpec& spec = form.consolidation;
  const std::string ente = reader.string(c, "ente", where, true);
  if (ente == "comune") spec.ente = ConsolidationSpec::Ente::comune;
  else if (ente == "ambito") spec.ente = ConsolidationSpec::Ente::ambito;
  else reader.fail(where + ".ente", "usare \"comune\" o \"ambito\"", "use \"comune\" or \"ambito\"");
  spec.identity_field = reader.string(c, "identity_field", where, true);
  spec.name_field = reader.string(c, "name_field", where);
  auto need_field = [&](const std::string& id, const std::string& at) {
    if (!id.empty() && !form.field(id)) reader.fail(at, "campo \"" + id + "\" inesistente", "no field \"" + id + "\"");
  };
  auto need_column = [&](const std::string& table_id, const std::string& column, const std::string& at) -> const ColumnSpec* {
    const TableSpec* table = form.table(table_id);
    if (!table) reader.fail(at, "tabella \"" + table_id + "\" inesistente", "no table \"" + table_id + "\"");
    for (const ColumnSpec& col : table->columns) {
      if (col.id == column) return &col;
    }
    reader.fail(at, "colonna \"" + column + "\" inesistente in " + table_id, "no column \"" + column + "\" in " + table_id);
  };
  need_field(spec.identity_field, where + ".identity_field");
  need_field(spec.name_field, where + ".name_field");
  if (const auto list = reader.array(c, "breakdowns", where)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string at = where + ".breakdowns[" + std::to_string(i) + "]";
      const auto b = reader.object_at(list, i, at);
      Breakdown breakdown;
      breakdown.id = reader.string(b, "id", at, true);
      breakdown.title = reader.text(b, "title", at, true);
      breakdown.table = reader.string(b, "table", at, true);
      breakdown.rows_of_column = reader.string(b, "rows_of_column", at);
      breakdown.other_label = reader.string(b, "other_label", at);
      breakdown.column_sums = reader.strings(b, "column_sums", at);
      if (breakdown.rows_of_column.empty() == breakdown.column_sums.empty()) {
        reader.fail(at, "indicare \"rows_of_column\" oppure \"column_sums\"", "give either \"rows_of_column\" or \"column_sums\"");
      }
      std::vector<std::string> columns = breakdown.column_sums;
      if (!breakdown.rows_of_column.empty()) columns.push_back(breakdown.rows_of_column);
      for (const std::string& column : columns) {
        if (need_column(breakdown.table, column, at)->type != FieldType::amount) {
          reader.fail(at, "la colonna \"" + column + "\" non è un importo", "column \"" + column + "\" is not an amount");
        }
      }
      spec.breakdowns.push_back(std::move(breakdown));
    }
  }
  if (const auto list = reader.array(c, "counts", where)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string at = where + ".counts[" + std::to_string(i) + "]";
      const auto o = reader.object_at(list, i, at);
      CountSpec count{reader.string(o, "id", at, true), reader.text(o, "label", at, true), reader.string(o, "table", at, true),
                      reader.string(o, "column", at, true)};
      if (need_column(count.table, count.column, at)->type != FieldType::integer) {
        reader.fail(at, "la colonna \"" + count.column + "\" non è un numero intero", "column \"" + count.column + "\" is not an integer");
      }
      spec.counts.push_back(std::move(count));
    }
  }
  if (const auto r = reader.object(c, "records", where)) {
    const std::string at = where + ".records";
    RecordsSpec records{reader.string(r, "table", at, true), reader.string(r, "group_column", at, true),
                        reader.string(r, "kind_column", at, true), reader.string(r, "expected_column", at, true),
                        reader.string(r, "achieved_column", at, true)};
    for (const std::string* column : {&records.group_column, &records.kind_column}) need_column(records.table, *column, at);
    // Achievement is realised / expected, both in hundredths.
    for (const std::string* column : {&records.expected_column, &records.achieved_column}) {
      if (need_column(records.table, *column, at)->type != FieldType::decimal) {
        reader.fail(at, "la colonna \"" + *column + "\" non è un numero decimale (\"decimal\")",
                    "column \"" + *column + "\" is not a decimal number (\"decimal\")");
      }
    }
    spec.records = std::move(records);
  }
}

void check_references(const FormSpec& form, const SpecReader& reader) {
  std::set<std::string> ids;
  auto unique = [&](const std::string& id, const std::string& where) {
    if (!ids.insert(id).second) reader.fail(where, "identificativo ripetuto \"" + id + "\"", "duplicate id \"" + id + "\"");
  };
  auto check_list = [&](const ValueSpec& spec, const std::string& where) {
    if (!spec.list.empty() && !form.list(spec.list)) {
      reader.fail(where, "elenco \"" + spec.list + "\" non definito in \"lists\"", "list \"" + spec.list + "\" not defined in \"lists\"");
    }
  };
  for (const FieldSpec& field : form.fields) {
    unique(field.id, "fields." + field.id);
    check_list(field, "fields." + field.id);
  }
  for (const TableSpec& table : form.tables) {
    unique(table.id, "tables." + table.id);
    check_list(table.key, "tables." + table.id + ".key");
    for (const ColumnSpec& column : table.columns) check_list(column, "tables." + table.id + "." + column.id);
  }
  std::set<std::string> placed;
  for (const SheetSpec& sheet : form.sheets) {
    for (const Section& section : sheet.sections) {
      for (const std::string& item : section.items) {
        if (!form.field(item) && !form.table(item)) {
          reader.fail("sheets." + sheet.name, "\"" + item + "\" non è né un campo né una tabella", "\"" + item + "\" is neither a field nor a table");
        }
        if (!placed.insert(item).second) reader.fail("sheets." + sheet.name, "\"" + item + "\" compare due volte", "\"" + item + "\" appears twice");
      }
    }
  }
  for (const std::string& id : ids) {
    if (!placed.count(id)) reader.fail("sheets", "\"" + id + "\" non è collocato in nessuna sezione", "\"" + id + "\" is not placed in any section");
  }
}

}  // namespace

std::string_view to_string(FieldType type) {
  switch (type) {
    case FieldType::text: return "text";
    case FieldType::integer: return "integer";
    case FieldType::decimal: return "decimal";
    case FieldType::amount: return "amount";
    case FieldType::percent: return "percent";
    case FieldType::date: return "date";
    case FieldType::yes_no: return "yes_no";
    case FieldType::choice: return "choice";
    case FieldType::multi_choice: return "multi_choice";
  }
  return "text";
}

std::string_view to_string(Severity severity, Lang lang) {
  if (severity == Severity::error) return lang == Lang::it ? "errore bloccante" : "blocking error";
  return lang == Lang::it ? "avviso" : "warning";
}

std::string field_name(const std::string& field_id) { return "F_" + field_id; }
std::string table_name(const std::string& table_id) { return "T_" + table_id; }

const FieldSpec* FormSpec::field(std::string_view id) const {
  for (const FieldSpec& f : fields) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const TableSpec* FormSpec::table(std::string_view id) const {
  for (const TableSpec& t : tables) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::optional<std::size_t> TableSpec::position(std::string_view column_id) const {
  if (key.id == column_id) return 0;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].id == column_id) return c + 1;
  }
  return std::nullopt;
}

std::optional<std::size_t> TableSpec::fixed_row(std::string_view key) const {
  const std::string wanted = normalise_label(key);
  for (std::size_t i = 0; i < fixed_rows.size(); ++i) {
    if (wanted == (i < fixed_keys.size() ? fixed_keys[i] : normalise_label(fixed_rows[i]))) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> FormSpec::field_index(std::string_view id) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].id == id) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> FormSpec::table_index(std::string_view id) const {
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].id == id) return i;
  }
  return std::nullopt;
}

const std::vector<ListItem>* FormSpec::list(std::string_view name) const {
  const auto it = lists.find(std::string(name));
  return it == lists.end() ? nullptr : &it->second;
}

const SheetSpec* FormSpec::sheet_of(std::string_view item_id) const {
  for (const SheetSpec& sheet : sheets) {
    for (const Section& section : sheet.sections) {
      if (std::find(section.items.begin(), section.items.end(), item_id) != section.items.end()) return &sheet;
    }
  }
  return nullptr;
}

FormSpec load_form(const std::string& directory, const std::vector<std::string>& library_path) {
  const std::string path = (std::filesystem::path(directory) / "form.json").string();
  const SpecReader reader(path);
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(read_file(path)).extract<Object::Ptr>();
  } catch (const Poco::BadCastException&) {
    reader.fail("JSON", "il documento deve essere un oggetto {...}", "the document must be an object {...}");
  } catch (const Poco::Exception& e) {
    reader.fail("JSON", "sintassi non valida (" + e.displayText() + ")", "invalid syntax (" + e.displayText() + ")");
  }
  if (reader.integer(root, "schema", "") != 1) {
    reader.fail("schema", "versione dello schema non supportata (attesa 1)", "unsupported schema version (1 expected)");
  }
  FormSpec form;
  form.directory = directory;
  form.id = reader.string(root, "id", "", true);
  form.version = reader.string(root, "version", "", true);
  form.code_prefix = reader.string(root, "code_prefix", "");
  if (form.code_prefix.empty()) form.code_prefix = form.id;
  form.year_field = reader.string(root, "year_field", "");
  form.title = reader.text(root, "title", "", true);
  form.reference = reader.string(root, "reference", "");
  form.instructions = reader.strings(root, "instructions", "");
  form.older_versions = reader.strings(root, "older_versions", "");
  if (root->has("lists")) {
    const auto lists = root->getObject("lists");
    for (const auto& [name, value] : *lists) {
      const auto items = reader.array(lists, name, "lists");
      if (!items) reader.fail("lists." + name, "deve essere un elenco", "must be an array");
      auto& out = form.lists[name];
      for (std::size_t i = 0; i < items->size(); ++i) {
        const auto item = reader.object_at(items, i, "lists." + name);
        out.push_back({reader.string(item, "code", "lists." + name), reader.string(item, "label", "lists." + name, true),
                       reader.string(item, "group", "lists." + name), reader.strings(item, "synonyms", "lists." + name)});
      }
    }
  }
  if (auto fields = reader.array(root, "fields", "")) {
    for (std::size_t i = 0; i < fields->size(); ++i) {
      FieldSpec field;
      reader.value_spec(reader.object_at(fields, i, "fields"), "fields[" + std::to_string(i) + "]", field);
      form.fields.push_back(std::move(field));
    }
  }
  if (auto tables = reader.array(root, "tables", "")) {
    for (std::size_t i = 0; i < tables->size(); ++i) {
      const auto t = reader.object_at(tables, i, "tables");
      const std::string where = "tables[" + std::to_string(i) + "]";
      TableSpec table;
      table.id = reader.string(t, "id", where, true);
      table.label = reader.text(t, "label", where, true);
      table.help = reader.text(t, "help", where);
      if (!t->has("key") || !t->isObject("key")) reader.fail(where, "manca \"key\" (la prima colonna)", "\"key\" (the first column) is missing");
      reader.value_spec(t->getObject("key"), where + ".key", table.key);
      if (auto columns = reader.array(t, "columns", where)) {
        for (std::size_t c = 0; c < columns->size(); ++c) {
          const auto col = reader.object_at(columns, c, where + ".columns");
          ColumnSpec column;
          reader.value_spec(col, where + ".columns[" + std::to_string(c) + "]", column);
          column.period_end = reader.date(col, "period_end", where);
          table.columns.push_back(std::move(column));
        }
      }
      table.fixed_rows = reader.strings(t, "fixed_rows", where);
      for (const std::string& label : table.fixed_rows) table.fixed_keys.push_back(normalise_label(label));
      table.blank_rows = static_cast<std::size_t>(reader.integer(t, "blank_rows", where).value_or(0));
      const std::string total = reader.string(t, "total_label", where);
      if (!total.empty()) table.total_label = total;
      table.marks = reader.boolean(t, "marks", where);
      table.cell = reader.cell(t, where);
      table.subtotal_markers = reader.strings(t, "subtotal_markers", where);
      if (table.fixed_rows.empty() && table.blank_rows == 0) {
        reader.fail(where, "una tabella deve avere righe fisse o righe libere", "a table needs fixed rows or blank rows");
      }
      form.tables.push_back(std::move(table));
    }
  }
  if (auto sheets = reader.array(root, "sheets", "")) {
    for (std::size_t i = 0; i < sheets->size(); ++i) {
      const auto s = reader.object_at(sheets, i, "sheets");
      SheetSpec sheet;
      sheet.name = reader.string(s, "name", "sheets[" + std::to_string(i) + "]", true);
      if (auto sections = reader.array(s, "sections", "sheets." + sheet.name)) {
        for (std::size_t k = 0; k < sections->size(); ++k) {
          const auto sec = reader.object_at(sections, k, "sheets." + sheet.name);
          Section section;
          section.title = reader.text(sec, "title", "sheets." + sheet.name, true);
          section.help = reader.text(sec, "help", "sheets." + sheet.name);
          if (auto items = reader.array(sec, "items", "sheets." + sheet.name)) {
            for (std::size_t j = 0; j < items->size(); ++j) section.items.push_back(items->getElement<std::string>(static_cast<unsigned>(j)));
          }
          sheet.sections.push_back(std::move(section));
        }
      }
      form.sheets.push_back(std::move(sheet));
    }
  }
  if (form.sheets.empty()) reader.fail("sheets", "nessun foglio descritto", "no sheet described");
  if (const auto c = reader.object(root, "consolidation", "")) read_consolidation(c, reader, form);
  check_references(form, reader);
  if (!form.year_field.empty() && (!form.field(form.year_field) || form.field(form.year_field)->type != FieldType::integer)) {
    reader.fail("year_field", "\"" + form.year_field + "\" non è un campo di tipo integer", "\"" + form.year_field + "\" is not a field of type integer");
  }
  if (auto rules = reader.array(root, "rules", "")) {
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const std::string where = "rules[" + std::to_string(i) + "]";
      const RuleDefinition definition(form, reader, reader.object_at(rules, i, "rules"), where);
      const RuleFactory make = rule_factory(definition.kind());
      if (!make) {
        definition.fail("tipo di regola sconosciuto \"" + definition.kind() + "\"", "unknown rule kind \"" + definition.kind() + "\"");
      }
      form.rules.push_back(make(definition));
    }
  }
  load_native_rules(root, reader, library_path, form);
  form.own_texts = template_texts(form);
  return form;
}

std::vector<FormSpec> load_forms(const std::string& plugins_dir, const std::vector<std::string>& library_path) {
  std::vector<FormSpec> forms;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(plugins_dir, ec)) {
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "form.json")) forms.push_back(load_form(entry.path().string(), library_path));
  }
  if (ec) {
    throw Error(ErrorCode::invalid_plugin, "cartella dei moduli non leggibile: " + ec.message(),
                "cannot read the plugins folder: " + ec.message(), ErrorLocation{plugins_dir, {}, {}, 0, 0});
  }
  std::sort(forms.begin(), forms.end(), [](const FormSpec& a, const FormSpec& b) { return a.id < b.id; });
  return forms;
}

}  // namespace consolida::forms
