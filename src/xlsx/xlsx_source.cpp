// The OOXML package (.xlsx, .xlsm): relationships lead from the package to the workbook part,
// its sheets, shared strings, styles and custom properties.
#include "consolida/xlsx.hpp"
#include "xlsx/parts.hpp"
#include "xlsx/read_ahead.hpp"
#include "xlsx/workbook_source.hpp"
#include "xlsx/zip_archive.hpp"

namespace consolida::xlsx {
namespace {

// Below this size a sheet is read on the calling thread: a second thread would cost more than
// it saves on the small form sheets that make up most uploads.

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

class XlsxSource final : public WorkbookSource {
 public:
  std::unique_ptr<ZipArchive> archive;
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

  std::size_t shared_string_count() const override { return shared_strings.size(); }
  std::string_view number_format(std::uint32_t style) const override { return styles.format(style); }

  SheetFacts stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading& reading) override {
    const ZipEntry* entry = sheet.part.empty() ? nullptr : archive->find(sheet.part);
    if (!entry) {
      throw Error(ErrorCode::missing_part,
                  "manca la parte del foglio \"" + sheet.name + "\"" + (sheet.part.empty() ? "" : " (" + sheet.part + ")"),
                  "the part of sheet \"" + sheet.name + "\" is missing" + (sheet.part.empty() ? "" : " (" + sheet.part + ")"));
    }
    const WorksheetContext context{shared_strings, styles, date1904, reading};
    try {
      const std::unique_ptr<ByteSource> source = read_ahead_if_large(archive->open(*entry), entry->uncompressed_size);
      return parse_worksheet(*source, limits, context, on_row);
    } catch (Error& error) {
      error.set_part(entry->name);
      throw;
    }
  }
};

}  // namespace

std::unique_ptr<WorkbookSource> open_xlsx_source(std::unique_ptr<ZipArchive> archive, const Limits& limits) {
  auto source = std::make_unique<XlsxSource>();
  source->limits = limits;
  source->archive = std::move(archive);
  source->load();
  return source;
}

}  // namespace consolida::xlsx
