#pragma once

#include <cstddef>

namespace consolida::xlsx {

// Checks UTF-8 incrementally: sequences may be split across the chunks fed to it. Rejects
// overlong forms, surrogates and code points above U+10FFFF, as the XML spec requires.
class Utf8Validator {
 public:
  // Returns the offset of the first invalid byte in [data, data + n), or n if all are valid.
  std::size_t feed(const unsigned char* data, std::size_t n);
  bool complete() const { return need_ == 0; }

 private:
  int need_ = 0;             // continuation bytes still expected
  unsigned char low_ = 0x80;  // allowed range of the next continuation byte
  unsigned char high_ = 0xBF;
};

}  // namespace consolida::xlsx
