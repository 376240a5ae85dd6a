// How much room text takes in a cell, in the spreadsheet's width unit (one digit of the default
// font): libxlsxwriter sizes neither columns nor rows, so the writers compute widths and the lines
// of wrapped text from these.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

namespace consolida::write {

constexpr double kBold = 1.1;         // bold text is about a tenth wider than the width unit
constexpr double kLineHeight = 15.0;  // points, one line of the default font

inline std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

inline std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The width a header needs so that it wraps only between words: its longest word, in bold.
inline double header_width(std::string_view label) {
  std::size_t longest = 0;
  for (std::string_view word : words(label)) longest = std::max(longest, utf8_length(word));
  return kBold * static_cast<double>(longest) + 2;
}

// The lines text takes when wrapped between words in a column of `width` characters (`scale`
// kBold for bold text); a word longer than a line is broken, as spreadsheets do.
inline double wrapped_lines(std::string_view text, double width, double scale = 1.0) {
  const double room = std::max(1.0, (width - 1) / scale);
  double total = 0;
  for (std::size_t start = 0;;) {
    const std::size_t newline = text.find('\n', start);
    const std::string_view line = text.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start);
    double lines = 1, used = 0;
    for (std::string_view word : words(line)) {
      const auto length = static_cast<double>(utf8_length(word));
      if (used > 0 && used + 1 + length > room) {
        ++lines;
        used = 0;
      }
      if (length > room) {
        lines += std::ceil(length / room) - 1;
        used = length - room * (std::ceil(length / room) - 1);
        continue;
      }
      used += (used > 0 ? 1 : 0) + length;
    }
    total += lines;
    if (newline == std::string_view::npos) return total;
    start = newline + 1;
  }
}

// The lines a header takes when wrapped between words in a column of `width` characters.
inline double header_lines(std::string_view label, double width) { return wrapped_lines(label, width, kBold); }

}  // namespace consolida::write
