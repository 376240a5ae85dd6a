// Package-level parts: relationships, workbook.xml, custom document properties.
#include <charconv>

#include "xlsx/parts.hpp"
#include "xlsx/text_util.hpp"
#include "xlsx/xml_reader.hpp"

namespace consolida::xlsx {
namespace {

// Resolves a relationship target against the folder of its source part, handling "..", ".",
// absolute targets and percent-escapes left as they are.
std::string resolve_target(std::string_view base_dir, std::string_view target) {
  std::string joined;
  if (!target.empty() && target.front() == '/') {
    joined = std::string(target.substr(1));
  } else {
    joined = std::string(base_dir) + std::string(target);
  }
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= joined.size()) {
    const auto slash = joined.find('/', start);
    const std::string segment = joined.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out += '/';
    out += s;
  }
  return out;
}

}  // namespace

std::vector<Relationship> parse_relationships(ByteSource& source, const Limits& limits, std::string_view base_dir) {
  std::vector<Relationship> out;
  XmlReader xml(source, limits);
  for (auto e = xml.next(); e != XmlReader::Event::eof; e = xml.next()) {
    if (e == XmlReader::Event::start && xml.name() == "Relationship") {
      Relationship rel;
      rel.id = xml.attr("Id");
      rel.type = xml.attr("Type");
      rel.external = iequals(xml.attr("TargetMode"), "External");
      rel.target = rel.external ? std::string(xml.attr("Target")) : resolve_target(base_dir, xml.attr("Target"));
      out.push_back(std::move(rel));
    }
  }
  return out;
}

WorkbookXml parse_workbook_xml(ByteSource& source, const Limits& limits) {
  WorkbookXml wb;
  XmlReader xml(source, limits);
  for (auto e = xml.next(); e != XmlReader::Event::eof; e = xml.next()) {
    if (e != XmlReader::Event::start) continue;
    const std::string_view name = xml.name();
    if (name == "sheet") {
      WorkbookXml::SheetEntry sheet;
      sheet.name = xml.attr("name");
      sheet.relationship_id = xml.prefixed_attr("id");
      if (sheet.relationship_id.empty()) sheet.relationship_id = xml.attr("id");
      const std::string_view state = xml.attr("state");
      if (state == "hidden") sheet.state = SheetState::hidden;
      else if (state == "veryHidden") sheet.state = SheetState::very_hidden;
      wb.sheets.push_back(std::move(sheet));
    } else if (name == "workbookPr" && xml.depth() == 2) {
      // Only the main element, a child of <workbook>, carries the date system: Excel 2013 and
      // later also write <x15:workbookPr chartTrackingRefBase="1"/> deep in extLst, same local
      // name, no date1904; reading it would turn 1904 dates back to 1900 (4 years, 1 day early).
      const std::string_view v = xml.attr("date1904");
      wb.date1904 = v == "1" || v == "true";
    } else if (name == "definedName") {
      DefinedName defined;
      defined.name = xml.attr("name");
      defined.hidden = xml.attr("hidden") == "1" || xml.attr("hidden") == "true";
      const std::string_view local = xml.attr("localSheetId");
      if (!local.empty()) {
        std::size_t index = 0;
        auto [p, ec] = std::from_chars(local.data(), local.data() + local.size(), index);
        if (ec == std::errc()) defined.local_sheet = index;
      }
      defined.formula = xml.read_element_text();
      wb.defined_names.push_back(std::move(defined));
    }
  }
  return wb;
}

std::vector<CustomProperty> parse_custom_properties(ByteSource& source, const Limits& limits) {
  std::vector<CustomProperty> out;
  XmlReader xml(source, limits);
  for (auto e = xml.next(); e != XmlReader::Event::eof; e = xml.next()) {
    if (e != XmlReader::Event::start || xml.name() != "property") continue;
    CustomProperty property;
    property.name = xml.attr("name");
    if (!xml.self_closing()) {
      const std::size_t property_depth = xml.depth();
      for (auto inner = xml.next(); !(inner == XmlReader::Event::end && xml.depth() < property_depth);
           inner = xml.next()) {
        if (inner == XmlReader::Event::start) {
          property.type = xml.name();
          property.value = xml.read_element_text();
        }
      }
    }
    out.push_back(std::move(property));
  }
  return out;
}

}  // namespace consolida::xlsx
