// The annotated copy a clerk corrects and sends again (issue #12, "The annotated copy"): it keeps
// the template's formulas (TOT rows, row totals), carries over what the clerk added outside the
// template's grid, and never drops what was typed without saying so.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "consolida/forms.hpp"
#include "consolida/registry.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/write.hpp"
#include "consolida/xlsx.hpp"
#include "support/bundled_forms.hpp"
#include "support/row_total_form.hpp"
#include "support/zip_builder.hpp"

namespace fs = std::filesystem;
using namespace consolida;
using consolida::testing::temp_path;

namespace {

const fs::path kSamples = fs::path(CONSOLIDA_SOURCE_DIR) / "sample-workbooks" / "premialita";
const char* const kSheet = "Scheda progetto";

const std::vector<forms::FormSpec>& all_forms() { return consolida::testing::bundled_forms(); }

struct Annotated {
  forms::Report report;  // of the sample
  std::string path;      // of its annotated copy
};

Annotated annotate(const std::string& sample, Lang lang = Lang::it) {
  forms::TypedForm read;
  Annotated out;
  out.report = forms::validate_file((kSamples / sample).string(), all_forms(), registry::Registry::builtin(), "", &read);
  out.path = temp_path("annotato-" + sample);
  write::write_annotated(read, out.report, out.path, lang);
  return out;
}

xlsx::Sheet sheet_of(const std::string& path, const std::string& name) {
  auto workbook = xlsx::Workbook::open(path);
  const auto* info = workbook.find_sheet(name);
  if (!info) throw std::runtime_error("no sheet " + name + " in " + path);
  return workbook.load_sheet(*info);
}

// Every text of the problem sheet, one line per row, for searching.
std::string problem_sheet_text(const std::string& path, const std::string& name = "Problemi") {
  std::string text;
  const xlsx::Sheet sheet = sheet_of(path, name);
  std::uint32_t row = 0;
  for (const xlsx::Cell& cell : sheet.cells()) {
    if (cell.row != row) text += "\n";
    row = cell.row;
    text += cell.text + " | ";
  }
  return text;
}

const forms::Issue* issue_with_code(const forms::Report& report, const std::string& code) {
  for (const forms::Issue& issue : report.issues) {
    if (issue.code == code) return &issue;
  }
  return nullptr;
}

}  // namespace

TEST(AnnotatedCopy, TotalRowKeepsTheTemplateFormulaWithTheExactSum) {
  // The clerk typed 3.300,00 over the TOT of "Entrate da FNPS" (H138); the rows sum to 3.000,00.
  const Annotated copy = annotate("errore-tot-sbagliato.xlsx");
  const xlsx::Sheet sheet = sheet_of(copy.path, kSheet);
  const xlsx::Cell* fnps = sheet.cell("H138");
  ASSERT_NE(fnps, nullptr);
  EXPECT_TRUE(fnps->has_formula);
  EXPECT_EQ(fnps->formula.substr(0, 4), "SUM(") << fnps->formula;
  EXPECT_DOUBLE_EQ(fnps->number, 3000.00);
  const xlsx::Cell* cost = sheet.cell("B138");
  ASSERT_NE(cost, nullptr);
  EXPECT_TRUE(cost->has_formula);
  EXPECT_DOUBLE_EQ(cost->number, 50106.88);
  // What the clerk had written there is not lost: the problem list says it and what the copy did.
  const std::string problems = problem_sheet_text(copy.path);
  EXPECT_NE(problems.find("3.300,00"), std::string::npos) << problems;
  EXPECT_NE(problems.find("formula"), std::string::npos) << problems;
}

TEST(AnnotatedCopy, CorrectRowTotalsStayFormulasAndAWrongOneKeepsTheClerksFigure) {
  // Row 2 of the economic resources: Costo totale typed as 44.000,00, its sources sum to 44.606,88.
  const Annotated copy = annotate("errore-bilancio-non-quadra.xlsx");
  const xlsx::Sheet sheet = sheet_of(copy.path, kSheet);
  const xlsx::Cell* right = sheet.cell("B130");
  ASSERT_NE(right, nullptr);
  EXPECT_TRUE(right->has_formula);
  EXPECT_NE(right->formula.find("SUM(C130:I130)"), std::string::npos) << right->formula;
  EXPECT_DOUBLE_EQ(right->number, 5500.00);
  const xlsx::Cell* wrong = sheet.cell("B131");
  ASSERT_NE(wrong, nullptr);
  EXPECT_FALSE(wrong->has_formula);
  EXPECT_DOUBLE_EQ(wrong->number, 44000.00);
  // The copy still reports the row; the TOT, a formula again, now sums the rows as they are.
  const forms::Report again = forms::validate_file(copy.path, all_forms(), registry::Registry::builtin());
  ASSERT_NE(issue_with_code(again, "PREM-R14"), nullptr);
  EXPECT_EQ(issue_with_code(again, "PREM-R14")->cell, "B131");
  EXPECT_EQ(issue_with_code(again, "PREM-R15"), nullptr);
}

TEST(AnnotatedCopy, AGanttColumnTheClerkAddedIsCarriedOverWithItsProblem) {
  // A quarter "gen 24-mar 24" added right of the Gantt (column I), marked on the second activity.
  const Annotated copy = annotate("errore-cronoprogramma-oltre-2023.xlsx");
  const forms::Issue* late = issue_with_code(copy.report, "PREM-R12");
  ASSERT_NE(late, nullptr);
  const xlsx::Sheet sheet = sheet_of(copy.path, kSheet);
  const xlsx::Cell* mark = sheet.cell(late->cell);
  ASSERT_NE(mark, nullptr) << late->cell;
  EXPECT_EQ(mark->text, "X");
  const xlsx::Cell* header = sheet.cell(xlsx::CellRef{late->row - 2, late->col});
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->text, "gen 24-mar 24");
  // Validating the copy finds the same mark: the clerk has to decide about it.
  const forms::Report again = forms::validate_file(copy.path, all_forms(), registry::Registry::builtin());
  ASSERT_NE(issue_with_code(again, "PREM-R12"), nullptr);
  EXPECT_EQ(issue_with_code(again, "PREM-R12")->cell, late->cell);
  // The problem list links to it.
  EXPECT_NE(problem_sheet_text(copy.path).find(late->cell + " | "), std::string::npos);
}

TEST(AnnotatedCopy, AProblemAtACellTheCopyHasNotIsAnchoredAndSaysSo) {
  forms::TypedForm read;
  forms::Report report =
      forms::validate_file((kSamples / "lodi-riabita.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  forms::Issue far;
  far.code = "PROVA";
  far.sheet = kSheet;
  far.cell = "AB131";  // right of the economic resources' second row, nowhere in the copy
  far.row = 130;
  far.col = 27;
  far.message = {"Un problema lontano", "A far problem"};
  report.issues.push_back(far);
  const std::string path = temp_path("annotato-ancorato.xlsx");
  write::write_annotated(read, report, path);
  const xlsx::Sheet problems = sheet_of(path, "Problemi");
  const xlsx::Cell* link = problems.cell("C2");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->text.substr(link->text.size() - 3), "131") << link->text;  // the same row of the copy
  const std::string text = problem_sheet_text(path);
  EXPECT_NE(text.find("AB131"), std::string::npos);
  EXPECT_NE(text.find("non è nella copia"), std::string::npos) << text;
}

TEST(AnnotatedCopy, OptionCellsCarryTheirProblems) {
  // "No key point marked" is reported on the mark cell of the first key point of the chosen
  // macro-area (B27, D1.), where the clerk types the X: the copy links to it.
  const Annotated copy = annotate("errore-nessun-punto-chiave.xlsx");
  const xlsx::Sheet problems = sheet_of(copy.path, "Problemi");
  const xlsx::Cell* link = problems.cell("C2");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->text, "B27");
}

TEST(AnnotatedCopy, AFieldNotFoundIsMarkedOnItsInputAndWhatWasWrittenThereIsListed) {
  // The title's defined name is gone and its label reworded: the field is not read, so its text
  // stands outside the grid. The copy marks its own title cell and lists what it left out.
  const Annotated copy = annotate("errore-campo-non-trovato.xlsx");
  ASSERT_NE(issue_with_code(copy.report, "PREM-TITOLO-ASSENTE"), nullptr);
  const xlsx::Sheet problems = sheet_of(copy.path, "Problemi");
  ASSERT_NE(problems.cell("E2"), nullptr);
  EXPECT_EQ(problems.cell("E2")->text, "PREM-TITOLO-ASSENTE");
  ASSERT_NE(problems.cell("C2"), nullptr);
  EXPECT_EQ(problems.cell("C2")->text, "B12");
  const std::string text = problem_sheet_text(copy.path);
  EXPECT_NE(text.find("«Nome dell'iniziativa»"), std::string::npos) << text;
  EXPECT_NE(text.find("«Nuovi bisogni nella domiciliarità: ripensare i percorsi di dimissioni protette»"), std::string::npos) << text;
  EXPECT_NE(text.find("COPIA-NON-RIPORTATO"), std::string::npos) << text;
}

// The form's sheet renamed ("Progetto Lodi"): it is read in its place, so every other problem is
// found at once, and the copy carries it under the template's name: once the copy is sent back
// nothing is left to correct for the name.
TEST(AnnotatedCopy, ARenamedFormSheetIsCheckedAndCarriedUnderTheTemplatesName) {
  const Annotated copy = annotate("errore-foglio-rinominato.xlsx", Lang::en);
  ASSERT_EQ(copy.report.issues.size(), 1u);
  EXPECT_EQ(copy.report.issues[0].code, "PREM-FOGLIO");
  EXPECT_EQ(copy.report.issues[0].sheet, "Progetto Lodi");
  EXPECT_NE(copy.report.issues[0].message.it.find("si chiama «Progetto Lodi»: è stato verificato lo stesso"), std::string::npos)
      << copy.report.issues[0].message.it;
  const std::string text = problem_sheet_text(copy.path, "Problems");
  EXPECT_EQ(text.find("is not part of the template"), std::string::npos) << text;
  const forms::Report again = forms::validate_file(copy.path, all_forms(), registry::Registry::builtin());
  EXPECT_TRUE(again.valid()) << (again.issues.empty() ? "" : again.issues[0].code + " " + again.issues[0].message.it);
  EXPECT_EQ(again.issues.size(), 0u);
}

// A sheet beside the form's that is no form sheet (the clerk's notes) is not read: the copy says
// it leaves it out.
TEST(AnnotatedCopy, ASheetThatIsNotTheFormsIsNamedAsLeftOut) {
  using namespace consolida::testing::cells;
  std::vector<forms::FormSpec> forms{consolida::testing::row_total_form()};
  const std::string rows = "<row r=\"1\">" + text("A1", "Ambito") + text("B1", "Ambito 5 Melzo") + "</row>" + "<row r=\"3\">" +
                           text("A3", "SPESE") + "</row>" + "<row r=\"4\">" + text("A4", "Voce") + text("B4", "Fonte uno") +
                           text("C4", "Fonte due") + text("D4", "Totale") + "</row>" + "<row r=\"5\">" + text("A5", "Mense") +
                           number("B5", "10") + number("C5", "5") + number("D5", "15") + "</row>";
  consolida::testing::ZipBuilder zip = consolida::testing::minimal_xlsx(rows);
  zip.add("xl/workbook.xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Foglio1\" sheetId=\"1\" "
          "r:id=\"rId1\"/><sheet name=\"Appunti\" sheetId=\"2\" r:id=\"rId9\"/></sheets></workbook>");
  zip.add("xl/_rels/workbook.xml.rels",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
          "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
          "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId9\" "
          "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
          "</Relationships>");
  zip.add("xl/worksheets/sheet2.xml", consolida::testing::worksheet("<row r=\"1\">" + text("A1", "telefonare a Melzo") + "</row>"));
  const std::string sample = zip.write(temp_path("foglio-estraneo.xlsx"));
  forms::TypedForm read;
  const forms::Report report = forms::validate_file(sample, forms, registry::Registry::builtin(), "righe", &read);
  const std::string copy = temp_path("annotato-foglio-estraneo.xlsx");
  write::write_annotated(read, report, copy, Lang::en);
  const std::string notes = problem_sheet_text(copy, "Problems");
  EXPECT_NE(notes.find("Sheet «Appunti» of the uploaded file is not part of the template"), std::string::npos) << notes;
}

TEST(AnnotatedCopy, ACleanFileHasNothingLeftOut) {
  const Annotated copy = annotate("lodi-dimissioni-protette.xlsx");
  const std::string text = problem_sheet_text(copy.path);
  EXPECT_NE(text.find("Nessun problema"), std::string::npos) << text;
}

// A percentage the clerk typed as "70%" (stored 0,7 in a percent-formatted cell) is read as 70;
// the copy keeps it a percentage, so that the copy is read as 70 again, not as 0,7.
TEST(AnnotatedCopy, APercentTypedWithItsSignStaysThePercentageRead) {
  forms::TypedForm read;
  forms::validate_file((kSamples / "lodi-riabita.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  forms::FormInstance instance = read.instance();
  const forms::TableSpec& deliverables = *read.spec().table("deliverable");
  forms::TableRow& row = instance.tables.at("deliverable").rows.at(0);
  row.cells.at(*deliverables.position("unita") - 1).text = "%";
  forms::CellValue& target = row.cells.at(*deliverables.position("valore_atteso") - 1);
  target.numeric = true;
  target.number = 0.7;
  target.lexical = "0.7";
  target.text = "70%";
  target.number_format = "0%";
  const forms::TypedForm typed = forms::type_form(std::move(instance), read.spec(), registry::Registry::builtin());
  const forms::Report report = forms::validate(typed);
  const std::string path = temp_path("annotato-percentuale.xlsx");
  write::write_annotated(typed, report, path);

  forms::TypedForm again;
  const forms::Report reread = forms::validate_file(path, all_forms(), registry::Registry::builtin(), "", &again);
  const forms::TypedRow& first = again.table("deliverable")->rows.at(0);
  EXPECT_EQ(first.cells.at(*deliverables.position("valore_atteso")).number(), std::optional<std::int64_t>(7000));
  for (const forms::Issue& issue : reread.issues) EXPECT_NE(issue.code, "PREM-R17") << issue.message.it;
}

// A column the clerk inserted inside a table (between two of the template's) goes beside the
// table in the copy: it never lands on a template column, its header or its cells.
TEST(AnnotatedCopy, AColumnInsertedInsideATableGoesBesideItAndOverwritesNothing) {
  forms::TypedForm read;
  forms::validate_file((kSamples / "errore-cronoprogramma-oltre-2023.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  forms::FormInstance instance = read.instance();
  forms::TableInstance& gantt = instance.tables.at("cronoprogramma");
  ASSERT_EQ(gantt.extra_columns.size(), 1u);
  ASSERT_GE(gantt.column_cols.size(), 3u);
  // As if the added quarter stood in column C, the template's quarters from C on one column right.
  const std::uint32_t inside = gantt.column_cols[1];
  for (std::size_t c = 1; c < gantt.column_cols.size(); ++c) ++gantt.column_cols[c];
  gantt.extra_columns[0].first = inside;
  const forms::TypedForm typed = forms::type_form(std::move(instance), read.spec(), registry::Registry::builtin());
  const std::string path = temp_path("annotato-colonna-interna.xlsx");
  write::write_annotated(typed, forms::validate(typed), path);

  const forms::TableSpec& spec = *read.spec().table("cronoprogramma");
  const xlsx::Sheet sheet = sheet_of(path, kSheet);
  std::optional<xlsx::CellRef> added;
  for (const xlsx::Cell& cell : sheet.cells()) {
    if (cell.text == "gen 24-mar 24") added = xlsx::CellRef{cell.row, cell.col};
  }
  ASSERT_TRUE(added.has_value());
  EXPECT_GT(added->col, spec.columns.size());  // right of the template's last column
  // The template's quarter headers are all in place in the copy's header row.
  for (std::size_t c = 0; c < spec.columns.size(); ++c) {
    const xlsx::Cell* header = sheet.cell(xlsx::CellRef{added->row, static_cast<std::uint32_t>(c + 1)});
    ASSERT_NE(header, nullptr) << c;
    EXPECT_EQ(header->text, spec.columns[c].label.it) << c;
  }
}

// A sheet with thousands of cells written outside the grid (data pasted beside the form) costs a
// bounded list: the first ones are named one by one, the rest counted in one note.
TEST(AnnotatedCopy, ThousandsOfCellsOutsideTheGridAreNamedUpToALimitAndCounted) {
  const fs::path dir = temp_path("plugin-fuori-griglia");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "fuori", "version": "1", "code_prefix": "FUO", "title": "Fuori griglia",
    "fields": [{"id": "titolo", "label": "Titolo", "cell": "B1"}],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Dati", "items": ["titolo"]}]}]
  })";
  const forms::FormSpec form = forms::load_form(dir.string());
  std::string rows = R"(<row r="1"><c r="A1" t="inlineStr"><is><t>Titolo</t></is></c><c r="B1" t="inlineStr"><is><t>Progetto</t></is></c></row>)";
  for (int r = 3; r < 3 + 3000; ++r) rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"F" + std::to_string(r) + "\"><v>" + std::to_string(r) + "</v></c></row>";
  const std::string path = consolida::testing::minimal_xlsx(rows).write(temp_path("fuori-griglia.xlsx"));
  auto workbook = xlsx::Workbook::open(path);
  const forms::FormInstance instance = forms::extract(workbook, form);
  EXPECT_EQ(instance.loose_cells.size(), forms::kMaxLooseCells);
  EXPECT_EQ(instance.loose_cells_beyond, 3000 - forms::kMaxLooseCells);
  const forms::TypedForm typed = forms::type_form(instance, form, registry::Registry::builtin());
  const std::string copy = temp_path("annotato-fuori-griglia.xlsx");
  write::write_annotated(typed, forms::validate(typed), copy);
  const std::string text = problem_sheet_text(copy);
  std::size_t named = 0;
  for (std::size_t at = text.find("COPIA-NON-RIPORTATO"); at != std::string::npos; at = text.find("COPIA-NON-RIPORTATO", at + 1)) ++named;
  EXPECT_EQ(named, forms::kMaxLooseCells + 1);
  EXPECT_NE(text.find(std::to_string(3000 - forms::kMaxLooseCells) + " altre celle sono scritte fuori"), std::string::npos) << text.substr(text.size() - 600);
}

// A figure typed as text ("4.000,00") next to a number: the template's row total shows what its
// SUM sees (50,00). The copy keeps that formula, cached as LibreOffice will compute it, so that
// once the clerk types 4000 as a number the row adds up by itself; a fixed 50,00 there would be
// refused again after the correction.
TEST(AnnotatedCopy, ARowTotalNextToAFigureTypedAsTextStaysItsFormula) {
  using namespace consolida::testing::cells;
  std::vector<forms::FormSpec> forms{consolida::testing::row_total_form()};
  const std::string rows =
      "<row r=\"1\">" + text("A1", "Ambito") + text("B1", "Ambito 5 Melzo") + "</row>" + "<row r=\"3\">" + text("A3", "SPESE") + "</row>" +
      "<row r=\"4\">" + text("A4", "Voce") + text("B4", "Fonte uno") + text("C4", "Fonte due") + text("D4", "Totale") + "</row>" +
      "<row r=\"5\">" + text("A5", "Servizi") + text("B5", "4.000,00") + number("C5", "50") + row_total(5, "50") + "</row>" +
      "<row r=\"6\">" + text("A6", "Mense") + number("B6", "10") + number("C6", "5") + number("D6", "15") + "</row>" +
      "<row r=\"8\">" + text("A8", "TOTALE") + formula("B8", "SUM(B5:B7)", "10") + formula("C8", "SUM(C5:C7)", "55") +
      formula("D8", "SUM(D5:D7)", "65") + "</row>";
  const std::string sample = consolida::testing::minimal_xlsx(rows).write(temp_path("righe-testo-annotare.xlsx"));
  forms::TypedForm read;
  const forms::Report report = forms::validate_file(sample, forms, registry::Registry::builtin(), "righe", &read);
  ASSERT_NE(issue_with_code(report, "RIG-SPESE-UNO-TESTO"), nullptr);
  const std::string copy = temp_path("annotato-righe-testo.xlsx");
  write::write_annotated(read, report, copy, Lang::it);
  // The copy lays the form out as its template does: the rows are found by their labels.
  const xlsx::Sheet sheet = sheet_of(copy, "Foglio1");
  for (const auto& [label, cached] : {std::pair<std::string, double>{"Servizi", 50.0}, {"Mense", 15.0}}) {
    const xlsx::Cell* total = nullptr;
    for (const xlsx::Cell& cell : sheet.cells()) {
      if (cell.col == 0 && cell.text == label) total = sheet.cell("D" + std::to_string(cell.row + 1));
    }
    ASSERT_NE(total, nullptr) << label;
    EXPECT_TRUE(total->has_formula) << label;
    EXPECT_DOUBLE_EQ(total->number, cached) << label;
  }
}
