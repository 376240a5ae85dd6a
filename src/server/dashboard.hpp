// What the Region, an ATS or an Ambito sees of a campaign (issue #14): how far each ATS and
// each Ambito has come, and the list of enti filtered by state, ATS, Ambito and a search by
// name or ISTAT code, missing first, one page at a time. Computed from the campaign's status;
// the HTTP layer reads the filter from the address and draws the result.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "consolida/registry.hpp"
#include "consolida/server.hpp"

namespace consolida::server {

struct StatusFilter {
  std::optional<EnteState> state;
  std::optional<ReviewState> review;
  std::string ats;     // ATS code; empty: every ATS
  std::string ambito;  // Ambito code; empty: every Ambito
  std::string search;  // part of the name (any case, accents folded) or of the code
  std::size_t page = 1;  // from 1; past the last page means the last
  std::size_t per_page = 50;
};

// How many enti of a group are in each state.
struct Progress {
  std::string code, name;
  int expected = 0;
  std::array<int, 5> by_state{};  // indexed by EnteState
  int approved = 0;
  int in(EnteState state) const { return by_state[static_cast<std::size_t>(state)]; }
  // Valid, late or not: what the campaign has in hand.
  int received_valid() const { return in(EnteState::valido) + in(EnteState::in_ritardo); }
};

struct StatusView {
  Progress total;                          // the enti of the chosen ATS and Ambito
  std::vector<Progress> by_ats, by_ambito;  // the same by group, by name
  std::vector<EnteStatus> rows;            // this page of the filtered list
  std::size_t matching = 0;                // enti the whole filter keeps
  std::size_t page = 1, pages = 1;
};

// The enti the filter keeps, missing first, then with errors, late, valid; by name within each.
std::vector<EnteStatus> filter_status(std::vector<EnteStatus> all, const registry::Registry& registry, const StatusFilter& filter);

// Progress counted on the enti of the filter's ATS and Ambito (its state and search do not
// change the counts), and the filter's page of its list.
StatusView status_view(std::vector<EnteStatus> all, const registry::Registry& registry, const StatusFilter& filter);

}  // namespace consolida::server
