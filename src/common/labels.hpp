// Label matching: what a clerk may have done to a label (case, accents, spaces, a trailing colon)
// must not stop a field, a comune or an ATS from being found.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace consolida {

// Lower case, accents folded (à -> a, È -> e, and "a'" typed for "à" at a word's end),
// apostrophes unified, runs of spaces collapsed, trailing ':' and spaces removed.
std::string normalise_label(std::string_view text);

// True when the two normalised labels are the same, or one starts with the other and the
// shorter has at least 8 characters ("Titolo progetto" ~ "Titolo progetto:").
bool labels_match(std::string_view a, std::string_view b);

// The words of a label that carry its meaning: folded, split on anything but letters and digits,
// without articles and prepositions ("ASST di Lodi": asst, lodi).
std::vector<std::string> label_words(std::string_view label);

// Two words for the same thing: equal, or one a stem of the other ("disabili", "disab").
bool same_word(std::string_view a, std::string_view b);

// Every word of `part` is among `whole`'s (and `part` has some).
bool words_within(const std::vector<std::string>& part, const std::vector<std::string>& whole);

// The candidate a text most likely means, for a suggestion ("forse «ASST di Lodi»?"): the one
// sharing the most words with it (words every candidate has, such as "ATS" in a list of ATS, do
// not count), ties broken by the edit distance of the folded labels; with no word in common, the
// one within a few typing slips (a quarter of its length). None when no single candidate stands out.
// `owners`, when given, says what each candidate stands for (an item and its synonyms): candidates
// of one owner never tie with each other.
std::optional<std::size_t> closest_label(std::string_view text, const std::vector<std::string>& candidates,
                                         const std::vector<std::size_t>& owners = {});

}  // namespace consolida
