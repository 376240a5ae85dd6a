#include "server/assets.hpp"

namespace consolida::server::assets {

const Asset* find(std::string_view name) {
  for (const Asset& asset : all()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace consolida::server::assets
