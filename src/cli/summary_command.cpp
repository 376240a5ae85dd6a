#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "consolida/xlsx.hpp"

namespace consolida::cli {
namespace {

// "1 formula", "3 formule"
std::string count(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

int run_summary(const Context& ctx, const std::vector<std::string>& args) {
  const bool it = ctx.lang == Lang::it;
  // Other spreadsheet formats are listed too, so that their refusal shows.
  static constexpr std::string_view kListed[] = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"};
  std::vector<std::string> files = expand_inputs(args, kListed);
  if (files.empty()) {
    std::cerr << (it ? "uso: consolida summary FILE|CARTELLA...\n" : "usage: consolida summary FILE|FOLDER...\n");
    return kExitUsage;
  }
  std::sort(files.begin(), files.end());
  std::size_t read = 0;
  std::size_t refused = 0;
  for (const auto& path : files) {
    try {
      xlsx::Workbook workbook = xlsx::Workbook::open(path);
      std::cout << path << "\n";
      for (const auto& property : workbook.custom_properties()) {
        std::cout << "  " << (it ? "proprietà " : "property ") << property.name << " = " << property.value << "\n";
      }
      for (const xlsx::SheetInfo& sheet : workbook.sheets()) {
        std::uint64_t numbers = 0, strings = 0, dates = 0, formulas = 0, other = 0;
        const xlsx::SheetFacts facts = workbook.stream_sheet(sheet, [&](const xlsx::RowView& row) {
          for (const auto& cell : row.cells) {
            if (cell.has_formula) ++formulas;
            switch (cell.type) {
              case xlsx::CellType::number: ++numbers; break;
              case xlsx::CellType::string: ++strings; break;
              case xlsx::CellType::date: ++dates; break;
              default: ++other; break;
            }
          }
          return true;
        });
        std::cout << "  " << (it ? "foglio " : "sheet ") << '"' << sheet.name << '"';
        if (sheet.state != xlsx::SheetState::visible) std::cout << " (" << (it ? "nascosto" : "hidden") << ")";
        std::cout << ": " << count(facts.rows_read, it ? "riga" : "row", it ? "righe" : "rows") << ", "
                  << count(facts.cells_read, it ? "cella" : "cell", it ? "celle" : "cells") << " ("
                  << count(numbers, it ? "numero" : "number", it ? "numeri" : "numbers") << ", "
                  << count(strings, it ? "testo" : "text", it ? "testi" : "texts") << ", "
                  << count(dates, it ? "data" : "date", it ? "date" : "dates") << ", "
                  << count(other, it ? "altro" : "other", it ? "altri" : "other") << "), "
                  << count(formulas, it ? "formula" : "formula", it ? "formule" : "formulas");
        if (!facts.merged.empty()) {
          std::cout << ", " << count(facts.merged.size(), it ? "unione" : "merged range", it ? "unioni" : "merged ranges");
        }
        if (!facts.validations.empty()) {
          std::cout << ", "
                    << count(facts.validations.size(), it ? "convalida dati" : "data validation",
                             it ? "convalide dati" : "data validations");
        }
        std::cout << "\n";
      }
      ++read;
    } catch (const Error& error) {
      std::cout << path << "\n  " << (it ? "RIFIUTATO [" : "REFUSED [") << error_code_id(error.code())
                << "]: " << error.message(ctx.lang) << "\n";
      ++refused;
    }
  }
  std::cout << (it ? "\nfile letti: " : "\nfiles read: ") << read << (it ? ", rifiutati: " : ", refused: ") << refused
            << "\n";
  return kExitOk;
}

}  // namespace consolida::cli
