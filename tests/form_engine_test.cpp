// The engine on a small form written for the test: fields located by fixed cell and by label,
// and a budget whose subtotal rows ("COMPRENDE LE VOCI SOPRA", as in the Melzo budget of seed
// 001) must be checked but never summed twice.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>

#include "consolida/forms.hpp"
#include "consolida/typed_form.hpp"
#include "support/issue_codes.hpp"
#include "support/row_total_form.hpp"
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
  const forms::FormSpec form = consolida::testing::row_total_form();
  using namespace consolida::testing::cells;
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

TEST(Labels, TheClosestLabelIsTheOneSharingTheMostTellingWords) {
  const std::vector<std::string> ats = {"ATS della Città Metropolitana di Milano", "ATS dell'Insubria", "ATS della Val Padana", "ATS di Pavia"};
  EXPECT_EQ(closest_label("Ats Metropolitana Milano", ats), 0u);   // "ATS" is in every item: it tells nothing
  EXPECT_EQ(closest_label("ATS Insubrai", ats), 1u);               // no word in common: a typing slip away
  EXPECT_EQ(closest_label("ATS di Sondrio", ats), std::nullopt);   // nothing close
  EXPECT_EQ(closest_label("x", {"n.", "%", "ore"}), std::nullopt); // one letter is no slip of "%"
  EXPECT_EQ(closest_label("numeri", {"n.", "numero", "%"}, {0, 0, 1}), 1u);
  // Two candidates of one owner (an item and its synonym) do not tie.
  EXPECT_EQ(closest_label("ASST Lodi Sud", {"ASST di Lodi", "ASST Lodi", "ASST di Crema"}, {0, 0, 1}), 1u);
}

namespace {

// A table of two columns, for a file typed again from scratch.
forms::FormSpec register_form() {
  const fs::path dir = temp_path("plugin-registro");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "registro", "version": "1", "code_prefix": "REG", "title": "Registro di prova",
    "fields": [{"id": "ambito", "label": "Ambito", "required": true, "cell": "B1"}],
    "tables": [
      {"id": "spese", "label": "SPESE DEL PIANO", "key": {"id": "voce", "label": "Voce di spesa"},
       "columns": [{"id": "importo", "label": "Importo", "type": "amount", "min": 0},
                   {"id": "note", "label": "Annotazioni"}],
       "blank_rows": 5, "total_label": "TOTALE"}
    ],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Registro", "items": ["ambito", "spese"]}]}],
    "rules": [{"code": "REG-TOT", "kind": "column_total", "table": "spese",
               "message": {"it": "TOTALE scritto {found}, atteso {expected}", "en": "TOTAL {found}, expected {expected}"}}]
  })";
  return forms::load_form(dir.string());
}

std::string text_at(const std::string& ref, const std::string& text) {
  return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
}

// Rows 4-8: the headers given, then two expenses and their total, all from column C, without
// the table's title.
forms::Report validate_register(const std::string& key_header, const std::string& amount_header) {
  const std::string rows = "<row r=\"1\">" + text_at("A1", "Ambito") + text_at("B1", "Ambito 5 Melzo") + "</row>" +
                           "<row r=\"4\">" + text_at("C4", key_header) + text_at("D4", "Annotazioni") + text_at("E4", amount_header) + "</row>" +
                           "<row r=\"5\">" + text_at("C5", "Assistenza domiciliare") + "<c r=\"E5\"><v>100</v></c></row>" +
                           "<row r=\"6\">" + text_at("C6", "Trasporto") + "<c r=\"E6\"><v>50</v></c></row>" +
                           "<row r=\"7\">" + text_at("C7", "TOTALE") + "<c r=\"E7\"><v>150</v></c></row>";
  const forms::FormSpec form = register_form();
  auto workbook = xlsx::Workbook::open(minimal_xlsx(rows).write(temp_path("registro.xlsx")));
  return forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin());
}

}  // namespace

// A clerk who typed the table again, elsewhere and without its title, but with the template's
// headers, has the table read by those headers; one whose headers differ is told which ones.
TEST(FormEngine, ATableTypedFromScratchIsFoundByItsHeaders) {
  const forms::Report found = validate_register("Voce di spesa", "Importo");
  EXPECT_TRUE(found.issues.empty()) << ::testing::PrintToString(issue_codes(found));
  const forms::Report wrong_total = [] {
    const std::string rows = "<row r=\"1\">" + text_at("A1", "Ambito") + text_at("B1", "Ambito 5 Melzo") + "</row>" +
                             "<row r=\"4\">" + text_at("C4", "voce di spesa") + text_at("D4", "IMPORTO") + text_at("E4", "Annotazioni") + "</row>" +
                             "<row r=\"5\">" + text_at("C5", "Assistenza domiciliare") + "<c r=\"D5\"><v>100</v></c></row>" +
                             "<row r=\"6\">" + text_at("C6", "TOTALE") + "<c r=\"D6\"><v>90</v></c></row>";
    const forms::FormSpec form = register_form();
    auto workbook = xlsx::Workbook::open(minimal_xlsx(rows).write(temp_path("registro-tot.xlsx")));
    return forms::validate(forms::extract(workbook, form), form, registry::Registry::builtin());
  }();
  EXPECT_EQ(issue_codes(wrong_total), std::vector<std::string>{"REG-TOT@D6"});  // read where the clerk put it

  const forms::Report missed = validate_register("Voce di spesa", "Importo (euro)");
  ASSERT_EQ(issue_codes(missed), std::vector<std::string>{"REG-SPESE-ASSENTE@"});
  EXPECT_EQ(missed.issues[0].message.it,
            "tabella «SPESE DEL PIANO» non trovata: la riga 4 ha le sue intestazioni ma non «Importo»; scriverle come nel modello "
            "(o usare il modello scaricato)");
}

namespace {

const forms::FormSpec& plugin(const std::string& id) {
  static std::map<std::string, forms::FormSpec> loaded;
  auto it = loaded.find(id);
  if (it == loaded.end()) it = loaded.emplace(id, forms::load_form((fs::path(CONSOLIDA_SOURCE_DIR) / "plugins" / id).string())).first;
  return it->second;
}

forms::CellValue written(const std::string& ref, const std::string& text) {
  forms::CellValue cell;
  cell.ref = *xlsx::parse_a1(ref);
  cell.present = true;
  cell.text = text;
  return cell;
}

forms::CellValue number(const std::string& ref, const std::string& lexical) {
  forms::CellValue cell = written(ref, lexical);
  cell.numeric = true;
  cell.lexical = lexical;
  cell.number = std::stod(lexical);
  return cell;
}

void set_field(forms::FormInstance& instance, const std::string& id, forms::CellValue cell, const std::string& sheet) {
  instance.fields[id].found = true;
  instance.fields[id].sheet = sheet;
  instance.fields[id].cell = std::move(cell);
}

// A monitoraggio of the Ambito di Melzo with its fields filled and an empty table of indicators.
forms::FormInstance melzo_monitoring() {
  forms::FormInstance instance;
  set_field(instance, "ambito", written("B2", "Ambito 5 Melzo"), "Monitoraggio");
  set_field(instance, "anno", number("B3", "2024"), "Monitoraggio");
  set_field(instance, "referente", written("B4", "Ufficio di Piano"), "Monitoraggio");
  forms::TableInstance& table = instance.tables["indicatori"];
  table.found = true;
  table.sheet = "Monitoraggio";
  return instance;
}

// An indicator at sheet row r (1-based) with the given type, unit and achieved value (70 expected).
void add_indicator(forms::FormInstance& instance, int r, const std::string& kind, const std::string& unit, const std::string& achieved) {
  const std::string n = std::to_string(r);
  forms::TableRow row;
  row.row = static_cast<std::uint32_t>(r - 1);
  row.key = written("A" + n, "Ridurre i tempi di attesa");
  row.cells = {written("B" + n, "D. Domiciliarità"), written("C" + n, kind), written("D" + n, "Utenti raggiunti"),
               written("E" + n, unit), number("F" + n, "70"), number("G" + n, achieved), forms::CellValue{}};
  instance.tables["indicatori"].rows.push_back(row);
}

}  // namespace

// Units and indicator types typed instead of chosen: the template's own wording and the obvious
// synonyms count as their item, without a warning; anything else is refused with the item it most
// likely means.
TEST(FormEngine, ListSynonymsCountAsTheirItemAndOtherTextsGetASuggestion) {
  const forms::FormSpec& form = plugin("monitoraggio-obiettivi");
  forms::FormInstance instance = melzo_monitoring();
  add_indicator(instance, 8, "OUTCOME/IMPATTO", "percentuale", "0.7");  // the instructions' wording; 0,7 where 70 was meant
  add_indicator(instance, 9, "Output", "numeri", "60");
  add_indicator(instance, 10, "Output", "%", "0");  // nothing achieved: 0% is no fraction typed for a percentage
  const forms::TypedForm typed = forms::type_form(instance, form, registry::Registry::builtin());
  const forms::TypedRow& first = typed.table("indicatori")->rows[0];
  ASSERT_NE(first.cells[2].item(), nullptr);
  EXPECT_EQ(first.cells[2].item()->code, "OUTCOME");
  ASSERT_NE(first.cells[4].item(), nullptr);
  EXPECT_EQ(first.cells[4].item()->label, "%");
  const forms::Report report = forms::validate(typed);
  // Synonyms are accepted as they are: no warning for following the template's own instructions.
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"MON-R09@G8", "MON-INDICATORI-UNITA-LISTA@E9"}));
  EXPECT_EQ(report.issues[1].message.it,
            "«Obiettivi e indicatori › Unità di misura»: «numeri» non è tra le voci ammesse: forse «n.»? Sceglierla dall'elenco a discesa");
  EXPECT_EQ(report.issues[1].message.en,
            "«Obiettivi e indicatori › Unità di misura»: «numeri» is not one of the allowed entries: perhaps «n.»? Pick it from the drop-down list");
}

namespace {

// A rendiconto with the FNA fund received on ENTRATE row 10 and the given SPESE rows (key, fund,
// amount, whole euros) from row 40; totals as the rows add up.
forms::FormInstance rendiconto_with(const std::string& received, const std::vector<std::array<std::string, 3>>& spese_rows) {
  forms::FormInstance instance;
  set_field(instance, "ambito", written("B2", "Ambito 5 Melzo"), "Rendiconto");
  set_field(instance, "ente_capofila", written("B3", "Comune di Melzo"), "Rendiconto");
  set_field(instance, "ats", written("B4", "MI. ATS della Città Metropolitana di Milano"), "Rendiconto");
  set_field(instance, "anno", number("B5", "2024"), "Rendiconto");
  set_field(instance, "referente", written("B6", "Ufficio di Piano"), "Rendiconto");
  forms::TableInstance& entrate = instance.tables["entrate"];
  entrate.found = true;
  entrate.sheet = "Rendiconto";
  entrate.rows.push_back(forms::TableRow{9, false, written("A10", "Fondo Non Autosufficienza (FNA, Misura B2)"), {number("B10", received)}});
  entrate.total = forms::TableRow{30, false, written("A31", "TOTALE ENTRATE"), {number("B31", received)}};
  forms::TableInstance& spese = instance.tables["spese"];
  spese.found = true;
  spese.sheet = "Rendiconto";
  std::uint32_t row = 39;
  long long spent = 0;
  for (const auto& [key, fund, amount] : spese_rows) {
    spent += std::stoll(amount);
    const std::string n = std::to_string(row + 1);
    forms::CellValue no_fund;
    no_fund.ref = xlsx::parse_a1("B" + n).value();
    spese.rows.push_back(forms::TableRow{row++, false, written("A" + n, key), {fund.empty() ? no_fund : written("B" + n, fund), number("C" + n, amount)}});
  }
  spese.total = forms::TableRow{80, false, written("A81", "TOTALE SPESE"), {forms::CellValue{}, number("C81", std::to_string(spent))}};
  return instance;
}

}  // namespace

// rendiconto-ambito: a SPESE row whose fund is not an item of the list passes nothing on, so the
// fund it meant is unbalanced; that imbalance names the row and the cell as its cause.
TEST(FormEngine, AKnockOnImbalanceNamesTheRowItComesFrom) {
  const forms::FormSpec& form = plugin("rendiconto-ambito");
  const forms::FormInstance instance = rendiconto_with("1000", {{"Contributi Misura B2", "Fondo non autosuff. B2", "1000"}});
  const forms::Report report = forms::validate(instance, form, registry::Registry::builtin());
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"REND-R05@B10", "REND-SPESE-FONDO-LISTA@B40"}));
  ASSERT_EQ(report.issues.size(), 2u);
  EXPECT_EQ(report.issues[0].message.it,
            "Fondo vincolato «Fondo Non Autosufficienza (FNA, Misura B2)»: entrate 1.000,00, spese indicate con questo fondo 0,00; "
            "devono coincidere: la differenza c'è perché la riga 40 è stata scartata (fondo «Fondo non autosuff. B2» non riconosciuto): vedi B40");
  EXPECT_NE(report.issues[1].message.it.find("forse «FNA. Fondo Non Autosufficienza (FNA, Misura B2)»?"), std::string::npos)
      << report.issues[1].message.it;
}


// REND-R05: the ENTRATE row is what the fund paid in; the figure to correct is the SPESE row that
// passes it on, so the problem is marked there and names the income it must match.
TEST(FormEngine, AnUnbalancedEarmarkedFundIsMarkedAtItsTransferRow) {
  const forms::FormInstance instance = rendiconto_with("1000", {{"Trasferimenti FNA", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "900"},
                                                                {"Spese generali", "", "60"},
                                                                {"Cancelleria", "", "40"}});
  const forms::Report report = forms::validate(instance, plugin("rendiconto-ambito"), registry::Registry::builtin());
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"REND-R05@C40"}));
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_NE(report.issues[0].message.it.find("entrate 1.000,00"), std::string::npos) << report.issues[0].message.it;
  EXPECT_NE(report.issues[0].message.it.find("900,00"), std::string::npos) << report.issues[0].message.it;
  EXPECT_NE(report.issues[0].message.en.find("income 1.000,00"), std::string::npos) << report.issues[0].message.en;
}

// REND-R05 when the totals still balance: money moved from the transfer to a row without a fund.
// When exactly one such row is worth what the fund lacks, it is marked at its (empty) fund cell:
// choosing the fund there is the one correction that mends both, and the message says so.
TEST(FormEngine, MoneyMovedFromATransferIsMarkedAtTheRowWorthTheDifference) {
  const forms::FormInstance instance = rendiconto_with("1000", {{"Trasferimenti FNA", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "900"},
                                                                {"Spese generali", "", "100"}});
  const forms::Report report = forms::validate(instance, plugin("rendiconto-ambito"), registry::Registry::builtin());
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"REND-R05@B41"}));
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_EQ(report.issues[0].message.it,
            "Fondo vincolato «Fondo Non Autosufficienza (FNA, Misura B2)»: entrate 1.000,00, spese indicate con questo fondo 900,00; "
            "devono coincidere: la riga 41 («Spese generali», 100,00) non indica un fondo e vale esattamente la differenza: se fa parte "
            "del trasferimento, scegliere «FNA. Fondo Non Autosufficienza (FNA, Misura B2)» in B41; altrimenti correggere le spese del "
            "fondo (le entrate sono in B10)");
  EXPECT_NE(report.issues[0].message.en.find("choose «FNA. Fondo Non Autosufficienza (FNA, Misura B2)» in B41"), std::string::npos)
      << report.issues[0].message.en;
}

// Two rows worth the difference: which one is part of the transfer cannot be told, so neither is
// named and the transfer row is marked as before.
TEST(FormEngine, TwoRowsWorthTheDifferenceNameNeither) {
  const forms::FormInstance instance = rendiconto_with("1000", {{"Trasferimenti FNA", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "900"},
                                                                {"Spese generali", "", "100"},
                                                                {"Cancelleria", "", "100"}});
  const forms::Report report = forms::validate(instance, plugin("rendiconto-ambito"), registry::Registry::builtin());
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"REND-R05@C40", "REND-R04@C81"}));
}

// REND-R04: which row is wrong cannot be told from the totals; the problem is marked at the SPESE
// total, whose rows a clerk checks against the income received, and names both totals and the gap.
TEST(FormEngine, IncomeAndExpenditureApartIsMarkedAtTheExpenditureTotal) {
  const forms::FormInstance instance = rendiconto_with(
      "1000", {{"Trasferimenti FNA", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "1000"}, {"Servizi sociali", "", "150"}});
  const forms::Report report = forms::validate(instance, plugin("rendiconto-ambito"), registry::Registry::builtin());
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"REND-R04@C81"}));
  ASSERT_EQ(report.issues.size(), 1u);
  for (const std::string figure : {"1.150,00", "1.000,00", "150,00"}) {
    EXPECT_NE(report.issues[0].message.it.find(figure), std::string::npos) << report.issues[0].message.it;
  }
  EXPECT_NE(report.issues[0].message.en.find("expenditure 1.150,00"), std::string::npos) << report.issues[0].message.en;
}

// REND-R04 when every earmarked fund balances: the difference cannot lie in a fund's income or its
// transfers, only in the other rows; the problem lists those cells (the annotated copy highlights
// them), so that correcting the marked cells can mend it. The FNA rows (in pari) are not listed.
TEST(FormEngine, AnImbalanceListsTheCellsWhereTheDifferenceCanLie) {
  forms::FormInstance instance = rendiconto_with("1000", {{"Trasferimenti FNA", "FNA. Fondo Non Autosufficienza (FNA, Misura B2)", "1000"},
                                                         {"Servizi sociali", "", "200"},
                                                         {"Trasporti", "", "140"}});
  instance.tables["entrate"].rows.push_back(forms::TableRow{10, false, written("A11", "Fondo Nazionale Politiche Sociali (FNPS)"), {number("B11", "300")}});
  instance.tables["entrate"].total->cells = {number("B31", "1300")};
  const forms::Report report = forms::validate(instance, plugin("rendiconto-ambito"), registry::Registry::builtin());
  EXPECT_EQ(issue_codes(report), (std::vector<std::string>{"REND-R04@C81"}));
  ASSERT_EQ(report.issues.size(), 1u);
  std::vector<std::string> cells;
  for (const forms::CellPlace& place : report.issues[0].to_check) cells.push_back(place.sheet + "!" + place.cell);
  EXPECT_EQ(cells, (std::vector<std::string>{"Rendiconto!C41", "Rendiconto!C42", "Rendiconto!B11"}));
  EXPECT_NE(report.issues[0].message.it.find("i fondi vincolati sono in pari, quindi la differenza è in una delle 3 celle evidenziate (C41:C42, B11)"),
            std::string::npos)
      << report.issues[0].message.it;
  EXPECT_NE(report.issues[0].message.en.find("one of the 3 highlighted cells (C41:C42, B11)"), std::string::npos) << report.issues[0].message.en;
}

// A file full of texts that are no item of a list gets a suggestion for the first ones only: the
// search for the nearest item costs work per cell, and a table can have thousands of rows.
TEST(FormEngine, SuggestionsForTextsOutsideAListAreBoundedPerFile) {
  const forms::FormSpec& form = plugin("monitoraggio-obiettivi");
  forms::FormInstance instance = melzo_monitoring();
  const int rows = static_cast<int>(forms::kMaxListSuggestions) + 10;
  for (int r = 8; r < 8 + rows; ++r) add_indicator(instance, r, "Output", "numeri", "60");
  const forms::TypedForm typed = forms::type_form(instance, form, registry::Registry::builtin());
  std::size_t suggested = 0, plain = 0;
  for (const forms::Issue& issue : typed.problems()) {
    if (issue.code != "MON-INDICATORI-UNITA-LISTA") continue;
    ++(issue.message.it.find("forse «n.»?") != std::string::npos ? suggested : plain);
  }
  EXPECT_EQ(suggested, forms::kMaxListSuggestions);
  EXPECT_EQ(plain, 10u);
}
