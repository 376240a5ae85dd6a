// Whole numbers read from text (command-line options, ISO dates): all of the text or nothing.
#pragma once

#include <charconv>
#include <concepts>
#include <optional>
#include <string_view>

namespace consolida {

// The text as a decimal integer of type T; nullopt when it is empty, has anything besides the
// digits (and a leading '-' for a signed T) or does not fit in T. Unlike atoi, "12abc" and
// "abc" are refused rather than read as 12 and 0.
template <std::integral T>
std::optional<T> parse_integer(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace consolida
