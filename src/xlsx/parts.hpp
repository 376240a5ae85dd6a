// Parsers for the individual parts of an xlsx package. Internal to the reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "consolida/xlsx.hpp"
#include "xlsx/byte_source.hpp"

namespace consolida::xlsx {

// Number formats of the cell styles (cellXfs), and which of them show dates.
class Styles {
 public:
  std::string_view format(std::uint32_t style) const;
  bool is_date(std::uint32_t style) const { return style < is_date_.size() && is_date_[style]; }
  void add_custom_format(std::uint32_t id, std::string code) { custom_[id] = std::move(code); }
  void add_style(std::uint32_t num_fmt_id);

 private:
  std::unordered_map<std::uint32_t, std::string> custom_;
  std::vector<std::uint32_t> num_fmt_ids_;
  std::vector<bool> is_date_;
};

class SharedStrings {
 public:
  std::size_t size() const { return offsets_.size(); }
  std::string_view at(std::size_t i) const {
    const std::uint64_t begin = offsets_[i];
    const std::uint64_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : arena_.size();
    return std::string_view(arena_.data() + begin, end - begin);
  }
  void add(std::string_view text) {
    offsets_.push_back(arena_.size());
    arena_.append(text);
  }
  std::size_t bytes() const { return arena_.size(); }
  void reserve(std::size_t count) { offsets_.reserve(count); }

 private:
  std::string arena_;
  std::vector<std::uint64_t> offsets_;
};

struct Relationship {
  std::string id;
  std::string type;    // full type URI
  std::string target;  // resolved part name, without leading '/'
  bool external = false;
};

struct WorkbookXml {
  struct SheetEntry {
    std::string name;
    std::string relationship_id;
    SheetState state = SheetState::visible;
  };
  std::vector<SheetEntry> sheets;
  std::vector<DefinedName> defined_names;
  bool date1904 = false;
};

Styles parse_styles(ByteSource& source, const Limits& limits);
SharedStrings parse_shared_strings(ByteSource& source, const Limits& limits);
// base_dir is the folder of the part the relationships belong to ("xl/"), for relative targets.
std::vector<Relationship> parse_relationships(ByteSource& source, const Limits& limits, std::string_view base_dir);
WorkbookXml parse_workbook_xml(ByteSource& source, const Limits& limits);
std::vector<CustomProperty> parse_custom_properties(ByteSource& source, const Limits& limits);

struct WorksheetContext {
  const SharedStrings& shared_strings;
  const Styles& styles;
  bool date1904 = false;
  SheetReading reading{};
};
SheetFacts parse_worksheet(ByteSource& source, const Limits& limits, const WorksheetContext& context,
                           const RowCallback& on_row);

// OOXML escapes characters XML cannot carry as _xHHHH_ (e.g. _x000D_ for CR); decode in place.
void decode_ooxml_escapes(std::string& text);
inline bool has_ooxml_escape(std::string_view text) { return text.find("_x") != std::string_view::npos; }

}  // namespace consolida::xlsx
