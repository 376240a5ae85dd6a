// The consolida command as a user runs it: output formats, languages and exit codes.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "support/cli_run.hpp"
#include "support/ods_copy.hpp"
#include "support/zip_builder.hpp"

using consolida::testing::minimal_xlsx;
using consolida::testing::temp_path;

namespace {

using consolida::testing::CliRun;

CliRun run(const std::string& arguments, bool with_stderr = true) { return consolida::testing::run_cli(arguments, with_stderr); }

std::string sample_workbook() {
  static const std::string path = minimal_xlsx(
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Comune</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Importo, €</t></is></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>Lodi</t></is></c><c r=\"B3\"><v>1234.5</v></c></row>"
      "<row r=\"4\"><c r=\"B4\"><f>SUM(B3)</f><v>1234.5</v></c></row>",
      "<mergeCells count=\"1\"><mergeCell ref=\"A1:A2\"/></mergeCells>")
      .write(temp_path("cli.xlsx"));
  return path;
}

}  // namespace

TEST(Cli, DumpJsonCarriesCellsFormulasAndMergedRanges) {
  const CliRun r = run("dump " + sample_workbook());
  ASSERT_EQ(r.status, 0) << r.out;
  Poco::JSON::Parser parser;
  const auto root = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
  const auto sheet = root->getArray("sheets")->getObject(0);
  EXPECT_EQ(sheet->getValue<std::string>("name"), "Foglio1");
  const auto cells = sheet->getArray("cells");
  ASSERT_EQ(cells->size(), 5u);
  EXPECT_EQ(cells->getArray(1)->getElement<std::string>(2), "Importo, €");
  EXPECT_EQ(cells->getArray(3)->getElement<double>(2), 1234.5);
  EXPECT_EQ(cells->getArray(4)->getElement<std::string>(3), "=SUM(B3)");
  EXPECT_EQ(sheet->getArray("merged")->getElement<std::string>(0), "A1:A2");
}

TEST(Cli, DumpCsvKeepsRowNumbersAndQuotes) {
  const CliRun r = run("dump " + sample_workbook() + " --format csv");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "Comune,\"Importo, €\"\r\n\r\nLodi,1234.5\r\n,1234.5\r\n");
  const CliRun semicolon = run("dump " + sample_workbook() + " --format csv --separator ';'");
  EXPECT_TRUE(semicolon.out.starts_with("Comune;Importo, €\r\n")) << semicolon.out;
}

TEST(Cli, UnknownSheetListsTheSheetsPresent) {
  const CliRun r = run("dump " + sample_workbook() + " --sheet Riepilogo");
  EXPECT_EQ(r.status, 17);
  EXPECT_NE(r.out.find("Foglio1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("non trovato"), std::string::npos) << r.out;
}

TEST(Cli, RefusalsHaveDistinctExitCodesAndBothLanguages) {
  const std::string doc = temp_path("lettera.xls");  // a Word 97-2003 document named .xls
  std::ofstream(doc, std::ios::binary) << std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) << std::string(600, '\0')
                                       << std::string("W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0", 24);
  const CliRun italian = run("dump " + doc);
  EXPECT_EQ(italian.status, 11);
  EXPECT_NE(italian.out.find("non è un foglio di calcolo"), std::string::npos) << italian.out;
  const CliRun english = run("--lang en dump " + doc);
  EXPECT_EQ(english.status, 11);
  EXPECT_NE(english.out.find("not a spreadsheet"), std::string::npos) << english.out;

  const std::string broken = temp_path("rotto.xlsx");
  const std::string bytes = minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>").build();
  std::ofstream(broken, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  EXPECT_EQ(run("dump " + broken).status, 13);

  // A sheet that fails half-way leaves no partial document on stdout.
  const std::string half = temp_path("meta.xlsx");
  minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>2</c></row>").write(half);
  const CliRun failed = run("dump " + half, /*with_stderr=*/false);
  EXPECT_EQ(failed.status, 14);
  EXPECT_EQ(failed.out, "");
  EXPECT_EQ(run("dump /nonexistent.xlsx").status, 10);
}

TEST(Cli, DuplicateZipEntriesAreRefusedAsDamagedNamingTheEntry) {
  auto zip = minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
  zip.add_duplicate("xl/worksheets/sheet1.xml", consolida::testing::worksheet("<row r=\"1\"><c r=\"A1\"><v>2</v></c></row>"));
  const std::string path = zip.write(temp_path("doppio.xlsx"));
  const CliRun italian = run("dump " + path);
  EXPECT_EQ(italian.status, 13) << italian.out;
  EXPECT_NE(italian.out.find("archivio-danneggiato"), std::string::npos) << italian.out;
  EXPECT_NE(italian.out.find("la parte xl/worksheets/sheet1.xml due volte"), std::string::npos) << italian.out;
  const CliRun english = run("--lang en dump " + path);
  EXPECT_EQ(english.status, 13);
  EXPECT_NE(english.out.find("the part xl/worksheets/sheet1.xml twice"), std::string::npos) << english.out;
}

// dump's JSON writes a type letter per cell; the README must say what each one means. A date
// format on a serial that is no date gives "n"; a formula without a cached value gives "z".
TEST(Cli, DumpTypeLettersAreTheDocumentedOnes) {
  const std::string path =
      minimal_xlsx("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>-1</v></c><c r=\"B1\" s=\"1\"><v>45000</v></c>"
                   "<c r=\"C1\"><f>SUM(A1:B1)</f></c></row>",
                   "", "",
                   "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts>"
                   "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>")
          .write(temp_path("lettere.xlsx"));
  const CliRun r = run("dump " + path, /*with_stderr=*/false);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("[\"A1\",\"n\",-1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[\"B1\",\"d\",\"2023-03-15T00:00:00\"]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[\"C1\",\"z\",null,\"=SUM(A1:B1)\"]"), std::string::npos) << r.out;

  std::ifstream in(std::string(CONSOLIDA_SOURCE_DIR) + "/README.md");
  const std::string readme{std::istreambuf_iterator<char>(in), {}};
  const auto begin = readme.find("- `dump` prints a workbook.");
  ASSERT_NE(begin, std::string::npos);
  const std::string paragraph = readme.substr(begin, readme.find("\n- ", begin + 1) - begin);
  for (const char* letter : {"`n`", "`s`", "`b`", "`e`", "`d`", "`z`"}) {
    EXPECT_NE(paragraph.find(letter), std::string::npos) << letter << " is not explained in: " << paragraph;
  }
}

TEST(Cli, UsageErrors) {
  EXPECT_EQ(run("").status, 64);
  EXPECT_EQ(run("frobnicate").status, 64);
  EXPECT_EQ(run("dump").status, 64);
  EXPECT_EQ(run("dump x.xlsx --format xml").status, 64);
  EXPECT_EQ(run("help").status, 0);
}

TEST(Cli, NumericOptionsRefuseWhatIsNotAWholeNumber) {
  const CliRun threads = run("consolidate --form spesa-sociale-comune --threads due x.xlsx -o y.xlsx");
  EXPECT_EQ(threads.status, 64);
  EXPECT_NE(threads.out.find("valore non valido per --threads: «due» (serve un numero intero)"), std::string::npos) << threads.out;
  const CliRun port = run("--lang en serve --port 70000");
  EXPECT_EQ(port.status, 64);
  EXPECT_NE(port.out.find("invalid value for --port: «70000» (a whole number is needed)"), std::string::npos) << port.out;
  EXPECT_EQ(run("serve --threads 4x").status, 64);
  // A year is a calendar year: "24" would refuse every file as "dati del 24".
  const CliRun year = run("validate --anno 24 x.xlsx");
  EXPECT_EQ(year.status, 64);
  EXPECT_NE(year.out.find("anno non valido: 24 (es. 2024)"), std::string::npos) << year.out;
}

TEST(Cli, SummaryReportsReadAndRefusedFiles) {
  const std::string dir = temp_path("summary-dir");
  std::filesystem::create_directories(dir);
  minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>").write(dir + "/buono.xlsx");
  std::ofstream(dir + "/finto.xlsx") << "comune;importo\n";
  const CliRun r = run("summary " + dir);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("foglio \"Foglio1\": 1 riga, 1 cella"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RIFIUTATO [formato-non-supportato]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("file letti: 1, rifiutati: 1"), std::string::npos) << r.out;
}

TEST(Cli, ValidateExitCodesAndReports) {
  const std::string samples = std::string(CONSOLIDA_SOURCE_DIR) + "/sample-workbooks/premialita/";
  EXPECT_EQ(run("validate " + samples + "lodi-riabita.xlsx").status, 0);
  const CliRun broken = run("validate " + samples + "errore-tot-sbagliato.xlsx");
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.out.find("NON VALIDO (1 errore, 0 avvisi)"), std::string::npos) << broken.out;  // Italian agreement
  EXPECT_NE(broken.out.find("PREM-R15"), std::string::npos) << broken.out;
  EXPECT_NE(run("--lang en validate " + samples + "errore-tot-sbagliato.xlsx").out.find("NOT VALID (1 error, 0 warnings)"), std::string::npos);
  const std::string text_file = temp_path("finto.xlsx");
  std::ofstream(text_file) << "comune;importo\n";
  const CliRun mixed = run("validate --format json " + samples + "lodi-riabita.xlsx " + text_file, /*with_stderr=*/false);
  EXPECT_EQ(mixed.status, 2);
  Poco::JSON::Parser parser;
  const auto root = parser.parse(mixed.out).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(root->getValue<std::string>("schema"), "consolida.validazione/1");
  const auto files = root->getArray("files");
  ASSERT_EQ(files->size(), 2u);
  EXPECT_TRUE(files->getObject(0)->getValue<bool>("valid"));
  EXPECT_EQ(files->getObject(1)->getObject("error")->getValue<int>("exit"), 11);
  const CliRun english = run("--lang en validate " + samples + "errore-tot-sbagliato.xlsx");
  EXPECT_NE(english.out.find("NOT VALID"), std::string::npos) << english.out;
  EXPECT_NE(english.out.find("TOT row"), std::string::npos) << english.out;
}

TEST(Cli, ValidateAnnotatesIntoAFolderAndWritesHtml) {
  const std::string samples = std::string(CONSOLIDA_SOURCE_DIR) + "/sample-workbooks/premialita/";
  const std::string folder = temp_path("annotati");
  const CliRun r = run("validate " + samples + "errore-tot-sbagliato.xlsx " + samples + "lodi-riabita.xlsx --annotate " + folder);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(std::filesystem::exists(folder + "/errore-tot-sbagliato.annotato.xlsx"));
  EXPECT_TRUE(std::filesystem::exists(folder + "/lodi-riabita.annotato.xlsx"));
  const CliRun html = run("validate --format html " + samples + "errore-punto-chiave-altra-macroarea.xlsx", false);
  EXPECT_NE(html.out.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.out.find("PREM-R02"), std::string::npos);
  EXPECT_NE(html.out.find("<tr class=\"errore\"><td>errore bloccante</td><td>Scheda progetto</td>"), std::string::npos) << html.out;
  EXPECT_EQ(run("template premialita").status, 64);
  EXPECT_EQ(run("template nessuno -o " + temp_path("x.xlsx")).status, 19);
}

TEST(Cli, ValidateFindsWorkbooksInFoldersWhateverTheExtensionCase) {
  const std::string folder = temp_path("cartella-maiuscole");
  std::filesystem::create_directories(folder + "/sotto");
  const std::string samples = std::string(CONSOLIDA_SOURCE_DIR) + "/sample-workbooks/premialita/";
  std::filesystem::copy_file(samples + "lodi-riabita.xlsx", folder + "/sotto/PROGETTO.XLSX",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(samples + "errore-tot-sbagliato.xlsx", folder + "/a.xlsx",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(folder + "/note.txt") << "non un foglio";
  const CliRun r = run("validate " + folder);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("PROGETTO.XLSX: VALIDO"), std::string::npos) << r.out;
  EXPECT_LT(r.out.find("a.xlsx: NON VALIDO"), r.out.find("PROGETTO.XLSX"));  // in name order
  EXPECT_EQ(r.out.find("note.txt"), std::string::npos);
}

// A clerk's .ods: found in a folder beside the .xlsx, validated with the same problems at the same
// cells, and its annotated copy, an .xlsx, is announced as one.
TEST(Cli, ValidateReadsOdsAndSaysItsAnnotatedCopyIsAnXlsx) {
  const std::string folder = temp_path("cartella-ods");
  std::filesystem::create_directories(folder);
  const std::string samples = std::string(CONSOLIDA_SOURCE_DIR) + "/sample-workbooks/premialita/";
  const std::string ods = consolida::testing::ods_copy_of(samples + "errore-bilancio-non-quadra.xlsx");
  std::ofstream(folder + "/progetto.ods", std::ios::binary).write(ods.data(), static_cast<std::streamsize>(ods.size()));
  const CliRun from_ods = run("validate " + folder + " --format json", false);
  const CliRun from_xlsx = run("validate " + samples + "errore-bilancio-non-quadra.xlsx --format json", false);
  EXPECT_EQ(from_ods.status, 1) << from_ods.out;
  EXPECT_EQ(from_xlsx.status, 1);
  const auto issues = [](const std::string& json) {
    const auto at = json.find("\"issues\"");
    return at == std::string::npos ? std::string() : json.substr(at);
  };
  EXPECT_EQ(issues(from_ods.out), issues(from_xlsx.out));
  EXPECT_NE(from_ods.out.find("\"form\":\"premialita\""), std::string::npos) << from_ods.out;
  const CliRun annotated = run("validate " + folder + "/progetto.ods --annotate " + temp_path("annotato-ods.xlsx"));
  EXPECT_NE(annotated.out.find("copia annotata (in formato .xlsx): "), std::string::npos) << annotated.out;
}

// validate --anno: a file that declares another year is refused, with a code of its own at the
// year's cell; the same file passes when its year is the one asked.
TEST(Cli, ValidateRefusesAFileOfAnotherYearThanAsked) {
  const std::string dir = temp_path("anno-melzo");
  const std::string command = std::string(CONSOLIDA_MAKE_REGION) + " " + dir + " --scope ambito:MELZO --missing 0 --errors 0 --year 2024 > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string file = dir + "/comuni/015142-melzo.xlsx";
  const CliRun other = run("validate --anno 2025 --format json " + file, false);
  EXPECT_EQ(other.status, 1) << other.out;
  Poco::JSON::Parser parser;
  const auto issues = parser.parse(other.out).extract<Poco::JSON::Object::Ptr>()->getArray("files")->getObject(0)->getArray("issues");
  ASSERT_GE(issues->size(), 1u) << other.out;
  const auto first = issues->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("code"), "SSC-ANNO");
  EXPECT_EQ(first->getValue<std::string>("cell"), "B7");
  EXPECT_EQ(first->getObject("message")->getValue<std::string>("it"),
            "«Anno di riferimento»: il file dichiara l'anno 2024, ma sono attesi i dati del 2025: correggere l'anno se è sbagliato, "
            "altrimenti inviare il file dell'anno giusto");
  EXPECT_EQ(run("validate --anno 2024 " + file, false).status, 0);
  EXPECT_EQ(run("validate --year 2024 " + file, false).status, 0);
  EXPECT_EQ(run("validate " + file + " --anno duemila", false).status, 64);
}

// The summary of a consolidation agrees in number: "1 utilizzato", "1 illeggibile", not "1 utilizzati".
TEST(Cli, ConsolidateSummaryAgreesInNumber) {
  const std::filesystem::path dir = temp_path("cli-consolida-accordo");
  std::filesystem::remove_all(dir);
  ASSERT_EQ(std::system((std::string(CONSOLIDA_MAKE_REGION) + " " + dir.string() + " --scope ambito:LODI --seed 5 > /dev/null").c_str()), 0);
  std::vector<std::filesystem::path> comuni;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "comuni")) comuni.push_back(entry.path());
  std::sort(comuni.begin(), comuni.end());
  ASSERT_FALSE(comuni.empty());
  const std::string unreadable = temp_path("accordo-illeggibile.xlsx");
  std::ofstream(unreadable) << "non è un foglio di calcolo";
  const CliRun r = run("consolidate --form spesa-sociale-comune --level ambito --scope LODI " + comuni[0].string() + " " + unreadable +
                       " -o " + temp_path("accordo.xlsx") + " -q");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("2 file, 1 utilizzato, 0 non validi, 1 illeggibile; "), std::string::npos) << r.out;
}
