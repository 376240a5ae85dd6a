#include "xlsx/zip_archive.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "support/zip_builder.hpp"

using namespace consolida::xlsx;
using consolida::Error;
using consolida::ErrorCode;
using consolida::testing::temp_path;
using consolida::testing::ZipBuilder;
using consolida::testing::ZipItem;

namespace {

// An archive read from its file (pread per part) and the same bytes held in memory.
std::vector<std::unique_ptr<ZipArchive>> both_ways(const std::string& path, const Limits& limits = {}) {
  std::vector<std::unique_ptr<ZipArchive>> out;
  out.push_back(std::make_unique<ZipArchive>(path, limits));
  std::ifstream in(path, std::ios::binary);
  out.push_back(std::make_unique<ZipArchive>(ZipImage{std::string(std::istreambuf_iterator<char>(in), {})}, limits));
  return out;
}

ErrorCode read_error_one_way(const ZipBuilder& zip, const std::string& entry_name, const Limits& limits, bool in_memory) {
  const std::string path = zip.write(temp_path("zip-" + std::to_string(::rand()) + ".zip"));
  try {
    std::unique_ptr<ZipArchive> archive;
    if (in_memory) {
      archive = std::make_unique<ZipArchive>(ZipImage{zip.build()}, limits);
    } else {
      archive = std::make_unique<ZipArchive>(path, limits);
    }
    const ZipEntry* entry = archive->find(entry_name);
    if (!entry) return ErrorCode::not_found;
    archive->read_all(*entry);
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::io;
}

// The error of reading the entry; the file and the in-memory path must agree on it.
ErrorCode read_error(const ZipBuilder& zip, const std::string& entry_name, const Limits& limits = {}) {
  const ErrorCode from_file = read_error_one_way(zip, entry_name, limits, false);
  EXPECT_EQ(read_error_one_way(zip, entry_name, limits, true), from_file);
  return from_file;
}

}  // namespace

TEST(ZipArchive, ReadsStoredAndDeflatedEntries) {
  ZipBuilder zip;
  zip.add("a.txt", "stored content", false);
  zip.add("dir/b.xml", std::string(100000, 'x') + "end", true);
  const std::string path = zip.write(temp_path("ok.zip"));
  for (const auto& archive : both_ways(path)) {
    ASSERT_EQ(archive->entries().size(), 2u);
    EXPECT_EQ(archive->read_all(*archive->find("a.txt")), "stored content");
    EXPECT_EQ(archive->read_all(*archive->find("/DIR/B.xml")), std::string(100000, 'x') + "end");  // case-folded, leading slash
    EXPECT_EQ(archive->find("missing"), nullptr);
  }
  EXPECT_FALSE(both_ways(path)[0]->in_memory());
  EXPECT_TRUE(both_ways(path)[1]->in_memory());
}

// A reader may ask for any number of bytes at a time: the inflater keeps output of its own past
// the end of the input (ISA-L holds up to a window of it), which must come out before the end.
TEST(ZipArchive, DeflatedEntryReadsWholeInAnyReadSize) {
  std::string data;
  for (int i = 0; i < 40000; ++i) data += "<row r=\"" + std::to_string(i) + "\"><c>" + std::to_string(i % 97) + "</c></row>";
  ZipBuilder zip;
  zip.add("big.xml", data, true);
  const std::string path = zip.write(temp_path("read-sizes.zip"));
  for (const auto& archive : both_ways(path)) {
    for (const std::size_t size : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{32768}, std::size_t{65536},
                                   std::size_t{1} << 20}) {
      auto source = archive->open(*archive->find("big.xml"));
      std::string out;
      std::vector<char> buffer(size);
      while (const std::size_t got = source->read(buffer.data(), buffer.size())) out.append(buffer.data(), got);
      EXPECT_EQ(out.size(), data.size()) << "reads of " << size;
      EXPECT_TRUE(out == data) << "reads of " << size;
    }
  }
}

// Damaged deflate data is refused as a damaged archive, saying what is wrong in words.
TEST(ZipArchive, DamagedDeflateDataIsNamedInWords) {
  ZipBuilder zip;
  zip.add("x.xml", std::string(5000, 'q'), true);
  std::string bytes = zip.build();
  bytes[30 + 5] = static_cast<char>(0xFF);  // after the local header and "x.xml": block type 3, reserved
  ZipArchive archive(ZipImage{bytes}, Limits{});
  try {
    archive.read_all(archive.entries().at(0));
    FAIL() << "damaged deflate data was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::corrupt_archive);
    EXPECT_NE(error.describe(consolida::Lang::it).find("dati compressi danneggiati (blocco non valido)"), std::string::npos)
        << error.describe(consolida::Lang::it);
    EXPECT_NE(error.describe(consolida::Lang::en).find("corrupt compressed data (invalid block)"), std::string::npos);
  }
}

TEST(ZipArchive, DetectsBadCrc) {
  ZipItem item{"x.xml", "<a/>", true, std::nullopt, 0xDEADBEEF, 0, 0};
  EXPECT_EQ(read_error(ZipBuilder().add(item), "x.xml"), ErrorCode::corrupt_archive);
}

TEST(ZipArchive, DetectsPartsLargerThanDeclared) {
  ZipItem item{"x.xml", std::string(5000, 'a'), true, 100u, std::nullopt, 0, 0};
  EXPECT_EQ(read_error(ZipBuilder().add(item), "x.xml"), ErrorCode::corrupt_archive);
}

TEST(ZipArchive, DetectsPartsShorterThanDeclared) {
  ZipItem item{"x.xml", std::string(50, 'a'), true, 100u, std::nullopt, 0, 0};
  EXPECT_EQ(read_error(ZipBuilder().add(item), "x.xml"), ErrorCode::corrupt_archive);
}

TEST(ZipArchive, RefusesEncryptedEntriesAndUnknownMethods) {
  ZipItem encrypted{"x.xml", "<a/>", false, std::nullopt, std::nullopt, 1, 0};
  EXPECT_EQ(read_error(ZipBuilder().add(encrypted), "x.xml"), ErrorCode::encrypted);
  ZipItem bzip2{"x.xml", "<a/>", false, std::nullopt, std::nullopt, 0, 12};
  EXPECT_EQ(read_error(ZipBuilder().add(bzip2), "x.xml"), ErrorCode::unsupported_format);
}

TEST(ZipArchive, RefusesTruncatedArchives) {
  ZipBuilder zip;
  zip.add("x.xml", std::string(20000, 'q') + "tail", true);
  const std::string bytes = zip.build();
  for (std::size_t keep : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 30, bytes.size() - 1}) {
    const std::string path = temp_path("trunc" + std::to_string(keep) + ".zip");
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(keep));
    }
    for (bool in_memory : {false, true}) {
      try {
        std::unique_ptr<ZipArchive> archive =
            in_memory ? std::make_unique<ZipArchive>(ZipImage{bytes.substr(0, keep)}, Limits{}) : std::make_unique<ZipArchive>(path, Limits{});
        archive->read_all(archive->entries().at(0));
        ADD_FAILURE() << "truncated at " << keep << " was accepted" << (in_memory ? " in memory" : "");
      } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::corrupt_archive) << keep;
      }
    }
  }
}

TEST(ZipArchive, CutInsideTheCompressedDataIsCaught) {
  // Keep the directory but corrupt the compressed stream itself.
  ZipBuilder zip;
  zip.add("x.xml", std::string(20000, 'q') + "tail", true);
  std::string bytes = zip.build();
  for (std::size_t i = 40; i < 60; ++i) bytes[i] = static_cast<char>(0xFF);
  const std::string path = temp_path("garbled.zip");
  std::ofstream(path, std::ios::binary) << bytes;
  for (const auto& archive : both_ways(path)) EXPECT_THROW(archive->read_all(archive->entries().at(0)), Error);
}

// Two entries of one name: Python's zipfile (so openpyxl) reads the last, a first-wins reader
// the first, so one file could show a person one value and validation another.
TEST(ZipArchive, RefusesDuplicateEntryNames) {
  ZipBuilder same;
  same.add("xl/worksheets/sheet1.xml", "<a>1</a>");
  same.add("other.xml", "<b/>");
  same.add_duplicate("xl/worksheets/sheet1.xml", "<a>2</a>");
  // Part names are case-insensitive in OPC (and find() folds them): these are one name too.
  ZipBuilder folded;
  folded.add("xl/workbook.xml", "<a/>");
  folded.add("XL/Workbook.xml", "<b/>");
  const std::string same_path = same.write(temp_path("duplicate.zip"));
  const std::string folded_path = folded.write(temp_path("duplicate-case.zip"));
  for (const auto& [path, mention] : {std::pair{same_path, std::string("xl/worksheets/sheet1.xml")},
                                      std::pair{folded_path, std::string("XL/Workbook.xml")}}) {
    for (bool in_memory : {false, true}) {
      try {
        std::ifstream in(path, std::ios::binary);
        const auto archive = in_memory ? std::make_unique<ZipArchive>(ZipImage{std::string(std::istreambuf_iterator<char>(in), {})}, Limits{})
                                       : std::make_unique<ZipArchive>(path, Limits{});
        ADD_FAILURE() << path << " was accepted" << (in_memory ? " in memory" : "");
      } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::corrupt_archive) << path;
        EXPECT_NE(error.message(consolida::Lang::it).find(mention), std::string::npos) << error.message(consolida::Lang::it);
        EXPECT_NE(error.message(consolida::Lang::en).find(mention), std::string::npos) << error.message(consolida::Lang::en);
        EXPECT_EQ(error.location().part, mention);
      }
    }
  }
}

// An archive of one end-of-central-directory record (what `zip` leaves when every file is
// deleted) has an empty central directory: reading it must not hand memcpy a null buffer
// (UBSan aborts the sanitizer build on that), and it simply holds no entries.
TEST(ZipArchive, EmptyArchiveHasNoEntries) {
  const std::string bytes = ZipBuilder().build();
  ASSERT_EQ(bytes.size(), 22u);
  for (const auto& archive : both_ways(ZipBuilder().write(temp_path("empty.zip")))) {
    EXPECT_TRUE(archive->entries().empty());
    EXPECT_EQ(archive->find("xl/workbook.xml"), nullptr);
  }
}
