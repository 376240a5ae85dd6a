// A streaming XML pull parser for OOXML parts.
//
// Why not expat or Poco::XML: sheet parts are hundreds of MB of tiny elements, and the reader
// must keep up with inflating; a specialised tokenizer over a sliding buffer does that at a
// fraction of the cost. It checks well-formedness of structure (nesting, quoting, entities), refuses
// DTDs outright (OOXML forbids them; that closes "billion laughs"), and bounds every token.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consolida/xlsx.hpp"
#include "xlsx/byte_source.hpp"
#include "xlsx/utf8_validator.hpp"

namespace consolida::xlsx {

// Equality for the short element and attribute names of OOXML and OpenDocument, eight bytes at
// a time; cheaper than a memcmp call on the hot path.
inline bool name_is(std::string_view name, std::string_view literal) {
  if (name.size() != literal.size()) return false;
  std::size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, name.data() + i, 8);
    std::memcpy(&b, literal.data() + i, 8);
    if (a != b) return false;
  }
  for (; i < name.size(); ++i) {
    if (name[i] != literal[i]) return false;
  }
  return true;
}

class XmlReader {
 public:
  enum class Event { start, end, text, eof };

  XmlReader(ByteSource& source, const Limits& limits);

  Event next();

  // Start and end events: local name (namespace prefix removed) and the qualified name.
  std::string_view name() const { return local_name_; }
  std::string_view qname() const { return qname_; }
  // Start event of an element written <x/>; its end event follows immediately.
  bool self_closing() const { return self_closing_; }
  std::size_t depth() const { return depth_; }

  // Attribute of the current start element by local name, entity-decoded; empty if absent.
  std::string_view attr(std::string_view local) const;
  bool has_attr(std::string_view local) const;
  // Attribute by local name that carries a namespace prefix (r:id), decoded.
  std::string_view prefixed_attr(std::string_view local) const;
  // All attributes of the current start element, namespace declarations included.
  std::size_t attribute_count() const { return attrs_.size(); }
  std::string_view attribute_local_name(std::size_t i) const { return attrs_[i].local; }
  // With its prefix: OpenDocument repeats a local name across namespaces (office:value-type, calcext:value-type).
  std::string_view attribute_qname(std::size_t i) const { return attrs_[i].qname; }
  std::string_view attribute_value(std::size_t i) const {
    return attrs_[i].needs_decoding ? decode_attribute(attrs_[i]) : attrs_[i].raw;
  }

  // Text event content, entity-decoded. Valid until the next call to next().
  std::string_view text() const { return text_; }

  // After a start event: the concatenated text of the element and its descendants, up to the
  // matching end tag, which is consumed. The view is valid until the next call.
  std::string_view read_element_text();
  // After a start event: skip everything up to and including the matching end tag.
  void skip_element();
  // Inside an open element (after its start event, or after the end event of an element found by
  // an earlier skim): moves over its content looking only at tag names, up to the next element
  // whose qualified name is in `wanted`, at any depth but outside nested elements of the same name
  // (true: next() returns its start event, and skimming may go on after its end), or past the
  // element's end tag (false). For content read properly elsewhere or not at all: the rows of an
  // OpenDocument table when only its named expressions matter, the paragraphs of a cell whose value
  // is in its attributes. Only UTF-8, the nesting of elements of the same name, and comments, CDATA
  // and instructions (stepped over whole, DTDs refused) are checked.
  bool skim_element(std::span<const std::string_view> wanted);

  // An error located at the current position.
  Error error(ErrorCode code, std::string it, std::string en) const;
  // The limit error for a text (cell value, shared string) longer than limit bytes.
  Error text_too_long(std::uint64_t limit) const;

 private:
  struct Attribute {
    std::string_view qname;
    std::string_view local;
    std::string_view raw;
    bool needs_decoding = false;
    bool prefixed = false;
    bool namespace_declaration = false;  // xmlns / xmlns:p: never an ordinary attribute
  };

  enum class Scan { done, need_more };

  bool fill(std::uint64_t limit, bool markup);
  Scan scan_markup(Event& event);
  Scan scan_start_tag(std::size_t p, Event& event);
  Scan scan_end_tag(std::size_t p, Event& event);
  Scan scan_text(Event& event);
  Scan scan_until(std::size_t from, std::string_view terminator, std::size_t& found);
  // From inside a start tag: the offset just past its '>' (a '>' in a quoted value is not it), or
  // npos when the buffer holds no end yet.
  std::size_t start_tag_end(std::size_t from) const;
  // At a '<' of "<!" or "<?": the offset past the comment, CDATA or instruction, when it ends in
  // the buffer, else npos; DTDs and unknown "<!" constructs are refused.
  std::size_t skip_special(std::size_t at) const;
  std::string_view decode_attribute(const Attribute& a) const;
  void decode_into(std::string_view raw, std::string& out, bool attribute) const;
  // Counts the newlines in buf_[0, end), advancing lines and the offset where the last line starts.
  void count_lines(std::size_t end, std::uint64_t& lines, std::uint64_t& line_start) const;
  void position(std::uint64_t& line, std::uint64_t& column) const { position_at(pos_, line, column); }
  void position_at(std::size_t offset, std::uint64_t& line, std::uint64_t& column) const;
  void validate_new_bytes();
  void push(std::string_view qname);
  std::string_view open_element(std::size_t level) const {
    return std::string_view(stack_chars_.data() + stack_offsets_[level],
                            (level + 1 < depth_ ? stack_offsets_[level + 1] : stack_size_) - stack_offsets_[level]);
  }
  void pop();
  [[noreturn]] void fail_depth() const;
  [[noreturn]] void fail_malformed(std::string it, std::string en) const;

  ByteSource& source_;
  const bool source_checks_utf8_;  // then utf8_ is not used
  const Limits& limits_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool started_ = false;
  Utf8Validator utf8_;
  std::size_t unvalidated_from_ = 0;  // buffer offset of the first byte not yet checked as UTF-8
  bool root_seen_ = false;
  bool root_closed_ = false;

  // Position bookkeeping for error messages.
  std::uint64_t discarded_bytes_ = 0;
  std::uint64_t discarded_lines_ = 0;
  std::uint64_t last_discarded_newline_ = 0;  // absolute offset just past the last '\n' discarded

  std::string_view qname_;
  std::string_view local_name_;
  bool self_closing_ = false;
  bool pending_end_ = false;
  std::vector<Attribute> attrs_;
  mutable std::vector<std::string> attr_scratch_;
  std::string_view text_;
  mutable std::string text_scratch_;
  std::string element_text_;

  // Qualified names of the open elements, packed: one buffer and the start of each name.
  std::vector<char> stack_chars_;
  std::size_t stack_size_ = 0;
  std::vector<std::size_t> stack_offsets_;
  std::size_t depth_ = 0;
};

}  // namespace consolida::xlsx
