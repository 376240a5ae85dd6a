// Builds zip archives byte by byte for tests, including deliberately broken ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace consolida::testing {

struct ZipItem {
  std::string name;
  std::string data;
  bool deflate = true;
  std::optional<std::uint32_t> declared_size;  // lie about the uncompressed size
  std::optional<std::uint32_t> declared_crc;   // lie about the CRC
  std::uint16_t flags = 0;                     // e.g. 1 = encrypted
  std::uint16_t method_override = 0;           // e.g. 12 = bzip2
};

class ZipBuilder {
 public:
  ZipBuilder& add(std::string name, std::string data, bool deflate = true);
  ZipBuilder& add(ZipItem item);
  // Appends an entry even when one of that name is already there (add() replaces it): a
  // hostile archive whose copies different readers would pick differently.
  ZipBuilder& add_duplicate(std::string name, std::string data);
  std::string build() const;
  // Writes the archive to path; returns path.
  std::string write(const std::string& path) const;

 private:
  std::vector<ZipItem> items_;
};

// Deflates data as zip does (raw deflate stream).
std::string raw_deflate(const std::string& data);

// A minimal valid xlsx package around the given parts; parts override the defaults by name.
// The default has one sheet "Foglio1" at xl/worksheets/sheet1.xml with the given sheet_xml.
ZipBuilder minimal_xlsx(const std::string& sheet_data_xml, const std::string& extra_sheet_xml = "",
                        const std::string& shared_strings_xml = "", const std::string& styles_xml = "",
                        const std::string& workbook_extra = "");

// A minimal OpenDocument spreadsheet: mimetype, a manifest, content.xml whose office:spreadsheet
// holds spreadsheet_xml (tables, named expressions) after automatic_styles_xml, and a meta.xml
// with meta_xml inside office:meta when given. Parts override the defaults by name with add().
ZipBuilder minimal_ods(const std::string& spreadsheet_xml, const std::string& automatic_styles_xml = "",
                       const std::string& meta_xml = "");
// content.xml around the given office:spreadsheet content.
std::string ods_content(const std::string& spreadsheet_xml, const std::string& automatic_styles_xml = "");

// Wraps <row> elements in a worksheet element with the main namespace.
std::string worksheet(const std::string& sheet_data, const std::string& after = "");

// A fresh path under the test temp folder.
std::string temp_path(const std::string& name);

}  // namespace consolida::testing
