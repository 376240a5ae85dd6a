// File names and typed text as browsers and scripts send them, made safe to store, show and send back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace consolida {

// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a UTF-8 sequence.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

// Text typed into a form field (a reviewer's note, a search): nullopt when it is not UTF-8 or
// holds a control character other than a line break or a tab; else the text with each CRLF or lone
// CR made LF, so that it is counted, stored and shown as the page's field counted it.
std::optional<std::string> typed_text(std::string_view sent);

// The characters (code points) of UTF-8 text.
std::size_t utf8_length(std::string_view text);

// The most bytes of a file name kept: what common file systems allow.
inline constexpr std::size_t kMaxFileNameBytes = 255;

// The base name of a file as sent: any folder part dropped (`/` or `\`, as old browsers send
// C:\Users\...\file.xlsx), control and bidirectional-override characters removed (they make a
// name read differently from what it is), bytes that are not UTF-8 replaced by `_`, at most
// kMaxFileNameBytes on a character boundary keeping a short extension. Empty when nothing is left.
std::string clean_file_name(std::string_view sent);

// The name of the annotated copy of a file sent as `file_name` (already clean): "annotato-" and the
// name with its spreadsheet extension (.xlsx, .xlsm, .xls, .ods, any case) made .xlsx, which is
// what the copy always is.
std::string annotated_copy_name(std::string_view file_name);

// The Content-Disposition value of a download named `file_name` (already clean): an ASCII
// `filename` for old clients and the UTF-8 name in RFC 6266's `filename*`.
std::string attachment_disposition(std::string_view file_name);

// True when a file name's extension is not an OOXML workbook's (.xlsx, .xlsm), as for an .ods:
// the annotated copy, always an .xlsx, is then in another format than the file sent, and says so.
bool sent_in_another_format(std::string_view file_name);

}  // namespace consolida
