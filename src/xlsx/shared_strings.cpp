#include "xlsx/parts.hpp"
#include "xlsx/text_util.hpp"
#include "xlsx/xml_reader.hpp"

namespace consolida::xlsx {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void decode_ooxml_escapes(std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int v = hex_value(text[i + k]);
        if (v < 0) {
          ok = false;
          break;
        }
        cp = cp * 16 + static_cast<std::uint32_t>(v);
      }
      if (ok && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        append_utf8(out, cp);
        i += 6;
        continue;
      }
    }
    out += text[i];
  }
  text.swap(out);
}

SharedStrings parse_shared_strings(ByteSource& source, const Limits& limits) {
  SharedStrings table;
  XmlReader xml(source, limits);
  std::string current;
  bool in_item = false;
  for (auto e = xml.next(); e != XmlReader::Event::eof; e = xml.next()) {
    if (e == XmlReader::Event::start) {
      const std::string_view name = xml.name();
      if (name == "sst") {
        // uniqueCount is a hint only; files in the wild get it wrong, so cap the reservation.
        std::uint64_t hint = 0;
        for (char c : xml.attr("uniqueCount")) {
          if (c < '0' || c > '9' || hint > limits.max_shared_strings) break;
          hint = hint * 10 + static_cast<std::uint64_t>(c - '0');
        }
        table.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(hint, std::min<std::uint64_t>(limits.max_shared_strings, 1u << 20))));
      } else if (name == "si") {
        in_item = true;
        current.clear();
        if (xml.self_closing()) continue;
      } else if (name == "t" && in_item) {
        current.append(xml.read_element_text());
        if (current.size() > limits.max_cell_bytes) throw xml.text_too_long(limits.max_cell_bytes);
      } else if (name == "rPh" || name == "phoneticPr" || name == "rPr") {
        if (!xml.self_closing()) xml.skip_element();
      }
    } else if (e == XmlReader::Event::end && xml.name() == "si") {
      in_item = false;
      if (has_ooxml_escape(current)) decode_ooxml_escapes(current);
      if (table.size() >= limits.max_shared_strings) {
        throw xml.error(ErrorCode::limit_exceeded,
                        "troppe stringhe condivise (oltre " + std::to_string(limits.max_shared_strings) + ")",
                        "too many shared strings (over " + std::to_string(limits.max_shared_strings) + ")");
      }
      table.add(current);
      if (table.bytes() > limits.max_shared_string_bytes) {
        throw xml.error(ErrorCode::limit_exceeded, "tabella delle stringhe condivise troppo grande",
                        "shared-string table too large");
      }
    }
  }
  return table;
}

}  // namespace consolida::xlsx
