// The registries of the campaigns: each campaign keeps the registry version it was opened with
// (Campaign::registry_version), and everything about it (who is expected, the registry rules of
// its uploads, its consolidation) reads that version, never the newest.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "consolida/registry.hpp"
#include "consolida/server.hpp"

namespace consolida::server {

class RegistryVersions {
 public:
  // `builtin` stands as version 1; it must outlive this object, as Registry::builtin() does.
  RegistryVersions(const Store& store, const registry::Registry& builtin);

  // The registry of a version, parsed from the store the first time and then kept (forms read
  // while validating point into it, so it lives as long as this object). Thread-safe. A version
  // the store does not hold: Error(not_found); stored files that no longer pass the checks:
  // Error(invalid_registry).
  const registry::Registry& at(int version) const;
  const registry::Registry& of(const Campaign& campaign) const { return at(campaign.registry_version); }

 private:
  const Store& store_;
  const registry::Registry& builtin_;
  mutable std::mutex lock_;
  mutable std::map<int, std::unique_ptr<const registry::Registry>> loaded_;
};

}  // namespace consolida::server
