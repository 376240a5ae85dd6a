// The Workbook facade: judges what a file is from its bytes and hands it to the reader of its
// format (workbook_source.hpp); sheets, names and properties are then the same for every format.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "consolida/xlsx.hpp"
#include "xlsx/format_sniffer.hpp"
#include "xlsx/text_util.hpp"
#include "xlsx/workbook_source.hpp"
#include "xlsx/zip_archive.hpp"

namespace consolida::xlsx {
namespace {

// Files up to this size are read whole with one system call and parsed from memory: the two
// reads per part of the streaming path cost more than the parsing on small forms.
constexpr std::uint64_t kWholeFileBytes = 4u << 20;

// The reader of a zip package, by what the package turned out to be.
std::unique_ptr<WorkbookSource> open_zip_source(std::unique_ptr<ZipArchive> archive, const Limits& limits) {
  const FileKind kind = classify_zip(*archive);
  switch (kind) {
    case FileKind::xlsx:
    case FileKind::xlsm:
      return open_xlsx_source(std::move(archive), limits);
    case FileKind::ods:
      return open_ods_source(std::move(archive), limits);
    default:
      throw refusal_for(kind);
  }
}

// What a file too large to be read at once is, from its magic bytes and, for the rest, its
// contents; FileKind::xlsx stands for any zip, which the zip reader judges, and FileKind::xls for
// any compound file, which the .xls reader judges.
FileKind large_file_kind(const std::string& path) {
  const int fd = open_regular_file(path).fd;
  std::array<char, 4> magic{};
  const ssize_t got = ::read(fd, magic.data(), magic.size());
  ::close(fd);
  if (got == 4 && (std::memcmp(magic.data(), "PK\x03\x04", 4) == 0 || std::memcmp(magic.data(), "PK\x05\x06", 4) == 0)) {
    return FileKind::xlsx;
  }
  // A compound file is judged by the .xls reader's look at its directory, not by a scan of it.
  if (got == 4 && std::memcmp(magic.data(), "\xD0\xCF\x11\xE0", 4) == 0) return FileKind::xls;
  return sniff_file(path);
}

// The reader of a file in memory that is not a zip: an .xls, or a precise refusal. A compound
// file goes straight to the .xls reader, whose directory says what it holds more precisely (and
// sooner) than scanning the whole file for stream names.
std::unique_ptr<WorkbookSource> open_non_zip_source(std::string bytes, const Limits& limits) {
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
    return open_xls_source(std::move(bytes), limits);
  }
  const FileKind kind = sniff_bytes(bytes);
  if (kind != FileKind::xls) throw refusal_for(kind);
  return open_xls_source(std::move(bytes), limits);
}

}  // namespace

struct Workbook::Impl {
  std::unique_ptr<WorkbookSource> source;
};

Workbook::Workbook(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workbook::Workbook(Workbook&&) noexcept = default;
Workbook& Workbook::operator=(Workbook&&) noexcept = default;
Workbook::~Workbook() = default;

std::optional<std::string> read_file_at_most(const std::string& path, std::uint64_t max_bytes) {
  const auto [fd, size] = open_regular_file(path);
  if (size > max_bytes) {
    ::close(fd);
    return std::nullopt;
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      ::close(fd);
      throw Error(ErrorCode::io, "errore di lettura del file", "error reading the file");
    }
    if (got == 0) break;  // shrank meanwhile: what is there is judged as it is
    done += static_cast<std::size_t>(got);
  }
  ::close(fd);
  bytes.resize(done);
  return bytes;
}

Workbook Workbook::open(const std::string& path, const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  try {
    if (auto bytes = read_file_at_most(path, std::min(kWholeFileBytes, limits.max_file_bytes))) {
      return open_bytes(std::move(*bytes), path, limits);
    }
    const FileKind kind = large_file_kind(path);
    if (kind == FileKind::xls) {
      // An .xls is read whole: its streams are scattered in sectors across the file, and one is at
      // most a few hundred MB. The limit on the file's size bounds the memory.
      auto bytes = read_file_at_most(path, limits.max_file_bytes);
      if (!bytes) {
        throw Error(ErrorCode::limit_exceeded, "file troppo grande (limite " + std::to_string(limits.max_file_bytes >> 20) + " MB)",
                    "file too large (limit " + std::to_string(limits.max_file_bytes >> 20) + " MB)");
      }
      impl->source = open_non_zip_source(std::move(*bytes), limits);
    } else if (kind != FileKind::xlsx) {
      throw refusal_for(kind);
    } else {
      impl->source = open_zip_source(std::make_unique<ZipArchive>(path, limits), limits);
    }
  } catch (Error& error) {
    error.set_file(path);
    throw;
  }
  impl->source->path = path;
  return Workbook(std::move(impl));
}

Workbook Workbook::open_bytes(std::string bytes, const std::string& name, const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  try {
    if (ZipArchive::starts_like_zip(bytes)) {
      impl->source = open_zip_source(std::make_unique<ZipArchive>(ZipImage{std::move(bytes)}, limits), limits);
    } else {
      impl->source = open_non_zip_source(std::move(bytes), limits);
    }
  } catch (Error& error) {
    error.set_file(name);
    throw;
  }
  impl->source->path = name;
  return Workbook(std::move(impl));
}

const std::string& Workbook::path() const { return impl_->source->path; }
const std::vector<SheetInfo>& Workbook::sheets() const { return impl_->source->sheets; }
const std::vector<DefinedName>& Workbook::defined_names() const { return impl_->source->defined_names; }
const std::vector<CustomProperty>& Workbook::custom_properties() const { return impl_->source->custom_properties; }
bool Workbook::date1904() const { return impl_->source->date1904; }
std::size_t Workbook::shared_string_count() const { return impl_->source->shared_string_count(); }
std::string_view Workbook::number_format(std::uint32_t style) const { return impl_->source->number_format(style); }

const SheetInfo* Workbook::find_sheet(std::string_view name) const {
  for (const SheetInfo& sheet : sheets()) {
    if (sheet.name == name) return &sheet;
  }
  for (const SheetInfo& sheet : sheets()) {
    if (iequals(sheet.name, name)) return &sheet;
  }
  return nullptr;
}

const DefinedName* Workbook::find_defined_name(std::string_view name) const {
  for (const DefinedName& defined : defined_names()) {
    if (iequals(defined.name, name)) return &defined;
  }
  return nullptr;
}

const CustomProperty* Workbook::find_custom_property(std::string_view name) const {
  for (const CustomProperty& property : custom_properties()) {
    if (iequals(property.name, name)) return &property;
  }
  return nullptr;
}

SheetFacts Workbook::stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading& reading) {
  try {
    return impl_->source->stream_sheet(sheet, on_row, reading);
  } catch (Error& error) {
    error.set_file(path());
    throw;
  }
}
Sheet Workbook::load_sheet(const SheetInfo& sheet, const SheetReading& reading) {
  Sheet out;
  out.name_ = sheet.name;
  bool sorted = true;
  out.facts_ = stream_sheet(sheet, [&](const RowView& row) {
    for (const CellView& view : row.cells) {
      Cell cell;
      cell.row = view.row;
      cell.col = view.col;
      cell.type = view.type;
      cell.has_formula = view.has_formula;
      cell.style = view.style;
      cell.number = view.number;
      cell.text = view.text;
      cell.formula = view.formula;
      if (!out.cells_.empty()) {
        const Cell& last = out.cells_.back();
        if (last.row > cell.row || (last.row == cell.row && last.col >= cell.col)) sorted = false;
      }
      out.cells_.push_back(std::move(cell));
    }
    return true;
  }, reading);
  if (!sorted) {
    // Out-of-order or repeated cells: order them, and let the last occurrence win as Excel does.
    std::stable_sort(out.cells_.begin(), out.cells_.end(), [](const Cell& a, const Cell& b) {
      return a.row != b.row ? a.row < b.row : a.col < b.col;
    });
    std::vector<Cell> unique;
    unique.reserve(out.cells_.size());
    for (Cell& cell : out.cells_) {
      if (!unique.empty() && unique.back().row == cell.row && unique.back().col == cell.col) {
        unique.back() = std::move(cell);
      } else {
        unique.push_back(std::move(cell));
      }
    }
    out.cells_.swap(unique);
  }
  return out;
}

const Cell* Sheet::cell(CellRef ref) const {
  const auto it = std::lower_bound(cells_.begin(), cells_.end(), ref, [](const Cell& c, const CellRef& r) {
    return c.row != r.row ? c.row < r.row : c.col < r.col;
  });
  if (it == cells_.end() || it->row != ref.row || it->col != ref.col) return nullptr;
  return &*it;
}

const Cell* Sheet::cell(std::string_view a1) const {
  const auto ref = parse_a1(a1);
  return ref ? cell(*ref) : nullptr;
}

const Range* Sheet::merged_range_at(CellRef ref) const {
  for (const Range& range : facts_.merged) {
    if (range.contains(ref)) return &range;
  }
  return nullptr;
}

}  // namespace consolida::xlsx
