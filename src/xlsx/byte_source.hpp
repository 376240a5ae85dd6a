#pragma once

#include <cstddef>
#include <string_view>

namespace consolida::xlsx {

// A forward-only stream of bytes (an inflating zip entry, or memory in tests).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns 0 only at the end of the stream. Throws consolida::Error.
  virtual std::size_t read(char* buffer, std::size_t n) = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  std::size_t read(char* buffer, std::size_t n) override;

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace consolida::xlsx
