// Workbook -> FormInstance: finds every field and table of the form in the workbook.
// Defined names written by the template come first (Excel and LibreOffice move them when rows
// are inserted); the label in column A is the fallback for files that lost them.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "common/labels.hpp"
#include "consolida/forms.hpp"
#include "consolida/values.hpp"

namespace consolida::forms {
namespace {

// Rows read at most for one table or one list of options: forms are small, files are not trusted.
constexpr std::uint32_t kMaxRows = 5000;

using xlsx::Cell;
using xlsx::CellRef;
using xlsx::CellType;
using xlsx::Range;
using xlsx::Sheet;

struct Reference {
  std::string sheet;
  Range range;
};

// "'Scheda progetto'!$B$5" or "Foglio1!$A$3:$D$12".
std::optional<Reference> parse_reference(std::string_view formula) {
  if (formula.starts_with("=")) formula.remove_prefix(1);
  const auto bang = formula.rfind('!');
  if (bang == std::string_view::npos) return std::nullopt;
  std::string sheet(formula.substr(0, bang));
  if (sheet.size() >= 2 && sheet.front() == '\'' && sheet.back() == '\'') {
    sheet = sheet.substr(1, sheet.size() - 2);
    std::string unescaped;
    for (std::size_t i = 0; i < sheet.size(); ++i) {
      unescaped += sheet[i];
      if (sheet[i] == '\'' && i + 1 < sheet.size() && sheet[i + 1] == '\'') ++i;
    }
    sheet = unescaped;
  }
  std::string cells;
  for (char c : formula.substr(bang + 1)) {
    if (c != '$') cells += c;
  }
  const auto range = xlsx::parse_range(cells);
  if (!range) return std::nullopt;
  return Reference{sheet, *range};
}

std::string number_text(const Cell& cell) {
  // The lexical value is what the file stores; keep it, the validator formats by type.
  return cell.text.empty() ? std::to_string(cell.number) : cell.text;
}

class Extractor {
 public:
  Extractor(xlsx::Workbook& workbook, const FormSpec& form) : workbook_(workbook), form_(form) {}

  FormInstance run() {
    FormInstance instance;
    instance.file = workbook_.path();
    instance.form_id = form_.id;
    instance.date1904 = workbook_.date1904();
    for (const xlsx::SheetInfo& info : workbook_.sheets()) instance.sheet_names.push_back(info.name);
    if (const auto* p = workbook_.find_custom_property(kVersionProperty)) instance.version = p->value;
    for (const FieldSpec& field : form_.fields) instance.fields[field.id] = extract_field(field);
    for (const TableSpec& table : form_.tables) instance.tables[table.id] = extract_table(table);
    instance.renamed_sheets = renamed_;
    instance.loose_cells = loose_cells(instance.loose_cells_beyond);
    return instance;
  }

 private:
  const Sheet* sheet(const std::string& name) {
    const auto cached = sheets_.find(name);
    if (cached != sheets_.end()) return cached->second.get();
    const xlsx::SheetInfo* info = workbook_.find_sheet(name);
    if (!info && (info = stand_in(name))) renamed_[name] = info->name;
    std::unique_ptr<Sheet> loaded;
    if (info && info->kind == xlsx::SheetKind::worksheet) loaded = std::make_unique<Sheet>(workbook_.load_sheet(*info, xlsx::SheetReading{.data_validations = false}));
    return (sheets_[name] = std::move(loaded)).get();
  }

  // The sheet a clerk renamed: when exactly one sheet of the form is missing and exactly one
  // worksheet of the file is neither a form sheet nor one the template adds, that one is read in
  // its place (the problem says so), so that the rest of the file is checked all the same.
  const xlsx::SheetInfo* stand_in(const std::string& name) const {
    std::size_t missing = 0;
    bool this_one = false;
    for (const SheetSpec& spec : form_.sheets) {
      if (workbook_.find_sheet(spec.name)) continue;
      ++missing;
      this_one = this_one || spec.name == name;
    }
    const xlsx::SheetInfo* other = nullptr;
    for (const xlsx::SheetInfo& info : workbook_.sheets()) {
      const bool own = std::find(std::begin(kOwnSheetNames), std::end(kOwnSheetNames), info.name) != std::end(kOwnSheetNames);
      const bool of_the_form = std::any_of(form_.sheets.begin(), form_.sheets.end(), [&](const SheetSpec& s) { return s.name == info.name; });
      if (info.kind != xlsx::SheetKind::worksheet || own || of_the_form) continue;
      if (other) return nullptr;
      other = &info;
    }
    return missing == 1 && this_one ? other : nullptr;
  }

  // A cell a field or table reads: taken, so that it is not listed as written outside the grid.
  CellValue value_at(const Sheet& sheet, CellRef ref) {
    taken_[&sheet].push_back(packed(ref));
    return read_cell(sheet, ref);
  }

  CellValue read_cell(const Sheet& sheet, CellRef ref) const {
    CellValue value;
    value.ref = ref;
    const Cell* cell = sheet.cell(ref);
    if (!cell) return value;
    value.present = true;
    value.formula = cell->has_formula;
    switch (cell->type) {
      case CellType::string:
      case CellType::error:
        value.text = cell->text;
        break;
      case CellType::boolean:
        value.text = cell->number != 0 ? "SI" : "NO";
        break;
      case CellType::number:
      case CellType::date:
        value.numeric = true;
        value.is_date = cell->type == CellType::date;
        value.number = cell->number;
        value.lexical = number_text(*cell);
        value.text = value.lexical;
        value.number_format = std::string(workbook_.number_format(cell->style));
        break;
      case CellType::empty:
        break;
    }
    return value;
  }

  std::optional<Reference> defined(const std::string& name) {
    const xlsx::DefinedName* defined = workbook_.find_defined_name(name);
    if (!defined) return std::nullopt;
    return parse_reference(defined->formula);
  }

  // The row of column A holding the label, searching the whole sheet.
  std::optional<std::uint32_t> find_label_row(const Sheet& sheet, const Text& label, std::uint32_t from_row = 0) {
    const std::string wanted = normalise_label(label.it);
    for (const Cell& cell : sheet.cells()) {
      if (cell.col != 0 || cell.row < from_row || cell.type != CellType::string) continue;
      if (labels_match(normalise_label(cell.text), wanted)) return cell.row;
    }
    return std::nullopt;
  }

  FieldInstance extract_field(const FieldSpec& field) {
    FieldInstance out;
    const SheetSpec* spec_sheet = form_.sheet_of(field.id);
    if (!spec_sheet) return out;
    std::optional<Reference> ref = defined(field_name(field.id));
    const Sheet* target = ref ? sheet(ref->sheet) : nullptr;
    if (!target && !field.cell.empty()) {
      target = sheet(spec_sheet->name);
      if (!target) return out;
      const CellRef at = *xlsx::parse_a1(field.cell);
      ref = Reference{spec_sheet->name, Range{at, at}};
    }
    if (!target) {
      ref.reset();
      target = sheet(spec_sheet->name);
      if (!target) return out;
      const auto row = find_label_row(*target, field.label);
      if (!row) return out;
      if (field.type == FieldType::multi_choice) {
        // Options follow the label, one per row, until a row with nothing in column A.
        std::uint32_t last = *row;
        while (target->cell(CellRef{last + 1, 0}) != nullptr) ++last;
        if (last == *row) return out;
        ref = Reference{spec_sheet->name, Range{{*row + 1, 0}, {last, 1}}};
      } else {
        ref = Reference{spec_sheet->name, Range{{*row, 1}, {*row, 1}}};
      }
    }
    out.found = true;
    out.sheet = target->name();
    out.cell = value_at(*target, ref->range.first);
    if (field.type == FieldType::multi_choice) {
      // A list has a few dozen items; a name spanning a whole sheet is not read row by row.
      const std::uint32_t last = std::min(ref->range.last.row, ref->range.first.row + kMaxRows);
      for (std::uint32_t r = ref->range.first.row; r <= last; ++r) {
        TableRow row;
        row.row = r;
        row.key = value_at(*target, CellRef{r, ref->range.first.col});
        row.cells.push_back(value_at(*target, CellRef{r, ref->range.last.col}));
        out.options.push_back(std::move(row));
      }
    }
    return out;
  }

  // A header as the clerk sees it: a date as a date, a number as written.
  std::string shown(const CellValue& cell) const {
    if (cell.is_date) {
      const auto dt = xlsx::serial_to_datetime(cell.number, workbook_.date1904());
      if (dt && dt->year > 0) return values::to_string(values::Date{dt->year, dt->month, dt->day});
    }
    return cell.text;
  }

  struct HeaderRow {
    std::uint32_t row = 0;
    std::uint32_t key_col = 0;
    std::vector<std::string> missing;  // column labels not found right of the key's header
  };

  // The rows from `from_row` to `to_row` that hold the table's headers: a cell naming the key, and
  // cells right of it naming the columns, in any order. The first row naming them all, if any;
  // else the one naming the most (at least one column besides the key), for the report.
  std::pair<std::optional<HeaderRow>, std::optional<HeaderRow>> find_header_row(const Sheet& sheet, const TableSpec& table,
                                                                                  std::uint32_t from_row,
                                                                                  std::uint32_t to_row = UINT32_MAX) {
    std::map<std::uint32_t, std::vector<std::pair<std::uint32_t, std::string>>> texts;  // row -> (col, folded text)
    for (const Cell& cell : sheet.cells()) {
      if (cell.row >= from_row && cell.row <= to_row && cell.type == CellType::string) {
        texts[cell.row].emplace_back(cell.col, normalise_label(cell.text));
      }
    }
    const std::string key = normalise_label(table.key.label.it);
    std::optional<HeaderRow> closest;
    for (const auto& [row, cells] : texts) {
      for (const auto& [key_col, key_text] : cells) {
        if (!labels_match(key_text, key)) continue;
        HeaderRow found{row, key_col, {}};
        std::set<std::uint32_t> used;
        for (const ColumnSpec& column : table.columns) {
          const std::string wanted = normalise_label(column.label.it);
          const auto hit = std::find_if(cells.begin(), cells.end(), [&](const auto& c) {
            return c.first > key_col && !used.count(c.first) && labels_match(c.second, wanted);
          });
          if (hit == cells.end()) {
            found.missing.push_back(column.label.it);
          } else {
            used.insert(hit->first);
          }
        }
        if (found.missing.empty()) return {found, std::nullopt};
        if (found.missing.size() < table.columns.size() && (!closest || found.missing.size() < closest->missing.size())) closest = found;
      }
    }
    return {std::nullopt, closest};
  }

  TableInstance extract_table(const TableSpec& table) {
    TableInstance out;
    const SheetSpec* spec_sheet = form_.sheet_of(table.id);
    if (!spec_sheet) return out;
    std::optional<Reference> ref = defined(table_name(table.id));
    const Sheet* target = ref ? sheet(ref->sheet) : nullptr;
    std::uint32_t header_row = 0;
    std::optional<std::uint32_t> last_row;
    std::uint32_t first_col = 0;
    if (target) {
      header_row = ref->range.first.row;
      last_row = ref->range.last.row;
      first_col = ref->range.first.col;
    } else if (!table.cell.empty() && (target = sheet(spec_sheet->name))) {
      const CellRef at = *xlsx::parse_a1(table.cell);
      header_row = at.row;
      first_col = at.col;
    } else {
      target = sheet(spec_sheet->name);
      if (!target) return out;
      // Below its title in column A, the table's headers: the row under the title when it names the
      // key (a header edited there is reported, not looked for in a copy pasted further down), else
      // one of the next few rows. A table typed again from scratch (no title) is found by its
      // headers alone when they all match the template's.
      constexpr std::uint32_t kHeaderRowsBelowTitle = 5;
      const auto label_row = find_label_row(*target, table.label);
      auto [headers, closest] = std::pair<std::optional<HeaderRow>, std::optional<HeaderRow>>();
      if (!table.columns.empty() && label_row) {
        std::tie(headers, closest) = find_header_row(*target, table, *label_row + 1, *label_row + 1);
        if (!headers && closest) headers = closest;  // the key under the title: this is the table
        if (!headers) std::tie(headers, closest) = find_header_row(*target, table, *label_row + 2, *label_row + 1 + kHeaderRowsBelowTitle);
      } else if (!table.columns.empty()) {
        std::tie(headers, closest) = find_header_row(*target, table, 0);
      }
      if (headers) {
        header_row = headers->row;
        first_col = headers->key_col;
      } else if (label_row) {
        header_row = *label_row + 1;
      } else {
        if (closest) out.closest_headers = TableInstance::HeaderMiss{closest->row, closest->missing};
        return out;
      }
    }
    out.found = true;
    out.sheet = target->name();
    out.header_row = header_row;
    // Columns are matched by their header text, so that a moved column is still read right.
    std::map<std::uint32_t, std::string> headers;
    for (const Cell& cell : target->cells()) {
      if (cell.row == header_row && cell.col > first_col && cell.type == CellType::string) headers[cell.col] = cell.text;
    }
    // Positions come from the file (a defined name may point anywhere), so no fixed-size bookkeeping.
    std::uint32_t next_col = first_col + 1;
    std::set<std::uint32_t> used;
    for (const ColumnSpec& column : table.columns) {
      std::optional<std::uint32_t> found;
      const std::string wanted = normalise_label(column.label.it);
      for (const auto& [col, text] : headers) {
        if (!used.count(col) && labels_match(normalise_label(text), wanted)) {
          found = col;
          break;
        }
      }
      const std::uint32_t col = found.value_or(next_col);
      used.insert(col);
      out.column_cols.push_back(col);
      CellValue header = value_at(*target, CellRef{header_row, col});
      if (header.is_date) header.text = shown(header);
      out.headers.push_back(std::move(header));
      next_col = col + 1;
    }
    const std::string total = table.total_label ? normalise_label(*table.total_label) : std::string();
    std::uint32_t blank_run = 0;
    for (std::uint32_t r = header_row + 1;; ++r) {
      if (last_row && r > *last_row) break;
      TableRow row;
      row.row = r;
      row.key = value_at(*target, CellRef{r, first_col});
      for (std::uint32_t col : out.column_cols) row.cells.push_back(value_at(*target, CellRef{r, col}));
      if (!total.empty() && !row.key.blank() && normalise_label(row.key.text) == total) {
        out.total = std::move(row);
        break;
      }
      if (!row.key.blank()) row.subtotal = is_subtotal(table, row.key.text);
      if (!last_row) {
        // Without a defined range the table ends at two empty rows or at the next label.
        if (!row.filled()) {
          if (++blank_run == 2) break;
          continue;
        }
        blank_run = 0;
        if (row.key.present && is_other_label(row.key.text, table)) break;
      }
      out.rows.push_back(std::move(row));
      if (r - header_row > kMaxRows) break;  // a form table, not a data sheet
    }
    extra_columns(*target, first_col, used, out);
    return out;
  }

  // The columns of the table's rows that the template does not have: inside the table (a column
  // inserted between two of the template's) or right of it, up to kMaxExtraColumns past the last
  // known one, each with a header or something written in a body row.
  void extra_columns(const Sheet& sheet, std::uint32_t first_col, const std::set<std::uint32_t>& used, TableInstance& out) {
    constexpr std::uint32_t kMaxExtraColumns = 16;
    const std::uint32_t last_known_col = used.empty() ? first_col : *used.rbegin();
    std::set<std::uint32_t> body_rows;
    for (const TableRow& row : out.rows) body_rows.insert(row.row);
    std::set<std::uint32_t> extra;
    for (const Cell& cell : sheet.cells()) {
      if (cell.col <= first_col || cell.col > last_known_col + kMaxExtraColumns || used.count(cell.col) || extra.count(cell.col)) continue;
      if (cell.row != out.header_row && !body_rows.count(cell.row)) continue;
      if (!value_at(sheet, CellRef{cell.row, cell.col}).blank()) extra.insert(cell.col);
    }
    for (std::uint32_t col : extra) out.extra_columns.emplace_back(col, shown(value_at(sheet, CellRef{out.header_row, col})));
    for (const TableRow& row : out.rows) {
      std::vector<CellValue> cells;
      for (std::uint32_t col : extra) cells.push_back(value_at(sheet, CellRef{row.row, col}));
      out.extra_cells.push_back(std::move(cells));
    }
  }

  static std::uint64_t packed(CellRef ref) { return (static_cast<std::uint64_t>(ref.row) << 32) | ref.col; }

  // Every written cell of the form's sheets that no field or table read and that is not one of the
  // template's texts, in sheet order: the first kMaxLooseCells, the rest counted in `beyond`.
  std::vector<LooseCell> loose_cells(std::size_t& beyond) {
    std::vector<LooseCell> out;
    std::set<std::string> template_texts;
    for (const SheetSpec& spec : form_.sheets) {
      const auto loaded = sheets_.find(spec.name);
      if (loaded == sheets_.end() || !loaded->second) continue;
      const Sheet& sheet = *loaded->second;
      std::vector<std::uint64_t>& taken = taken_[&sheet];
      std::sort(taken.begin(), taken.end());
      for (const Cell& cell : sheet.cells()) {
        if (cell.type == CellType::empty || std::binary_search(taken.begin(), taken.end(), packed(CellRef{cell.row, cell.col}))) continue;
        CellValue value = read_cell(sheet, CellRef{cell.row, cell.col});
        if (value.blank()) continue;
        if (!value.numeric) {
          // Forms loaded by load_form carry their texts; one described in code is folded here.
          if (form_.own_texts.empty() && template_texts.empty()) template_texts = forms::template_texts(form_);
          const std::set<std::string>& own = form_.own_texts.empty() ? template_texts : form_.own_texts;
          if (own.count(value.text) || own.count(normalise_label(value.text))) continue;
        }
        if (out.size() == kMaxLooseCells) {
          ++beyond;
        } else {
          out.push_back(LooseCell{sheet.name(), std::move(value)});
        }
      }
    }
    return out;
  }

  bool is_other_label(const std::string& text, const TableSpec& self) {
    const std::string normalised = normalise_label(text);
    for (const FieldSpec& f : form_.fields) {
      if (labels_match(normalised, normalise_label(f.label.it))) return true;
    }
    for (const TableSpec& t : form_.tables) {
      if (&t != &self && labels_match(normalised, normalise_label(t.label.it))) return true;
    }
    return false;
  }

  xlsx::Workbook& workbook_;
  const FormSpec& form_;
  std::map<std::string, std::unique_ptr<Sheet>> sheets_;
  std::map<std::string, std::string> renamed_;
  std::map<const Sheet*, std::vector<std::uint64_t>> taken_;  // cells read for fields and tables, packed
};

}  // namespace

bool CellValue::blank() const {
  if (!present) return true;
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool TableRow::filled() const {
  return !key.blank() || std::any_of(cells.begin(), cells.end(), [](const CellValue& c) { return !c.blank(); });
}

std::set<std::string> template_texts(const FormSpec& form) {
  std::set<std::string> out;
  auto add = [&](const Text& text) {
    out.insert(text.it);  // as the template writes it, found without folding
    out.insert(normalise_label(text.it));
    if (!text.en.empty()) out.insert(normalise_label(text.en));
  };
  add(form.title);
  out.insert(normalise_label(form.reference));
  out.insert(normalise_label("Segnare con X"));
  out.insert(normalise_label("Mark with X"));
  for (const SheetSpec& sheet : form.sheets) {
    for (const Section& section : sheet.sections) add(section.title);
  }
  for (const FieldSpec& field : form.fields) add(field.label);
  for (const auto& [name, items] : form.lists) {
    for (const ListItem& item : items) {
      out.insert(item.display());
      out.insert(normalise_label(item.display()));
    }
  }
  for (const TableSpec& table : form.tables) {
    add(table.label);
    add(table.help);
    add(table.key.label);
    for (const ColumnSpec& column : table.columns) add(column.label);
    for (const std::string& row : table.fixed_rows) {
      out.insert(row);
      out.insert(normalise_label(row));
    }
    if (table.total_label) out.insert(normalise_label(*table.total_label));
  }
  return out;
}

bool is_subtotal(const TableSpec& table, std::string_view key) {
  if (table.subtotal_markers.empty()) return false;
  const std::string normalised = normalise_label(key);
  return std::any_of(table.subtotal_markers.begin(), table.subtotal_markers.end(),
                     [&](const std::string& marker) { return normalised.find(normalise_label(marker)) != std::string::npos; });
}

FormInstance extract(xlsx::Workbook& workbook, const FormSpec& form) {
  return Extractor(workbook, form).run();
}

}  // namespace consolida::forms
