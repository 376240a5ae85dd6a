// A deterministic mutation fuzzer over the reader: seed files of every format it reads (corpus
// .xls, .ods and .xlsx, the sample workbooks), each mutated by byte flips, truncations and
// duplicated chunks, then opened from memory and every sheet streamed. The only acceptable
// outcomes are a reading or a consolida::Error; under ASan (the CI's second phase) any memory
// error, leak or huge allocation fails the run. Seeded: a failure reproduces with its iteration.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "consolida/xlsx.hpp"

namespace fs = std::filesystem;
using namespace consolida::xlsx;

namespace {

// About 8 s for 600 a seed in a release build on two busy cores; ASan is 5-10 times slower, so
// 150 a seed keeps the sanitized run well under a minute.
#ifdef CONSOLIDA_SANITIZED_BUILD
constexpr int kMutationsPerSeed = 150;
#else
constexpr int kMutationsPerSeed = 600;
#endif
constexpr std::uintmax_t kMaxSeedBytes = 160u << 10;  // larger seeds cost time, not coverage

std::vector<fs::path> seed_files() {
  std::vector<fs::path> seeds;
  const auto take = [&](const fs::path& dir, std::initializer_list<std::string_view> extensions, bool recursive) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    const auto consider = [&](const fs::directory_entry& entry) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && entry.file_size() <= kMaxSeedBytes &&
          std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) {
        seeds.push_back(entry.path());
      }
    };
    if (recursive) {
      for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) consider(entry);
    } else {
      for (const auto& entry : fs::directory_iterator(dir, ec)) consider(entry);
    }
  };
  const fs::path calamine = fs::path(CONSOLIDA_SHARED_DIR) / "corpus" / "calamine";
  take(calamine, {".xls", ".ods"}, false);
  // A handful of corpus .xlsx files: the zip layer refuses most mutations early, so each costs little.
  for (const char* name : {"date.xlsx", "merged_range.xlsx", "richtext-namespaced.xlsx", "issue_221.xlsx", "temperature.xlsx"}) {
    if (fs::exists(calamine / name)) seeds.push_back(calamine / name);
  }
  take(fs::path(CONSOLIDA_SOURCE_DIR) / "sample-workbooks", {".xlsx"}, true);
  std::sort(seeds.begin(), seeds.end());
  return seeds;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string mutate(std::string bytes, std::mt19937& rng) {
  if (bytes.empty()) return bytes;
  const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits && !bytes.empty(); ++e) {
    switch (pick(6)) {
      case 0:
      case 1:  // flip one bit
        bytes[pick(bytes.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 2:  // an interesting byte: 0, 0xFF, 0x7F, 0x80
        bytes[pick(bytes.size())] = "\x00\xFF\x7F\x80"[pick(4)];
        break;
      case 3:  // truncate
        bytes.resize(pick(bytes.size()));
        break;
      case 4: {  // duplicate a chunk at another place
        const std::size_t from = pick(bytes.size());
        const std::size_t length = std::min<std::size_t>(1 + pick(512), bytes.size() - from);
        const std::string chunk = bytes.substr(from, length);
        bytes.insert(pick(bytes.size()), chunk);
        break;
      }
      default: {  // overwrite four bytes with a large little-endian number (sizes, counts, offsets)
        const std::size_t at = pick(bytes.size());
        const std::uint32_t value = std::uniform_int_distribution<std::uint32_t>()(rng) | 0x40000000u;
        for (std::size_t i = 0; i < 4 && at + i < bytes.size(); ++i) bytes[at + i] = static_cast<char>(value >> (8 * i));
        break;
      }
    }
  }
  return bytes;
}

// Reads everything a consumer reads; returns the cells seen.
std::uint64_t read_everything(std::string bytes) {
  Limits limits;
  limits.max_file_bytes = 64u << 20;
  limits.max_part_bytes = 64u << 20;
  limits.max_total_bytes = 256u << 20;
  Workbook book = Workbook::open_bytes(std::move(bytes), "fuzz", limits);
  std::uint64_t cells = 0;
  for (const DefinedName& name : book.defined_names()) cells += name.formula.size() > 0;
  for (const CustomProperty& property : book.custom_properties()) cells += property.value.size() > 0;
  for (const SheetInfo& sheet : book.sheets()) {
    book.stream_sheet(sheet, [&](const RowView& row) {
      for (const CellView& cell : row.cells) {
        cells += cell.text.size() > 0;
        cells += book.number_format(cell.style).size() > 0;
      }
      return true;
    });
  }
  return cells;
}

}  // namespace

TEST(FuzzReader, MutatedFilesAreReadOrRefusedWithAnError) {
  const std::vector<fs::path> seeds = seed_files();
  if (seeds.size() < 5) GTEST_SKIP() << "too few seed files (shared corpus missing?)";
  std::mt19937 rng(20240615);
  std::size_t read = 0;
  std::size_t refused = 0;
  for (const fs::path& seed : seeds) {
    const std::string original = read_bytes(seed);
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      const std::string mutated = mutate(original, rng);
      try {
        read_everything(mutated);
        ++read;
      } catch (const consolida::Error&) {
        ++refused;
      } catch (const std::exception& other) {
        ADD_FAILURE() << seed.filename() << " mutation " << i << ": " << typeid(other).name() << ": " << other.what();
      }
    }
  }
  // Both outcomes occur: the mutations neither all break the files nor all miss what is read.
  EXPECT_GT(read, 0u);
  EXPECT_GT(refused, 0u);
  std::cout << "[ fuzz ] " << seeds.size() << " seeds, " << read << " read, " << refused << " refused\n";
}
