// Writes the bundled sample workbooks from figures published in the seeds (Piano di Zona
// dell'Ambito di Lodi 2021-2023, seed 000): the fund table 2018-2020 and the 2019 social
// spending of the comuni. Totals are live formulas whose cached values are exact sums in cents.
//   make_samples OUTPUT_DIR
#include <xlsxwriter.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Line {
  const char* label;
  std::vector<std::int64_t> cents;  // -1 = cell left empty, as in the source table
};

std::string sum_formula(int col, int first_row, int last_row) {
  const char letter = static_cast<char>('A' + col);
  return "=SUM(" + std::string(1, letter) + std::to_string(first_row + 1) + ":" + std::string(1, letter) +
         std::to_string(last_row + 1) + ")";
}

bool write_table(const std::string& path, const char* sheet_name, const std::vector<const char*>& headers,
                 const std::vector<Line>& lines, const char* total_label, const char* source) {
  lxw_workbook* workbook = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name);
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_format* euro = workbook_add_format(workbook);
  format_set_num_format(euro, "#,##0.00 \"€\"");
  lxw_format* euro_bold = workbook_add_format(workbook);
  format_set_num_format(euro_bold, "#,##0.00 \"€\"");
  format_set_bold(euro_bold);
  worksheet_set_column(sheet, 0, 0, 48, nullptr);
  worksheet_set_column(sheet, 1, static_cast<lxw_col_t>(headers.size() - 1), 16, nullptr);
  for (std::size_t c = 0; c < headers.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), headers[c], bold);
  }
  std::vector<std::int64_t> totals(headers.size() - 1, 0);
  for (std::size_t r = 0; r < lines.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    worksheet_write_string(sheet, row, 0, lines[r].label, nullptr);
    for (std::size_t c = 0; c < lines[r].cents.size(); ++c) {
      const std::int64_t cents = lines[r].cents[c];
      if (cents < 0) continue;
      totals[c] += cents;
      worksheet_write_number(sheet, row, static_cast<lxw_col_t>(c + 1), static_cast<double>(cents) / 100.0, euro);
    }
  }
  const auto total_row = static_cast<lxw_row_t>(lines.size() + 1);
  worksheet_write_string(sheet, total_row, 0, total_label, bold);
  for (std::size_t c = 0; c < totals.size(); ++c) {
    worksheet_write_formula_num(sheet, total_row, static_cast<lxw_col_t>(c + 1),
                                sum_formula(static_cast<int>(c + 1), 1, static_cast<int>(lines.size())).c_str(),
                                euro_bold, static_cast<double>(totals[c]) / 100.0);
  }
  worksheet_write_string(sheet, total_row + 2, 0, source, nullptr);
  workbook_set_custom_property_string(workbook, "consolida_fonte", source);
  return workbook_close(workbook) == LXW_NO_ERROR;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 64;
  }
  const std::string dir = argv[1];
  const char* seed = "Fonte: Piano di Zona 2021-2023 dell'Ambito di Lodi, par. 2.3";
  const std::vector<Line> funds = {
      {"Fondo Nazionale Politiche Sociali", {85365504, 89278546, 89250205}},
      {"Fondo Nazionale Politiche Sociali - Covid", {0, 0, 37168172}},
      {"Fondo Straordinario Covid", {0, 0, 19826114}},
      {"Fondo Regionale Sociale", {120627344, 123786766, 124553024}},
      {"Fondo Non Autosufficienza", {55000600, 56016500, 61205309}},
      {"Risorse aggiuntive Fondo Non autosufficienza", {0, 0, 5316900}},
      {"Fondo Vigilanza e controllo Udo Sociali", {1195700, 1199800, 1213700}},
      {"L. 112 - Dopo di Noi", {-1, 22714380, -1}},
      {"Misura Reddito Autonomia", {-1, 13920000, -1}},
      {"Misura Assistenti Familiari", {-1, 6788900, 2376100}},
      {"Politiche Abitative", {9449400, 22982500, 57631900}},
      {"Povertà - Reddito di Cittadinanza", {75014250, 81051300, 145654597}},
      {"Povertà - Grave Emarginazione/Senza Dimora", {-1, 9721799, 9721799}},
      {"Dote Infanzia", {-1, 0, 20006800}},
      {"Pacchetto Famiglia", {-1, 0, 39504600}},
      {"Premialità Cartella Sociale Informatizzata", {-1, 7858223, -1}},
      {"Premialità Piano di Zona 18/20", {-1, 3000000, -1}},
      {"Premialità legata a Obiettivi Specifici PdZ", {-1, -1, 3000000}},
      {"Home Care Premium", {6756630, 4727190, 4650650}},
      {"Progetti Innovazione e Sviluppo", {154266272, 76502285, 155610731}},
  };
  bool ok = write_table(dir + "/ambito-lodi-fondi-2018-2020.xlsx", "Fondi",
                        {"FONDI", "ANNO 2018", "ANNO 2019", "ANNO 2020"}, funds, "TOTALI", seed);
  const std::vector<Line> by_area = {
      {"Minori", {919370965}},          {"Disabili", {866434538}},
      {"Anziani", {289764765}},         {"servizio sociale", {221726720}},
      {"emarginazione povertà", {37290651}}, {"immigrazione", {25525375}},
      {"salute mentale", {14882621}},   {"Dipendenze", {1500000}},
  };
  const char* spending = "Fonte: Piano di Zona 2021-2023 dell'Ambito di Lodi, spesa sociale dei Comuni 2019";
  ok = write_table(dir + "/ambito-lodi-spesa-per-area-2019.xlsx", "Per area", {"Area intervento", "importi"}, by_area,
                   "totale", spending) && ok;
  const std::vector<Line> by_source = {
      {"da Comune", {1929513512}},          {"da utenza", {271362191}},
      {"da altri enti (Min. Ue...)", {83267511}}, {"da FRS", {51765226}},
      {"altre tipologie di entrata", {34119767}}, {"da FNPS", {4282900}},
      {"da F. 0-6 anni", {2184528}},
  };
  ok = write_table(dir + "/ambito-lodi-spesa-per-fonte-2019.xlsx", "Per fonte", {"tipologie di finanziamento", "importi"},
                   by_source, "totale", spending) && ok;
  return ok ? 0 : 1;
}
