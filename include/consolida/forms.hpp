// Forms: the declarative description of a regional template (a plugin), the values read from
// a filled workbook, and the problems found in them.
//
// Data flows one way: xlsx::Workbook -> FormInstance (extract) -> TypedForm (type_form) ->
// Issues (rules) and figures (consolidation).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consolida/error.hpp"
#include "consolida/registry.hpp"
#include "consolida/values.hpp"
#include "consolida/xlsx.hpp"

namespace consolida::forms {

// A text in both languages; English falls back to Italian when a plugin gives none.
struct Text {
  std::string it;
  std::string en;
  const std::string& in(Lang lang) const { return lang == Lang::en && !en.empty() ? en : it; }
};

// amount: euro in cents; integer: whole count; decimal: a number kept in hundredths (a target
// value "60" or "12,5"); percent: hundredths of a point; choice: one item of a list;
// multi_choice: items of a list marked with X, one row per item.
enum class FieldType { text, integer, decimal, amount, percent, date, yes_no, choice, multi_choice };
std::string_view to_string(FieldType type);

struct ListItem {
  std::string code;   // "A", "D2"
  std::string label;  // "Domiciliarità"
  std::string group;  // for items that belong to another list's item (a key point's macro-area)
  // Other ways clerks write the item, taken as the item without a warning: "numero" for "n.", the wording of
  // the template's own instructions ("OUTCOME/IMPATTO"), the names the seeds use ("ASST Lodi").
  std::vector<std::string> synonyms;
  // What a drop-down shows and what is written in the cell: "A. Contrasto alla povertà ..."
  std::string display() const { return code.empty() ? label : code + ". " + label; }
};

struct ValueSpec {
  std::string id;
  Text label;
  Text help;                      // input message in the template
  FieldType type = FieldType::text;
  bool required = false;
  std::optional<std::size_t> max_words;
  std::optional<std::int64_t> min;  // in the value's unit: cents, units, hundredths of a point
  std::optional<std::int64_t> max;
  std::optional<values::Date> min_date;
  std::optional<values::Date> max_date;
  std::string list;                 // for choice / multi_choice
  bool long_text = false;           // a tall, wrapped input cell
  std::string cell;                 // fixed position ("B5") for forms without defined names
  // Texts accepted instead of a number and kept as a declared state ("In definizione").
  std::vector<std::string> statuses;

  // An integer bounded within calendar years ("Anno di riferimento", 2018..2030): shown as typed,
  // 2024, where a count shows its thousands, 1.234, and told with a year's example.
  bool is_year() const { return type == FieldType::integer && min && max && *min >= 1900 && *max <= 2100; }
};

struct FieldSpec : ValueSpec {};

struct ColumnSpec : ValueSpec {
  std::optional<values::Date> period_end;  // a Gantt column: the last day of its period
};

struct TableSpec {
  std::string id;
  Text label;
  Text help;
  ColumnSpec key;                        // first column: the row's label (activity, role, ...)
  std::vector<ColumnSpec> columns;
  std::vector<std::string> fixed_rows;   // rows given by the form (human resources roles)
  std::size_t blank_rows = 0;            // free rows offered by the template
  std::optional<std::string> total_label;  // "TOT": a total row follows the body
  bool marks = false;                    // cells hold marks ("X"), as in a Gantt chart
  std::string cell;                      // fixed position of the header's first cell, if any
  // Rows whose key contains one of these texts are subtotals of the rows above them (back to the
  // previous subtotal): "(COMPRENDE LE VOCI SOPRA)". They are checked, and never summed again.
  std::vector<std::string> subtotal_markers;
  // Where a column stands in a row of cells: 0 the key, c + 1 the spec column c; nullopt if the
  // table has no such column.
  std::optional<std::size_t> position(std::string_view column_id) const;
  // The fixed row a row's key names, as clerks retype labels (case, accents, spaces); nullopt
  // for a free row.
  std::optional<std::size_t> fixed_row(std::string_view key) const;
  std::vector<std::string> fixed_keys;   // fixed_rows folded for that match, set by load_form
  // A column that is the sum of others on every row (a rule of kind row_sum), as positions in a
  // row of cells; noted by that rule when the form is loaded, so that the template writes it as
  // a formula.
  struct RowSum {
    std::size_t total = 0;
    std::vector<std::size_t> parts;
  };
  std::vector<RowSum> row_sums;
};

enum class Severity { error, warning };
std::string_view to_string(Severity severity, Lang lang);  // "errore bloccante" / "avviso"

// How valid instances of a form add up (consolidate). A breakdown is a set of named amounts per
// ente: the amounts of one column row by row (each fixed row is an item; free rows add up under
// `other_label`), or the sums of several columns.
struct Breakdown {
  std::string id;
  Text title;
  std::string table;
  std::string rows_of_column;
  std::string other_label;
  std::vector<std::string> column_sums;
};

// A whole count summed like the amounts (users served).
struct CountSpec {
  std::string id;
  Text label;
  std::string table;
  std::string column;
};

// One row of a table kept as a record of the consolidation (an indicator of an objective).
struct RecordsSpec {
  std::string table;
  std::string group_column;     // counted by its values in the summary (macro-area)
  std::string kind_column;      // counted too (indicator type)
  std::string expected_column;  // achievement = realised / expected, per record
  std::string achieved_column;
};

struct ConsolidationSpec {
  enum class Ente { none, comune, ambito };
  Ente ente = Ente::none;
  std::string identity_field;  // comune: its ISTAT code; ambito: its name
  std::string name_field;      // comune: its name, shown beside the code
  std::vector<Breakdown> breakdowns;
  std::vector<CountSpec> counts;
  std::optional<RecordsSpec> records;
};

struct Section {
  Text title;
  Text help;
  std::vector<std::string> items;  // field or table ids, in template order
};

struct SheetSpec {
  std::string name;
  std::vector<Section> sections;
};

struct FormInstance;
struct Issue;
class FormSpec;

class Rule;

class FormSpec {
 public:
  std::string id;
  std::string version;
  Text title;
  std::string reference;  // the act that defines the form: "DGR XI/4563 del 19/04/2021"
  std::string code_prefix;  // rule codes made from field attributes start with it: "PREM"
  // The integer field where a file declares the year it reports on ("anno"), checked against the
  // year asked for (validate --anno, a campaign's year); empty when the form has none.
  std::string year_field;
  std::vector<std::string> instructions;
  std::vector<SheetSpec> sheets;
  std::map<std::string, std::vector<ListItem>> lists;
  std::vector<FieldSpec> fields;
  std::vector<TableSpec> tables;
  std::vector<std::shared_ptr<const Rule>> rules;  // declared in form.json ("rules")
  ConsolidationSpec consolidation;
  std::vector<std::string> older_versions;  // recognised, and refused with "scaricare il modello aggiornato"
  std::string directory;                    // the plugin folder
  std::vector<std::shared_ptr<const Rule>> native_rules;  // compiled in plugin libraries ("native_rules")
  // The texts the template itself writes on the form's sheets (labels, headers, titles, list
  // items), as written and folded as labels are matched; set by load_form (see template_texts).
  std::set<std::string> own_texts;

  const FieldSpec* field(std::string_view id) const;
  const TableSpec* table(std::string_view id) const;
  const std::vector<ListItem>* list(std::string_view name) const;
  // Positions in `fields` and `tables`, for rules that resolve their ids once when loaded.
  std::optional<std::size_t> field_index(std::string_view id) const;
  std::optional<std::size_t> table_index(std::string_view id) const;
  // The sheet holding an item (field or table id).
  const SheetSpec* sheet_of(std::string_view item_id) const;
};

// Reads plugins/<id>/form.json and loads the native rule libraries it names, looked up in the
// plugin folder, then in each of `library_path` (a built tree keeps them in build/plugins/<id>).
// Throws Error(invalid_plugin) naming the file and the problem.
FormSpec load_form(const std::string& directory, const std::vector<std::string>& library_path = {});
// Every plugin folder below `plugins_dir`, sorted by id.
std::vector<FormSpec> load_forms(const std::string& plugins_dir, const std::vector<std::string>& library_path = {});

// The item of a form list that a cell's text names: by its display text ("D. Domiciliarità"),
// its label, its code or one of its synonyms, ignoring case, accents and spacing. nullptr if none.
const ListItem* find_list_item(const FormSpec& form, const std::string& list, const std::string& text);

// What a cell's text is in a form list: an item (by display text, label, code or one of its
// synonyms) or, when it is none, the item it most likely means, for a suggestion.
struct ListMatch {
  const ListItem* item = nullptr;
  const ListItem* nearest = nullptr; // no item: the closest one, if a single one stands out
};
ListMatch match_list_item(const FormSpec& form, const std::string& list, const std::string& text);

// How many texts outside a list get a suggestion in one file: finding the nearest item costs
// work per cell, and a file may fill thousands of rows with such texts.
inline constexpr std::size_t kMaxListSuggestions = 50;

// What the template writes on the form's sheets, folded as labels are matched: extraction does not
// take these for something a clerk wrote outside the grid.
std::set<std::string> template_texts(const FormSpec& form);

// A row key that marks a subtotal of the table (see TableSpec::subtotal_markers).
bool is_subtotal(const TableSpec& table, std::string_view key);

// Names of the template's defined names and document properties.
std::string field_name(const std::string& field_id);  // "F_titolo"
std::string table_name(const std::string& table_id);  // "T_risorse_economiche"
inline constexpr const char* kFormProperty = "consolida_modulo";
inline constexpr const char* kVersionProperty = "consolida_versione";
// The defined name the template also carries, "id version": it survives editors that drop
// custom document properties.
inline constexpr const char* kFormDefinedName = "CONSOLIDA_MODULO";

// ---- values read from a workbook -------------------------------------------------------------

struct CellValue {
  xlsx::CellRef ref;
  bool present = false;  // the cell exists in the file (a value or a formula)
  std::string text;      // as shown: text, or the number in Italian form
  std::string lexical;   // numeric cells: the stored number, for exact parsing
  bool numeric = false;
  bool is_date = false;
  bool formula = false;  // the file holds a formula there (its value is the cached result)
  double number = 0;
  std::string number_format;
  bool blank() const;    // nothing written, or only spaces
  // What the file holds: a number's stored digits (an ISTAT code typed as 98031), else the text.
  const std::string& written() const { return numeric ? lexical : text; }
  // A number shown as a percentage: Calc and Excel store "70%" typed there as 0,7.
  bool percent_formatted() const { return numeric && number_format.find('%') != std::string::npos; }
};

struct TableRow {
  std::uint32_t row = 0;                 // 0-based sheet row
  bool subtotal = false;                 // a subtotal row (see TableSpec::subtotal_markers)
  CellValue key;
  std::vector<CellValue> cells;          // in spec column order
  bool filled() const;                   // key or any cell written
};

struct TableInstance {
  bool found = false;
  std::string sheet;
  std::uint32_t header_row = 0;
  std::vector<std::uint32_t> column_cols;  // sheet column of each spec column
  std::vector<CellValue> headers;          // the header cell the file has above each spec column
  std::vector<TableRow> rows;              // body rows
  std::optional<TableRow> total;
  // Columns the template does not have, inside the table or right of it, that hold a header or
  // anything in a body row (a quarter, a year or a date a user added to the Gantt, or marks with
  // no header at all): sheet column and header as shown ("" when there is none).
  std::vector<std::pair<std::uint32_t, std::string>> extra_columns;
  std::vector<std::vector<CellValue>> extra_cells;  // per body row, per extra column
  // When the table is not found: the row that names most of its headers (the key's and at least
  // one column's) and the headers it lacks, so that the report can say why it was not taken.
  struct HeaderMiss {
    std::uint32_t row = 0;
    std::vector<std::string> missing;
  };
  std::optional<HeaderMiss> closest_headers;
};

struct FieldInstance {
  bool found = false;
  std::string sheet;
  CellValue cell;                // the input cell; for a multi_choice, the first option's
  std::vector<TableRow> options; // multi_choice: one row per option, key = option text, cells[0] = mark
};

// A cell of a form sheet that no field or table took and that is not the template's own text (a
// label, a header, a title): what a clerk wrote outside the template's grid.
struct LooseCell {
  std::string sheet;
  CellValue cell;
};

// The sheets a template and an annotated copy write beside the form's own: never a form's data.
inline constexpr std::string_view kOwnSheetNames[] = {"Istruzioni", "Liste", "Problemi", "Problems"};

// How many loose cells a form instance names one by one: data pasted beside a form can hold
// thousands, which are counted rather than each copied, noted and anchored.
inline constexpr std::size_t kMaxLooseCells = 200;

struct FormInstance {
  std::string file;
  bool date1904 = false;
  std::vector<std::string> sheet_names;  // every sheet of the workbook, for messages
  std::string form_id;
  std::string version;  // as declared in the file
  std::map<std::string, FieldInstance> fields;
  std::map<std::string, TableInstance> tables;
  // Written outside the grid: not validated, but the annotated copy says what it leaves out.
  std::vector<LooseCell> loose_cells;  // at most kMaxLooseCells, in sheet order
  std::size_t loose_cells_beyond = 0;  // the ones after those, counted
  // Form sheets read under another name (a clerk renamed the sheet): the form's name -> the file's.
  std::map<std::string, std::string> renamed_sheets;
};

// ---- problems ---------------------------------------------------------------------------------

// A cell of the file: its sheet and A1 address.
struct CellPlace {
  std::string sheet;
  std::string cell;
};

struct Issue {
  std::string code;
  Severity severity = Severity::error;
  std::string sheet;
  std::string cell;   // A1, empty when the problem is not one cell's
  std::string label;  // the field or column label, in Italian
  std::string found;  // the value found, as text
  Text message;
  std::uint32_t row = UINT32_MAX;  // for ordering: the cell's row and column, when there is one
  std::uint32_t col = UINT32_MAX;
  // When no one cell holds the cause (two totals apart), the cells where it can lie, as far as
  // the file tells: the message names them and the annotated copy highlights them.
  std::vector<CellPlace> to_check;
};

struct Report {
  std::string file;
  std::string form_id;
  std::string form_version;
  std::vector<Issue> issues;
  std::size_t errors() const;
  std::size_t warnings() const;
  bool valid() const { return errors() == 0; }
};

// Which form a workbook is: by its document properties, else by `fallback_form`.
// Throws Error(form_unknown / form_outdated) with advice in Italian and English.
const FormSpec& recognise(const xlsx::Workbook& workbook, const std::vector<FormSpec>& forms,
                          const std::string& fallback_form = "");

FormInstance extract(xlsx::Workbook& workbook, const FormSpec& form);
// Types the instance (see typed_form.hpp) and applies every rule of the form. Rules that name
// enti (registry_comune, ...) check them against `registry`.
Report validate(FormInstance instance, const FormSpec& form, const registry::Registry& registry);

// Reading limits for filled-in forms: sheets are loaded whole, so a form file may not expand to
// more than a form needs (32 MiB per part, 128 MiB in all; a premialità sheet is about 100 KB).
xlsx::Limits form_limits();

class TypedForm;
// Opens, recognises, extracts, types and validates one file; `typed_out` receives the form as
// read (the annotated copy and the consolidation use it). Unreadable files raise Error.
Report validate_file(const std::string& path, const std::vector<FormSpec>& forms, const registry::Registry& registry,
                     const std::string& fallback_form = "", TypedForm* typed_out = nullptr);
// The same for a file already in memory; name is the file name shown in messages.
Report validate_bytes(std::string bytes, const std::string& name, const std::vector<FormSpec>& forms,
                      const registry::Registry& registry, const std::string& fallback_form = "", TypedForm* typed_out = nullptr);

}  // namespace consolida::forms
