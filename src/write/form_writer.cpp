// Renders a form description as a workbook, optionally with values and problem marks.
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "consolida/values.hpp"
#include "consolida/write.hpp"
#include "consolida/typed_form.hpp"
#include "write/cell_text.hpp"

namespace consolida::write {
namespace {

using forms::FieldType;

constexpr lxw_col_t kLastCol = 9;  // inputs span B:J
constexpr double kLongTextHeight = 110;
constexpr double kLabelWidth = 50;  // characters
constexpr double kInputWidth = 16;  // an amount up to 9.999.999,99 €
constexpr double kMaxListWidth = 40;  // a drop-down column; longer items wrap in the cell

std::string quote_sheet(const std::string& name) {
  std::string out = "'";
  for (char c : name) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// At most max_chars characters of UTF-8 text, never cutting a character in two (Excel limits
// validation titles to 32 characters and messages to 255).
std::string truncate_utf8(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) return text.substr(0, i);
  }
  return text;
}

std::string col_letter(lxw_col_t col) { return xlsx::column_name(col); }

std::string absolute(lxw_row_t row, lxw_col_t col) { return "$" + col_letter(col) + "$" + std::to_string(row + 1); }

class Renderer {
 public:
  Renderer(const forms::FormSpec& form, const std::string& path, const forms::TypedForm* typed, const forms::Report* report,
           Lang lang)
      : form_(form), typed_(typed), instance_(typed ? &typed->instance() : nullptr), report_(report), lang_(lang) {
    lxw_workbook_options options{};
    workbook_ = workbook_new_opt(path.c_str(), &options);
    if (!workbook_) fail("impossibile creare il file", "cannot create the file", path);
    path_ = path;
    make_formats();
    if (report_) index_issues();
  }

  ~Renderer() {
    if (workbook_) workbook_close(workbook_);
  }

  void render() {
    write_instructions();
    // The problem list comes second but is filled last, once every cell's place in this copy is known.
    lxw_worksheet* problems = report_ ? workbook_add_worksheet(workbook_, lang_ == Lang::it ? "Problemi" : "Problems") : nullptr;
    lists_sheet_ = workbook_add_worksheet(workbook_, "Liste");
    write_lists();
    for (const forms::SheetSpec& sheet : form_.sheets) write_sheet(sheet);
    if (problems) write_problem_sheet(problems);
    worksheet_hide(lists_sheet_);
    set_properties();
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) fail("scrittura non riuscita", "writing failed", lxw_strerror(error));
  }

 private:
  [[noreturn]] void fail(const std::string& it, const std::string& en, const std::string& detail) const {
    throw Error(ErrorCode::io, it + " (" + detail + ")", en + " (" + detail + ")", ErrorLocation{path_, {}, {}, 0, 0});
  }

  void make_formats() {
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    section_ = workbook_add_format(workbook_);
    format_set_bold(section_);
    format_set_font_color(section_, LXW_COLOR_WHITE);
    format_set_bg_color(section_, 0x1F4E79);
    label_ = workbook_add_format(workbook_);
    format_set_text_wrap(label_);
    format_set_align(label_, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(label_, 0xF2F2F2);
    format_set_border(label_, LXW_BORDER_THIN);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_border(header_, LXW_BORDER_THIN);
    for (int state = 0; state < 3; ++state) {  // 0 plain, 1 error, 2 warning
      const lxw_color_t fill = state == 0 ? LXW_COLOR_WHITE : state == 1 ? 0xFFC7CE : 0xFFEB9C;
      auto make = [&](const char* number_format, bool wrap) {
        lxw_format* f = workbook_add_format(workbook_);
        format_set_unlocked(f);
        format_set_border(f, LXW_BORDER_THIN);
        format_set_bg_color(f, fill);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        if (wrap) format_set_text_wrap(f);
        if (number_format) format_set_num_format(f, number_format);
        return f;
      };
      input_[state] = make(nullptr, true);
      amount_[state] = make("#,##0.00 \"€\"", false);
      date_[state] = make("dd/mm/yyyy", false);
      // A decimal keeps the General format: Calc and Excel then record what the clerk typed,
      // "70%" as a percent-formatted 0,7 and "8/10" as a date, both recognisable when read; in a
      // cell with a number format of its own Calc stores plain 0,7 and 46.303.
      number_[state] = make(nullptr, false);
      // "#,##0.##" would show a year as 2.024 and a count of 12 as "12,".
      count_[state] = make("#,##0", false);
      year_[state] = make("0", false);
      // Text as typed: a code with leading zeros (ISTAT 098031) is not turned into a number.
      text_[state] = make("@", true);
    }
    for (lxw_format** total : {&total_, &total_count_}) {
      *total = workbook_add_format(workbook_);
      format_set_bold(*total);
      format_set_num_format(*total, total == &total_ ? "#,##0.00 \"€\"" : "#,##0");
      format_set_bg_color(*total, 0xF2F2F2);
      format_set_border(*total, LXW_BORDER_THIN);
    }
    wrap_ = workbook_add_format(workbook_);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
  }

  void index_issues() {
    for (const forms::Issue& issue : report_->issues) {
      if (issue.cell.empty()) continue;
      auto& slot = issues_[{issue.sheet, issue.cell}];
      slot.push_back(&issue);
    }
  }

  void write_instructions() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Istruzioni");
    worksheet_set_column(ws, 0, 0, 110, wrap_);
    worksheet_write_string(ws, 0, 0, form_.title.in(lang_).c_str(), title_);
    worksheet_write_string(ws, 1, 0, form_.reference.c_str(), nullptr);
    const std::string version = "Modello " + form_.id + ", versione " + form_.version;
    worksheet_write_string(ws, 2, 0, version.c_str(), nullptr);
    lxw_row_t row = 4;
    for (const std::string& line : form_.instructions) worksheet_write_string(ws, row++, 0, ("• " + line).c_str(), wrap_);
  }

  void write_problem_sheet(lxw_worksheet* ws) {
    const bool it = lang_ == Lang::it;
    worksheet_set_column(ws, 0, 0, 16, nullptr);
    worksheet_set_column(ws, 1, 1, 18, nullptr);
    worksheet_set_column(ws, 2, 2, 12, nullptr);
    worksheet_set_column(ws, 3, 3, 80, wrap_);
    worksheet_set_column(ws, 4, 5, 22, nullptr);
    const char* headers[] = {it ? "Gravità" : "Severity",          it ? "Foglio" : "Sheet",
                             it ? "Cella (vai)" : "Cell (go to)",  it ? "Messaggio" : "Message",
                             it ? "Codice" : "Code",               it ? "Cella nel file inviato" : "Cell in the uploaded file"};
    for (lxw_col_t c = 0; c < 6; ++c) worksheet_write_string(ws, 0, c, headers[c], header_);
    lxw_row_t row = 1;
    for (const forms::Issue& issue : report_->issues) {
      worksheet_write_string(ws, row, 0, std::string(forms::to_string(issue.severity, lang_)).c_str(), nullptr);
      worksheet_write_string(ws, row, 1, issue.sheet.c_str(), nullptr);
      const auto here = rendered_.find({issue.sheet, issue.cell});
      if (here != rendered_.end()) {
        const std::string link = "internal:" + quote_sheet(issue.sheet) + "!" + here->second;
        worksheet_write_url_opt(ws, row, 2, link.c_str(), nullptr, here->second.c_str(), nullptr);
      }
      worksheet_write_string(ws, row, 3, issue.message.in(lang_).c_str(), wrap_);
      worksheet_write_string(ws, row, 4, issue.code.c_str(), nullptr);
      worksheet_write_string(ws, row, 5, issue.cell.c_str(), nullptr);
      fit_row(ws, row, issue.message.in(lang_), 80);
      ++row;
    }
    if (report_->issues.empty()) worksheet_write_string(ws, 1, 3, it ? "Nessun problema: il file è valido." : "No problems: the file is valid.", nullptr);
    print_setup(ws);
  }

  // libxlsxwriter does not size rows to wrapped text; give a row the lines its longest text needs.
  static void fit_row(lxw_worksheet* ws, lxw_row_t row, const std::string& text, double width_chars) {
    const double lines = std::ceil(static_cast<double>(utf8_length(text)) / (width_chars * 0.95));
    if (lines > 1) worksheet_set_row(ws, row, 15.0 * lines, nullptr);
  }

  static void print_setup(lxw_worksheet* ws) {
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  // A4
    worksheet_fit_to_pages(ws, 1, 0);
  }

  void write_lists() {
    lxw_col_t col = 0;
    for (const auto& [name, items] : form_.lists) {
      worksheet_write_string(lists_sheet_, 0, col, name.c_str(), header_);
      lxw_row_t row = 1;
      for (const forms::ListItem& item : items) worksheet_write_string(lists_sheet_, row++, col, item.display().c_str(), nullptr);
      const std::string ref = "=Liste!" + absolute(1, col) + ":" + absolute(row - 1, col);
      workbook_define_name(workbook_, ("L_" + name).c_str(), ref.c_str());
      ++col;
    }
  }

  // The problems of a cell read from the file (null: nothing read); 0 none, 1 error, 2 warnings only.
  int problem_state(const std::string& sheet, const forms::CellValue* original) const {
    if (!report_ || !original) return 0;
    const auto it = issues_.find({sheet, xlsx::to_a1(original->ref)});
    if (it == issues_.end()) return 0;
    for (const forms::Issue* issue : it->second) {
      if (issue->severity == forms::Severity::error) return 1;
    }
    return 2;
  }

  void comment(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& sheet, const forms::CellValue* original) {
    if (!report_ || !original) return;
    rendered_[{sheet, xlsx::to_a1(original->ref)}] = xlsx::to_a1(xlsx::CellRef{row, col});
    const auto it = issues_.find({sheet, xlsx::to_a1(original->ref)});
    if (it == issues_.end()) return;
    std::string text;
    for (const forms::Issue* issue : it->second) {
      text += (text.empty() ? "" : "\n") + std::string(forms::to_string(issue->severity, lang_)) + " " + issue->code + ": " +
              issue->message.in(lang_);
    }
    lxw_comment_options options{};
    options.author = const_cast<char*>("consolida");
    options.width = 420;
    options.height = 120;
    worksheet_write_comment_opt(ws, row, col, text.c_str(), &options);
  }

  lxw_format* input_format(const forms::ValueSpec& spec, int state) {
    switch (spec.type) {
      case FieldType::amount: return amount_[state];
      case FieldType::date: return date_[state];
      case FieldType::text: return text_[state];
      case FieldType::integer: return spec.is_year() ? year_[state] : count_[state];
      case FieldType::decimal:
      case FieldType::percent: return number_[state];
      default: return input_[state];
    }
  }

  // A cell read from the file (or a blank input when null), with the comment of its problems.
  void place(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& sheet, const forms::CellValue* value,
             lxw_format* f) {
    write_value(ws, row, col, value, f);
    comment(ws, row, col, sheet, value);
  }

  // Writes a value read from a file back in the same shape: numbers as numbers, text as text.
  void write_value(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const forms::CellValue* value, lxw_format* f) {
    if (!value || value->blank()) {
      worksheet_write_blank(ws, row, col, f);
    } else if (value->numeric) {
      worksheet_write_number(ws, row, col, value->number, f);
    } else {
      worksheet_write_string(ws, row, col, value->text.c_str(), f);
    }
  }

  void validation(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const forms::ValueSpec& spec) {
    lxw_data_validation dv{};
    std::string source;
    std::string title = truncate_utf8(spec.label.in(lang_), 32);
    std::string message = truncate_utf8(spec.help.in(lang_), 255);
    if (spec.type == FieldType::choice) {
      dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
      source = "=L_" + spec.list;
      dv.value_formula = const_cast<char*>(source.c_str());
      dv.error_title = const_cast<char*>("Voce non ammessa");
      dv.error_message = const_cast<char*>("Scegliere una voce dall'elenco a discesa.");
    } else if (spec.type == FieldType::yes_no) {
      static char yes[] = "SI";
      static char no[] = "NO";
      static char* yes_no[] = {yes, no, nullptr};  // libxlsxwriter takes char**
      dv.validate = LXW_VALIDATION_TYPE_LIST;
      dv.value_list = yes_no;
    } else if (spec.type == FieldType::amount && spec.min) {
      dv.validate = LXW_VALIDATION_TYPE_DECIMAL;
      dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
      dv.value_number = static_cast<double>(*spec.min) / 100.0;
      dv.error_title = const_cast<char*>("Importo non valido");
      dv.error_message = const_cast<char*>("Scrivere un importo in euro, non negativo (es. 1.234,56).");
    } else if (!message.empty()) {
      dv.validate = LXW_VALIDATION_TYPE_ANY;
    } else {
      return;
    }
    if (!message.empty()) {
      dv.input_title = const_cast<char*>(title.c_str());
      dv.input_message = const_cast<char*>(message.c_str());
    }
    dv.ignore_blank = LXW_VALIDATION_ON;
    worksheet_data_validation_cell(ws, row, col, &dv);
  }

  void write_sheet(const forms::SheetSpec& sheet) {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, sheet.name.c_str());
    widths_ = column_widths(sheet);
    for (std::size_t c = 0; c < widths_.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths_[c], nullptr);
    }
    print_setup(ws);
    worksheet_write_string(ws, 0, 0, form_.title.in(lang_).c_str(), title_);
    worksheet_write_string(ws, 1, 0, form_.reference.c_str(), nullptr);
    lxw_row_t row = 3;
    for (const forms::Section& section : sheet.sections) {
      worksheet_merge_range(ws, row, 0, row, kLastCol, section.title.in(lang_).c_str(), section_);
      row += 1;
      for (const std::string& item : section.items) {
        if (const forms::FieldSpec* field = form_.field(item)) {
          row = field->type == FieldType::multi_choice ? write_multi_choice(ws, sheet, *field, row) : write_field(ws, sheet, *field, row);
        } else if (const forms::TableSpec* table = form_.table(item)) {
          row = write_table(ws, sheet, *table, row);
        }
      }
      row += 1;
    }
    lxw_protection protection{};
    protection.insert_rows = 1;
    protection.delete_rows = 1;
    protection.format_columns = 1;
    protection.format_rows = 1;
    worksheet_protect(ws, nullptr, &protection);
    worksheet_activate(ws);
  }

  // The columns of a sheet, shared by the fields and tables below each other: the labels, then
  // inputs as wide as the widest need of any table there: a header wrapping only between words,
  // a drop-down showing its longest item (up to kMaxListWidth, longer ones wrap).
  std::vector<double> column_widths(const forms::SheetSpec& sheet) const {
    std::vector<double> widths(kLastCol + 1, kInputWidth);
    widths[0] = kLabelWidth;
    for (const forms::Section& section : sheet.sections) {
      for (const std::string& item : section.items) {
        const forms::TableSpec* table = form_.table(item);
        if (!table) continue;
        if (widths.size() < table->columns.size() + 1) widths.resize(table->columns.size() + 1, kInputWidth);
        for (std::size_t c = 0; c < table->columns.size(); ++c) {
          const forms::ColumnSpec& column = table->columns[c];
          double& width = widths[c + 1];
          width = std::max(width, header_width(column.label.in(lang_)));
          if (column.type != FieldType::choice) continue;
          std::size_t longest = 0;
          for (const forms::ListItem& option : *form_.list(column.list)) longest = std::max(longest, utf8_length(option.display()));
          width = std::max(width, std::min(kMaxListWidth, static_cast<double>(longest) + 2));
        }
      }
    }
    return widths;
  }

  const forms::FieldInstance* field_instance(const std::string& id) const {
    if (!instance_) return nullptr;
    const auto it = instance_->fields.find(id);
    return it == instance_->fields.end() || !it->second.found ? nullptr : &it->second;
  }

  const forms::TableInstance* table_instance(const std::string& id) const {
    if (!instance_) return nullptr;
    const auto it = instance_->tables.find(id);
    return it == instance_->tables.end() || !it->second.found ? nullptr : &it->second;
  }

  lxw_row_t write_field(lxw_worksheet* ws, const forms::SheetSpec& sheet, const forms::FieldSpec& field, lxw_row_t row) {
    worksheet_write_string(ws, row, 0, field.label.in(lang_).c_str(), label_);
    fit_row(ws, row, field.label.in(lang_), kLabelWidth);
    const forms::FieldInstance* found = field_instance(field.id);
    const forms::CellValue* value = found ? &found->cell : nullptr;
    const std::string& original_sheet = found ? found->sheet : sheet.name;
    lxw_format* f = input_format(field, problem_state(original_sheet, value));
    // A merged input keeps long answers readable; its first cell holds the value.
    worksheet_merge_range(ws, row, 1, row, kLastCol, "", f);
    place(ws, row, 1, original_sheet, value, f);
    validation(ws, row, 1, field);
    if (field.long_text) worksheet_set_row(ws, row, kLongTextHeight, nullptr);
    workbook_define_name(workbook_, forms::field_name(field.id).c_str(), ("=" + quote_sheet(sheet.name) + "!" + absolute(row, 1)).c_str());
    return row + 1;
  }

  lxw_row_t write_multi_choice(lxw_worksheet* ws, const forms::SheetSpec& sheet, const forms::FieldSpec& field, lxw_row_t row) {
    worksheet_write_string(ws, row, 0, field.label.in(lang_).c_str(), label_);
    worksheet_write_string(ws, row, 1, lang_ == Lang::it ? "Segnare con X" : "Mark with X", header_);
    const lxw_row_t first = row + 1;
    const std::vector<forms::ListItem>& items = *form_.list(field.list);
    const forms::FieldInstance* found = field_instance(field.id);
    static char x[] = "X";
    static char* marks[] = {x, nullptr};
    for (std::size_t i = 0; i < items.size(); ++i) {
      const lxw_row_t r = first + static_cast<lxw_row_t>(i);
      worksheet_write_string(ws, r, 0, items[i].display().c_str(), label_);
      fit_row(ws, r, items[i].display(), kLabelWidth);
      const forms::TableRow* option = nullptr;
      if (found) {
        // Matched as validation matches them, so a re-typed option keeps its mark in the copy.
        for (const forms::TableRow& candidate : found->options) {
          if (forms::find_list_item(form_, field.list, candidate.key.text) == &items[i]) option = &candidate;
        }
      }
      const forms::CellValue* mark = option ? &option->cells[0] : nullptr;
      const std::string& original_sheet = found ? found->sheet : sheet.name;
      place(ws, r, 1, original_sheet, mark, input_[problem_state(original_sheet, mark)]);
      lxw_data_validation dv{};
      dv.validate = LXW_VALIDATION_TYPE_LIST;
      dv.value_list = marks;
      worksheet_data_validation_cell(ws, r, 1, &dv);
    }
    const lxw_row_t last = first + static_cast<lxw_row_t>(items.size()) - 1;
    workbook_define_name(workbook_, forms::field_name(field.id).c_str(),
                         ("=" + quote_sheet(sheet.name) + "!" + absolute(first, 0) + ":" + absolute(last, 1)).c_str());
    return last + 1;
  }

  lxw_row_t write_table(lxw_worksheet* ws, const forms::SheetSpec& sheet, const forms::TableSpec& table, lxw_row_t row) {
    worksheet_write_string(ws, row, 0, table.label.in(lang_).c_str(), label_);
    if (!table.help.it.empty()) worksheet_merge_range(ws, row, 1, row, kLastCol, table.help.in(lang_).c_str(), wrap_);
    const lxw_row_t header = row + 1;
    worksheet_write_string(ws, header, 0, table.key.label.in(lang_).c_str(), header_);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      worksheet_write_string(ws, header, static_cast<lxw_col_t>(c + 1), table.columns[c].label.in(lang_).c_str(), header_);
    }
    double lines = header_lines(table.key.label.in(lang_), widths_[0]);
    for (std::size_t c = 0; c < table.columns.size(); ++c) lines = std::max(lines, header_lines(table.columns[c].label.in(lang_), widths_[c + 1]));
    worksheet_set_row(ws, header, std::max(30.0, 15.0 * lines), nullptr);
    const forms::TableInstance* found = table_instance(table.id);
    const std::string& original_sheet = found ? found->sheet : sheet.name;
    // Rows: the form's fixed rows, then free rows; a filled copy keeps every row that was read.
    std::size_t body = table.fixed_rows.size() + table.blank_rows;
    if (found) body = std::max(body, found->rows.size());
    const lxw_row_t first = header + 1;
    for (std::size_t i = 0; i < body; ++i) {
      const lxw_row_t r = first + static_cast<lxw_row_t>(i);
      const forms::TableRow* source = found && i < found->rows.size() ? &found->rows[i] : nullptr;
      const bool fixed = i < table.fixed_rows.size();
      if (fixed && !source) {
        worksheet_write_string(ws, r, 0, table.fixed_rows[i].c_str(), label_);
      } else {
        const forms::CellValue* key = source ? &source->key : nullptr;
        place(ws, r, 0, original_sheet, key, input_format(table.key, problem_state(original_sheet, key)));
        validation(ws, r, 0, table.key);
      }
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto col = static_cast<lxw_col_t>(c + 1);
        const forms::CellValue* value = source && c < source->cells.size() ? &source->cells[c] : nullptr;
        lxw_format* f = input_format(table.columns[c], problem_state(original_sheet, value));
        if (source || !row_sum(ws, table, col, r, f)) place(ws, r, col, original_sheet, value, f);
        validation(ws, r, col, table.columns[c]);
      }
      if (table.key.long_text) worksheet_set_row(ws, r, 45, nullptr);
    }
    lxw_row_t last = first + static_cast<lxw_row_t>(body) - 1;
    if (table.total_label) {
      const lxw_row_t total = last + 1;
      worksheet_write_string(ws, total, 0, table.total_label->c_str(), header_);
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto col = static_cast<lxw_col_t>(c + 1);
        // A copy keeps the total the clerk wrote, right or wrong, so that its mark makes sense;
        // the template (or a blank total) gets the formula.
        const forms::CellValue* written = found && found->total && c < found->total->cells.size() ? &found->total->cells[c] : nullptr;
        if (written && !written->blank()) {
          const int state = problem_state(original_sheet, written);
          place(ws, total, col, original_sheet, written, state == 0 ? total_format(table.columns[c]) : input_format(table.columns[c], state));
          continue;
        }
        // Amounts and counts ("Utenti serviti") add up; a decimal (an expected value) does not.
        const bool count = table.columns[c].type == FieldType::integer && !table.columns[c].is_year();
        if (table.columns[c].type != FieldType::amount && !count) continue;
        const std::string range = col_letter(col) + std::to_string(first + 1) + ":" + col_letter(col) + std::to_string(last + 1);
        std::string formula = "=SUM(" + range + ")";
        // Subtotal rows are already the sum of the rows above them: a total counts them once.
        const std::string keys = "A" + std::to_string(first + 1) + ":A" + std::to_string(last + 1);
        for (const std::string& marker : table.subtotal_markers) formula += "-SUMIF(" + keys + ",\"*" + marker + "*\"," + range + ")";
        const double sum = column_sum(table, c);
        worksheet_write_formula_num(ws, total, col, formula.c_str(), total_format(table.columns[c]), count ? sum : sum / 100.0);
      }
      last = total;
    }
    const auto last_col = static_cast<lxw_col_t>(table.columns.size());
    workbook_define_name(workbook_, forms::table_name(table.id).c_str(),
                         ("=" + quote_sheet(sheet.name) + "!" + absolute(header, 0) + ":" + absolute(last, last_col)).c_str());
    return last + 1;
  }

  lxw_format* total_format(const forms::ValueSpec& spec) const { return spec.type == FieldType::integer ? total_count_ : total_; }

  // A row's total that a row_sum rule makes the sum of other columns of its row, written as that
  // sum for LibreOffice and Excel to compute. It shows nothing while the row's sources are empty,
  // so that an unused row stays blank and validation does not read it as filled. The cell stays
  // an unlocked input: a clerk may still type a figure over it. False if `col` is no such total.
  bool row_sum(lxw_worksheet* ws, const forms::TableSpec& table, lxw_col_t col, lxw_row_t r, lxw_format* f) {
    for (const forms::TableSpec::RowSum& sum : table.row_sums) {
      if (sum.total != col) continue;  // positions in a row of cells are the sheet's columns
      std::vector<std::size_t> parts = sum.parts;
      std::sort(parts.begin(), parts.end());
      std::string refs;
      const std::string row = std::to_string(r + 1);
      for (std::size_t i = 0; i < parts.size();) {
        std::size_t j = i;
        while (j + 1 < parts.size() && parts[j + 1] == parts[j] + 1) ++j;  // a run of adjacent columns is one range
        refs += (refs.empty() ? "" : ",") + col_letter(static_cast<lxw_col_t>(parts[i])) + row;
        if (j > i) refs += ":" + col_letter(static_cast<lxw_col_t>(parts[j])) + row;
        i = j + 1;
      }
      const std::string formula = "=IF(COUNT(" + refs + ")=0,\"\",SUM(" + refs + "))";
      worksheet_write_formula_str(ws, r, col, formula.c_str(), f, "");
      return true;
    }
    return false;
  }

  // The cached value of a TOT formula: the exact sum of what was read, in the column's unit
  // (cents for amounts), 0 when blank.
  double column_sum(const forms::TableSpec& table, std::size_t c) const {
    const forms::TypedTable* typed = typed_ ? typed_->table(table.id) : nullptr;
    if (!typed) return 0;
    std::int64_t sum = 0;
    for (const forms::TypedRow& row : typed->rows) {
      if (c + 1 >= row.cells.size() || forms::is_subtotal(table, row.row->key.text)) continue;
      sum += row.cells[c + 1].number().value_or(0);
    }
    return static_cast<double>(sum);
  }

  void set_properties() {
    workbook_set_custom_property_string(workbook_, forms::kFormProperty, form_.id.c_str());
    workbook_set_custom_property_string(workbook_, forms::kVersionProperty, form_.version.c_str());
    const std::string tag = "=\"" + form_.id + " " + form_.version + "\"";
    workbook_define_name(workbook_, forms::kFormDefinedName, tag.c_str());
    lxw_doc_properties properties{};
    const std::string title = form_.title.it;
    properties.title = const_cast<char*>(title.c_str());
    properties.company = const_cast<char*>("Regione Lombardia");
    properties.comments = const_cast<char*>("Generato da consolida");
    workbook_set_properties(workbook_, &properties);
  }

  const forms::FormSpec& form_;
  const forms::TypedForm* typed_;
  const forms::FormInstance* instance_;
  const forms::Report* report_;
  Lang lang_;
  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* lists_sheet_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* section_ = nullptr;
  lxw_format* label_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* total_ = nullptr;
  lxw_format* total_count_ = nullptr;
  lxw_format* wrap_ = nullptr;
  lxw_format* input_[3] = {};
  lxw_format* amount_[3] = {};
  lxw_format* date_[3] = {};
  lxw_format* number_[3] = {};
  lxw_format* count_[3] = {};
  lxw_format* year_[3] = {};
  lxw_format* text_[3] = {};
  std::vector<double> widths_;  // of the sheet being written
  std::map<std::pair<std::string, std::string>, std::vector<const forms::Issue*>> issues_;
  // (sheet, cell in the uploaded file) -> cell in this copy
  std::map<std::pair<std::string, std::string>, std::string> rendered_;
};

}  // namespace

void write_template(const forms::FormSpec& form, const std::string& path) { Renderer(form, path, nullptr, nullptr, Lang::it).render(); }

void write_filled(const forms::TypedForm& form, const std::string& path) { Renderer(form.spec(), path, &form, nullptr, Lang::it).render(); }

void write_annotated(const forms::TypedForm& form, const forms::Report& report, const std::string& path, Lang lang) {
  Renderer(form.spec(), path, &form, &report, lang).render();
}

}  // namespace consolida::write
