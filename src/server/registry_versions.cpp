#include "server/registry_versions.hpp"

#include "consolida/error.hpp"

namespace consolida::server {

RegistryVersions::RegistryVersions(const Store& store, const registry::Registry& builtin) : store_(store), builtin_(builtin) {}

const registry::Registry& RegistryVersions::at(int version) const {
  if (version == kBuiltinRegistryVersion) return builtin_;
  std::lock_guard guard(lock_);
  if (const auto found = loaded_.find(version); found != loaded_.end()) return *found->second;
  const std::optional<registry::RegistryFiles> files = store_.registry_files(version);
  if (!files) {
    throw Error(ErrorCode::not_found, "versione dell'anagrafica " + std::to_string(version) + " non presente nel database",
                "registry version " + std::to_string(version) + " is not in the database");
  }
  auto parsed = std::make_unique<const registry::Registry>(registry::Registry::parse(*files));
  return *loaded_.emplace(version, std::move(parsed)).first->second;
}

}  // namespace consolida::server
