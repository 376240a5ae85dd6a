// The blank templates as a person sees them (issue #12, Templates): number formats of the input
// cells, row and column total formulas, column widths. A blank input cell holds no value, so the
// reader's Sheet does not list it: its style and the column widths are read from the sheet part
// itself, and the style's number format through Workbook::number_format.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "consolida/forms.hpp"
#include "consolida/registry.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/write.hpp"
#include "consolida/xlsx.hpp"
#include "support/bundled_forms.hpp"
#include "support/zip_builder.hpp"
#include "write/cell_text.hpp"
#include "xlsx/zip_archive.hpp"

using namespace consolida;
using consolida::testing::temp_path;

namespace {

const std::vector<forms::FormSpec>& all_forms() { return consolida::testing::bundled_forms(); }
const forms::FormSpec& form(const std::string& id) { return consolida::testing::bundled_form(id); }

std::size_t chars(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// One sheet of a written template: its cells through the reader, its raw part for what the
// reader leaves out (styles of blank cells, column widths).
struct TemplateSheet {
  xlsx::Workbook workbook;
  xlsx::Sheet sheet;
  std::string xml;

  // The value of attribute `name` in the XML element that starts at `at`, empty if it has none.
  std::string attribute(std::size_t at, const std::string& name) const {
    const std::size_t end = xml.find('>', at);
    const std::size_t key = xml.find(" " + name + "=\"", at);
    if (key == std::string::npos || key > end) return {};
    const std::size_t start = key + name.size() + 3;
    return xml.substr(start, xml.find('"', start) - start);
  }

  // The number format a person sees on a cell, blank or not. (Plain searches: GCC 12 warns
  // inside <regex> under the sanitizer build, and warnings are errors.)
  std::string number_format(const std::string& a1) const {
    const std::size_t at = xml.find("<c r=\"" + a1 + "\"");
    const std::string style = at == std::string::npos ? std::string() : attribute(at, "s");
    if (style.empty()) return "General";
    return std::string(workbook.number_format(static_cast<std::uint32_t>(std::stoul(style))));
  }

  // The width of a column (0-based) in characters, 0 when the sheet does not set it.
  double width(std::uint32_t col) const {
    for (std::size_t at = xml.find("<col "); at != std::string::npos; at = xml.find("<col ", at + 1)) {
      const std::string min = attribute(at, "min"), max = attribute(at, "max"), width = attribute(at, "width");
      if (min.empty() || max.empty() || width.empty()) continue;
      if (col + 1 >= std::stoul(min) && col + 1 <= std::stoul(max)) return std::stod(width);
    }
    return 0;
  }
};

TemplateSheet open_template(const std::string& form_id, const std::string& sheet_name) {
  const std::string path = temp_path("modello-" + form_id + ".xlsx");
  write::write_template(form(form_id), path);
  auto workbook = xlsx::Workbook::open(path);
  const xlsx::SheetInfo* info = workbook.find_sheet(sheet_name);
  if (!info) throw std::runtime_error("no sheet " + sheet_name);
  auto sheet = workbook.load_sheet(*info);
  xlsx::ZipArchive zip(path, {});
  std::string xml = zip.read_all(*zip.find(info->part));
  return {std::move(workbook), std::move(sheet), std::move(xml)};
}

// The cell a defined name of the template points at ("'Spesa sociale'!$B$5" -> B5).
std::string named_cell(const xlsx::Workbook& workbook, const std::string& name) {
  const xlsx::DefinedName* defined = workbook.find_defined_name(name);
  if (!defined) return "";
  std::string a1 = defined->formula.substr(defined->formula.rfind('!') + 1);
  a1.erase(std::remove(a1.begin(), a1.end(), '$'), a1.end());
  return a1.substr(0, a1.find(':'));
}

// The rows of a table in the template: header row, first and last body row (1-based), from its
// defined name; the total row, if any, is last + 1.
struct TableRows {
  std::uint32_t header, first, last;
};
TableRows table_rows(const xlsx::Workbook& workbook, const forms::TableSpec& table) {
  const std::string& formula = workbook.find_defined_name(forms::table_name(table.id))->formula;
  const auto range = xlsx::parse_range([&] {
    std::string r = formula.substr(formula.rfind('!') + 1);
    r.erase(std::remove(r.begin(), r.end(), '$'), r.end());
    return r;
  }());
  const std::uint32_t header = range->first.row + 1;
  const std::uint32_t end = range->last.row + 1;
  return {header, header + 1, table.total_label ? end - 1 : end};
}

}  // namespace

// Finding 1: "Anno di riferimento" showed 2.024. A year shows as typed; other integers keep the
// thousands separator but no decimal point ("#,##0.##" shows "12," for 12).
TEST(Template, YearsShowWithoutThousandsSeparatorAndIntegersWithoutDecimals) {
  for (const std::string form_id : {"spesa-sociale-comune", "rendiconto-ambito", "monitoraggio-obiettivi"}) {
    const forms::SheetSpec* spec = form(form_id).sheet_of("anno");
    ASSERT_NE(spec, nullptr) << form_id;
    const TemplateSheet t = open_template(form_id, spec->name);
    const std::string anno = named_cell(t.workbook, forms::field_name("anno"));
    ASSERT_FALSE(anno.empty()) << form_id;
    EXPECT_EQ(t.number_format(anno), "0") << form_id << " " << anno;
  }
  const TemplateSheet spesa = open_template("spesa-sociale-comune", "Spesa sociale");
  const TableRows rows = table_rows(spesa.workbook, *form("spesa-sociale-comune").table("spesa"));
  EXPECT_EQ(spesa.number_format("K" + std::to_string(rows.first)), "#,##0");  // Utenti serviti (n.)
}

// Finding 2: the ISTAT code 098031 lost its leading zero: the cell is text.
TEST(Template, IstatCodeCellIsText) {
  const TemplateSheet t = open_template("spesa-sociale-comune", "Spesa sociale");
  const std::string istat = named_cell(t.workbook, forms::field_name("codice_istat"));
  ASSERT_FALSE(istat.empty());
  EXPECT_EQ(t.number_format(istat), "@");
}

// A decimal input (an indicator's value, a deliverable's target) keeps the General format of a
// blank sheet, so that what the clerk types stays recognisable: Calc and Excel store "70%" as 0,7
// in a cell they format as a percentage (read as 70) and "8/10" as a date-formatted serial (named
// as a date). In a cell with a number format of its own ("#,##0.##") Calc keeps that format and
// stores 0,7 and 46.303 as plain numbers, which nothing can tell from 0,7 and 46.303 typed as such
// (found by tests/libreoffice_typing.py, typing through Calc in Italian).
TEST(Template, DecimalCellsKeepTheGeneralFormatSoThatTypedPercentagesAndDatesStayRecognisable) {
  const forms::FormSpec& monitoraggio = form("monitoraggio-obiettivi");
  const TemplateSheet m = open_template("monitoraggio-obiettivi", monitoraggio.sheet_of("indicatori")->name);
  const TableRows rows = table_rows(m.workbook, *monitoraggio.table("indicatori"));
  for (const std::string column : {"F", "G"}) {  // Valore atteso, Valore realizzato
    EXPECT_EQ(m.number_format(column + std::to_string(rows.first)), "General") << column;
    EXPECT_EQ(m.number_format(column + std::to_string(rows.last)), "General") << column;
  }
  const TemplateSheet p = open_template("premialita", "Scheda progetto");
  const TableRows deliverables = table_rows(p.workbook, *form("premialita").table("deliverable"));
  EXPECT_EQ(p.number_format("D" + std::to_string(deliverables.first)), "General");  // Valore atteso
}

// Finding 3: a row's total (row_sum) is a formula over its sources on each body row, which
// shows nothing while the row is empty, so that an unused row stays blank for validation.
TEST(Template, RowTotalIsTheSumOfItsSourcesOnEachRow) {
  const TemplateSheet t = open_template("spesa-sociale-comune", "Spesa sociale");
  const TableRows rows = table_rows(t.workbook, *form("spesa-sociale-comune").table("spesa"));
  for (std::uint32_t r = rows.first; r <= rows.last; ++r) {
    const std::string n = std::to_string(r);
    const xlsx::Cell* total = t.sheet.cell("J" + n);  // Totale = Risorse proprie (B) .. Altre entrate (I)
    ASSERT_NE(total, nullptr) << "J" << n;
    EXPECT_TRUE(total->has_formula);
    EXPECT_EQ(total->formula, "IF(COUNT(B" + n + ":I" + n + ")=0,\"\",SUM(B" + n + ":I" + n + "))");
    EXPECT_TRUE(total->text.empty());
    EXPECT_EQ(t.number_format("J" + n), "#,##0.00 \"€\"");
  }
  // The premialità costo totale (B) is the sum of the sources C..I, free rows included.
  const TemplateSheet p = open_template("premialita", "Scheda progetto");
  const TableRows prows = table_rows(p.workbook, *form("premialita").table("risorse_economiche"));
  const std::string n = std::to_string(prows.last);
  ASSERT_NE(p.sheet.cell("B" + n), nullptr);
  EXPECT_EQ(p.sheet.cell("B" + n)->formula, "IF(COUNT(C" + n + ":I" + n + ")=0,\"\",SUM(C" + n + ":I" + n + "))");
}

// The formulas of an untouched template leave its unused rows blank: validating the template
// itself reports no row sum and reads no free row as filled.
TEST(Template, RowTotalFormulasLeaveEmptyRowsBlank) {
  for (const std::string id : {"spesa-sociale-comune", "premialita"}) {
    const std::string path = temp_path("modello-vuoto-" + id + ".xlsx");
    write::write_template(form(id), path);
    forms::TypedForm copy;
    const forms::Report report = forms::validate_file(path, all_forms(), registry::Registry::builtin(), "", &copy);
    for (const auto& issue : report.issues) EXPECT_TRUE(issue.code != "SSC-R03" && issue.code != "PREM-R14") << issue.message.it;
    for (const auto& [table_id, table] : copy.instance().tables) {
      for (const auto& row : table.rows) {
        for (const auto& cell : row.cells) EXPECT_TRUE(cell.blank()) << id << " " << table_id << " " << xlsx::to_a1(cell.ref);
      }
    }
  }
}

// Finding 4: "Utenti serviti" had no total: integer columns of a table with a total row are
// summed too, formatted as counts.
TEST(Template, IntegerColumnsHaveATotal) {
  const TemplateSheet t = open_template("spesa-sociale-comune", "Spesa sociale");
  const TableRows rows = table_rows(t.workbook, *form("spesa-sociale-comune").table("spesa"));
  const std::string total_row = std::to_string(rows.last + 1);
  const xlsx::Cell* utenti = t.sheet.cell("K" + total_row);
  ASSERT_NE(utenti, nullptr);
  EXPECT_EQ(utenti->formula, "SUM(K" + std::to_string(rows.first) + ":K" + std::to_string(rows.last) + ")");
  EXPECT_EQ(utenti->number, 0);
  EXPECT_EQ(t.number_format("K" + total_row), "#,##0");
}

// Finding 5: a drop-down column is as wide as its longest item, up to 40 characters (longer
// items wrap in the cell).
TEST(Template, ListColumnsFitTheirItems) {
  const forms::FormSpec& rendiconto = form("rendiconto-ambito");
  const forms::TableSpec& spese = *rendiconto.table("spese");
  const TemplateSheet t = open_template("rendiconto-ambito", rendiconto.sheet_of("spese")->name);
  std::size_t longest = 0;
  for (const auto& item : *rendiconto.list("fondi")) longest = std::max(longest, chars(item.display()));
  ASSERT_EQ(spese.columns[0].id, "fondo");
  EXPECT_GE(t.width(1), static_cast<double>(std::min<std::size_t>(longest, 40)));
  EXPECT_LE(t.width(1), 42.0);
}

// Finding 6: a header wider than its column broke mid-word ("Compartecipazion/e"): every
// column is wider than the longest word of its header, in every template.
TEST(Template, HeadersBreakOnlyBetweenWords) {
  for (const auto& spec : all_forms()) {
    for (const auto& sheet : spec.sheets) {
      const TemplateSheet t = open_template(spec.id, sheet.name);
      for (const auto& section : sheet.sections) {
        for (const auto& item : section.items) {
          const forms::TableSpec* table = spec.table(item);
          if (!table) continue;
          for (std::size_t c = 0; c < table->columns.size(); ++c) {
            const std::string label = table->columns[c].label.it;
            std::size_t word = 0, run = 0;
            for (char ch : label + " ") {
              if (ch == ' ') {
                word = std::max(word, run);
                run = 0;
              } else {
                run += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
              }
            }
            // Bold text is about a tenth wider than the width unit.
            EXPECT_GE(t.width(static_cast<std::uint32_t>(c + 1)), 1.1 * static_cast<double>(word) + 1) << spec.id << " " << label;
          }
        }
      }
    }
  }
}

// A text of many lines (an objective pasted with 300,000 line breaks) is measured line by line,
// without a call per line that could exhaust the stack of a server thread.
TEST(CellText, ManyLinesAreCountedWithoutRecursion) {
  EXPECT_EQ(write::wrapped_lines(std::string(300000, '\n'), 20), 300001);
  EXPECT_EQ(write::wrapped_lines("uno due\ntre", 20), 2);
  EXPECT_EQ(write::wrapped_lines("uno due tre quattro", 9), 3);  // wraps between words: "uno due", "tre", "quattro"
}
