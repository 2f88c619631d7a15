// SPEC §15's map base over real HTTP against the real binary: the street and community outlines
// `area-shapes` loads (codes checked, errors by feature), the open exceptions of the last week at
// the elders' homes (coarse for the wall), and a configured tile layer — offered to the console
// and admitted by its Content-Security-Policy, which admits nothing else.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

const char kTiles[] =
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
    "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY";

struct MapFloor {
  TestServer s{TestServer::Options{
      true, "2026-11-23T09:30:00+08:00",
      {"--map-tiles", kTiles, "--map-tile-subdomains", "01234567", "--map-attribution", "天地图"}}};
  MapFloor() {
    load_small_district(s);
    s.add_user("sup1", "supervisor");
    s.add_user("wall1", "display");
    s.add_user("admin1", "admin");
    s.add_user("op1", "operator");
    // Two visits checked in a kilometre from home: one three days ago, one three weeks ago.
    std::string csv =
        "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
        "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n";
    for (const auto& [no, day] : {std::pair{"TM1", "2026-11-20"}, std::pair{"TM2", "2026-11-02"}}) {
      csv += fmt::format(
          "{0},620102195810100019,LC010,F_MID,normal,{1}T09:00:00+08:00,{1}T11:00:00+08:00,{1}T08:00:00+08:00,"
          "{1}T09:10:00+08:00,36.0700,103.8300,{1}T10:15:00+08:00,36.0600,103.8300,M1,completed\r\n",
          no, day);
    }
    s.import("tickets", csv);
    s.start();
  }
};

std::string text(const json::value& v, const char* k) { return std::string(v.at(k).as_string()); }

}  // namespace

TEST_CASE("the configured tile layer is offered to the map and admitted by the console's CSP, nothing else",
          "[map][api]") {
  MapFloor f;
  sim::HttpClient anon(f.s.endpoint());
  auto page = anon.get("/");
  REQUIRE(page.status == 200);
  const std::string csp = page.headers.at("content-security-policy");
  CHECK(csp.find("img-src 'self' data: https://*.tianditu.gov.cn;") != std::string::npos);
  CHECK(csp.find("connect-src 'self';") != std::string::npos);
  auto sup = f.s.login("sup1");
  auto r = sup.get("/api/v1/map/config");
  REQUIRE(r.status == 200);
  const auto c = r.json();
  REQUIRE(c.at("tiles").as_array().size() == 1);
  CHECK(c.at("tiles").as_array()[0].as_string() == kTiles);
  CHECK(text(c, "subdomains") == "01234567");
  CHECK(text(c, "attribution") == "天地图");
  CHECK(text(c, "crs") == "wgs84");
  CHECK(f.s.login("op1").get("/api/v1/map/config").status == 403);
}

TEST_CASE("area shapes: loaded through the import, checked against the areas, drawn as one FeatureCollection",
          "[map][api]") {
  MapFloor f;
  auto sup = f.s.login("sup1");
  auto empty = sup.get("/api/v1/map/areas");
  REQUIRE(empty.status == 200);
  CHECK(empty.headers.at("content-type") == "application/geo+json");
  CHECK(empty.json().at("features").as_array().empty());

  auto admin = f.s.login("admin1");
  const std::string square = "[[[103.82,36.05],[103.84,36.05],[103.84,36.07],[103.82,36.07],[103.82,36.05]]]";
  auto feature = [&](const std::string& code, const std::string& coords) {
    return "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + code +
           "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" + coords + "}}";
  };
  const std::string bad = "{\"type\":\"FeatureCollection\",\"features\":[\n" + feature("620102001", square) + ",\n" +
                          feature("620102777", square) + "\n]}";
  auto r = admin.request("POST", "/api/v1/import/area-shapes?file=streets.geojson", bad);
  INFO(r.body);
  REQUIRE(r.status == 422);
  const auto errs = r.json().at("errors").as_array();
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].at("line").as_int64() == 3);
  CHECK(text(errs[0], "column") == "features[1].properties.code");
  CHECK(text(errs[0], "problem") == "unknown");
  CHECK(sup.get("/api/v1/map/areas").json().at("features").as_array().empty());  // all or nothing

  const std::string good = "{\"type\":\"FeatureCollection\",\"features\":[" + feature("620102001", square) + "]}";
  r = admin.request("POST", "/api/v1/import/area-shapes?file=streets.geojson", good);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("rows").as_int64() == 1);
  const auto fc = sup.get("/api/v1/map/areas").json();
  REQUIRE(fc.at("features").as_array().size() == 1);
  const auto& feat = fc.at("features").as_array()[0];
  CHECK(text(feat.at("properties"), "code") == "620102001");
  CHECK(text(feat.at("properties"), "name") == "酒泉路街道");
  CHECK(text(feat.at("properties"), "level") == "street");
  CHECK(feat.at("geometry").at("coordinates") == json::parse(square));
  CHECK(f.s.login("wall1").get("/api/v1/map/areas").status == 200);
}

TEST_CASE("the map's exceptions: the open ones of the last week at the elder's home, coarse for the wall",
          "[map][api]") {
  MapFloor f;
  auto sup = f.s.login("sup1");
  auto r = sup.get("/api/v1/map/exceptions");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto list = r.json().at("exceptions").as_array();
  REQUIRE(list.size() == 1);  // TM2 is three weeks old
  CHECK(text(list[0], "ticket_no") == "TM1");
  CHECK(text(list[0], "type") == "distance");
  CHECK(text(list[0], "firm_code") == "F_MID");
  CHECK(list[0].at("lat").as_double() == Approx(36.06));
  CHECK(list[0].at("facts").at("distance_m").to_number<double>() > 1000);
  auto wall = f.s.login("wall1").get("/api/v1/map/exceptions").json();
  const double lat = wall.at("exceptions").as_array()[0].at("lat").as_double();
  CHECK(lat == Approx(std::round(lat * 1000) / 1000));
  // Cleared, it leaves the map.
  const auto id = list[0].at("exception_id").as_int64();
  REQUIRE(sup.post(fmt::format("/api/v1/exceptions/{}/clear", id),
                   json::object{{"reason_code", "no_signal_indoors"}, {"note", "已电话核实"}})
              .status == 200);
  CHECK(sup.get("/api/v1/map/exceptions").json().at("exceptions").as_array().empty());
}
