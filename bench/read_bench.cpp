// Streams every cell of a sheet and prints what a benchmark needs:
//   read_bench FILE [SHEET]  ->  "cells=N seconds=S ..."
// It touches each value (sums numbers, measures strings) so no work can be skipped.
//   read_bench --inflate-only FILE PART  ->  only inflates the part with zlib (the floor of any reader)
#include <chrono>
#include <cstdio>

#include <cstring>
#include <vector>

#include "consolida/xlsx.hpp"
#include "xlsx/zip_archive.hpp"

namespace {

int inflate_only(const char* file, const char* part) {
  const auto start = std::chrono::steady_clock::now();
  consolida::xlsx::ZipArchive archive(file, consolida::xlsx::Limits{});
  const auto* entry = archive.find(part);
  if (!entry) return 1;
  auto source = archive.open(*entry);
  std::vector<char> buffer(256 * 1024);
  std::uint64_t total = 0;
  while (const std::size_t got = source->read(buffer.data(), buffer.size())) total += got;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("bytes=%llu seconds=%.4f\n", static_cast<unsigned long long>(total), seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [SHEET]\n", argv[0]);
    return 64;
  }
  if (std::strcmp(argv[1], "--inflate-only") == 0 && argc == 4) return inflate_only(argv[2], argv[3]);
  const auto start = std::chrono::steady_clock::now();
  try {
    auto workbook = consolida::xlsx::Workbook::open(argv[1]);
    const auto* sheet = argc > 2 ? workbook.find_sheet(argv[2]) : &workbook.sheets().at(0);
    if (!sheet) {
      std::fprintf(stderr, "no such sheet\n");
      return 1;
    }
    std::uint64_t cells = 0, text_bytes = 0;
    double sum = 0;
    workbook.stream_sheet(*sheet, [&](const consolida::xlsx::RowView& row) {
      for (const auto& cell : row.cells) {
        ++cells;
        if (cell.type == consolida::xlsx::CellType::string) text_bytes += cell.text.size();
        else sum += cell.number;
      }
      return true;
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("cells=%llu seconds=%.4f checksum=%.2f text_bytes=%llu\n", static_cast<unsigned long long>(cells), seconds,
                sum, static_cast<unsigned long long>(text_bytes));
  } catch (const consolida::Error& error) {
    std::fprintf(stderr, "%s\n", error.describe(consolida::Lang::en).c_str());
    return static_cast<int>(error.code());
  }
  return 0;
}
