#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace consolida::xlsx {

// A forward-only stream of bytes (an inflating zip entry, or memory in tests).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns 0 only at the end of the stream. Throws consolida::Error.
  virtual std::size_t read(char* buffer, std::size_t n) = 0;
  // The length the stream expects to have, if known (a zip entry's declared size): readers size
  // their first buffer by it. Only a hint: it may be wrong, and reading never relies on it.
  virtual std::optional<std::uint64_t> size_hint() const { return std::nullopt; }
  // True when the stream checks that its bytes are UTF-8 (the read-ahead thread does, for the XML
  // reader, on the core with time to spare). Then invalid_utf8_at() is the offset of the first byte
  // that is not, once read() has handed it out; the stream's length when it ends inside a character.
  virtual bool checks_utf8() const { return false; }
  virtual std::optional<std::uint64_t> invalid_utf8_at() const { return std::nullopt; }
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  std::size_t read(char* buffer, std::size_t n) override;
  std::optional<std::uint64_t> size_hint() const override { return data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace consolida::xlsx
