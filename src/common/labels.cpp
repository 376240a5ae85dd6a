#include "common/labels.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
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

std::vector<std::string> label_words(std::string_view label) {
  static const std::set<std::string, std::less<>> kLinkWords = {"a",   "al",  "alla", "con", "da",   "dei", "del", "della", "delle", "di", "e",
                                                                "ed",  "gli", "i",    "il",  "in",   "la",  "le",  "lo",    "per",   "su", "tra"};
  std::vector<std::string> words;
  std::string word;
  const std::string folded = normalise_label(label) + " ";
  for (char c : folded) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word += c;
    } else if (!word.empty()) {
      if (!kLinkWords.count(word)) words.push_back(word);
      word.clear();
    }
  }
  return words;
}

bool same_word(std::string_view a, std::string_view b) {
  const std::string_view shorter = a.size() < b.size() ? a : b;
  const std::string_view longer = a.size() < b.size() ? b : a;
  return shorter == longer || (shorter.size() >= 4 && longer.starts_with(shorter));
}

bool words_within(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  return !part.empty() && std::all_of(part.begin(), part.end(), [&](const std::string& word) {
    return std::any_of(whole.begin(), whole.end(), [&](const std::string& other) { return same_word(word, other); });
  });
}

namespace {

// Levenshtein distance, one row at a time.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The same word, or a long one typed with a slip or two ("Insubrai" for "Insubria").
bool near_word(const std::string& a, const std::string& b) {
  if (same_word(a, b)) return true;
  const std::size_t shorter = std::min(a.size(), b.size());
  return shorter >= 5 && edit_distance(a, b) <= (shorter >= 8 ? 2u : 1u);
}

bool has_word(const std::vector<std::string>& words, const std::string& word) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return near_word(w, word); });
}

}  // namespace

std::optional<std::size_t> closest_label(std::string_view text, const std::vector<std::string>& candidates,
                                         const std::vector<std::size_t>& owners) {
  auto owner = [&](std::size_t i) { return i < owners.size() ? owners[i] : i; };
  if (candidates.empty()) return std::nullopt;
  // A paragraph pasted where an item belongs means none of them; it is not weighed word by word.
  std::size_t longest = 0;
  for (const std::string& candidate : candidates) longest = std::max(longest, candidate.size());
  if (text.size() > 2 * longest + 32) return std::nullopt;
  std::vector<std::vector<std::string>> words;
  for (const std::string& candidate : candidates) words.push_back(label_words(candidate));
  // Words that every candidate has tell them apart from nothing.
  std::vector<std::string> text_words;
  for (const std::string& word : label_words(text)) {
    const bool everywhere = candidates.size() > 1 && std::all_of(words.begin(), words.end(), [&](const auto& w) { return has_word(w, word); });
    if (!everywhere) text_words.push_back(word);
  }
  const std::string folded = normalise_label(text);
  std::vector<std::size_t> shared(candidates.size(), 0);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    for (const std::string& word : text_words) shared[i] += has_word(words[i], word);
  }
  const std::size_t most = *std::max_element(shared.begin(), shared.end());
  std::optional<std::size_t> best;
  std::size_t best_distance = 0;
  bool tie = false;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (shared[i] != most) continue;
    const std::string candidate = normalise_label(candidates[i]);
    const std::size_t distance = edit_distance(folded, candidate);
    if (most == 0 && (distance > std::max<std::size_t>(1, candidate.size() / 4) || distance >= candidate.size())) continue;
    if (!best || distance < best_distance) {
      best = i;
      best_distance = distance;
      tie = false;
    } else if (distance == best_distance && owner(i) != owner(*best)) {
      tie = true;
    }
  }
  return tie ? std::nullopt : best;
}

}  // namespace consolida
