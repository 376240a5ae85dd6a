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
#include "common/text.hpp"
#include "write/cell_text.hpp"

namespace consolida::write {
namespace {

using forms::FieldType;

constexpr lxw_col_t kLastCol = 9;  // inputs span B:J
constexpr double kLongTextHeight = 110;
constexpr double kLabelWidth = 50;  // characters
constexpr double kInputWidth = 16;  // an amount up to 9.999.999,99 €
constexpr double kMaxListWidth = 40;  // a drop-down column; longer items wrap in the cell
constexpr double kInstructionsWidth = 110;
constexpr double kMaxRowHeight = 409;  // points: Excel's and Calc's limit
// The cached result of a row total whose sources are all empty: the formula shows "".
constexpr std::int64_t kNoRowSum = INT64_MIN;

// How the annotated copy shows a cell read from the file, and its fill: red for an error, yellow
// for a warning, light blue where a problem's cause may lie (Issue::to_check).
enum CellState { kPlain, kError, kWarning, kToCheck, kStates };
constexpr lxw_color_t kInputFill[kStates] = {LXW_COLOR_WHITE, 0xFFC7CE, 0xFFEB9C, 0xDDEBF7};

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
    if (problems) {
      anchor_unplaced_issues();
      note_left_out();
      write_problem_sheet(problems);
    }
    write_comments();
    worksheet_hide(lists_sheet_);
    set_properties();
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) fail("scrittura non riuscita", "writing failed", lxw_strerror(error));
  }

 private:
  // Where a cell of the uploaded file stands in this copy.
  struct Placed {
    lxw_worksheet* ws = nullptr;
    std::string sheet;  // of this copy
    lxw_row_t row = 0;
    lxw_col_t col = 0;
    xlsx::CellRef from;  // in the uploaded file
  };
  struct Note {
    std::string sheet;  // of this copy
    lxw_row_t row = 0;
    lxw_col_t col = 0;
    std::string original_cell;  // in the uploaded file
    forms::Text message;
    std::string code;
  };

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
    for (int state = 0; state < kStates; ++state) {
      const lxw_color_t fill = kInputFill[state];
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
      // A number the clerk wrote as a percentage stays one in the copy, so that it is read as
      // the same figure again ("70%" is 70, not 0,7).
      percent_whole_[state] = make("0%", false);
      percent_[state] = make("0.00%", false);
      // "#,##0.##" would show a year as 2.024 and a count of 12 as "12,".
      count_[state] = make("#,##0", false);
      year_[state] = make("0", false);
      // Text as typed: a code with leading zeros (ISTAT 098031) is not turned into a number.
      text_[state] = make("@", true);
    }
    for (int state = 0; state < kStates; ++state) {  // locked: the template computes them
      const lxw_color_t fill = state == kPlain ? 0xF2F2F2 : kInputFill[state];
      for (lxw_format** total : {&total_[state], &total_count_[state]}) {
        *total = workbook_add_format(workbook_);
        format_set_bold(*total);
        format_set_num_format(*total, total == &total_[state] ? "#,##0.00 \"€\"" : "#,##0");
        format_set_bg_color(*total, fill);
        format_set_border(*total, LXW_BORDER_THIN);
      }
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
    for (const forms::Issue& issue : report_->issues) {
      for (const forms::CellPlace& place : issue.to_check) to_check_[{place.sheet, place.cell}].push_back(&issue);
    }
  }

  void write_instructions() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Istruzioni");
    worksheet_set_column(ws, 0, 0, kInstructionsWidth, wrap_);
    worksheet_write_string(ws, 0, 0, form_.title.in(lang_).c_str(), title_);
    worksheet_write_string(ws, 1, 0, form_.reference.c_str(), nullptr);
    const std::string version = "Modello " + form_.id + ", versione " + form_.version;
    worksheet_write_string(ws, 2, 0, version.c_str(), nullptr);
    print_setup(ws);
    lxw_row_t row = 4;
    for (const std::string& line : form_.instructions) {
      const std::string bullet = "• " + line;
      worksheet_write_string(ws, row, 0, bullet.c_str(), wrap_);
      fit_row(ws, row++, bullet, kInstructionsWidth);
    }
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
    auto link = [&](lxw_row_t r, const std::string& sheet, lxw_row_t to_row, lxw_col_t to_col) {
      const std::string cell = xlsx::to_a1(xlsx::CellRef{to_row, to_col});
      const std::string target = "internal:" + quote_sheet(sheet) + "!" + cell;
      worksheet_write_url_opt(ws, r, 2, target.c_str(), nullptr, cell.c_str(), nullptr);
    };
    for (const forms::Issue& issue : report_->issues) {
      worksheet_write_string(ws, row, 0, std::string(forms::to_string(issue.severity, lang_)).c_str(), nullptr);
      worksheet_write_string(ws, row, 1, issue.sheet.c_str(), nullptr);
      std::string message = issue.message.in(lang_);
      const auto here = rendered_.find({issue.sheet, issue.cell});
      if (here != rendered_.end()) {
        link(row, here->second.sheet, here->second.row, here->second.col);
      } else if (const auto near = anchored_.find(&issue); near != anchored_.end()) {
        link(row, near->second->sheet, near->second->row, near->second->col);
        if (!issue.cell.empty()) message = unplaced_prefix(issue.cell) + message;
      }
      worksheet_write_string(ws, row, 3, message.c_str(), wrap_);
      worksheet_write_string(ws, row, 4, issue.code.c_str(), nullptr);
      worksheet_write_string(ws, row, 5, issue.cell.c_str(), nullptr);
      fit_row(ws, row, message, 80);
      ++row;
    }
    for (const Note& n : notes_) {
      worksheet_write_string(ws, row, 0, it ? "nota" : "note", nullptr);
      worksheet_write_string(ws, row, 1, n.sheet.c_str(), nullptr);
      link(row, n.sheet, n.row, n.col);
      worksheet_write_string(ws, row, 3, n.message.in(lang_).c_str(), wrap_);
      worksheet_write_string(ws, row, 4, n.code.c_str(), nullptr);
      worksheet_write_string(ws, row, 5, n.original_cell.c_str(), nullptr);
      fit_row(ws, row, n.message.in(lang_), 80);
      ++row;
    }
    if (report_->issues.empty() && notes_.empty()) {
      worksheet_write_string(ws, 1, 3, it ? "Nessun problema: il file è valido." : "No problems: the file is valid.", nullptr);
    }
    print_setup(ws);
  }

  // libxlsxwriter does not size rows to wrapped text; give a row the lines its longest text needs
  // (up to the tallest row a spreadsheet allows).
  static void fit_lines(lxw_worksheet* ws, lxw_row_t row, double lines) {
    if (lines > 1) worksheet_set_row(ws, row, std::min(kLineHeight * lines, kMaxRowHeight), nullptr);
  }
  static void fit_row(lxw_worksheet* ws, lxw_row_t row, const std::string& text, double width_chars) {
    fit_lines(ws, row, wrapped_lines(text, width_chars));
  }
  // A table row as tall as the longest text the clerk wrote in it (a long-text key gets three
  // lines to write in even when empty).
  void fit_body_row(lxw_worksheet* ws, lxw_row_t row, const forms::TableSpec& table, const forms::TableRow* source) const {
    double lines = table.key.long_text ? 3 : 1;
    if (source && !widths_.empty()) {
      lines = std::max(lines, wrapped_lines(source->key.text, widths_[0]));
      for (std::size_t c = 0; c < source->cells.size() && c + 1 < widths_.size(); ++c) {
        if (!source->cells[c].numeric) lines = std::max(lines, wrapped_lines(source->cells[c].text, widths_[c + 1]));
      }
    }
    fit_lines(ws, row, lines);
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

  // The problems of a cell read from the file (null: nothing read): kPlain, kError, kWarning
  // (warnings only) or kToCheck (named by a problem as where its cause may lie).
  int problem_state(const std::string& sheet, const forms::CellValue* original) const {
    if (!report_ || !original) return kPlain;
    const std::pair<std::string, std::string> at{sheet, xlsx::to_a1(original->ref)};
    const auto it = issues_.find(at);
    if (it == issues_.end()) return to_check_.count(at) ? kToCheck : kPlain;
    for (const forms::Issue* issue : it->second) {
      if (issue->severity == forms::Severity::error) return kError;
    }
    return kWarning;
  }
  static bool has_problem(int state) { return state == kError || state == kWarning; }

  // Notes where the cell read from the file (`original`, in sheet `sheet`) lands in this copy, and
  // gives it the comment of its problems.
  void comment(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& sheet, const forms::CellValue* original) {
    if (!report_ || !original) return;
    const std::string from = xlsx::to_a1(original->ref);
    rendered_[{sheet, from}] = Placed{ws, current_sheet_, row, col, original->ref};
    if (const auto it = issues_.find({sheet, from}); it != issues_.end()) {
      for (const forms::Issue* issue : it->second) add_comment(ws, row, col, issue_line(*issue));
    }
    if (const auto it = to_check_.find({sheet, from}); it != to_check_.end()) {
      for (const forms::Issue* issue : it->second) {
        add_comment(ws, row, col, (lang_ == Lang::it ? "da verificare per " : "to check for ") + issue->code + ": " + issue->message.in(lang_));
      }
    }
  }

  std::string issue_line(const forms::Issue& issue) const {
    return std::string(forms::to_string(issue.severity, lang_)) + " " + issue.code + ": " + issue.message.in(lang_);
  }

  // Comments are gathered per cell and written last: a cell may get lines from its own problems,
  // from problems anchored to it and from notes on what this copy changed.
  void add_comment(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& line) {
    std::string& text = comments_[{ws, {row, col}}];
    text += (text.empty() ? "" : "\n") + line;
  }

  void write_comments() {
    lxw_comment_options options{};
    options.author = const_cast<char*>("consolida");
    options.width = 420;
    options.height = 120;
    for (const auto& [where, text] : comments_) worksheet_write_comment_opt(where.first, where.second.first, where.second.second, text.c_str(), &options);
  }

  // Something this copy did to what the clerk wrote (a formula put back, a column carried over,
  // content left out), said in the cell's comment and in the problem list.
  void note(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& original_cell, forms::Text message, std::string code) {
    note_in(current_sheet_, ws, row, col, original_cell, std::move(message), std::move(code));
  }

  void note_in(const std::string& sheet, lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& original_cell,
               forms::Text message, std::string code) {
    add_comment(ws, row, col, std::string(lang_ == Lang::it ? "nota " : "note ") + code + ": " + message.in(lang_));
    notes_.push_back(Note{sheet, row, col, original_cell, std::move(message), std::move(code)});
  }

  // Where the copy shows a field (its input), a table (its label) or a sheet (its title), by the
  // Italian label a problem without a cell names: "campo «Titolo progetto» non trovato".
  void remember_label(const std::string& label, lxw_worksheet* ws, lxw_row_t row, lxw_col_t col) {
    labelled_.emplace(label, Placed{ws, current_sheet_, row, col, {}});
  }

  // Cells outside the grid past the ones named one by one: counted in one note, by the last named.
  void note_loose_cells_beyond() {
    const std::size_t beyond = instance_->loose_cells_beyond;
    if (beyond == 0 || instance_->loose_cells.empty()) return;
    const forms::LooseCell& last = instance_->loose_cells.back();
    const Placed* near = anchor(last.sheet, last.cell.ref.row, last.cell.ref.col);
    if (!near) return;
    const std::string after = xlsx::to_a1(last.cell.ref);
    note_in(near->sheet, near->ws, near->row, near->col, "",
            {"Nel file inviato, dopo la cella " + after + " del foglio «" + last.sheet + "», " +
                 counted(beyond, "altra cella è scritta", "altre celle sono scritte") +
                 " fuori dalle celle del modello: la copia non le riporta. Se servono, riscriverle nei campi giusti.",
             "In the uploaded file, after cell " + after + " of sheet «" + last.sheet + "», " +
                 counted(beyond, "more cell is written", "more cells are written") +
                 " outside the template's cells: this copy leaves them out. If they matter, write them in the right fields."},
            "COPIA-NON-RIPORTATO");
  }

  // What the clerk wrote outside the template's grid, and sheets that are not the form's: the copy
  // does not carry them, so it says so next to the nearest cell it has.
  void note_left_out() {
    if (!instance_) return;
    for (const forms::LooseCell& loose : instance_->loose_cells) {
      const Placed* near = anchor(loose.sheet, loose.cell.ref.row, loose.cell.ref.col);
      if (!near) {
        const auto sheet = labelled_.find(loose.sheet);
        if (sheet == labelled_.end()) continue;
        near = &sheet->second;
      }
      const std::string cell = xlsx::to_a1(loose.cell.ref);
      note_in(near->sheet, near->ws, near->row, near->col, cell,
              {"Nel file inviato la cella " + cell + " del foglio «" + loose.sheet + "» conteneva «" + loose.cell.text +
                   "»: è fuori dalle celle del modello e la copia non la riporta. Se serve, riscriverla nel campo giusto.",
               "In the uploaded file cell " + cell + " of sheet «" + loose.sheet + "» held «" + loose.cell.text +
                   "»: it is outside the template's cells and this copy leaves it out. If it matters, write it in the right field."},
              "COPIA-NON-RIPORTATO");
    }
    note_loose_cells_beyond();
    for (const std::string& name : instance_->sheet_names) {
      const bool own = std::find(std::begin(forms::kOwnSheetNames), std::end(forms::kOwnSheetNames), name) != std::end(forms::kOwnSheetNames);
      const bool carried = std::any_of(instance_->renamed_sheets.begin(), instance_->renamed_sheets.end(), [&](const auto& r) { return r.second == name; });
      if (own || carried || std::any_of(form_.sheets.begin(), form_.sheets.end(), [&](const forms::SheetSpec& s) { return s.name == name; })) continue;
      const auto first = labelled_.find(form_.sheets.front().name);
      if (first == labelled_.end()) continue;
      note_in(first->second.sheet, first->second.ws, first->second.row, first->second.col, "",
              {"Il foglio «" + name + "» del file inviato non fa parte del modello: la copia non lo riporta.",
               "Sheet «" + name + "» of the uploaded file is not part of the template: this copy leaves it out."},
              "COPIA-NON-RIPORTATO");
    }
  }

  // The cell of this copy nearest to a cell of the file that the copy does not have: the same
  // row's nearest cell, else the nearest row's first cell. Null if nothing of that sheet is here.
  const Placed* anchor(const std::string& sheet, std::uint32_t row, std::uint32_t col) const {
    const Placed* best = nullptr;
    std::uint64_t best_distance = UINT64_MAX;
    for (const auto& [key, placed] : rendered_) {
      if (key.first != sheet) continue;
      const std::uint64_t rows = placed.from.row > row ? placed.from.row - row : row - placed.from.row;
      const std::uint64_t cols = placed.from.col > col ? placed.from.col - col : col - placed.from.col;
      // Rows weigh more than columns: a problem belongs with its own row's cells.
      const std::uint64_t distance = rows * 100000 + cols;
      if (distance < best_distance) {
        best = &placed;
        best_distance = distance;
      }
    }
    return best;
  }

  // Problems at cells this copy does not have (a column or row outside the template's grid that
  // was not carried over): commented on the nearest cell, with the place they came from.
  void anchor_unplaced_issues() {
    for (const forms::Issue& issue : report_->issues) {
      if (issue.cell.empty()) {
        const auto named = labelled_.find(issue.label);
        if (named == labelled_.end()) continue;
        anchored_[&issue] = &named->second;
        add_comment(named->second.ws, named->second.row, named->second.col, issue_line(issue));
        continue;
      }
      if (rendered_.count({issue.sheet, issue.cell})) continue;
      const auto ref = xlsx::parse_a1(issue.cell);
      if (!ref) continue;
      if (const Placed* near = anchor(issue.sheet, ref->row, ref->col)) {
        anchored_[&issue] = near;
        add_comment(near->ws, near->row, near->col, unplaced_prefix(issue.cell) + issue_line(issue));
      }
    }
  }

  std::string unplaced_prefix(const std::string& cell) const {
    return lang_ == Lang::it ? "[la cella " + cell + " del file inviato non è nella copia] "
                             : "[cell " + cell + " of the uploaded file is not in this copy] ";
  }

  lxw_format* input_format(const forms::ValueSpec& spec, int state, const forms::CellValue* value = nullptr) {
    if ((spec.type == FieldType::decimal || spec.type == FieldType::percent) && value && value->percent_formatted()) {
      const double percent = value->number * 100;  // 0,7 * 100 is 70,00000000000001: whole within float noise
      return std::abs(percent - std::round(percent)) < 1e-6 ? percent_whole_[state] : percent_[state];
    }
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
    current_sheet_ = sheet.name;
    widths_ = column_widths(sheet);
    for (std::size_t c = 0; c < widths_.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths_[c], nullptr);
    }
    print_setup(ws);
    worksheet_write_string(ws, 0, 0, form_.title.in(lang_).c_str(), title_);
    remember_label(sheet.name, ws, 0, 0);
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
    lxw_format* f = input_format(field, problem_state(original_sheet, value), value);
    // A merged input keeps long answers readable; its first cell holds the value.
    worksheet_merge_range(ws, row, 1, row, kLastCol, "", f);
    place(ws, row, 1, original_sheet, value, f);
    remember_label(field.label.it, ws, row, 1);
    validation(ws, row, 1, field);
    if (field.long_text) worksheet_set_row(ws, row, kLongTextHeight, nullptr);
    workbook_define_name(workbook_, forms::field_name(field.id).c_str(), ("=" + quote_sheet(sheet.name) + "!" + absolute(row, 1)).c_str());
    return row + 1;
  }

  lxw_row_t write_multi_choice(lxw_worksheet* ws, const forms::SheetSpec& sheet, const forms::FieldSpec& field, lxw_row_t row) {
    worksheet_write_string(ws, row, 0, field.label.in(lang_).c_str(), label_);
    worksheet_write_string(ws, row, 1, lang_ == Lang::it ? "Segnare con X" : "Mark with X", header_);
    remember_label(field.label.it, ws, row, 0);
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
      if (option) comment(ws, r, 0, original_sheet, &option->key);  // "none marked" is said on the first label
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
    remember_label(table.label.it, ws, row, 0);
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
    const forms::TypedTable* typed = found && typed_ ? typed_->table(table.id) : nullptr;
    const std::string& original_sheet = found ? found->sheet : sheet.name;
    // Rows: the form's fixed rows, then free rows; a filled copy keeps every row that was read.
    std::size_t body = table.fixed_rows.size() + table.blank_rows;
    if (found) body = std::max(body, found->rows.size());
    const lxw_row_t first = header + 1;
    const ExtraColumns extra = extra_columns(ws, table, found, header, original_sheet);
    for (std::size_t i = 0; i < body; ++i) {
      const lxw_row_t r = first + static_cast<lxw_row_t>(i);
      const forms::TableRow* source = found && i < found->rows.size() ? &found->rows[i] : nullptr;
      const forms::TypedRow* typed_row = typed && i < typed->rows.size() ? &typed->rows[i] : nullptr;
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
        const int state = problem_state(original_sheet, value);
        lxw_format* f = input_format(table.columns[c], state, value);
        if (!source) {
          if (!row_sum(ws, table, col, r, f)) place(ws, r, col, original_sheet, value, f);
        } else if (const auto sum = kept_row_sum(table, col, typed_row, state, original_sheet)) {
          row_sum(ws, table, col, r, f, *sum);
          comment(ws, r, col, original_sheet, value);
        } else {
          place_typed(ws, r, col, original_sheet, value, typed_row ? &typed_row->cells[c + 1] : nullptr, table.columns[c], state, f);
        }
        validation(ws, r, col, table.columns[c]);
      }
      for (std::size_t e = 0; e < extra.cols.size(); ++e) {
        const forms::CellValue* value = source && i < found->extra_cells.size() && e < found->extra_cells[i].size() ? &found->extra_cells[i][e] : nullptr;
        place(ws, r, extra.cols[e], original_sheet, value, input_[problem_state(original_sheet, value)]);
      }
      fit_body_row(ws, r, table, source);
    }
    lxw_row_t last = first + static_cast<lxw_row_t>(body) - 1;
    if (table.total_label) {
      const lxw_row_t total = last + 1;
      worksheet_write_string(ws, total, 0, table.total_label->c_str(), header_);
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto col = static_cast<lxw_col_t>(c + 1);
        const forms::CellValue* written = found && found->total && c < found->total->cells.size() ? &found->total->cells[c] : nullptr;
        const int state = problem_state(original_sheet, written);
        // Amounts and counts ("Utenti serviti") add up; a decimal (an expected value) does not.
        const bool count = table.columns[c].type == FieldType::integer && !table.columns[c].is_year();
        const bool summed = table.columns[c].type == FieldType::amount || count;
        // A filled copy (test data) keeps the total as given, right or wrong. The annotated copy
        // puts back the template's formula, so that the total follows the clerk's corrections; what
        // the clerk had written there is kept in a note.
        if (written && !written->blank() && (!summed || !report_)) {
          place(ws, total, col, original_sheet, written, state == kPlain ? total_format(table.columns[c]) : input_format(table.columns[c], state));
          continue;
        }
        if (!summed) continue;
        const std::string range = col_letter(col) + std::to_string(first + 1) + ":" + col_letter(col) + std::to_string(last + 1);
        std::string formula = "=SUM(" + range + ")";
        // Subtotal rows are already the sum of the rows above them: a total counts them once.
        const std::string keys = "A" + std::to_string(first + 1) + ":A" + std::to_string(last + 1);
        for (const std::string& marker : table.subtotal_markers) formula += "-SUMIF(" + keys + ",\"*" + marker + "*\"," + range + ")";
        const std::int64_t sum = column_sum(table, c);
        worksheet_write_formula_num(ws, total, col, formula.c_str(), total_format(table.columns[c], state),
                                    count ? static_cast<double>(sum) : static_cast<double>(sum) / 100.0);
        comment(ws, total, col, original_sheet, written);
        if (report_ && written && !written->blank()) note_replaced_total(ws, total, col, *written, typed, c, sum, count);
      }
      last = total;
    }
    const auto last_col = static_cast<lxw_col_t>(table.columns.size());
    workbook_define_name(workbook_, forms::table_name(table.id).c_str(),
                         ("=" + quote_sheet(sheet.name) + "!" + absolute(header, 0) + ":" + absolute(last, last_col)).c_str());
    return last + 1;
  }

  lxw_format* total_format(const forms::ValueSpec& spec, int state = 0) const {
    return spec.type == FieldType::integer ? total_count_[state] : total_[state];
  }

  // Columns the clerk added to a table (a quarter for 2024 in the Gantt): carried over beside it,
  // header and cells as written, with a note that they are not part of the template. One right of
  // the table keeps its distance from it; one inserted between the template's columns follows
  // those, never over a template column. The extractor reads them again from this copy, so their
  // problems stay.
  struct ExtraColumns {
    std::vector<lxw_col_t> cols;  // in this copy, per extra column of the table instance
  };
  ExtraColumns extra_columns(lxw_worksheet* ws, const forms::TableSpec& table, const forms::TableInstance* found, lxw_row_t header,
                             const std::string& original_sheet) {
    ExtraColumns out;
    if (!found || found->extra_columns.empty() || found->column_cols.empty()) return out;
    const std::uint32_t last_known = *std::max_element(found->column_cols.begin(), found->column_cols.end());
    const std::size_t first_free = table.columns.size() + 1;  // the column right of the template's last
    std::size_t next_free = first_free;
    for (const auto& extra : found->extra_columns) {
      if (extra.first > last_known) next_free = std::max<std::size_t>(next_free, first_free + (extra.first - last_known));
    }
    for (const auto& [original_col, text] : found->extra_columns) {
      const std::size_t at = original_col > last_known ? first_free + (original_col - last_known - 1) : next_free++;
      if (at > LXW_COL_MAX - 1) break;
      const auto col = static_cast<lxw_col_t>(at);
      out.cols.push_back(col);
      forms::CellValue written;
      written.ref = xlsx::CellRef{found->header_row, original_col};
      written.present = true;
      written.text = text;
      place(ws, header, col, original_sheet, &written, input_[problem_state(original_sheet, &written)]);
      if (col >= widths_.size()) worksheet_set_column(ws, col, col, kInputWidth, nullptr);
      if (!report_) continue;
      const std::string from = xlsx::column_name(original_col);
      note(ws, header, col, xlsx::to_a1(written.ref),
           {"La colonna «" + text + "» (colonna " + from + " del file inviato) non fa parte del modello: la copia la riporta com'era, "
            "accanto alla tabella, ma i suoi valori non entrano nel modulo. Spostarli nelle colonne del modello o cancellarla.",
            "Column «" + text + "» (column " + from + " of the uploaded file) is not part of the template: this copy carries it over "
            "as it was, beside the table, but its values are not part of the form. Move them to the template's columns or delete it."},
           "COPIA-COLONNA-AGGIUNTA");
    }
    return out;
  }

  // What the clerk had written over a total that the copy computes again.
  void note_replaced_total(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const forms::CellValue& written, const forms::TypedTable* typed,
                           std::size_t c, std::int64_t sum, bool count) {
    const forms::TypedCell* read = typed && c < typed->total.size() ? &typed->total[c] : nullptr;
    if (read && read->number() == sum) return;  // the same figure: the clerk loses nothing
    const std::string was = read ? forms::shown(*read, typed->spec->columns[c]) : written.text;
    const std::string now = count ? std::to_string(sum) : values::format_cents(sum);
    note(ws, row, col, xlsx::to_a1(written.ref),
         {"Nel file inviato qui era scritto «" + was + "»; la copia rimette la formula del modello, che somma le righe (" + now +
              "). Se il totale giusto è «" + was + "», correggere le righe.",
          "The uploaded file had «" + was + "» here; this copy puts back the template's formula, which adds up the rows (" + now +
              "). If «" + was + "» is the right total, correct the rows."},
         "COPIA-FORMULA");
  }

  // A row total of the annotated copy is the template's formula again when what the clerk wrote
  // agrees with it (the sum as validation reads the row, the sum the formula makes of it, or
  // nothing while the row is empty) and has no problem: then it follows later corrections. Its
  // cached value is what the formula computes in this copy, in the column's unit (a figure left
  // as text is skipped, as SUM skips it); nullopt keeps the clerk's figure, as when it differs.
  std::optional<std::int64_t> kept_row_sum(const forms::TableSpec& table, lxw_col_t col, const forms::TypedRow* row, int state,
                                           const std::string& sheet) const {
    if (!report_ || !row || has_problem(state)) return std::nullopt;
    for (const forms::TableSpec::RowSum& sum : table.row_sums) {
      if (sum.total != col || sum.total >= row->cells.size()) continue;
      std::int64_t read = 0, computed = 0;
      bool any = false;
      for (std::size_t p : sum.parts) {
        if (p == 0 || p >= row->cells.size() || p > row->row->cells.size() || row->cells[p].blank()) continue;
        const auto n = row->cells[p].number();
        if (!n) return std::nullopt;  // a part the formula would not add up as validation reads it
        read += *n;
        const forms::CellValue& value = row->row->cells[p - 1];
        if (const auto c = copied_number(value, row->cells[p], table.columns[p - 1], problem_state(sheet, &value))) {
          computed += *c;
          any = true;
        }
      }
      const forms::TypedCell& total = row->cells[sum.total];
      if (total.blank() || total.number() == read || total.number() == computed) return any ? computed : std::optional<std::int64_t>(kNoRowSum);
      return std::nullopt;
    }
    return std::nullopt;
  }

  // A row's total that a row_sum rule makes the sum of other columns of its row, written as that
  // sum for LibreOffice and Excel to compute. It shows nothing while the row's sources are empty,
  // so that an unused row stays blank and validation does not read it as filled. The cell stays
  // an unlocked input: a clerk may still type a figure over it. False if `col` is no such total.
  // `cached` is its result in cents (kNoRowSum: empty), for viewers that do not compute.
  bool row_sum(lxw_worksheet* ws, const forms::TableSpec& table, lxw_col_t col, lxw_row_t r, lxw_format* f,
               std::int64_t cached = kNoRowSum) {
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
      const forms::ValueSpec& spec = table.columns[col - 1];
      if (cached == kNoRowSum) {
        worksheet_write_formula_str(ws, r, col, formula.c_str(), f, "");
      } else {
        worksheet_write_formula_num(ws, r, col, formula.c_str(), f,
                                    spec.type == FieldType::amount ? static_cast<double>(cached) / 100.0 : static_cast<double>(cached));
      }
      return true;
    }
    return false;
  }

  // A body cell of the annotated copy: a figure typed as text ("4.000,00") that validation read
  // without a problem is written as the number it is, so that the template's formulas add it up
  // as validation does; anything else as the file held it.
  void place_typed(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& sheet, const forms::CellValue* value,
                   const forms::TypedCell* read, const forms::ValueSpec& spec, int state, lxw_format* f) {
    const auto number = value && read ? copied_number(*value, *read, spec, state) : std::nullopt;
    if (number && !value->numeric) {
      worksheet_write_number(ws, row, col, spec.type == FieldType::amount ? static_cast<double>(*number) / 100.0 : static_cast<double>(*number), f);
      comment(ws, row, col, sheet, value);
      return;
    }
    place(ws, row, col, sheet, value, f);
  }

  // The figure a summed cell (amount or count) holds in this copy, in the column's unit, as the
  // template's SUM sees it: numbers as written, and text read as a figure without a problem (the
  // annotated copy writes it as a number). nullopt: text or blank, which SUM skips.
  std::optional<std::int64_t> copied_number(const forms::CellValue& value, const forms::TypedCell& read, const forms::ValueSpec& spec,
                                            int state) const {
    if (spec.type != FieldType::amount && spec.type != FieldType::integer) return std::nullopt;
    if (value.blank()) return std::nullopt;
    if (value.numeric) {
      if (const auto n = read.number()) return n;
      return static_cast<std::int64_t>(std::llround(spec.type == FieldType::amount ? value.number * 100.0 : value.number));
    }
    if (report_ && !has_problem(state)) return read.number();
    return std::nullopt;
  }

  // The cached value of a TOT formula: the exact sum of the column as this copy holds it, in the
  // column's unit (cents for amounts), subtotal rows left out as the formula leaves them out.
  std::int64_t column_sum(const forms::TableSpec& table, std::size_t c) const {
    const forms::TypedTable* typed = typed_ ? typed_->table(table.id) : nullptr;
    if (!typed) return 0;
    std::int64_t sum = 0;
    for (const forms::TypedRow& row : typed->rows) {
      if (c + 1 >= row.cells.size() || c >= row.row->cells.size() || forms::is_subtotal(table, row.row->key.text)) continue;
      const forms::CellValue& value = row.row->cells[c];
      const int state = problem_state(typed->found->sheet, &value);
      sum += copied_number(value, row.cells[c + 1], table.columns[c], state).value_or(0);
    }
    return sum;
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
  lxw_format* total_[kStates] = {};
  lxw_format* total_count_[kStates] = {};
  lxw_format* wrap_ = nullptr;
  lxw_format* input_[kStates] = {};
  lxw_format* amount_[kStates] = {};
  lxw_format* date_[kStates] = {};
  lxw_format* number_[kStates] = {};
  lxw_format* percent_whole_[kStates] = {};
  lxw_format* percent_[kStates] = {};
  lxw_format* count_[kStates] = {};
  lxw_format* year_[kStates] = {};
  lxw_format* text_[kStates] = {};
  std::vector<double> widths_;  // of the sheet being written
  std::map<std::pair<std::string, std::string>, std::vector<const forms::Issue*>> issues_;
  std::map<std::pair<std::string, std::string>, std::vector<const forms::Issue*>> to_check_;
  std::string current_sheet_;  // the sheet being written
  // (sheet, cell in the uploaded file) -> cell in this copy
  std::map<std::pair<std::string, std::string>, Placed> rendered_;
  std::map<const forms::Issue*, const Placed*> anchored_;  // problems at cells the copy has not
  std::map<std::string, Placed> labelled_;  // field, table and sheet labels -> where the copy shows them
  std::map<std::pair<lxw_worksheet*, std::pair<lxw_row_t, lxw_col_t>>, std::string> comments_;
  std::vector<Note> notes_;
};

}  // namespace

void write_template(const forms::FormSpec& form, const std::string& path) { Renderer(form, path, nullptr, nullptr, Lang::it).render(); }

void write_filled(const forms::TypedForm& form, const std::string& path) { Renderer(form.spec(), path, &form, nullptr, Lang::it).render(); }

void write_annotated(const forms::TypedForm& form, const forms::Report& report, const std::string& path, Lang lang) {
  Renderer(form.spec(), path, &form, &report, lang).render();
}

}  // namespace consolida::write
