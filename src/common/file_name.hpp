// File names as browsers and scripts send them, made safe to store, show and send back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace consolida {

// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a UTF-8 sequence.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

// The most bytes of a file name kept: what common file systems allow.
inline constexpr std::size_t kMaxFileNameBytes = 255;

// The base name of a file as sent: any folder part dropped (`/` or `\`, as old browsers send
// C:\Users\...\file.xlsx), control and bidirectional-override characters removed (they make a
// name read differently from what it is), bytes that are not UTF-8 replaced by `_`, at most
// kMaxFileNameBytes on a character boundary keeping a short extension. Empty when nothing is left.
std::string clean_file_name(std::string_view sent);

// The Content-Disposition value of a download named `file_name` (already clean): an ASCII
// `filename` for old clients and the UTF-8 name in RFC 6266's `filename*`.
std::string attachment_disposition(std::string_view file_name);

// True when a file name's extension is not an OOXML workbook's (.xlsx, .xlsm), as for an .ods:
// the annotated copy, always an .xlsx, is then in another format than the file sent, and says so.
bool sent_in_another_format(std::string_view file_name);

// The download name of the annotated copy of a file sent as `file_name`: "annotato-<name>.xlsx",
// an .xlsx whatever the file sent was.
std::string annotated_copy_name(std::string_view file_name);

}  // namespace consolida
