// A read-only zip archive, just what OOXML packages need: stored and deflated entries,
// zip64, and strict checks against hostile archives (bombs, truncation, bad CRC).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "consolida/xlsx.hpp"
#include "xlsx/byte_source.hpp"

namespace consolida::xlsx {

struct ZipEntry {
  std::string name;            // as stored, with '/' separators
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;
  bool encrypted() const { return (flags & 1u) != 0; }
};

// Counts bytes inflated across all entries of one archive against Limits::max_total_bytes.
struct InflateBudget {
  std::uint64_t used = 0;
};

class ZipArchive {
 public:
  // Throws Error(corrupt_archive) if the central directory cannot be read.
  ZipArchive(const std::string& path, const Limits& limits);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // Part names in OPC are case-insensitive; exact match first, then case-folded.
  const ZipEntry* find(std::string_view name) const;

  // A stream over the entry's uncompressed bytes, checked against limits and the CRC.
  std::unique_ptr<ByteSource> open(const ZipEntry& entry);
  // Whole entry in memory (for small parts only; limits still apply).
  std::string read_all(const ZipEntry& entry);

  std::uint64_t file_size() const { return file_size_; }
  int fd() const { return fd_; }
  const Limits& limits() const { return limits_; }
  InflateBudget& budget() { return budget_; }

 private:
  void read_central_directory();
  void pread_exact(std::uint64_t offset, void* out, std::size_t n, const char* what_it,
                   const char* what_en) const;

  int fd_ = -1;
  std::uint64_t file_size_ = 0;
  Limits limits_;
  InflateBudget budget_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, std::size_t> by_name_;
  std::unordered_map<std::string, std::size_t> by_folded_name_;
};

}  // namespace consolida::xlsx
