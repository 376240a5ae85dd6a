// CSV fields as spreadsheets read them back (RFC 4180 quoting, any separator).
#pragma once

#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

namespace consolida {

// The text as is, or in double quotes with its quotes doubled when it holds a quote, a line
// break or the separator.
inline void write_csv_field(std::ostream& out, std::string_view text, char separator) {
  const char specials[] = {'"', '\n', '\r', separator};
  if (text.find_first_of(std::string_view(specials, sizeof specials)) == std::string_view::npos) {
    out << text;
    return;
  }
  out.put('"');
  for (char c : text) {
    if (c == '"') out.put('"');
    out.put(c);
  }
  out.put('"');
}

inline std::string csv_field(std::string_view text, char separator) {
  std::ostringstream out;
  write_csv_field(out, text, separator);
  return out.str();
}

}  // namespace consolida
