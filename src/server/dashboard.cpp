#include "server/dashboard.hpp"

#include <algorithm>
#include <map>

#include "common/labels.hpp"

namespace consolida::server {
namespace {

// Missing first: what the campaign lacks is what its reader acts on.
int urgency(EnteState state) {
  switch (state) {
    case EnteState::mancante: return 0;
    case EnteState::file_mancante: return 1;
    case EnteState::con_errori: return 2;
    case EnteState::in_ritardo: return 3;
    case EnteState::valido: return 4;
  }
  return 0;
}

std::string ats_of(const registry::Registry& registry, const EnteStatus& status) {
  const registry::Ambito* ambito = registry.ambito_by_code(status.ambito);
  return ambito ? ambito->ats : "";
}

bool in_scope(const registry::Registry& registry, const EnteStatus& status, const StatusFilter& filter) {
  if (!filter.ambito.empty() && status.ambito != filter.ambito) return false;
  return filter.ats.empty() || ats_of(registry, status) == filter.ats;
}

// What the list is sorted by; the statuses themselves (two versions each) stay where they are.
struct Keyed {
  int urgency;
  std::string name;  // folded
  std::size_t index;
};

// The indexes into all of the statuses the filter keeps, missing first, then by name.
std::vector<std::size_t> kept(const std::vector<EnteStatus>& all, const registry::Registry& registry, const StatusFilter& filter) {
  const std::string search = normalise_label(filter.search);
  std::vector<Keyed> keys;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const EnteStatus& status = all[i];
    if (!in_scope(registry, status, filter) || (filter.state && status.state != *filter.state) ||
        (filter.review && status.review_state != *filter.review)) {
      continue;
    }
    std::string name = normalise_label(status.name);
    if (!search.empty() && name.find(search) == std::string::npos && status.ente.find(filter.search) == std::string::npos) continue;
    keys.push_back({urgency(status.state), std::move(name), i});
  }
  std::sort(keys.begin(), keys.end(), [&all](const Keyed& a, const Keyed& b) {
    if (a.urgency != b.urgency) return a.urgency < b.urgency;
    if (a.name != b.name) return a.name < b.name;
    return all[a.index].ente < all[b.index].ente;
  });
  std::vector<std::size_t> out;
  out.reserve(keys.size());
  for (const Keyed& key : keys) out.push_back(key.index);
  return out;
}

void count(Progress& progress, const EnteStatus& status) {
  ++progress.expected;
  ++progress.by_state[static_cast<std::size_t>(status.state)];
  progress.approved += status.review_state == ReviewState::approvato;
}

std::vector<Progress> by_name(std::map<std::string, Progress> groups) {
  std::vector<Progress> out;
  for (auto& [code, progress] : groups) out.push_back(std::move(progress));
  std::sort(out.begin(), out.end(), [](const Progress& a, const Progress& b) { return a.name < b.name; });
  return out;
}

}  // namespace

std::vector<EnteStatus> filter_status(std::vector<EnteStatus> all, const registry::Registry& registry, const StatusFilter& filter) {
  std::vector<EnteStatus> out;
  for (std::size_t i : kept(all, registry, filter)) out.push_back(std::move(all[i]));
  return out;
}

StatusView status_view(std::vector<EnteStatus> all, const registry::Registry& registry, const StatusFilter& filter) {
  StatusView view;
  view.total.name = "Totale";
  std::map<std::string, Progress> ats, ambiti;
  for (const EnteStatus& status : all) {
    if (!in_scope(registry, status, filter)) continue;
    count(view.total, status);
    const std::string ats_code = ats_of(registry, status);
    Progress& of_ats = ats[ats_code];
    if (of_ats.code.empty()) {
      of_ats.code = ats_code;
      of_ats.name = registry.ats_name(ats_code);
    }
    count(of_ats, status);
    Progress& of_ambito = ambiti[status.ambito];
    if (of_ambito.code.empty()) {
      of_ambito.code = status.ambito;
      const registry::Ambito* ambito = registry.ambito_by_code(status.ambito);
      of_ambito.name = ambito ? ambito->name : status.ambito;
    }
    count(of_ambito, status);
  }
  view.by_ats = by_name(std::move(ats));
  view.by_ambito = by_name(std::move(ambiti));

  const std::vector<std::size_t> list = kept(all, registry, filter);
  view.matching = list.size();
  const std::size_t per_page = std::max<std::size_t>(1, filter.per_page);
  view.pages = list.empty() ? 1 : 1 + (list.size() - 1) / per_page;
  view.page = std::clamp<std::size_t>(filter.page, 1, view.pages);
  const std::size_t first = (view.page - 1) * per_page;
  for (std::size_t i = first; i < list.size() && i < first + per_page; ++i) view.rows.push_back(std::move(all[list[i]]));
  return view;
}

}  // namespace consolida::server
