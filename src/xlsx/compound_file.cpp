// OLE2 compound file reader ([MS-CFB]): header, FAT through the DIFAT, directory, mini stream.
#include "xlsx/compound_file.hpp"

#include <algorithm>
#include <cstring>

#include "consolida/error.hpp"
#include "xlsx/text_util.hpp"

namespace consolida::xlsx {
namespace {

constexpr std::uint32_t kMaxRegularSector = 0xFFFFFFFA;
constexpr std::uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr std::uint32_t kFreeSector = 0xFFFFFFFF;
constexpr std::uint32_t kNoStream = 0xFFFFFFFF;
constexpr std::size_t kHeaderBytes = 512;
constexpr std::size_t kHeaderDifatEntries = 109;
constexpr std::size_t kEntryBytes = 128;
constexpr std::uint32_t kMiniSectorSize = 64;
constexpr std::uint8_t kStreamEntry = 2;
constexpr std::uint8_t kRootEntry = 5;

}  // namespace

Error damaged_xls(const std::string& it, const std::string& en) {
  return Error(ErrorCode::corrupt_archive, "file .xls danneggiato: " + it, "damaged .xls file: " + en);
}

CompoundFile::CompoundFile(std::string_view bytes) : bytes_(bytes) {
  if (bytes_.size() < kHeaderBytes) throw damaged_xls("intestazione incompleta", "incomplete header");
  const std::uint16_t shift = le::u16(bytes_, 0x1E);
  if (le::u16(bytes_, 0x1C) != 0xFFFE || (shift != 9 && shift != 12) || le::u16(bytes_, 0x20) != 6) {
    throw damaged_xls("intestazione non valida", "invalid header");
  }
  sector_shift_ = shift;
  sector_size_ = 1u << shift;
  if (bytes_.size() <= sector_size_) throw damaged_xls("il file non contiene settori", "the file holds no sectors");
  // A short last sector is tolerated: some writers do not pad the file to a whole sector.
  sector_count_ = static_cast<std::uint32_t>(std::min<std::uint64_t>((bytes_.size() - sector_size_ + sector_size_ - 1) >> shift, kMaxRegularSector));
  mini_cutoff_ = le::u32(bytes_, 0x38);

  // FAT sectors: 109 in the header, then the DIFAT chain. Every list is bounded by the sectors
  // the file has, so a loop or an absurd count ends there.
  std::vector<std::uint32_t> fat_sectors;
  const auto add_fat_sector = [&](std::uint32_t s) {
    if (s == kFreeSector || s == kEndOfChain) return;
    if (s >= sector_count_ || fat_sectors.size() >= sector_count_) {
      throw damaged_xls("la tabella dei settori (FAT) rimanda fuori dal file", "the sector table (FAT) points outside the file");
    }
    fat_sectors.push_back(s);
  };
  for (std::size_t i = 0; i < kHeaderDifatEntries; ++i) add_fat_sector(le::u32(bytes_, 0x4C + 4 * i));
  std::uint32_t difat = le::u32(bytes_, 0x44);
  const std::size_t per_difat = sector_size_ / 4 - 1;
  for (std::uint32_t steps = 0; difat != kEndOfChain && difat != kFreeSector; ++steps) {
    if (difat >= sector_count_ || steps >= sector_count_) {
      throw damaged_xls("la catena DIFAT esce dal file o torna su se stessa", "the DIFAT chain leaves the file or loops");
    }
    const std::string_view s = sector(difat);
    if (s.size() < sector_size_) throw damaged_xls("settore DIFAT troncato", "truncated DIFAT sector");
    for (std::size_t i = 0; i < per_difat; ++i) add_fat_sector(le::u32(s, 4 * i));
    difat = le::u32(s, 4 * per_difat);
  }
  if (fat_sectors.empty()) throw damaged_xls("manca la tabella dei settori (FAT)", "the sector table (FAT) is missing");
  fat_.reserve(fat_sectors.size() * (sector_size_ / 4));
  for (const std::uint32_t fs : fat_sectors) {
    const std::string_view s = sector(fs);
    for (std::size_t i = 0; i + 4 <= s.size(); i += 4) fat_.push_back(le::u32(s, i));
  }

  // Directory.
  const std::string directory = read_chain(le::u32(bytes_, 0x30), UINT64_MAX, false);
  for (std::size_t at = 0; at + kEntryBytes <= directory.size(); at += kEntryBytes) {
    const std::string_view raw(directory.data() + at, kEntryBytes);
    Entry entry;
    const std::uint16_t name_bytes = std::min<std::uint16_t>(le::u16(raw, 0x40), 64);
    append_utf16le(entry.name, raw.substr(0, name_bytes >= 2 ? name_bytes - 2 : 0));
    entry.type = static_cast<std::uint8_t>(raw[0x42]);
    entry.left = le::u32(raw, 0x44);
    entry.right = le::u32(raw, 0x48);
    entry.child = le::u32(raw, 0x4C);
    entry.start = le::u32(raw, 0x74);
    // Version 3 files may leave garbage in the high half of the size.
    entry.size = sector_shift_ == 9 ? le::u32(raw, 0x78) : le::u64(raw, 0x78);
    entries_.push_back(std::move(entry));
  }
  if (entries_.empty() || entries_[0].type != kRootEntry) {
    throw damaged_xls("manca la voce radice della directory", "the directory's root entry is missing");
  }

  // Mini FAT and mini stream, for streams shorter than the cutoff.
  const std::uint32_t mini_fat_start = le::u32(bytes_, 0x3C);
  if (mini_fat_start != kEndOfChain && mini_fat_start != kFreeSector) {
    const std::string mini_fat = read_chain(mini_fat_start, UINT64_MAX, false);
    mini_fat_.reserve(mini_fat.size() / 4);
    for (std::size_t i = 0; i + 4 <= mini_fat.size(); i += 4) mini_fat_.push_back(le::u32(mini_fat, i));
    if (entries_[0].start != kEndOfChain) mini_stream_ = read_chain(entries_[0].start, entries_[0].size, false);
  }
}

std::string_view CompoundFile::sector(std::uint32_t index) const {
  const std::uint64_t offset = (static_cast<std::uint64_t>(index) + 1) << sector_shift_;
  if (offset >= bytes_.size()) return {};
  return bytes_.substr(static_cast<std::size_t>(offset), sector_size_);
}

std::string CompoundFile::read_chain(std::uint32_t start, std::uint64_t size, bool mini) const {
  const std::vector<std::uint32_t>& table = mini ? mini_fat_ : fat_;
  const std::uint64_t unit = mini ? kMiniSectorSize : sector_size_;
  const std::uint64_t units = mini ? mini_stream_.size() / kMiniSectorSize : sector_count_;
  if (size != UINT64_MAX && size > units * unit) {
    throw damaged_xls("un flusso dichiara " + std::to_string(size) + " byte, più del file", "a stream declares " + std::to_string(size) +
                                                                                          " bytes, more than the file");
  }
  std::string out;
  if (size != UINT64_MAX) out.reserve(static_cast<std::size_t>(size));
  std::vector<bool> visited(static_cast<std::size_t>(units), false);
  std::uint32_t current = start;
  while (out.size() < size && current != kEndOfChain) {
    if (current >= units || current >= table.size()) {
      throw damaged_xls("una catena di settori esce dal file", "a sector chain leaves the file");
    }
    if (visited[current]) throw damaged_xls("una catena di settori torna su se stessa", "a sector chain loops");
    visited[current] = true;
    const std::string_view piece = mini ? std::string_view(mini_stream_).substr(current * unit, unit) : sector(current);
    out.append(piece.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), size - out.size()))));
    current = table[current];
  }
  if (size != UINT64_MAX && out.size() < size) {
    throw damaged_xls("un flusso è più corto di quanto dichiara (file troncato?)", "a stream is shorter than it declares (truncated file?)");
  }
  return out;
}

const CompoundFile::Entry* CompoundFile::find_root_stream(std::string_view name) const {
  // The root's children form a tree through left/right; visited guards against cycles.
  std::vector<bool> visited(entries_.size(), false);
  std::vector<std::uint32_t> pending{entries_[0].child};
  while (!pending.empty()) {
    const std::uint32_t index = pending.back();
    pending.pop_back();
    if (index == kNoStream) continue;
    if (index >= entries_.size()) throw damaged_xls("la directory rimanda a una voce inesistente", "the directory points to a missing entry");
    if (visited[index]) throw damaged_xls("la directory torna su se stessa", "the directory loops");
    visited[index] = true;
    const Entry& entry = entries_[index];
    if (entry.type == kStreamEntry && iequals(entry.name, name)) return &entry;
    pending.push_back(entry.left);
    pending.push_back(entry.right);
  }
  return nullptr;
}

bool CompoundFile::has_root_stream(std::string_view name) const { return find_root_stream(name) != nullptr; }

std::optional<std::string> CompoundFile::root_stream(std::string_view name) const {
  const Entry* entry = find_root_stream(name);
  if (!entry) return std::nullopt;
  return read_chain(entry->start, entry->size, entry->size < mini_cutoff_);
}

}  // namespace consolida::xlsx
