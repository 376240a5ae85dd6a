// Hostile and broken workbooks: each must end in a bounded, located consolida::Error.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "consolida/xlsx.hpp"
#include "support/zip_builder.hpp"

using namespace consolida::xlsx;
using consolida::Error;
using consolida::ErrorCode;
using consolida::Lang;
using consolida::testing::minimal_ods;
using consolida::testing::minimal_xlsx;
using consolida::testing::ods_content;
using consolida::testing::temp_path;
using consolida::testing::worksheet;
using consolida::testing::ZipBuilder;
using consolida::testing::ZipItem;

namespace {

// Opens and reads every sheet; returns the error raised.
Error read_fully(const std::string& path, const Limits& limits = {}) {
  try {
    Workbook workbook = Workbook::open(path, limits);
    for (const SheetInfo& sheet : workbook.sheets()) workbook.stream_sheet(sheet, [](const RowView&) { return true; });
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << path << " was read without error";
  return Error(ErrorCode::io, "", "");
}

// The same for bytes already in memory (uploads, hashed inputs).
Error read_bytes_fully(const std::string& bytes, const std::string& name) {
  try {
    Workbook workbook = Workbook::open_bytes(bytes, name);
    for (const SheetInfo& sheet : workbook.sheets()) workbook.stream_sheet(sheet, [](const RowView&) { return true; });
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << name << " was read without error";
  return Error(ErrorCode::io, "", "");
}

void expect_located(const Error& error, ErrorCode code, const std::string& file, const std::string& part) {
  EXPECT_EQ(error.code(), code) << error.describe(Lang::en);
  EXPECT_EQ(error.location().file, file);
  EXPECT_EQ(error.location().part, part);
  EXPECT_FALSE(error.message(Lang::it).empty());
  EXPECT_FALSE(error.message(Lang::en).empty());
  EXPECT_NE(error.describe(Lang::it).find(file), std::string::npos);
}

}  // namespace

TEST(HostileInput, ZipBombByRatioIsRefusedBeforeInflating) {
  ZipBuilder zip = minimal_xlsx("");
  zip.add("xl/worksheets/sheet1.xml", worksheet("") + std::string(64u << 20, ' '));
  const std::string path = zip.write(temp_path("bomb-ratio.xlsx"));
  const Error error = read_fully(path);  // default limits: 64 MiB of spaces compress over 1000:1
  expect_located(error, ErrorCode::limit_exceeded, path, "xl/worksheets/sheet1.xml");
  EXPECT_NE(error.message(Lang::it).find("zip bomb"), std::string::npos);
}

TEST(HostileInput, ZipBombLyingAboutItsSizeIsStoppedWhileInflating) {
  ZipBuilder zip = minimal_xlsx("");
  ZipItem liar{"xl/worksheets/sheet1.xml", worksheet("") + std::string(64u << 20, ' '), true, 1000u, std::nullopt, 0, 0};
  zip.add(liar);
  const std::string path = zip.write(temp_path("bomb-liar.xlsx"));
  const Error error = read_fully(path);
  EXPECT_TRUE(error.code() == ErrorCode::corrupt_archive || error.code() == ErrorCode::limit_exceeded);
  EXPECT_EQ(error.location().part, "xl/worksheets/sheet1.xml");
}

TEST(HostileInput, HugePartIsRefusedByConfiguredLimits) {
  Limits limits;
  limits.max_part_bytes = 1u << 20;
  std::string rows;
  for (int r = 1; r <= 40000; ++r) rows += "<row r=\"" + std::to_string(r) + "\"><c><v>" + std::to_string(r * 7) + "</v></c></row>";
  const std::string path = minimal_xlsx(rows).write(temp_path("huge-part.xlsx"));
  expect_located(read_fully(path, limits), ErrorCode::limit_exceeded, path, "xl/worksheets/sheet1.xml");
  limits.max_part_bytes = 64u << 20;
  limits.max_total_bytes = 1u << 20;  // the budget over all parts
  expect_located(read_fully(path, limits), ErrorCode::limit_exceeded, path, "xl/worksheets/sheet1.xml");
}

TEST(HostileInput, BillionLaughsIsRefused) {
  ZipBuilder zip = minimal_xlsx("");
  zip.add("xl/workbook.xml",
          "<?xml version=\"1.0\"?><!DOCTYPE workbook [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
          "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><workbook><sheets><sheet name=\"&c;\" sheetId=\"1\"/></sheets></workbook>");
  const std::string path = zip.write(temp_path("laughs.xlsx"));
  const Error error = read_fully(path);
  expect_located(error, ErrorCode::malformed_xml, path, "xl/workbook.xml");
  EXPECT_NE(error.message(Lang::en).find("DOCTYPE"), std::string::npos);
  EXPECT_EQ(error.location().line, 1u);
}

TEST(HostileInput, TruncatedArchiveIsReported) {
  const std::string bytes = minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>").build();
  const std::string path = temp_path("truncated.xlsx");
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() * 2 / 3));
  const Error error = read_fully(path);
  EXPECT_EQ(error.code(), ErrorCode::corrupt_archive);
  EXPECT_EQ(error.location().file, path);
  EXPECT_NE(error.message(Lang::it).find("troncato"), std::string::npos);
}

TEST(HostileInput, BadCrcIsReported) {
  ZipBuilder zip = minimal_xlsx("");
  ZipItem bad{"xl/worksheets/sheet1.xml", worksheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), true, std::nullopt,
              0x12345678u, 0, 0};
  zip.add(bad);
  const std::string path = zip.write(temp_path("badcrc.xlsx"));
  const Error error = read_fully(path);
  expect_located(error, ErrorCode::corrupt_archive, path, "xl/worksheets/sheet1.xml");
  EXPECT_NE(error.message(Lang::en).find("CRC"), std::string::npos);
}

TEST(HostileInput, MalformedSheetXmlIsLocated) {
  ZipBuilder zip = minimal_xlsx("");
  zip.add("xl/worksheets/sheet1.xml",
          "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\n<sheetData>\n"
          "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>\n<row r=\"2\"><c r=\"A2\"><v>2</c></row>\n</sheetData></worksheet>");
  const std::string path = zip.write(temp_path("malformed.xlsx"));
  const Error error = read_fully(path);
  expect_located(error, ErrorCode::malformed_xml, path, "xl/worksheets/sheet1.xml");
  EXPECT_EQ(error.location().line, 4u);
  EXPECT_EQ(error.location().cell, "A2");
}

// Text that does not compress well, so that the size limit, not the ratio limit, is what trips.
std::string incompressible_text(std::size_t size) {
  std::mt19937 rng(42);
  std::string out(size, 'a');
  for (char& c : out) c = static_cast<char>('a' + rng() % 26);
  return out;
}

TEST(HostileInput, TenMegabyteCellIsRefused) {
  const std::string rows =
      "<row r=\"1\"><c r=\"B1\" t=\"inlineStr\"><is><t>" + incompressible_text(10u << 20) + "</t></is></c></row>";
  const std::string path = minimal_xlsx(rows).write(temp_path("bigcell.xlsx"));
  const Error error = read_fully(path);
  expect_located(error, ErrorCode::limit_exceeded, path, "xl/worksheets/sheet1.xml");
  EXPECT_EQ(error.location().cell, "B1");
  EXPECT_NE(error.message(Lang::it).find("32.767"), std::string::npos);
}

TEST(HostileInput, TenMegabyteSharedStringIsRefused) {
  const std::string sst = "<sst><si><t>" + incompressible_text(10u << 20) + "</t></si></sst>";
  const std::string path = minimal_xlsx("", "", sst).write(temp_path("bigsst.xlsx"));
  expect_located(read_fully(path), ErrorCode::limit_exceeded, path, "xl/sharedStrings.xml");
}

TEST(HostileInput, MillionColumnsAreRefused) {
  // Column 1,000,000 is "BDWGN"; Excel stops at XFD (16,384).
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"", "<dimension ref=\"A1:BDWGN1\"/>"},
      {"<row r=\"1\"><c r=\"BDWGN1\"><v>1</v></c></row>", ""},
      {"", "<cols><col min=\"1\" max=\"1000000\" width=\"9\"/></cols>"},
  };
  int i = 0;
  for (const auto& [rows, extra] : variants) {
    ZipBuilder zip = minimal_xlsx(rows);
    // dimension and cols come before sheetData in a real sheet
    zip.add("xl/worksheets/sheet1.xml",
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + extra + "<sheetData>" + rows +
                "</sheetData></worksheet>");
    const std::string path = zip.write(temp_path("million-cols-" + std::to_string(i++) + ".xlsx"));
    const Error error = read_fully(path);
    expect_located(error, ErrorCode::limit_exceeded, path, "xl/worksheets/sheet1.xml");
    EXPECT_NE(error.message(Lang::it).find("XFD"), std::string::npos);
  }
}

TEST(HostileInput, RowsWithoutReferencesCannotRunPastTheLastColumn) {
  std::string cells;
  for (int i = 0; i < 16385; ++i) cells += "<c><v>1</v></c>";
  const std::string path = minimal_xlsx("<row>" + cells + "</row>").write(temp_path("runaway.xlsx"));
  expect_located(read_fully(path), ErrorCode::limit_exceeded, path, "xl/worksheets/sheet1.xml");
}

TEST(HostileInput, WrongFormatsAreRecognisedFromTheirBytes) {
  struct Case {
    std::string name;
    std::string bytes;
    ErrorCode code;
    std::string mention;
  };
  const std::string ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  auto utf16 = [](std::string s) {
    std::string out;
    for (char c : s) out += std::string{c, '\0'};
    return out;
  };
  const std::vector<Case> cases = {
      // A compound file naming a Workbook stream is read as an .xls: this one is no valid one.
      {"legacy.xlsx", ole + std::string(500, '\0') + utf16("Workbook"), ErrorCode::corrupt_archive, ".xls"},
      {"encrypted.xlsx", ole + std::string(500, '\0') + utf16("EncryptedPackage"), ErrorCode::encrypted, "password"},
      {"export.xls", "<html><table><tr><td>1</td></tr></table></html>", ErrorCode::unsupported_format, "HTML"},
      {"data.xlsx", "comune;importo\nLodi;1.234,56\n", ErrorCode::unsupported_format, "CSV"},
      {"scan.xlsx", "%PDF-1.7\n...", ErrorCode::unsupported_format, "PDF"},
      {"empty.xlsx", "", ErrorCode::unsupported_format, "0"},
      {"noise.xlsx", std::string("\x01\x02\x03\x04\xFF\xFE\x00\x10", 8), ErrorCode::unsupported_format, "xlsx"},
  };
  for (const Case& c : cases) {
    const std::string path = temp_path(c.name);
    std::ofstream(path, std::ios::binary).write(c.bytes.data(), static_cast<std::streamsize>(c.bytes.size()));
    const Error error = read_fully(path);
    EXPECT_EQ(error.code(), c.code) << c.name;
    EXPECT_NE(error.message(Lang::it).find(c.mention), std::string::npos) << c.name << ": " << error.message(Lang::it);
    EXPECT_NE(error.message(Lang::en).find(c.mention), std::string::npos) << c.name << ": " << error.message(Lang::en);
    const Error from_memory = read_bytes_fully(c.bytes, c.name);
    EXPECT_EQ(from_memory.code(), c.code) << c.name;
    EXPECT_EQ(from_memory.message(Lang::it), error.message(Lang::it)) << c.name;
    EXPECT_EQ(from_memory.location().file, c.name);
  }
  ZipBuilder docx;
  docx.add("_rels/.rels", "<Relationships/>");
  docx.add("word/document.xml", "<w:document/>");
  const Error word = read_fully(docx.write(temp_path("letter.xlsx")));
  EXPECT_EQ(word.code(), ErrorCode::unsupported_format);
  EXPECT_NE(word.message(Lang::it).find("Word"), std::string::npos);
}

// A second copy of a sheet: openpyxl would read the last, a first-wins reader the first, so
// what a person sees and what validation checks could differ. Refused as a damaged archive.
TEST(HostileInput, DuplicateZipEntryIsRefusedAsDamaged) {
  ZipBuilder zip = minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>100</v></c></row>");
  zip.add_duplicate("xl/worksheets/sheet1.xml", worksheet("<row r=\"1\"><c r=\"A1\"><v>999999</v></c></row>"));
  const std::string path = zip.write(temp_path("two-sheets-one-name.xlsx"));
  const Error error = read_fully(path);
  expect_located(error, ErrorCode::corrupt_archive, path, "xl/worksheets/sheet1.xml");
  EXPECT_NE(error.message(Lang::it).find("xl/worksheets/sheet1.xml"), std::string::npos) << error.message(Lang::it);
  EXPECT_NE(error.message(Lang::it).find("due volte"), std::string::npos) << error.message(Lang::it);
  EXPECT_NE(error.message(Lang::en).find("twice"), std::string::npos) << error.message(Lang::en);
  EXPECT_EQ(read_bytes_fully(zip.build(), "upload.xlsx").message(Lang::it), error.message(Lang::it));
}

// A zip with nothing in it (only the end-of-central-directory record) is a zip that is not a
// workbook (11), from a file and from memory alike; reading its empty central directory must
// not hand memcpy a null buffer (UBSan aborts the sanitizer build on that).
TEST(HostileInput, EmptyZipIsRefusedAsNotAWorkbook) {
  const std::string bytes = ZipBuilder().build();
  const std::string path = ZipBuilder().write(temp_path("empty-zip.xlsx"));
  for (const Error& error : {read_fully(path), read_bytes_fully(bytes, "empty-zip.xlsx")}) {
    EXPECT_EQ(error.code(), ErrorCode::unsupported_format) << error.describe(Lang::en);
    EXPECT_NE(error.message(Lang::it).find("archivio zip che non è una cartella di lavoro"), std::string::npos) << error.message(Lang::it);
    EXPECT_NE(error.message(Lang::en).find("zip archive that is not an Excel workbook"), std::string::npos) << error.message(Lang::en);
  }
}

TEST(HostileInput, MissingFileIsAnIoError) {
  EXPECT_EQ(read_fully("/nonexistent/dir/file.xlsx").code(), ErrorCode::io);
}

// Random byte damage must never crash or hang: only consolida::Error may come out.
TEST(HostileInput, RandomCorruptionNeverCrashes) {
  std::string rows;
  for (int r = 1; r <= 200; ++r) {
    rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\" t=\"s\"><v>" + std::to_string(r % 3) +
            "</v></c><c r=\"B" + std::to_string(r) + "\" s=\"1\"><v>" + std::to_string(44000 + r) + "</v></c></row>";
  }
  const std::string good =
      minimal_xlsx(rows, "<mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells>",
                   "<sst><si><t>a</t></si><si><r><t>b</t></r></si><si><t>c&amp;d</t></si></sst>",
                   "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts>"
                   "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>")
          .build();
  std::mt19937 rng(20261123);
  int refused = 0;
  for (int round = 0; round < 400; ++round) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xFF);
    if (round % 5 == 0) bytes.resize(rng() % bytes.size());
    const std::string path = temp_path("fuzz.xlsx");
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    try {
      Workbook workbook = Workbook::open(path);
      for (const SheetInfo& sheet : workbook.sheets()) {
        if (!sheet.part.empty()) workbook.stream_sheet(sheet, [](const RowView&) { return true; });
      }
    } catch (const Error& error) {
      ++refused;
      EXPECT_FALSE(error.message(Lang::it).empty());
    }
  }
  EXPECT_GT(refused, 300);  // nearly all damage is caught (the CRC covers every part)
}

// ---- OpenDocument: the same refusals through content.xml ----

namespace {
std::string ods_table(const std::string& rows) { return "<table:table table:name=\"T\">" + rows + "</table:table>"; }
std::string ods_value_cell(const std::string& attributes = "") {
  return "<table:table-cell office:value-type=\"string\"" + attributes + "><text:p>X</text:p></table:table-cell>";
}
}  // namespace

TEST(HostileInput, OdsRowOfValuesRepeatedToTheLastRowIsStreamedNotStored) {
  const std::string rows = "<table:table-row table:number-rows-repeated=\"1048576\">" + ods_value_cell() + "</table:table-row>";
  const std::string path = minimal_ods(ods_table(rows)).write(temp_path("repeat-rows.ods"));
  Workbook workbook = Workbook::open(path);
  std::uint64_t rows_seen = 0;
  std::uint32_t last_row = 0;
  const SheetFacts facts = workbook.stream_sheet(workbook.sheets()[0], [&](const RowView& row) {
    ++rows_seen;
    last_row = row.row;
    return row.cells.size() == 1;
  });
  EXPECT_EQ(rows_seen, 1048576u);
  EXPECT_EQ(last_row, 1048575u);
  EXPECT_EQ(facts.cells_read, 1048576u);
}

TEST(HostileInput, OdsRepetitionBombIsRefusedBeforeExpanding) {
  const std::string rows = "<table:table-row table:number-rows-repeated=\"1048576\">" +
                           ods_value_cell(" table:number-columns-repeated=\"16384\"") + "</table:table-row>";
  const std::string path = minimal_ods(ods_table(rows)).write(temp_path("repeat-bomb.ods"));
  const Error error = read_fully(path);
  expect_located(error, ErrorCode::limit_exceeded, path, "content.xml");
  EXPECT_NE(error.message(Lang::en).find("repeats"), std::string::npos);
  // Past the last row or column, values are a limit error, not a silent cut.
  const std::string beyond = "<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell/></table:table-row>"
                             "<table:table-row>" + ods_value_cell() + "</table:table-row>";
  expect_located(read_fully(minimal_ods(ods_table(beyond)).write(temp_path("beyond.ods"))), ErrorCode::limit_exceeded,
                 temp_path("beyond.ods"), "content.xml");
}

// A long text repeated along a row and down the rows would be gigabytes for a reader that keeps
// the cells (the form engine does): refused past what one part may hold.
TEST(HostileInput, OdsLongTextRepeatedIsRefusedBeforeItIsCopied) {
  const std::string text(100000, 'x');
  const std::string rows = "<table:table-row table:number-rows-repeated=\"100\"><table:table-cell office:value-type=\"string\" "
                           "table:number-columns-repeated=\"1000\"><text:p>" + text + "</text:p></table:table-cell></table:table-row>";
  Limits limits;
  limits.max_part_bytes = 32u << 20;  // as for forms
  const std::string path = minimal_ods(ods_table(rows)).write(temp_path("repeat-text.ods"));
  const Error error = read_fully(path, limits);
  expect_located(error, ErrorCode::limit_exceeded, path, "content.xml");
  EXPECT_NE(error.message(Lang::en).find("repeats texts"), std::string::npos) << error.message(Lang::en);
}

TEST(HostileInput, OdsEmptyRepeatsAsLargeAsDeclaredAreOnlyCounted) {
  // Billions of empty rows and cells, as a damaged or hostile writer may declare them.
  const std::string rows = "<table:table-row table:number-rows-repeated=\"4000000000\">"
                           "<table:table-cell table:number-columns-repeated=\"4000000000\"/></table:table-row>";
  const std::string first = "<table:table-row>" + ods_value_cell() + "</table:table-row>";
  Workbook workbook = Workbook::open(minimal_ods(ods_table(first + rows + rows)).write(temp_path("empty-repeats.ods")));
  const SheetFacts facts = workbook.stream_sheet(workbook.sheets()[0], [](const RowView&) { return true; });
  EXPECT_EQ(facts.cells_read, 1u);
  EXPECT_EQ(facts.rows_read, 2u);  // row elements, not the rows they stand for; the third starts past the last row
}

TEST(HostileInput, OdsDtdDepthHugeCellsAndBrokenPartsAreRefused) {
  struct Case {
    std::string name;
    consolida::testing::ZipBuilder zip;
    ErrorCode code;
    std::string part;
  };
  std::string deep = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>";
  for (int i = 0; i < 400; ++i) deep += "<text:span>";
  for (int i = 0; i < 400; ++i) deep += "</text:span>";
  deep += "</text:p></table:table-cell></table:table-row>";
  const std::string huge = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>" + std::string(10u << 20, 'x') +
                           "</text:p></table:table-cell></table:table-row>";
  const std::string spaces = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"4000000000\"/>"
                             "</text:p></table:table-cell></table:table-row>";
  std::vector<Case> cases;
  cases.push_back({"dtd.ods", minimal_ods(""), ErrorCode::malformed_xml, "content.xml"});
  cases.back().zip.add("content.xml", "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY lol \"lol\">]>" + ods_content(""));
  cases.push_back({"deep.ods", minimal_ods(ods_table(deep)), ErrorCode::limit_exceeded, "content.xml"});
  cases.push_back({"huge-cell.ods", minimal_ods(ods_table(huge)), ErrorCode::limit_exceeded, "content.xml"});
  cases.push_back({"huge-spaces.ods", minimal_ods(ods_table(spaces)), ErrorCode::limit_exceeded, "content.xml"});
  cases.push_back({"not-xml.ods", minimal_ods(""), ErrorCode::malformed_xml, "content.xml"});
  cases.back().zip.add("content.xml", "PK\x03\x04 this is not XML at all");
  cases.push_back({"truncated.ods", minimal_ods(""), ErrorCode::malformed_xml, "content.xml"});
  const std::string whole = ods_content(ods_table("<table:table-row>" + ods_value_cell() + "</table:table-row>"));
  cases.back().zip.add("content.xml", whole.substr(0, whole.size() - 60));
  consolida::testing::ZipBuilder no_content;
  no_content.add("mimetype", "application/vnd.oasis.opendocument.spreadsheet", false);
  no_content.add("styles.xml", "<office:document-styles/>");
  cases.push_back({"no-content.ods", no_content, ErrorCode::missing_part, ""});
  for (Case& c : cases) {
    const std::string path = c.zip.write(temp_path(c.name));
    const Error error = read_fully(path);
    expect_located(error, c.code, path, c.part);
    const Error from_memory = read_bytes_fully(c.zip.build(), c.name);
    EXPECT_EQ(from_memory.code(), c.code) << c.name;
  }
}

TEST(HostileInput, EncryptedOdsIsRefusedAsPasswordProtected) {
  consolida::testing::ZipBuilder zip = minimal_ods(ods_table(""));
  zip.add("META-INF/manifest.xml",
          "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
          "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\">"
          "<manifest:encryption-data manifest:checksum-type=\"SHA1/1K\" manifest:checksum=\"abc=\">"
          "<manifest:algorithm manifest:algorithm-name=\"Blowfish CFB\" manifest:initialisation-vector=\"xyz=\"/>"
          "</manifest:encryption-data></manifest:file-entry></manifest:manifest>");
  zip.add("content.xml", std::string("\x9c\x01\xff\x10 ciphertext", 14));
  const std::string path = zip.write(temp_path("secret.ods"));
  const Error error = read_fully(path);
  EXPECT_EQ(error.code(), ErrorCode::encrypted);
  EXPECT_NE(error.message(Lang::it).find("password"), std::string::npos);
  EXPECT_NE(error.message(Lang::it).find(".ods"), std::string::npos);
  EXPECT_EQ(error.location().file, path);
}

// content.xml damaged byte by byte (the zip around it intact, so the parser, not the CRC, meets
// the damage): every reading ends in a value or an Error, never a crash.
TEST(HostileInput, RandomlyDamagedOdsContentNeverCrashes) {
  const std::string styles = "<style:style style:name=\"ta2\" style:family=\"table\"><style:table-properties table:display=\"false\"/></style:style>";
  std::string rows;
  for (int r = 0; r < 40; ++r) {
    rows += "<table:table-row" + std::string(r % 7 == 0 ? " table:number-rows-repeated=\"3\"" : "") + ">"
            "<table:table-cell table:content-validation-name=\"v" + std::to_string(r % 2) + "\" office:value-type=\"string\">"
            "<text:p>a<text:s text:c=\"2\"/>b</text:p></table:table-cell>"
            "<table:table-cell office:value-type=\"float\" office:value=\"" + std::to_string(r * 1.5) + "\" table:number-columns-repeated=\"2\"/>"
            "<table:table-cell table:number-columns-spanned=\"2\" table:number-rows-spanned=\"1\" office:value-type=\"date\" "
            "office:date-value=\"2024-0" + std::to_string(1 + r % 9) + "-01\"/><table:covered-table-cell/>"
            "<table:table-cell office:value-type=\"time\" office:time-value=\"PT" + std::to_string(r) + "H\"/></table:table-row>";
  }
  const std::string body =
      "<table:content-validations><table:content-validation table:name=\"v0\" table:condition=\"of:cell-content-is-in-list(&quot;SI&quot;;&quot;NO&quot;)\"/>"
      "<table:content-validation table:name=\"v1\" table:condition=\"of:cell-content-is-whole-number() and cell-content-is-between(1;10)\"/>"
      "</table:content-validations><table:table table:name=\"A\">" + rows + "</table:table>"
      "<table:table table:name=\"B\" table:style-name=\"ta2\">" + rows + "</table:table>"
      "<table:named-expressions><table:named-range table:name=\"n\" table:cell-range-address=\"$A.$A$1:.$B$2\"/></table:named-expressions>";
  const std::string good = consolida::testing::ods_content(body, styles);
  std::mt19937 rng(20261126);
  int refused = 0;
  for (int round = 0; round < 300; ++round) {
    std::string content = good;
    const int flips = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < flips; ++k) {
      const std::size_t at = rng() % content.size();
      static constexpr char kTricky[] = "<>/\"'=&;:.$0123456789 x";
      content[at] = rng() % 2 ? kTricky[rng() % (sizeof kTricky - 1)] : static_cast<char>(rng() & 0xFF);
    }
    if (round % 7 == 0) content.resize(rng() % content.size());
    consolida::testing::ZipBuilder zip = minimal_ods("");
    zip.add("content.xml", content);
    try {
      Workbook workbook = Workbook::open_bytes(zip.build(), "fuzz.ods");
      for (const SheetInfo& sheet : workbook.sheets()) workbook.load_sheet(sheet);
    } catch (const Error& error) {
      ++refused;
      EXPECT_FALSE(error.message(Lang::it).empty());
    }
  }
  EXPECT_GT(refused, 100);
}
