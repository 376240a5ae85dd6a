// Writes a consolidation: summary with live formulas (cached values = exact sums in cents),
// detail per ente, charts, missing enti, provenance and the validation log.
#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>
#include <utility>

#include "common/rome_time.hpp"
#include "consolida/consolidate.hpp"
#include "consolida/error.hpp"
#include "consolida/write.hpp"

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

// Dettaglio of a form with breakdowns, one row per ente: who and where, then per breakdown its
// items and their total, then the form's counts, then the file.
struct DettaglioLayout {
  static constexpr lxw_col_t ente = 0, name = 1, ambito_code = 2, ambito = 3, ats = 4, population = 5;
  std::vector<lxw_col_t> first_item, total;  // per breakdown; its total follows its items
  lxw_col_t first_count = 0, file = 0;

  explicit DettaglioLayout(const Result& r) {
    lxw_col_t col = population + 1;
    for (const auto& breakdown : r.breakdowns) {
      first_item.push_back(col);
      col += static_cast<lxw_col_t>(breakdown.items.size());
      total.push_back(col++);
    }
    first_count = col;
    file = first_count + static_cast<lxw_col_t>(r.form->consolidation.counts.size());
  }

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

struct MancantiLayout {
  static constexpr lxw_col_t code = 0, name = 1, ambito = 2, ats = 3, reason = 4;
};

struct ProvenienzaLayout {
  static constexpr lxw_col_t file = 0, sha256 = 1, form = 2, form_version = 3, ente = 4, outcome = 5, errors = 6, warnings = 7,
                             used = 8, note = 9;
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
    summary_ = workbook_add_worksheet(workbook_, "Riepilogo");
    detail_ = workbook_add_worksheet(workbook_, "Dettaglio");
    charts_ = workbook_add_worksheet(workbook_, "Grafici");
    if (r_.form->consolidation.records) {
      write_record_detail();
      write_record_summary();
    } else {
      write_detail();
      write_summary();
    }
    write_missing();
    write_provenance();
    write_log();
    worksheet_activate(summary_);
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
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_border(header_, LXW_BORDER_THIN);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    money_ = number_format("#,##0.00 \"€\"", false);
    money_total_ = number_format("#,##0.00 \"€\"", true);
    integer_ = number_format("#,##0", false);
    integer_total_ = number_format("#,##0", true);
    decimal_ = number_format("#,##0.00", false);
    percent_ = number_format("0.0%", false);
    note_ = workbook_add_format(workbook_);
    format_set_italic(note_);
    format_set_font_color(note_, 0x7F6000);
    wrap_ = workbook_add_format(workbook_);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
    invalid_ = workbook_add_format(workbook_);
    format_set_bg_color(invalid_, 0xFFC7CE);
  }

  // A number format; a total's is bold with a rule above.
  lxw_format* number_format(const char* code, bool total) {
    lxw_format* f = workbook_add_format(workbook_);
    format_set_num_format(f, code);
    if (total) {
      format_set_bold(f);
      format_set_top(f, LXW_BORDER_THIN);
    }
    return f;
  }

  void str(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const std::string& text, lxw_format* f = nullptr) {
    worksheet_write_string(ws, row, col, text.c_str(), f);
  }

  const registry::Ambito& ambito(std::size_t index) const { return r_.registry->ambiti()[index]; }
  bool comune_form() const { return r_.form->consolidation.ente == forms::ConsolidationSpec::Ente::comune; }

  // Header lines common to the summary: what, where, how many.
  lxw_row_t write_heading(lxw_worksheet* ws) {
    str(ws, 0, 0, "Consolidato: " + r_.form->title.it, title_);
    const char* level = r_.level == Level::ambito ? "Ambito" : r_.level == Level::ats ? "ATS" : "Regione";
    str(ws, 1, 0, std::string("Livello: ") + level + " - " + r_.scope_name + "; modulo " + r_.form->id + " versione " + r_.form->version);
    std::size_t received = r_.inputs.size(), used = 0;
    for (const auto& input : r_.inputs) used += input.used;
    str(ws, 2, 0, "File ricevuti: " + std::to_string(received) + "; utilizzati: " + std::to_string(used) + "; enti mancanti: " +
                      std::to_string(r_.missing.size()) + " (foglio Mancanti); generato il " + format_rome_time(unix_now()));
    lxw_row_t row = 3;
    bool invalid_used = false;
    for (const auto& ente : r_.enti) invalid_used = invalid_used || !ente.valid;
    if (invalid_used) str(ws, row++, 0, "Attenzione: sono inclusi file con errori bloccanti (evidenziati in rosso nel Dettaglio).", note_);
    if (r_.synthetic_registry) {
      str(ws, row++, 0, "Nota: l'assegnazione dei Comuni agli Ambiti marcati «(sintetico)» è generata per prova, non è quella reale.", note_);
    }
    str(ws, row++, 0, "I totali sono formule sul foglio Dettaglio; gli importi sono in euro.", note_);
    return row + 1;
  }

  // ---- forms with breakdowns ----------------------------------------------------------------
  void write_detail() {
    using L = DettaglioLayout;
    str(detail_, 0, L::ente, comune_form() ? "Codice ISTAT" : "Codice Ambito", header_);
    str(detail_, 0, L::name, comune_form() ? "Comune" : "Ambito", header_);
    str(detail_, 0, L::ambito_code, "Codice Ambito", header_);
    str(detail_, 0, L::ambito, "Ambito", header_);
    str(detail_, 0, L::ats, "ATS", header_);
    str(detail_, 0, L::population, "Popolazione (2011)", header_);
    for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) {
      const auto& breakdown = r_.breakdowns[b];
      for (std::size_t i = 0; i < breakdown.items.size(); ++i) str(detail_, 0, nth_col(dettaglio_.first_item[b], i), breakdown.items[i], header_);
      str(detail_, 0, dettaglio_.total[b], "Totale - " + breakdown.spec->title.it, header_);
    }
    const auto& counts = r_.form->consolidation.counts;
    for (std::size_t k = 0; k < counts.size(); ++k) str(detail_, 0, nth_col(dettaglio_.first_count, k), counts[k].label.it, header_);
    str(detail_, 0, dettaglio_.file, "File", header_);
    worksheet_set_row(detail_, 0, 45, nullptr);
    worksheet_set_column(detail_, L::ente, L::ente, 12, nullptr);
    worksheet_set_column(detail_, L::name, L::name, 30, nullptr);
    worksheet_set_column(detail_, L::ambito_code, L::ambito_code, 12, nullptr);
    worksheet_set_column(detail_, L::ambito, L::ats, 34, nullptr);
    worksheet_set_column(detail_, L::population, dettaglio_.file - 1, 16, nullptr);
    worksheet_set_column(detail_, dettaglio_.file, dettaglio_.file, 50, nullptr);
    worksheet_freeze_panes(detail_, 1, L::name + 1);
    lxw_row_t row = 1;
    for (const auto& ente : r_.enti) {
      const registry::Ambito& a = ambito(ente.ambito);
      lxw_format* mark = ente.valid ? nullptr : invalid_;
      str(detail_, row, L::ente, ente.code, mark);
      str(detail_, row, L::name, ente.name, mark);
      str(detail_, row, L::ambito_code, a.code);
      str(detail_, row, L::ambito, a.name);
      str(detail_, row, L::ats, a.ats);
      worksheet_write_number(detail_, row, L::population, static_cast<double>(ente.population), integer_);
      for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) {
        for (std::size_t i = 0; i < ente.amounts[b].size(); ++i) {
          worksheet_write_number(detail_, row, nth_col(dettaglio_.first_item[b], i), euros(ente.amounts[b][i]), money_);
        }
        const std::string formula = "=SUM(" + cell_a1(row, dettaglio_.first_item[b]) + ":" + cell_a1(row, dettaglio_.total[b] - 1) + ")";
        worksheet_write_formula_num(detail_, row, dettaglio_.total[b], formula.c_str(), money_, euros(ente.total(b)));
      }
      for (std::size_t k = 0; k < ente.counts.size(); ++k) {
        worksheet_write_number(detail_, row, nth_col(dettaglio_.first_count, k), static_cast<double>(ente.counts[k]), integer_);
      }
      str(detail_, row, dettaglio_.file, r_.inputs[ente.input].file);
      ++row;
    }
    detail_last_ = std::max<lxw_row_t>(1, row - 1);
    if (!r_.enti.empty()) worksheet_autofilter(detail_, 0, 0, detail_last_, dettaglio_.file);
  }

  // Riepilogo: the blocks of consolidate::summary_blocks, each unit's figures by SUMIFS over the
  // Dettaglio, cached with the totals computed there.
  void write_summary() {
    lxw_row_t row = write_heading(summary_);
    using L = RiepilogoBlockLayout;
    worksheet_set_column(summary_, L::code, L::code, 14, nullptr);
    worksheet_set_column(summary_, L::name, L::name, 40, nullptr);
    worksheet_set_column(summary_, L::first_item, 40, 16, nullptr);
    for (const SummaryBlock& block : consolidate::summary_blocks(r_)) row = write_block(row, block) + 2;
  }

  lxw_row_t write_block(lxw_row_t row, const SummaryBlock& block) {
    using D = DettaglioLayout;
    const auto& breakdown = r_.breakdowns[block.breakdown];
    const RiepilogoBlockLayout col(breakdown.items.size());
    const std::string unit = unit_label(block.unit);
    str(summary_, row++, 0, breakdown.spec->title.it + " per " + unit, bold_);
    const lxw_row_t header = row;
    str(summary_, header, col.code, "Codice", header_);
    str(summary_, header, col.name, unit, header_);
    for (std::size_t i = 0; i < breakdown.items.size(); ++i) str(summary_, header, nth_col(col.first_item, i), breakdown.items[i], header_);
    str(summary_, header, col.total, "Totale", header_);
    str(summary_, header, col.population, comune_form() ? "Popolazione dei Comuni che hanno inviato" : "Popolazione", header_);
    str(summary_, header, col.per_capita, "Pro capite (€ per abitante)", header_);
    const auto& counts = r_.form->consolidation.counts;
    if (block.with_counts) {
      for (std::size_t k = 0; k < counts.size(); ++k) str(summary_, header, nth_col(col.first_count, k), counts[k].label.it, header_);
    }
    worksheet_set_row(summary_, header, 45, nullptr);
    const std::string key_range = detail_range(D::key_of(block.unit), detail_last_);
    const lxw_row_t first = header + 1;
    row = first;
    for (const consolidate::UnitTotals& totals : block.units) {
      str(summary_, row, col.code, totals.code);
      str(summary_, row, col.name, totals.name);
      const std::string matches_code = "," + key_range + ",$" + cell_a1(row, col.code) + ")";
      for (std::size_t i = 0; i < breakdown.items.size(); ++i) {
        const std::string formula = "=SUMIFS(" + detail_range(nth_col(dettaglio_.first_item[block.breakdown], i), detail_last_) + matches_code;
        worksheet_write_formula_num(summary_, row, nth_col(col.first_item, i), formula.c_str(), money_, euros(totals.items[i]));
      }
      const std::string total_formula = "=SUM(" + cell_a1(row, col.first_item) + ":" + cell_a1(row, col.total - 1) + ")";
      worksheet_write_formula_num(summary_, row, col.total, total_formula.c_str(), money_, euros(totals.total));
      const std::string pop_formula = "=SUMIFS(" + detail_range(D::population, detail_last_) + matches_code;
      worksheet_write_formula_num(summary_, row, col.population, pop_formula.c_str(), integer_, static_cast<double>(totals.population));
      write_per_capita(row, col, totals.total, totals.population);
      if (block.with_counts) {
        for (std::size_t k = 0; k < counts.size(); ++k) {
          const std::string formula = "=SUMIFS(" + detail_range(nth_col(dettaglio_.first_count, k), detail_last_) + matches_code;
          worksheet_write_formula_num(summary_, row, nth_col(col.first_count, k), formula.c_str(), integer_,
                                      static_cast<double>(totals.counts[k]));
        }
      }
      ++row;
    }
    const lxw_row_t last = row - 1;
    str(summary_, row, col.name, "Totale", bold_);
    auto column_sum = [&](lxw_col_t c) { return "=SUM(" + cell_a1(first, c) + ":" + cell_a1(last, c) + ")"; };
    for (std::size_t i = 0; i < breakdown.items.size(); ++i) {
      const lxw_col_t c = nth_col(col.first_item, i);
      worksheet_write_formula_num(summary_, row, c, column_sum(c).c_str(), money_total_, euros(block.overall.items[i]));
    }
    worksheet_write_formula_num(summary_, row, col.total, column_sum(col.total).c_str(), money_total_, euros(block.overall.total));
    worksheet_write_formula_num(summary_, row, col.population, column_sum(col.population).c_str(), integer_total_,
                                static_cast<double>(block.overall.population));
    write_per_capita(row, col, block.overall.total, block.overall.population);
    if (block.with_counts) {
      for (std::size_t k = 0; k < counts.size(); ++k) {
        const lxw_col_t c = nth_col(col.first_count, k);
        worksheet_write_formula_num(summary_, row, c, column_sum(c).c_str(), integer_total_, static_cast<double>(block.overall.counts[k]));
      }
    }
    if (block.breakdown == 0 && block.unit != UnitKind::ats) add_charts(breakdown, unit, header, first, last, row, col.total);
    return row;
  }

  void write_per_capita(lxw_row_t row, const RiepilogoBlockLayout& col, std::int64_t cents, std::int64_t population) {
    const std::string formula =
        "=IF(" + cell_a1(row, col.population) + ">0," + cell_a1(row, col.total) + "/" + cell_a1(row, col.population) + ",0)";
    worksheet_write_formula_num(summary_, row, col.per_capita, formula.c_str(), decimal_,
                                population > 0 ? euros(cents) / static_cast<double>(population) : 0.0);
  }

  // Spending by item (the total row of the first block) and by unit (its total column).
  void add_charts(const consolidate::BreakdownItems& breakdown, const std::string& unit, lxw_row_t header, lxw_row_t first, lxw_row_t last,
                  lxw_row_t total_row, lxw_col_t total_col) {
    using C = RiepilogoBlockLayout;
    const std::string sheet = "Riepilogo!";
    lxw_chart* by_item = workbook_add_chart(workbook_, LXW_CHART_COLUMN);
    const std::string categories = "=" + sheet + abs_a1(header, C::first_item) + ":" + abs_a1(header, total_col - 1);
    const std::string values = "=" + sheet + abs_a1(total_row, C::first_item) + ":" + abs_a1(total_row, total_col - 1);
    lxw_chart_series* series = chart_add_series(by_item, categories.c_str(), values.c_str());
    chart_series_set_name(series, breakdown.spec->title.it.c_str());
    const std::string title = breakdown.spec->title.it + " - " + r_.scope_name;
    chart_title_set_name(by_item, title.c_str());
    chart_legend_set_position(by_item, LXW_CHART_LEGEND_NONE);
    chart_axis_set_num_format(by_item->y_axis, "#,##0 \"€\"");
    lxw_chart_options place{};
    place.x_scale = 2.0;
    place.y_scale = 1.6;
    worksheet_insert_chart_opt(charts_, 1, 1, by_item, &place);

    lxw_chart* by_unit = workbook_add_chart(workbook_, LXW_CHART_BAR);
    const std::string unit_names = "=" + sheet + abs_a1(first, C::name) + ":" + abs_a1(last, C::name);
    const std::string unit_values = "=" + sheet + abs_a1(first, total_col) + ":" + abs_a1(last, total_col);
    lxw_chart_series* unit_series = chart_add_series(by_unit, unit_names.c_str(), unit_values.c_str());
    chart_series_set_name(unit_series, "Totale");
    const std::string unit_title = "Totale per " + unit;
    chart_title_set_name(by_unit, unit_title.c_str());
    chart_legend_set_position(by_unit, LXW_CHART_LEGEND_NONE);
    chart_axis_set_num_format(by_unit->x_axis, "#,##0 \"€\"");
    chart_axis_set_reverse(by_unit->y_axis);
    lxw_chart_options tall{};
    tall.x_scale = 2.0;
    tall.y_scale = std::max(1.6, static_cast<double>(last - first + 1) / 12.0);
    worksheet_insert_chart_opt(charts_, 27, 1, by_unit, &tall);
  }

  // ---- forms of records (monitoraggio) -------------------------------------------------------
  void write_record_detail() {
    using L = RecordDettaglioLayout;
    const char* headers[] = {"Codice Ambito", "Ambito", "ATS", "Obiettivo", "Macroarea", "Tipo di indicatore", "Indicatore", "Unità",
                             "Valore atteso", "Valore realizzato", "Realizzato / atteso", "Raggiunto (1 = sì)", "File"};
    static_assert(std::size(headers) == L::file + 1);
    for (lxw_col_t c = 0; c <= L::file; ++c) str(detail_, 0, c, headers[c], header_);
    worksheet_set_row(detail_, 0, 30, nullptr);
    worksheet_set_column(detail_, L::ambito_code, L::ambito_code, 12, nullptr);
    worksheet_set_column(detail_, L::ambito, L::ambito, 30, nullptr);
    worksheet_set_column(detail_, L::objective, L::indicator, 34, wrap_);
    worksheet_set_column(detail_, L::expected, L::reached, 14, nullptr);
    worksheet_set_column(detail_, L::file, L::file, 50, nullptr);
    worksheet_freeze_panes(detail_, 1, L::ambito + 1);
    lxw_row_t row = 1;
    for (const auto& record : r_.records) {
      const auto& ente = r_.enti[record.ente];
      const registry::Ambito& a = ambito(ente.ambito);
      str(detail_, row, L::ambito_code, a.code, ente.valid ? nullptr : invalid_);
      str(detail_, row, L::ambito, a.name);
      str(detail_, row, L::ats, a.ats);
      str(detail_, row, L::objective, record.objective, wrap_);
      str(detail_, row, L::group, record.group);
      str(detail_, row, L::kind, record.kind);
      str(detail_, row, L::indicator, record.indicator, wrap_);
      str(detail_, row, L::unit, record.unit);
      if (record.expected) worksheet_write_number(detail_, row, L::expected, static_cast<double>(*record.expected) / 100.0, decimal_);
      if (record.achieved) worksheet_write_number(detail_, row, L::achieved, static_cast<double>(*record.achieved) / 100.0, decimal_);
      else if (!record.status.empty()) str(detail_, row, L::achieved, record.status);
      const std::string i = cell_a1(row, L::expected), j = cell_a1(row, L::achieved), k = cell_a1(row, L::ratio);
      const std::string ratio = "=IF(AND(ISNUMBER(" + j + "),ISNUMBER(" + i + ")," + i + ">0)," + j + "/" + i + ",\"\")";
      const std::string reached = "=IF(ISNUMBER(" + k + "),IF(" + k + ">=1,1,0),\"\")";
      if (record.achieved && record.expected && *record.expected > 0) {
        const double value = static_cast<double>(*record.achieved) / static_cast<double>(*record.expected);
        worksheet_write_formula_num(detail_, row, L::ratio, ratio.c_str(), percent_, value);
        worksheet_write_formula_num(detail_, row, L::reached, reached.c_str(), nullptr, *record.achieved >= *record.expected ? 1 : 0);
      } else {
        worksheet_write_formula_str(detail_, row, L::ratio, ratio.c_str(), percent_, "");
        worksheet_write_formula_str(detail_, row, L::reached, reached.c_str(), nullptr, "");
      }
      str(detail_, row, L::file, r_.inputs[ente.input].file);
      ++row;
    }
    detail_last_ = std::max<lxw_row_t>(1, row - 1);
    if (!r_.records.empty()) worksheet_autofilter(detail_, 0, 0, detail_last_, L::file);
  }

  // Counts of indicators by macro-area and by type: how many, with a realised value, reached.
  void write_record_summary() {
    using D = RecordDettaglioLayout;
    using L = IndicatorRiepilogoLayout;
    lxw_row_t row = write_heading(summary_);
    worksheet_set_column(summary_, L::label, L::label, 60, nullptr);
    worksheet_set_column(summary_, L::indicators, L::declared_state + 1, 18, nullptr);  // and one column to spare
    const lxw_row_t chart_first = row + 2;
    lxw_row_t chart_last = chart_first;
    for (const auto& [by, detail_col, title] : {std::tuple{IndicatorGrouping::group, D::group, "Indicatori per macroarea"},
                                                std::tuple{IndicatorGrouping::kind, D::kind, "Indicatori per tipo"}}) {
      str(summary_, row++, 0, title, bold_);
      const char* headers[] = {"Voce", "Indicatori", "Con valore realizzato", "Target raggiunto", "Stato dichiarato (es. In definizione)"};
      static_assert(std::size(headers) == L::declared_state + 1);
      for (lxw_col_t c = 0; c <= L::declared_state; ++c) str(summary_, row, c, headers[c], header_);
      worksheet_set_row(summary_, row, 30, nullptr);
      ++row;
      const lxw_row_t first = row;
      const std::string key = detail_range(detail_col, detail_last_);
      const std::string achieved = detail_range(D::achieved, detail_last_);
      const std::string reached = detail_range(D::reached, detail_last_);
      const consolidate::IndicatorTable table = consolidate::count_indicators(r_, by);
      for (const consolidate::IndicatorCounts& counts : table.rows) {
        str(summary_, row, L::label, counts.label);
        const std::string a = "$" + cell_a1(row, L::label);
        write_indicator_counts(row, counts, integer_,
                               {"=COUNTIFS(" + key + "," + a + ")", "=COUNTIFS(" + key + "," + a + "," + achieved + ",\">=0\")",
                                "=COUNTIFS(" + key + "," + a + "," + reached + ",1)",
                                // Wildcards match numbers too in LibreOffice: ISTEXT says "a state" in both.
                                "=SUMPRODUCT((" + key + "=" + a + ")*ISTEXT(" + achieved + "))"});
        ++row;
      }
      str(summary_, row, L::label, "Totale", bold_);
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
    lxw_chart_options place{};
    place.x_scale = 2.2;
    place.y_scale = 2.0;
    worksheet_insert_chart_opt(charts_, 1, 1, chart, &place);
  }

  // One row of indicator counts, each cell a formula cached with its count.
  void write_indicator_counts(lxw_row_t row, const consolidate::IndicatorCounts& counts, lxw_format* format,
                              const std::array<std::string, 4>& formulas) {
    using L = IndicatorRiepilogoLayout;
    const std::pair<lxw_col_t, std::int64_t> cells[] = {
        {L::indicators, counts.indicators},
        {L::with_achieved, counts.with_achieved},
        {L::reached, counts.reached},
        {L::declared_state, counts.declared_state}};
    for (std::size_t k = 0; k < std::size(cells); ++k) {
      worksheet_write_formula_num(summary_, row, cells[k].first, formulas[k].c_str(), format, static_cast<double>(cells[k].second));
    }
  }

  // ---- common sheets -------------------------------------------------------------------------
  void write_missing() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Mancanti");
    using L = MancantiLayout;
    const char* headers[] = {"Codice", comune_form() ? "Comune" : "Ambito", "Ambito", "ATS", "Motivo"};
    static_assert(std::size(headers) == L::reason + 1);
    for (lxw_col_t c = 0; c <= L::reason; ++c) str(ws, 0, c, headers[c], header_);
    worksheet_set_column(ws, L::code, L::code, 12, nullptr);
    worksheet_set_column(ws, L::name, L::ats, 34, nullptr);
    worksheet_set_column(ws, L::reason, L::reason, 90, nullptr);
    lxw_row_t row = 1;
    for (const auto& missing : r_.missing) {
      str(ws, row, L::code, missing.code);
      str(ws, row, L::name, missing.name);
      str(ws, row, L::ambito, ambito(missing.ambito).name);
      str(ws, row, L::ats, r_.registry->ats_name(ambito(missing.ambito).ats));
      str(ws, row, L::reason, missing.reason_it);
      ++row;
    }
    if (r_.missing.empty()) str(ws, 1, L::name, "Nessun ente mancante.");
    else worksheet_autofilter(ws, 0, 0, row - 1, L::reason);
    worksheet_freeze_panes(ws, 1, 0);
  }

  void write_provenance() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Provenienza");
    using L = ProvenienzaLayout;
    const char* headers[] = {"File", "SHA-256", "Modulo", "Versione del modello", "Ente", "Esito", "Errori", "Avvisi", "Utilizzato", "Nota"};
    static_assert(std::size(headers) == L::note + 1);
    for (lxw_col_t c = 0; c <= L::note; ++c) str(ws, 0, c, headers[c], header_);
    worksheet_set_column(ws, L::file, L::file, 50, nullptr);
    worksheet_set_column(ws, L::sha256, L::sha256, 66, nullptr);
    worksheet_set_column(ws, L::form, L::used, 14, nullptr);
    worksheet_set_column(ws, L::note, L::note, 80, nullptr);
    lxw_row_t row = 1;
    for (const auto& input : r_.inputs) {
      str(ws, row, L::file, input.file);
      str(ws, row, L::sha256, input.sha256);
      str(ws, row, L::form, input.report.form_id);
      str(ws, row, L::form_version, input.report.form_version);
      str(ws, row, L::ente, input.ente_code);
      str(ws, row, L::outcome, !input.readable ? "illeggibile" : input.report.valid() ? "valido" : "non valido",
          input.readable && input.report.valid() ? nullptr : invalid_);
      worksheet_write_number(ws, row, L::errors, static_cast<double>(input.report.errors()), nullptr);
      worksheet_write_number(ws, row, L::warnings, static_cast<double>(input.report.warnings()), nullptr);
      str(ws, row, L::used, input.used ? "sì" : "no");
      str(ws, row, L::note, input.readable ? input.note_it : input.error_it);
      ++row;
    }
    if (row > 1) worksheet_autofilter(ws, 0, 0, row - 1, L::note);
    worksheet_freeze_panes(ws, 1, 0);
  }

  void write_log() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Log validazione");
    using L = LogLayout;
    const char* headers[] = {"File", "Gravità", "Foglio", "Cella", "Codice", "Messaggio"};
    static_assert(std::size(headers) == L::message + 1);
    for (lxw_col_t c = 0; c <= L::message; ++c) str(ws, 0, c, headers[c], header_);
    worksheet_set_column(ws, L::file, L::file, 50, nullptr);
    worksheet_set_column(ws, L::severity, L::code, 14, nullptr);
    worksheet_set_column(ws, L::message, L::message, 100, nullptr);
    lxw_row_t row = 1;
    for (const auto& input : r_.inputs) {
      if (!input.readable) {
        str(ws, row, L::file, input.file);
        str(ws, row, L::severity, "illeggibile");
        str(ws, row, L::message, input.error_it);
        ++row;
      }
      for (const auto& issue : input.report.issues) {
        str(ws, row, L::file, input.file);
        str(ws, row, L::severity, std::string(forms::to_string(issue.severity, Lang::it)));
        str(ws, row, L::sheet, issue.sheet);
        str(ws, row, L::cell, issue.cell);
        str(ws, row, L::code, issue.code);
        str(ws, row, L::message, issue.message.it);
        ++row;
      }
    }
    if (row == 1) str(ws, 1, L::message, "Nessun problema trovato nei file.");
    else worksheet_autofilter(ws, 0, 0, row - 1, L::message);
    worksheet_freeze_panes(ws, 1, 0);
  }

  const Result& r_;
  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* summary_ = nullptr;
  lxw_worksheet* detail_ = nullptr;
  lxw_worksheet* charts_ = nullptr;
  lxw_format *bold_ = nullptr, *title_ = nullptr, *header_ = nullptr, *money_ = nullptr, *money_total_ = nullptr, *integer_ = nullptr,
             *integer_total_ = nullptr, *decimal_ = nullptr, *percent_ = nullptr, *note_ = nullptr, *wrap_ = nullptr, *invalid_ = nullptr;
  const DettaglioLayout dettaglio_;
  lxw_row_t detail_last_ = 1;
};

}  // namespace

void write_consolidated(const consolidate::Result& result, const std::string& path) { ConsolidatedWriter(result, path).write(); }

}  // namespace consolida::write
