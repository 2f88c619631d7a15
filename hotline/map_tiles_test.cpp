#include <catch2/catch.hpp>

#include "hotline/map_tiles.hpp"

using namespace vnh;
using namespace vnh::hotline;

TEST_CASE("tile templates are checked, and their hosts become the console's image sources", "[map]") {
  MapTiles tdt{{"https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K",
                "https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K"},
               "01234567", "天地图"};
  CHECK(check_map_tiles(tdt).ok());
  CHECK(map_tile_sources(tdt) == "https://*.tianditu.gov.cn");  // once for both layers
  MapTiles own{{"http://tiles.example.org:8080/{z}/{x}/{y}.png"}, "", ""};
  CHECK(check_map_tiles(own).ok());
  CHECK(map_tile_sources(own) == "http://tiles.example.org:8080");
  CHECK(map_tile_sources(MapTiles{}).empty());

  auto refused = [](MapTiles t) {
    auto st = check_map_tiles(t);
    return st.ok() ? std::string() : st.field();
  };
  CHECK(refused({{"ftp://x.org/{z}/{x}/{y}.png"}, "", ""}) == "map-tiles");
  CHECK(refused({{"https://x.org/{z}/{x}.png"}, "", ""}) == "map-tiles");         // no {y}
  CHECK(refused({{"https:///{z}/{x}/{y}.png"}, "", ""}) == "map-tiles");          // no host
  CHECK(refused({{"https://x.org;evil/{z}/{x}/{y}"}, "", ""}) == "map-tiles");    // not a host
  CHECK(refused({{"https://{s}.x.org/{z}/{x}/{y}"}, "", ""}) == "map-tile-subdomains");
  CHECK(refused({{"https://{z}.x.org/{z}/{x}/{y}"}, "", ""}) == "map-tiles");
}
