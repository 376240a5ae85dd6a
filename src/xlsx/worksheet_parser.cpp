// Streams <sheetData> row by row and collects the sheet facts found around it.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "xlsx/parts.hpp"
#include "xlsx/xml_reader.hpp"

namespace consolida::xlsx {
namespace {

using Event = XmlReader::Event;

// A cell under construction: text lives in the row arena, which may move while the row grows,
// so positions are kept as offsets and turned into views once the row is complete.
struct PendingCell {
  CellView view;
  std::uint32_t text_offset = 0;
  std::uint32_t text_length = 0;
  std::uint32_t formula_offset = 0;
  std::uint32_t formula_length = 0;
  bool text_in_arena = false;
};

std::string columns_message_it(std::uint32_t max) {
  return "il foglio dichiara più colonne di quante ne siano ammesse (" + std::to_string(max) + ", fino a " +
         column_name(max - 1) + ")";
}
std::string columns_message_en(std::uint32_t max) {
  return "the sheet declares more columns than allowed (" + std::to_string(max) + ", up to " + column_name(max - 1) + ")";
}

class WorksheetParser {
 public:
  WorksheetParser(ByteSource& source, const Limits& limits, const WorksheetContext& context, const RowCallback& on_row)
      : xml_(source, limits), limits_(limits), context_(context), on_row_(on_row) {}

  SheetFacts run() {
    for (Event e = xml_.next(); e != Event::eof; e = xml_.next()) {
      if (e != Event::start) continue;
      const std::string_view name = xml_.name();
      if (name_is(name, "row")) {
        if (!parse_row()) return std::move(facts_);
      } else if (name == "dimension") {
        facts_.dimension = checked_range(xml_.attr("ref"));
      } else if (name == "col") {
        check_column_number(xml_.attr("max"));
      } else if (name == "mergeCell") {
        if (auto range = checked_range(xml_.attr("ref"))) facts_.merged.push_back(*range);
      } else if (name == "dataValidation" && context_.reading.data_validations) {
        parse_data_validation();
      }
    }
    return std::move(facts_);
  }

 private:
  [[noreturn]] void fail_columns() const {
    throw xml_.error(ErrorCode::limit_exceeded, columns_message_it(limits_.max_columns),
                     columns_message_en(limits_.max_columns));
  }

  void check_column_number(std::string_view text) {
    std::uint64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
      if (value > limits_.max_columns) fail_columns();
    }
  }

  // Parses a cell reference; letters beyond the column limit or digits beyond the row limit are
  // a limit error, anything else malformed is an XML error.
  CellRef checked_cell(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && text[i] == '$') ++i;
    std::uint64_t col = 0;
    const std::size_t col_begin = i;
    while (i < text.size() && ((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z'))) {
      col = col * 26 + static_cast<std::uint64_t>((text[i] | 0x20) - 'a' + 1);
      if (col > limits_.max_columns) fail_columns();
      ++i;
    }
    if (i < text.size() && text[i] == '$') ++i;
    std::uint64_t row = 0;
    const std::size_t row_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      row = row * 10 + static_cast<std::uint64_t>(text[i] - '0');
      if (row > limits_.max_rows) fail_rows();
      ++i;
    }
    if (i == col_begin || i == row_begin || i != text.size() || row == 0) {
      throw xml_.error(ErrorCode::malformed_xml, "riferimento di cella non valido: \"" + std::string(text) + "\"",
                       "invalid cell reference: \"" + std::string(text) + "\"");
    }
    return CellRef{static_cast<std::uint32_t>(row - 1), static_cast<std::uint32_t>(col - 1)};
  }

  [[noreturn]] void fail_rows() const {
    throw xml_.error(ErrorCode::limit_exceeded,
                     "il foglio ha più righe di quante ne siano ammesse (" + std::to_string(limits_.max_rows) + ")",
                     "the sheet has more rows than allowed (" + std::to_string(limits_.max_rows) + ")");
  }

  std::optional<Range> checked_range(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const auto colon = text.find(':');
    const CellRef first = checked_cell(text.substr(0, colon));
    const CellRef last = colon == std::string_view::npos ? first : checked_cell(text.substr(colon + 1));
    return Range{{std::min(first.row, last.row), std::min(first.col, last.col)},
                 {std::max(first.row, last.row), std::max(first.col, last.col)}};
  }

  std::vector<Range> checked_ranges(std::string_view sqref) {
    std::vector<Range> out;
    std::size_t start = 0;
    while (start < sqref.size()) {
      auto end = sqref.find(' ', start);
      if (end == std::string_view::npos) end = sqref.size();
      if (end > start) {
        if (auto range = checked_range(sqref.substr(start, end - start))) out.push_back(*range);
      }
      start = end + 1;
    }
    return out;
  }

  std::uint32_t parse_row_number() {
    const std::string_view r = xml_.attr("r");
    if (r.empty()) return next_row_;
    std::uint64_t value = 0;
    for (char c : r) {
      if (c < '0' || c > '9') {
        throw xml_.error(ErrorCode::malformed_xml, "numero di riga non valido: \"" + std::string(r) + "\"",
                         "invalid row number: \"" + std::string(r) + "\"");
      }
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
      if (value > limits_.max_rows) fail_rows();
    }
    if (value == 0) {
      throw xml_.error(ErrorCode::malformed_xml, "numero di riga 0 non valido", "invalid row number 0");
    }
    return static_cast<std::uint32_t>(value - 1);
  }

  // Returns false when the callback asked to stop.
  bool parse_row() {
    const std::uint32_t row = parse_row_number();
    if (row >= limits_.max_rows) fail_rows();
    next_row_ = row + 1;
    cells_.clear();
    arena_.clear();
    next_col_ = 0;
    if (!xml_.self_closing()) {
      const std::size_t row_depth = xml_.depth();
      for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < row_depth); e = xml_.next()) {
        if (e == Event::start) {
          if (name_is(xml_.name(), "c")) {
            try {
              parse_cell(row);
            } catch (Error& error) {
              if (current_cell_known_) error.set_cell(to_a1(current_cell_));
              throw;
            }
          } else if (!xml_.self_closing()) {
            xml_.skip_element();
          }
        }
      }
    } else {
      xml_.next();  // the end event of <row/>
    }
    ++facts_.rows_read;
    if (cells_.empty()) return true;
    facts_.cells_read += cells_.size();
    views_.clear();
    views_.reserve(cells_.size());
    for (PendingCell& pending : cells_) {
      CellView view = pending.view;
      if (pending.text_in_arena) view.text = std::string_view(arena_.data() + pending.text_offset, pending.text_length);
      if (pending.formula_length != 0) {
        view.formula = std::string_view(arena_.data() + pending.formula_offset, pending.formula_length);
      }
      views_.push_back(view);
    }
    return on_row_(RowView{row, std::span<const CellView>(views_)});
  }

  std::uint32_t arena_append(std::string_view text) {
    const auto offset = static_cast<std::uint32_t>(arena_.size());
    arena_.append(text);
    return offset;
  }

  void parse_cell(std::uint32_t row) {
    PendingCell cell;
    current_cell_known_ = false;
    std::string_view r;
    std::string_view type_attr;
    std::string_view style;
    for (std::size_t i = 0, n = xml_.attribute_count(); i < n; ++i) {
      const std::string_view attribute = xml_.attribute_local_name(i);
      if (attribute.size() != 1) continue;
      if (attribute[0] == 'r') r = xml_.attribute_value(i);
      else if (attribute[0] == 't') type_attr = xml_.attribute_value(i);
      else if (attribute[0] == 's') style = xml_.attribute_value(i);
    }
    if (r.empty()) {
      if (next_col_ >= limits_.max_columns) fail_columns();
      cell.view.row = row;
      cell.view.col = next_col_;
    } else {
      const CellRef ref = checked_cell(r);
      cell.view.row = ref.row;
      cell.view.col = ref.col;
    }
    next_col_ = cell.view.col + 1;
    current_cell_ = CellRef{cell.view.row, cell.view.col};
    current_cell_known_ = true;
    char type = 'n';
    if (type_attr == "s") type = 's';
    else if (type_attr == "str") type = 'f';
    else if (type_attr == "inlineStr") type = 'i';
    else if (type_attr == "b") type = 'b';
    else if (type_attr == "e") type = 'e';
    else if (type_attr == "d") type = 'd';
    if (!style.empty()) std::from_chars(style.data(), style.data() + style.size(), cell.view.style);

    bool has_value = false;
    std::uint32_t value_offset = 0;
    std::uint32_t value_length = 0;
    bool inline_text = false;
    if (!xml_.self_closing()) {
      const std::size_t cell_depth = xml_.depth();
      for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < cell_depth); e = xml_.next()) {
        if (e != Event::start) continue;
        const std::string_view name = xml_.name();
        if (name_is(name, "v")) {
          const std::string_view v = xml_.read_element_text();
          if (!inline_text) {
            value_offset = arena_append(v);
            value_length = static_cast<std::uint32_t>(v.size());
            has_value = !v.empty();
          }
        } else if (name_is(name, "f")) {
          cell.view.has_formula = true;
          const std::string_view f = xml_.read_element_text();
          if (!f.empty()) {
            cell.formula_offset = arena_append(f);
            cell.formula_length = static_cast<std::uint32_t>(f.size());
          }
        } else if (name_is(name, "is")) {
          value_offset = static_cast<std::uint32_t>(arena_.size());
          read_inline_string(value_offset);
          value_length = static_cast<std::uint32_t>(arena_.size() - value_offset);
          has_value = true;
          inline_text = true;
          type = 'i';
        } else if (!xml_.self_closing()) {
          xml_.skip_element();
        }
      }
    } else {
      xml_.next();
    }
    if (!has_value) {
      if (!cell.view.has_formula) return;  // styled but empty: not a value
      cell.view.type = CellType::empty;
      cells_.push_back(cell);
      return;
    }
    const std::string_view value(arena_.data() + value_offset, value_length);
    cell.text_in_arena = true;
    cell.text_offset = value_offset;
    cell.text_length = value_length;
    switch (type) {
      case 's': {
        std::uint64_t index = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), index);
        if (ec != std::errc() || p != value.data() + value.size() || index >= context_.shared_strings.size()) {
          throw xml_.error(ErrorCode::malformed_xml,
                           "la cella " + to_a1(CellRef{cell.view.row, cell.view.col}) +
                               " rimanda a una stringa condivisa inesistente (" + std::string(value) + ")",
                           "cell " + to_a1(CellRef{cell.view.row, cell.view.col}) +
                               " refers to a missing shared string (" + std::string(value) + ")");
        }
        cell.view.type = CellType::string;
        cell.view.text = context_.shared_strings.at(static_cast<std::size_t>(index));
        cell.text_in_arena = false;
        break;
      }
      case 'i':
      case 'f':
        cell.view.type = CellType::string;
        if (has_ooxml_escape(value)) {
          std::string decoded(value);
          decode_ooxml_escapes(decoded);
          arena_.resize(value_offset);
          arena_append(decoded);
          cell.text_length = static_cast<std::uint32_t>(decoded.size());
        }
        break;
      case 'b':
        cell.view.type = CellType::boolean;
        cell.view.number = (value == "1" || value == "true" || value == "TRUE") ? 1 : 0;
        break;
      case 'e':
        cell.view.type = CellType::error;
        break;
      case 'd': {
        const auto dt = parse_iso8601(value);
        const auto serial = dt ? datetime_to_serial(*dt, context_.date1904) : std::nullopt;
        if (serial) {
          cell.view.type = CellType::date;
          cell.view.number = *serial;
        } else {
          cell.view.type = CellType::string;
        }
        break;
      }
      default: {
        const char* begin = value.data();
        const char* end = begin + value.size();
        if (begin != end && *begin == '+') ++begin;
        auto [p, ec] = std::from_chars(begin, end, cell.view.number);
        if (ec == std::errc() && p == end && std::isfinite(cell.view.number)) {
          // A date format on a serial outside the calendar (negative, past 9999-12-31) shows a
          // number in Excel: it is one, not a "date" that no date can be made of.
          const bool is_date = context_.styles.is_date(cell.view.style) &&
                               serial_to_datetime(cell.view.number, context_.date1904).has_value();
          cell.view.type = is_date ? CellType::date : CellType::number;
        } else {
          cell.view.type = CellType::string;  // keep what was written rather than lose it
        }
        break;
      }
    }
    cells_.push_back(cell);
  }

  // <is> holds <t> directly or rich-text runs <r><t/></r>; phonetic runs (<rPh>) are not text.
  // The text is appended to the row arena from start_offset on.
  void read_inline_string(std::size_t start_offset) {
    if (xml_.self_closing()) {
      xml_.next();
      return;
    }
    const std::size_t is_depth = xml_.depth();
    for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < is_depth); e = xml_.next()) {
      if (e != Event::start) continue;
      const std::string_view name = xml_.name();
      if (name == "t") {
        arena_.append(xml_.read_element_text());
        if (arena_.size() - start_offset > limits_.max_cell_bytes) throw xml_.text_too_long(limits_.max_cell_bytes);
      } else if ((name == "rPh" || name == "rPr") && !xml_.self_closing()) {
        xml_.skip_element();
      }
    }
  }

  void parse_data_validation() {
    DataValidation dv;
    dv.type = xml_.attr("type");
    if (dv.type.empty()) dv.type = "none";
    dv.operator_ = xml_.attr("operator");
    dv.allow_blank = xml_.attr("allowBlank") == "1" || xml_.attr("allowBlank") == "true";
    dv.prompt_title = xml_.attr("promptTitle");
    dv.prompt = xml_.attr("prompt");
    dv.error_title = xml_.attr("errorTitle");
    dv.error = xml_.attr("error");
    dv.ranges = checked_ranges(xml_.attr("sqref"));
    if (!xml_.self_closing()) {
      const std::size_t depth = xml_.depth();
      for (Event e = xml_.next(); !(e == Event::end && xml_.depth() < depth); e = xml_.next()) {
        if (e != Event::start) continue;
        const std::string_view name = xml_.name();
        if (name == "formula1") dv.formula1 = xml_.read_element_text();
        else if (name == "formula2") dv.formula2 = xml_.read_element_text();
        else if (name == "sqref") dv.ranges = checked_ranges(xml_.read_element_text());  // x14 form
      }
    }
    facts_.validations.push_back(std::move(dv));
  }

  XmlReader xml_;
  const Limits& limits_;
  const WorksheetContext& context_;
  const RowCallback& on_row_;
  SheetFacts facts_;
  std::vector<PendingCell> cells_;
  std::vector<CellView> views_;
  std::string arena_;
  std::uint32_t next_row_ = 0;
  std::uint32_t next_col_ = 0;
  CellRef current_cell_;  // for error locations only
  bool current_cell_known_ = false;
};

}  // namespace

SheetFacts parse_worksheet(ByteSource& source, const Limits& limits, const WorksheetContext& context,
                           const RowCallback& on_row) {
  return WorksheetParser(source, limits, context, on_row).run();
}

}  // namespace consolida::xlsx
