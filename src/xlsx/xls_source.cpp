// Excel 97-2003 workbooks (.xls): the BIFF8 record stream "Workbook" (and BIFF5's "Book") inside an
// OLE2 compound file, plus the user-defined document properties of "\005DocumentSummaryInformation".
//
// Own reader rather than FreeXL: FreeXL 1.0.6 opens only a path (uploads are in memory), does not
// give sheet visibility, merged ranges, booleans and errors, defined names or document properties,
// and allocates a rows x columns array from the DIMENSION record a hostile file controls.
//
// Every length is checked against the record and every record against the stream; the only
// allocations are the streams (bounded by the file) and what the records hold.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "consolida/xlsx.hpp"
#include "xlsx/compound_file.hpp"
#include "xlsx/format_sniffer.hpp"
#include "xlsx/parts.hpp"
#include "xlsx/text_util.hpp"
#include "xlsx/workbook_source.hpp"

namespace consolida::xlsx {
namespace {

namespace rec {
constexpr std::uint16_t kFormula = 0x0006, kEof = 0x000A, kExternSheet = 0x0017, kName = 0x0018, kDateMode = 0x0022,
                        kFilePass = 0x002F, kContinue = 0x003C, kCodePage = 0x0042, kBoundSheet = 0x0085, kMulRk = 0x00BD,
                        kRString = 0x00D6, kXf = 0x00E0, kMergedCells = 0x00E5, kSst = 0x00FC, kLabelSst = 0x00FD,
                        kDimension = 0x0200, kNumber = 0x0203, kLabel = 0x0204, kBoolErr = 0x0205, kString = 0x0207,
                        kRk = 0x027E, kFormat = 0x041E, kBof = 0x0809;
// BOF records of BIFF2, BIFF3 and BIFF4 (Excel 2.x to 4.x), which this reader does not read.
constexpr std::uint16_t kOldBofs[] = {0x0009, 0x0209, 0x0409};
}  // namespace rec

constexpr std::uint16_t kBiff5 = 0x0500;
constexpr std::uint16_t kSubstreamWorksheet = 0x0010;
constexpr std::uint16_t kUtf16CodePage = 1200;
constexpr std::uint16_t kUtf8CodePage = 65001;

Error short_record(std::uint16_t type) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%04X", type);
  return damaged_xls(std::string("record ") + hex + " più corto del suo contenuto", std::string("record ") + hex + " shorter than its content");
}

double f64(std::string_view b, std::size_t at) {
  const std::uint64_t bits = le::u64(b, at);
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// An RK number: a 30-bit integer or the top 30 bits of a double, optionally divided by 100.
double rk_value(std::uint32_t rk) {
  double value;
  if (rk & 2) {
    value = static_cast<double>(static_cast<std::int32_t>(rk) >> 2);
  } else {
    const std::uint64_t bits = static_cast<std::uint64_t>(rk & 0xFFFFFFFCu) << 32;
    std::memcpy(&value, &bits, sizeof value);
  }
  return (rk & 1) ? value / 100 : value;
}

std::string_view error_text(std::uint8_t code) {
  switch (code) {
    case 0x00: return "#NULL!";
    case 0x07: return "#DIV/0!";
    case 0x0F: return "#VALUE!";
    case 0x17: return "#REF!";
    case 0x1D: return "#NAME?";
    case 0x24: return "#NUM!";
    case 0x2A: return "#N/A";
    default: return "#N/A";
  }
}

struct Record {
  std::uint16_t type = 0;
  std::string_view data;
};

// The record stream of one substream; refuses a record whose length runs past the stream.
class RecordReader {
 public:
  RecordReader(std::string_view stream, std::size_t at) : stream_(stream), pos_(at) {}
  bool next(Record& out) {
    if (pos_ + 4 > stream_.size()) return false;
    out.type = le::u16(stream_, pos_);
    const std::uint16_t length = le::u16(stream_, pos_ + 2);
    if (pos_ + 4 + length > stream_.size()) {
      throw damaged_xls("un record va oltre la fine del flusso (file troncato?)", "a record runs past the end of the stream (truncated file?)");
    }
    out.data = stream_.substr(pos_ + 4, length);
    pos_ += 4u + length;
    return true;
  }
  // The CONTINUE records that follow, appended to segments.
  void continues(std::vector<std::string_view>& segments) {
    while (pos_ + 4 <= stream_.size() && le::u16(stream_, pos_) == rec::kContinue) {
      Record more;
      next(more);
      segments.push_back(more.data);
    }
  }

 private:
  std::string_view stream_;
  std::size_t pos_;
};

// A record and its CONTINUE records read as one, with BIFF8's rule that characters split across
// a boundary restart with a byte saying whether they are compressed.
class Segments {
 public:
  explicit Segments(std::vector<std::string_view> segments) : segments_(std::move(segments)) {}
  bool at_end() {
    settle();
    return index_ >= segments_.size();
  }
  std::uint8_t byte() {
    settle();
    if (index_ >= segments_.size()) throw damaged_xls("una stringa va oltre la fine del suo record", "a string runs past the end of its record");
    return static_cast<std::uint8_t>(segments_[index_][pos_++]);
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | (byte() << 8)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u16()) | (static_cast<std::uint32_t>(u16()) << 16); }
  void skip(std::uint64_t n) {
    while (n > 0) {
      settle();
      if (index_ >= segments_.size()) throw damaged_xls("una stringa va oltre la fine del suo record", "a string runs past the end of its record");
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, segments_[index_].size() - pos_));
      pos_ += take;
      n -= take;
    }
  }
  void chars(std::string& out, std::uint32_t count, bool wide) {
    while (count > 0) {
      if (pos_ >= current_size()) {
        ++index_;
        pos_ = 0;
        if (index_ >= segments_.size() || segments_[index_].empty()) {
          throw damaged_xls("una stringa va oltre la fine del suo record", "a string runs past the end of its record");
        }
        wide = (segments_[index_][pos_++] & 1) != 0;
      }
      const std::string_view here = segments_[index_].substr(pos_);
      const std::size_t width = wide ? 2 : 1;
      const std::size_t take = std::min<std::size_t>(count, here.size() / width);
      if (take == 0) throw damaged_xls("carattere spezzato fra due record", "a character split across two records");
      if (wide) append_utf16le(out, here.substr(0, take * 2));
      else append_cp1252(out, here.substr(0, take));  // compressed UTF-16: the high bytes are zero, i.e. Latin-1
      pos_ += take * width;
      count -= static_cast<std::uint32_t>(take);
    }
  }

 private:
  std::size_t current_size() const { return index_ < segments_.size() ? segments_[index_].size() : 0; }
  void settle() {
    while (index_ < segments_.size() && pos_ >= segments_[index_].size()) {
      ++index_;
      pos_ = 0;
    }
  }
  std::vector<std::string_view> segments_;
  std::size_t index_ = 0;
  std::size_t pos_ = 0;
};

// Checked reading inside one record.
class Cursor {
 public:
  Cursor(std::string_view data, std::uint16_t type) : data_(data), type_(type) {}
  void need(std::size_t n) const {
    if (pos_ + n > data_.size()) throw short_record(type_);
  }
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  std::uint16_t u16() {
    need(2);
    pos_ += 2;
    return le::u16(data_, pos_ - 2);
  }
  std::uint32_t u32() {
    need(4);
    pos_ += 4;
    return le::u32(data_, pos_ - 4);
  }
  std::string_view take(std::size_t n) {
    need(n);
    pos_ += n;
    return data_.substr(pos_ - n, n);
  }
  std::size_t left() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  std::uint16_t type_;
  std::size_t pos_ = 0;
};

// 8-bit text of BIFF5 and of the property sets, by code page.
void append_codepage(std::string& out, std::string_view bytes, std::uint16_t codepage) {
  if (codepage == kUtf8CodePage) out.append(bytes);
  else append_cp1252(out, bytes);  // 1252 is what Italian offices write; other pages are read as it
}

std::string shortest_number(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

std::string quoted_sheet(const std::string& name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (const char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) plain = false;
  }
  if (plain) return name;
  std::string out = "'";
  for (const char c : name) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string a1_part(std::uint16_t row, std::uint16_t col_field) {
  // Bits 14 and 15 of the column field say that the column and the row are relative.
  const std::uint32_t col = col_field & 0x3FFF;
  return std::string((col_field & 0x4000) ? "" : "$") + column_name(std::min<std::uint32_t>(col, 16383)) + ((col_field & 0x8000) ? "" : "$") +
         std::to_string(static_cast<std::uint32_t>(row) + 1);
}

// The names Excel gives its built-in defined names (the NAME record stores a one-byte code).
constexpr std::string_view kBuiltinNames[] = {"Consolidate_Area", "Auto_Open", "Auto_Close", "Extract", "Database",
                                              "Criteria", "Print_Area", "Print_Titles", "Recorder", "Data_Form",
                                              "Auto_Activate", "Auto_Deactivate", "Sheet_Title", "_FilterDatabase"};

// {D5CDD505-2E9C-101B-9397-08002B2CF9AE}: the user-defined section of DocumentSummaryInformation.
constexpr unsigned char kUserDefinedFmtid[16] = {0x05, 0xD5, 0xCD, 0xD5, 0x9C, 0x2E, 0x1B, 0x10,
                                                 0x93, 0x97, 0x08, 0x00, 0x2B, 0x2C, 0xF9, 0xAE};

class XlsSource final : public WorkbookSource {
 public:
  std::string file_bytes;
  std::string stream;
  bool biff5 = false;
  std::uint16_t codepage = 1252;
  Styles styles;
  SharedStrings sst;
  std::vector<std::uint32_t> sheet_offsets;  // by SheetInfo::index
  struct Xti {
    std::uint16_t first = 0xFFFF;
  };
  std::vector<Xti> externsheet;
  struct PendingName {
    DefinedName name;
    std::string_view rgce;
  };
  std::vector<PendingName> pending_names;

  void load() {
    CompoundFile file = open_compound_file();
    std::optional<std::string> found = file.root_stream("Workbook");
    if (!found) found = file.root_stream("Book");
    if (!found) {
      throw refusal_for(file.has_root_stream("EncryptedPackage") ? FileKind::encrypted_ooxml : FileKind::ole_other);
    }
    stream = std::move(*found);
    if (auto properties = file.root_stream("\x05" "DocumentSummaryInformation")) read_custom_properties(*properties);
    file_bytes = std::string();  // the streams are copies: the file itself is no longer needed
    read_globals();
  }

  // A damaged compound file that still names its streams (an encrypted package, a document)
  // gets the refusal of what it is rather than "damaged".
  CompoundFile open_compound_file() const {
    try {
      return CompoundFile(file_bytes);
    } catch (const Error&) {
      const FileKind kind = sniff_bytes(file_bytes);
      if (kind != FileKind::xls) throw refusal_for(kind);
      throw;
    }
  }

  std::string text(Cursor& c, bool wide_count) {
    std::string out;
    const std::uint16_t count = wide_count ? c.u16() : c.u8();
    if (biff5) {
      append_codepage(out, c.take(count), codepage);
    } else {
      const std::uint8_t flags = c.u8();
      if (flags & 1) append_utf16le(out, c.take(2u * count));
      else append_cp1252(out, c.take(count));
    }
    return out;
  }

  void read_globals() {
    RecordReader reader(stream, 0);
    Record r;
    if (!reader.next(r) || r.type != rec::kBof) {
      for (const std::uint16_t old : rec::kOldBofs) {
        if (r.type == old) {
          throw Error(ErrorCode::unsupported_format,
                      "file .xls di Excel 2.x-4.x, troppo vecchio: aprirlo e salvarlo come .xlsx",
                      ".xls file of Excel 2.x-4.x, too old: open it and save it as .xlsx");
        }
      }
      throw damaged_xls("il flusso Workbook non inizia con un record BOF", "the Workbook stream does not start with a BOF record");
    }
    biff5 = Cursor(r.data, r.type).u16() == kBiff5;
    while (reader.next(r)) {
      Cursor c(r.data, r.type);
      switch (r.type) {
        case rec::kEof:
          resolve_names();
          return;
        case rec::kFilePass:
          throw refusal_for(FileKind::encrypted_ooxml);
        case rec::kCodePage:
          codepage = c.u16();
          break;
        case rec::kDateMode:
          date1904 = c.u16() != 0;
          break;
        case rec::kFormat: {
          const std::uint16_t id = c.u16();
          styles.add_custom_format(id, text(c, !biff5));
          break;
        }
        case rec::kXf:
          c.u16();
          styles.add_style(c.u16());
          break;
        case rec::kBoundSheet:
          read_boundsheet(c);
          break;
        case rec::kSst: {
          std::vector<std::string_view> segments{r.data};
          reader.continues(segments);
          read_sst(Segments(std::move(segments)));
          break;
        }
        case rec::kExternSheet:
          if (!biff5) {
            const std::uint16_t count = c.u16();
            for (std::uint16_t i = 0; i < count; ++i) {
              c.u16();
              Xti xti;
              xti.first = c.u16();
              c.u16();
              externsheet.push_back(xti);
            }
          }
          break;
        case rec::kName:
          if (!biff5) read_name(c);
          break;
        default:
          break;
      }
    }
    resolve_names();  // a globals substream without EOF: what was read stands
  }

  void read_boundsheet(Cursor& c) {
    const std::uint32_t offset = c.u32();
    const std::uint8_t state = c.u8();
    const std::uint8_t type = c.u8();
    SheetInfo info;
    info.name = text(c, false);
    static constexpr SheetState kStates[] = {SheetState::visible, SheetState::hidden, SheetState::very_hidden, SheetState::very_hidden};
    info.state = kStates[state & 3];
    switch (type) {
      case 0: info.kind = SheetKind::worksheet; break;
      case 1: info.kind = SheetKind::macrosheet; break;
      case 2: info.kind = SheetKind::chartsheet; break;
      default: return;  // Visual Basic modules are no tabs
    }
    info.index = sheets.size();
    sheets.push_back(std::move(info));
    sheet_offsets.push_back(offset);
  }

  void read_sst(Segments s) {
    s.u32();
    const std::uint32_t unique = s.u32();
    // The declared count is not trusted for anything but a bound (some writers get it wrong).
    for (std::uint32_t i = 0; i < unique && !s.at_end(); ++i) {
      if (sst.size() >= limits.max_shared_strings) {
        throw Error(ErrorCode::limit_exceeded, "troppe stringhe condivise (limite " + std::to_string(limits.max_shared_strings) + ")",
                    "too many shared strings (limit " + std::to_string(limits.max_shared_strings) + ")");
      }
      const std::uint16_t count = s.u16();
      const std::uint8_t flags = s.byte();
      const std::uint16_t runs = (flags & 8) ? s.u16() : 0;
      const std::uint32_t ext = (flags & 4) ? s.u32() : 0;
      std::string value;
      s.chars(value, count, (flags & 1) != 0);
      s.skip(4ull * runs);
      s.skip(ext);
      sst.add(value);
    }
  }

  void read_name(Cursor& c) {
    const std::uint16_t flags = c.u16();
    c.u8();
    const std::uint8_t length = c.u8();
    const std::uint16_t formula_bytes = c.u16();
    c.u16();
    const std::uint16_t itab = c.u16();
    c.take(4);
    const std::uint8_t string_flags = c.u8();
    std::string name;
    if (string_flags & 1) append_utf16le(name, c.take(2u * length));
    else append_cp1252(name, c.take(length));
    if (flags & 0x20) {
      const auto code = name.empty() ? 0xFFu : static_cast<unsigned char>(name[0]);
      if (code >= std::size(kBuiltinNames)) return;
      name = "_xlnm." + std::string(kBuiltinNames[code]);
    }
    PendingName pending;
    pending.name.name = std::move(name);
    pending.name.hidden = (flags & 1) != 0;
    if (itab > 0) pending.name.local_sheet = itab - 1u;
    pending.rgce = c.take(formula_bytes);
    pending_names.push_back(std::move(pending));
  }

  // The formula of a defined name, for the simple forms names have (references, areas, unions of
  // them, constants); a name whose formula is anything else is left out.
  std::optional<std::string> name_formula(std::string_view rgce) const {
    Cursor c(rgce, rec::kName);
    std::string out;
    const auto sheet_of = [&](std::uint16_t ixti) -> std::optional<std::string> {
      if (ixti >= externsheet.size() || externsheet[ixti].first >= sheets.size()) return std::nullopt;
      return quoted_sheet(sheets[externsheet[ixti].first].name) + "!";
    };
    while (c.left() > 0) {
      const std::uint8_t ptg = c.u8();
      switch (ptg) {
        case 0x3A: case 0x5A: case 0x7A: {  // ptgRef3d
          const auto sheet = sheet_of(c.u16());
          const std::uint16_t row = c.u16();
          const std::uint16_t col = c.u16();
          if (!sheet) return std::nullopt;
          out += *sheet + a1_part(row, col);
          break;
        }
        case 0x3B: case 0x5B: case 0x7B: {  // ptgArea3d
          const auto sheet = sheet_of(c.u16());
          const std::uint16_t r1 = c.u16(), r2 = c.u16(), c1 = c.u16(), c2 = c.u16();
          if (!sheet) return std::nullopt;
          out += *sheet + a1_part(r1, c1) + ":" + a1_part(r2, c2);
          break;
        }
        case 0x10:  // ptgUnion
          out += ",";
          break;
        case 0x29: case 0x49: case 0x69:  // ptgMemFunc: a prefix saying how long the reference is
          c.u16();
          break;
        case 0x17: {  // ptgStr
          const std::uint8_t count = c.u8();
          const std::uint8_t flags = c.u8();
          std::string value;
          if (flags & 1) append_utf16le(value, c.take(2u * count));
          else append_cp1252(value, c.take(count));
          out += "\"" + value + "\"";
          break;
        }
        case 0x1E:  // ptgInt
          out += std::to_string(c.u16());
          break;
        case 0x1F: {  // ptgNum
          const std::string_view bytes = c.take(8);
          out += shortest_number(f64(bytes, 0));
          break;
        }
        default:
          return std::nullopt;
      }
    }
    if (out.empty()) return std::nullopt;
    return out;
  }

  void resolve_names() {
    for (PendingName& pending : pending_names) {
      if (auto formula = name_formula(pending.rgce)) {
        pending.name.formula = std::move(*formula);
        defined_names.push_back(std::move(pending.name));
      }
    }
    pending_names.clear();
  }

  void read_custom_properties(std::string_view s) {
    try {
      Cursor head(s, 0);
      head.take(24);
      const std::uint32_t sections = head.u32();
      for (std::uint32_t i = 0; i < sections && head.left() >= 20; ++i) {
        const std::string_view fmtid = head.take(16);
        const std::uint32_t offset = head.u32();
        if (std::memcmp(fmtid.data(), kUserDefinedFmtid, 16) == 0 && offset < s.size()) read_user_section(s.substr(offset));
      }
    } catch (const Error&) {
      // Damaged properties only lose the template's identity, which --form can give: the cells
      // are still read.
      custom_properties.clear();
    }
  }

  void read_user_section(std::string_view section) {
    Cursor head(section, 0);
    head.u32();
    const std::uint32_t count = head.u32();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> entries;
    for (std::uint32_t i = 0; i < count && head.left() >= 8; ++i) {
      const std::uint32_t id = head.u32();
      entries.emplace_back(id, head.u32());
    }
    const auto at = [&](std::uint32_t offset) {
      if (offset >= section.size()) throw damaged_xls("proprietà fuori dalla sezione", "property outside its section");
      return Cursor(section.substr(offset), 0);
    };
    std::uint16_t page = 1252;
    for (const auto& [id, offset] : entries) {
      if (id == 1) {
        Cursor c = at(offset);
        c.u32();
        page = c.u16();
      }
    }
    const auto string_of = [&](Cursor& c, std::uint32_t units, bool wide) {
      std::string out;
      if (wide) append_utf16le(out, c.take(2ull * units));
      else append_codepage(out, c.take(units), page);
      while (!out.empty() && out.back() == '\0') out.pop_back();
      return out;
    };
    std::vector<std::pair<std::uint32_t, std::string>> names;
    for (const auto& [id, offset] : entries) {
      if (id != 0) continue;
      Cursor c = at(offset);
      const std::uint32_t n = c.u32();
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t pid = c.u32();
        const std::uint32_t length = c.u32();
        std::string name = string_of(c, length, page == kUtf16CodePage);
        if (page == kUtf16CodePage && (length * 2) % 4) c.take(2);  // padded to 4 bytes
        names.emplace_back(pid, std::move(name));
      }
    }
    for (const auto& [id, offset] : entries) {
      if (id < 2) continue;
      Cursor c = at(offset);
      CustomProperty property;
      for (const auto& [pid, name] : names) {
        if (pid == id) property.name = name;
      }
      if (property.name.empty()) continue;
      const std::uint16_t vt = static_cast<std::uint16_t>(c.u32());
      switch (vt) {
        case 0x1E: {  // VT_LPSTR, in the section's code page (UTF-16 when that is 1200)
          const std::uint32_t bytes = c.u32();
          property.type = "lpwstr";
          property.value = page == kUtf16CodePage ? string_of(c, bytes / 2, true) : string_of(c, bytes, false);
          break;
        }
        case 0x1F:  // VT_LPWSTR
          property.type = "lpwstr";
          property.value = string_of(c, c.u32(), true);
          break;
        case 0x02:  // VT_I2
          property.type = "i4";
          property.value = std::to_string(static_cast<std::int16_t>(c.u16()));
          break;
        case 0x03:  // VT_I4
          property.type = "i4";
          property.value = std::to_string(static_cast<std::int32_t>(c.u32()));
          break;
        case 0x05:  // VT_R8
          property.type = "r8";
          property.value = shortest_number(f64(c.take(8), 0));
          break;
        case 0x0B:  // VT_BOOL
          property.type = "bool";
          property.value = c.u16() ? "true" : "false";
          break;
        case 0x40: {  // VT_FILETIME: 100 ns ticks since 1601-01-01
          const std::string_view raw = c.take(8);
          const double days = static_cast<double>(le::u64(raw, 0)) / 864e9 - 109205.0;
          property.type = "filetime";
          if (const auto dt = serial_to_datetime(days, false)) property.value = to_iso8601(*dt) + "Z";
          break;
        }
        default:
          continue;
      }
      custom_properties.push_back(std::move(property));
    }
  }

  std::string_view number_format(std::uint32_t style) const override { return styles.format(style); }
  std::size_t shared_string_count() const override { return sst.size(); }

  SheetFacts stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading&) override {
    SheetFacts facts;
    if (sheet.kind != SheetKind::worksheet || sheet.index >= sheet_offsets.size()) return facts;
    SheetStream parse(*this, facts, on_row);
    parse.run(sheet_offsets[sheet.index]);
    return facts;
  }

  // One pass over a worksheet substream, handing rows to the callback as they end.
  class SheetStream {
   public:
    SheetStream(const XlsSource& source, SheetFacts& facts, const RowCallback& on_row)
        : source_(source), facts_(facts), on_row_(on_row) {}

    void run(std::uint32_t offset) {
      if (offset >= source_.stream.size()) throw damaged_xls("un foglio inizia fuori dal flusso Workbook", "a sheet starts outside the Workbook stream");
      RecordReader reader(source_.stream, offset);
      Record r;
      if (!reader.next(r) || r.type != rec::kBof) throw damaged_xls("un foglio non inizia con un record BOF", "a sheet does not start with a BOF record");
      Cursor bof(r.data, r.type);
      bof.u16();
      if (bof.u16() != kSubstreamWorksheet) return;  // a chart or macro substream behind a worksheet entry
      int depth = 1;
      while (reader.next(r)) {
        if (r.type == rec::kBof) {
          ++depth;  // an embedded chart's substream
          continue;
        }
        if (r.type == rec::kEof && --depth == 0) break;
        if (depth != 1) continue;
        if (!record(r, reader)) return;
      }
      flush();
    }

   private:
    struct Pending {
      CellView view;
      bool own_text = false;  // text is in arena_ at [offset, offset + length)
      std::size_t offset = 0, length = 0;
    };

    Pending& cell(Cursor& c) {
      const std::uint16_t row = c.u16();
      const std::uint16_t col = c.u16();
      return cell(row, col, c.u16());
    }

    Pending& cell(std::uint32_t row, std::uint32_t col, std::uint16_t xf) {
      if (col >= source_.limits.max_columns || row >= source_.limits.max_rows) {
        throw Error(ErrorCode::limit_exceeded, "cella oltre i limiti del foglio (riga " + std::to_string(row + 1) + ", colonna " + std::to_string(col + 1) + ")",
                    "cell beyond the sheet's limits (row " + std::to_string(row + 1) + ", column " + std::to_string(col + 1) + ")");
      }
      if (!cells_.empty() && row != cells_.back().view.row && !flush()) stopped_ = true;
      pending_string_ = false;
      Pending& p = cells_.emplace_back();
      p.view.row = row;
      p.view.col = col;
      p.view.style = xf;
      return p;
    }

    void set_text(Pending& p, std::string_view text) {
      p.own_text = true;
      p.offset = arena_.size();
      p.length = text.size();
      arena_.append(text);
    }

    void set_number(Pending& p, double value) {
      if (!std::isfinite(value)) {
        p.view.type = CellType::error;
        p.view.text = "#NUM!";
        return;
      }
      p.view.number = value;
      const bool is_date = source_.styles.is_date(p.view.style) && serial_to_datetime(value, source_.date1904).has_value();
      p.view.type = is_date ? CellType::date : CellType::number;
      set_text(p, shortest_number(value));
    }

    void set_string(Pending& p, std::string_view text) {
      p.view.type = CellType::string;
      set_text(p, text);
    }

    // False when the callback asked to stop.
    bool record(const Record& r, RecordReader& reader) {
      Cursor c(r.data, r.type);
      switch (r.type) {
        case rec::kNumber: {
          Pending& p = cell(c);
          set_number(p, f64(c.take(8), 0));
          break;
        }
        case rec::kRk: {
          Pending& p = cell(c);
          set_number(p, rk_value(c.u32()));
          break;
        }
        case rec::kMulRk: {
          if (r.data.size() < 6 || (r.data.size() - 6) % 6 != 0) throw short_record(r.type);
          const std::uint16_t row = le::u16(r.data, 0);
          const std::uint32_t first = le::u16(r.data, 2);
          const std::size_t count = (r.data.size() - 6) / 6;
          for (std::size_t i = 0; i < count; ++i) {
            const std::size_t at = 4 + 6 * i;  // each: the cell's XF, then its RK number
            Pending& p = cell(row, static_cast<std::uint32_t>(first + i), le::u16(r.data, at));
            set_number(p, rk_value(le::u32(r.data, at + 2)));
            if (stopped_) return false;
          }
          break;
        }
        case rec::kLabelSst: {
          Pending& p = cell(c);
          const std::uint32_t index = c.u32();
          if (index >= source_.sst.size()) {
            throw Error(ErrorCode::corrupt_archive,
                        "file .xls danneggiato: la cella " + to_a1(CellRef{p.view.row, p.view.col}) + " rimanda a una stringa condivisa inesistente (" +
                            std::to_string(index) + ")",
                        "damaged .xls file: cell " + to_a1(CellRef{p.view.row, p.view.col}) + " refers to a missing shared string (" +
                            std::to_string(index) + ")");
          }
          p.view.type = CellType::string;
          p.view.text = source_.sst.at(index);
          break;
        }
        case rec::kLabel:
        case rec::kRString: {
          Pending& p = cell(c);
          std::string text;
          const std::uint16_t count = c.u16();
          if (source_.biff5) {
            append_codepage(text, c.take(count), source_.codepage);
          } else {
            const std::uint8_t flags = c.u8();
            if (flags & 1) append_utf16le(text, c.take(2u * count));
            else append_cp1252(text, c.take(count));
          }
          set_string(p, text);
          break;
        }
        case rec::kBoolErr: {
          Pending& p = cell(c);
          const std::uint8_t value = c.u8();
          if (c.u8() == 0) {
            p.view.type = CellType::boolean;
            p.view.number = value ? 1 : 0;
          } else {
            p.view.type = CellType::error;
            p.view.text = error_text(value);
          }
          break;
        }
        case rec::kFormula: {
          Pending& p = cell(c);
          p.view.has_formula = true;
          const std::string_view result = c.take(8);
          if (le::u16(result, 6) != 0xFFFF) {
            set_number(p, f64(result, 0));
            break;
          }
          switch (static_cast<std::uint8_t>(result[0])) {
            case 0:  // the text follows in a STRING record
              set_string(p, "");
              pending_string_ = true;
              break;
            case 1:
              p.view.type = CellType::boolean;
              p.view.number = result[2] ? 1 : 0;
              break;
            case 2:
              p.view.type = CellType::error;
              p.view.text = error_text(static_cast<std::uint8_t>(result[2]));
              break;
            default:
              set_string(p, "");
              break;
          }
          break;
        }
        case rec::kString: {
          if (!pending_string_ || cells_.empty()) break;
          pending_string_ = false;
          std::vector<std::string_view> segments{r.data};
          reader.continues(segments);
          Segments s(std::move(segments));
          std::string text;
          const std::uint16_t count = s.u16();
          if (source_.biff5) {
            std::string raw;
            for (std::uint16_t i = 0; i < count; ++i) raw += static_cast<char>(s.byte());
            append_codepage(text, raw, source_.codepage);
          } else {
            s.chars(text, count, (s.byte() & 1) != 0);
          }
          set_string(cells_.back(), text);
          break;
        }
        case rec::kMergedCells: {
          const std::uint16_t count = c.u16();
          for (std::uint16_t i = 0; i < count; ++i) {
            const std::uint16_t r1 = c.u16(), r2 = c.u16(), c1 = c.u16(), c2 = c.u16();
            if (r1 <= r2 && c1 <= c2 && c2 < source_.limits.max_columns) facts_.merged.push_back(Range{{r1, c1}, {r2, c2}});
          }
          break;
        }
        case rec::kDimension: {
          std::uint32_t first_row, last_row;
          if (source_.biff5) {
            first_row = c.u16();
            last_row = c.u16();
          } else {
            first_row = c.u32();
            last_row = c.u32();
          }
          const std::uint16_t first_col = c.u16();
          const std::uint16_t last_col = c.u16();
          // Only a fact to report: nothing is sized by it.
          if (first_row < last_row && first_col < last_col && last_row <= source_.limits.max_rows && last_col <= source_.limits.max_columns) {
            facts_.dimension = Range{{first_row, first_col}, {last_row - 1, static_cast<std::uint32_t>(last_col - 1)}};
          }
          break;
        }
        default:
          break;
      }
      return !stopped_;
    }

    // Hands the buffered row to the callback; false when it asked to stop.
    bool flush() {
      if (cells_.empty()) return true;
      views_.clear();
      for (Pending& p : cells_) {
        if (p.own_text) p.view.text = std::string_view(arena_).substr(p.offset, p.length);
        views_.push_back(p.view);
      }
      ++facts_.rows_read;
      facts_.cells_read += views_.size();
      const bool go_on = on_row_(RowView{cells_.front().view.row, views_});
      cells_.clear();
      arena_.clear();  // only now: the views point into it
      return go_on;
    }

    const XlsSource& source_;
    SheetFacts& facts_;
    const RowCallback& on_row_;
    std::vector<Pending> cells_;
    std::vector<CellView> views_;
    std::string arena_;
    bool pending_string_ = false;
    bool stopped_ = false;
  };
};

}  // namespace

std::unique_ptr<WorkbookSource> open_xls_source(std::string bytes, const Limits& limits) {
  auto source = std::make_unique<XlsSource>();
  source->limits = limits;
  source->file_bytes = std::move(bytes);
  source->load();
  return source;
}

}  // namespace consolida::xlsx
