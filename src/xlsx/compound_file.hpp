// The OLE2 compound file (Compound File Binary Format, [MS-CFB]) that holds an Excel 97-2003
// workbook: a small file system of sectors chained through a FAT. Internal to the reader.
//
// The whole file is in memory; every chain is checked against the file (sector numbers in
// range, no loops, no stream longer than its chain), so hostile files are refused with
// ErrorCode::corrupt_archive and no allocation exceeds the file's own size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consolida/error.hpp"

namespace consolida::xlsx {

// The refusal of a damaged .xls, whether its compound file or its records are at fault.
Error damaged_xls(const std::string& it, const std::string& en);

class CompoundFile {
 public:
  // bytes must outlive the object. Throws consolida::Error when the header or the directory is
  // not a readable compound file.
  explicit CompoundFile(std::string_view bytes);

  // The contents of a stream at the root of the file, by name (case-insensitive, as Windows
  // compares them); nullopt when there is none.
  std::optional<std::string> root_stream(std::string_view name) const;
  bool has_root_stream(std::string_view name) const;

 private:
  struct Entry {
    std::string name;  // UTF-8
    std::uint8_t type = 0;
    std::uint32_t left = 0, right = 0, child = 0;
    std::uint32_t start = 0;
    std::uint64_t size = 0;
  };

  const Entry* find_root_stream(std::string_view name) const;
  std::string_view sector(std::uint32_t index) const;
  std::string read_chain(std::uint32_t start, std::uint64_t size, bool mini) const;

  std::string_view bytes_;
  std::uint32_t sector_shift_ = 9;
  std::uint32_t sector_size_ = 512;
  std::uint32_t sector_count_ = 0;  // sectors present in the file after the header
  std::uint32_t mini_cutoff_ = 4096;
  std::vector<std::uint32_t> fat_;
  std::vector<std::uint32_t> mini_fat_;
  std::vector<Entry> entries_;
  std::string mini_stream_;
};

}  // namespace consolida::xlsx

namespace consolida::xlsx::le {
// Little-endian fields of binary records; callers check the bounds first.
inline std::uint16_t u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | (static_cast<unsigned char>(b[at + 1]) << 8));
}
inline std::uint32_t u32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(u16(b, at)) | (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}
inline std::uint64_t u64(std::string_view b, std::size_t at) {
  return static_cast<std::uint64_t>(u32(b, at)) | (static_cast<std::uint64_t>(u32(b, at + 4)) << 32);
}
}  // namespace consolida::xlsx::le
