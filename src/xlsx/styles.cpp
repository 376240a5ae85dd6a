#include <charconv>

#include "xlsx/parts.hpp"
#include "xlsx/xml_reader.hpp"

namespace consolida::xlsx {
namespace {

std::uint32_t to_u32(std::string_view text) {
  std::uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// East Asian built-in date formats (27-36, 50-58) have no fixed code in the standard.
bool is_builtin_cjk_date(std::uint32_t id) { return (id >= 27 && id <= 36) || (id >= 50 && id <= 58); }

}  // namespace

std::string_view Styles::format(std::uint32_t style) const {
  if (style >= num_fmt_ids_.size()) return "General";
  const std::uint32_t id = num_fmt_ids_[style];
  if (auto it = custom_.find(id); it != custom_.end()) return it->second;
  const std::string_view builtin = builtin_number_format(id);
  return builtin.empty() ? std::string_view("General") : builtin;
}

void Styles::add_style(std::uint32_t num_fmt_id) {
  num_fmt_ids_.push_back(num_fmt_id);
  bool date;
  if (auto it = custom_.find(num_fmt_id); it != custom_.end()) {
    date = is_date_format(it->second);
  } else {
    date = is_builtin_cjk_date(num_fmt_id) || is_date_format(builtin_number_format(num_fmt_id));
  }
  is_date_.push_back(date);
}

Styles parse_styles(ByteSource& source, const Limits& limits) {
  Styles styles;
  XmlReader xml(source, limits);
  bool in_cell_xfs = false;
  for (auto e = xml.next(); e != XmlReader::Event::eof; e = xml.next()) {
    if (e == XmlReader::Event::start) {
      const std::string_view name = xml.name();
      if (name == "numFmt") {
        styles.add_custom_format(to_u32(xml.attr("numFmtId")), std::string(xml.attr("formatCode")));
      } else if (name == "cellXfs") {
        in_cell_xfs = true;
      } else if (name == "xf" && in_cell_xfs) {
        styles.add_style(to_u32(xml.attr("numFmtId")));
        if (!xml.self_closing()) xml.skip_element();
      }
    } else if (e == XmlReader::Event::end && xml.name() == "cellXfs") {
      in_cell_xfs = false;
    }
  }
  return styles;
}

}  // namespace consolida::xlsx
