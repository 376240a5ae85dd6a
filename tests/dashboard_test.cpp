// The dashboard of a campaign (issue #14): progress by ATS and Ambito, the list filtered by
// state, ATS, Ambito and a search, missing first, by page.
#include <gtest/gtest.h>

#include <set>

#include "consolida/registry.hpp"
#include "server/dashboard.hpp"

namespace {

using namespace consolida;
using namespace consolida::server;

// Every comune of the registry, in a state that depends on its code: about a third missing.
std::vector<EnteStatus> region_status(const registry::Registry& registry) {
  std::vector<EnteStatus> out;
  for (const registry::Comune& comune : registry.comuni()) {
    EnteStatus s;
    s.ente = comune.istat;
    s.name = comune.name;
    s.ambito = registry.ambiti()[comune.ambito].code;
    const int n = std::stoi(comune.istat) % 6;
    s.state = n < 2 ? EnteState::mancante : n == 2 ? EnteState::con_errori : n == 3 ? EnteState::in_ritardo : EnteState::valido;
    if (n == 5) s.review_state = ReviewState::approvato;
    out.push_back(std::move(s));
  }
  return out;
}

TEST(Dashboard, TheRegionSeesEveryAtsAndAmbitoCountedAndMissingEntiFirst) {
  const registry::Registry& registry = registry::Registry::builtin();
  const std::vector<EnteStatus> all = region_status(registry);
  const StatusView view = status_view(all, registry, {});
  EXPECT_EQ(view.total.expected, 1506);
  EXPECT_EQ(view.by_ats.size(), 8u);
  EXPECT_EQ(view.by_ambito.size(), registry.ambiti().size());
  int in_ats = 0, missing = 0, approved = 0;
  for (const Progress& p : view.by_ats) in_ats += p.expected;
  for (const EnteStatus& s : all) {
    missing += s.state == EnteState::mancante;
    approved += s.review_state == ReviewState::approvato;
  }
  EXPECT_EQ(in_ats, 1506);
  EXPECT_EQ(view.total.in(EnteState::mancante), missing);
  EXPECT_EQ(view.total.approved, approved);
  // The first page: 50 rows, all missing, by name.
  ASSERT_EQ(view.rows.size(), 50u);
  EXPECT_EQ(view.matching, 1506u);
  EXPECT_EQ(view.pages, 31u);
  for (const EnteStatus& s : view.rows) EXPECT_EQ(s.state, EnteState::mancante) << s.ente;
  EXPECT_LT(view.rows.front().name, view.rows.back().name);
}

TEST(Dashboard, AFilterByAmbitoCountsItsComuniAndTheStateAndSearchOnlyNarrowTheList) {
  const registry::Registry& registry = registry::Registry::builtin();
  StatusFilter filter;
  filter.ambito = "LODI";
  filter.state = EnteState::valido;
  const StatusView view = status_view(region_status(registry), registry, filter);
  EXPECT_EQ(view.total.expected, 60) << "the 60 comuni of the province of Lodi";
  ASSERT_EQ(view.by_ambito.size(), 1u);
  EXPECT_EQ(view.by_ambito.front().name, "Ambito di Lodi");
  ASSERT_EQ(view.by_ats.size(), 1u);
  EXPECT_EQ(view.by_ats.front().code, "MI");
  EXPECT_EQ(static_cast<int>(view.matching), view.total.in(EnteState::valido));
  for (const EnteStatus& s : view.rows) {
    EXPECT_EQ(s.ambito, "LODI");
    EXPECT_EQ(s.state, EnteState::valido);
  }
}

TEST(Dashboard, TheSearchFindsANameInAnyCaseAndAccentAndACode) {
  const registry::Registry& registry = registry::Registry::builtin();
  const std::vector<EnteStatus> all = region_status(registry);
  StatusFilter filter;
  filter.search = "CANTU";
  std::set<std::string> found;
  for (const EnteStatus& s : filter_status(all, registry, filter)) found.insert(s.name);
  EXPECT_TRUE(found.count("Cantù")) << "accents folded";
  filter.search = "lodi";
  found.clear();
  for (const EnteStatus& s : filter_status(all, registry, filter)) found.insert(s.name);
  EXPECT_TRUE(found.count("Lodi") && found.count("Lodi Vecchio")) << "a part of the name";
  filter.search = "098031";
  const auto by_code = filter_status(all, registry, filter);
  ASSERT_EQ(by_code.size(), 1u);
  EXPECT_EQ(by_code.front().name, "Lodi");
}

TEST(Dashboard, PagesCoverTheListOnceAndAPagePastTheEndIsTheLast) {
  const registry::Registry& registry = registry::Registry::builtin();
  const std::vector<EnteStatus> all = region_status(registry);
  StatusFilter filter;
  filter.per_page = 100;
  std::set<std::string> seen;
  std::size_t pages = 1;
  for (std::size_t page = 1; page <= pages; ++page) {
    filter.page = page;
    const StatusView view = status_view(all, registry, filter);
    pages = view.pages;
    for (const EnteStatus& s : view.rows) EXPECT_TRUE(seen.insert(s.ente).second) << s.ente << " twice";
  }
  EXPECT_EQ(seen.size(), 1506u);
  filter.page = 999;
  const StatusView last = status_view(all, registry, filter);
  EXPECT_EQ(last.page, 16u);
  EXPECT_EQ(last.rows.size(), 6u);
}

}  // namespace
