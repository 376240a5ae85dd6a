#include <gtest/gtest.h>

#include "consolida/xlsx.hpp"
#include "support/zip_builder.hpp"

using namespace consolida::xlsx;
using consolida::Error;
using consolida::ErrorCode;
using consolida::testing::minimal_xlsx;
using consolida::testing::temp_path;
using consolida::testing::ZipBuilder;

namespace {

const std::string kStyles =
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"#,##0.00\\ &quot;€&quot;\"/></numFmts>"
    "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"14\"/><xf numFmtId=\"46\"/></cellXfs></styleSheet>";

const std::string kSharedStrings =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"4\" uniqueCount=\"4\">"
    "<si><t>Comune di Lodi</t></si>"
    "<si><r><rPr><b/></rPr><t>Fondo </t></r><r><t xml:space=\"preserve\">Povertà</t></r></si>"
    "<si><t>riga1_x000D_\nriga2</t><rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>"
    "<si/></sst>";

Workbook open_package(const ZipBuilder& zip, const std::string& name) {
  return Workbook::open(zip.write(temp_path(name)));
}

// The cell at a1; fails the test (instead of crashing) when it is missing.
const Cell& at(const Sheet& sheet, const std::string& a1) {
  static const Cell missing{};
  const Cell* cell = sheet.cell(a1);
  if (!cell) {
    ADD_FAILURE() << "no cell at " << a1;
    return missing;
  }
  return *cell;
}

Sheet load_only_sheet(const ZipBuilder& zip, const std::string& name) {
  Workbook workbook = open_package(zip, name);
  return workbook.load_sheet(workbook.sheets().at(0));
}

}  // namespace

TEST(Workbook, ReadsEveryCellType) {
  const std::string rows =
      "<row r=\"1\">"
      "<c r=\"A1\" t=\"s\"><v>0</v></c>"
      "<c r=\"B1\"><v>1234.56</v></c>"
      "<c r=\"C1\" t=\"b\"><v>1</v></c>"
      "<c r=\"D1\" t=\"e\"><v>#DIV/0!</v></c>"
      "<c r=\"E1\" t=\"str\"><f>A1&amp;\"x\"</f><v>Comune di Lodix</v></c>"
      "<c r=\"F1\" t=\"inlineStr\"><is><t>inline</t></is></c>"
      "<c r=\"G1\" t=\"inlineStr\"/><c r=\"K1\" t=\"inlineStr\"><is><t/></is></c>"
      "<c r=\"H1\" s=\"1\"/>"
      "<c r=\"I1\"><f>SUM(B1:B2)</f></c>"
      "<c r=\"J1\" t=\"d\"><v>2021-12-31T00:00:00</v></c>"
      "</row>";
  const Sheet sheet = load_only_sheet(minimal_xlsx(rows, "", kSharedStrings, kStyles), "types.xlsx");
  ASSERT_EQ(at(sheet, "A1").type, CellType::string);
  EXPECT_EQ(at(sheet, "A1").text, "Comune di Lodi");
  EXPECT_EQ(at(sheet, "B1").type, CellType::number);
  EXPECT_DOUBLE_EQ(at(sheet, "B1").number, 1234.56);
  EXPECT_EQ(at(sheet, "B1").text, "1234.56");  // the lexical value, for exact decimal conversion
  EXPECT_EQ(at(sheet, "C1").type, CellType::boolean);
  EXPECT_EQ(at(sheet, "C1").number, 1);
  EXPECT_EQ(at(sheet, "D1").type, CellType::error);
  EXPECT_EQ(at(sheet, "D1").text, "#DIV/0!");
  EXPECT_EQ(at(sheet, "E1").type, CellType::string);
  EXPECT_TRUE(at(sheet, "E1").has_formula);
  EXPECT_EQ(at(sheet, "E1").formula, "A1&\"x\"");
  EXPECT_EQ(at(sheet, "E1").text, "Comune di Lodix");
  EXPECT_EQ(at(sheet, "F1").text, "inline");
  EXPECT_EQ(sheet.cell("G1"), nullptr);  // <c t="inlineStr"/> holds no value, as for openpyxl
  EXPECT_EQ(at(sheet, "K1").type, CellType::string);  // an explicitly empty text is a value
  EXPECT_EQ(at(sheet, "K1").text, "");
  EXPECT_EQ(sheet.cell("H1"), nullptr);  // styled but empty cells are not values
  ASSERT_NE(sheet.cell("I1"), nullptr);   // a formula without cached value is kept
  EXPECT_EQ(at(sheet, "I1").type, CellType::empty);
  EXPECT_EQ(at(sheet, "J1").type, CellType::date);
  EXPECT_DOUBLE_EQ(at(sheet, "J1").number, 44561);
}

TEST(Workbook, JoinsRichTextRunsAndDropsPhoneticText) {
  const Sheet sheet = load_only_sheet(
      minimal_xlsx("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c>"
                   "<c r=\"C1\" t=\"s\"><v>3</v></c>"
                   "<c r=\"D1\" t=\"inlineStr\"><is><r><t>a</t></r><r><rPr><i/></rPr><t>b</t></r></is></c></row>",
                   "", kSharedStrings),
      "rich.xlsx");
  EXPECT_EQ(at(sheet, "A1").text, "Fondo Povertà");
  EXPECT_EQ(at(sheet, "B1").text, "riga1\r\nriga2");  // _x000D_ decoded, phonetic run dropped
  EXPECT_EQ(at(sheet, "C1").text, "");
  EXPECT_EQ(at(sheet, "D1").text, "ab");
}

TEST(Workbook, RecognisesDatesFromBuiltInAndCustomFormats) {
  const Sheet sheet = load_only_sheet(
      minimal_xlsx("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>44561</v></c><c r=\"B1\" s=\"2\"><v>44561</v></c>"
                   "<c r=\"C1\" s=\"3\"><v>44561</v></c><c r=\"D1\" s=\"4\"><v>0.5</v></c></row>",
                   "", "", kStyles),
      "dates.xlsx");
  EXPECT_EQ(at(sheet, "A1").type, CellType::date);    // custom dd/mm/yyyy
  EXPECT_EQ(at(sheet, "B1").type, CellType::number);  // custom euro format
  EXPECT_EQ(at(sheet, "C1").type, CellType::date);    // built-in 14
  EXPECT_EQ(at(sheet, "D1").type, CellType::date);    // built-in 46 [h]:mm:ss
}

TEST(Workbook, Honours1904DateSystem) {
  Workbook workbook = open_package(
      minimal_xlsx("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c></row>", "", "", kStyles, "<workbookPr date1904=\"1\"/>"),
      "d1904.xlsx");
  EXPECT_TRUE(workbook.date1904());
  const Sheet sheet = workbook.load_sheet(workbook.sheets()[0]);
  EXPECT_EQ(to_iso8601(*serial_to_datetime(at(sheet, "A1").number, workbook.date1904())), "1904-01-01T00:00:00");
}

// Excel 2013 and later end workbook.xml with <x15:workbookPr chartTrackingRefBase="1"/> in
// extLst: it says nothing of the date system, so it must not undo the main workbookPr's 1904.
TEST(Workbook, ExtensionWorkbookPrDoesNotReset1904DateSystem) {
  ZipBuilder zip = minimal_xlsx("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c></row>", "", "", kStyles);
  zip.add("xl/workbook.xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
          "xmlns:x15=\"http://schemas.microsoft.com/office/spreadsheetml/2010/11/main\">"
          "<workbookPr date1904=\"1\" defaultThemeVersion=\"166925\"/>"
          "<sheets><sheet name=\"Foglio1\" sheetId=\"1\" r:id=\"rId1\"/></sheets><calcPr calcId=\"191029\"/>"
          "<extLst><ext uri=\"{140A7094-0E35-4892-8432-C4D2E57EDEB5}\">"
          "<x15:workbookPr chartTrackingRefBase=\"1\"/></ext></extLst></workbook>");
  Workbook workbook = open_package(zip, "d1904-x15.xlsx");
  EXPECT_TRUE(workbook.date1904());
  const Sheet sheet = workbook.load_sheet(workbook.sheets()[0]);
  EXPECT_EQ(to_iso8601(*serial_to_datetime(at(sheet, "A1").number, workbook.date1904())), "1904-01-01T00:00:00");

  // The main element counts whatever prefix its namespace is given.
  zip.add("xl/workbook.xml",
          "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><x:workbookPr date1904=\"true\"/>"
          "<x:sheets><x:sheet name=\"Foglio1\" sheetId=\"1\" r:id=\"rId1\"/></x:sheets></x:workbook>");
  EXPECT_TRUE(open_package(zip, "d1904-prefixed.xlsx").date1904());
}

// A date format on a serial no calendar holds (negative, past 9999-12-31) shows a plain
// number in Excel ("#####" at worst): the cell is a number, not a date without a date.
TEST(Workbook, DateFormattedSerialsOutsideTheCalendarAreNumbers) {
  const Sheet sheet = load_only_sheet(
      minimal_xlsx("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>-1</v></c><c r=\"B1\" s=\"1\"><v>2958466</v></c>"
                   "<c r=\"C1\" s=\"3\"><v>1E+20</v></c><c r=\"D1\" s=\"1\"><v>2958465.5</v></c>"
                   "<c r=\"E1\" s=\"4\"><v>-0.25</v></c></row>",
                   "", "", kStyles),
      "not-dates.xlsx");
  EXPECT_EQ(at(sheet, "A1").type, CellType::number);
  EXPECT_DOUBLE_EQ(at(sheet, "A1").number, -1);
  EXPECT_EQ(at(sheet, "B1").type, CellType::number);
  EXPECT_EQ(at(sheet, "C1").type, CellType::number);
  EXPECT_EQ(at(sheet, "D1").type, CellType::date);  // 9999-12-31 12:00, the last day Excel shows
  EXPECT_EQ(at(sheet, "E1").type, CellType::number);
}

TEST(Workbook, PlacesCellsAndRowsWithoutReferences) {
  const Sheet sheet = load_only_sheet(
      minimal_xlsx("<row><c><v>1</v></c><c><v>2</v></c></row><row><c r=\"C2\"><v>3</v></c><c><v>4</v></c></row>"
                   "<row r=\"10\"><c><v>5</v></c></row><row><c><v>6</v></c></row>"),
      "norefs.xlsx");
  EXPECT_EQ(at(sheet, "A1").number, 1);
  EXPECT_EQ(at(sheet, "B1").number, 2);
  EXPECT_EQ(at(sheet, "C2").number, 3);
  EXPECT_EQ(at(sheet, "D2").number, 4);
  EXPECT_EQ(at(sheet, "A10").number, 5);
  EXPECT_EQ(at(sheet, "A11").number, 6);
}

TEST(Workbook, ReadsSparseRowsUpToColumnXfd) {
  const Sheet sheet = load_only_sheet(
      minimal_xlsx("<row r=\"2\"><c r=\"B2\"><v>1</v></c></row><row r=\"1048576\"><c r=\"XFD1048576\"><v>9</v></c></row>"),
      "sparse.xlsx");
  EXPECT_EQ(sheet.cells().size(), 2u);
  EXPECT_EQ(at(sheet, "XFD1048576").number, 9);
  EXPECT_EQ(sheet.cell("A1"), nullptr);
}

TEST(Workbook, OrdersOutOfOrderCellsForRandomAccess) {
  const Sheet sheet = load_only_sheet(
      minimal_xlsx("<row r=\"1\"><c r=\"C1\"><v>3</v></c><c r=\"A1\"><v>1</v></c><c r=\"A1\"><v>7</v></c></row>"),
      "order.xlsx");
  ASSERT_EQ(sheet.cells().size(), 2u);
  EXPECT_EQ(sheet.cells()[0].col, 0u);
  EXPECT_EQ(at(sheet, "A1").number, 7);  // the last write wins
}

TEST(Workbook, ReadsSheetFacts) {
  const std::string after =
      "<mergeCells count=\"1\"><mergeCell ref=\"A1:C1\"/></mergeCells>"
      "<dataValidations count=\"1\"><dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" "
      "promptTitle=\"Macroarea\" prompt=\"Scegliere una lettera\" sqref=\"B2 B4:B6\"><formula1>\"A,B,C\"</formula1>"
      "</dataValidation></dataValidations>"
      "<extLst><ext uri=\"{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}\" xmlns:x14=\"x14\"><x14:dataValidations count=\"1\" "
      "xmlns:xm=\"xm\"><x14:dataValidation type=\"list\"><x14:formula1><xm:f>Liste!$A$1:$A$8</xm:f></x14:formula1>"
      "<xm:sqref>D2:D9</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>";
  const Sheet sheet = load_only_sheet(minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>", after), "facts.xlsx");
  ASSERT_EQ(sheet.facts().merged.size(), 1u);
  EXPECT_EQ(to_a1(sheet.facts().merged[0]), "A1:C1");
  EXPECT_NE(sheet.merged_range_at({0, 2}), nullptr);
  EXPECT_EQ(sheet.merged_range_at({1, 0}), nullptr);
  ASSERT_EQ(sheet.facts().validations.size(), 2u);
  const DataValidation& dv = sheet.facts().validations[0];
  EXPECT_EQ(dv.type, "list");
  EXPECT_TRUE(dv.allow_blank);
  EXPECT_EQ(dv.formula1, "\"A,B,C\"");
  EXPECT_EQ(dv.prompt_title, "Macroarea");
  ASSERT_EQ(dv.ranges.size(), 2u);
  EXPECT_EQ(to_a1(dv.ranges[1]), "B4:B6");
  const DataValidation& x14 = sheet.facts().validations[1];
  EXPECT_EQ(x14.formula1, "Liste!$A$1:$A$8");
  ASSERT_EQ(x14.ranges.size(), 1u);
  EXPECT_EQ(to_a1(x14.ranges[0]), "D2:D9");
}

TEST(Workbook, ReadsWorkbookFacts) {
  ZipBuilder zip = minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
  zip.add("xl/workbook.xml",
          "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
          "<sheet name=\"Scheda progetto\" sheetId=\"1\" r:id=\"rId1\"/>"
          "<sheet name=\"Liste\" sheetId=\"2\" state=\"hidden\" r:id=\"rId1\"/>"
          "<sheet name=\"Segreto\" sheetId=\"3\" state=\"veryHidden\" r:id=\"rId1\"/></sheets>"
          "<definedNames><definedName name=\"TITOLO\">'Scheda progetto'!$C$4</definedName>"
          "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\" hidden=\"1\">'Scheda progetto'!$A$1:$H$80</definedName>"
          "</definedNames></workbook>");
  zip.add("docProps/custom.xml",
          "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" "
          "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
          "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"2\" name=\"consolida_template\">"
          "<vt:lpwstr>premialita</vt:lpwstr></property>"
          "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"3\" name=\"consolida_version\">"
          "<vt:i4>3</vt:i4></property></Properties>");
  Workbook workbook = open_package(zip, "facts-wb.xlsx");
  ASSERT_EQ(workbook.sheets().size(), 3u);
  EXPECT_EQ(workbook.sheets()[1].state, SheetState::hidden);
  EXPECT_EQ(workbook.sheets()[2].state, SheetState::very_hidden);
  EXPECT_EQ(workbook.find_sheet("scheda PROGETTO"), &workbook.sheets()[0]);
  ASSERT_NE(workbook.find_defined_name("titolo"), nullptr);
  EXPECT_EQ(workbook.find_defined_name("titolo")->formula, "'Scheda progetto'!$C$4");
  const DefinedName* print_area = workbook.find_defined_name("_xlnm.Print_Area");
  ASSERT_NE(print_area, nullptr);
  EXPECT_EQ(print_area->local_sheet, 0u);
  EXPECT_TRUE(print_area->hidden);
  ASSERT_NE(workbook.find_custom_property("consolida_template"), nullptr);
  EXPECT_EQ(workbook.find_custom_property("consolida_template")->value, "premialita");
  EXPECT_EQ(workbook.find_custom_property("consolida_version")->type, "i4");
  EXPECT_EQ(workbook.find_custom_property("consolida_version")->value, "3");
}

TEST(Workbook, StreamingStopsWhenTheCallbackSaysSo) {
  std::string rows;
  for (int r = 1; r <= 100; ++r) rows += "<row r=\"" + std::to_string(r) + "\"><c><v>" + std::to_string(r) + "</v></c></row>";
  Workbook workbook = open_package(minimal_xlsx(rows), "stop.xlsx");
  int seen = 0;
  workbook.stream_sheet(workbook.sheets()[0], [&](const RowView&) { return ++seen < 10; });
  EXPECT_EQ(seen, 10);
}

TEST(Workbook, MissingSharedStringTableIsAnErrorOnlyWhenUsed) {
  Workbook fine = open_package(minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), "nosst-ok.xlsx");
  EXPECT_EQ(fine.load_sheet(fine.sheets()[0]).cells().size(), 1u);
  Workbook broken = open_package(minimal_xlsx("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"), "nosst.xlsx");
  try {
    broken.load_sheet(broken.sheets()[0]);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::malformed_xml);
    EXPECT_EQ(error.location().part, "xl/worksheets/sheet1.xml");
    EXPECT_NE(error.message(consolida::Lang::it).find("A1"), std::string::npos);
  }
}

TEST(Workbook, MissingWorkbookPartIsReported) {
  ZipBuilder zip;
  zip.add("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>");
  try {
    Workbook::open(zip.write(temp_path("noworkbook.xlsx")));
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::missing_part);
    EXPECT_NE(error.message(consolida::Lang::it).find("xl/workbook.xml"), std::string::npos);
  }
}

TEST(Workbook, WideRowsOfOrdinaryCellsAreNotMistakenForOneHugeCell) {
  // 2,000 inline cells of 1 KiB each: 2 MiB in one row, above the 1 MiB limit for a single cell.
  std::string cells;
  for (int c = 0; c < 2000; ++c) cells += "<c t=\"inlineStr\"><is><t>" + std::string(1024, 'a' + c % 26) + "</t></is></c>";
  const Sheet sheet = load_only_sheet(minimal_xlsx("<row r=\"1\">" + cells + "</row>"), "wide.xlsx");
  ASSERT_EQ(sheet.cells().size(), 2000u);
  EXPECT_EQ(sheet.cells().back().text, std::string(1024, 'a' + 1999 % 26));
}

TEST(Workbook, FormReadingSkipsDataValidationsButKeepsCellsAndMerges) {
  const std::string after =
      "<mergeCells count=\"1\"><mergeCell ref=\"A1:C1\"/></mergeCells>"
      "<dataValidations count=\"1\"><dataValidation type=\"list\" sqref=\"B2\"><formula1>\"A,B\"</formula1>"
      "</dataValidation></dataValidations>";
  Workbook workbook = open_package(minimal_xlsx("<row r=\"1\"><c r=\"A1\"><v>7</v></c></row>", after), "skip-dv.xlsx");
  const Sheet full = workbook.load_sheet(workbook.sheets().at(0));
  const Sheet lean = workbook.load_sheet(workbook.sheets().at(0), SheetReading{.data_validations = false});
  EXPECT_EQ(full.facts().validations.size(), 1u);
  EXPECT_TRUE(lean.facts().validations.empty());
  EXPECT_EQ(lean.facts().merged.size(), 1u);
  EXPECT_EQ(at(lean, "A1").number, 7.0);
}

// Files up to 4 MiB are read whole and parsed from memory; larger ones are streamed from disk
// part by part. Both ways must see the same workbook.
TEST(Workbook, LargeFilesStreamedFromDiskReadLikeSmallFilesReadWhole) {
  std::string rows;
  for (int r = 1; r <= 200; ++r) {
    rows += "<row r=\"" + std::to_string(r) + "\"><c r=\"A" + std::to_string(r) + "\" t=\"s\"><v>" + std::to_string(r % 2) +
            "</v></c><c r=\"B" + std::to_string(r) + "\"><v>" + std::to_string(r * 1.25) + "</v></c></row>";
  }
  ZipBuilder zip = minimal_xlsx(rows, "", kSharedStrings);
  std::string padding(5u << 20, '\0');
  for (std::size_t i = 0; i < padding.size(); i += 4096) padding[i] = static_cast<char>(i / 4096);
  zip.add("xl/media/padding.bin", padding, false);  // stored: the file itself is over 4 MiB
  const std::string path = zip.write(temp_path("large.xlsx"));
  Workbook streamed = Workbook::open(path);
  Workbook whole = Workbook::open_bytes(zip.build(), "large.xlsx");
  const Sheet a = streamed.load_sheet(streamed.sheets().at(0));
  const Sheet b = whole.load_sheet(whole.sheets().at(0));
  ASSERT_EQ(a.cells().size(), 400u);
  ASSERT_EQ(b.cells().size(), a.cells().size());
  for (std::size_t i = 0; i < a.cells().size(); ++i) {
    EXPECT_EQ(a.cells()[i].text, b.cells()[i].text);
    EXPECT_EQ(a.cells()[i].number, b.cells()[i].number);
  }
  EXPECT_EQ(at(a, "A1").text, "Fondo Povertà");
  EXPECT_EQ(at(b, "A2").text, "Comune di Lodi");
  EXPECT_EQ(at(b, "B200").number, 250.0);
}
