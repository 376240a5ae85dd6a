// The engine on a small form written for the test: fields located by fixed cell and by label,
// and a budget whose subtotal rows ("COMPRENDE LE VOCI SOPRA", as in the Melzo budget of seed
// 001) must be checked but never summed twice.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "consolida/forms.hpp"
#include "support/issue_codes.hpp"
#include "support/zip_builder.hpp"

namespace fs = std::filesystem;
using namespace consolida;
using consolida::testing::issue_codes;
using consolida::testing::minimal_xlsx;
using consolida::testing::temp_path;

namespace {

forms::FormSpec bilancio_form() {
  const fs::path dir = temp_path("plugin-bilancio");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "bilancio", "version": "1", "code_prefix": "BIL", "title": "Bilancio di prova",
    "fields": [
      {"id": "ambito", "label": "Ambito", "required": true, "cell": "B1"},
      {"id": "anno", "label": "Anno di riferimento", "type": "integer", "required": true, "min": 2018, "max": 2030}
    ],
    "tables": [
      {"id": "spese", "label": "SPESE", "key": {"id": "voce", "label": "Voce"},
       "columns": [{"id": "importo", "label": "Importo", "type": "amount", "min": 0}],
       "blank_rows": 5, "total_label": "TOTALE", "subtotal_markers": ["COMPRENDE LE VOCI SOPRA"]}
    ],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Bilancio", "items": ["ambito", "anno", "spese"]}]}],
    "rules": [{"code": "BIL-TOT", "kind": "column_total", "table": "spese",
               "message": {"it": "TOTALE scritto {found}, atteso {expected}", "en": "TOTAL {found}, expected {expected}"}}]
  })";
  return forms::load_form(dir.string());
}

std::string row(int r, const std::string& key, const std::string& value) {
  const std::string n = std::to_string(r);
  return "<row r=\"" + n + "\"><c r=\"A" + n + "\" t=\"inlineStr\"><is><t>" + key + "</t></is></c>" +
         (value.empty() ? "" : "<c r=\"B" + n + "\" t=\"inlineStr\"><is><t>" + value + "</t></is></c>") + "</row>";
}

// A workbook typed by hand: no defined names, labels in column A.
forms::Report validate_budget(const std::string& subtotal, const std::string& total, const std::string& year = "2021") {
  const std::string rows = row(1, "Ambito:", "Ambito 5 Melzo") + row(2, "ANNO DI RIFERIMENTO", year) + row(4, "SPESE", "") +
                           row(5, "Voce", "Importo") + row(6, "Servizio sociale professionale", "€ 100,00") +
                           row(7, "Assistenza domiciliare", "50,00 €") +
                           row(8, "PIANO DI ZONA SERVIZI (COMPRENDE LE VOCI SOPRA)", subtotal) + row(9, "Fondo povertà", "10") +
                           row(10, "TOTALE", total);
  const std::string path = minimal_xlsx(rows).write(temp_path("bilancio.xlsx"));
  const forms::FormSpec form = bilancio_form();
  auto workbook = xlsx::Workbook::open(path);
  return forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin());
}


}  // namespace

TEST(FormEngine, SubtotalsAreCheckedAndNotCountedTwice) {
  // 100 + 50 = 150 (subtotal), + 10 = 160. Summing every line would give 310.
  EXPECT_TRUE(validate_budget("150,00", "160,00").issues.empty()) << ::testing::PrintToString(issue_codes(validate_budget("150,00", "160,00")));
  EXPECT_EQ(issue_codes(validate_budget("150,00", "310,00")), std::vector<std::string>{"BIL-TOT@B10"});
  EXPECT_EQ(issue_codes(validate_budget("140,00", "160,00")), std::vector<std::string>{"BIL-SPESE-SUBTOTALE@B8"});
}

// Calc's SUM skips a cell holding text: a figure typed as text ('4.000,00) is read by consolida
// but not by the total the clerk sees. The cell is named, not only the total it spoils.
TEST(FormEngine, AnAmountWrittenAsTextUnderATotalFormulaIsNamedWhereItIs) {
  auto number = [](int r, const std::string& key, const std::string& value) {
    const std::string n = std::to_string(r);
    return "<row r=\"" + n + "\"><c r=\"A" + n + "\" t=\"inlineStr\"><is><t>" + key + "</t></is></c><c r=\"B" + n + "\"><v>" + value +
           "</v></c></row>";
  };
  const std::string total_formula = "<row r=\"10\"><c r=\"A10\" t=\"inlineStr\"><is><t>TOTALE</t></is></c>"
                                    "<c r=\"B10\"><f>SUM(B6:B9)</f><v>60</v></c></row>";
  const std::string rows = row(1, "Ambito:", "Ambito 5 Melzo") + row(2, "ANNO DI RIFERIMENTO", "2021") + row(4, "SPESE", "") +
                           row(5, "Voce", "Importo") + row(6, "Servizio sociale professionale", "4.000,00") +
                           number(7, "Assistenza domiciliare", "50") + number(9, "Fondo povertà", "10") + total_formula;
  const forms::FormSpec form = bilancio_form();
  auto workbook = xlsx::Workbook::open(minimal_xlsx(rows).write(temp_path("bilancio-testo.xlsx")));
  const forms::Report report = forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin());
  ASSERT_EQ(issue_codes(report), std::vector<std::string>{"BIL-SPESE-IMPORTO-TESTO@B6"});
  EXPECT_NE(report.issues[0].message.it.find("scritto come testo e la formula del totale lo ignora"), std::string::npos);
  // The same figure typed by hand in a total without a formula is an ordinary row: no such error.
  EXPECT_TRUE(validate_budget("150,00", "160,00").issues.empty());
}

// A row's total is the template's formula too (IF(COUNT(...)=0,"",SUM(...))), and it skips text
// as the column's SUM does: the figure typed as text is named where it is, and the row total it
// spoils ("il totale (0,00) non è uguale alla somma delle fonti (4.000,00)", figures the clerk
// never wrote) is not reported on top. A row total typed by hand is still checked.
TEST(FormEngine, ARowTotalFormulaSpoiltByTextIsNotReportedOnTopOfTheText) {
  const fs::path dir = temp_path("plugin-righe");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "righe", "version": "1", "code_prefix": "RIG", "title": "Righe con totale",
    "fields": [{"id": "ambito", "label": "Ambito", "required": true, "cell": "B1"}],
    "tables": [
      {"id": "spese", "label": "SPESE", "key": {"id": "voce", "label": "Voce"},
       "columns": [{"id": "uno", "label": "Fonte uno", "type": "amount"}, {"id": "due", "label": "Fonte due", "type": "amount"},
                   {"id": "totale", "label": "Totale", "type": "amount"}],
       "blank_rows": 3, "total_label": "TOTALE"}
    ],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Spese", "items": ["ambito", "spese"]}]}],
    "rules": [{"code": "RIG-SOMMA", "kind": "row_sum", "table": "spese", "column": "totale", "columns": ["uno", "due"],
               "message": "{row}: totale {found}, somma {expected}"}]
  })";
  const forms::FormSpec form = forms::load_form(dir.string());
  auto text = [](const std::string& ref, const std::string& value) {
    return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + value + "</t></is></c>";
  };
  auto number = [](const std::string& ref, const std::string& value) { return "<c r=\"" + ref + "\"><v>" + value + "</v></c>"; };
  auto formula = [](const std::string& ref, const std::string& f, const std::string& cached) {
    return "<c r=\"" + ref + "\"" + (cached.empty() ? " t=\"str\"" : "") + "><f>" + f + "</f><v>" + cached + "</v></c>";
  };
  auto row_total = [&](int r, const std::string& cached) {
    const std::string n = std::to_string(r);
    return formula("D" + n, "IF(COUNT(B" + n + ":C" + n + ")=0,\"\",SUM(B" + n + ":C" + n + "))", cached);
  };
  auto validate = [&](const std::string& typed_total) {
    const std::string rows =
        "<row r=\"1\">" + text("A1", "Ambito") + text("B1", "Ambito 5 Melzo") + "</row>" + "<row r=\"3\">" + text("A3", "SPESE") + "</row>" +
        "<row r=\"4\">" + text("A4", "Voce") + text("B4", "Fonte uno") + text("C4", "Fonte due") + text("D4", "Totale") + "</row>" +
        // 4.000,00 typed as text next to 50: the row total formula shows 50.
        "<row r=\"5\">" + text("A5", "Servizi") + text("B5", "4.000,00") + number("C5", "50") + row_total(5, "50") + "</row>" +
        // Only text: the formula shows nothing.
        "<row r=\"6\">" + text("A6", "Trasporti") + text("B6", "300,00") + row_total(6, "") + "</row>" +
        // A total typed by hand that is wrong: reported.
        "<row r=\"7\">" + text("A7", "Mense") + number("B7", "10") + number("C7", "5") + typed_total + "</row>" +
        "<row r=\"8\">" + text("A8", "TOTALE") + formula("B8", "SUM(B5:B7)", "10") + formula("C8", "SUM(C5:C7)", "55") +
        formula("D8", "SUM(D5:D7)", "65") + "</row>";
    auto workbook = xlsx::Workbook::open(minimal_xlsx(rows).write(temp_path("righe-testo.xlsx")));
    return issue_codes(forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin()));
  };
  EXPECT_EQ(validate(number("D7", "15")), (std::vector<std::string>{"RIG-SPESE-UNO-TESTO@B5", "RIG-SPESE-UNO-TESTO@B6"}));
  EXPECT_EQ(validate(number("D7", "16")),
            (std::vector<std::string>{"RIG-SPESE-UNO-TESTO@B5", "RIG-SPESE-UNO-TESTO@B6", "RIG-SOMMA@D7"}));
}

// Users served typed as text ("1250" pasted) under the TOTALE row's SUM: the workbook's total
// skips it while consolidation would count it, so it is named as the amounts are (found by the
// property test, tests/property_test.cpp).
TEST(FormEngine, ACountWrittenAsTextUnderATotalFormulaIsNamedWhereItIs) {
  const fs::path dir = temp_path("plugin-utenti");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "utenti", "version": "1", "code_prefix": "UT", "title": "Utenti",
    "fields": [{"id": "ambito", "label": "Ambito", "required": true, "cell": "B1"}],
    "tables": [
      {"id": "aree", "label": "AREE", "key": {"id": "area", "label": "Area"},
       "columns": [{"id": "utenti", "label": "Utenti serviti", "type": "integer", "min": 0}],
       "blank_rows": 3, "total_label": "TOTALE"}
    ],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Aree", "items": ["ambito", "aree"]}]}]
  })";
  const forms::FormSpec form = forms::load_form(dir.string());
  auto number = [](int r, const std::string& key, const std::string& value) {
    const std::string n = std::to_string(r);
    return "<row r=\"" + n + "\"><c r=\"A" + n + "\" t=\"inlineStr\"><is><t>" + key + "</t></is></c><c r=\"B" + n + "\"><v>" + value +
           "</v></c></row>";
  };
  const std::string rows = row(1, "Ambito", "Ambito 5 Melzo") + row(3, "AREE", "") + row(4, "Area", "Utenti serviti") +
                           row(5, "Anziani", "1250") + number(6, "Disabili", "87") +
                           "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>TOTALE</t></is></c><c r=\"B7\"><f>SUM(B5:B6)</f><v>87</v></c></row>";
  auto workbook = xlsx::Workbook::open(minimal_xlsx(rows).write(temp_path("utenti-testo.xlsx")));
  const forms::Report report = forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin());
  ASSERT_EQ(issue_codes(report), std::vector<std::string>{"UT-AREE-UTENTI-TESTO@B5"});
  EXPECT_NE(report.issues[0].message.it.find("scritto come testo e la formula del totale lo ignora"), std::string::npos);
}

// A row inserted just above TOT is outside the SUM of the template: the total is short by that
// row's figures, and the message says so instead of leaving the clerk with two numbers.
TEST(FormEngine, ARowInsertedAboveTheTotalIsNamedAsTheCause) {
  auto number = [](int r, const std::string& key, const std::string& value) {
    const std::string n = std::to_string(r);
    return "<row r=\"" + n + "\"><c r=\"A" + n + "\" t=\"inlineStr\"><is><t>" + key + "</t></is></c><c r=\"B" + n + "\"><v>" + value +
           "</v></c></row>";
  };
  const std::string rows = row(1, "Ambito:", "Ambito 5 Melzo") + row(2, "ANNO DI RIFERIMENTO", "2021") + row(4, "SPESE", "") +
                           row(5, "Voce", "Importo") + number(6, "Servizio sociale professionale", "100") +
                           number(7, "Assistenza domiciliare", "50") + number(8, "Fondo povertà", "10") +
                           "<row r=\"9\"><c r=\"A9\" t=\"inlineStr\"><is><t>TOTALE</t></is></c><c r=\"B9\"><f>SUM(B6:B7)</f><v>150</v></c></row>";
  const forms::FormSpec form = bilancio_form();
  auto workbook = xlsx::Workbook::open(minimal_xlsx(rows).write(temp_path("bilancio-riga-sopra-tot.xlsx")));
  const forms::Report report = forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin());
  ASSERT_EQ(issue_codes(report), std::vector<std::string>{"BIL-TOT@B9"});
  EXPECT_EQ(report.issues[0].message.it,
            "TOTALE scritto 150,00, atteso 160,00: la formula del totale non comprende la riga 8, inserita subito sopra il totale; "
            "scrivere quei dati in una delle righe vuote del modello");
}

TEST(FormEngine, FieldsAreFoundByFixedCellAndByLabel) {
  const forms::Report report = validate_budget("150,00", "160,00", "2031");
  ASSERT_EQ(issue_codes(report), std::vector<std::string>{"BIL-ANNO-MAX@B2"});  // found by its label "ANNO DI RIFERIMENTO"
  EXPECT_NE(report.issues[0].message.it.find("2030"), std::string::npos);
}

#include "common/labels.hpp"

TEST(Labels, FoldWhatClerksTypeDifferently) {
  EXPECT_EQ(normalise_label("  Domiciliarità "), "domiciliarita");
  EXPECT_EQ(normalise_label("DOMICILIARITA'"), "domiciliarita");
  EXPECT_EQ(normalise_label("E' un ente"), "e un ente");
  EXPECT_EQ(normalise_label("CIÒ' che serve:"), "cio che serve");
  EXPECT_EQ(normalise_label("l'Ambito  di\u00A0Lodi"), "l'ambito di lodi");  // elision and NBSP
  EXPECT_EQ(normalise_label("dell\u2019Ambito"), "dell'ambito");            // typographic apostrophe
  EXPECT_TRUE(labels_match(normalise_label("Titolo progetto:"), normalise_label("TITOLO PROGETTO")));
  EXPECT_FALSE(labels_match(normalise_label("Titolo"), normalise_label("Titolo progetto")));  // too short to be a prefix
}
