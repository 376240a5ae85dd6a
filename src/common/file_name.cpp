#include "common/file_name.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace consolida {
namespace {

// One UTF-8 character: its code point and length, or nullopt for a byte that starts none
// (stray continuation, overlong form, surrogate, beyond U+10FFFF, cut short).
struct Decoded {
  char32_t code;
  std::size_t length;
};
std::optional<Decoded> decode(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return Decoded{lead, 1};
  std::size_t length = 0;
  char32_t code = 0, least = 0;
  if ((lead & 0xE0) == 0xC0) length = 2, code = lead & 0x1F, least = 0x80;
  else if ((lead & 0xF0) == 0xE0) length = 3, code = lead & 0x0F, least = 0x800;
  else if ((lead & 0xF8) == 0xF0) length = 4, code = lead & 0x07, least = 0x10000;
  else return std::nullopt;
  if (at + length > text.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    code = code << 6 | (byte(i) & 0x3F);
  }
  if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
  return Decoded{code, length};
}

// Characters that have no place in a name: C0 and C1 controls, DEL, and the marks and
// overrides of bidirectional text (a name must read in the order its bytes say).
bool unwanted(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

// RFC 5987's attr-char: what filename* carries without percent-encoding.
bool attr_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (char allowed : std::string_view("!#$&+-.^_`|~")) {
    if (c == static_cast<unsigned char>(allowed)) return true;
  }
  return false;
}

// Extensions longer than this are not kept whole when the name is cut.
constexpr std::size_t kKeptExtensionBytes = 16;

}  // namespace

std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back off the continuation bytes of a character the limit cuts.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::optional<std::string> typed_text(std::string_view sent) {
  std::string text;
  text.reserve(sent.size());
  for (std::size_t at = 0; at < sent.size();) {
    const std::optional<Decoded> c = decode(sent, at);
    if (!c) return std::nullopt;
    if (c->code == '\r') {
      text += '\n';
      at += at + 1 < sent.size() && sent[at + 1] == '\n' ? 2 : 1;
      continue;
    }
    if (c->code != '\n' && c->code != '\t' && (c->code < 0x20 || (c->code >= 0x7F && c->code <= 0x9F))) return std::nullopt;
    text.append(sent.substr(at, c->length));
    at += c->length;
  }
  return text;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string clean_file_name(std::string_view sent) {
  if (const auto slash = sent.find_last_of("/\\"); slash != std::string_view::npos) sent.remove_prefix(slash + 1);
  std::string name;
  for (std::size_t at = 0; at < sent.size();) {
    const std::optional<Decoded> c = decode(sent, at);
    if (!c) {
      name += '_';
      ++at;
      continue;
    }
    if (!unwanted(c->code)) name.append(sent.substr(at, c->length));
    at += c->length;
  }
  if (name == "." || name == "..") return "";
  if (name.size() <= kMaxFileNameBytes) return name;
  const auto dot = name.rfind('.');
  const std::string extension = dot != std::string::npos && name.size() - dot <= kKeptExtensionBytes ? name.substr(dot) : "";
  return utf8_prefix(std::string_view(name).substr(0, name.size() - extension.size()), kMaxFileNameBytes - extension.size()) + extension;
}

std::string attachment_disposition(std::string_view file_name) {
  std::string ascii, encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t at = 0; at < file_name.size();) {
    const std::optional<Decoded> c = decode(file_name, at);
    const std::size_t length = c ? c->length : 1;
    // Quotes and backslashes would end or escape the quoted string; some clients decode %XX.
    const bool plain = c && c->code >= 0x20 && c->code < 0x7F && c->code != '"' && c->code != '\\' && c->code != '%';
    ascii += plain ? static_cast<char>(c->code) : '_';
    for (std::size_t i = 0; i < length; ++i) {
      const auto byte = static_cast<unsigned char>(file_name[at + i]);
      if (attr_char(byte)) {
        encoded += static_cast<char>(byte);
      } else {
        encoded += '%';
        encoded += kHex[byte >> 4];
        encoded += kHex[byte & 15];
      }
    }
    at += length;
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

namespace {
std::string_view extension_of(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos || file_name.find_first_of("/\\", dot) != std::string_view::npos) return {};
  return file_name.substr(dot);
}
bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}
}  // namespace

std::string annotated_copy_name(std::string_view file_name) {
  const std::string_view extension = extension_of(file_name);
  std::string_view stem = file_name;
  for (std::string_view known : {".xlsx", ".xlsm", ".xls", ".ods"}) {
    if (iequals_ascii(extension, known)) stem.remove_suffix(extension.size());
  }
  return "annotato-" + std::string(stem) + ".xlsx";
}

bool sent_in_another_format(std::string_view file_name) {
  const std::string_view extension = extension_of(file_name);
  return !iequals_ascii(extension, ".xlsx") && !iequals_ascii(extension, ".xlsm");
}

}  // namespace consolida
