// Writes a large rendicontazione-like sheet (rows x 10 columns) with libxlsxwriter.
//   generate_workbook OUT.xlsx ROWS shared|inline
// "shared": strings go to the shared-string table, as Excel writes them.
// "inline": libxlsxwriter's constant-memory mode, which writes inline strings row by row.
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const char* const kComuni[] = {"Lodi", "Codogno", "Casalpusterlengo", "Sant'Angelo Lodigiano", "Melzo",
                               "Cassano d'Adda", "Pozzuolo Martesana", "Borghetto Lodigiano", "Truccazzano",
                               "Vignate", "Settala", "Inzago", "Liscate", "Zelo Buon Persico", "Lodi Vecchio"};
const char* const kAree[] = {"Minori e famiglia", "Disabili", "Anziani", "Povertà ed emarginazione",
                             "Immigrazione", "Salute mentale", "Dipendenze", "Servizio sociale professionale"};
const char* const kFondi[] = {"FNPS", "Fondo Sociale Regionale", "Fondo Povertà", "FNA", "Risorse proprie",
                              "Compartecipazione utenti"};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s OUT.xlsx ROWS shared|inline\n", argv[0]);
    return 64;
  }
  const long rows = std::atol(argv[2]);
  const bool inline_strings = std::strcmp(argv[3], "inline") == 0;
  lxw_workbook_options options{};
  options.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* workbook = workbook_new_opt(argv[1], &options);
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, "Dati");
  lxw_format* date = workbook_add_format(workbook);
  format_set_num_format(date, "dd/mm/yyyy");
  lxw_format* euro = workbook_add_format(workbook);
  format_set_num_format(euro, "#,##0.00 \"€\"");
  const char* headers[] = {"Codice ISTAT", "Comune", "Area", "Fondo", "Anno", "Importo", "Quota fondo",
                           "Utenti", "Data", "Note"};
  for (int c = 0; c < 10; ++c) worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), headers[c], nullptr);
  unsigned state = 12345;
  auto next = [&state]() {
    state = state * 1103515245u + 12345u;
    return (state >> 8) & 0xFFFFFF;
  };
  char note[64];
  for (long r = 1; r <= rows; ++r) {
    const auto row = static_cast<lxw_row_t>(r);
    worksheet_write_number(sheet, row, 0, 98001 + static_cast<double>(next() % 1500), nullptr);
    worksheet_write_string(sheet, row, 1, kComuni[next() % 15], nullptr);
    worksheet_write_string(sheet, row, 2, kAree[next() % 8], nullptr);
    worksheet_write_string(sheet, row, 3, kFondi[next() % 6], nullptr);
    worksheet_write_number(sheet, row, 4, 2021 + static_cast<double>(next() % 3), nullptr);
    worksheet_write_number(sheet, row, 5, static_cast<double>(next() % 10000000) / 100.0, euro);
    worksheet_write_number(sheet, row, 6, static_cast<double>(next() % 500000) / 100.0, euro);
    worksheet_write_number(sheet, row, 7, static_cast<double>(next() % 900), nullptr);
    worksheet_write_number(sheet, row, 8, 44197 + static_cast<double>(next() % 1095), date);
    std::snprintf(note, sizeof note, "Determina n. %ld/%u", r % 5000, 2021 + next() % 3);
    worksheet_write_string(sheet, row, 9, note, nullptr);
  }
  const lxw_error error = workbook_close(workbook);
  if (error != LXW_NO_ERROR) {
    std::fprintf(stderr, "libxlsxwriter: %s\n", lxw_strerror(error));
    return 1;
  }
  return 0;
}
