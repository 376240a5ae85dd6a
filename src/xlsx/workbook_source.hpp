// One kind of file the reader understands, behind the Workbook API. Internal to the reader.
//
// Each format (the OOXML package, OpenDocument, Excel 97-2003) fills the same facts: the sheets,
// the defined names, the document's custom properties, the date system, and a row stream per sheet.
// Everything above the reader (forms, validation, consolidation) sees only consolida::xlsx::Workbook.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consolida/xlsx.hpp"

namespace consolida::xlsx {

class ZipArchive;

class WorkbookSource {
 public:
  virtual ~WorkbookSource() = default;

  std::string path;
  Limits limits;
  std::vector<SheetInfo> sheets;
  std::vector<DefinedName> defined_names;
  std::vector<CustomProperty> custom_properties;
  bool date1904 = false;

  virtual std::size_t shared_string_count() const { return 0; }
  // The number format code of a style index the source put in CellView::style.
  virtual std::string_view number_format(std::uint32_t style) const = 0;
  // Errors thrown here carry the part; the Workbook adds the file.
  virtual SheetFacts stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading& reading) = 0;
};

// Readers of a zip package already classified (classify_zip) as their kind.
std::unique_ptr<WorkbookSource> open_xlsx_source(std::unique_ptr<ZipArchive> archive, const Limits& limits);
// The reader of an OLE2 compound file, from the whole file's bytes: an .xls, or the refusal of an
// encrypted OOXML package or another Office document.
std::unique_ptr<WorkbookSource> open_xls_source(std::string bytes, const Limits& limits);
std::unique_ptr<WorkbookSource> open_ods_source(std::unique_ptr<ZipArchive> archive, const Limits& limits);

}  // namespace consolida::xlsx
