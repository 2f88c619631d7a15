#include "console/assets.hpp"

#include <map>

namespace vnh::console_files {
const std::map<std::string, std::string_view>& files();
}

namespace vnh::console {

namespace {
std::string type_of(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "text/plain; charset=utf-8";
}
}  // namespace

std::optional<Asset> asset(const std::string& path) {
  const auto& f = console_files::files();
  auto it = f.find(path);
  if (it == f.end()) return std::nullopt;
  return Asset{it->second, type_of(path)};
}

std::vector<std::string> asset_paths() {
  std::vector<std::string> out;
  for (const auto& [k, v] : console_files::files()) out.push_back(k);
  return out;
}

}  // namespace vnh::console
