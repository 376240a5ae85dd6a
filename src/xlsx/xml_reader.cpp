#include "xlsx/xml_reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "xlsx/text_util.hpp"

namespace consolida::xlsx {
namespace {

constexpr std::size_t kInitialBuffer = 256 * 1024;
constexpr std::size_t kSmallestBuffer = 4 * 1024;
constexpr std::size_t kSlack = 4096;  // room for delimiters around a token at its size limit

inline bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// What a byte means to the tag scanner, looked up rather than compared: names and attribute
// values are most of the bytes of a sheet.
enum ByteClass : std::uint8_t { name_end = 1, needs_decoding = 2, forbidden_in_value = 4, prefix_end = 8 };
constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> table{};
  table[':'] |= prefix_end;
  for (unsigned char c : {' ', '\n', '\t', '\r', '>', '/', '='}) table[c] |= name_end;
  for (unsigned char c : {'&', '\t', '\n', '\r'}) table[c] |= needs_decoding;
  table['<'] |= forbidden_in_value;
  return table;
}();
inline bool ends_name(char c) { return (kByteClass[static_cast<unsigned char>(c)] & name_end) != 0; }

// The first c from p, or end: inline and sixteen bytes at a time, for the short distances
// between tags and quotes where a memchr call costs more than the search.
inline std::size_t find_byte(const char* b, std::size_t p, std::size_t end, char c) {
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(c);
  while (p + 16 <= end) {
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + p)), wanted));
    if (mask) return p + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    p += 16;
  }
#endif
  while (p < end && b[p] != c) ++p;
  return p;
}

// The end of the name starting at p (a delimiter, or end when the buffer ends first); local is
// set where the name's local part starts, past its first ':'. Sixteen bytes at a time where SSE2
// is there (every x86-64): the bytes that may matter (a control byte or space, '/', ':', '=', '>')
// are found in one pass and the table says what each is.
inline std::size_t scan_name(const char* b, std::size_t p, std::size_t end, std::size_t& local) {
  local = p;
  bool prefixed = false;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  while (p + 16 <= end) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + p));
    __m128i m = _mm_cmpeq_epi8(_mm_min_epu8(x, space), x);
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('/')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(':')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('=')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('>')));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(m)); mask != 0; mask &= mask - 1) {
      const std::size_t at = p + static_cast<std::size_t>(__builtin_ctz(mask));
      const std::uint8_t classes = kByteClass[static_cast<unsigned char>(b[at])];
      if (classes & name_end) return at;
      if ((classes & prefix_end) && !prefixed) {
        prefixed = true;
        local = at + 1;
      }
    }
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    const std::uint8_t classes = kByteClass[static_cast<unsigned char>(b[p])];
    if (classes & name_end) return p;
    if ((classes & prefix_end) && !prefixed) {
      prefixed = true;
      local = p + 1;
    }
  }
  return p;
}

std::string_view local_part(std::string_view qname) {
  for (std::size_t i = 0; i < qname.size(); ++i) {
    if (qname[i] == ':') return qname.substr(i + 1);
  }
  return qname;
}

std::string kib(std::uint64_t bytes) { return std::to_string(bytes / 1024) + " KiB"; }

}  // namespace

// Most parts of a form are a few KB: a buffer of the declared size (plus room to see the end)
// spares the allocation and page faults of a large one, which matter across thousands of files.
namespace {
std::size_t initial_buffer(const ByteSource& source) {
  const std::optional<std::uint64_t> hint = source.size_hint();
  if (!hint) return kInitialBuffer;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(*hint + 1, kSmallestBuffer, kInitialBuffer));
}
}  // namespace

XmlReader::XmlReader(ByteSource& source, const Limits& limits)
    : source_(source), source_checks_utf8_(source.checks_utf8()), limits_(limits), buf_(initial_buffer(source)) {}

void XmlReader::count_lines(std::size_t end, std::uint64_t& lines, std::uint64_t& line_start) const {
  for (const char* p = buf_.data(); p < buf_.data() + end;) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(buf_.data() + end - p));
    if (!nl) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
    line_start = discarded_bytes_ + static_cast<std::uint64_t>(p - buf_.data());
  }
}

void XmlReader::position_at(std::size_t offset, std::uint64_t& line, std::uint64_t& column) const {
  const std::uint64_t absolute = discarded_bytes_ + offset;
  std::uint64_t lines = discarded_lines_;
  std::uint64_t line_start = last_discarded_newline_;
  count_lines(offset, lines, line_start);
  line = lines + 1;
  column = absolute - line_start + 1;
}

Error XmlReader::error(ErrorCode code, std::string it, std::string en) const {
  ErrorLocation where;
  position(where.line, where.column);
  return Error(code, std::move(it), std::move(en), std::move(where));
}

Error XmlReader::text_too_long(std::uint64_t limit) const {
  return error(ErrorCode::limit_exceeded,
               "testo troppo lungo (oltre " + kib(limit) + "; una cella di Excel ammette al massimo 32.767 caratteri)",
               "text too long (over " + kib(limit) + "; an Excel cell holds at most 32,767 characters)");
}

void XmlReader::fail_malformed(std::string it, std::string en) const {
  throw error(ErrorCode::malformed_xml, "XML non valido: " + it, "malformed XML: " + en);
}

bool XmlReader::fill(std::uint64_t limit, bool markup) {
  if (eof_) return false;
  const std::size_t pending = end_ - pos_;
  if (pending >= limit) {
    if (markup) {
      throw error(ErrorCode::limit_exceeded, "tag XML troppo lungo (oltre " + kib(limit) + ")",
                  "XML tag too long (over " + kib(limit) + ")");
    }
    throw text_too_long(limit);
  }
  if (pos_ > 0) {
    count_lines(pos_, discarded_lines_, last_discarded_newline_);
    discarded_bytes_ += pos_;
    unvalidated_from_ -= std::min(unvalidated_from_, pos_);
    std::memmove(buf_.data(), buf_.data() + pos_, pending);
    pos_ = 0;
    end_ = pending;
  }
  if (end_ == buf_.size()) {
    const std::size_t cap = static_cast<std::size_t>(std::min<std::uint64_t>(limit + kSlack, SIZE_MAX / 2));
    buf_.resize(std::min(buf_.size() * 2, std::max(cap, buf_.size() + 1)));
  }
  const std::size_t got = source_.read(buf_.data() + end_, buf_.size() - end_);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

void XmlReader::validate_new_bytes() {
  std::size_t bad = end_;
  if (source_checks_utf8_) {
    // Every byte in the buffer came through read(), so the source has judged it.
    if (const auto at = source_.invalid_utf8_at(); at && *at < discarded_bytes_ + end_) {
      bad = *at >= discarded_bytes_ ? static_cast<std::size_t>(*at - discarded_bytes_) : pos_;
    }
  } else {
    const auto* bytes = reinterpret_cast<const unsigned char*>(buf_.data());
    bad = unvalidated_from_ + utf8_.feed(bytes + unvalidated_from_, end_ - unvalidated_from_);
  }
  if (bad < end_) {
    ErrorLocation where;
    position_at(bad, where.line, where.column);
    throw Error(ErrorCode::malformed_xml, "XML non valido: testo non codificato in UTF-8 (byte non valido)",
                "malformed XML: text not encoded as UTF-8 (invalid byte)", std::move(where));
  }
  unvalidated_from_ = end_;
}

void XmlReader::push(std::string_view qname) {
  if (depth_ >= limits_.max_xml_depth) fail_depth();
  if (stack_size_ + qname.size() > stack_chars_.size()) stack_chars_.resize((stack_size_ + qname.size()) * 2 + 64);
  std::memcpy(stack_chars_.data() + stack_size_, qname.data(), qname.size());
  if (depth_ == stack_offsets_.size()) stack_offsets_.push_back(0);
  stack_offsets_[depth_] = stack_size_;
  stack_size_ += qname.size();
  ++depth_;
}

void XmlReader::fail_depth() const {
  throw error(ErrorCode::limit_exceeded,
              "annidamento XML troppo profondo (oltre " + std::to_string(limits_.max_xml_depth) + " livelli)",
              "XML nesting too deep (over " + std::to_string(limits_.max_xml_depth) + " levels)");
}

// The popped name stays readable in the buffer until the next push.
void XmlReader::pop() {
  --depth_;
  stack_size_ = stack_offsets_[depth_];
  if (depth_ == 0) root_closed_ = true;
}

XmlReader::Event XmlReader::next() {
  if (pending_end_) {
    pending_end_ = false;
    self_closing_ = false;
    qname_ = open_element(depth_ - 1);
    pop();
    local_name_ = local_part(qname_);
    return Event::end;
  }
  if (!started_) {
    while (end_ - pos_ < 4 && fill(limits_.max_markup_bytes, true)) {
    }
    const auto* b = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
    const std::size_t n = end_ - pos_;
    if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
      throw error(ErrorCode::unsupported_format, "parte XML in codifica UTF-16, non supportata: salvare di nuovo il file con Excel o LibreOffice",
                  "XML part encoded as UTF-16, not supported: save the file again with Excel or LibreOffice");
    }
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) pos_ += 3;
    started_ = true;
    unvalidated_from_ = pos_;
  }
  for (;;) {
    if (unvalidated_from_ < end_) validate_new_bytes();
    if (pos_ == end_ && !fill(limits_.max_markup_bytes, true)) {
      if (depth_ > 0) {
        const std::string open(open_element(depth_ - 1));
        fail_malformed("documento troncato, manca la chiusura di <" + open + ">",
                       "truncated document, <" + open + "> is never closed");
      }
      if (!root_seen_) fail_malformed("parte vuota, nessun elemento", "empty part, no element");
      if (source_checks_utf8_ ? source_.invalid_utf8_at().has_value() : !utf8_.complete()) fail_malformed("il testo finisce a metà di un carattere UTF-8", "text ends inside a UTF-8 character");
      return Event::eof;
    }
    Event event = Event::eof;
    const Scan scan = buf_[pos_] == '<' ? scan_markup(event) : scan_text(event);
    if (scan == Scan::need_more) {
      const bool markup = buf_[pos_] == '<' && !(end_ - pos_ >= 9 && std::memcmp(&buf_[pos_], "<![CDATA[", 9) == 0);
      if (!fill(markup ? limits_.max_markup_bytes : limits_.max_cell_bytes, markup)) {
        if (markup || depth_ > 0) {
          fail_malformed("documento troncato a metà di un tag o di un testo",
                         "document truncated in the middle of a tag or text");
        }
      }
      continue;
    }
    if (event != Event::eof) return event;  // Event::eof here means "skipped" (comment, PI)
  }
}

XmlReader::Scan XmlReader::scan_text(Event& event) {
  const char* start = buf_.data() + pos_;
  const std::size_t lt = find_byte(buf_.data(), pos_, end_, '<');
  if (lt == end_ && !eof_) return Scan::need_more;
  const std::size_t len = lt - pos_;
  if (len > limits_.max_cell_bytes) throw text_too_long(limits_.max_cell_bytes);
  std::string_view raw(start, len);
  if (depth_ == 0) {
    if (std::any_of(raw.begin(), raw.end(), [](char c) { return !is_space(c); })) {
      fail_malformed("testo fuori dall'elemento radice", "text outside the root element");
    }
    pos_ += len;
    event = Event::eof;
    return Scan::done;
  }
  if (std::memchr(raw.data(), '&', len) || std::memchr(raw.data(), '\r', len)) {
    text_scratch_.clear();
    decode_into(raw, text_scratch_, false);
    text_ = text_scratch_;
  } else {
    text_ = raw;
  }
  pos_ += len;
  event = Event::text;
  return Scan::done;
}

XmlReader::Scan XmlReader::scan_until(std::size_t from, std::string_view terminator, std::size_t& found) {
  std::string_view window(buf_.data() + from, end_ - from);
  const auto at = window.find(terminator);
  if (at == std::string_view::npos) return Scan::need_more;
  found = from + at;
  return Scan::done;
}

XmlReader::Scan XmlReader::scan_markup(Event& event) {
  if (end_ - pos_ < 2) return Scan::need_more;
  const char c = buf_[pos_ + 1];
  if (c == '/') return scan_end_tag(pos_ + 2, event);
  if (c == '?') {
    std::size_t found = 0;
    if (scan_until(pos_ + 2, "?>", found) == Scan::need_more) return Scan::need_more;
    pos_ = found + 2;
    event = Event::eof;
    return Scan::done;
  }
  if (c == '!') {
    if (end_ - pos_ < 9) {
      if (!eof_) return Scan::need_more;
    }
    std::string_view head(buf_.data() + pos_, std::min<std::size_t>(9, end_ - pos_));
    if (head.starts_with("<!--")) {
      std::size_t found = 0;
      if (scan_until(pos_ + 4, "-->", found) == Scan::need_more) return Scan::need_more;
      pos_ = found + 3;
      event = Event::eof;
      return Scan::done;
    }
    if (head.starts_with("<![CDATA[")) {
      std::size_t found = 0;
      if (scan_until(pos_ + 9, "]]>", found) == Scan::need_more) return Scan::need_more;
      if (depth_ == 0) fail_malformed("sezione CDATA fuori dall'elemento radice", "CDATA section outside the root element");
      const std::size_t len = found - (pos_ + 9);
      if (len > limits_.max_cell_bytes) throw text_too_long(limits_.max_cell_bytes);
      text_ = std::string_view(buf_.data() + pos_ + 9, len);
      pos_ = found + 3;
      event = Event::text;
      return Scan::done;
    }
    if (head.starts_with("<!DOCTYPE") || head.starts_with("<!ENTITY")) {
      throw error(ErrorCode::malformed_xml,
                  "XML non valido: dichiarazione DOCTYPE/DTD non ammessa in un foglio di calcolo (possibile attacco \"billion laughs\")",
                  "malformed XML: DOCTYPE/DTD declarations are not allowed in a spreadsheet (possible \"billion laughs\" attack)");
    }
    fail_malformed("costrutto <! sconosciuto", "unknown <! construct");
  }
  return scan_start_tag(pos_ + 1, event);
}

XmlReader::Scan XmlReader::scan_start_tag(std::size_t p, Event& event) {
  const char* b = buf_.data();
  const std::size_t name_begin = p;
  std::size_t local_begin = p;
  p = scan_name(b, p, end_, local_begin);
  if (p == end_) return Scan::need_more;
  if (p == name_begin) fail_malformed("nome di elemento mancante dopo '<'", "missing element name after '<'");
  const std::string_view qname(b + name_begin, p - name_begin);
  attrs_.clear();
  bool self_closing = false;
  for (;;) {
    while (p < end_ && is_space(b[p])) ++p;
    if (p == end_) return Scan::need_more;
    const char c = b[p];
    if (c == '>') {
      ++p;
      break;
    }
    if (c == '/') {
      if (p + 1 == end_) return Scan::need_more;
      if (b[p + 1] != '>') fail_malformed("'/' inatteso in un tag", "unexpected '/' in a tag");
      p += 2;
      self_closing = true;
      break;
    }
    const std::size_t attr_begin = p;
    std::size_t attr_local = p;
    p = scan_name(b, p, end_, attr_local);
    if (p == end_) return Scan::need_more;
    if (p == attr_begin) fail_malformed("attributo senza nome nel tag <" + std::string(qname) + ">",
                                        "attribute without a name in tag <" + std::string(qname) + ">");
    const std::string_view attr_name(b + attr_begin, p - attr_begin);
    while (p < end_ && is_space(b[p])) ++p;
    if (p == end_) return Scan::need_more;
    if (b[p] != '=') fail_malformed("manca '=' dopo l'attributo " + std::string(attr_name),
                                    "missing '=' after attribute " + std::string(attr_name));
    ++p;
    while (p < end_ && is_space(b[p])) ++p;
    if (p == end_) return Scan::need_more;
    const char quote = b[p];
    if (quote != '"' && quote != '\'') {
      fail_malformed("valore dell'attributo " + std::string(attr_name) + " senza virgolette",
                     "unquoted value for attribute " + std::string(attr_name));
    }
    ++p;
    const std::size_t value_end = find_byte(b, p, end_, quote);
    if (value_end == end_) return Scan::need_more;
    Attribute a;
    a.qname = attr_name;
    a.local = std::string_view(b + attr_local, attr_begin + attr_name.size() - attr_local);
    a.prefixed = a.local.size() != attr_name.size();
    a.namespace_declaration = attr_name.starts_with("xmlns") && (attr_name.size() == 5 || attr_name[5] == ':');
    a.raw = std::string_view(b + p, value_end - p);
    std::uint8_t classes = 0;
    for (char v : a.raw) classes |= kByteClass[static_cast<unsigned char>(v)];
    if (classes & forbidden_in_value) fail_malformed("carattere '<' nel valore di un attributo", "'<' inside an attribute value");
    a.needs_decoding = (classes & needs_decoding) != 0;
    attrs_.push_back(a);
    p = value_end + 1;
  }
  if (depth_ == 0) {
    if (root_closed_) fail_malformed("più di un elemento radice", "more than one root element");
    root_seen_ = true;
  }
  push(qname);
  qname_ = qname;
  local_name_ = std::string_view(b + local_begin, name_begin + qname.size() - local_begin);
  self_closing_ = self_closing;
  pending_end_ = self_closing;
  pos_ = p;
  event = Event::start;
  return Scan::done;
}

XmlReader::Scan XmlReader::scan_end_tag(std::size_t p, Event& event) {
  const char* b = buf_.data();
  if (depth_ > 0) {
    // Nearly always the end tag is the open element's, written "</name>": compared whole.
    const std::string_view open = open_element(depth_ - 1);
    if (end_ - p > open.size() && b[p + open.size()] == '>' && std::memcmp(b + p, open.data(), open.size()) == 0) {
      pop();
      qname_ = std::string_view(b + p, open.size());
      local_name_ = local_part(qname_);
      self_closing_ = false;
      pos_ = p + open.size() + 1;
      event = Event::end;
      return Scan::done;
    }
  }
  const std::size_t name_begin = p;
  while (p < end_ && !ends_name(b[p])) ++p;
  if (p == end_) return Scan::need_more;
  const std::string_view qname(b + name_begin, p - name_begin);
  while (p < end_ && is_space(b[p])) ++p;
  if (p == end_) return Scan::need_more;
  if (b[p] != '>') fail_malformed("tag di chiusura </" + std::string(qname) + "> non terminato",
                                  "unterminated closing tag </" + std::string(qname) + ">");
  if (depth_ == 0) {
    fail_malformed("tag di chiusura </" + std::string(qname) + "> senza apertura",
                   "closing tag </" + std::string(qname) + "> without an opening tag");
  }
  if (!name_is(open_element(depth_ - 1), qname)) {
    const std::string open(open_element(depth_ - 1));
    fail_malformed("tag di chiusura </" + std::string(qname) + "> al posto di </" + open + ">",
                   "closing tag </" + std::string(qname) + "> where </" + open + "> was expected");
  }
  pop();
  qname_ = qname;
  local_name_ = local_part(qname);
  self_closing_ = false;
  pos_ = p + 1;
  event = Event::end;
  return Scan::done;
}

void XmlReader::decode_into(std::string_view raw, std::string& out, bool attribute) const {
  out.reserve(out.size() + raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '&') {
      const auto semi = raw.find(';', i + 1);
      if (semi == std::string_view::npos || semi - i > 12) {
        fail_malformed("'&' non seguito da un riferimento a entità", "'&' not followed by an entity reference");
      }
      const std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "lt") out += '<';
      else if (entity == "gt") out += '>';
      else if (entity == "amp") out += '&';
      else if (entity == "quot") out += '"';
      else if (entity == "apos") out += '\'';
      else if (entity.size() > 1 && entity[0] == '#') {
        std::uint32_t cp = 0;
        const bool hex = entity[1] == 'x' || entity[1] == 'X';
        const std::string_view digits = entity.substr(hex ? 2 : 1);
        if (digits.empty()) fail_malformed("riferimento a carattere vuoto", "empty character reference");
        for (char d : digits) {
          int v;
          if (d >= '0' && d <= '9') v = d - '0';
          else if (hex && d >= 'a' && d <= 'f') v = d - 'a' + 10;
          else if (hex && d >= 'A' && d <= 'F') v = d - 'A' + 10;
          else fail_malformed("riferimento a carattere non valido: &" + std::string(entity) + ";",
                              "invalid character reference: &" + std::string(entity) + ";");
          cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
          if (cp > 0x10FFFF) break;
        }
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          fail_malformed("riferimento a carattere fuori intervallo: &" + std::string(entity) + ";",
                         "character reference out of range: &" + std::string(entity) + ";");
        }
        append_utf8(out, cp);
      } else {
        fail_malformed("entità non definita: &" + std::string(entity) + ";",
                       "undefined entity: &" + std::string(entity) + ";");
      }
      i = semi;
    } else if (c == '\r') {
      if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      out += attribute ? ' ' : '\n';
    } else if (attribute && (c == '\n' || c == '\t')) {
      out += ' ';
    } else {
      out += c;
    }
  }
}

std::string_view XmlReader::decode_attribute(const Attribute& a) const {
  if (!a.needs_decoding) return a.raw;
  const std::size_t index = static_cast<std::size_t>(&a - attrs_.data());
  if (attr_scratch_.size() <= index) attr_scratch_.resize(index + 1);
  attr_scratch_[index].clear();
  decode_into(a.raw, attr_scratch_[index], true);
  return attr_scratch_[index];
}

std::string_view XmlReader::attr(std::string_view local) const {
  for (const Attribute& a : attrs_) {
    if (name_is(a.local, local) && !a.namespace_declaration) return decode_attribute(a);
  }
  return {};
}

bool XmlReader::has_attr(std::string_view local) const {
  return std::any_of(attrs_.begin(), attrs_.end(),
                     [&](const Attribute& a) { return a.local == local && !a.namespace_declaration; });
}

std::string_view XmlReader::prefixed_attr(std::string_view local) const {
  for (const Attribute& a : attrs_) {
    if (a.prefixed && name_is(a.local, local) && !a.namespace_declaration) return decode_attribute(a);
  }
  return {};
}

std::string_view XmlReader::read_element_text() {
  element_text_.clear();
  if (self_closing_) {
    next();
    return element_text_;
  }
  const std::size_t target = depth_ - 1;
  for (;;) {
    const Event e = next();
    if (e == Event::text) {
      element_text_.append(text_);
    } else if (e == Event::end && depth_ == target) {
      return element_text_;
    }
  }
}

void XmlReader::skip_element() {
  const std::size_t target = depth_ - 1;
  while (depth_ > target) {
    next();
  }
}

std::size_t XmlReader::start_tag_end(std::size_t from) const {
  // Jumps from quote to quote rather than byte by byte: attribute values are most of a tag.
  const char* const b = buf_.data();
  std::size_t p = from;
  for (;;) {
    const void* gt = std::memchr(b + p, '>', end_ - p);
    const std::size_t limit = gt ? static_cast<std::size_t>(static_cast<const char*>(gt) - b) : end_;
    const void* dq = std::memchr(b + p, '"', limit - p);
    const void* sq = std::memchr(b + p, '\'', limit - p);
    const char* q = !dq ? static_cast<const char*>(sq) : !sq ? static_cast<const char*>(dq)
                                                         : std::min(static_cast<const char*>(dq), static_cast<const char*>(sq));
    if (!q) return limit == end_ ? std::string_view::npos : limit + 1;
    const void* close = std::memchr(q + 1, *q, static_cast<std::size_t>(b + end_ - (q + 1)));
    if (!close) return std::string_view::npos;
    p = static_cast<std::size_t>(static_cast<const char*>(close) - b) + 1;
  }
}

std::size_t XmlReader::skip_special(std::size_t at) const {
  const std::string_view head(buf_.data() + at, std::min<std::size_t>(9, end_ - at));
  const std::string_view terminator = head.starts_with("<?")          ? "?>"
                                      : head.starts_with("<!--")      ? "-->"
                                      : head.starts_with("<![CDATA[") ? "]]>"
                                                                      : "";
  if (terminator.empty()) {
    throw error(ErrorCode::malformed_xml, "XML non valido: dichiarazione DOCTYPE/DTD o costrutto <! non ammesso",
                "malformed XML: DOCTYPE/DTD declaration or <! construct not allowed");
  }
  // The terminator is looked for after the opening ("<!-->" does not end where it starts).
  const std::size_t from = std::min(end_, at + (terminator == "-->" ? 4 : terminator == "]]>" ? 9 : 2));
  const std::string_view window(buf_.data() + from, end_ - from);
  const auto found = window.find(terminator);
  return found == std::string_view::npos ? found : from + found + terminator.size();
}

bool XmlReader::skim_element(std::span<const std::string_view> wanted) {
  if (self_closing_ || pending_end_) {
    next();
    return false;
  }
  // The element's name stays in the name stack, outside the buffer that refills move.
  const std::string_view element = open_element(depth_ - 1);
  std::size_t longest = element.size() + 3;  // "</" name delimiter
  for (std::string_view name : wanted) longest = std::max(longest, name.size() + 2);
  longest = std::max<std::size_t>(longest, 9);  // "<![CDATA["
  // The delimiter is looked at first: most tags differ from the names wanted only after a common prefix.
  const auto named = [&](std::size_t at, std::string_view name) {
    if (at + name.size() >= end_) return false;
    const char after = buf_[at + name.size()];
    return ends_name(after) && after != '=' && std::memcmp(buf_.data() + at, name.data(), name.size()) == 0;
  };
  const auto more = [&](bool markup) {
    if (!fill(markup ? limits_.max_markup_bytes : limits_.max_cell_bytes, markup)) {
      fail_malformed("documento troncato a metà di un elemento", "document truncated inside an element");
    }
    if (unvalidated_from_ < end_) validate_new_bytes();
  };
  if (unvalidated_from_ < end_) validate_new_bytes();
  std::size_t level = 0;  // open elements of the same name inside this one
  for (;;) {
    pos_ = find_byte(buf_.data(), pos_, end_, '<');
    if (pos_ == end_) {
      more(false);
      continue;
    }
    if (end_ - pos_ <= longest && !eof_) {
      // Room to tell the tag; at the end of the document what is there is judged.
      if (fill(limits_.max_markup_bytes, true) && unvalidated_from_ < end_) validate_new_bytes();
      continue;
    }
    const char c = pos_ + 1 < end_ ? buf_[pos_ + 1] : '\0';
    if (c == '/') {
      if (!named(pos_ + 2, element)) {
        pos_ += 2;
        continue;
      }
      if (level > 0) {
        --level;
        pos_ += 2;
        continue;
      }
      // The element's own end tag: read as the checked reader reads it.
      Event event = Event::eof;
      while (scan_end_tag(pos_ + 2, event) == Scan::need_more) more(true);
      return false;
    }
    if (c == '!' || c == '?') {
      const std::size_t after = skip_special(pos_);
      if (after == std::string_view::npos) {
        more(true);
        continue;
      }
      pos_ = after;
      continue;
    }
    if (named(pos_ + 1, element)) {
      const std::size_t p = start_tag_end(pos_ + 1);
      if (p == std::string_view::npos) {
        more(true);
        continue;
      }
      if (buf_[p - 2] != '/') {
        if (depth_ + level + 1 >= limits_.max_xml_depth) fail_depth();
        ++level;
      }
      pos_ = p;
      continue;
    }
    if (level == 0 && std::any_of(wanted.begin(), wanted.end(), [&](std::string_view name) { return named(pos_ + 1, name); })) {
      return true;
    }
    ++pos_;
  }
}

}  // namespace consolida::xlsx
