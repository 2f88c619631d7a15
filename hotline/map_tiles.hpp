#pragma once
// The command screen's base map (SPEC §15): tile layers from URL templates the district
// configures (`vnh serve --map-tiles URL`, e.g. 天地图's with its key; several are drawn in
// order, a base and its labels). Without one the map is the points and the area outlines
// alone and reaches no server. The console's Content-Security-Policy admits the tile hosts
// and nothing else.
#include <string>
#include <vector>

#include "common/status.hpp"

namespace vnh::hotline {

struct MapTiles {
  std::vector<std::string> urls;  // Leaflet templates: {z} {x} {y}, optionally {s}
  std::string subdomains;         // what {s} takes, one character each (天地图: 01234567)
  std::string attribution;        // shown in the map's corner (the tile provider's terms ask for it)
};

// Each template is http(s), names a host, and has {z}, {x} and {y}; {s} needs subdomains.
// Errors name the option (`map-tiles`).
Status check_map_tiles(const MapTiles& t);
// The CSP sources the templates load from: "https://*.tianditu.gov.cn" for
// "https://t{s}.tianditu.gov.cn/…" (a {s} label becomes the wildcard), space-separated.
std::string map_tile_sources(const MapTiles& t);

}  // namespace vnh::hotline
