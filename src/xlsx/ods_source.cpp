// The OpenDocument spreadsheet (.ods, .ots): one content.xml holds every sheet, read on the same
// zip and XML layers as the OOXML package, into the same model.
//
// content.xml lists, in order: automatic styles (which tell hidden sheets), content validations,
// the tables, then the named expressions. Opening reads it once to learn the sheets and names,
// skipping the rows; streaming a sheet reads it again up to that table. Repetition attributes
// (number-rows-repeated, number-columns-repeated) never allocate: empty repeated rows and cells
// only move the cursor, and repeated values are emitted one row at a time within the limits.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "consolida/xlsx.hpp"
#include "xlsx/read_ahead.hpp"
#include "xlsx/text_util.hpp"
#include "xlsx/workbook_source.hpp"
#include "xlsx/xml_reader.hpp"
#include "xlsx/zip_archive.hpp"

namespace consolida::xlsx {
namespace {

using Event = XmlReader::Event;

constexpr std::string_view kContentPart = "content.xml";
// What opening looks at inside a table: its sheet-local names.
constexpr std::string_view kTableOutline[] = {"table:named-expressions"};
// How many ranges back a validation run looks for the range of the row above to extend.
constexpr std::size_t kValidationMergeWindow = 64;

// The number formats the reader gives cells, by value type: ODS data styles are not translated
// to Excel codes; validation needs only to tell percentages, dates and times apart.
enum OdsStyle : std::uint32_t { general, percentage, date, date_time, time_of_day, duration, style_count };
constexpr std::string_view kStyleFormats[style_count] = {"General", "0%", "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss",
                                                         "hh:mm:ss", "[h]:mm:ss"};

std::uint64_t parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return UINT64_MAX;
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return 1;
  return value;
}

// "of:=SUM([.A1:.A3])" -> "SUM([.A1:.A3])": the formula without its namespace and '='.
std::string_view strip_formula(std::string_view formula) {
  if (const auto colon = formula.find(':'); colon != std::string_view::npos && colon < 8 &&
                                            formula.substr(0, colon).find_first_of("=[\"(") == std::string_view::npos) {
    formula.remove_prefix(colon + 1);
  }
  if (formula.starts_with("=")) formula.remove_prefix(1);
  return formula;
}

// "PT10H10M10.5S", "P1DT2H", "-PT1H" -> days; nullopt when not an ISO 8601 duration.
std::optional<double> parse_duration(std::string_view text) {
  bool negative = false;
  if (text.starts_with("-")) {
    negative = true;
    text.remove_prefix(1);
  }
  if (!text.starts_with("P")) return std::nullopt;
  text.remove_prefix(1);
  double seconds = 0;
  bool in_time = false;
  bool any = false;
  while (!text.empty()) {
    if (text.front() == 'T') {
      in_time = true;
      text.remove_prefix(1);
      continue;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() + text.size()) return std::nullopt;
    const char unit = *end;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
    any = true;
    if (!in_time && unit == 'D') seconds += value * 86400;
    else if (!in_time && unit == 'W') seconds += value * 7 * 86400;
    else if (in_time && unit == 'H') seconds += value * 3600;
    else if (in_time && unit == 'M') seconds += value * 60;
    else if (in_time && unit == 'S') seconds += value;
    else return std::nullopt;  // years and months have no fixed length
  }
  if (!any) return std::nullopt;
  return (negative ? -seconds : seconds) / 86400.0;
}

std::string shortest(double value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// A sheet name as an Excel formula writes it: quoted unless plain letters, digits and '_'.
std::string excel_sheet(std::string_view name) {
  const bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                     });
  if (plain) return std::string(name);
  std::string out = "'";
  for (char c : name) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// One ODF cell address "$'Sheet 1'.$C$4" (sheet optional): the sheet and "$C$4".
struct OdfAddress {
  std::optional<std::string> sheet;
  std::string cell;
};

std::optional<OdfAddress> parse_odf_address(std::string_view text) {
  OdfAddress out;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '$') ++i;
  if (i < text.size() && text[i] == '\'') {
    std::string sheet;
    for (++i; i < text.size(); ++i) {
      if (text[i] == '\'') {
        if (i + 1 < text.size() && text[i + 1] == '\'') {
          sheet += '\'';
          ++i;
          continue;
        }
        break;
      }
      sheet += text[i];
    }
    if (i >= text.size()) return std::nullopt;
    ++i;
    out.sheet = sheet;
  } else {
    const auto dot = text.rfind('.');
    if (dot != std::string_view::npos && dot > i) out.sheet = std::string(text.substr(i, dot - i));
    // Without a dot the address is a bare cell, as the end of a range may be written ("$A$5").
    i = dot == std::string_view::npos ? std::string_view::npos : dot;
  }
  if (i == std::string_view::npos) {
    out.cell = std::string(text);
  } else {
    if (i >= text.size() || text[i] != '.') return std::nullopt;
    out.cell = std::string(text.substr(i + 1));
  }
  std::string bare;
  for (char c : out.cell) {
    if (c != '$') bare += c;
  }
  if (!parse_a1(bare)) return std::nullopt;
  return out;
}

// An ODF range list "$Sheet1.$A$1:.$B$2 $Sheet2.$C$3" as an Excel formula
// "Sheet1!$A$1:$B$2,Sheet2!$C$3"; nullopt when it is not one (then the text is kept as it is).
std::optional<std::string> excel_ranges(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    // Split at spaces and ':' outside quotes.
    std::vector<std::string_view> parts;
    std::size_t i = start;
    std::size_t part_start = start;
    bool quoted = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\'') quoted = !quoted;
      else if (!quoted && (c == ':' || c == ' ' || c == ';')) {
        parts.push_back(text.substr(part_start, i - part_start));
        part_start = i + 1;
        if (c != ':') break;
      }
    }
    if (i == text.size()) parts.push_back(text.substr(part_start));
    start = i + 1;
    if (parts.empty() || parts.size() > 2 || (parts.size() == 1 && parts[0].empty())) {
      if (parts.size() == 1 && parts[0].empty()) continue;
      return std::nullopt;
    }
    const auto first = parse_odf_address(parts[0]);
    if (!first || !first->sheet) return std::nullopt;
    if (!out.empty()) out += ',';
    out += excel_sheet(*first->sheet) + "!" + first->cell;
    if (parts.size() == 2) {
      const auto last = parse_odf_address(parts[1]);
      if (!last) return std::nullopt;
      out += ":" + last->cell;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// table:condition of a content validation, in the Excel terms of DataValidation. Lists of
// constants become "\"a,b\"", ranges "Sheet!$A$1:$A$5", as Excel writes them.
struct ConditionKind {
  std::string_view odf;
  std::string_view type;
};
constexpr ConditionKind kConditionKinds[] = {
    {"cell-content-is-whole-number()", "whole"},    {"cell-content-is-decimal-number()", "decimal"},
    {"cell-content-is-date()", "date"},             {"cell-content-is-time()", "time"},
    {"cell-content-text-length", "textLength"},     {"is-true-formula", "custom"},
};
struct ConditionOperator {
  std::string_view odf;
  std::string_view op;
};
constexpr ConditionOperator kOperators[] = {
    {"cell-content-is-not-between(", "notBetween"}, {"cell-content-is-between(", "between"},
    {"cell-content-text-length-is-not-between(", "notBetween"}, {"cell-content-text-length-is-between(", "between"},
    {">=", "greaterThanOrEqual"}, {"<=", "lessThanOrEqual"}, {"!=", "notEqual"}, {"<>", "notEqual"},
    {">", "greaterThan"}, {"<", "lessThan"}, {"=", "equal"},
};

std::vector<std::string> split_arguments(std::string_view args) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  int depth = 0;
  for (char c : args) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '(' || c == '[')) ++depth;
    if (!quoted && (c == ')' || c == ']')) --depth;
    if (!quoted && depth == 0 && (c == ';' || c == ',')) {
      out.push_back(std::string(trim(current)));
      current.clear();
      continue;
    }
    current += c;
  }
  if (!trim(current).empty() || !out.empty()) out.push_back(std::string(trim(current)));
  return out;
}

void read_condition(std::string_view condition, DataValidation& dv) {
  condition = strip_formula(condition);
  if (condition.starts_with("cell-content-is-in-list(") && condition.ends_with(")")) {
    dv.type = "list";
    const std::string_view inner = condition.substr(24, condition.size() - 25);
    if (inner.starts_with("\"")) {
      std::string items;
      for (const std::string& item : split_arguments(inner)) {
        std::string_view value = item;
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (!items.empty()) items += ',';
        std::string unescaped(value);
        for (std::size_t at = unescaped.find("\"\""); at != std::string::npos; at = unescaped.find("\"\"", at + 1)) {
          unescaped.erase(at, 1);
        }
        items += unescaped;
      }
      dv.formula1 = "\"" + items + "\"";
    } else {
      dv.formula1 = excel_ranges(inner).value_or(std::string(inner));
    }
    return;
  }
  dv.type = "custom";
  for (const ConditionKind& kind : kConditionKinds) {
    if (condition.find(kind.odf) != std::string_view::npos) {
      dv.type = kind.type;
      break;
    }
  }
  // The comparison follows " and " (or is the whole condition for cell-content()<op>value).
  std::string_view rest = condition;
  if (const auto and_at = rest.find(" and "); and_at != std::string_view::npos) rest = rest.substr(and_at + 5);
  for (const ConditionOperator& op : kOperators) {
    const auto at = rest.find(op.odf);
    if (at == std::string_view::npos) continue;
    dv.operator_ = op.op;
    if (op.odf.back() == '(') {
      const std::string_view args = rest.substr(at + op.odf.size(), rest.size() - at - op.odf.size() - (rest.ends_with(")") ? 1 : 0));
      const auto parts = split_arguments(args);
      if (!parts.empty()) dv.formula1 = parts[0];
      if (parts.size() > 1) dv.formula2 = parts[1];
    } else {
      dv.formula1 = std::string(trim(rest.substr(at + op.odf.size())));
    }
    break;
  }
  if (dv.type == "custom" && dv.formula1.empty()) dv.formula1 = std::string(condition);
}

// What content.xml says beside the rows, gathered by the first reading.
struct Outline {
  std::unordered_set<std::string> hidden_table_styles;
  std::unordered_map<std::string, std::size_t> validation_by_name;
  std::vector<DataValidation> validations;
};

// Collapses white space in paragraph text as ODF 1.2 (6.1.2) says: literal tabs, CR and LF are
// spaces, and a space after a space or at the start of the paragraph is dropped; text:s, text:tab
// and text:line-break give the spaces, tabs and breaks the writer meant.
class ParagraphText {
 public:
  explicit ParagraphText(std::string& out) : out_(out) {}
  void start_paragraph(bool first) {
    if (!first) out_ += '\n';
    after_space_ = true;
  }
  void literal(std::string_view text) {
    for (char c : text) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (after_space_) continue;
        out_ += ' ';
        after_space_ = true;
      } else {
        out_ += c;
        after_space_ = false;
      }
    }
  }
  void spaces(std::uint64_t n) {
    out_.append(static_cast<std::size_t>(n), ' ');
    after_space_ = n > 0 || after_space_;
  }
  void control(char c) {
    out_ += c;
    after_space_ = false;
  }

 private:
  std::string& out_;
  bool after_space_ = true;
};

class SheetReader {
 public:
  SheetReader(XmlReader& xml, const Limits& limits, const Outline& outline, bool date1904, const SheetReading& reading,
              const RowCallback& on_row)
      : xml_(xml), limits_(limits), outline_(outline), date1904_(date1904), reading_(reading), on_row_(on_row) {}

  // Called on the start event of the table; reads up to its end.
  SheetFacts run() {
    const std::size_t table_depth = xml_.depth();
    if (xml_.self_closing()) {
      xml_.next();
      return std::move(facts_);
    }
    bool stopped = false;
    for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < table_depth); e = xml_.next()) {
      if (e != Event::start) continue;
      const std::string_view name = xml_.name();
      if (!stopped && name_is(name, "table-row")) {
        stopped = !parse_row();
        if (stopped) break;
      } else if (name_is(name, "table-row") || name_is(name, "table-column") || name_is(name, "shapes") ||
                 name_is(name, "named-expressions") || name_is(name, "forms") || name_is(name, "table-source") ||
                 name_is(name, "scenario") || name_is(name, "dde-source")) {
        if (!xml_.self_closing()) xml_.skip_element();
      }
      // Row groups and header rows are containers: their rows are read as they come.
    }
    if (reading_.data_validations) {
      // ranges_ grows only as far as the validations this sheet's cells refer to.
      for (std::size_t i = 0; i < ranges_.size(); ++i) {
        if (ranges_[i].empty()) continue;
        DataValidation dv = outline_.validations[i];
        dv.ranges = std::move(ranges_[i]);
        facts_.validations.push_back(std::move(dv));
      }
    }
    return std::move(facts_);
  }

 private:
  struct PendingCell {
    CellView view;
    std::uint32_t text_offset = 0;
    std::uint32_t text_length = 0;
    std::uint32_t formula_offset = 0;
    std::uint32_t formula_length = 0;
  };
  struct Span {
    std::uint32_t col = 0;
    std::uint64_t columns = 1;
    std::uint64_t rows = 1;
  };
  struct ValidationRun {
    std::size_t validation = 0;
    std::uint32_t first_col = 0;
    std::uint32_t last_col = 0;
  };

  [[noreturn]] void fail_columns() const {
    throw xml_.error(ErrorCode::limit_exceeded,
                     "il foglio ha valori oltre la colonna " + column_name(limits_.max_columns - 1) + " (" +
                         std::to_string(limits_.max_columns) + " colonne ammesse)",
                     "the sheet has values beyond column " + column_name(limits_.max_columns - 1) + " (" +
                         std::to_string(limits_.max_columns) + " columns allowed)");
  }
  [[noreturn]] void fail_rows() const {
    throw xml_.error(ErrorCode::limit_exceeded,
                     "il foglio ha valori oltre la riga " + std::to_string(limits_.max_rows) + " (righe ammesse)",
                     "the sheet has values beyond row " + std::to_string(limits_.max_rows) + " (rows allowed)");
  }
  // Repetition turns a few bytes into many cells, and a long text into many copies of it: past
  // either budget (cells, and bytes as many as one part may hold) the file is refused rather than
  // expanded, for a reader that keeps the cells (load_sheet) as for one that streams them.
  void spend_repeats(std::uint64_t cells, std::uint64_t bytes) {
    repeated_ += cells;
    repeated_bytes_ += bytes;
    if (repeated_ > limits_.max_repeated_cells) {
      throw xml_.error(ErrorCode::limit_exceeded,
                       "il foglio ripete celle con valore oltre " + std::to_string(limits_.max_repeated_cells) +
                           " volte (number-rows-repeated/number-columns-repeated)",
                       "the sheet repeats cells with a value more than " + std::to_string(limits_.max_repeated_cells) +
                           " times (number-rows-repeated/number-columns-repeated)");
    }
    if (repeated_bytes_ > limits_.max_part_bytes) {
      throw xml_.error(ErrorCode::limit_exceeded,
                       "il foglio ripete testi per oltre " + std::to_string(limits_.max_part_bytes >> 20) +
                           " MiB (number-rows-repeated/number-columns-repeated)",
                       "the sheet repeats texts for more than " + std::to_string(limits_.max_part_bytes >> 20) +
                           " MiB (number-rows-repeated/number-columns-repeated)");
    }
  }

  std::uint32_t arena_append(std::string_view text) {
    const auto offset = static_cast<std::uint32_t>(arena_.size());
    arena_.append(text);
    return offset;
  }

  // Returns false when the callback asked to stop.
  bool parse_row() {
    const std::uint64_t repeat = parse_count(xml_.attr("number-rows-repeated"));
    cells_.clear();
    arena_.clear();
    spans_.clear();
    runs_.clear();
    col_ = 0;
    if (!xml_.self_closing()) {
      const std::size_t row_depth = xml_.depth();
      for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < row_depth); e = xml_.next()) {
        if (e != Event::start) continue;
        const std::string_view name = xml_.name();
        if (name_is(name, "table-cell") || name_is(name, "covered-table-cell")) {
          try {
            parse_cell();
          } catch (Error& error) {
            if (row_ < limits_.max_rows && col_ < limits_.max_columns) {
              error.set_cell(to_a1(CellRef{static_cast<std::uint32_t>(row_), static_cast<std::uint32_t>(col_)}));
            }
            throw;
          }
        } else if (!xml_.self_closing()) {
          xml_.skip_element();
        }
      }
    } else {
      xml_.next();
    }
    const std::uint64_t first_row = row_;
    row_ = repeat > UINT64_MAX - row_ ? UINT64_MAX : row_ + repeat;
    if (first_row >= limits_.max_rows) {
      if (!cells_.empty() || !spans_.empty()) fail_rows();
      return true;
    }
    const std::uint64_t rows = std::min<std::uint64_t>(repeat, limits_.max_rows - first_row);
    const auto last_row = static_cast<std::uint32_t>(first_row + rows - 1);
    for (const ValidationRun& run : runs_) {
      add_validation_range(run.validation, Range{{static_cast<std::uint32_t>(first_row), run.first_col}, {last_row, run.last_col}});
    }
    for (const Span& span : spans_) {
      // A span repeated down the rows would overlap itself unless it is one row high.
      const std::uint64_t copies = span.rows == 1 ? rows : 1;
      spend_repeats(copies - 1, 0);
      for (std::uint64_t k = 0; k < copies; ++k) {
        const std::uint64_t r = first_row + k;
        const std::uint64_t last_r = std::min<std::uint64_t>(r + span.rows - 1, limits_.max_rows - 1);
        const std::uint64_t last_c = std::min<std::uint64_t>(span.col + span.columns - 1, limits_.max_columns - 1);
        facts_.merged.push_back(Range{{static_cast<std::uint32_t>(r), span.col},
                                      {static_cast<std::uint32_t>(last_r), static_cast<std::uint32_t>(last_c)}});
      }
    }
    // An empty repeated row is one row element, as an empty <row> of an .xlsx: not a million rows.
    facts_.rows_read += cells_.empty() ? 1 : rows;
    if (cells_.empty()) return true;
    std::uint64_t row_bytes = 0;
    for (const PendingCell& pending : cells_) row_bytes += pending.text_length + pending.formula_length;
    spend_repeats((rows - 1) * cells_.size(), (rows - 1) * row_bytes);
    views_.clear();
    views_.reserve(cells_.size());
    for (const PendingCell& pending : cells_) {
      CellView view = pending.view;
      view.text = std::string_view(arena_.data() + pending.text_offset, pending.text_length);
      if (pending.formula_length != 0) view.formula = std::string_view(arena_.data() + pending.formula_offset, pending.formula_length);
      views_.push_back(view);
    }
    for (std::uint64_t k = 0; k < rows; ++k) {
      const auto row = static_cast<std::uint32_t>(first_row + k);
      for (CellView& view : views_) view.row = row;
      facts_.cells_read += views_.size();
      if (!on_row_(RowView{row, std::span<const CellView>(views_)})) return false;
    }
    return true;
  }

  void add_validation_range(std::size_t validation, Range range) {
    if (ranges_.size() < outline_.validations.size()) ranges_.resize(outline_.validations.size());
    std::vector<Range>& ranges = ranges_[validation];
    const std::size_t window = std::min(ranges.size(), kValidationMergeWindow);
    for (std::size_t k = ranges.size(); k > ranges.size() - window; --k) {
      Range& previous = ranges[k - 1];
      if (previous.first.col == range.first.col && previous.last.col == range.last.col &&
          previous.last.row + 1 == range.first.row) {
        previous.last.row = range.last.row;
        return;
      }
    }
    ranges.push_back(range);
  }

  void parse_cell() {
    PendingCell cell;
    std::uint64_t repeat = 1;
    std::string_view value_type;
    std::string_view value;
    std::string_view date_value;
    std::string_view time_value;
    std::string_view boolean_value;
    std::string_view string_value;
    bool has_string_value = false;
    bool calc_error = false;
    std::optional<std::size_t> validation;  // index in outline_.validations
    Span span;
    for (std::size_t i = 0, n = xml_.attribute_count(); i < n; ++i) {
      const std::string_view name = xml_.attribute_local_name(i);
      if (name_is(name, "value-type")) {
        if (xml_.attribute_qname(i).starts_with("calcext:")) calc_error = xml_.attribute_value(i) == "error";
        else value_type = xml_.attribute_value(i);
      } else if (name_is(name, "value")) value = xml_.attribute_value(i);
      else if (name_is(name, "date-value")) date_value = xml_.attribute_value(i);
      else if (name_is(name, "time-value")) time_value = xml_.attribute_value(i);
      else if (name_is(name, "boolean-value")) boolean_value = xml_.attribute_value(i);
      else if (name_is(name, "string-value")) {
        string_value = xml_.attribute_value(i);
        has_string_value = true;
      } else if (name_is(name, "formula")) {
        const std::string_view f = strip_formula(xml_.attribute_value(i));
        cell.view.has_formula = true;
        cell.formula_offset = arena_append(f);
        cell.formula_length = static_cast<std::uint32_t>(f.size());
      } else if (name_is(name, "number-columns-repeated")) repeat = parse_count(xml_.attribute_value(i));
      else if (name_is(name, "number-columns-spanned")) span.columns = parse_count(xml_.attribute_value(i));
      else if (name_is(name, "number-rows-spanned")) span.rows = parse_count(xml_.attribute_value(i));
      else if (name_is(name, "content-validation-name") && reading_.data_validations) {
        // Looked up now: the attribute's bytes may move when the reader refills its buffer.
        if (const auto it = outline_.validation_by_name.find(std::string(xml_.attribute_value(i)));
            it != outline_.validation_by_name.end()) {
          validation = it->second;
        }
      }
    }
    // The attribute views die with the next event: what is kept goes to the arena, or is judged, first.
    const bool has_value_type = !value_type.empty();
    const bool is_boolean = value_type == "boolean";
    const bool boolean_true = boolean_value == "true" || boolean_value == "1";
    const bool is_string = value_type == "string" || (value_type.empty() && !cell.view.has_formula);
    double number = 0;
    bool numeric = false;
    OdsStyle style = general;
    if (value_type == "float" || value_type == "currency" || value_type == "percentage") {
      const char* begin = value.data();
      const char* end = begin + value.size();
      if (begin != end && *begin == '+') ++begin;
      const auto [p, ec] = std::from_chars(begin, end, number);
      numeric = ec == std::errc() && p == end && std::isfinite(number);
      if (value_type == "percentage") style = percentage;
    }
    std::string serial_text;
    CellType date_type = CellType::empty;
    if (value_type == "date") {
      const auto dt = parse_iso8601(date_value);
      const auto serial = dt ? datetime_to_serial(*dt, date1904_) : std::nullopt;
      if (serial) {
        number = *serial;
        date_type = CellType::date;
        style = (dt->hour | dt->minute | dt->second | dt->microsecond) != 0 ? date_time : date;
      }
    } else if (value_type == "time") {
      if (const auto days = parse_duration(time_value)) {
        number = *days;
        date_type = CellType::date;
        style = number >= 0 && number < 1 ? time_of_day : duration;
      }
    }
    if (date_type == CellType::date) serial_text = shortest(number);
    // Only the text the cell will show is kept (see the choice of type below).
    const bool shows_string_value = has_string_value && (is_string || !has_value_type) && !numeric &&
                                    date_type != CellType::date && !is_boolean;
    const std::uint32_t value_offset = !calc_error && numeric ? arena_append(value) : 0;
    const std::uint32_t string_offset = !calc_error && shows_string_value ? arena_append(string_value) : 0;
    const std::uint32_t serial_offset = !calc_error && !numeric ? arena_append(serial_text) : 0;

    // The paragraphs: the text of string cells, and what an error or unreadable value shows.
    const std::uint32_t text_offset = static_cast<std::uint32_t>(arena_.size());
    bool has_paragraph = false;
    // A value given by the attributes makes the paragraphs only its display: not read.
    const bool value_in_attributes = !calc_error && (numeric || date_type == CellType::date || is_boolean || has_string_value);
    if (value_in_attributes) {
      xml_.skim_element({});
    } else if (!xml_.self_closing()) {
      const std::size_t cell_depth = xml_.depth();
      for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < cell_depth); e = xml_.next()) {
        if (e != Event::start) continue;
        const std::string_view name = xml_.name();
        if ((name_is(name, "p") || name_is(name, "h")) && xml_.qname().starts_with("text:")) {
          read_paragraph(text_offset, !has_paragraph);
          has_paragraph = true;
        } else if (!xml_.self_closing()) {
          xml_.skip_element();  // annotations, drawings, anything that is not the cell's text
        }
      }
    } else {
      xml_.next();
    }
    const std::uint32_t text_length = static_cast<std::uint32_t>(arena_.size()) - text_offset;

    if (calc_error) {
      cell.view.type = CellType::error;
      cell.text_offset = text_offset;
      cell.text_length = text_length;
    } else if (numeric) {
      cell.view.type = CellType::number;
      cell.view.number = number;
      cell.text_offset = value_offset;
      cell.text_length = static_cast<std::uint32_t>(value.size());
    } else if (date_type == CellType::date) {
      cell.view.type = CellType::date;
      cell.view.number = number;
      cell.text_offset = serial_offset;
      cell.text_length = static_cast<std::uint32_t>(serial_text.size());
    } else if (is_boolean) {
      cell.view.type = CellType::boolean;
      cell.view.number = boolean_true ? 1 : 0;
      cell.text_offset = arena_append(cell.view.number != 0 ? "1" : "0");
      cell.text_length = 1;
    } else if (has_string_value && (is_string || !has_value_type)) {
      cell.view.type = CellType::string;
      cell.text_offset = string_offset;
      cell.text_length = static_cast<std::uint32_t>(string_value.size());
    } else if (has_paragraph && (is_string || has_value_type)) {
      // A string, or a value whose attributes cannot be read: keep what the cell shows.
      cell.view.type = CellType::string;
      cell.text_offset = text_offset;
      cell.text_length = text_length;
    } else {
      cell.view.type = CellType::empty;
    }
    // An empty text is no value, as in an .xlsx: a formula showing "" is an empty cell with a formula.
    if (cell.view.type == CellType::string && cell.text_length == 0) cell.view.type = CellType::empty;
    cell.view.style = style;

    const std::uint64_t first_col = col_;
    col_ = repeat > UINT64_MAX - col_ ? UINT64_MAX : col_ + repeat;
    const bool has_value = cell.view.type != CellType::empty || cell.view.has_formula;
    if (validation && first_col < limits_.max_columns) {
      const std::uint64_t last = std::min<std::uint64_t>(col_, limits_.max_columns) - 1;
      if (!runs_.empty() && runs_.back().validation == *validation && runs_.back().last_col + 1 == first_col) {
        runs_.back().last_col = static_cast<std::uint32_t>(last);
      } else {
        runs_.push_back(ValidationRun{*validation, static_cast<std::uint32_t>(first_col), static_cast<std::uint32_t>(last)});
      }
    }
    if (first_col >= limits_.max_columns) {
      if (has_value || span.columns > 1 || span.rows > 1) fail_columns();
      return;
    }
    const std::uint64_t copies = std::min<std::uint64_t>(repeat, limits_.max_columns - first_col);
    if (span.columns > 1 || span.rows > 1) {
      span.col = static_cast<std::uint32_t>(first_col);
      spans_.push_back(span);
    }
    if (!has_value) return;
    spend_repeats(copies - 1, (copies - 1) * (cell.text_length + cell.formula_length));
    for (std::uint64_t k = 0; k < copies; ++k) {
      cell.view.col = static_cast<std::uint32_t>(first_col + k);
      cells_.push_back(cell);
    }
  }

  void read_paragraph(std::uint32_t cell_text_offset, bool first) {
    ParagraphText text(arena_);
    text.start_paragraph(first);
    const auto check = [&] {
      if (arena_.size() - cell_text_offset > limits_.max_cell_bytes) throw xml_.text_too_long(limits_.max_cell_bytes);
    };
    if (xml_.self_closing()) {
      xml_.next();
      return;
    }
    const std::size_t depth = xml_.depth();
    for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < depth); e = xml_.next()) {
      if (e == Event::text) {
        text.literal(xml_.text());
        check();
        continue;
      }
      if (e != Event::start) continue;
      const std::string_view name = xml_.name();
      if (name_is(name, "s")) {
        const std::string_view c = xml_.attr("c");
        const std::uint64_t n = c.empty() ? 1 : parse_count(c);
        if (n > limits_.max_cell_bytes) throw xml_.text_too_long(limits_.max_cell_bytes);
        text.spaces(n);
        check();
      } else if (name_is(name, "tab")) {
        text.control('\t');
      } else if (name_is(name, "line-break")) {
        text.control('\n');
      } else if (name_is(name, "span") || name_is(name, "a") || name_is(name, "sequence") || name_is(name, "date") ||
                 name_is(name, "time") || name_is(name, "page-number") || name_is(name, "sheet-name") ||
                 name_is(name, "title") || name_is(name, "file-name") || name_is(name, "meta")) {
        continue;  // inline containers: their text is the paragraph's
      }
      if (!xml_.self_closing()) xml_.skip_element();  // notes, frames, bookmarks with content
    }
  }

  XmlReader& xml_;
  const Limits& limits_;
  const Outline& outline_;
  const bool date1904_;
  const SheetReading& reading_;
  const RowCallback& on_row_;
  SheetFacts facts_;
  std::vector<PendingCell> cells_;
  std::vector<CellView> views_;
  std::vector<Span> spans_;
  std::vector<ValidationRun> runs_;
  std::vector<std::vector<Range>> ranges_;
  std::string arena_;
  std::uint64_t row_ = 0;
  std::uint64_t col_ = 0;
  std::uint64_t repeated_ = 0;
  std::uint64_t repeated_bytes_ = 0;
};

class OdsSource final : public WorkbookSource {
 public:
  std::unique_ptr<ZipArchive> archive;
  Outline outline;

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

  std::unique_ptr<ByteSource> open_content(const ZipEntry& entry) {
    return read_ahead_if_large(archive->open(entry), entry.uncompressed_size);
  }

  void load() {
    check_mimetype();
    check_manifest();
    const ZipEntry* content = archive->find(kContentPart);
    if (!content) {
      throw Error(ErrorCode::missing_part, "manca la parte content.xml: il file non è un foglio di calcolo OpenDocument valido",
                  "part content.xml is missing: the file is not a valid OpenDocument spreadsheet");
    }
    try {
      read_outline(*open_content(*content));
    } catch (Error& error) {
      error.set_part(content->name);
      throw;
    }
    if (const ZipEntry* meta = archive->find("meta.xml")) {
      with_part(*meta, [&](ByteSource& s) {
        read_meta(s);
        return 0;
      });
    }
  }

  void check_mimetype() {
    const ZipEntry* entry = archive->find("mimetype");
    if (!entry || entry->uncompressed_size > 256) return;
    const std::string mime(trim(with_part(*entry, [&](ByteSource&) { return archive->read_all(*entry); })));
    if (mime.starts_with("application/vnd.oasis.opendocument.spreadsheet")) return;
    throw Error(ErrorCode::unsupported_format,
                "documento OpenDocument che non è un foglio di calcolo (" + mime + "): caricare il modello compilato",
                "OpenDocument file that is not a spreadsheet (" + mime + "): upload the filled-in template");
  }

  // ODF encryption leaves the zip entries plain and says so in the manifest.
  void check_manifest() {
    const ZipEntry* entry = archive->find("META-INF/manifest.xml");
    if (!entry) return;
    const bool encrypted = with_part(*entry, [&](ByteSource& s) {
      XmlReader xml(s, limits);
      for (Event e = xml.next(); e != Event::eof; e = xml.next()) {
        if (e == Event::start && xml.name() == "encryption-data") return true;
      }
      return false;
    });
    if (encrypted) {
      throw Error(ErrorCode::encrypted,
                  "file .ods protetto da password: togliere la password (in LibreOffice: File > Proprietà > Generale > "
                  "Cambia password, oppure File > Salva con nome togliendo \"Salva con password\") e salvarlo di nuovo",
                  "password-protected .ods file: remove the password (in LibreOffice: File > Save As, unticking "
                  "\"Save with password\") and save it again");
    }
  }

  void read_outline(ByteSource& source) {
    XmlReader xml(source, limits);
    std::string table_style;  // the automatic table style being read
    std::optional<std::size_t> current_table;
    std::size_t table_depth = 0;
    // Of a table's body only its own named expressions matter here: the rows are read when the
    // sheet is streamed, so they are skimmed over, not parsed.
    const auto skim_table = [&] {
      if (!xml.skim_element(kTableOutline)) current_table.reset();
    };
    for (Event e = xml.next(); e != Event::eof; e = xml.next()) {
      if (e == Event::end) {
        if (current_table && xml.depth() == table_depth) skim_table();
        continue;
      }
      if (e != Event::start) continue;
      const std::string_view name = xml.name();
      if (name_is(name, "table") && xml.qname() == "table:table" && !current_table) {
        SheetInfo info;
        info.name = xml.attr("name");
        info.part = std::string(kContentPart);
        info.index = sheets.size();
        if (outline.hidden_table_styles.count(std::string(xml.attr("style-name")))) info.state = SheetState::hidden;
        sheets.push_back(std::move(info));
        if (!xml.self_closing()) {
          current_table = sheets.size() - 1;
          table_depth = xml.depth();
          skim_table();
        }
      } else if (name_is(name, "style") && xml.attr("family") == "table") {
        table_style = xml.attr("name");
      } else if (name_is(name, "table-properties") && !table_style.empty()) {
        if (xml.attr("display") == "false") outline.hidden_table_styles.insert(table_style);
      } else if (name_is(name, "content-validation")) {
        read_validation(xml);
      } else if (name_is(name, "null-date")) {
        date1904 = xml.attr("date-value") == "1904-01-01";
      } else if (name_is(name, "named-range")) {
        DefinedName defined;
        defined.name = xml.attr("name");
        const std::string_view address = xml.attr("cell-range-address");
        defined.formula = excel_ranges(address).value_or(std::string(address));
        defined.local_sheet = current_table;
        defined_names.push_back(std::move(defined));
      } else if (name_is(name, "named-expression")) {
        DefinedName defined;
        defined.name = xml.attr("name");
        const std::string_view expression = strip_formula(xml.attr("expression"));
        defined.formula = excel_ranges(expression).value_or(std::string(expression));
        defined.local_sheet = current_table;
        defined_names.push_back(std::move(defined));
      }
    }
  }

  void read_validation(XmlReader& xml) {
    DataValidation dv;
    const std::string name(xml.attr("name"));
    read_condition(xml.attr("condition"), dv);
    dv.allow_blank = xml.attr("allow-empty-cell") != "false";
    if (!xml.self_closing()) {
      const std::size_t depth = xml.depth();
      for (Event e = xml.next(); !(e == Event::end && xml.depth() < depth); e = xml.next()) {
        if (e != Event::start) continue;
        const std::string_view element = xml.name();
        const bool help = name_is(element, "help-message");
        if (!help && !name_is(element, "error-message")) continue;
        (help ? dv.prompt_title : dv.error_title) = xml.attr("title");
        std::string text;
        if (!xml.self_closing()) {
          const std::size_t message_depth = xml.depth();
          bool first = true;
          for (Event m = xml.next(); !(m == Event::end && xml.depth() < message_depth); m = xml.next()) {
            if (m == Event::start && xml.name() == "p") {
              if (!first) text += '\n';
              first = false;
              text += xml.read_element_text();
            }
          }
        }
        (help ? dv.prompt : dv.error) = std::move(text);
      }
    }
    outline.validation_by_name[name] = outline.validations.size();
    outline.validations.push_back(std::move(dv));
  }

  void read_meta(ByteSource& source) {
    XmlReader xml(source, limits);
    for (Event e = xml.next(); e != Event::eof; e = xml.next()) {
      if (e != Event::start || xml.name() != "user-defined") continue;
      CustomProperty property;
      property.name = xml.attr("name");
      const std::string_view type = xml.attr("value-type");
      property.type = type == "float" ? "r8" : type == "boolean" ? "bool" : type == "date" ? "filetime" : "lpwstr";
      property.value = xml.read_element_text();
      custom_properties.push_back(std::move(property));
    }
  }

  std::string_view number_format(std::uint32_t style) const override {
    return style < style_count ? kStyleFormats[style] : kStyleFormats[general];
  }

  SheetFacts stream_sheet(const SheetInfo& sheet, const RowCallback& on_row, const SheetReading& reading) override {
    const ZipEntry* entry = archive->find(kContentPart);
    try {
      std::unique_ptr<ByteSource> source = open_content(*entry);
      XmlReader xml(*source, limits);
      std::size_t index = 0;
      for (Event e = xml.next(); e != Event::eof; e = xml.next()) {
        if (e != Event::start) continue;
        if (!(name_is(xml.name(), "table") && xml.qname() == "table:table")) continue;
        if (index++ != sheet.index) {
          xml.skim_element({});  // read properly when that sheet is streamed
          continue;
        }
        return SheetReader(xml, limits, outline, date1904, reading, on_row).run();
      }
    } catch (Error& error) {
      error.set_part(std::string(kContentPart));
      throw;
    }
    throw Error(ErrorCode::missing_part, "manca il foglio \"" + sheet.name + "\" in content.xml",
                "sheet \"" + sheet.name + "\" is missing from content.xml");
  }
};

}  // namespace

std::unique_ptr<WorkbookSource> open_ods_source(std::unique_ptr<ZipArchive> archive, const Limits& limits) {
  auto source = std::make_unique<OdsSource>();
  source->limits = limits;
  source->archive = std::move(archive);
  source->load();
  return source;
}

}  // namespace consolida::xlsx
