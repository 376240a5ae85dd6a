// The typed form stage and the rule table: cells typed once into one kind of value each, the
// kinds form.json can name, and breakdowns_agree (every amount counted once in each breakdown).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "consolida/forms.hpp"
#include "consolida/rules.hpp"
#include "consolida/typed_form.hpp"
#include "forms/breakdowns.hpp"
#include "support/issue_codes.hpp"
#include "support/zip_builder.hpp"

using namespace consolida;
using consolida::testing::issue_codes;
using consolida::testing::minimal_xlsx;
using consolida::testing::temp_path;
namespace fs = std::filesystem;

namespace {

// A comune's spending: areas by row (fixed), funding sources by column, broken down both ways.
forms::FormSpec spending_form(const std::string& rules) {
  const fs::path dir = temp_path("plugin-ripartizioni");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "ripartizioni", "version": "1", "code_prefix": "RIP", "title": "Ripartizioni di prova",
    "fields": [{"id": "comune", "label": "Codice ISTAT", "cell": "B1"},
               {"id": "stato", "label": "Stato", "type": "decimal", "cell": "B2", "statuses": ["In definizione"]}],
    "tables": [
      {"id": "spesa", "label": "Spesa", "key": {"id": "area", "label": "Area"},
       "columns": [{"id": "fnps", "label": "FNPS", "type": "amount"}, {"id": "propri", "label": "Fondi propri", "type": "amount"},
                   {"id": "totale", "label": "Totale", "type": "amount"}],
       "fixed_rows": ["Anziani", "Disabili"], "blank_rows": 2}
    ],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Spesa", "items": ["comune", "stato", "spesa"]}]}],
    "consolidation": {"ente": "comune", "identity_field": "comune", "breakdowns": [
      {"id": "area", "title": "per area", "table": "spesa", "rows_of_column": "totale"},
      {"id": "fonte", "title": "per fonte", "table": "spesa", "column_sums": ["fnps", "propri"]}]},
    "rules": [)" + rules + R"(]
  })";
  return forms::load_form(dir.string());
}

const char* const kAgreeRule =
    R"({"code": "RIP-R1", "kind": "breakdowns_agree", "table": "spesa",
        "message": {"it": "«{row}»: {found} {breakdown}, {expected} {other}; aree: {candidates}", "en": "«{row}»: {found} {breakdown}, {expected} {other}"}})";

std::string text_cell(const std::string& ref, const std::string& text) {
  return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
}

std::string number_cell(const std::string& ref, const std::string& number) { return "<c r=\"" + ref + "\"><v>" + number + "</v></c>"; }

std::string spending_row(int r, const std::string& area, const std::string& fnps, const std::string& own, const std::string& total) {
  const std::string n = std::to_string(r);
  return "<row r=\"" + n + "\">" + text_cell("A" + n, area) + number_cell("B" + n, fnps) + number_cell("C" + n, own) +
         number_cell("D" + n, total) + "</row>";
}

// A workbook typed by hand: no defined names, the table found by its label in column A.
forms::TypedForm read_spending(const forms::FormSpec& form, const std::string& extra_rows, const std::string& state = "12,5") {
  const std::string rows = "<row r=\"1\">" + text_cell("A1", "Codice ISTAT") + text_cell("B1", "098031") + "</row>" +
                           "<row r=\"2\">" + text_cell("A2", "Stato") + text_cell("B2", state) + "</row>" +
                           "<row r=\"4\">" + text_cell("A4", "Spesa") + "</row>" + "<row r=\"5\">" + text_cell("A5", "Area") +
                           text_cell("B5", "FNPS") + text_cell("C5", "Fondi propri") + text_cell("D5", "Totale") + "</row>" +
                           spending_row(6, "Anziani", "100", "50", "150") + spending_row(7, "Disabili", "10", "0", "10") + extra_rows;
  const std::string path = minimal_xlsx(rows).write(temp_path("ripartizioni.xlsx"));
  auto workbook = xlsx::Workbook::open(path);
  return forms::type_form(forms::extract(workbook, form), form, registry::Registry::builtin());
}


}  // namespace

TEST(TypedForm, EachCellIsTypedOnceIntoOneKindOfValue) {
  const forms::FormSpec form = spending_form("");
  const forms::TypedForm typed = read_spending(form, spending_row(8, "Famiglie", "abc", "0", "0"));
  const forms::TypedTable* table = typed.table("spesa");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rows.size(), 3u);  // two fixed rows and the free row written
  EXPECT_EQ(std::get<forms::typed::Amount>(table->rows[0].cells[1].value).cents, 10000);
  EXPECT_EQ(table->rows[0].cells[3].number(), 15000);
  // "abc" in an amount column: not a value, reported once, where it is.
  ASSERT_TRUE(std::holds_alternative<forms::typed::Invalid>(table->rows[2].cells[1].value));
  ASSERT_EQ(typed.problems().size(), 1u);
  EXPECT_EQ(typed.problems()[0].code, "RIP-SPESA-FNPS-FORMATO");
  EXPECT_EQ(typed.problems()[0].cell, "B8");
  const forms::TypedField* state = typed.field("stato");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(std::get<forms::typed::Decimal>(state->value.value).hundredths, 1250);
  EXPECT_EQ(forms::shown(state->value, *state->spec), "12,50");
  EXPECT_EQ(typed.field("nessuno"), nullptr);
  // Nothing written: blank, which is neither a value nor an error.
  const forms::TypedForm empty_state = read_spending(form, "", " ");
  EXPECT_TRUE(empty_state.field("stato")->value.blank());
  EXPECT_FALSE(empty_state.field("stato")->value.ok());
}

TEST(TypedForm, ADeclaredStateIsNeitherANumberNorAnError) {
  const forms::FormSpec form = spending_form("");
  const forms::TypedForm typed = read_spending(form, "", "in definizione");
  const forms::TypedCell& state = typed.field("stato")->value;
  EXPECT_TRUE(state.status());
  EXPECT_FALSE(state.ok());
  EXPECT_EQ(state.number(), std::nullopt);
  EXPECT_EQ(forms::shown(state, *typed.field("stato")->spec), "In definizione");  // the description's spelling
  EXPECT_TRUE(typed.problems().empty());
}

// Calc stores "70%" typed in a percent-formatted cell as 0,7: the clerk sees 70, and so must we.
TEST(TypedForm, ANumberInAPercentFormattedCellIsReadAsThePercentageShown) {
  const forms::FormSpec form = spending_form("");
  auto typed_state = [&](const std::string& lexical, const std::string& format) {
    forms::FormInstance instance;
    forms::FieldInstance& state = instance.fields["stato"];
    state.found = true;
    state.sheet = "Foglio1";
    state.cell.present = state.cell.numeric = true;
    state.cell.lexical = state.cell.text = lexical;
    state.cell.number = std::stod(lexical);
    state.cell.number_format = format;
    const forms::TypedForm typed = forms::type_form(std::move(instance), form, registry::Registry::builtin());
    return typed.field("stato")->value.number();
  };
  EXPECT_EQ(typed_state("0.7", "0%"), 7000);        // 70,00
  EXPECT_EQ(typed_state("1.2", "0.00%"), 12000);    // 120,00: above a 0-100 range, as the clerk typed it
  EXPECT_EQ(typed_state("0.7", "General"), 70);     // 0,70 where no % is shown
}

// A wrong number where the unit is not a percentage is not "a valid percentage"; the states the
// field accepts instead of a number are listed.
TEST(TypedForm, AWrongNumberIsCalledANumberAndTheStatesAllowedAreListed) {
  const forms::FormSpec form = spending_form("");
  const forms::TypedForm typed = read_spending(form, "", "circa sei");
  ASSERT_EQ(typed.problems().size(), 1u);
  EXPECT_EQ(typed.problems()[0].message.it,
            "«Stato»: «circa sei» non è un numero valido (es. 600 oppure 12,5), né uno degli stati ammessi («In definizione»)");
}

// "8/10" typed in a number cell becomes a date in Calc: say so, with the date the clerk sees.
TEST(TypedForm, ADateWhereANumberBelongsIsNamedAsADate) {
  const forms::FormSpec form = spending_form("");
  forms::FormInstance instance;
  forms::FieldInstance& state = instance.fields["stato"];
  state.found = true;
  state.sheet = "Foglio1";
  state.cell.present = state.cell.numeric = state.cell.is_date = true;
  state.cell.number = 46303;
  state.cell.lexical = state.cell.text = "46303";
  const forms::TypedForm typed = forms::type_form(std::move(instance), form, registry::Registry::builtin());
  ASSERT_EQ(typed.problems().size(), 1u);
  EXPECT_NE(typed.problems()[0].message.it.find("la cella contiene la data 08/10/2026, non un numero"), std::string::npos)
      << typed.problems()[0].message.it;
  EXPECT_FALSE(typed.field("stato")->value.ok());
}

// The form's sheet is there but holds none of its items: each item is named as not found (an
// optional field only as a warning), rather than "sheet «Foglio1» is missing (sheets: «Foglio1»)".
TEST(TypedForm, ASheetThatIsThereIsNotCalledMissing) {
  const fs::path dir = temp_path("plugin-foglio");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "foglio", "version": "1", "code_prefix": "FOG", "title": "Foglio di prova",
    "fields": [{"id": "titolo", "label": "Titolo del progetto", "required": true},
               {"id": "email", "label": "E-mail di contatto"}],
    "tables": [{"id": "spesa", "label": "Spesa", "key": {"id": "voce", "label": "Voce"},
                "columns": [{"id": "importo", "label": "Importo", "type": "amount"}], "blank_rows": 3}],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Progetto", "items": ["titolo", "email", "spesa"]}]}]
  })";
  const forms::FormSpec form = forms::load_form(dir.string());
  const std::string path = minimal_xlsx("<row r=\"1\">" + text_cell("A1", "Altro") + "</row>").write(temp_path("foglio-vuoto.xlsx"));
  auto workbook = xlsx::Workbook::open(path);
  const forms::Report report = forms::validate(forms::type_form(forms::extract(workbook, form), form, registry::Registry::builtin()));
  ASSERT_EQ(issue_codes(report), (std::vector<std::string>{"FOG-TITOLO-ASSENTE@", "FOG-EMAIL-ASSENTE@", "FOG-SPESA-ASSENTE@"}));
  EXPECT_EQ(report.issues[0].severity, forms::Severity::error);
  EXPECT_EQ(report.issues[1].severity, forms::Severity::warning);  // optional: nothing required is lost
  EXPECT_EQ(report.issues[2].severity, forms::Severity::error);
}

// A year typed wrong is told with a year's example, not a count's thousands ("es. 1.250").
TEST(TypedForm, AWrongYearIsToldWithAYearsExample) {
  const fs::path dir = temp_path("plugin-anno");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "anno", "version": "1", "code_prefix": "ANN", "title": "Anno di prova",
    "fields": [{"id": "anno", "label": "Anno di riferimento", "type": "integer", "min": 2018, "max": 2030, "cell": "B1"},
               {"id": "utenti", "label": "Utenti serviti", "type": "integer", "cell": "B2"}],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Dati", "items": ["anno", "utenti"]}]}]
  })";
  const forms::FormSpec form = forms::load_form(dir.string());
  const std::string path = minimal_xlsx("<row r=\"1\">" + text_cell("A1", "Anno di riferimento") + text_cell("B1", "anno 2O24") + "</row>" +
                                        "<row r=\"2\">" + text_cell("A2", "Utenti serviti") + text_cell("B2", "circa 40") + "</row>")
                               .write(temp_path("anno-sbagliato.xlsx"));
  auto workbook = xlsx::Workbook::open(path);
  const forms::TypedForm typed = forms::type_form(forms::extract(workbook, form), form, registry::Registry::builtin());
  ASSERT_EQ(typed.problems().size(), 2u);
  EXPECT_EQ(typed.problems()[0].message.it, "«Anno di riferimento»: «anno 2O24» non è un anno valido (es. 2024)");
  EXPECT_EQ(typed.problems()[0].message.en, "«Anno di riferimento»: «anno 2O24» is not a valid year (e.g. 2024)");
  EXPECT_EQ(typed.problems()[1].message.it, "«Utenti serviti»: «circa 40» non è un numero intero valido (es. 1.250)");
}

TEST(Rules, EveryKindOfTheTableIsKnownAndUnknownKindsAreRefusedWithTheirPlace) {
  const auto kinds = forms::rule_kinds();
  EXPECT_TRUE(std::is_sorted(kinds.begin(), kinds.end()));
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "breakdowns_agree"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "pass_through"), kinds.end());
  try {
    spending_form(R"({"code": "RIP-X", "kind": "somma_magica", "table": "spesa", "message": "x"})");
    FAIL() << "an unknown kind was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_plugin);
    EXPECT_NE(e.message(Lang::it).find("rules.RIP-X"), std::string::npos) << e.message(Lang::it);
    EXPECT_NE(e.message(Lang::it).find("somma_magica"), std::string::npos) << e.message(Lang::it);
  }
  try {
    spending_form(R"({"code": "RIP-Y", "kind": "row_sum", "table": "spesa", "column": "totale", "columns": ["fnps", "regione"],
                      "message": "x"})");
    FAIL() << "a rule naming an unknown column was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message(Lang::it).find("colonna \"regione\" inesistente in spesa"), std::string::npos) << e.message(Lang::it);
  }
}

TEST(Rules, EveryEntryIsCheckedWhereItIsWrongWhateverItsKind) {
  try {
    spending_form(R"({"code": "RIP-S", "kind": "min_rows", "table": "spesa", "severity": "grave", "message": "x"})");
    FAIL() << "an unknown severity was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message(Lang::it).find("rules[0].severity: usare \"errore\" o \"avviso\""), std::string::npos) << e.message(Lang::it);
  }
  // "min" means nothing to column_total, but a text there is still a mistake in the description.
  try {
    spending_form(R"({"code": "RIP-T", "kind": "column_total", "table": "spesa", "min": "uno", "message": "x"})");
    FAIL() << "a text for an integer key was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message(Lang::it).find("rules[0].min"), std::string::npos) << e.message(Lang::it);
  }
}

TEST(Rules, BreakdownsAgreePointsAtTheRowCountedInOneBreakdownOnly) {
  const forms::FormSpec form = spending_form(kAgreeRule);
  // Every amount on a fixed row: by area 160,00 = by source 160,00.
  EXPECT_TRUE(forms::validate(read_spending(form, "")).issues.empty());
  // A row inserted with a label that names no area: its 200,00 would count by source, in no area.
  const forms::Report none = forms::validate(read_spending(form, spending_row(8, "Integrazione rette RSA", "0", "200", "200")));
  ASSERT_EQ(issue_codes(none), std::vector<std::string>{"RIP-R1@A8"});
  EXPECT_EQ(none.issues[0].severity, forms::Severity::error);
  EXPECT_EQ(none.issues[0].message.it, "«Integrazione rette RSA»: 160,00 per area, 360,00 per fonte; aree: «Anziani», «Disabili»");
  // A label that could be either area, and a row with amounts and no label at all: errors too.
  const forms::Report both = forms::validate(read_spending(form, spending_row(8, "Anziani e disabili", "0", "200", "200")));
  ASSERT_EQ(issue_codes(both), std::vector<std::string>{"RIP-R1@A8"});
  EXPECT_NE(both.issues[0].message.it.find("«Anziani», «Disabili»"), std::string::npos);
  const forms::Report blank = forms::validate(read_spending(form, spending_row(8, " ", "0", "200", "200")));
  ASSERT_EQ(issue_codes(blank), std::vector<std::string>{"RIP-R1@A8"});
  EXPECT_NE(blank.issues[0].message.it.find("riga 8 (n. 3)"), std::string::npos) << blank.issues[0].message.it;
  // A label that plainly names one area counts there, and the clerk is asked to confirm.
  const forms::TypedForm guessed = read_spending(form, spending_row(8, "Anziani - integrazione rette RSA", "0", "200", "200"));
  const forms::Report report = forms::validate(guessed);
  ASSERT_EQ(issue_codes(report), std::vector<std::string>{"RIP-R1@A8"});
  EXPECT_EQ(report.issues[0].severity, forms::Severity::warning);
  EXPECT_EQ(report.issues[0].message.it,
            "«Anziani - integrazione rette RSA» non è una voce di «per area»: è contata in «Anziani»; se non è così, scrivere la voce giusta");
  EXPECT_EQ(forms::breakdown_amounts(guessed, form.consolidation.breakdowns[0]), (std::vector<std::int64_t>{35000, 1000}));
  // The same figures in the form's fixed rows agree.
  EXPECT_TRUE(forms::validate(read_spending(form, spending_row(8, "Disabili", "0", "0", "0"))).issues.empty());
  // An unreadable amount is reported once, where it is, not again as a disagreement.
  const std::string broken =
      "<row r=\"8\">" + text_cell("A8", "Disabili") + text_cell("B8", "dieci") + number_cell("C8", "0") + number_cell("D8", "10") + "</row>";
  EXPECT_EQ(issue_codes(forms::validate(read_spending(form, broken))), std::vector<std::string>{"RIP-SPESA-FNPS-FORMATO@B8"});
}

TEST(Rules, BreakdownsAgreeNeedsTwoBreakdownsOfTheTable) {
  const fs::path dir = temp_path("plugin-una-ripartizione");
  fs::create_directories(dir);
  std::ofstream(dir / "form.json") << R"({
    "schema": 1, "id": "una", "version": "1", "title": "Una",
    "fields": [{"id": "comune", "label": "Codice ISTAT", "cell": "B1"}],
    "tables": [{"id": "spesa", "label": "Spesa", "key": {"id": "area", "label": "Area"},
                "columns": [{"id": "totale", "label": "Totale", "type": "amount"}], "blank_rows": 2}],
    "sheets": [{"name": "Foglio1", "sections": [{"title": "Spesa", "items": ["comune", "spesa"]}]}],
    "consolidation": {"ente": "comune", "identity_field": "comune",
                      "breakdowns": [{"id": "fonte", "title": "per fonte", "table": "spesa", "column_sums": ["totale"]}]},
    "rules": [{"code": "UNA-R1", "kind": "breakdowns_agree", "table": "spesa", "message": "x"}]
  })";
  EXPECT_THROW(forms::load_form(dir.string()), Error);
}

// Below its title, a table whose header row has one header edited ("FNPS 2024") is that table:
// a copy of last year's table pasted further down, with every header right, is not read instead.
TEST(TypedForm, ATableIsReadBelowItsTitleNotFromACopyPastedFurtherDown) {
  const forms::FormSpec form = spending_form("");
  const std::string rows = "<row r=\"1\">" + text_cell("A1", "Codice ISTAT") + text_cell("B1", "098031") + "</row>" +
                           "<row r=\"4\">" + text_cell("A4", "Spesa") + "</row>" + "<row r=\"5\">" + text_cell("A5", "Area") +
                           text_cell("B5", "FNPS 2024") + text_cell("C5", "Fondi propri") + text_cell("D5", "Totale") + "</row>" +
                           spending_row(6, "Anziani", "100", "50", "150") + spending_row(7, "Disabili", "10", "0", "10") +
                           "<row r=\"20\">" + text_cell("A20", "Area") + text_cell("B20", "FNPS") + text_cell("C20", "Fondi propri") +
                           text_cell("D20", "Totale") + "</row>" + spending_row(21, "Anziani", "900", "900", "1800");
  const std::string path = minimal_xlsx(rows).write(temp_path("tabella-incollata-sotto.xlsx"));
  auto workbook = xlsx::Workbook::open(path);
  const forms::FormInstance instance = forms::extract(workbook, form);
  const forms::TableInstance& table = instance.tables.at("spesa");
  ASSERT_TRUE(table.found);
  EXPECT_EQ(table.header_row, 4u);  // row 5
  ASSERT_FALSE(table.rows.empty());
  EXPECT_EQ(table.rows[0].row, 5u);  // row 6: Anziani 100 + 50
}
