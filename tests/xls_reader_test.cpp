// The Excel 97-2003 (.xls) reader: corpus files read as LibreOffice reads them (values checked
// against calamine-expected-libreoffice/*.json), and hostile compound files and BIFF records
// refused cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "consolida/xlsx.hpp"

namespace fs = std::filesystem;
using namespace consolida::xlsx;
using consolida::Error;
using consolida::ErrorCode;
using consolida::Lang;

namespace {

const fs::path kCalamine = fs::path(CONSOLIDA_SHARED_DIR) / "corpus" / "calamine";

Workbook open_corpus(const std::string& name) { return Workbook::open((kCalamine / name).string()); }

const Cell& cell_at(const Sheet& sheet, std::string_view a1) {
  static const Cell kNone{};
  const Cell* cell = sheet.cell(a1);
  EXPECT_NE(cell, nullptr) << sheet.name() << "!" << a1;
  return cell ? *cell : kNone;
}

std::string iso(const Workbook& book, const Cell& cell) {
  const auto dt = serial_to_datetime(cell.number, book.date1904());
  return dt ? to_iso8601(*dt) : std::string("?");
}

#define SKIP_WITHOUT_CORPUS() \
  if (!fs::exists(kCalamine)) GTEST_SKIP() << "no shared corpus at " << kCalamine

// ---- little-endian builders of BIFF8 records and OLE2 compound files ----

std::string le16(std::uint32_t v) { return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)}; }
std::string le32(std::uint32_t v) { return le16(v & 0xFFFF) + le16(v >> 16); }

std::string record(std::uint16_t type, const std::string& data) { return le16(type) + le16(static_cast<std::uint32_t>(data.size())) + data; }
std::string bof(std::uint16_t substream) { return record(0x0809, le16(0x0600) + le16(substream) + std::string(12, '\0')); }
std::string eof() { return record(0x000A, ""); }
std::string cell_head(std::uint16_t row, std::uint16_t col) { return le16(row) + le16(col) + le16(0); }
std::string number(std::uint16_t row, std::uint16_t col, double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, 8);
  return record(0x0203, cell_head(row, col) + le32(static_cast<std::uint32_t>(bits)) + le32(static_cast<std::uint32_t>(bits >> 32)));
}
std::string short_string(const std::string& ascii) { return std::string(1, static_cast<char>(ascii.size())) + '\0' + ascii; }

// A workbook stream: globals (with extra records) and one worksheet "Foglio1" holding sheet_records.
std::string workbook_stream(const std::string& sheet_records, const std::string& globals_extra = "") {
  const std::string name = short_string("Foglio1");
  const std::size_t boundsheet_bytes = 4 + 6 + name.size();
  const std::size_t offset = bof(5).size() + globals_extra.size() + boundsheet_bytes + eof().size();
  const std::string globals = bof(5) + globals_extra + record(0x0085, le32(static_cast<std::uint32_t>(offset)) + '\0' + '\0' + name) + eof();
  return globals + bof(0x10) + sheet_records + eof();
}

// A version 3 compound file (512-byte sectors, one FAT sector, one directory sector) holding the
// given root streams, each in regular sectors (the header's mini-stream cutoff is 0).
struct Compound {
  std::string bytes;
  static constexpr std::size_t kFat = 512;        // file offset of FAT sector 0
  static constexpr std::size_t kDirectory = 1024;  // file offset of the directory (sector 1)
  std::size_t fat_entry(std::uint32_t sector) const { return kFat + 4 * sector; }
  std::size_t entry(std::uint32_t index) const { return kDirectory + 128 * index; }
  void put32(std::size_t at, std::uint32_t v) { bytes.replace(at, 4, le32(v)); }
};

Compound compound(const std::vector<std::pair<std::string, std::string>>& streams) {
  std::string header(512, '\0');
  header.replace(0, 8, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
  header.replace(0x18, 4, le16(0x3E) + le16(3));
  header.replace(0x1C, 6, le16(0xFFFE) + le16(9) + le16(6));
  header.replace(0x2C, 4, le32(1));              // one FAT sector
  header.replace(0x30, 4, le32(1));              // directory at sector 1
  header.replace(0x38, 4, le32(0));              // mini-stream cutoff: none
  header.replace(0x3C, 4, le32(0xFFFFFFFE));     // no mini FAT
  header.replace(0x44, 4, le32(0xFFFFFFFE));     // no DIFAT sectors
  for (std::size_t i = 0; i < 109; ++i) header.replace(0x4C + 4 * i, 4, le32(i == 0 ? 0 : 0xFFFFFFFF));
  std::vector<std::uint32_t> fat(128, 0xFFFFFFFF);
  fat[0] = 0xFFFFFFFD;
  fat[1] = 0xFFFFFFFE;
  std::string directory(512, '\0');
  std::string data;
  const auto dir_entry = [&](std::size_t index, const std::string& name, std::uint8_t type, std::uint32_t child, std::uint32_t right,
                             std::uint32_t start, std::uint32_t size) {
    std::string e(128, '\0');
    for (std::size_t i = 0; i < name.size(); ++i) e[2 * i] = name[i];
    e.replace(0x40, 2, le16(static_cast<std::uint32_t>(2 * name.size() + 2)));
    e[0x42] = static_cast<char>(type);
    e.replace(0x44, 12, le32(0xFFFFFFFF) + le32(right) + le32(child));
    e.replace(0x74, 4, le32(start));
    e.replace(0x78, 4, le32(size));
    directory.replace(128 * index, 128, e);
  };
  dir_entry(0, "Root Entry", 5, 1, 0xFFFFFFFF, 0xFFFFFFFE, 0);
  std::uint32_t next_sector = 2;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const std::string& content = streams[i].second;
    const std::uint32_t sectors = static_cast<std::uint32_t>((content.size() + 511) / 512);
    EXPECT_LT(next_sector + sectors, 128u) << "test builder: stream too large";
    for (std::uint32_t s = 0; s < sectors; ++s) fat[next_sector + s] = s + 1 < sectors ? next_sector + s + 1 : 0xFFFFFFFE;
    dir_entry(i + 1, streams[i].first, 2, 0xFFFFFFFF, i + 1 < streams.size() ? static_cast<std::uint32_t>(i + 2) : 0xFFFFFFFF,
              sectors ? next_sector : 0xFFFFFFFE, static_cast<std::uint32_t>(content.size()));
    data += content + std::string(sectors * 512 - content.size(), '\0');
    next_sector += sectors;
  }
  std::string fat_sector;
  for (const std::uint32_t v : fat) fat_sector += le32(v);
  return Compound{header + fat_sector + directory + data};
}

Compound xls_with(const std::string& sheet_records, const std::string& globals_extra = "") {
  return compound({{"Workbook", workbook_stream(sheet_records, globals_extra)}});
}

std::vector<Cell> read_all(const std::string& bytes) {
  Workbook book = Workbook::open_bytes(bytes, "prova.xls");
  return book.load_sheet(book.sheets().at(0)).cells();
}

void expect_refused(const std::string& bytes, ErrorCode code, const std::string& what) {
  try {
    read_all(bytes);
    ADD_FAILURE() << what << ": not refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << what << ": " << error.message(Lang::en);
    EXPECT_FALSE(error.message(Lang::it).empty()) << what;
    EXPECT_FALSE(error.message(Lang::en).empty()) << what;
    EXPECT_EQ(error.location().file, "prova.xls") << what;
  }
}

}  // namespace

// ---- corpus files, values as in calamine-expected-libreoffice/<file>.json ----

TEST(XlsReader, DatesInThe1900System) {
  SKIP_WITHOUT_CORPUS();
  Workbook book = open_corpus("date.xls");
  EXPECT_FALSE(book.date1904());
  const Sheet sheet = book.load_sheet(book.sheets().at(0));
  EXPECT_EQ(cell_at(sheet, "A1").type, CellType::date);
  EXPECT_EQ(iso(book, cell_at(sheet, "A1")), "2021-01-01T00:00:00");
  EXPECT_EQ(iso(book, cell_at(sheet, "A2")), "2021-01-02T00:00:00");
  EXPECT_EQ(cell_at(sheet, "B1").type, CellType::number);
  EXPECT_EQ(cell_at(sheet, "B1").number, 15);
  EXPECT_EQ(cell_at(sheet, "B1").text, "15");
  // An elapsed time of 10 days 15:10:10 ([h]:mm:ss).
  EXPECT_TRUE(is_duration_format(book.number_format(cell_at(sheet, "A3").style)));
  EXPECT_NEAR(cell_at(sheet, "A3").number, 10 + (15 * 3600 + 10 * 60 + 10) / 86400.0, 1e-9);
}

TEST(XlsReader, DatesInThe1904System) {
  SKIP_WITHOUT_CORPUS();
  Workbook book = open_corpus("date_1904.xls");
  EXPECT_TRUE(book.date1904());
  const Sheet sheet = book.load_sheet(book.sheets().at(0));
  EXPECT_EQ(cell_at(sheet, "A1").type, CellType::date);
  EXPECT_EQ(iso(book, cell_at(sheet, "A1")), "2021-01-01T00:00:00");
  EXPECT_EQ(iso(book, cell_at(sheet, "A2")), "2021-01-02T00:00:00");
  // A formula's cached date, 1904 system.
  Workbook formula = open_corpus("formula-date-format.xls");
  const Sheet f = formula.load_sheet(formula.sheets().at(0));
  EXPECT_TRUE(cell_at(f, "A2").has_formula);
  EXPECT_EQ(cell_at(f, "A2").type, CellType::date);
  EXPECT_EQ(iso(formula, cell_at(f, "A2")), "2017-02-28T00:00:00");
}

TEST(XlsReader, SharedStringsAcrossContinueRecords) {
  SKIP_WITHOUT_CORPUS();
  Workbook book = open_corpus("sst_continue.xls");
  const Sheet sheet = book.load_sheet(book.sheets().at(0));
  EXPECT_EQ(sheet.cells().size(), 136u);
  for (int row = 1; row <= 134; ++row) {
    char expected[80];
    std::snprintf(expected, sizeof expected, "This is a long string with a serial number at the end %04d", row);
    EXPECT_EQ(cell_at(sheet, "A" + std::to_string(row)).text, expected);
  }
  // The file's last two strings, as written: one cut short, then one that starts a CONTINUE record.
  EXPECT_EQ(cell_at(sheet, "A135").text, "This is a long string with a serial num");
  EXPECT_EQ(cell_at(sheet, "A136").text, "New CONTINUE block");
}

TEST(XlsReader, RichTextAndBiff5) {
  SKIP_WITHOUT_CORPUS();
  Workbook rich = open_corpus("biff5-rich-text-string.xls");
  const Sheet r = rich.load_sheet(rich.sheets().at(0));
  EXPECT_EQ(cell_at(r, "A1").text, "ELECTORAL DIVISION OF SOMERSET EAST ; FIELD-CÓRNËTCY No. 5, ZWAGERSHÓÊN.");
  Workbook biff5 = open_corpus("biff5_write.xls");
  ASSERT_EQ(biff5.sheets().at(0).name, "SheetJS");
  const Sheet b = biff5.load_sheet(biff5.sheets().at(0));
  EXPECT_EQ(cell_at(b, "C1").number, 3);
  EXPECT_EQ(cell_at(b, "A2").type, CellType::boolean);
  EXPECT_EQ(cell_at(b, "A2").number, 1);
  EXPECT_EQ(cell_at(b, "B2").number, 0);
  EXPECT_EQ(cell_at(b, "D2").text, "sheetjs");
  EXPECT_EQ(cell_at(b, "A3").text, "foo");
  EXPECT_EQ(iso(biff5, cell_at(b, "C3")), "2014-02-19T14:30:00");
}

TEST(XlsReader, RkMulRkAndFormulaResults) {
  SKIP_WITHOUT_CORPUS();
  Workbook book = open_corpus("issues.xls");
  const Sheet types = book.load_sheet(*book.find_sheet("datatypes"));
  EXPECT_EQ(cell_at(types, "A1").number, 1);
  EXPECT_EQ(cell_at(types, "A2").number, 1.5);
  EXPECT_EQ(cell_at(types, "A2").text, "1.5");
  EXPECT_EQ(cell_at(types, "A3").text, "ab");
  EXPECT_EQ(iso(book, cell_at(types, "A6")), "2016-10-20T00:00:00");
  const Sheet issue5 = book.load_sheet(*book.find_sheet("issue5"));
  EXPECT_EQ(cell_at(issue5, "A1").number, 0.5);
  // Defined names, rendered as Excel writes them.
  ASSERT_NE(book.find_defined_name("MyDataTypes"), nullptr);
  EXPECT_EQ(book.find_defined_name("MyDataTypes")->formula, "datatypes!$A$1:$A$6");

  Workbook formulas = open_corpus("xls_formula.xls");
  const Sheet f = formulas.load_sheet(formulas.sheets().at(0));
  EXPECT_TRUE(cell_at(f, "A3").has_formula);
  EXPECT_EQ(cell_at(f, "A3").number, 110);
  EXPECT_EQ(cell_at(f, "A4").number, 65);
  // A formula whose cached result is text (FORMULA then STRING).
  Workbook strings = open_corpus("xls_ref_String.xls");
  const Sheet s = strings.load_sheet(strings.sheets().at(0));
  EXPECT_TRUE(cell_at(s, "A4").has_formula);
  EXPECT_EQ(cell_at(s, "A4").type, CellType::string);
  EXPECT_EQ(cell_at(s, "A4").text, "bb");
}

TEST(XlsReader, MergedRangesAndSheetVisibility) {
  SKIP_WITHOUT_CORPUS();
  Workbook merged = open_corpus("merge_cells.xls");
  const Sheet m = merged.load_sheet(merged.sheets().at(0));
  std::vector<std::string> ranges;
  for (const Range& r : m.facts().merged) ranges.push_back(to_a1(r));
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges, (std::vector<std::string>{"A1:B1", "A2:A4", "B2:D4"}));

  Workbook any = open_corpus("any_sheets.xls");
  ASSERT_EQ(any.sheets().size(), 4u);
  EXPECT_EQ(any.sheets()[0].state, SheetState::visible);
  EXPECT_EQ(any.sheets()[1].name, "Hidden");
  EXPECT_EQ(any.sheets()[1].state, SheetState::hidden);
  EXPECT_EQ(any.sheets()[2].state, SheetState::very_hidden);
  EXPECT_EQ(any.sheets()[3].kind, SheetKind::chartsheet);
  EXPECT_EQ(any.load_sheet(any.sheets()[3]).cells().size(), 0u);

  Workbook chinese = open_corpus("issue219.xls");
  EXPECT_EQ(chinese.sheets().at(0).name, "工作表1");
}

TEST(XlsReader, RefusesWhatItCannotRead) {
  SKIP_WITHOUT_CORPUS();
  const std::vector<std::pair<std::string, ErrorCode>> cases = {
      {"too_small.xls", ErrorCode::unsupported_format},  // a text file named .xls
      {"issue_385.xls", ErrorCode::encrypted},           // FILEPASS
      {"OOM_alloc3.xls", ErrorCode::corrupt_archive},    // chains that leave the file
  };
  for (const auto& [name, code] : cases) {
    try {
      open_corpus(name);
      ADD_FAILURE() << name << " was not refused";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), code) << name << ": " << error.message(Lang::en);
    }
  }
}

// ---- hand-built files ----

TEST(XlsReader, ReadsFromMemoryAndFromLargeFiles) {
  const std::string bytes = xls_with(number(2, 1, 1234.56) + number(2, 3, -7)).bytes;
  const std::vector<Cell> cells = read_all(bytes);
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(to_a1(CellRef{cells[0].row, cells[0].col}), "B3");
  EXPECT_EQ(cells[0].text, "1234.56");
  EXPECT_EQ(cells[1].number, -7);
  // Beyond the size read at once (4 MB): unused sectors at the end make the file large.
  const fs::path big = fs::temp_directory_path() / "consolida-xls-grande.xls";
  std::ofstream(big, std::ios::binary) << bytes << std::string(5u << 20, '\0');
  Workbook book = Workbook::open(big.string());
  EXPECT_EQ(book.load_sheet(book.sheets().at(0)).cell("B3")->number, 1234.56);
  fs::remove(big);
}

TEST(XlsReader, UserDefinedPropertiesCarryTheTemplateIdentity) {
  // \005DocumentSummaryInformation: one section, the user-defined one, code page 1252.
  const std::string fmtid("\x05\xD5\xCD\xD5\x9C\x2E\x1B\x10\x93\x97\x08\x00\x2B\x2C\xF9\xAE", 16);
  const auto lpstr = [](const std::string& s) {
    std::string v = le32(0x1E) + le32(static_cast<std::uint32_t>(s.size() + 1)) + s + '\0';
    return v + std::string((4 - v.size() % 4) % 4, '\0');
  };
  const auto dict_entry = [](std::uint32_t id, const std::string& s) { return le32(id) + le32(static_cast<std::uint32_t>(s.size() + 1)) + s + '\0'; };
  std::string dictionary = le32(2) + dict_entry(2, "consolida_modulo") + dict_entry(3, "consolida_versione");
  dictionary += std::string((4 - dictionary.size() % 4) % 4, '\0');
  const std::string codepage = le32(0x02) + le16(1252) + le16(0);
  const std::vector<std::pair<std::uint32_t, std::string>> props = {{0, dictionary}, {1, codepage}, {2, lpstr("premialita")}, {3, lpstr("2021.1")}};
  std::string body;
  std::string index;
  const std::uint32_t head = 8 + 8 * static_cast<std::uint32_t>(props.size());
  for (const auto& [id, value] : props) {
    index += le32(id) + le32(head + static_cast<std::uint32_t>(body.size()));
    body += value;
  }
  const std::string section = le32(head + static_cast<std::uint32_t>(body.size())) + le32(static_cast<std::uint32_t>(props.size())) + index + body;
  const std::string stream = le16(0xFFFE) + le16(0) + le32(0x00020006) + std::string(16, '\0') + le32(1) + fmtid + le32(48) + section;
  const Compound file = compound({{"Workbook", workbook_stream(number(0, 0, 1))}, {"\x05" "DocumentSummaryInformation", stream}});
  Workbook book = Workbook::open_bytes(file.bytes, "modello.xls");
  ASSERT_NE(book.find_custom_property("consolida_modulo"), nullptr);
  EXPECT_EQ(book.find_custom_property("consolida_modulo")->value, "premialita");
  ASSERT_NE(book.find_custom_property("consolida_versione"), nullptr);
  EXPECT_EQ(book.find_custom_property("consolida_versione")->value, "2021.1");
  EXPECT_EQ(book.find_custom_property("consolida_versione")->type, "lpwstr");
}

TEST(XlsReader, HostileCompoundFilesAreRefused) {
  const Compound good = xls_with(number(0, 0, 1) + std::string());
  ASSERT_EQ(read_all(good.bytes).size(), 1u);
  const std::uint32_t workbook_sector = 2;

  // The stream's chain comes back to itself.
  Compound two = compound({{"Workbook", workbook_stream(record(0x0200, std::string(14, '\0')) + std::string(600, '\0'))}});
  two.put32(two.fat_entry(workbook_sector), workbook_sector);
  expect_refused(two.bytes, ErrorCode::corrupt_archive, "FAT loop");

  Compound out_of_range = good;
  out_of_range.put32(out_of_range.fat_entry(workbook_sector), 0x00100000);
  out_of_range.put32(out_of_range.entry(1) + 0x78, 600);
  expect_refused(out_of_range.bytes, ErrorCode::corrupt_archive, "chain out of range");

  Compound entry_outside = good;
  entry_outside.put32(entry_outside.entry(1) + 0x74, 5000);
  expect_refused(entry_outside.bytes, ErrorCode::corrupt_archive, "directory entry outside the file");

  Compound absurd_size = good;
  absurd_size.put32(absurd_size.entry(1) + 0x78, 0x7FFFFFFF);
  expect_refused(absurd_size.bytes, ErrorCode::corrupt_archive, "stream size 2^31");

  Compound difat_loop = good;  // a DIFAT sector whose next pointer is itself
  difat_loop.put32(0x44, 3);
  difat_loop.put32(0x48, 1);
  difat_loop.bytes += std::string(512, '\xFF');
  difat_loop.put32(512 * 4 + 508, 3);
  expect_refused(difat_loop.bytes, ErrorCode::corrupt_archive, "DIFAT loop");

  Compound directory_loop = compound({{"Altro", "x"}, {"Workbook", workbook_stream(number(0, 0, 1))}});
  directory_loop.put32(directory_loop.entry(1) + 0x48, 1);  // "Altro" is its own right sibling
  expect_refused(directory_loop.bytes, ErrorCode::corrupt_archive, "directory loop");

  Compound bad_header = good;
  bad_header.bytes[0x1E] = 10;  // sector shift 10
  expect_refused(bad_header.bytes, ErrorCode::corrupt_archive, "sector shift");

  expect_refused(good.bytes.substr(0, 1300), ErrorCode::corrupt_archive, "truncated after the directory's second entry");
  expect_refused(good.bytes.substr(0, 1536 + 20), ErrorCode::corrupt_archive, "truncated in the stream");
}

TEST(XlsReader, HostileRecordsAreRefusedOrBounded) {
  // A record whose length runs past the end of the stream.
  std::string stream = workbook_stream(number(0, 0, 1));
  stream += le16(0x0203) + le16(0xFFFF) + "abc";
  const std::string past_end = compound({{"Workbook", stream}}).bytes;
  // The sheet's records stop at its EOF: the bad record after it is never read...
  EXPECT_EQ(read_all(past_end).size(), 1u);
  // ...but one inside the sheet is refused.
  std::string inside = workbook_stream(number(0, 0, 1) + le16(0x0203) + le16(0x2000) + "abc");
  inside.resize(inside.size() - eof().size());
  expect_refused(compound({{"Workbook", inside}}).bytes, ErrorCode::corrupt_archive, "record past the end");

  // A cell record shorter than its fields.
  expect_refused(xls_with(record(0x0203, cell_head(0, 0) + "1234")).bytes, ErrorCode::corrupt_archive, "short NUMBER");

  // An SST that declares 2^31 strings but holds one: the count bounds nothing.
  const std::string sst = record(0x00FC, le32(0x80000000) + le32(0x80000000) + le16(2) + '\0' + "ok");
  const auto start = std::chrono::steady_clock::now();
  std::vector<Cell> cells = read_all(xls_with(record(0x00FD, cell_head(0, 0) + le32(0)), sst).bytes);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].text, "ok");
  // A cell that points past the SST names the cell.
  try {
    read_all(xls_with(record(0x00FD, cell_head(4, 2) + le32(7)), sst).bytes);
    ADD_FAILURE() << "LABELSST past the SST not refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::corrupt_archive);
    EXPECT_NE(error.message(Lang::it).find("C5"), std::string::npos) << error.message(Lang::it);
  }

  // CONTINUE misuse: characters announced past the SST, with an empty CONTINUE after it.
  const std::string split = record(0x00FC, le32(1) + le32(1) + le16(100) + '\0' + "tronca") + record(0x003C, "");
  expect_refused(xls_with("", split).bytes, ErrorCode::corrupt_archive, "string past its CONTINUE");
  const std::string huge_ext = record(0x00FC, le32(1) + le32(1) + le16(1) + '\x04' + le32(0xFFFFFFF0) + "x");
  expect_refused(xls_with("", huge_ext).bytes, ErrorCode::corrupt_archive, "extended string block past the end");

  // An absurd DIMENSION sizes nothing.
  const std::string dimension = record(0x0200, le32(0) + le32(0xFFFFFFFF) + le16(0) + le16(0xFFFF) + le16(0));
  cells = read_all(xls_with(dimension + number(1, 1, 2)).bytes);
  ASSERT_EQ(cells.size(), 1u);

  // A column beyond XFD.
  expect_refused(xls_with(number(0, 20000, 1)).bytes, ErrorCode::limit_exceeded, "column beyond XFD");

  // An encrypted workbook (FILEPASS) names the password.
  expect_refused(xls_with("", record(0x002F, le16(1) + std::string(52, '\0'))).bytes, ErrorCode::encrypted, "FILEPASS");

  // A stream that does not start with BOF, and one of Excel 4.
  expect_refused(compound({{"Workbook", number(0, 0, 1)}}).bytes, ErrorCode::corrupt_archive, "no BOF");
  expect_refused(compound({{"Workbook", record(0x0409, std::string(6, '\0'))}}).bytes, ErrorCode::unsupported_format, "BIFF4");
  // A compound file without a workbook stream is another Office document.
  expect_refused(compound({{"WordDocument", std::string(100, 'x')}}).bytes, ErrorCode::unsupported_format, "a .doc");
}
