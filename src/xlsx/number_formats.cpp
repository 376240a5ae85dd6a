#include <array>
#include <string>

#include "consolida/xlsx.hpp"

namespace consolida::xlsx {
namespace {

// ECMA-376 Part 1, 18.8.30: the built-in formats every reader must know.
constexpr std::array<std::string_view, 50> kBuiltin = {
    "General", "0", "0.00", "#,##0", "#,##0.00", "", "", "", "", "0%",
    "0.00%", "0.00E+00", "# ?/?", "# ?\?/??", "mm-dd-yy", "d-mmm-yy", "d-mmm", "mmm-yy", "h:mm AM/PM", "h:mm:ss AM/PM",
    "h:mm", "h:mm:ss", "m/d/yy h:mm", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "", "#,##0 ;(#,##0)", "#,##0 ;[Red](#,##0)", "#,##0.00;(#,##0.00)",
    "#,##0.00;[Red](#,##0.00)", "", "", "", "", "mm:ss", "[h]:mm:ss", "mmss.0", "##0.0E+0", "@"};

// First section of a format code with quoted literals, escaped characters and bracketed
// locale/colour blocks removed; elapsed-time brackets ([h], [mm], [ss]) are kept.
std::string significant_part(std::string_view code) {
  std::string out;
  bool in_quotes = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (in_quotes) {
      if (c == '"') in_quotes = false;
      continue;
    }
    if (c == '"') {
      in_quotes = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is a literal (or a padding/fill character)
    } else if (c == ';') {
      break;
    } else if (c == '[') {
      const auto close = code.find(']', i);
      if (close == std::string_view::npos) break;
      const std::string_view inside = code.substr(i + 1, close - i - 1);
      bool elapsed = !inside.empty();
      for (char e : inside) {
        const char l = static_cast<char>(e | 0x20);
        if (l != 'h' && l != 'm' && l != 's') elapsed = false;
      }
      if (elapsed) out.append(code.substr(i, close - i + 1));
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view builtin_number_format(std::uint32_t id) {
  if (id < kBuiltin.size()) return kBuiltin[id];
  return {};
}

bool is_date_format(std::string_view format_code) {
  for (char c : significant_part(format_code)) {
    switch (c | 0x20) {
      case 'd': case 'm': case 'y': case 'h': case 's':
        return true;
      default:
        break;
    }
  }
  return false;
}

bool is_duration_format(std::string_view format_code) {
  const std::string part = significant_part(format_code);
  return part.find('[') != std::string::npos;
}

}  // namespace consolida::xlsx
