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

// The bytes of a whole archive held in memory; a type of its own so that it cannot be taken
// for a path.
// A regular file opened for reading: its descriptor, which the caller closes, and its size.
// Throws Error(io) with the system's reason if it cannot be opened or is not a regular file.
struct OpenedFile {
  int fd = -1;
  std::uint64_t size = 0;
};
OpenedFile open_regular_file(const std::string& path);

struct ZipImage {
  std::string bytes;
};

class ZipArchive {
 public:
  // Throws Error(corrupt_archive) if the central directory cannot be read.
  ZipArchive(const std::string& path, const Limits& limits);
  // An archive already in memory. Served without system calls: for the small files of a
  // campaign, two reads per part cost more than parsing them.
  ZipArchive(ZipImage image, const Limits& limits);
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

  // True if the bytes start like a zip package (a local header, or an empty archive).
  static bool starts_like_zip(std::string_view head);

  std::uint64_t file_size() const { return file_size_; }
  // The archive's bytes when held in memory, else empty.
  std::string_view image() const { return image_; }
  bool in_memory() const { return fd_ < 0; }
  // Reads up to n bytes at offset (fewer only at the end of the file). Throws Error(io).
  std::size_t read_at(std::uint64_t offset, char* out, std::size_t n) const;
  const Limits& limits() const { return limits_; }
  InflateBudget& budget() { return budget_; }

 private:
  void read_central_directory();
  void check_file_size() const;
  void pread_exact(std::uint64_t offset, void* out, std::size_t n, const char* what_it,
                   const char* what_en) const;

  int fd_ = -1;  // -1 when the archive is in image_
  std::string image_;
  std::uint64_t file_size_ = 0;
  Limits limits_;
  InflateBudget budget_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, std::size_t> by_name_;
  std::unordered_map<std::string, std::size_t> by_folded_name_;
};

}  // namespace consolida::xlsx
