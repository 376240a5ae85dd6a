// Writes a consolidation: summary with live formulas (cached values = exact sums in cents),
// detail per ente, charts, missing enti, provenance and the validation log.
#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iterator>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "common/rome_time.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/error.hpp"
#include "consolida/write.hpp"
#include "write/cell_text.hpp"

namespace consolida::write {
namespace {

using consolidate::IndicatorGrouping;
using consolidate::Level;
using consolidate::Result;
using consolidate::SummaryBlock;
using consolidate::UnitKind;

std::string col_name(lxw_col_t col) { return xlsx::column_name(col); }
std::string cell_a1(lxw_row_t row, lxw_col_t col) { return col_name(col) + std::to_string(row + 1); }
std::string abs_a1(lxw_row_t row, lxw_col_t col) { return "$" + col_name(col) + "$" + std::to_string(row + 1); }
// A column of the detail sheet over its data rows: Dettaglio!$G$2:$G$1501.
std::string detail_range(lxw_col_t col, lxw_row_t last_row) { return "Dettaglio!" + abs_a1(1, col) + ":" + abs_a1(last_row, col); }
double euros(std::int64_t cents) { return static_cast<double>(cents) / 100.0; }
// The i-th of a run of columns (items of a breakdown, counts).
lxw_col_t nth_col(lxw_col_t first, std::size_t i) { return first + static_cast<lxw_col_t>(i); }

// ---- where each sheet puts what -------------------------------------------------------------
// The formulas of one sheet name the columns of another, so every column has one name here.

// Dettaglio of a form with breakdowns, one row per ente: who and where (codes), then per
// breakdown its items and their total, then the form's counts; last the Ambito's name and the
// file, which the printed pages leave out (the codes say where, Provenienza lists the files).
struct DettaglioLayout {
  static constexpr lxw_col_t ente = 0, name = 1, ambito_code = 2, ats = 3, population = 4;
  std::vector<lxw_col_t> first_item, total;  // per breakdown; its total follows its items
  lxw_col_t first_count = 0, ambito = 0, file = 0;

  explicit DettaglioLayout(const Result& r) {
    lxw_col_t col = population + 1;
    for (const auto& breakdown : r.breakdowns) {
      first_item.push_back(col);
      col += static_cast<lxw_col_t>(breakdown.items.size());
      total.push_back(col++);
    }
    first_count = col;
    ambito = first_count + static_cast<lxw_col_t>(r.form->consolidation.counts.size());
    file = ambito + 1;
  }

  lxw_col_t last_printed() const { return ambito - 1; }

  // The column a summary row's code is looked up in (SUMIFS criteria range).
  static lxw_col_t key_of(UnitKind unit) {
    switch (unit) {
      case UnitKind::comune: return ente;
      case UnitKind::ats: return ats;
      case UnitKind::ambito: break;
    }
    return ambito_code;
  }
};

// Dettaglio of a records form (monitoraggio), one row per indicator.
struct RecordDettaglioLayout {
  static constexpr lxw_col_t ambito_code = 0, ambito = 1, ats = 2, objective = 3, group = 4, kind = 5, indicator = 6, unit = 7,
                             expected = 8, achieved = 9, ratio = 10, reached = 11, file = 12;
};

// One block of the Riepilogo of a form with breakdowns, one row per unit: the unit, the items,
// total, population, per-capita figure, then (first block only) the counts.
struct RiepilogoBlockLayout {
  static constexpr lxw_col_t code = 0, name = 1, first_item = 2;
  lxw_col_t total, population, per_capita, first_count;

  explicit RiepilogoBlockLayout(std::size_t items)
      : total(first_item + static_cast<lxw_col_t>(items)), population(total + 1), per_capita(total + 2), first_count(total + 3) {}
};

// Riepilogo of a records form: a list item and how many of its indicators are what.
struct IndicatorRiepilogoLayout {
  static constexpr lxw_col_t label = 0, indicators = 1, with_achieved = 2, reached = 3, declared_state = 4;
};

// Mancanti: the ente, its Ambito (a comune's form only: an Ambito's form names it already), ATS, why.
struct MancantiLayout {
  static constexpr lxw_col_t code = 0, name = 1;
  std::optional<lxw_col_t> ambito;
  lxw_col_t ats, reason;

  explicit MancantiLayout(bool comune_form) : ambito(comune_form ? std::optional<lxw_col_t>(2) : std::nullopt), ats(comune_form ? 3 : 2), reason(ats + 1) {}
};

struct LogLayout {
  static constexpr lxw_col_t file = 0, severity = 1, sheet = 2, cell = 3, code = 4, message = 5;
};

const char* unit_label(UnitKind unit) {
  switch (unit) {
    case UnitKind::comune: return "Comune";
    case UnitKind::ats: return "ATS";
    case UnitKind::ambito: break;
  }
  return "Ambito";
}

// ---- room on screen and on paper ------------------------------------------------------------

// A4 landscape with narrow margins (inches), and what one page holds at 100% in pixels (96 dpi).
constexpr double kMarginSide = 0.4, kMarginTop = 0.7, kMarginBottom = 0.7, kMarginHeaderFooter = 0.3;
constexpr double kPageWidthPx = (11.69 - 2 * kMarginSide) * 96;
constexpr double kPageHeightPx = (8.27 - kMarginTop - kMarginBottom) * 96;
constexpr double kRowPx = 20;         // a row of the default height (15 points)
constexpr double kTextCap = 45;       // characters; longer text wraps in its cell
constexpr double kNameCap = 50;       // the longest names of comuni and Ambiti, "(sintetico)" included
constexpr double kPadding = 2;        // characters beside a cell's text, so that a fallback font still fits
constexpr double kHeaderLines = 3;    // a header wraps in at most so many lines, where its column allows
constexpr double kLongSheetScale = 0.45;  // Provenienza, Log: smaller print, fewer pages

double column_px(double width) { return std::trunc(width * 7 + 5); }

// A number format and what it shows, so that a column can be as wide as its widest number.
struct NumberStyle {
  lxw_format* format = nullptr;
  int decimals = 0;
  std::size_t suffix = 0;  // characters after the number: " €", "%"
  bool bold = false;
  double scale = 1;  // shown / stored (100 for a percentage)
};

// The characters a number takes as shown: sign, digits and thousands separators, decimals, suffix.
double shown_chars(double value, const NumberStyle& style) {
  const double shown = std::fabs(value * style.scale) + 0.5 * std::pow(10.0, -style.decimals);
  std::size_t digits = 1;
  for (double limit = 10; shown >= limit && digits < 20; limit *= 10) ++digits;
  const double chars = static_cast<double>((value < 0 ? 1 : 0) + digits + (digits - 1) / 3 +
                                           (style.decimals > 0 ? static_cast<std::size_t>(style.decimals) + 1 : 0) + style.suffix);
  return style.bold ? chars * kBold : chars;
}

// A sheet whose columns take the width of the widest cell written in them (a regional total
// showed "###"), from a floor up to a cap past which text wraps and its row grows. Headers wrap
// between words, so they count by their longest word. Rows are written top to bottom (constant
// memory): a row's height is set before the next row starts.
class FittedSheet {
 public:
  // Text cells take `top` (aligned to the top of rows that wrapped text makes taller), or `wrap`.
  FittedSheet(lxw_worksheet* ws, lxw_format* header, lxw_format* top, lxw_format* wrap) : ws_(ws), header_(header), top_(top), wrap_(wrap) {}

  lxw_worksheet* ws() const { return ws_; }

  // Before the column's first cell: how wide it is at least, and where its text starts to wrap.
  void size(lxw_col_t col, double floor, double cap = kTextCap) {
    Column& c = column(col);
    c.floor = floor;
    c.cap = std::max(floor, cap);
  }

  // A header cell: wraps between words in at most kHeaderLines lines where the column's cap
  // allows; the column is at least as wide as the header was wrapped in, and the row as tall.
  void header(lxw_row_t row, lxw_col_t col, const std::string& label) {
    start(row);
    Column& c = written(col);
    double width = std::max(c.floor, header_width(label));
    while (header_lines(label, width) > kHeaderLines && width < c.cap) width += 1;
    c.floor = width;
    lines_ = std::max(lines_, header_lines(label, width));
    worksheet_write_string(ws_, row, col, label.c_str(), header_);
  }

  // A text cell; plain text longer than the column's cap wraps.
  void text(lxw_row_t row, lxw_col_t col, const std::string& text, lxw_format* format = nullptr) {
    start(row);
    Column& c = written(col);
    const double length = static_cast<double>(utf8_length(text));
    c.widest = std::max(c.widest, std::min(length, c.cap));
    if (!format) format = top_;
    if (length > c.cap && format == top_) {
      format = wrap_;
      lines_ = std::max(lines_, wrapped_lines(text, c.cap));
    }
    worksheet_write_string(ws_, row, col, text.c_str(), format);
  }

  void number(lxw_row_t row, lxw_col_t col, double value, const NumberStyle& style) {
    start(row);
    fit_number(col, value, style);
    worksheet_write_number(ws_, row, col, value, style.format);
  }

  // A formula cached with its value: the column fits the value.
  void formula(lxw_row_t row, lxw_col_t col, const std::string& formula, const NumberStyle& style, double cached) {
    start(row);
    fit_number(col, cached, style);
    worksheet_write_formula_num(ws_, row, col, formula.c_str(), style.format, cached);
  }

  // Text the column need not fit: titles and notes that run over the empty cells beside them.
  void heading(lxw_row_t row, const std::string& text, lxw_format* format, lxw_col_t col = 0) {
    start(row);
    worksheet_write_string(ws_, row, col, text.c_str(), format);
  }

  // Sets the last row's height and the columns' widths; the sheet's size at 100%, in pixels.
  struct Size {
    double width_px = 0, height_px = 0;
  };
  Size finish() {
    start(row_ + 1);
    Size size;
    for (lxw_col_t col = 0; col < columns_.size(); ++col) {
      const Column& c = columns_[col];
      if (!c.used) {
        size.width_px += column_px(8.43);  // the default width
        continue;
      }
      const double width = std::min(c.cap, std::max(c.floor, c.widest)) + kPadding;
      worksheet_set_column(ws_, col, col, width, nullptr);
      size.width_px += column_px(width);
    }
    size.height_px = static_cast<double>(rows_) * kRowPx + extra_px_;
    return size;
  }

 private:
  struct Column {
    double floor = 6, cap = kTextCap, widest = 0;
    bool used = false;
  };

  Column& column(lxw_col_t col) {
    if (col >= columns_.size()) columns_.resize(col + 1);
    return columns_[col];
  }

  Column& written(lxw_col_t col) {
    Column& c = column(col);
    c.used = true;
    return c;
  }

  void fit_number(lxw_col_t col, double value, const NumberStyle& style) {
    Column& c = written(col);
    c.widest = std::max(c.widest, shown_chars(value, style));
    c.cap = std::max(c.cap, c.widest);  // a number never wraps: it shows "###"
  }

  // Moving to `row`: the row before gets the lines its wrapped text needs.
  void start(lxw_row_t row) {
    if (row == row_ && rows_ > 0) return;
    if (rows_ > 0 && lines_ > 1) {
      worksheet_set_row(ws_, row_, kLineHeight * lines_, nullptr);
      extra_px_ += (lines_ - 1) * kRowPx;
    }
    lines_ = 1;
    row_ = row;
    rows_ = std::max<std::size_t>(rows_, row + 1);
  }

  lxw_worksheet* ws_;
  lxw_format* header_;
  lxw_format* top_;
  lxw_format* wrap_;
  std::vector<Column> columns_;
  lxw_row_t row_ = 0;
  std::size_t rows_ = 0;  // rows up to the last one written
  double lines_ = 1;      // of the row being written
  double extra_px_ = 0;   // rows taller than one line, summed
};

// How a sheet prints: always landscape A4, one page wide, its name and the page in the footer.
struct PrintLayout {
  std::optional<lxw_row_t> repeat_row;  // the header row, on every page
  double largest_scale = 1;              // below 1: a long technical sheet prints smaller
};

void print_setup(lxw_worksheet* ws, const FittedSheet::Size& size, const PrintLayout& layout) {
  worksheet_set_landscape(ws);
  worksheet_set_paper(ws, 9);  // A4
  worksheet_set_margins(ws, kMarginSide, kMarginSide, kMarginTop, kMarginBottom);
  worksheet_set_footer_opt(ws, "&L&A&RPagina &P di &N", nullptr);
  if (layout.repeat_row) worksheet_repeat_rows(ws, *layout.repeat_row, *layout.repeat_row);
  // Fit to one page wide; a long sheet also to as many pages tall as it takes at its scale, so
  // that the smaller of the two scales wins.
  std::uint16_t pages_tall = 0;
  if (layout.largest_scale < 1) {
    const double scale = std::min(layout.largest_scale, kPageWidthPx / std::max(1.0, size.width_px));
    pages_tall = static_cast<std::uint16_t>(std::clamp(std::ceil(size.height_px * scale / kPageHeightPx), 1.0, 10000.0));
  }
  worksheet_fit_to_pages(ws, 1, pages_tall);
}

// A bar of a chart: its label, the Riepilogo cell it draws, the value cached there.
struct Bar {
  std::string label, cell;
  double value = 0;
};

// A unit's name as a bar's label, short: a label that LibreOffice wraps in two lines makes it
// show only every other label. The title says "per Ambito"; the Riepilogo notes the Ambiti of
// a synthetic assignment.
std::string chart_label(std::string name) {
  for (std::string_view prefix : {"Ambito di ", "Ambito "}) {
    if (name.starts_with(prefix)) {
      name.erase(0, prefix.size());
      break;
    }
  }
  constexpr std::string_view synthetic = " (sintetico)";
  if (name.ends_with(synthetic)) name.erase(name.size() - synthetic.size());
  return name;
}

// A round number at or above x, for an axis that leaves room for the bars' labels.
double round_up(double x) {
  if (x <= 0) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(x)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (step * magnitude >= x) return step * magnitude;
  }
  return 10 * magnitude;
}

// The Grafici sheet: each chart alone on a landscape page at 100%, so no page break cuts it.
// Bar charts are sorted by value: the data they draw, formulas over the Riepilogo in that
// order, stand in a table beside the printed area.
class ChartSheet {
 public:
  static constexpr lxw_row_t kRowsPerPage = static_cast<lxw_row_t>(kPageHeightPx / kRowPx);
  // Default columns (64 px) a chart spans: 768 px, room to spare on the page for an application
  // whose default font is wider (LibreOffice without Calibri's metrics widens columns a quarter).
  static constexpr lxw_col_t kChartColumns = 12;
  static constexpr lxw_col_t kDataCol = kChartColumns + 2;
  // Room for each label in two lines: LibreOffice wraps a long one and, were it to overlap its
  // neighbours, would show only every other label.
  static constexpr std::size_t kBarsPerChart = 24;

  ChartSheet(lxw_workbook* workbook, lxw_worksheet* ws, lxw_format* header, lxw_format* top, lxw_format* wrap, lxw_format* bold)
      : workbook_(workbook), sheet_(ws, header, top, wrap), bold_(bold) {
    sheet_.size(kDataCol, 30, 300);  // never wrapped: a taller row would push the next chart off its page
  }

  // Horizontal bars sorted by value, in charts of at most kBarsPerChart bars.
  void bars(const std::string& title, std::vector<Bar> bars, const NumberStyle& style) {
    std::stable_sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) { return a.value > b.value; });
    const std::size_t parts = std::max<std::size_t>(1, (bars.size() + kBarsPerChart - 1) / kBarsPerChart);
    const std::size_t per_part = (bars.size() + parts - 1) / parts;
    for (std::size_t part = 0; part < parts; ++part) {
      const std::size_t from = part * per_part, to = std::min(bars.size(), from + per_part);
      // Each chart on its own scale: on the largest's, the last charts' bars would be slivers.
      const double largest = from < to ? bars[from].value : 0;
      std::string part_title = title + " (per valore)";
      if (parts > 1) part_title = title + " (" + std::to_string(from + 1) + "-" + std::to_string(to) + " di " + std::to_string(bars.size()) + ", per valore)";
      sheet_.heading(data_row_, part_title, bold_, kDataCol);
      const lxw_row_t first = ++data_row_;
      for (std::size_t i = from; i < to; ++i, ++data_row_) {
        sheet_.text(data_row_, kDataCol, bars[i].label);
        sheet_.formula(data_row_, kDataCol + 1, "=" + bars[i].cell, style, bars[i].value);
      }
      const lxw_row_t last = data_row_ - 1;
      ++data_row_;
      lxw_chart* chart = workbook_add_chart(workbook_, LXW_CHART_BAR);
      const std::string categories = "=Grafici!" + abs_a1(first, kDataCol) + ":" + abs_a1(last, kDataCol);
      const std::string values = "=Grafici!" + abs_a1(first, kDataCol + 1) + ":" + abs_a1(last, kDataCol + 1);
      lxw_chart_series* series = chart_add_series(chart, categories.c_str(), values.c_str());
      chart_series_set_name(series, title.c_str());
      chart_series_set_labels(series);
      chart_series_set_labels_num_format(series, "#,##0 \"€\"");
      lxw_chart_font small{};
      small.size = to - from > 16 ? 8 : 10;
      chart_series_set_labels_font(series, &small);
      chart_axis_set_num_font(chart->y_axis, &small);
      chart_axis_set_reverse(chart->y_axis);  // the largest on top
      chart_axis_set_interval_unit(chart->y_axis, 1);  // every label, even one that its neighbours crowd
      // Millions on the axis: long figures there would be turned aslant.
      chart_axis_set_num_format(chart->x_axis, largest >= 1e7 ? "#,##0,, \"mln €\"" : "#,##0 \"€\"");
      chart_axis_set_min(chart->x_axis, 0);
      const double axis_max = round_up(largest * 1.25);  // room for the labels beside the bars
      chart_axis_set_max(chart->x_axis, axis_max);
      chart_axis_set_major_unit(chart->x_axis, axis_max / 5);  // few figures, so they stay upright
      chart_title_set_name(chart, part_title.c_str());
      lxw_chart_font title_font{};
      title_font.size = 12;
      title_font.bold = LXW_TRUE;
      chart_title_set_name_font(chart, &title_font);
      chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
      add(chart);
    }
  }

  // A chart on the next page.
  void add(lxw_chart* chart) {
    const lxw_row_t row = pages_ * kRowsPerPage;
    lxw_chart_options place{};
    place.x_offset = 8;
    place.y_offset = 8;
    place.x_scale = (kChartColumns * 64.0 - 16) / 480;                   // libxlsxwriter's chart is 480 x 288 px
    place.y_scale = (static_cast<double>(kRowsPerPage) * kRowPx - 16) / 288;
    worksheet_insert_chart_opt(sheet_.ws(), row, 0, chart, &place);
    if (pages_ > 0) breaks_.push_back(row);
    ++pages_;
  }

  // Each chart's page printed at 100%: its width fits the page, so no scaling moves the breaks.
  void finish() {
    sheet_.finish();
    lxw_worksheet* ws = sheet_.ws();
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  // A4
    worksheet_set_margins(ws, kMarginSide, kMarginSide, kMarginTop, kMarginBottom);
    worksheet_set_footer_opt(ws, "&L&A&RPagina &P di &N", nullptr);
    worksheet_center_horizontally(ws);
    worksheet_print_area(ws, 0, 0, std::max<lxw_row_t>(1, pages_ * kRowsPerPage) - 1, kChartColumns - 1);
    breaks_.push_back(0);  // the list ends with a zero
    worksheet_set_h_pagebreaks(ws, breaks_.data());
  }

 private:
  lxw_workbook* workbook_;
  FittedSheet sheet_;
  lxw_format* bold_;
  lxw_row_t pages_ = 0;
  lxw_row_t data_row_ = 0;
  std::vector<lxw_row_t> breaks_;
};

class ConsolidatedWriter {
 public:
  ConsolidatedWriter(const Result& result, const std::string& path) : r_(result), path_(path), dettaglio_(result) {
    lxw_workbook_options options{};
    // Rows go to disk as they are written (every sheet here is written top to bottom): a
    // regional workbook costs a third less time and memory than with libxlsxwriter's cell tree.
    options.constant_memory = LXW_TRUE;
    workbook_ = workbook_new_opt(path.c_str(), &options);
    if (!workbook_) fail("impossibile creare il file");
    formats();
  }
  ~ConsolidatedWriter() {
    if (workbook_) workbook_close(workbook_);
  }

  void write() {
    summary_.emplace(workbook_add_worksheet(workbook_, "Riepilogo"), header_, top_, wrap_);
    detail_.emplace(workbook_add_worksheet(workbook_, "Dettaglio"), header_, top_, wrap_);
    charts_.emplace(workbook_, workbook_add_worksheet(workbook_, "Grafici"), header_, top_, wrap_, bold_);
    if (r_.form->consolidation.records) {
      write_record_detail();
      write_record_summary();
    } else {
      write_detail();
      write_summary();
    }
    print_setup(summary_->ws(), summary_->finish(), {});
    if (!summary_breaks_.empty()) {
      summary_breaks_.push_back(0);  // the list ends with a zero
      worksheet_set_h_pagebreaks(summary_->ws(), summary_breaks_.data());
    }
    const FittedSheet::Size detail_size = detail_->finish();
    worksheet_print_area(detail_->ws(), 0, 0, detail_last_, detail_printed_);
    print_setup(detail_->ws(), detail_size, {0, 1});
    charts_->finish();
    write_missing();
    write_provenance();
    write_log();
    worksheet_activate(summary_->ws());
    lxw_doc_properties properties{};
    const std::string title = "Consolidato " + r_.form->title.it + " - " + r_.scope_name;
    properties.title = const_cast<char*>(title.c_str());
    properties.company = const_cast<char*>("Regione Lombardia");
    properties.comments = const_cast<char*>("Generato da consolida");
    workbook_set_properties(workbook_, &properties);
    workbook_set_custom_property_string(workbook_, "consolida_consolidato", r_.form->id.c_str());
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) fail(lxw_strerror(error));
  }

 private:
  [[noreturn]] void fail(const std::string& detail) const {
    throw Error(ErrorCode::io, "scrittura del consolidato non riuscita (" + detail + ")", "writing the consolidation failed (" + detail + ")",
                ErrorLocation{path_, {}, {}, 0, 0});
  }

  void formats() {
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
    format_set_align(bold_, LXW_ALIGN_VERTICAL_TOP);
    top_ = workbook_add_format(workbook_);
    format_set_align(top_, LXW_ALIGN_VERTICAL_TOP);
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_border(header_, LXW_BORDER_THIN);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    money_ = number_format("#,##0.00 \"€\"", false, 2, 2);
    money_total_ = number_format("#,##0.00 \"€\"", true, 2, 2);
    integer_ = number_format("#,##0", false, 0, 0);
    integer_total_ = number_format("#,##0", true, 0, 0);
    decimal_ = number_format("#,##0.00", false, 2, 0);
    percent_ = number_format("0.0%", false, 1, 1);
    percent_.scale = 100;
    general_ = NumberStyle{top_, 0, 0, false, 1};
    note_ = workbook_add_format(workbook_);
    format_set_italic(note_);
    format_set_font_color(note_, 0x7F6000);
    wrap_ = workbook_add_format(workbook_);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
    invalid_ = workbook_add_format(workbook_);
    format_set_bg_color(invalid_, 0xFFC7CE);
    format_set_align(invalid_, LXW_ALIGN_VERTICAL_TOP);
  }

  // A number format; a total's is bold with a rule above.
  NumberStyle number_format(const char* code, bool total, int decimals, std::size_t suffix) {
    lxw_format* f = workbook_add_format(workbook_);
    format_set_num_format(f, code);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (total) {
      format_set_bold(f);
      format_set_top(f, LXW_BORDER_THIN);
    }
    return NumberStyle{f, decimals, suffix, total, 1};
  }

  const registry::Ambito& ambito(std::size_t index) const { return r_.registry->ambiti()[index]; }
  bool comune_form() const { return r_.form->consolidation.ente == forms::ConsolidationSpec::Ente::comune; }

  // Header lines common to the summary: what, where, how many.
  lxw_row_t write_heading(FittedSheet& ws) {
    ws.heading(0, "Consolidato: " + r_.form->title.it, title_);
    const char* level = r_.level == Level::ambito ? "Ambito" : r_.level == Level::ats ? "ATS" : "Regione";
    ws.heading(1, std::string("Livello: ") + level + " - " + r_.scope_name + "; modulo " + r_.form->id + " versione " + r_.form->version, nullptr);
    std::size_t received = r_.inputs.size(), used = 0;
    for (const auto& input : r_.inputs) used += input.used;
    ws.heading(2, "File ricevuti: " + std::to_string(received) + "; utilizzati: " + std::to_string(used) + "; enti mancanti: " +
                      std::to_string(r_.missing.size()) + " (foglio Mancanti); generato il " + format_rome_time(unix_now()),
               nullptr);
    lxw_row_t row = 3;
    bool invalid_used = false;
    for (const auto& ente : r_.enti) invalid_used = invalid_used || !ente.valid;
    if (invalid_used) ws.heading(row++, "Attenzione: sono inclusi file con errori bloccanti (evidenziati in rosso nel Dettaglio).", note_);
    if (r_.synthetic_registry) {
      ws.heading(row++, "Nota: l'assegnazione dei Comuni agli Ambiti marcati «(sintetico)» è generata per prova, non è quella reale.", note_);
    }
    // A records form counts indicators: it has no amounts.
    ws.heading(row++, r_.form->consolidation.records ? "I conteggi sono formule sul foglio Dettaglio."
                                                      : "I totali sono formule sul foglio Dettaglio; gli importi sono in euro.",
               note_);
    return row + 1;
  }

  // ---- forms with breakdowns ----------------------------------------------------------------
  void write_detail() {
    using L = DettaglioLayout;
    FittedSheet& ws = *detail_;
    ws.size(L::ente, 8);
    ws.size(L::name, 14, kNameCap);
    ws.size(L::ambito_code, 8);
    ws.size(L::ats, 4);
    for (lxw_col_t c = L::population; c < dettaglio_.ambito; ++c) ws.size(c, 12);
    ws.size(dettaglio_.ambito, 14, kNameCap);
    ws.size(dettaglio_.file, 14, 40);
    ws.header(0, L::ente, comune_form() ? "Codice ISTAT" : "Codice Ambito");
    ws.header(0, L::name, comune_form() ? "Comune" : "Ambito");
    ws.header(0, L::ambito_code, "Codice Ambito");
    ws.header(0, L::ats, "ATS");
    ws.header(0, L::population, "Popolazione (2011)");
    for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) {
      const auto& breakdown = r_.breakdowns[b];
      for (std::size_t i = 0; i < breakdown.items.size(); ++i) ws.header(0, nth_col(dettaglio_.first_item[b], i), breakdown.items[i]);
      ws.header(0, dettaglio_.total[b], "Totale - " + breakdown.spec->title.it);
    }
    const auto& counts = r_.form->consolidation.counts;
    for (std::size_t k = 0; k < counts.size(); ++k) ws.header(0, nth_col(dettaglio_.first_count, k), counts[k].label.it);
    ws.header(0, dettaglio_.ambito, "Ambito");
    ws.header(0, dettaglio_.file, "File");
    worksheet_freeze_panes(ws.ws(), 1, L::name + 1);
    lxw_row_t row = 1;
    for (const auto& ente : r_.enti) {
      const registry::Ambito& a = ambito(ente.ambito);
      lxw_format* mark = ente.valid ? nullptr : invalid_;
      ws.text(row, L::ente, ente.code, mark);
      ws.text(row, L::name, ente.name, mark);
      ws.text(row, L::ambito_code, a.code);
      ws.text(row, L::ats, a.ats);
      ws.number(row, L::population, static_cast<double>(ente.population), integer_);
      for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) {
        for (std::size_t i = 0; i < ente.amounts[b].size(); ++i) ws.number(row, nth_col(dettaglio_.first_item[b], i), euros(ente.amounts[b][i]), money_);
        const std::string formula = "=SUM(" + cell_a1(row, dettaglio_.first_item[b]) + ":" + cell_a1(row, dettaglio_.total[b] - 1) + ")";
        ws.formula(row, dettaglio_.total[b], formula, money_, euros(ente.total(b)));
      }
      for (std::size_t k = 0; k < ente.counts.size(); ++k) ws.number(row, nth_col(dettaglio_.first_count, k), static_cast<double>(ente.counts[k]), integer_);
      ws.text(row, dettaglio_.ambito, a.name);
      ws.text(row, dettaglio_.file, file_name(r_.inputs[ente.input].file));
      ++row;
    }
    detail_last_ = std::max<lxw_row_t>(1, row - 1);
    if (!r_.enti.empty()) worksheet_autofilter(ws.ws(), 0, 0, detail_last_, dettaglio_.file);
    detail_printed_ = dettaglio_.last_printed();
  }

  // The file's own name: its folder is on the Provenienza sheet, the row names its ente.
  static std::string file_name(const std::string& file) { return std::filesystem::path(file).filename().string(); }

  // Riepilogo: the blocks of consolidate::summary_blocks, each unit's figures by SUMIFS over the
  // Dettaglio, cached with the totals computed there. Each block starts a page.
  void write_summary() {
    FittedSheet& ws = *summary_;
    using L = RiepilogoBlockLayout;
    ws.size(L::code, 8);
    ws.size(L::name, 14, kNameCap);
    for (lxw_col_t c = L::first_item; c <= 40; ++c) ws.size(c, 12);
    lxw_row_t row = write_heading(ws);
    bool first = true;
    for (const SummaryBlock& block : consolidate::summary_blocks(r_)) {
      if (!first) summary_breaks_.push_back(row);
      first = false;
      row = write_block(row, block) + 2;
    }
  }

  lxw_row_t write_block(lxw_row_t row, const SummaryBlock& block) {
    using D = DettaglioLayout;
    FittedSheet& ws = *summary_;
    const auto& breakdown = r_.breakdowns[block.breakdown];
    const RiepilogoBlockLayout col(breakdown.items.size());
    const std::string unit = unit_label(block.unit);
    ws.heading(row++, breakdown.spec->title.it + " per " + unit, bold_);
    const lxw_row_t header = row;
    ws.header(header, col.code, "Codice");
    ws.header(header, col.name, unit);
    for (std::size_t i = 0; i < breakdown.items.size(); ++i) ws.header(header, nth_col(col.first_item, i), breakdown.items[i]);
    ws.header(header, col.total, "Totale");
    ws.header(header, col.population, comune_form() ? "Popolazione dei Comuni che hanno inviato" : "Popolazione");
    ws.header(header, col.per_capita, "Pro capite (€ per abitante)");
    const auto& counts = r_.form->consolidation.counts;
    if (block.with_counts) {
      for (std::size_t k = 0; k < counts.size(); ++k) ws.header(header, nth_col(col.first_count, k), counts[k].label.it);
    }
    const std::string key_range = detail_range(D::key_of(block.unit), detail_last_);
    const lxw_row_t first = header + 1;
    row = first;
    std::vector<Bar> by_unit;
    for (const consolidate::UnitTotals& totals : block.units) {
      ws.text(row, col.code, totals.code);
      ws.text(row, col.name, totals.name);
      const std::string matches_code = "," + key_range + ",$" + cell_a1(row, col.code) + ")";
      for (std::size_t i = 0; i < breakdown.items.size(); ++i) {
        const std::string formula = "=SUMIFS(" + detail_range(nth_col(dettaglio_.first_item[block.breakdown], i), detail_last_) + matches_code;
        ws.formula(row, nth_col(col.first_item, i), formula, money_, euros(totals.items[i]));
      }
      const std::string total_formula = "=SUM(" + cell_a1(row, col.first_item) + ":" + cell_a1(row, col.total - 1) + ")";
      ws.formula(row, col.total, total_formula, money_, euros(totals.total));
      by_unit.push_back({chart_label(totals.name), "Riepilogo!" + abs_a1(row, col.total), euros(totals.total)});
      const std::string pop_formula = "=SUMIFS(" + detail_range(D::population, detail_last_) + matches_code;
      ws.formula(row, col.population, pop_formula, integer_, static_cast<double>(totals.population));
      write_per_capita(row, col, totals.total, totals.population, decimal_);
      if (block.with_counts) {
        for (std::size_t k = 0; k < counts.size(); ++k) {
          const std::string formula = "=SUMIFS(" + detail_range(nth_col(dettaglio_.first_count, k), detail_last_) + matches_code;
          ws.formula(row, nth_col(col.first_count, k), formula, integer_, static_cast<double>(totals.counts[k]));
        }
      }
      ++row;
    }
    const lxw_row_t last = row - 1;
    ws.text(row, col.name, "Totale", bold_);
    auto column_sum = [&](lxw_col_t c) { return "=SUM(" + cell_a1(first, c) + ":" + cell_a1(last, c) + ")"; };
    std::vector<Bar> by_item;
    for (std::size_t i = 0; i < breakdown.items.size(); ++i) {
      const lxw_col_t c = nth_col(col.first_item, i);
      ws.formula(row, c, column_sum(c), money_total_, euros(block.overall.items[i]));
      by_item.push_back({breakdown.items[i], "Riepilogo!" + abs_a1(row, c), euros(block.overall.items[i])});
    }
    ws.formula(row, col.total, column_sum(col.total), money_total_, euros(block.overall.total));
    ws.formula(row, col.population, column_sum(col.population), integer_total_, static_cast<double>(block.overall.population));
    write_per_capita(row, col, block.overall.total, block.overall.population, decimal_);
    if (block.with_counts) {
      for (std::size_t k = 0; k < counts.size(); ++k) {
        const lxw_col_t c = nth_col(col.first_count, k);
        ws.formula(row, c, column_sum(c), integer_total_, static_cast<double>(block.overall.counts[k]));
      }
    }
    // Spending by item (the block's total row) and by unit (its total column).
    if (block.breakdown == 0 && block.unit != UnitKind::ats) {
      charts_->bars(breakdown.spec->title.it + " - " + r_.scope_name, std::move(by_item), money_);
      charts_->bars("Totale per " + unit + " - " + r_.scope_name, std::move(by_unit), money_);
    }
    return row;
  }

  void write_per_capita(lxw_row_t row, const RiepilogoBlockLayout& col, std::int64_t cents, std::int64_t population, const NumberStyle& style) {
    const std::string formula =
        "=IF(" + cell_a1(row, col.population) + ">0," + cell_a1(row, col.total) + "/" + cell_a1(row, col.population) + ",0)";
    summary_->formula(row, col.per_capita, formula, style, population > 0 ? euros(cents) / static_cast<double>(population) : 0.0);
  }

  // ---- forms of records (monitoraggio) -------------------------------------------------------
  void write_record_detail() {
    using L = RecordDettaglioLayout;
    FittedSheet& ws = *detail_;
    const char* headers[] = {"Codice Ambito", "Ambito", "ATS", "Obiettivo", "Macroarea", "Tipo di indicatore", "Indicatore", "Unità",
                             "Valore atteso", "Valore realizzato", "Realizzato / atteso", "Raggiunto (1 = sì)", "File"};
    static_assert(std::size(headers) == L::file + 1);
    ws.size(L::ambito_code, 8);
    ws.size(L::ambito, 14, kNameCap);
    ws.size(L::ats, 14, 30);
    ws.size(L::objective, 20, 40);
    ws.size(L::group, 14, 30);
    ws.size(L::kind, 14, 28);
    ws.size(L::indicator, 20, 40);
    ws.size(L::unit, 8, 16);
    for (lxw_col_t c = L::expected; c <= L::reached; ++c) ws.size(c, 12);
    ws.size(L::file, 14, 40);
    for (lxw_col_t c = 0; c <= L::file; ++c) ws.header(0, c, headers[c]);
    worksheet_freeze_panes(ws.ws(), 1, L::ambito + 1);
    lxw_row_t row = 1;
    for (const auto& record : r_.records) {
      const auto& ente = r_.enti[record.ente];
      const registry::Ambito& a = ambito(ente.ambito);
      ws.text(row, L::ambito_code, a.code, ente.valid ? nullptr : invalid_);
      ws.text(row, L::ambito, a.name);
      ws.text(row, L::ats, a.ats);
      ws.text(row, L::objective, record.objective);
      ws.text(row, L::group, record.group);
      ws.text(row, L::kind, record.kind);
      ws.text(row, L::indicator, record.indicator);
      ws.text(row, L::unit, record.unit);
      if (record.expected) ws.number(row, L::expected, static_cast<double>(*record.expected) / 100.0, decimal_);
      if (record.achieved) ws.number(row, L::achieved, static_cast<double>(*record.achieved) / 100.0, decimal_);
      else if (!record.status.empty()) ws.text(row, L::achieved, record.status);
      const std::string i = cell_a1(row, L::expected), j = cell_a1(row, L::achieved), k = cell_a1(row, L::ratio);
      const std::string ratio = "=IF(AND(ISNUMBER(" + j + "),ISNUMBER(" + i + ")," + i + ">0)," + j + "/" + i + ",\"\")";
      const std::string reached = "=IF(ISNUMBER(" + k + "),IF(" + k + ">=1,1,0),\"\")";
      if (record.achieved && record.expected && *record.expected > 0) {
        const double value = static_cast<double>(*record.achieved) / static_cast<double>(*record.expected);
        ws.formula(row, L::ratio, ratio, percent_, value);
        ws.formula(row, L::reached, reached, general_, *record.achieved >= *record.expected ? 1 : 0);
      } else {
        worksheet_write_formula_str(ws.ws(), row, L::ratio, ratio.c_str(), percent_.format, "");
        worksheet_write_formula_str(ws.ws(), row, L::reached, reached.c_str(), top_, "");
      }
      ws.text(row, L::file, file_name(r_.inputs[ente.input].file));
      ++row;
    }
    detail_last_ = std::max<lxw_row_t>(1, row - 1);
    if (!r_.records.empty()) worksheet_autofilter(ws.ws(), 0, 0, detail_last_, L::file);
    detail_printed_ = L::file - 1;  // Provenienza lists the files
  }

  // Counts of indicators by macro-area and by type: how many, with a realised value, reached.
  void write_record_summary() {
    using D = RecordDettaglioLayout;
    using L = IndicatorRiepilogoLayout;
    FittedSheet& ws = *summary_;
    ws.size(L::label, 20, 60);
    for (lxw_col_t c = L::indicators; c <= L::declared_state; ++c) ws.size(c, 14);
    lxw_row_t row = write_heading(ws);
    const lxw_row_t chart_first = row + 2;
    lxw_row_t chart_last = chart_first;
    for (const auto& [by, detail_col, title] : {std::tuple{IndicatorGrouping::group, D::group, "Indicatori per macroarea"},
                                                std::tuple{IndicatorGrouping::kind, D::kind, "Indicatori per tipo"}}) {
      ws.heading(row++, title, bold_);
      const char* headers[] = {"Voce", "Indicatori", "Con valore realizzato", "Target raggiunto", "Stato dichiarato (es. In definizione)"};
      static_assert(std::size(headers) == L::declared_state + 1);
      for (lxw_col_t c = 0; c <= L::declared_state; ++c) ws.header(row, c, headers[c]);
      ++row;
      const lxw_row_t first = row;
      const std::string key = detail_range(detail_col, detail_last_);
      const std::string achieved = detail_range(D::achieved, detail_last_);
      const std::string reached = detail_range(D::reached, detail_last_);
      const consolidate::IndicatorTable table = consolidate::count_indicators(r_, by);
      for (const consolidate::IndicatorCounts& counts : table.rows) {
        ws.text(row, L::label, counts.label);
        const std::string a = "$" + cell_a1(row, L::label);
        write_indicator_counts(row, counts, integer_,
                               {"=COUNTIFS(" + key + "," + a + ")", "=COUNTIFS(" + key + "," + a + "," + achieved + ",\">=0\")",
                                "=COUNTIFS(" + key + "," + a + "," + reached + ",1)",
                                // Wildcards match numbers too in LibreOffice: ISTEXT says "a state" in both.
                                "=SUMPRODUCT((" + key + "=" + a + ")*ISTEXT(" + achieved + "))"});
        ++row;
      }
      ws.text(row, L::label, "Totale", bold_);
      auto column_sum = [&](lxw_col_t c) { return "=SUM(" + cell_a1(first, c) + ":" + cell_a1(row - 1, c) + ")"; };
      write_indicator_counts(row, table.total, integer_total_,
                             {column_sum(L::indicators), column_sum(L::with_achieved), column_sum(L::reached), column_sum(L::declared_state)});
      if (by == IndicatorGrouping::group) chart_last = row - 1;
      row += 3;
    }
    lxw_chart* chart = workbook_add_chart(workbook_, LXW_CHART_BAR);
    for (lxw_col_t c : {L::indicators, L::with_achieved, L::reached}) {
      const std::string categories = "=Riepilogo!" + abs_a1(chart_first, L::label) + ":" + abs_a1(chart_last, L::label);
      const std::string values = "=Riepilogo!" + abs_a1(chart_first, c) + ":" + abs_a1(chart_last, c);
      lxw_chart_series* series = chart_add_series(chart, categories.c_str(), values.c_str());
      const std::string name = "=Riepilogo!" + abs_a1(chart_first - 1, c);
      chart_series_set_name(series, name.c_str());
    }
    chart_title_set_name(chart, ("Indicatori per macroarea - " + r_.scope_name).c_str());
    chart_axis_set_reverse(chart->y_axis);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    charts_->add(chart);
  }

  // One row of indicator counts, each cell a formula cached with its count.
  void write_indicator_counts(lxw_row_t row, const consolidate::IndicatorCounts& counts, const NumberStyle& style,
                              const std::array<std::string, 4>& formulas) {
    using L = IndicatorRiepilogoLayout;
    const std::pair<lxw_col_t, std::int64_t> cells[] = {
        {L::indicators, counts.indicators},
        {L::with_achieved, counts.with_achieved},
        {L::reached, counts.reached},
        {L::declared_state, counts.declared_state}};
    for (std::size_t k = 0; k < std::size(cells); ++k) summary_->formula(row, cells[k].first, formulas[k], style, static_cast<double>(cells[k].second));
  }

  // ---- common sheets -------------------------------------------------------------------------
  // A sheet that is one table: its header row on every printed page.
  FittedSheet table_sheet(const char* name) { return FittedSheet(workbook_add_worksheet(workbook_, name), header_, top_, wrap_); }

  void write_missing() {
    FittedSheet ws = table_sheet("Mancanti");
    const MancantiLayout L(comune_form());
    ws.size(L.code, 8);
    ws.size(L.name, 14, kNameCap);
    if (L.ambito) ws.size(*L.ambito, 14, kNameCap);
    ws.size(L.ats, 14, 40);
    ws.size(L.reason, 20, 100);
    ws.header(0, L.code, comune_form() ? "Codice ISTAT" : "Codice Ambito");
    ws.header(0, L.name, comune_form() ? "Comune" : "Ambito");
    if (L.ambito) ws.header(0, *L.ambito, "Ambito");
    ws.header(0, L.ats, "ATS");
    ws.header(0, L.reason, "Motivo");
    lxw_row_t row = 1;
    for (const auto& missing : r_.missing) {
      ws.text(row, L.code, missing.code);
      ws.text(row, L.name, missing.name);
      if (L.ambito) ws.text(row, *L.ambito, ambito(missing.ambito).name);
      ws.text(row, L.ats, r_.registry->ats_name(ambito(missing.ambito).ats));
      ws.text(row, L.reason, missing.reason_it);
      ++row;
    }
    if (r_.missing.empty()) ws.text(1, L.name, "Nessun ente mancante.");
    else worksheet_autofilter(ws.ws(), 0, 0, row - 1, L.reason);
    worksheet_freeze_panes(ws.ws(), 1, 0);
    print_setup(ws.ws(), ws.finish(), {0, 1});
  }

  // What Provenienza shows of each input, column by column; who sent a file and when only for
  // uploads to the server.
  struct ProvenienzaColumn {
    const char* header;
    double floor, cap;
    std::function<void(FittedSheet&, lxw_row_t, lxw_col_t, const consolidate::Input&)> write;
    bool uploads_only = false;
  };

  void write_provenance() {
    FittedSheet ws = table_sheet("Provenienza");
    const auto text = [](auto field) {
      return [field](FittedSheet& sheet, lxw_row_t row, lxw_col_t col, const consolidate::Input& input) { sheet.text(row, col, field(input)); };
    };
    const auto count = [this](auto field) {
      return [this, field](FittedSheet& sheet, lxw_row_t row, lxw_col_t col, const consolidate::Input& input) {
        sheet.number(row, col, static_cast<double>(field(input)), general_);
      };
    };
    const std::vector<ProvenienzaColumn> columns = {
        {"File", 14, 100, text([](const consolidate::Input& i) { return i.file; })},
        {"Inviato da", 12, 30, text([](const consolidate::Input& i) { return i.sender; }), true},
        {"Ricevuto il (ora italiana)", 17, 17,
         text([](const consolidate::Input& i) { return i.received_at ? format_rome_time(i.received_at) : std::string(); }), true},
        {"SHA-256", 64, 66, text([](const consolidate::Input& i) { return i.sha256; })},
        {"Modulo", 10, 24, text([](const consolidate::Input& i) { return i.report.form_id; })},
        {"Versione del modello", 10, 12, text([](const consolidate::Input& i) { return i.report.form_version; })},
        {"Ente", 8, 12, text([](const consolidate::Input& i) { return i.ente_code; })},
        {"Esito", 10, 12,
         [this](FittedSheet& sheet, lxw_row_t row, lxw_col_t col, const consolidate::Input& input) {
           const bool valid = input.readable && input.report.valid();
           sheet.text(row, col, !input.readable ? "illeggibile" : valid ? "valido" : "non valido", valid ? nullptr : invalid_);
         }},
        {"Errori", 8, 8, count([](const consolidate::Input& i) { return i.report.errors(); })},
        {"Avvisi", 8, 8, count([](const consolidate::Input& i) { return i.report.warnings(); })},
        {"Utilizzato", 10, 10, text([](const consolidate::Input& i) { return std::string(i.used ? "sì" : "no"); })},
        {"Nota", 20, 80, text([](const consolidate::Input& i) { return i.readable ? i.note_it : i.error_it; })},
    };
    const bool uploads = std::any_of(r_.inputs.begin(), r_.inputs.end(), [](const consolidate::Input& i) { return !i.sender.empty(); });
    std::vector<const ProvenienzaColumn*> shown;
    for (const ProvenienzaColumn& column : columns) {
      if (uploads || !column.uploads_only) shown.push_back(&column);
    }
    for (lxw_col_t c = 0; c < shown.size(); ++c) {
      ws.size(c, shown[c]->floor, shown[c]->cap);
      ws.header(0, c, shown[c]->header);
    }
    lxw_row_t row = 1;
    for (const auto& input : r_.inputs) {
      for (lxw_col_t c = 0; c < shown.size(); ++c) shown[c]->write(ws, row, c, input);
      ++row;
    }
    const lxw_col_t last_col = static_cast<lxw_col_t>(shown.size() - 1);
    if (row > 1) worksheet_autofilter(ws.ws(), 0, 0, row - 1, last_col);
    worksheet_freeze_panes(ws.ws(), 1, 0);
    print_setup(ws.ws(), ws.finish(), {0, kLongSheetScale});
  }

  void write_log() {
    FittedSheet ws = table_sheet("Log validazione");
    using L = LogLayout;
    const char* headers[] = {"File", "Gravità", "Foglio", "Cella", "Codice", "Messaggio"};
    static_assert(std::size(headers) == L::message + 1);
    ws.size(L::file, 14, 100);
    ws.size(L::severity, 10, 20);
    ws.size(L::sheet, 10, 24);
    ws.size(L::cell, 6, 10);
    ws.size(L::code, 10, 30);
    ws.size(L::message, 30, 90);
    for (lxw_col_t c = 0; c <= L::message; ++c) ws.header(0, c, headers[c]);
    lxw_row_t row = 1;
    for (const auto& input : r_.inputs) {
      if (!input.readable) {
        ws.text(row, L::file, input.file);
        ws.text(row, L::severity, "illeggibile");
        ws.text(row, L::message, input.error_it);
        ++row;
      }
      for (const auto& issue : input.report.issues) {
        ws.text(row, L::file, input.file);
        ws.text(row, L::severity, std::string(forms::to_string(issue.severity, Lang::it)));
        ws.text(row, L::sheet, issue.sheet);
        ws.text(row, L::cell, issue.cell);
        ws.text(row, L::code, issue.code);
        ws.text(row, L::message, issue.message.it);
        ++row;
      }
    }
    if (row == 1) ws.text(1, L::message, "Nessun problema trovato nei file.");
    else worksheet_autofilter(ws.ws(), 0, 0, row - 1, L::message);
    worksheet_freeze_panes(ws.ws(), 1, 0);
    print_setup(ws.ws(), ws.finish(), {0, kLongSheetScale});
  }

  const Result& r_;
  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  std::optional<FittedSheet> summary_, detail_;
  std::optional<ChartSheet> charts_;
  std::vector<lxw_row_t> summary_breaks_;  // a page break before each block but the first
  lxw_format *bold_ = nullptr, *title_ = nullptr, *top_ = nullptr, *header_ = nullptr, *note_ = nullptr, *wrap_ = nullptr, *invalid_ = nullptr;
  NumberStyle money_, money_total_, integer_, integer_total_, decimal_, percent_, general_;
  const DettaglioLayout dettaglio_;
  lxw_row_t detail_last_ = 1;
  lxw_col_t detail_printed_ = 0;  // the last column of the Dettaglio on paper
};

}  // namespace

void write_consolidated(const consolidate::Result& result, const std::string& path) { ConsolidatedWriter(result, path).write(); }

}  // namespace consolida::write
