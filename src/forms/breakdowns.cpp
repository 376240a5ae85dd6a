#include "forms/breakdowns.hpp"

#include <algorithm>
#include <set>

#include "common/labels.hpp"

namespace consolida::forms {
namespace {

// The words of a label that carry its meaning: folded, split on anything but letters and digits,
// without articles and prepositions.
std::vector<std::string> meaningful_words(std::string_view label) {
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

// Two words for the same thing: equal, or one a stem of the other ("disabili", "disab.").
bool same_word(const std::string& a, const std::string& b) {
  const std::string& shorter = a.size() < b.size() ? a : b;
  const std::string& longer = a.size() < b.size() ? b : a;
  return shorter == longer || (shorter.size() >= 4 && longer.compare(0, shorter.size(), shorter) == 0);
}

// Every word of `part` is among `whole`'s.
bool words_within(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  return !part.empty() && std::all_of(part.begin(), part.end(), [&](const std::string& word) {
    return std::any_of(whole.begin(), whole.end(), [&](const std::string& other) { return same_word(word, other); });
  });
}

}  // namespace

RowItem row_item(const TableSpec& table, const Breakdown& breakdown, std::string_view key) {
  RowItem out;
  if ((out.item = table.fixed_row(key))) return out;
  if (!breakdown.other_label.empty()) {
    out.item = table.fixed_rows.size();
    return out;
  }
  const std::vector<std::string> words = meaningful_words(key);
  for (std::size_t i = 0; i < table.fixed_rows.size(); ++i) {
    const std::vector<std::string> item_words = meaningful_words(table.fixed_rows[i]);
    if (words_within(item_words, words) || words_within(words, item_words)) out.candidates.push_back(i);
  }
  if (out.candidates.size() == 1) {
    out.item = out.candidates[0];
    out.guessed = true;
  } else if (out.candidates.empty()) {
    for (std::size_t i = 0; i < table.fixed_rows.size(); ++i) out.candidates.push_back(i);
  }
  return out;
}

std::vector<std::string> breakdown_items(const FormSpec& spec, const Breakdown& breakdown) {
  const TableSpec& table = *spec.table(breakdown.table);
  std::vector<std::string> items;
  if (!breakdown.rows_of_column.empty()) {
    items = table.fixed_rows;
    if (!breakdown.other_label.empty()) items.push_back(breakdown.other_label);
    return items;
  }
  for (const std::string& id : breakdown.column_sums) items.push_back(table.columns[*table.position(id) - 1].label.it);
  return items;
}

std::vector<std::int64_t> breakdown_amounts(const TypedForm& form, const Breakdown& breakdown) {
  const TableSpec& spec = *form.spec().table(breakdown.table);
  const bool by_row = !breakdown.rows_of_column.empty();
  std::vector<std::int64_t> out(by_row ? spec.fixed_rows.size() + (breakdown.other_label.empty() ? 0 : 1) : breakdown.column_sums.size(), 0);
  const TypedTable* table = form.table(breakdown.table);
  if (!table || !table->found) return out;
  if (by_row) {
    const std::size_t column = *spec.position(breakdown.rows_of_column);
    for (const TypedRow& row : table->rows) {
      if (row.subtotal()) continue;
      const std::optional<std::size_t> item = row_item(spec, breakdown, row.row->key.text).item;
      if (item) out[*item] += row.cells[column].number().value_or(0);
    }
    return out;
  }
  for (std::size_t k = 0; k < breakdown.column_sums.size(); ++k) {
    const std::size_t column = *spec.position(breakdown.column_sums[k]);
    for (const TypedRow& row : table->rows) {
      if (!row.subtotal()) out[k] += row.cells[column].number().value_or(0);
    }
  }
  return out;
}

}  // namespace consolida::forms
