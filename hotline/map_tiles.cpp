#include "hotline/map_tiles.hpp"

#include <fmt/format.h>

namespace vnh::hotline {

namespace {
// scheme://host of a template, or empty when it has none.
std::pair<std::string, std::string> scheme_host(const std::string& url) {
  const auto at = url.find("://");
  if (at == std::string::npos) return {};
  const auto end = url.find_first_of("/?#", at + 3);
  return {url.substr(0, at), url.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3)};
}
}  // namespace

Status check_map_tiles(const MapTiles& t) {
  for (const auto& u : t.urls) {
    const auto [scheme, host] = scheme_host(u);
    if (scheme != "https" && scheme != "http") return invalid("map-tiles", fmt::format("'{}' is not an http(s) URL", u));
    if (host.empty() || host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:{}") !=
                            std::string::npos) {
      return invalid("map-tiles", fmt::format("'{}' names no host", u));
    }
    for (const char* p : {"{z}", "{x}", "{y}"}) {
      if (u.find(p) == std::string::npos) return invalid("map-tiles", fmt::format("'{}' lacks {}", u, p));
    }
    const bool s = u.find("{s}") != std::string::npos;
    if (s && t.subdomains.empty()) return invalid("map-tile-subdomains", fmt::format("'{}' uses {{s}}: give its subdomains", u));
    if (host.find('{') != std::string::npos && host.find("{s}") == std::string::npos) {
      return invalid("map-tiles", fmt::format("'{}': only {{s}} may stand in the host", u));
    }
  }
  return Status::Ok();
}

std::string map_tile_sources(const MapTiles& t) {
  std::string out;
  for (const auto& u : t.urls) {
    auto [scheme, host] = scheme_host(u);
    if (const auto s = host.find("{s}"); s != std::string::npos) {
      const auto dot = host.find('.', s);
      host = "*" + (dot == std::string::npos ? std::string() : host.substr(dot));
    }
    const std::string src = scheme + "://" + host;
    if (out.find(src) == std::string::npos) out += (out.empty() ? "" : " ") + src;
  }
  return out;
}

}  // namespace vnh::hotline
