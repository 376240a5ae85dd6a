#include "xlsx/utf8_validator.hpp"

#include <cstdint>
#include <cstring>

namespace consolida::xlsx {

std::size_t Utf8Validator::feed(const unsigned char* data, std::size_t n) {
  std::size_t i = 0;
  while (i < n) {
    if (need_ == 0) {
      while (i + 32 <= n) {  // ASCII fast path, 32 bytes at a time
        std::uint64_t words[4];
        std::memcpy(words, data + i, 32);
        if ((words[0] | words[1] | words[2] | words[3]) & 0x8080808080808080ull) break;
        i += 32;
      }
      while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        if (word & 0x8080808080808080ull) break;
        i += 8;
      }
      if (i == n) break;
      const unsigned char c = data[i];
      if (c < 0x80) {
        ++i;
        continue;
      }
      if (c < 0xC2) return i;
      if (c < 0xE0) {
        need_ = 1;
        low_ = 0x80;
        high_ = 0xBF;
      } else if (c < 0xF0) {
        need_ = 2;
        low_ = c == 0xE0 ? 0xA0 : 0x80;
        high_ = c == 0xED ? 0x9F : 0xBF;
      } else if (c < 0xF5) {
        need_ = 3;
        low_ = c == 0xF0 ? 0x90 : 0x80;
        high_ = c == 0xF4 ? 0x8F : 0xBF;
      } else {
        return i;
      }
      ++i;
    } else {
      const unsigned char c = data[i];
      if (c < low_ || c > high_) return i;
      low_ = 0x80;
      high_ = 0xBF;
      --need_;
      ++i;
    }
  }
  return n;
}

}  // namespace consolida::xlsx
