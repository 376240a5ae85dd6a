// The premialità form end to end: the samples in sample-workbooks/premialita were filled with
// openpyxl (make_premialita_samples.py); expected.json lists, per file, the rule codes and cells
// the form's rules must report. Every explicit rule must fail somewhere and pass on the clean copy.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <random>

#include "consolida/forms.hpp"
#include "consolida/rules.hpp"
#include "consolida/typed_form.hpp"
#include "consolida/write.hpp"
#include "support/bundled_forms.hpp"
#include "support/zip_builder.hpp"
#include "xlsx/zip_archive.hpp"

namespace fs = std::filesystem;
using namespace consolida;
using consolida::testing::temp_path;

namespace {

const fs::path kSamples = fs::path(CONSOLIDA_SOURCE_DIR) / "sample-workbooks" / "premialita";

const std::vector<forms::FormSpec>& all_forms() { return consolida::testing::bundled_forms(); }

const forms::FormSpec& premialita() { return consolida::testing::bundled_form("premialita"); }

Poco::JSON::Object::Ptr expectations() {
  std::ifstream in(kSamples / "expected.json");
  Poco::JSON::Parser parser;
  return parser.parse(in).extract<Poco::JSON::Object::Ptr>();
}

std::set<std::pair<std::string, std::string>> codes_and_cells(const forms::Report& report) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& issue : report.issues) out.insert({issue.code, issue.cell});
  return out;
}

}  // namespace

TEST(Premialita, EverySampleReportsExactlyTheExpectedProblems) {
  const auto expected = expectations();
  ASSERT_GE(expected->size(), 20u);
  for (const auto& [file, value] : *expected) {
    SCOPED_TRACE(file);
    const forms::Report report = forms::validate_file((kSamples / file).string(), all_forms(), registry::Registry::builtin());
    const auto found = codes_and_cells(report);
    const auto wanted = value.extract<Poco::JSON::Array::Ptr>();
    std::set<std::string> wanted_codes;
    for (std::size_t i = 0; i < wanted->size(); ++i) {
      const auto item = wanted->getObject(static_cast<unsigned>(i));
      const std::string code = item->getValue<std::string>("code");
      wanted_codes.insert(code);
      const bool any_cell = item->isNull("cell");
      const bool present = std::any_of(found.begin(), found.end(), [&](const auto& f) {
        return f.first == code && (any_cell || f.second == item->getValue<std::string>("cell"));
      });
      EXPECT_TRUE(present) << "missing " << code << (any_cell ? "" : " at " + item->getValue<std::string>("cell"));
    }
    for (const auto& [code, cell] : found) {
      EXPECT_TRUE(wanted_codes.count(code)) << "unexpected " << code << " at " << cell;
    }
    // Samples are named for their outcome: "avviso-*" and "valido-*" pass with warnings at most.
    const bool should_pass = wanted_codes.empty() || file.starts_with("avviso-") || file.starts_with("valido-");
    EXPECT_EQ(report.valid(), should_pass);
  }
}

TEST(Premialita, EveryExplicitRuleHasAFailingSampleAndPassesOnTheCleanProject) {
  const auto expected = expectations();
  std::set<std::string> exercised;
  for (const auto& [file, value] : *expected) {
    const auto wanted = value.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < wanted->size(); ++i) exercised.insert(wanted->getObject(static_cast<unsigned>(i))->getValue<std::string>("code"));
  }
  for (const auto& rule : premialita().rules) EXPECT_TRUE(exercised.count(std::string(rule->code()))) << rule->code() << " has no failing sample";
  const forms::Report clean = forms::validate_file((kSamples / "lodi-dimissioni-protette.xlsx").string(), all_forms(), registry::Registry::builtin());
  EXPECT_TRUE(clean.issues.empty()) << clean.issues.size() << " issues, first: " << (clean.issues.empty() ? "" : clean.issues[0].code);
}

TEST(Premialita, SeedBudgetFiguresAreReadToTheCent) {
  forms::TypedForm read;
  forms::validate_file((kSamples / "lodi-dimissioni-protette-come-nel-seed.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  const auto& rows = read.instance().tables.at("risorse_economiche").rows;
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[1].cells[0].text, "€ 44.606,88");
  EXPECT_EQ(*values::parse_amount_text(rows[1].cells[0].text).value,
            *values::parse_amount_text(rows[1].cells[1].text).value + *values::parse_amount_text(rows[1].cells[3].text).value +
                *values::parse_amount_text(rows[1].cells[5].text).value + *values::parse_amount_text(rows[1].cells[7].text).value);
}

TEST(Premialita, MessagesNameTheCellInBothLanguages) {
  const forms::Report report = forms::validate_file((kSamples / "errore-bilancio-non-quadra.xlsx").string(), all_forms(), registry::Registry::builtin());
  const auto it = std::find_if(report.issues.begin(), report.issues.end(), [](const auto& i) { return i.code == "PREM-R14"; });
  ASSERT_NE(it, report.issues.end());
  EXPECT_EQ(it->sheet, "Scheda progetto");
  EXPECT_NE(it->message.it.find("44.000,00"), std::string::npos) << it->message.it;
  EXPECT_NE(it->message.it.find("44.606,88"), std::string::npos) << it->message.it;
  EXPECT_NE(it->message.en.find("differs from the sum"), std::string::npos) << it->message.en;
}

TEST(Premialita, AnnotatedCopyKeepsTheValuesAndTheProblems) {
  const std::string source = (kSamples / "errore-bilancio-non-quadra.xlsx").string();
  forms::TypedForm read;
  const forms::Report report = forms::validate_file(source, all_forms(), registry::Registry::builtin(), "", &read);
  const std::string annotated = temp_path("annotato.xlsx");
  write::write_annotated(read, report, annotated);
  // Validating the annotated copy finds the same problems: nothing was lost or altered. Only the
  // TOT's (PREM-R15) is gone: the copy's TOT is the template's formula again, which sums the rows.
  std::multiset<std::string> before, after;
  for (const auto& i : report.issues) {
    if (i.code != "PREM-R15") before.insert(i.code);
  }
  for (const auto& i : forms::validate_file(annotated, all_forms(), registry::Registry::builtin()).issues) after.insert(i.code);
  EXPECT_EQ(before, after);
  auto workbook = xlsx::Workbook::open(annotated);
  const auto* problems = workbook.find_sheet("Problemi");
  ASSERT_NE(problems, nullptr);
  const auto sheet = workbook.load_sheet(*problems);
  ASSERT_NE(sheet.cell("E2"), nullptr);
  EXPECT_EQ(sheet.cell("E2")->text.substr(0, 5), "PREM-");
}

TEST(Premialita, AnnotatedCopyKeepsMarksOfRetypedOptions) {
  forms::TypedForm read;
  forms::validate_file((kSamples / "lodi-dimissioni-protette.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  forms::FormInstance instance = read.instance();
  for (auto& option : instance.fields.at("punti_chiave").options) {
    if (!option.cells[0].blank()) option.key.text = "  " + option.key.text.substr(0, 4) + " flessibilita'";  // "D1. Flessibilità" re-typed
    if (!option.cells[0].blank()) break;
  }
  const forms::TypedForm retyped = forms::type_form(instance, premialita(), registry::Registry::builtin());
  const forms::Report report = forms::validate(retyped);
  const std::string annotated = temp_path("annotato-ritipato.xlsx");
  write::write_annotated(retyped, report, annotated);
  forms::TypedForm copy;
  forms::validate_file(annotated, all_forms(), registry::Registry::builtin(), "", &copy);
  std::size_t marked = 0;
  for (const auto& option : copy.instance().fields.at("punti_chiave").options) marked += !option.cells[0].blank();
  EXPECT_EQ(marked, 2u);  // D1 and D3, as in the source
}

TEST(Premialita, TemplateCarriesIdentityListsAndFormulas) {
  const std::string path = temp_path("modello.xlsx");
  write::write_template(premialita(), path);
  auto workbook = xlsx::Workbook::open(path);
  ASSERT_NE(workbook.find_custom_property(forms::kFormProperty), nullptr);
  EXPECT_EQ(workbook.find_custom_property(forms::kFormProperty)->value, "premialita");
  EXPECT_EQ(workbook.find_custom_property(forms::kVersionProperty)->value, premialita().version);
  ASSERT_NE(workbook.find_defined_name("CONSOLIDA_MODULO"), nullptr);
  for (const auto& field : premialita().fields) EXPECT_NE(workbook.find_defined_name(forms::field_name(field.id)), nullptr) << field.id;
  for (const auto& table : premialita().tables) EXPECT_NE(workbook.find_defined_name(forms::table_name(table.id)), nullptr) << table.id;
  const auto sheet = workbook.load_sheet(*workbook.find_sheet("Scheda progetto"));
  std::size_t lists = 0;
  for (const auto& dv : sheet.facts().validations) lists += dv.type == "list";
  EXPECT_GT(lists, 40u);  // macro-area, ATS, ASST, key-point marks, ...
  std::size_t sums = 0;
  for (const auto& cell : sheet.cells()) sums += cell.has_formula && cell.formula.starts_with("SUM(");
  EXPECT_EQ(sums, 8u);  // the TOT row of the economic resources
  const auto* liste = workbook.find_sheet("Liste");
  ASSERT_NE(liste, nullptr);
  EXPECT_EQ(liste->state, xlsx::SheetState::hidden);
}

TEST(Premialita, OutdatedAndUnknownFormsAreRefusedWithAdvice) {
  auto with_identity = [](const std::string& id, const std::string& version) {
    consolida::testing::ZipBuilder zip = consolida::testing::minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
    zip.add("docProps/custom.xml",
            "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" "
            "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
            "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"2\" name=\"consolida_modulo\"><vt:lpwstr>" + id +
                "</vt:lpwstr></property><property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"3\" name=\"consolida_versione\">"
                "<vt:lpwstr>" + version + "</vt:lpwstr></property></Properties>");
    return zip.write(temp_path(id + version + ".xlsx"));
  };
  try {
    forms::validate_file(with_identity("premialita", "2021.0"), all_forms(), registry::Registry::builtin());
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::form_outdated);
    EXPECT_NE(error.message(Lang::it).find("scaricare il modello aggiornato"), std::string::npos);
  }
  try {
    forms::validate_file(with_identity("bilancio", "1"), all_forms(), registry::Registry::builtin());
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::form_unknown);
  }
  try {
    forms::validate_file(consolida::testing::minimal_xlsx("").write(temp_path("anonimo.xlsx")), all_forms(), registry::Registry::builtin());
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::form_unknown);
    EXPECT_NE(error.message(Lang::it).find("--form"), std::string::npos);
  }
}

TEST(Premialita, NativeRuleFromThePluginLibraryRuns) {
  // The compiled rule PREM-N01 comes from build/plugins/premialita/libpremialita_rules.so.
  ASSERT_EQ(premialita().native_rules.size(), 1u);
  forms::TypedForm read;
  forms::validate_file((kSamples / "lodi-dimissioni-protette.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  forms::FormInstance instance = read.instance();
  forms::Report report = forms::validate(instance, premialita(), registry::Registry::builtin());
  EXPECT_TRUE(report.issues.empty());  // ASST di Lodi belongs to ATS Milano: no warning
  auto& asst = instance.tables.at("asst_coinvolte").rows.at(0).key;
  asst.text = "ASST di Pavia";  // an ASST of another ATS
  report = forms::validate(instance, premialita(), registry::Registry::builtin());
  ASSERT_EQ(report.issues.size(), 1u);
  EXPECT_EQ(report.issues[0].code, "PREM-N01");
  EXPECT_EQ(report.issues[0].severity, forms::Severity::warning);
  EXPECT_EQ(report.issues[0].cell, xlsx::to_a1(asst.ref));
  EXPECT_NE(report.issues[0].message.it.find("ATS della Città Metropolitana di Milano"), std::string::npos);
}

TEST(FormSpec, MissingRuleLibraryIsReported) {
  try {
    forms::load_form((fs::path(CONSOLIDA_SOURCE_DIR) / "plugins" / "premialita").string(), {"/nonexistent"});
    FAIL() << "loaded without its rule library";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_plugin);
    EXPECT_NE(error.message(Lang::it).find("libpremialita_rules"), std::string::npos) << error.message(Lang::it);
  }
}

TEST(Premialita, OversizedFormFilesAreRefusedBeforeLoading) {
  // A sheet of ~40 MB of real cells: fine for the reader, too much for a form held in memory.
  std::string rows;
  rows.reserve(45u << 20);
  for (std::int64_t r = 1; r <= 400000; ++r) {
    const std::string n = std::to_string(r);
    rows += "<row r=\"" + n + "\"><c r=\"A" + n + "\"><v>" + n + "</v></c><c r=\"B" + n + "\"><v>" + std::to_string(r * 7919 % 100003) +
            "</v></c><c r=\"C" + n + "\"><v>" + std::to_string(r * 104729 % 1000003) + "</v></c></row>";
  }
  consolida::testing::ZipBuilder zip = consolida::testing::minimal_xlsx(rows);
  zip.add("xl/workbook.xml",  // the form's own sheet, which validation must load
          "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
          "<sheet name=\"Scheda progetto\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  const std::string path = zip.write(temp_path("enorme.xlsx"));
  try {
    forms::validate_file(path, all_forms(), registry::Registry::builtin(), "premialita");
    FAIL() << "a 40 MB form sheet was loaded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::limit_exceeded) << error.describe(Lang::en);
  }
}

TEST(Premialita, HostileDefinedNamesAreBounded) {
  // The names come from the uploaded file: a table at the last column, options over every row.
  consolida::testing::ZipBuilder zip = consolida::testing::minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
  zip.add("xl/workbook.xml",
          "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
          "<sheet name=\"Scheda progetto\" sheetId=\"1\" r:id=\"rId1\"/></sheets><definedNames>"
          "<definedName name=\"CONSOLIDA_MODULO\">\"premialita 2021.1\"</definedName>"
          "<definedName name=\"T_risorse_economiche\">'Scheda progetto'!$XFD$1:$XFD$10</definedName>"
          "<definedName name=\"F_punti_chiave\">'Scheda progetto'!$A$1:$B$1048576</definedName>"
          "</definedNames></workbook>");
  const forms::Report report = forms::validate_file(zip.write(temp_path("nomi-ostili.xlsx")), all_forms(), registry::Registry::builtin());
  EXPECT_FALSE(report.valid());
  EXPECT_GT(report.issues.size(), 10u);  // every field is missing; nothing crashed or exploded
}

// Damage inside the XML parts, re-zipped with good CRCs, so that it reaches the XML parser, the
// defined names and the extractor: only consolida::Error may come out, never a crash.
TEST(Premialita, DamagedPartsNeverCrashValidation) {
  const std::string source = (kSamples / "lodi-dimissioni-protette.xlsx").string();
  std::vector<std::pair<std::string, std::string>> parts;
  {
    xlsx::ZipArchive archive(source, xlsx::Limits{});
    for (const auto& entry : archive.entries()) parts.emplace_back(entry.name, archive.read_all(entry));
  }
  std::mt19937 rng(4563);
  // Mostly damage that keeps the XML well formed (values, names, references), some that does not.
  const std::string plain = "0123456789ABCDEFXYZabcxyz$:!. -_";
  const std::string structural = "<>/\"'=&;";
  int refused = 0, validated = 0;
  const std::vector<std::string> targets = {"xl/workbook.xml", "xl/worksheets/sheet3.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"};
  for (int round = 0; round < 150; ++round) {
    consolida::testing::ZipBuilder zip;
    const std::string& target = targets[rng() % targets.size()];
    for (const auto& [name, data] : parts) {
      std::string bytes = data;
      if (name == target && !bytes.empty()) {
        const int edits = 1 + static_cast<int>(rng() % 2);
        for (int e = 0; e < edits; ++e) {
          const std::string& alphabet = rng() % 8 == 0 ? structural : plain;
          bytes[rng() % bytes.size()] = alphabet[rng() % alphabet.size()];
        }
      }
      zip.add(name, bytes);
    }
    try {
      forms::validate_file(zip.write(temp_path("danneggiato.xlsx")), all_forms(), registry::Registry::builtin(), "premialita");
      ++validated;
    } catch (const Error& error) {
      ++refused;
      EXPECT_FALSE(error.message(Lang::it).empty());
    }
  }
  EXPECT_EQ(refused + validated, 150);
  EXPECT_GT(refused, 10);    // broken XML is refused ...
  EXPECT_GT(validated, 10);  // ... and damaged values are reported as problems
}

TEST(FormSpec, BrokenDescriptionsAreReportedWithTheirPlace) {
  const fs::path dir = temp_path("plugin-rotto");
  fs::create_directories(dir);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "JSON"},
      {R"({"schema":1,"id":"x","version":"1","title":"T","sheets":[{"name":"S","sections":[{"title":"A","items":["f"]}]}],
          "fields":[{"id":"f","label":"F","type":"colore"}]})", "colore"},
      {R"({"schema":1,"id":"x","version":"1","title":"T","sheets":[{"name":"S","sections":[{"title":"A","items":["f"]}]}],
          "fields":[{"id":"f","label":"F","type":"choice","list":"nessuna"}]})", "nessuna"},
      {R"({"schema":1,"id":"x","version":"1","title":"T","sheets":[{"name":"S","sections":[{"title":"A","items":["f"]}]}],
          "fields":[{"id":"f","label":"F"}],"rules":[{"code":"X1","kind":"row_sum","table":"t","message":"m"}]})", "\"t\""},
      {R"({"schema":2,"id":"x"})", "schema"},
  };
  for (const auto& [json, mention] : cases) {
    std::ofstream(dir / "form.json") << json;
    try {
      forms::load_form(dir.string());
      ADD_FAILURE() << "accepted: " << json;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::invalid_plugin);
      EXPECT_NE(error.message(Lang::it).find(mention), std::string::npos) << error.message(Lang::it);
      EXPECT_EQ(error.location().file, (dir / "form.json").string());
    }
  }
}

// The Gantt keeps the template's quarters: a mark in a column added to the chart is named whatever
// its header (a year, a date, none at all), and so is a quarter relabelled to stretch past the end.
TEST(Premialita, MarksOutsideTheTemplatesQuartersAreNamed) {
  auto messages = [](const std::string& file) {
    std::vector<std::string> out;
    for (const auto& issue : forms::validate_file((kSamples / file).string(), all_forms(), registry::Registry::builtin()).issues) {
      if (issue.code == "PREM-R12") out.push_back(issue.cell + " " + issue.message.it);
    }
    return out;
  };
  const auto added = messages("errore-cronoprogramma-colonne-aggiunte.xlsx");
  ASSERT_EQ(added.size(), 3u) << ::testing::PrintToString(added);
  auto any = [](const std::vector<std::string>& all, const std::string& part) {
    return std::any_of(all.begin(), all.end(), [&](const std::string& m) { return m.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(any(added, "periodo «2024» oltre la scadenza")) << ::testing::PrintToString(added);
  EXPECT_TRUE(any(added, "periodo «15/01/2024» oltre la scadenza")) << ::testing::PrintToString(added);
  EXPECT_TRUE(any(added, "«Fase di avvio progetto»: segno nella colonna «K», che non è un trimestre del modello: il cronoprogramma va da "
                         "«apr 22-giu 22» a «ott 23-dic 23»; segnare solo i suoi trimestri"))
      << ::testing::PrintToString(added);
  const auto renamed = messages("errore-cronoprogramma-trimestre-rinominato.xlsx");
  ASSERT_EQ(renamed.size(), 2u) << ::testing::PrintToString(renamed);
  EXPECT_TRUE(any(renamed, "L'intestazione del trimestre «ott 23-dic 23» è stata cambiata in «ott 23-mar 24»: ripristinarla"))
      << ::testing::PrintToString(renamed);
  EXPECT_TRUE(any(renamed, "periodo «ott 23-mar 24» oltre la scadenza")) << ::testing::PrintToString(renamed);
}

// The ATS and ASST as the seeds write them count as the list's items, silently; a name that is no
// item is refused with the item it most likely means.
TEST(Premialita, TheSeedsNamesOfAtsAndAsstCountAsTheirItems) {
  forms::TypedForm read;
  forms::validate_file((kSamples / "lodi-dimissioni-protette.xlsx").string(), all_forms(), registry::Registry::builtin(), "", &read);
  forms::FormInstance instance = read.instance();
  instance.fields.at("ats").cell.text = "Ats Milano Città Metropolitana";
  instance.tables.at("asst_coinvolte").rows.at(0).key.text = "Asst Lodi";
  const forms::TypedForm typed = forms::type_form(instance, premialita(), registry::Registry::builtin());
  ASSERT_NE(typed.field("ats")->value.item(), nullptr);
  EXPECT_EQ(typed.field("ats")->value.item()->code, "MI");
  const forms::Report report = forms::validate(typed);
  // Accepted without a word, and no PREM-N01: ASST di Lodi is of ATS Milano.
  EXPECT_TRUE(report.issues.empty()) << report.issues.front().code << " " << report.issues.front().message.it;
  instance.fields.at("ats").cell.text = "ATS Metropolitana Milanese";
  const forms::Report refused = forms::validate(instance, premialita(), registry::Registry::builtin());
  const auto it = std::find_if(refused.issues.begin(), refused.issues.end(), [](const auto& i) { return i.code == "PREM-ATS-LISTA"; });
  ASSERT_NE(it, refused.issues.end());
  EXPECT_NE(it->message.it.find("forse «MI. ATS della Città Metropolitana di Milano»?"), std::string::npos) << it->message.it;
}

// A table without its one required row (no deliverable, no activity in the chart): the problem is
// marked at the key of the first empty row and names that row's other cells as to fill, so that
// the annotated copy shows the whole row the clerk types.
TEST(Premialita, AMissingRowMarksTheWholeRowToFill) {
  const forms::Report report = forms::validate_file((kSamples / "errore-cronoprogramma-vuoto.xlsx").string(), all_forms(),
                                                    registry::Registry::builtin());
  const forms::Issue* missing = nullptr;
  for (const forms::Issue& issue : report.issues) {
    if (issue.code == "PREM-R10") missing = &issue;
  }
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->cell, "A118");
  ASSERT_FALSE(missing->to_check.empty());
  for (const forms::CellPlace& place : missing->to_check) {
    EXPECT_EQ(place.sheet, missing->sheet);
    EXPECT_EQ(place.cell.substr(place.cell.find_first_of("0123456789")), "118") << place.cell;
    EXPECT_NE(place.cell, "A118") << "the key is the problem's own cell";
  }
}
