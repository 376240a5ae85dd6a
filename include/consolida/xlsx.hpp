// Reading xlsx/xlsm workbooks.
//
// Two access styles:
//  * Workbook::stream_sheet() calls back once per row; memory does not grow with the sheet
//    (only the shared-string table is held for the whole workbook).
//  * Workbook::load_sheet() returns a Sheet with random access by cell, for small form sheets.
//
// Anything that is not a readable xlsx (xls, xlsb, ods, encrypted, broken, hostile) raises
// consolida::Error with an Italian and English message and a distinct ErrorCode.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consolida/error.hpp"

namespace consolida::xlsx {

// Safety limits. Defaults admit every workbook Excel can produce; each is configurable.
struct Limits {
  std::uint64_t max_file_bytes = 2ull << 30;          // size of the .xlsx file on disk
  std::uint64_t max_part_bytes = 2ull << 30;          // one part, uncompressed
  std::uint64_t max_total_bytes = 4ull << 30;         // all parts read, uncompressed
  std::uint64_t max_compression_ratio = 1000;         // uncompressed / compressed of one part
  std::uint64_t ratio_check_after_bytes = 8ull << 20; // small parts may compress extremely well
  std::uint64_t max_cell_bytes = 1u << 20;            // one text node (Excel allows 32,767 chars)
  std::uint64_t max_markup_bytes = 1u << 20;          // one tag with its attributes
  std::uint64_t max_shared_strings = 16u << 20;       // entries in the shared-string table
  std::uint64_t max_shared_string_bytes = 1ull << 30; // their total size
  std::uint32_t max_xml_depth = 256;
  std::uint32_t max_zip_entries = 65536;
  std::uint32_t max_rows = 1048576;                   // Excel's own limits
  std::uint32_t max_columns = 16384;                  // A..XFD
  // OpenDocument: cells with a value that number-rows/columns-repeated may multiply into, per sheet
  // (a few bytes can declare billions; a sheet filled down a whole column is a million).
  std::uint64_t max_repeated_cells = 1ull << 24;
};

enum class CellType : std::uint8_t { empty, number, string, boolean, error, date };

// Row and column are 0-based everywhere in the API; A1 text only at the edges.
struct CellRef {
  std::uint32_t row = 0;
  std::uint32_t col = 0;
  friend bool operator==(const CellRef&, const CellRef&) = default;
};

// "B12" -> {11, 1}; accepts "$B$12"; nullopt when malformed or beyond XFD1048576.
std::optional<CellRef> parse_a1(std::string_view text);
std::string column_name(std::uint32_t col);  // 0 -> "A", 16383 -> "XFD"
std::string to_a1(CellRef ref);

struct Range {
  CellRef first;
  CellRef last;
  bool contains(CellRef r) const {
    return r.row >= first.row && r.row <= last.row && r.col >= first.col && r.col <= last.col;
  }
};
// "A1:C3" or "B2" (a single cell); nullopt if malformed.
std::optional<Range> parse_range(std::string_view text);
std::string to_a1(const Range& range);

// A cell as seen while streaming. Views stay valid only during the row callback.
struct CellView {
  std::uint32_t row = 0;
  std::uint32_t col = 0;
  CellType type = CellType::empty;
  bool has_formula = false;
  std::uint32_t style = 0;       // index into cellXfs
  double number = 0;             // number, date serial (days), boolean 0/1
  std::string_view text;         // string value, error text ("#DIV/0!"), or the number as written
  std::string_view formula;      // formula text without "=", empty if none or shared child
};

struct RowView {
  std::uint32_t row = 0;
  std::span<const CellView> cells;  // in document order, only cells with a value or formula
};

// An owning cell for random access.
struct Cell {
  std::uint32_t row = 0;
  std::uint32_t col = 0;
  CellType type = CellType::empty;
  bool has_formula = false;
  std::uint32_t style = 0;
  double number = 0;
  std::string text;
  std::string formula;
};

enum class SheetState : std::uint8_t { visible, hidden, very_hidden };
std::string_view to_string(SheetState state);

// Every tab of the workbook is listed; only worksheets hold cells.
enum class SheetKind : std::uint8_t { worksheet, chartsheet, dialogsheet, macrosheet };
std::string_view to_string(SheetKind kind);

struct SheetInfo {
  std::string name;
  SheetState state = SheetState::visible;
  SheetKind kind = SheetKind::worksheet;
  std::string part;  // resolved zip part name
  std::size_t index = 0;
};

struct DefinedName {
  std::string name;
  std::string formula;                    // e.g. "'Scheda progetto'!$C$4"
  std::optional<std::size_t> local_sheet; // index of the sheet it is local to
  bool hidden = false;
};

struct CustomProperty {
  std::string name;
  std::string type;   // lpwstr, i4, r8, bool, filetime, ...
  std::string value;  // as written in the XML
};

struct DataValidation {
  std::string type;       // list, whole, decimal, date, textLength, custom, ...
  std::string operator_;  // between, greaterThan, ...
  std::vector<Range> ranges;
  std::string formula1;
  std::string formula2;
  bool allow_blank = false;
  std::string prompt_title;
  std::string prompt;
  std::string error_title;
  std::string error;
};

// What to read of a sheet beside its cells. Data validations carry long prompt texts: a reader
// that does not look at them (the form engine) skips them and their allocations.
struct SheetReading {
  bool data_validations = true;
};

// Facts found in the sheet part beside the cell data.
struct SheetFacts {
  std::optional<Range> dimension;
  std::vector<Range> merged;
  std::vector<DataValidation> validations;
  std::uint64_t rows_read = 0;
  std::uint64_t cells_read = 0;
};

class Sheet {
 public:
  const std::string& name() const { return name_; }
  const Cell* cell(CellRef ref) const;
  const Cell* cell(std::string_view a1) const;
  const std::vector<Cell>& cells() const { return cells_; }  // sorted by row, then column
  const SheetFacts& facts() const { return facts_; }
  // The merged range that covers ref, if any.
  const Range* merged_range_at(CellRef ref) const;

 private:
  friend class Workbook;
  std::string name_;
  std::vector<Cell> cells_;
  SheetFacts facts_;
};

// Returning false from the callback stops reading the sheet early.
using RowCallback = std::function<bool(const RowView&)>;

class Workbook {
 public:
  static Workbook open(const std::string& path, const Limits& limits = {});
  // A file already read into memory (an upload, or bytes just hashed); name is for messages.
  static Workbook open_bytes(std::string bytes, const std::string& name, const Limits& limits = {});
  Workbook(Workbook&&) noexcept;
  Workbook& operator=(Workbook&&) noexcept;
  ~Workbook();

  const std::string& path() const;
  const std::vector<SheetInfo>& sheets() const;
  const SheetInfo* find_sheet(std::string_view name) const;  // case-insensitive, like Excel
  const std::vector<DefinedName>& defined_names() const;
  const DefinedName* find_defined_name(std::string_view name) const;
  const std::vector<CustomProperty>& custom_properties() const;
  const CustomProperty* find_custom_property(std::string_view name) const;
  bool date1904() const;
  std::size_t shared_string_count() const;

  // The number format code of a cell style, "General" if none.
  std::string_view number_format(std::uint32_t style) const;

  SheetFacts stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading& reading = {});
  Sheet load_sheet(const SheetInfo& sheet, const SheetReading& reading = {});

 private:
  struct Impl;
  explicit Workbook(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What a file is, judged from its bytes (not its name).
enum class FileKind {
  xlsx, xlsm, xlsb, xls, ods, encrypted_ooxml, ole_other, zip_other, csv_or_text, html, pdf,
  empty, unknown
};
FileKind sniff_file(const std::string& path);
// The bytes of a regular file of at most max_bytes, read with one system call; nullopt when the
// file is larger. Throws Error(io) when it cannot be opened or read, or is not a regular file.
std::optional<std::string> read_file_at_most(const std::string& path, std::uint64_t max_bytes);
// The same, for a file already in memory.
FileKind sniff_bytes(std::string_view bytes);

// Date helpers: serial day numbers as Excel stores them.
// A calendar date and time; year, month and day all 0 mean a time of day without a date.
struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, microsecond = 0;
};
// nullopt when the serial is outside Excel's calendar (negative, or after year 9999).
std::optional<DateTime> serial_to_datetime(double serial, bool date1904);
std::optional<double> datetime_to_serial(const DateTime& dt, bool date1904);
// "2021-12-31T00:00:00" (microseconds appended when not zero).
std::string to_iso8601(const DateTime& dt);
// Parses ISO 8601 dates as found in t="d" cells: "2021-12-31", "2021-12-31T10:20:30Z", "10:20:30".
std::optional<DateTime> parse_iso8601(std::string_view text);

// True if an Excel number format code shows a date or time (same rule for built-in and custom).
bool is_date_format(std::string_view format_code);
// True for elapsed-time formats such as [h]:mm:ss.
bool is_duration_format(std::string_view format_code);
// The format code of a built-in numFmtId (0..49), empty if it has none.
std::string_view builtin_number_format(std::uint32_t id);

}  // namespace consolida::xlsx
