// The site's static files, compiled into the binary (scripts/embed_assets.cmake embeds
// src/server/assets/): the stylesheet, the Titillium Web fonts and their licence. The server
// serves them from its own origin, so the Content-Security-Policy stays `default-src 'self'`.
#pragma once

#include <span>
#include <string_view>

namespace consolida::server::assets {

struct Asset {
  std::string_view name;          // path under src/server/assets: "stile.css", "fonts/....woff2"
  std::string_view content_type;
  std::string_view bytes;
};

std::span<const Asset> all();
// The asset of that name, or nullptr.
const Asset* find(std::string_view name);

}  // namespace consolida::server::assets
