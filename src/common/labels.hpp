// Label matching: what a clerk may have done to a label (case, accents, spaces, a trailing colon)
// must not stop a field, a comune or an ATS from being found.
#pragma once

#include <string>
#include <string_view>

namespace consolida {

// Lower case, accents folded (à -> a, È -> e, and "a'" typed for "à" at a word's end),
// apostrophes unified, runs of spaces collapsed, trailing ':' and spaces removed.
std::string normalise_label(std::string_view text);

// True when the two normalised labels are the same, or one starts with the other and the
// shorter has at least 8 characters ("Titolo progetto" ~ "Titolo progetto:").
bool labels_match(std::string_view a, std::string_view b);

}  // namespace consolida
