#include "xlsx/read_ahead.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "consolida/xlsx.hpp"
#include "support/zip_builder.hpp"
#include "xlsx/xml_reader.hpp"

using namespace consolida::xlsx;
using consolida::Error;
using consolida::ErrorCode;
using consolida::testing::minimal_xlsx;
using consolida::testing::temp_path;
using consolida::testing::worksheet;
using consolida::testing::ZipBuilder;
using consolida::testing::ZipItem;

namespace {

std::string random_bytes(std::size_t n) {
  std::mt19937 rng(7);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

// Yields its data, then fails: the consumer must see every byte before the error.
class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(std::string data) : data_(std::move(data)) {}
  std::size_t read(char* buffer, std::size_t n) override {
    if (pos_ == data_.size()) throw Error(ErrorCode::corrupt_archive, "rotto", "broken");
    const std::size_t take = std::min(n, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

std::string big_sheet_rows(int rows) {
  std::string xml;
  for (int r = 1; r <= rows; ++r) {
    const std::string n = std::to_string(r);
    xml += "<row r=\"" + n + "\"><c r=\"A" + n + "\"><v>" + n + "</v></c><c r=\"B" + n + "\" t=\"inlineStr\"><is><t>riga " + n +
           "</t></is></c></row>";
  }
  return xml;
}

}  // namespace

TEST(ReadAhead, DeliversTheSameBytesInOrder) {
  const std::string data = random_bytes(1 << 20);
  ReadAheadSource source(std::make_unique<MemorySource>(data), 1000, 3);
  std::string out;
  std::vector<char> buffer(777);
  std::size_t round = 0;
  while (true) {
    const std::size_t want = 1 + (round++ * 131) % buffer.size();
    const std::size_t got = source.read(buffer.data(), want);
    if (got == 0) break;
    out.append(buffer.data(), got);
  }
  EXPECT_EQ(out, data);
  char extra;
  EXPECT_EQ(source.read(&extra, 1), 0u);
}

TEST(ReadAhead, RethrowsTheInnerErrorAfterTheBytesBeforeIt) {
  const std::string data = random_bytes(10000);
  ReadAheadSource source(std::make_unique<FailingSource>(data), 1024, 2);
  std::string out;
  std::vector<char> buffer(300);
  try {
    while (const std::size_t got = source.read(buffer.data(), buffer.size())) out.append(buffer.data(), got);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::corrupt_archive);
  }
  EXPECT_EQ(out, data.substr(0, out.size()));
  EXPECT_GE(out.size(), 9 * 1024u);  // every complete block came through first
}

TEST(ReadAhead, CanBeAbandonedMidStream) {
  const std::string data = random_bytes(1 << 20);  // MemorySource only views it
  ReadAheadSource source(std::make_unique<MemorySource>(data), 4096, 2);
  char buffer[100];
  EXPECT_EQ(source.read(buffer, sizeof buffer), sizeof buffer);
  // The destructor must stop the producer, which is blocked waiting for a free block.
}

TEST(ReadAhead, LargeSheetsReadTheSameThroughTheSecondThread) {
  const int rows = 120000;  // about 8 MB of sheet XML: past the read-ahead threshold
  const std::string path = minimal_xlsx(big_sheet_rows(rows)).write(temp_path("big.xlsx"));
  Workbook workbook = Workbook::open(path);
  std::uint64_t sum = 0;
  int seen = 0;
  const SheetFacts facts = workbook.stream_sheet(workbook.sheets()[0], [&](const RowView& row) {
    ++seen;
    EXPECT_EQ(row.row + 1, static_cast<std::uint32_t>(seen));
    sum += static_cast<std::uint64_t>(row.cells[0].number);
    EXPECT_EQ(row.cells[1].text, "riga " + std::to_string(seen));
    return true;
  });
  EXPECT_EQ(seen, rows);
  EXPECT_EQ(facts.cells_read, 2u * rows);
  EXPECT_EQ(sum, static_cast<std::uint64_t>(rows) * (rows + 1) / 2);
  int stopped_after = 0;
  workbook.stream_sheet(workbook.sheets()[0], [&](const RowView&) { return ++stopped_after < 5; });
  EXPECT_EQ(stopped_after, 5);
}

TEST(ReadAhead, CorruptionInALargeSheetIsReportedWithItsPart) {
  ZipBuilder zip = minimal_xlsx("");
  zip.add(ZipItem{"xl/worksheets/sheet1.xml", worksheet(big_sheet_rows(120000)), true, std::nullopt, 0xBADC0DEu, 0, 0});
  const std::string path = zip.write(temp_path("big-badcrc.xlsx"));
  Workbook workbook = Workbook::open(path);
  try {
    workbook.stream_sheet(workbook.sheets()[0], [](const RowView&) { return true; });
    ADD_FAILURE() << "bad CRC not reported";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::corrupt_archive);
    EXPECT_EQ(error.location().part, "xl/worksheets/sheet1.xml");
    EXPECT_EQ(error.location().file, path);
  }
}

// The read-ahead thread checks UTF-8 for the XML reader: the same refusals at the same line and
// column as when the reader checks it itself, and characters split across blocks are whole.
TEST(ReadAhead, XmlReaderFindsTheSameUtf8ErrorsWhereTheyAre) {
  const auto outcome = [](const std::string& xml, bool read_ahead) {
    std::unique_ptr<ByteSource> source = std::make_unique<MemorySource>(xml);
    if (read_ahead) source = std::make_unique<ReadAheadSource>(std::move(source), 1000, 3);
    const Limits limits;
    XmlReader reader(*source, limits);
    try {
      std::size_t events = 0;
      for (XmlReader::Event e = reader.next(); e != XmlReader::Event::eof; e = reader.next()) ++events;
      return "read " + std::to_string(events) + " events";
    } catch (const Error& error) {
      return std::string(consolida::error_code_id(error.code())) + " at " + std::to_string(error.location().line) + ":" +
             std::to_string(error.location().column) + " " + error.describe(consolida::Lang::en);
    }
  };
  std::string lead = "<a>\n";
  while (lead.size() < 2990) lead += "<b>Città € \xF0\x9F\x98\x80</b>\n";  // multi-byte characters across block ends
  const std::vector<std::string> tails = {
      "Lod\xFF</a>", "\xC0\x80</a>", "\xED\xA0\x80</a>", "\x80</a>", "<c x='\xE2\x82'/></a>", "ok</a>", "\xC3",
      "ok</a>\xE2\x82",
  };
  for (const std::string& tail : tails) {
    for (std::size_t pad = 0; pad < 4; ++pad) {
      const std::string xml = lead + std::string(pad, ' ') + tail;
      const std::string direct = outcome(xml, false);
      EXPECT_EQ(outcome(xml, true), direct) << ::testing::PrintToString(tail) << " pad " << pad;
      if (tail.starts_with("ok</a>") && tail.size() == 6) {
        EXPECT_TRUE(direct.starts_with("read")) << direct;
      } else {
        EXPECT_TRUE(direct.starts_with("xml-non-valido")) << direct;
      }
    }
  }
}
