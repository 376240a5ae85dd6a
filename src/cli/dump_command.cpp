#include <iostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "common/csv.hpp"
#include "consolida/xlsx.hpp"

namespace consolida::cli {
namespace {

// Output up to this size is printed only once the whole workbook has been read.
constexpr std::size_t kHeldOutputBytes = 16u << 20;

void write_cell_json(std::ostream& out, const xlsx::CellView& cell, bool date1904) {
  out << "[\"" << xlsx::to_a1(xlsx::CellRef{cell.row, cell.col}) << "\",\"" << type_letter(cell.type) << "\",";
  switch (cell.type) {
    case xlsx::CellType::number: out << format_number(cell.number); break;
    case xlsx::CellType::boolean: out << (cell.number != 0 ? "true" : "false"); break;
    case xlsx::CellType::empty: out << "null"; break;
    default: write_json_string(out, value_text(cell, date1904)); break;
  }
  if (cell.has_formula) {
    out << ',';
    write_json_string(out, "=" + std::string(cell.formula));
  }
  out << ']';
}

void write_sheet_json(std::ostream& out, xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet) {
  out << "{\"name\":";
  write_json_string(out, sheet.name);
  out << ",\"state\":\"" << xlsx::to_string(sheet.state) << "\",\"cells\":[";
  bool first = true;
  const bool date1904 = workbook.date1904();
  const xlsx::SheetFacts facts = workbook.stream_sheet(sheet, [&](const xlsx::RowView& row) {
    for (const xlsx::CellView& cell : row.cells) {
      out << (first ? "\n  " : ",\n  ");
      first = false;
      write_cell_json(out, cell, date1904);
    }
    return true;
  });
  out << "],\"merged\":[";
  for (std::size_t i = 0; i < facts.merged.size(); ++i) {
    out << (i ? "," : "") << '"' << xlsx::to_a1(facts.merged[i]) << '"';
  }
  out << "],\"data_validations\":[";
  for (std::size_t i = 0; i < facts.validations.size(); ++i) {
    const auto& dv = facts.validations[i];
    out << (i ? "," : "") << "{\"type\":";
    write_json_string(out, dv.type);
    out << ",\"ranges\":[";
    for (std::size_t k = 0; k < dv.ranges.size(); ++k) out << (k ? "," : "") << '"' << xlsx::to_a1(dv.ranges[k]) << '"';
    out << "],\"formula1\":";
    write_json_string(out, dv.formula1);
    out << '}';
  }
  out << "]";
  if (facts.dimension) out << ",\"dimension\":\"" << xlsx::to_a1(*facts.dimension) << '"';
  out << '}';
}

void write_workbook_json(std::ostream& out, xlsx::Workbook& workbook, const xlsx::SheetInfo* only) {
  out << "{\"file\":";
  write_json_string(out, workbook.path());
  out << ",\"date1904\":" << (workbook.date1904() ? "true" : "false") << ",\"defined_names\":[";
  const auto& names = workbook.defined_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    out << (i ? "," : "") << "{\"name\":";
    write_json_string(out, names[i].name);
    out << ",\"refers_to\":";
    write_json_string(out, names[i].formula);
    out << '}';
  }
  out << "],\"custom_properties\":{";
  const auto& properties = workbook.custom_properties();
  for (std::size_t i = 0; i < properties.size(); ++i) {
    out << (i ? "," : "");
    write_json_string(out, properties[i].name);
    out << ':';
    write_json_string(out, properties[i].value);
  }
  out << "},\"sheets\":[";
  bool first = true;
  for (const xlsx::SheetInfo& sheet : workbook.sheets()) {
    if (only && only != &sheet) continue;
    out << (first ? "\n" : ",\n");
    first = false;
    write_sheet_json(out, workbook, sheet);
  }
  out << "]}\n";
}

void write_sheet_csv(std::ostream& out, xlsx::Workbook& workbook, const xlsx::SheetInfo& sheet, char separator) {
  const bool date1904 = workbook.date1904();
  std::uint32_t next_row = 0;
  workbook.stream_sheet(sheet, [&](const xlsx::RowView& row) {
    for (; next_row < row.row; ++next_row) out << "\r\n";  // keep empty rows so row numbers line up
    std::uint32_t col = 0;
    for (const xlsx::CellView& cell : row.cells) {
      if (cell.col < col) continue;  // out-of-order cells cannot be placed in a stream
      for (; col < cell.col; ++col) out << separator;
      write_csv_field(out, value_text(cell, date1904), separator);
    }
    out << "\r\n";
    next_row = row.row + 1;
    return true;
  });
}

}  // namespace

int report_error(const Context& ctx, const Error& error) {
  std::cerr << (ctx.lang == Lang::it ? "errore [" : "error [") << error_code_id(error.code())
            << "]: " << error.describe(ctx.lang) << "\n";
  return static_cast<int>(error.code());
}

void report_not_a_number(const Context& ctx, std::string_view option, std::string_view text) {
  if (ctx.lang == Lang::it) std::cerr << "valore non valido per " << option << ": «" << text << "» (serve un numero intero)\n";
  else std::cerr << "invalid value for " << option << ": «" << text << "» (a whole number is needed)\n";
}

int run_dump(const Context& ctx, const std::vector<std::string>& args) {
  const bool it = ctx.lang == Lang::it;
  std::string file;
  std::string sheet_name;
  std::string format = "json";
  char separator = ',';
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool takes_value = a == "--sheet" || a == "--format" || a == "--separator";
    if (takes_value && i + 1 >= args.size()) {
      std::cerr << (it ? "manca il valore di " : "missing value for ") << a << "\n";
      return kExitUsage;
    }
    if (a == "--sheet") sheet_name = args[++i];
    else if (a == "--format") format = args[++i];
    else if (a == "--separator") separator = args[++i].c_str()[0];
    else if (file.empty() && !a.starts_with("--")) file = a;
    else {
      std::cerr << (it ? "argomento inatteso: " : "unexpected argument: ") << a << "\n";
      return kExitUsage;
    }
  }
  if (file.empty() || (format != "json" && format != "csv") || separator == '\0') {
    std::cerr << (it ? "uso: consolida dump FILE [--sheet NOME] [--format json|csv] [--separator C]\n"
                     : "usage: consolida dump FILE [--sheet NAME] [--format json|csv] [--separator C]\n");
    return kExitUsage;
  }
  try {
    xlsx::Workbook workbook = xlsx::Workbook::open(file);
    const xlsx::SheetInfo* sheet = nullptr;
    if (!sheet_name.empty()) {
      sheet = workbook.find_sheet(sheet_name);
      if (!sheet) {
        std::string list;
        for (const auto& s : workbook.sheets()) list += (list.empty() ? "" : ", ") + s.name;
        throw Error(ErrorCode::not_found, "foglio \"" + sheet_name + "\" non trovato; fogli presenti: " + list,
                    "sheet \"" + sheet_name + "\" not found; sheets present: " + list,
                    ErrorLocation{file, {}, {}, 0, 0});
      }
    }
    std::ios::sync_with_stdio(false);
    HeldOutput held(std::cout, kHeldOutputBytes);
    std::ostream out(&held);
    if (format == "json") {
      write_workbook_json(out, workbook, sheet);
    } else {
      if (!sheet) {
        if (workbook.sheets().empty()) {
          throw Error(ErrorCode::not_found, "la cartella di lavoro non contiene fogli", "the workbook has no sheets",
                      ErrorLocation{file, {}, {}, 0, 0});
        }
        sheet = &workbook.sheets().front();
      }
      write_sheet_csv(out, workbook, *sheet, separator);
    }
    held.commit();
  } catch (const Error& error) {
    return report_error(ctx, error);
  }
  return kExitOk;
}

}  // namespace consolida::cli
