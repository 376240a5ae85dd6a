#include "support/zip_builder.hpp"

#include <zlib.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace consolida::testing {
namespace {

void put16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

}  // namespace

std::string raw_deflate(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&zs, data.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

ZipBuilder& ZipBuilder::add(std::string name, std::string data, bool deflate) {
  ZipItem item;
  item.name = std::move(name);
  item.data = std::move(data);
  item.deflate = deflate;
  return add(std::move(item));
}

ZipBuilder& ZipBuilder::add(ZipItem item) {
  for (auto& existing : items_) {
    if (existing.name == item.name) {
      existing = std::move(item);
      return *this;
    }
  }
  items_.push_back(std::move(item));
  return *this;
}

ZipBuilder& ZipBuilder::add_duplicate(std::string name, std::string data) {
  ZipItem item;
  item.name = std::move(name);
  item.data = std::move(data);
  items_.push_back(std::move(item));
  return *this;
}

std::string ZipBuilder::build() const {
  std::string out;
  std::string central;
  for (const ZipItem& item : items_) {
    const std::string payload = item.deflate ? raw_deflate(item.data) : item.data;
    const std::uint32_t crc = item.declared_crc.value_or(
        static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(item.data.data()), static_cast<uInt>(item.data.size()))));
    const std::uint32_t usize = item.declared_size.value_or(static_cast<std::uint32_t>(item.data.size()));
    const std::uint16_t method = item.method_override ? item.method_override : (item.deflate ? 8 : 0);
    const auto offset = static_cast<std::uint32_t>(out.size());
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, item.flags);
    put16(out, method);
    put16(out, 0);
    put16(out, 0x21);
    put32(out, crc);
    put32(out, static_cast<std::uint32_t>(payload.size()));
    put32(out, usize);
    put16(out, static_cast<std::uint32_t>(item.name.size()));
    put16(out, 0);
    out += item.name;
    out += payload;

    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, item.flags);
    put16(central, method);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, static_cast<std::uint32_t>(payload.size()));
    put32(central, usize);
    put16(central, static_cast<std::uint32_t>(item.name.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, offset);
    central += item.name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(items_.size()));
  put16(out, static_cast<std::uint32_t>(items_.size()));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

std::string ZipBuilder::write(const std::string& path) const {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  const std::string bytes = build();
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("cannot write " + path);
  return path;
}

std::string worksheet(const std::string& sheet_data, const std::string& after) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
         "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
         "<sheetData>" + sheet_data + "</sheetData>" + after + "</worksheet>";
}

std::string ods_content(const std::string& spreadsheet_xml, const std::string& automatic_styles_xml) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content "
         "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
         "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "
         "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
         "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "
         "xmlns:calcext=\"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0\" "
         "xmlns:of=\"urn:oasis:names:tc:opendocument:xmlns:of:1.2\" office:version=\"1.3\">"
         "<office:automatic-styles>" + automatic_styles_xml + "</office:automatic-styles>"
         "<office:body><office:spreadsheet>" + spreadsheet_xml + "</office:spreadsheet></office:body></office:document-content>";
}

ZipBuilder minimal_ods(const std::string& spreadsheet_xml, const std::string& automatic_styles_xml, const std::string& meta_xml) {
  ZipBuilder zip;
  zip.add("mimetype", "application/vnd.oasis.opendocument.spreadsheet", false);
  zip.add("META-INF/manifest.xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" "
          "manifest:version=\"1.3\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>"
          "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>");
  zip.add("content.xml", ods_content(spreadsheet_xml, automatic_styles_xml));
  if (!meta_xml.empty()) {
    zip.add("meta.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-meta xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
            "xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" office:version=\"1.3\"><office:meta>" + meta_xml +
            "</office:meta></office:document-meta>");
  }
  return zip;
}

ZipBuilder minimal_xlsx(const std::string& sheet_data_xml, const std::string& extra_sheet_xml,
                        const std::string& shared_strings_xml, const std::string& styles_xml,
                        const std::string& workbook_extra) {
  ZipBuilder zip;
  zip.add("[Content_Types].xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
          "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
          "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
          "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
          "</Types>");
  zip.add("_rels/.rels",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
          "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
          "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties\" Target=\"docProps/custom.xml\"/>"
          "</Relationships>");
  zip.add("xl/workbook.xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
          "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" + workbook_extra +
          "<sheets><sheet name=\"Foglio1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  std::string rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>";
  if (!shared_strings_xml.empty()) {
    rels += "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>";
    zip.add("xl/sharedStrings.xml", shared_strings_xml);
  }
  if (!styles_xml.empty()) {
    rels += "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>";
    zip.add("xl/styles.xml", styles_xml);
  }
  rels += "</Relationships>";
  zip.add("xl/_rels/workbook.xml.rels", rels);
  zip.add("xl/worksheets/sheet1.xml", worksheet(sheet_data_xml, extra_sheet_xml));
  return zip;
}

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("consolida-tests-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace consolida::testing
