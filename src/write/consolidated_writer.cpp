// Writes a consolidation: summary with live formulas (cached values = exact sums in cents),
// detail per ente, charts, missing enti, provenance and the validation log.
#include <xlsxwriter.h>

#include <ctime>
#include <map>

#include "consolida/consolidate.hpp"
#include "consolida/error.hpp"
#include "consolida/write.hpp"

namespace consolida::write {
namespace {

using consolidate::Level;
using consolidate::Result;

std::string col_name(lxw_col_t col) { return xlsx::column_name(col); }
std::string cell_a1(lxw_row_t row, lxw_col_t col) { return col_name(col) + std::to_string(row + 1); }
std::string abs_a1(lxw_row_t row, lxw_col_t col) { return "$" + col_name(col) + "$" + std::to_string(row + 1); }
// A column of the detail sheet over its data rows: Dettaglio!$G$2:$G$1501.
std::string detail_range(lxw_col_t col, lxw_row_t last_row) { return "Dettaglio!" + abs_a1(1, col) + ":" + abs_a1(last_row, col); }
double euros(std::int64_t cents) { return static_cast<double>(cents) / 100.0; }

class ConsolidatedWriter {
 public:
  ConsolidatedWriter(const Result& result, const std::string& path) : r_(result), path_(path) {
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
  std::string ats_name(const std::string& code) const {
    const registry::Ats* ats = r_.registry->ats_by_code(code);
    return ats ? ats->name : code;
  }
  bool comune_form() const { return r_.form->consolidation.ente == forms::ConsolidationSpec::Ente::comune; }

  // Header lines common to the summary: what, where, how many.
  lxw_row_t write_heading(lxw_worksheet* ws) {
    str(ws, 0, 0, "Consolidato: " + r_.form->title.it, title_);
    const char* level = r_.level == Level::ambito ? "Ambito" : r_.level == Level::ats ? "ATS" : "Regione";
    str(ws, 1, 0, std::string("Livello: ") + level + " - " + r_.scope_name + "; modulo " + r_.form->id + " versione " + r_.form->version);
    std::size_t received = r_.inputs.size(), used = 0;
    for (const auto& input : r_.inputs) used += input.used;
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%d/%m/%Y %H:%M", std::localtime(&now));
    str(ws, 2, 0, "File ricevuti: " + std::to_string(received) + "; utilizzati: " + std::to_string(used) + "; enti mancanti: " +
                      std::to_string(r_.missing.size()) + " (foglio Mancanti); generato il " + stamp);
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
  // Dettaglio columns: code, name, Ambito code, Ambito, ATS, population, then per breakdown its
  // items and a total, then counts, then the file.
  void write_detail() {
    const std::vector<std::string> fixed = {comune_form() ? "Codice ISTAT" : "Codice Ambito", comune_form() ? "Comune" : "Ambito",
                                            "Codice Ambito", "Ambito", "ATS", "Popolazione (2011)"};
    lxw_col_t col = 0;
    for (const std::string& h : fixed) str(detail_, 0, col++, h, header_);
    for (const auto& breakdown : r_.breakdowns) {
      first_item_col_.push_back(col);
      for (const std::string& item : breakdown.items) str(detail_, 0, col++, item, header_);
      total_col_.push_back(col);
      str(detail_, 0, col++, "Totale - " + breakdown.spec->title.it, header_);
    }
    const lxw_col_t counts_col = col;
    for (const auto& count : r_.form->consolidation.counts) str(detail_, 0, col++, count.label.it, header_);
    const lxw_col_t file_col = col;
    str(detail_, 0, col++, "File", header_);
    worksheet_set_row(detail_, 0, 45, nullptr);
    worksheet_set_column(detail_, 0, 0, 12, nullptr);
    worksheet_set_column(detail_, 1, 1, 30, nullptr);
    worksheet_set_column(detail_, 2, 2, 12, nullptr);
    worksheet_set_column(detail_, 3, 4, 34, nullptr);
    worksheet_set_column(detail_, 5, file_col - 1, 16, nullptr);
    worksheet_set_column(detail_, file_col, file_col, 50, nullptr);
    worksheet_freeze_panes(detail_, 1, 2);
    lxw_row_t row = 1;
    for (const auto& ente : r_.enti) {
      const registry::Ambito& a = ambito(ente.ambito);
      lxw_format* mark = ente.valid ? nullptr : invalid_;
      str(detail_, row, 0, ente.code, mark);
      str(detail_, row, 1, ente.name, mark);
      str(detail_, row, 2, a.code);
      str(detail_, row, 3, a.name);
      str(detail_, row, 4, a.ats);
      worksheet_write_number(detail_, row, 5, static_cast<double>(ente.population), integer_);
      for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) {
        std::int64_t total = 0;
        for (std::size_t i = 0; i < ente.amounts[b].size(); ++i) {
          worksheet_write_number(detail_, row, first_item_col_[b] + static_cast<lxw_col_t>(i), euros(ente.amounts[b][i]), money_);
          total += ente.amounts[b][i];
        }
        const std::string formula = "=SUM(" + cell_a1(row, first_item_col_[b]) + ":" + cell_a1(row, total_col_[b] - 1) + ")";
        worksheet_write_formula_num(detail_, row, total_col_[b], formula.c_str(), money_, euros(total));
      }
      for (std::size_t k = 0; k < ente.counts.size(); ++k) {
        worksheet_write_number(detail_, row, counts_col + static_cast<lxw_col_t>(k), static_cast<double>(ente.counts[k]), integer_);
      }
      str(detail_, row, file_col, r_.inputs[ente.input].file);
      ++row;
    }
    detail_last_ = std::max<lxw_row_t>(1, row - 1);
    counts_col_ = counts_col;
    if (!r_.enti.empty()) worksheet_autofilter(detail_, 0, 0, detail_last_, file_col);
  }

  struct Unit {
    std::string code, name;
  };

  // Summary: a block per breakdown, one row per unit (comuni of the Ambito, or Ambiti), with
  // SUMIFS over the detail sheet; at the Regione a block per ATS as well.
  void write_summary() {
    lxw_row_t row = write_heading(summary_);
    worksheet_set_column(summary_, 0, 0, 14, nullptr);
    worksheet_set_column(summary_, 1, 1, 40, nullptr);
    worksheet_set_column(summary_, 2, 40, 16, nullptr);
    std::vector<Unit> units;
    lxw_col_t key_col = 2;  // Dettaglio column that names the unit
    const char* unit_label = "Ambito";
    if (r_.level == Level::ambito && comune_form()) {
      key_col = 0;
      unit_label = "Comune";
      for (std::size_t c : ambito(r_.ambiti.at(0)).comuni) units.push_back({r_.registry->comuni()[c].istat, r_.registry->comuni()[c].name});
    } else {
      for (std::size_t a : r_.ambiti) units.push_back({ambito(a).code, ambito(a).name});
    }
    bool first_block = true;
    for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) {
      row = write_block(row, b, unit_label, units, key_col, first_block) + 2;
      first_block = false;
    }
    if (r_.level != Level::ambito) {
      std::vector<Unit> ats;
      std::map<std::string, bool> seen;
      for (std::size_t a : r_.ambiti) {
        if (!seen[ambito(a).ats]) ats.push_back({ambito(a).ats, ats_name(ambito(a).ats)}), seen[ambito(a).ats] = true;
      }
      if (r_.level == Level::regione) {
        for (std::size_t b = 0; b < r_.breakdowns.size(); ++b) row = write_block(row, b, "ATS", ats, 4, false) + 2;
      }
    }
  }

  // The figures of the enti whose key column equals a unit's code, summed once per block.
  struct UnitSums {
    std::vector<std::int64_t> items;
    std::int64_t population = 0;
    std::vector<std::int64_t> counts;
  };
  std::map<std::string, UnitSums> sums_by_unit(std::size_t b, lxw_col_t key_col) const {
    std::map<std::string, UnitSums> sums;
    for (const auto& ente : r_.enti) {
      UnitSums& unit = sums[key_of(ente, key_col)];
      unit.items.resize(ente.amounts[b].size(), 0);
      unit.counts.resize(ente.counts.size(), 0);
      for (std::size_t i = 0; i < ente.amounts[b].size(); ++i) unit.items[i] += ente.amounts[b][i];
      for (std::size_t k = 0; k < ente.counts.size(); ++k) unit.counts[k] += ente.counts[k];
      unit.population += ente.population;
    }
    return sums;
  }
  std::string key_of(const consolidate::EnteFigures& ente, lxw_col_t key_col) const {
    if (key_col == 0) return ente.code;
    if (key_col == 4) return ambito(ente.ambito).ats;
    return ambito(ente.ambito).code;
  }

  lxw_row_t write_block(lxw_row_t row, std::size_t b, const char* unit_label, const std::vector<Unit>& units, lxw_col_t key_col,
                        bool with_counts) {
    const auto& breakdown = r_.breakdowns[b];
    str(summary_, row++, 0, breakdown.spec->title.it + " per " + std::string(unit_label), bold_);
    const lxw_row_t header = row;
    str(summary_, header, 0, "Codice", header_);
    str(summary_, header, 1, unit_label, header_);
    lxw_col_t col = 2;
    for (const std::string& item : breakdown.items) str(summary_, header, col++, item, header_);
    const lxw_col_t total_col = col++;
    const lxw_col_t pop_col = col++;
    const lxw_col_t per_capita_col = col++;
    str(summary_, header, total_col, "Totale", header_);
    str(summary_, header, pop_col, comune_form() ? "Popolazione dei Comuni che hanno inviato" : "Popolazione", header_);
    str(summary_, header, per_capita_col, "Pro capite (€ per abitante)", header_);
    const auto& counts = r_.form->consolidation.counts;
    if (with_counts) {
      for (const auto& count : counts) str(summary_, header, col++, count.label.it, header_);
    }
    worksheet_set_row(summary_, header, 45, nullptr);
    const std::string key_range = detail_range(key_col, detail_last_);
    const lxw_row_t first = header + 1;
    std::vector<std::int64_t> column_totals(breakdown.items.size() + 1, 0);
    std::int64_t population_total = 0;
    std::vector<std::int64_t> count_totals(counts.size(), 0);
    const auto sums = sums_by_unit(b, key_col);
    row = first;
    for (const Unit& unit : units) {
      const auto found = sums.find(unit.code);
      const UnitSums unit_sums = found == sums.end() ? UnitSums{std::vector<std::int64_t>(breakdown.items.size(), 0), 0,
                                                                std::vector<std::int64_t>(counts.size(), 0)}
                                                     : found->second;
      str(summary_, row, 0, unit.code);
      str(summary_, row, 1, unit.name);
      std::int64_t unit_total = 0;
      for (std::size_t i = 0; i < breakdown.items.size(); ++i) {
        const std::int64_t sum = unit_sums.items[i];
        const std::string formula = "=SUMIFS(" + detail_range(first_item_col_[b] + static_cast<lxw_col_t>(i), detail_last_) + "," +
                                    key_range + ",$A" + std::to_string(row + 1) + ")";
        worksheet_write_formula_num(summary_, row, 2 + static_cast<lxw_col_t>(i), formula.c_str(), money_, euros(sum));
        unit_total += sum;
        column_totals[i] += sum;
      }
      column_totals.back() += unit_total;
      const std::string total_formula = "=SUM(" + cell_a1(row, 2) + ":" + cell_a1(row, total_col - 1) + ")";
      worksheet_write_formula_num(summary_, row, total_col, total_formula.c_str(), money_, euros(unit_total));
      const std::int64_t population = unit_sums.population;
      population_total += population;
      const std::string pop_formula = "=SUMIFS(" + detail_range(5, detail_last_) + "," + key_range + ",$A" + std::to_string(row + 1) + ")";
      worksheet_write_formula_num(summary_, row, pop_col, pop_formula.c_str(), integer_, static_cast<double>(population));
      write_per_capita(row, per_capita_col, total_col, pop_col, unit_total, population);
      if (with_counts) {
        for (std::size_t k = 0; k < counts.size(); ++k) {
          const std::int64_t sum = unit_sums.counts[k];
          count_totals[k] += sum;
          const std::string formula = "=SUMIFS(" + detail_range(counts_col_ + static_cast<lxw_col_t>(k), detail_last_) + "," + key_range +
                                      ",$A" + std::to_string(row + 1) + ")";
          worksheet_write_formula_num(summary_, row, per_capita_col + 1 + static_cast<lxw_col_t>(k), formula.c_str(), integer_,
                                      static_cast<double>(sum));
        }
      }
      ++row;
    }
    const lxw_row_t last = row - 1;
    str(summary_, row, 1, "Totale", bold_);
    auto column_sum = [&](lxw_col_t c) { return "=SUM(" + cell_a1(first, c) + ":" + cell_a1(last, c) + ")"; };
    for (std::size_t i = 0; i <= breakdown.items.size(); ++i) {
      const lxw_col_t c = i < breakdown.items.size() ? 2 + static_cast<lxw_col_t>(i) : total_col;
      worksheet_write_formula_num(summary_, row, c, column_sum(c).c_str(), money_total_, euros(column_totals[i]));
    }
    worksheet_write_formula_num(summary_, row, pop_col, column_sum(pop_col).c_str(), integer_total_, static_cast<double>(population_total));
    write_per_capita(row, per_capita_col, total_col, pop_col, column_totals.back(), population_total);
    if (with_counts) {
      for (std::size_t k = 0; k < counts.size(); ++k) {
        const lxw_col_t c = per_capita_col + 1 + static_cast<lxw_col_t>(k);
        worksheet_write_formula_num(summary_, row, c, column_sum(c).c_str(), integer_total_, static_cast<double>(count_totals[k]));
      }
    }
    if (b == 0 && key_col != 4) add_charts(breakdown, header, first, last, row, total_col);
    return row;
  }

  void write_per_capita(lxw_row_t row, lxw_col_t col, lxw_col_t total_col, lxw_col_t pop_col, std::int64_t cents, std::int64_t population) {
    const std::string formula = "=IF(" + cell_a1(row, pop_col) + ">0," + cell_a1(row, total_col) + "/" + cell_a1(row, pop_col) + ",0)";
    worksheet_write_formula_num(summary_, row, col, formula.c_str(), decimal_, population > 0 ? euros(cents) / static_cast<double>(population) : 0.0);
  }

  // Spending by item (the total row of the first block) and by unit (its total column).
  void add_charts(const consolidate::BreakdownItems& breakdown, lxw_row_t header, lxw_row_t first, lxw_row_t last, lxw_row_t total_row,
                  lxw_col_t total_col) {
    const std::string sheet = "Riepilogo!";
    lxw_chart* by_item = workbook_add_chart(workbook_, LXW_CHART_COLUMN);
    const std::string categories = "=" + sheet + abs_a1(header, 2) + ":" + abs_a1(header, total_col - 1);
    const std::string values = "=" + sheet + abs_a1(total_row, 2) + ":" + abs_a1(total_row, total_col - 1);
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
    const std::string unit_names = "=" + sheet + abs_a1(first, 1) + ":" + abs_a1(last, 1);
    const std::string unit_values = "=" + sheet + abs_a1(first, total_col) + ":" + abs_a1(last, total_col);
    lxw_chart_series* unit_series = chart_add_series(by_unit, unit_names.c_str(), unit_values.c_str());
    chart_series_set_name(unit_series, "Totale");
    const std::string unit_title = "Totale per " + std::string(r_.level == Level::ambito && comune_form() ? "Comune" : "Ambito");
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
    const char* headers[] = {"Codice Ambito", "Ambito", "ATS", "Obiettivo", "Macroarea", "Tipo di indicatore", "Indicatore", "Unità",
                             "Valore atteso", "Valore realizzato", "Realizzato / atteso", "Raggiunto (1 = sì)", "File"};
    for (lxw_col_t c = 0; c < 13; ++c) str(detail_, 0, c, headers[c], header_);
    worksheet_set_row(detail_, 0, 30, nullptr);
    worksheet_set_column(detail_, 0, 0, 12, nullptr);
    worksheet_set_column(detail_, 1, 1, 30, nullptr);
    worksheet_set_column(detail_, 3, 6, 34, wrap_);
    worksheet_set_column(detail_, 8, 11, 14, nullptr);
    worksheet_set_column(detail_, 12, 12, 50, nullptr);
    worksheet_freeze_panes(detail_, 1, 2);
    lxw_row_t row = 1;
    for (const auto& record : r_.records) {
      const auto& ente = r_.enti[record.ente];
      const registry::Ambito& a = ambito(ente.ambito);
      str(detail_, row, 0, a.code, ente.valid ? nullptr : invalid_);
      str(detail_, row, 1, a.name);
      str(detail_, row, 2, a.ats);
      str(detail_, row, 3, record.objective, wrap_);
      str(detail_, row, 4, record.group);
      str(detail_, row, 5, record.kind);
      str(detail_, row, 6, record.indicator, wrap_);
      str(detail_, row, 7, record.unit);
      if (record.expected) worksheet_write_number(detail_, row, 8, static_cast<double>(*record.expected) / 100.0, decimal_);
      if (record.achieved) worksheet_write_number(detail_, row, 9, static_cast<double>(*record.achieved) / 100.0, decimal_);
      else if (!record.status.empty()) str(detail_, row, 9, record.status);
      const std::string i = cell_a1(row, 8), j = cell_a1(row, 9), k = cell_a1(row, 10);
      const std::string ratio = "=IF(AND(ISNUMBER(" + j + "),ISNUMBER(" + i + ")," + i + ">0)," + j + "/" + i + ",\"\")";
      const std::string reached = "=IF(ISNUMBER(" + k + "),IF(" + k + ">=1,1,0),\"\")";
      if (record.achieved && record.expected && *record.expected > 0) {
        const double value = static_cast<double>(*record.achieved) / static_cast<double>(*record.expected);
        worksheet_write_formula_num(detail_, row, 10, ratio.c_str(), percent_, value);
        worksheet_write_formula_num(detail_, row, 11, reached.c_str(), nullptr, *record.achieved >= *record.expected ? 1 : 0);
      } else {
        worksheet_write_formula_str(detail_, row, 10, ratio.c_str(), percent_, "");
        worksheet_write_formula_str(detail_, row, 11, reached.c_str(), nullptr, "");
      }
      str(detail_, row, 12, r_.inputs[ente.input].file);
      ++row;
    }
    detail_last_ = std::max<lxw_row_t>(1, row - 1);
    if (!r_.records.empty()) worksheet_autofilter(detail_, 0, 0, detail_last_, 12);
  }

  // Counts of indicators by macro-area and by type: how many, with a realised value, reached.
  void write_record_summary() {
    lxw_row_t row = write_heading(summary_);
    worksheet_set_column(summary_, 0, 0, 60, nullptr);
    worksheet_set_column(summary_, 1, 5, 18, nullptr);
    const auto& spec = *r_.form->consolidation.records;
    const forms::TableSpec& table = *r_.form->table(spec.table);
    auto list_of = [&](const std::string& column) -> const std::vector<forms::ListItem>* {
      for (const auto& c : table.columns) {
        if (c.id == column) return r_.form->list(c.list);
      }
      return nullptr;
    };
    const lxw_row_t chart_first = row + 2;
    lxw_row_t chart_last = chart_first;
    for (const auto& [column, detail_col, title] :
         {std::tuple{spec.group_column, lxw_col_t{4}, "Indicatori per macroarea"}, std::tuple{spec.kind_column, lxw_col_t{5}, "Indicatori per tipo"}}) {
      str(summary_, row++, 0, title, bold_);
      const char* headers[] = {"Voce", "Indicatori", "Con valore realizzato", "Target raggiunto", "Stato dichiarato (es. In definizione)"};
      for (lxw_col_t c = 0; c < 5; ++c) str(summary_, row, c, headers[c], header_);
      worksheet_set_row(summary_, row, 30, nullptr);
      ++row;
      const lxw_row_t first = row;
      const std::string key = detail_range(detail_col, detail_last_);
      const std::string achieved = detail_range(9, detail_last_);
      const std::string reached = detail_range(11, detail_last_);
      std::int64_t totals[4] = {0, 0, 0, 0};
      const auto* items = list_of(column);
      for (const forms::ListItem& item : items ? *items : std::vector<forms::ListItem>{}) {
        const std::string label = item.display();
        std::int64_t n[4] = {0, 0, 0, 0};
        for (const auto& record : r_.records) {
          if ((detail_col == 4 ? record.group : record.kind) != label) continue;
          ++n[0];
          n[1] += record.achieved.has_value();
          n[2] += record.achieved && record.expected && *record.expected > 0 && *record.achieved >= *record.expected;
          n[3] += !record.achieved && !record.status.empty();
        }
        str(summary_, row, 0, label);
        const std::string a = "$A" + std::to_string(row + 1);
        const std::string formulas[4] = {"=COUNTIFS(" + key + "," + a + ")", "=COUNTIFS(" + key + "," + a + "," + achieved + ",\">=0\")",
                                         "=COUNTIFS(" + key + "," + a + "," + reached + ",1)",
                                         // Wildcards match numbers too in LibreOffice: ISTEXT says "a state" in both.
                                         "=SUMPRODUCT((" + key + "=" + a + ")*ISTEXT(" + achieved + "))"};
        for (int k = 0; k < 4; ++k) {
          worksheet_write_formula_num(summary_, row, static_cast<lxw_col_t>(1 + k), formulas[k].c_str(), integer_, static_cast<double>(n[k]));
          totals[k] += n[k];
        }
        ++row;
      }
      str(summary_, row, 0, "Totale", bold_);
      for (int k = 0; k < 4; ++k) {
        const auto c = static_cast<lxw_col_t>(1 + k);
        const std::string formula = "=SUM(" + cell_a1(first, c) + ":" + cell_a1(row - 1, c) + ")";
        worksheet_write_formula_num(summary_, row, c, formula.c_str(), integer_total_, static_cast<double>(totals[k]));
      }
      if (detail_col == 4) chart_last = row - 1;
      row += 3;
    }
    lxw_chart* chart = workbook_add_chart(workbook_, LXW_CHART_BAR);
    for (int k = 0; k < 3; ++k) {
      const auto c = static_cast<lxw_col_t>(1 + k);
      const std::string categories = "=Riepilogo!" + abs_a1(chart_first, 0) + ":" + abs_a1(chart_last, 0);
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

  // ---- common sheets -------------------------------------------------------------------------
  void write_missing() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Mancanti");
    const char* headers[] = {"Codice", comune_form() ? "Comune" : "Ambito", "Ambito", "ATS", "Motivo"};
    for (lxw_col_t c = 0; c < 5; ++c) str(ws, 0, c, headers[c], header_);
    worksheet_set_column(ws, 0, 0, 12, nullptr);
    worksheet_set_column(ws, 1, 3, 34, nullptr);
    worksheet_set_column(ws, 4, 4, 90, nullptr);
    lxw_row_t row = 1;
    for (const auto& missing : r_.missing) {
      str(ws, row, 0, missing.code);
      str(ws, row, 1, missing.name);
      str(ws, row, 2, ambito(missing.ambito).name);
      str(ws, row, 3, ats_name(ambito(missing.ambito).ats));
      str(ws, row, 4, missing.reason_it);
      ++row;
    }
    if (r_.missing.empty()) str(ws, 1, 1, "Nessun ente mancante.");
    else worksheet_autofilter(ws, 0, 0, row - 1, 4);
    worksheet_freeze_panes(ws, 1, 0);
  }

  void write_provenance() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Provenienza");
    const char* headers[] = {"File", "SHA-256", "Modulo", "Versione del modello", "Ente", "Esito", "Errori", "Avvisi", "Utilizzato", "Nota"};
    for (lxw_col_t c = 0; c < 10; ++c) str(ws, 0, c, headers[c], header_);
    worksheet_set_column(ws, 0, 0, 50, nullptr);
    worksheet_set_column(ws, 1, 1, 66, nullptr);
    worksheet_set_column(ws, 2, 8, 14, nullptr);
    worksheet_set_column(ws, 9, 9, 80, nullptr);
    lxw_row_t row = 1;
    for (const auto& input : r_.inputs) {
      str(ws, row, 0, input.file);
      str(ws, row, 1, input.sha256);
      str(ws, row, 2, input.report.form_id);
      str(ws, row, 3, input.report.form_version);
      str(ws, row, 4, input.ente_code);
      str(ws, row, 5, !input.readable ? "illeggibile" : input.report.valid() ? "valido" : "non valido", input.readable && input.report.valid() ? nullptr : invalid_);
      worksheet_write_number(ws, row, 6, static_cast<double>(input.report.errors()), nullptr);
      worksheet_write_number(ws, row, 7, static_cast<double>(input.report.warnings()), nullptr);
      str(ws, row, 8, input.used ? "sì" : "no");
      str(ws, row, 9, input.readable ? input.note_it : input.error_it);
      ++row;
    }
    if (row > 1) worksheet_autofilter(ws, 0, 0, row - 1, 9);
    worksheet_freeze_panes(ws, 1, 0);
  }

  void write_log() {
    lxw_worksheet* ws = workbook_add_worksheet(workbook_, "Log validazione");
    const char* headers[] = {"File", "Gravità", "Foglio", "Cella", "Codice", "Messaggio"};
    for (lxw_col_t c = 0; c < 6; ++c) str(ws, 0, c, headers[c], header_);
    worksheet_set_column(ws, 0, 0, 50, nullptr);
    worksheet_set_column(ws, 1, 4, 14, nullptr);
    worksheet_set_column(ws, 5, 5, 100, nullptr);
    lxw_row_t row = 1;
    for (const auto& input : r_.inputs) {
      if (!input.readable) {
        str(ws, row, 0, input.file);
        str(ws, row, 1, "illeggibile");
        str(ws, row, 5, input.error_it);
        ++row;
      }
      for (const auto& issue : input.report.issues) {
        str(ws, row, 0, input.file);
        str(ws, row, 1, std::string(forms::to_string(issue.severity, Lang::it)));
        str(ws, row, 2, issue.sheet);
        str(ws, row, 3, issue.cell);
        str(ws, row, 4, issue.code);
        str(ws, row, 5, issue.message.it);
        ++row;
      }
    }
    if (row == 1) str(ws, 1, 5, "Nessun problema trovato nei file.");
    else worksheet_autofilter(ws, 0, 0, row - 1, 5);
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
  std::vector<lxw_col_t> first_item_col_, total_col_;
  lxw_col_t counts_col_ = 0;
  lxw_row_t detail_last_ = 1;
};

}  // namespace

void write_consolidated(const consolidate::Result& result, const std::string& path) { ConsolidatedWriter(result, path).write(); }

}  // namespace consolida::write
