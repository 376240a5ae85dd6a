#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "consolida/xlsx.hpp"
#include "xlsx/format_sniffer.hpp"
#include "xlsx/parts.hpp"
#include "xlsx/read_ahead.hpp"
#include "xlsx/text_util.hpp"
#include "xlsx/zip_archive.hpp"

namespace consolida::xlsx {
namespace {

// Below this size a sheet is read on the calling thread: a second thread would cost more than
// it saves on the small form sheets that make up most uploads.
constexpr std::uint64_t kReadAheadThreshold = 4u << 20;

std::string folder_of(std::string_view part) {
  const auto slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

std::string rels_part_for(std::string_view part) {
  const auto slash = part.rfind('/');
  const std::string_view dir = slash == std::string_view::npos ? std::string_view() : part.substr(0, slash + 1);
  const std::string_view file = slash == std::string_view::npos ? part : part.substr(slash + 1);
  return std::string(dir) + "_rels/" + std::string(file) + ".rels";
}

bool type_is(std::string_view type_uri, std::string_view last_segment) {
  const auto slash = type_uri.rfind('/');
  return slash != std::string_view::npos && type_uri.substr(slash + 1) == last_segment;
}

// Files up to this size are read whole with one system call and parsed from memory: the two
// reads per part of the streaming path cost more than the parsing on small forms.
constexpr std::uint64_t kWholeFileBytes = 4u << 20;

// Reads the magic bytes; anything that is not a zip gets its precise refusal here.
void refuse_non_zip(const std::string& path) {
  const int fd = open_regular_file(path).fd;
  std::array<char, 4> magic{};
  const ssize_t got = ::read(fd, magic.data(), magic.size());
  ::close(fd);
  if (got == 4 && (std::memcmp(magic.data(), "PK\x03\x04", 4) == 0 || std::memcmp(magic.data(), "PK\x05\x06", 4) == 0)) {
    return;
  }
  const FileKind kind = sniff_file(path);
  throw refusal_for(kind);
}

}  // namespace

struct Workbook::Impl {
  std::string path;
  Limits limits;
  std::unique_ptr<ZipArchive> archive;
  std::vector<SheetInfo> sheets;
  std::vector<DefinedName> defined_names;
  std::vector<CustomProperty> custom_properties;
  bool date1904 = false;
  SharedStrings shared_strings;
  Styles styles;

  template <typename Parse>
  auto with_part(const ZipEntry& entry, Parse parse) {
    try {
      auto source = archive->open(entry);
      return parse(*source);
    } catch (Error& error) {
      error.set_part(entry.name);
      throw;
    }
  }

  std::vector<Relationship> relationships_of(std::string_view part) {
    const ZipEntry* entry = archive->find(rels_part_for(part));
    if (!entry) return {};
    const std::string base = folder_of(part);
    return with_part(*entry, [&](ByteSource& s) { return parse_relationships(s, limits, base); });
  }

  void load() {
    const FileKind kind = classify_zip(*archive);
    if (kind != FileKind::xlsx && kind != FileKind::xlsm) throw refusal_for(kind);

    std::string workbook_part;
    std::string custom_part;
    for (const Relationship& rel : relationships_of("")) {
      if (type_is(rel.type, "officeDocument") && workbook_part.empty()) workbook_part = rel.target;
      if (type_is(rel.type, "custom-properties")) custom_part = rel.target;
    }
    if (workbook_part.empty() || !archive->find(workbook_part)) workbook_part = "xl/workbook.xml";
    const ZipEntry* workbook_entry = archive->find(workbook_part);
    if (!workbook_entry) {
      throw Error(ErrorCode::missing_part,
                  "manca la parte " + workbook_part + ": il file non è una cartella di lavoro Excel valida",
                  "part " + workbook_part + " is missing: the file is not a valid Excel workbook");
    }
    workbook_part = workbook_entry->name;
    const WorkbookXml wb = with_part(*workbook_entry, [&](ByteSource& s) { return parse_workbook_xml(s, limits); });
    date1904 = wb.date1904;
    defined_names = wb.defined_names;

    const std::vector<Relationship> rels = relationships_of(workbook_part);
    std::string shared_strings_part;
    std::string styles_part;
    for (const Relationship& rel : rels) {
      if (type_is(rel.type, "sharedStrings")) shared_strings_part = rel.target;
      else if (type_is(rel.type, "styles")) styles_part = rel.target;
    }
    const std::string base = folder_of(workbook_part);
    if (shared_strings_part.empty()) shared_strings_part = base + "sharedStrings.xml";
    if (styles_part.empty()) styles_part = base + "styles.xml";

    for (std::size_t i = 0; i < wb.sheets.size(); ++i) {
      const auto& entry = wb.sheets[i];
      SheetInfo info;
      info.name = entry.name;
      info.state = entry.state;
      info.index = i;
      for (const Relationship& rel : rels) {
        if (rel.id != entry.relationship_id) continue;
        info.part = rel.target;
        if (type_is(rel.type, "chartsheet")) info.kind = SheetKind::chartsheet;
        else if (type_is(rel.type, "dialogsheet")) info.kind = SheetKind::dialogsheet;
        else if (type_is(rel.type, "xlMacrosheet") || type_is(rel.type, "xlIntlMacrosheet")) info.kind = SheetKind::macrosheet;
      }
      sheets.push_back(std::move(info));
    }

    // A missing shared-string table is tolerated: only a cell that refers to it is an error.
    if (const ZipEntry* e = archive->find(shared_strings_part)) {
      shared_strings = with_part(*e, [&](ByteSource& s) { return parse_shared_strings(s, limits); });
    }
    if (const ZipEntry* e = archive->find(styles_part)) {
      styles = with_part(*e, [&](ByteSource& s) { return parse_styles(s, limits); });
    }
    if (custom_part.empty()) custom_part = "docProps/custom.xml";
    if (const ZipEntry* e = archive->find(custom_part)) {
      custom_properties = with_part(*e, [&](ByteSource& s) { return parse_custom_properties(s, limits); });
    }
  }
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
  try {
    if (auto bytes = read_file_at_most(path, std::min(kWholeFileBytes, limits.max_file_bytes))) return open_bytes(std::move(*bytes), path, limits);
  } catch (Error& error) {
    error.set_file(path);
    throw;
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->limits = limits;
  try {
    refuse_non_zip(path);
    impl->archive = std::make_unique<ZipArchive>(path, impl->limits);
    impl->load();
  } catch (Error& error) {
    error.set_file(path);
    throw;
  }
  return Workbook(std::move(impl));
}

Workbook Workbook::open_bytes(std::string bytes, const std::string& name, const Limits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->path = name;
  impl->limits = limits;
  try {
    if (!ZipArchive::starts_like_zip(bytes)) throw refusal_for(sniff_bytes(bytes));
    impl->archive = std::make_unique<ZipArchive>(ZipImage{std::move(bytes)}, impl->limits);
    impl->load();
  } catch (Error& error) {
    error.set_file(name);
    throw;
  }
  return Workbook(std::move(impl));
}

const std::string& Workbook::path() const { return impl_->path; }
const std::vector<SheetInfo>& Workbook::sheets() const { return impl_->sheets; }
const std::vector<DefinedName>& Workbook::defined_names() const { return impl_->defined_names; }
const std::vector<CustomProperty>& Workbook::custom_properties() const { return impl_->custom_properties; }
bool Workbook::date1904() const { return impl_->date1904; }
std::size_t Workbook::shared_string_count() const { return impl_->shared_strings.size(); }
std::string_view Workbook::number_format(std::uint32_t style) const { return impl_->styles.format(style); }

const SheetInfo* Workbook::find_sheet(std::string_view name) const {
  for (const SheetInfo& sheet : impl_->sheets) {
    if (sheet.name == name) return &sheet;
  }
  for (const SheetInfo& sheet : impl_->sheets) {
    if (iequals(sheet.name, name)) return &sheet;
  }
  return nullptr;
}

const DefinedName* Workbook::find_defined_name(std::string_view name) const {
  for (const DefinedName& defined : impl_->defined_names) {
    if (iequals(defined.name, name)) return &defined;
  }
  return nullptr;
}

const CustomProperty* Workbook::find_custom_property(std::string_view name) const {
  for (const CustomProperty& property : impl_->custom_properties) {
    if (iequals(property.name, name)) return &property;
  }
  return nullptr;
}

SheetFacts Workbook::stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading& reading) {
  const ZipEntry* entry = sheet.part.empty() ? nullptr : impl_->archive->find(sheet.part);
  if (!entry) {
    Error error(ErrorCode::missing_part,
                "manca la parte del foglio \"" + sheet.name + "\"" + (sheet.part.empty() ? "" : " (" + sheet.part + ")"),
                "the part of sheet \"" + sheet.name + "\" is missing" + (sheet.part.empty() ? "" : " (" + sheet.part + ")"));
    error.set_file(impl_->path);
    throw error;
  }
  const WorksheetContext context{impl_->shared_strings, impl_->styles, impl_->date1904, reading};
  try {
    std::unique_ptr<ByteSource> source = impl_->archive->open(*entry);
    if (entry->uncompressed_size >= kReadAheadThreshold) {
      source = std::make_unique<ReadAheadSource>(std::move(source));
    }
    return parse_worksheet(*source, impl_->limits, context, on_row);
  } catch (Error& error) {
    error.set_part(entry->name);
    error.set_file(impl_->path);
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
