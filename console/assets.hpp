#pragma once
// The web console's static files, compiled into the binary (console/*.html|css|js and the
// vendored libraries), with their content types.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vnh::console {

struct Asset {
  std::string_view bytes;
  std::string content_type;
};

std::optional<Asset> asset(const std::string& path);
std::vector<std::string> asset_paths();

}  // namespace vnh::console
