// Small helpers for writing JSON and cell values while streaming (no document held in memory).
#pragma once

#include <charconv>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

#include "consolida/xlsx.hpp"

namespace consolida::cli {

// Holds output back until it exceeds `threshold` bytes, then streams. If the command fails
// before that, nothing reaches the target: a script never sees a truncated document that
// looks like a complete small one. Call commit() on success.
class HeldOutput final : public std::streambuf {
 public:
  HeldOutput(std::ostream& target, std::size_t threshold) : target_(target), threshold_(threshold) {}
  void commit() {
    target_.write(held_.data(), static_cast<std::streamsize>(held_.size()));
    held_.clear();
    target_.flush();
  }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    const char ch = static_cast<char>(c);
    xsputn(&ch, 1);
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (streaming_) {
      target_.write(s, n);
      return n;
    }
    held_.append(s, static_cast<std::size_t>(n));
    if (held_.size() > threshold_) {
      commit();
      streaming_ = true;
    }
    return n;
  }

 private:
  std::ostream& target_;
  std::size_t threshold_;
  std::string held_;
  bool streaming_ = false;
};

inline void write_json_string(std::ostream& out, std::string_view text) {
  out.put('"');
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out << buf;
        } else {
          out.put(c);
        }
    }
  }
  out.put('"');
}

// Shortest text that reads back as the same double; integers without a fraction.
inline std::string format_number(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

// The value as text: what a CSV cell or a summary shows.
inline std::string value_text(const xlsx::CellView& cell, bool date1904) {
  switch (cell.type) {
    case xlsx::CellType::number: return format_number(cell.number);
    case xlsx::CellType::boolean: return cell.number != 0 ? "TRUE" : "FALSE";
    case xlsx::CellType::date: {
      const auto dt = xlsx::serial_to_datetime(cell.number, date1904);
      return dt ? xlsx::to_iso8601(*dt) : format_number(cell.number);
    }
    case xlsx::CellType::string:
    case xlsx::CellType::error: return std::string(cell.text);
    case xlsx::CellType::empty: return {};
  }
  return {};
}

// The type of a cell in dump's JSON (listed in the README). A reader hands out an empty cell
// only for a formula without a cached value, hence its own letter, 'z'.
inline char type_letter(xlsx::CellType type) {
  switch (type) {
    case xlsx::CellType::number: return 'n';
    case xlsx::CellType::string: return 's';
    case xlsx::CellType::boolean: return 'b';
    case xlsx::CellType::error: return 'e';
    case xlsx::CellType::date: return 'd';
    case xlsx::CellType::empty: return 'z';
  }
  return 'z';
}

}  // namespace consolida::cli
