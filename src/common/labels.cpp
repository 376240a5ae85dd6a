#include "common/labels.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace consolida {

std::string normalise_label(std::string_view text) {
  static const std::array<std::pair<std::string_view, char>, 24> folds = {{
      {"\xC3\xA0", 'a'}, {"\xC3\xA1", 'a'}, {"\xC3\x80", 'a'}, {"\xC3\x81", 'a'}, {"\xC3\xA8", 'e'}, {"\xC3\xA9", 'e'},
      {"\xC3\x88", 'e'}, {"\xC3\x89", 'e'}, {"\xC3\xAC", 'i'}, {"\xC3\xAD", 'i'}, {"\xC3\x8C", 'i'}, {"\xC3\x8D", 'i'},
      {"\xC3\xB2", 'o'}, {"\xC3\xB3", 'o'}, {"\xC3\x92", 'o'}, {"\xC3\x93", 'o'}, {"\xC3\xB9", 'u'}, {"\xC3\xBA", 'u'},
      {"\xC3\x99", 'u'}, {"\xC3\x9A", 'u'}, {"\xE2\x80\x99", '\''}, {"\xE2\x80\x98", '\''}, {"\xC2\xA0", ' '}, {"`", '\''},
  }};
  std::string out;
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    std::size_t width = 1;
    // Every fold starts with a byte outside ASCII letters and digits: most characters skip the table.
    if (static_cast<unsigned char>(c) >= 0x80 || c == '`') {
      for (const auto& [from, to] : folds) {
        if (text.substr(i, from.size()) == from) {
          c = to;
          width = from.size();
          break;
        }
      }
    }
    i += width;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  while (!out.empty() && (out.back() == ':' || out.back() == ' ')) out.pop_back();
  // An accent typed as an apostrophe after a word's last vowel ("perche'", "citta'", "E'") is
  // the same letter; an elision inside a word ("l'ambito") is kept.
  std::string folded;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool after_vowel = i > 0 && std::string_view("aeiou").find(out[i - 1]) != std::string_view::npos;
    const bool word_end = i + 1 == out.size() || !std::isalnum(static_cast<unsigned char>(out[i + 1]));
    if (out[i] == '\'' && after_vowel && word_end) continue;
    folded += out[i];
  }
  return folded;
}

bool labels_match(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const std::string_view shorter = a.size() < b.size() ? a : b;
  const std::string_view longer = a.size() < b.size() ? b : a;
  return shorter.size() >= 8 && longer.starts_with(shorter);
}

}  // namespace consolida
