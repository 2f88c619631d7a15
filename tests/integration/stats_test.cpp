// SPEC §15's statistics over real HTTP against the real binary: a month of imported visits and
// a live ticket a partner accepts, read back as the overview, the service mix by every
// dimension, the firms' league, and each as CSV; the `display` role reads the command screen
// and nothing else; bad parameters name the field and change nothing.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/support/partner.hpp"
#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

struct StatsFloor {
  TestServer s{TestServer::Options{true, "2026-11-23T09:30:00+08:00", {}}};
  std::string near_token;
  StatsFloor() {
    load_small_district(s);
    s.add_user("sup1", "supervisor");
    s.add_user("op1", "operator");
    s.add_user("wall1", "display");
    near_token = s.firm_token("F_NEAR");
    // 2026-11-20: four visits by F_MID, created at 07:00, 07:00, 08:00 and 15:00; three checked
    // in inside their window, one late. 张三明 and 李四芳 live on 酒泉路街道, 王五 on 张掖路街道.
    std::string csv =
        "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
        "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n";
    auto row = [&](const char* no, const char* id, int created_h, int window_h, int checkin_h) {
      csv += fmt::format("{0},{1},LC010,F_MID,normal,2026-11-20T{3:02}:00:00+08:00,2026-11-20T{4:02}:00:00+08:00,"
                         "2026-11-20T{2:02}:00:00+08:00,2026-11-20T{5:02}:05:00+08:00,36.0600,103.8300,"
                         "2026-11-20T{5:02}:50:00+08:00,36.0600,103.8300,M1,completed\r\n",
                         no, id, created_h, window_h, window_h + 1, checkin_h);
    };
    row("TS1", "620102195810100019", 7, 9, 9);
    row("TS2", "62010219511015004X", 7, 10, 10);
    row("TS3", "620102193806200050", 8, 11, 11);
    row("TS4", "620102195810100019", 15, 16, 18);  // late
    s.import("tickets", csv);
    s.start();
  }
};

json::object row_with(const json::value& rows, const std::string& key) {
  for (const auto& r : rows.as_array()) {
    if (str(r, "key") == key) return r.as_object();
  }
  FAIL("no row " << key << " in " << json::serialize(rows));
  return {};
}

}  // namespace

TEST_CASE("the overview, the service mix and the league count what happened, and say it as CSV too", "[stats][api]") {
  StatsFloor f;
  auto op = f.s.login("op1");
  // A live ticket today, offered to F_NEAR, which accepts it.
  TestPartner near(f.s.endpoint(), f.near_token);
  REQUIRE(near.wait_open());
  auto created = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}, {"urgency", "normal"}});
  REQUIRE(created.status == 201);
  const std::string no = str(created.json(), "ticket_no");
  auto offer = near.next_offer();
  REQUIRE(offer);
  REQUIRE(near.command(accept(no))->ok());

  auto sup = f.s.login("sup1");
  auto o = sup.get("/api/v1/stats/overview?from=2026-11-20&to=2026-11-23");
  INFO(o.body);
  REQUIRE(o.status == 200);
  const auto ov = o.json();
  CHECK(ov.at("created").as_int64() == 5);
  CHECK(ov.at("completed").as_int64() == 4);
  CHECK(ov.at("cancelled").as_int64() == 0);
  CHECK(ov.at("checkins").as_int64() == 4);
  CHECK(ov.at("checkins_in_window").as_int64() == 3);
  CHECK(ov.at("offers_accepted").as_int64() == 1);  // imported visits were never offered
  CHECK(ov.at("accept_median_s").as_int64() == 0);  // the test clock stands still
  CHECK(ov.at("mean_rating").is_null());
  const auto& days = ov.at("days").as_array();
  REQUIRE(days.size() == 4);  // every day of the range, the quiet ones as zeros
  CHECK(str(days.at(0), "date") == "2026-11-20");
  CHECK(days.at(0).at("created").as_int64() == 4);
  CHECK(days.at(0).at("completed").as_int64() == 4);
  CHECK(str(days.at(1), "date") == "2026-11-21");
  CHECK(days.at(1).at("created").as_int64() == 0);
  CHECK(str(days.at(3), "date") == "2026-11-23");
  CHECK(days.at(3).at("created").as_int64() == 1);
  // A range that ends before the live ticket does not count it.
  CHECK(sup.get("/api/v1/stats/overview?from=2026-11-01&to=2026-11-22").json().at("created").as_int64() == 4);

  auto mix = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-23&by=category").json();
  CHECK(mix.at("total").as_int64() == 5);
  CHECK(row_with(mix.at("rows"), "life_care").at("share").as_double() == 100.0);
  auto streets = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-23&by=street").json();
  const auto jq = row_with(streets.at("rows"), "620102001");
  CHECK(jq.at("tickets").as_int64() == 4);  // TS1, TS2, TS4 and the live one
  CHECK(str(jq, "name") == "酒泉路街道");
  CHECK(jq.at("elders").as_int64() == 2);
  CHECK(jq.at("per_1000").as_double() == 2000.0);
  CHECK(row_with(streets.at("rows"), "620102002").at("share").as_double() == 20.0);
  auto hours = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-20&by=hour").json();
  CHECK(row_with(hours.at("rows"), "7").at("tickets").as_int64() == 2);
  CHECK(row_with(hours.at("rows"), "15").at("tickets").as_int64() == 1);
  auto firms = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-23&by=firm").json();
  CHECK(row_with(firms.at("rows"), "F_MID").at("tickets").as_int64() == 4);
  CHECK(row_with(firms.at("rows"), "F_NEAR").at("tickets").as_int64() == 1);
  auto channels = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-23&by=channel").json();
  CHECK(row_with(channels.at("rows"), "import").at("tickets").as_int64() == 4);
  CHECK(row_with(channels.at("rows"), "hotline").at("tickets").as_int64() == 1);
  auto items = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-23&by=item").json();
  CHECK(row_with(items.at("rows"), "LC010").at("tickets").as_int64() == 5);

  auto league = sup.get("/api/v1/stats/firms?month=2026-11");
  INFO(league.body);
  REQUIRE(league.status == 200);
  const auto lj = league.json();
  const json::value* mid = nullptr;
  const json::value* near_line = nullptr;
  for (const auto& r : lj.at("firms").as_array()) {
    if (str(r, "firm_code") == "F_MID") mid = &r;
    if (str(r, "firm_code") == "F_NEAR") near_line = &r;
  }
  REQUIRE(mid);
  CHECK(mid->at("tickets").as_int64() == 4);
  CHECK(mid->at("punctuality").as_double() == 75.0);
  CHECK(mid->at("score_total").is_null());  // no inspector scores yet: no T, no rank
  CHECK(mid->at("rank").is_null());
  REQUIRE(near_line);
  CHECK(near_line->at("offers").as_int64() == 1);
  CHECK(near_line->at("acceptance").as_double() == 100.0);

  // The same as CSV.
  auto csv = sup.get("/api/v1/stats/services?from=2026-11-20&to=2026-11-23&by=street&format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.body.rfind("key,name,tickets,share,elders,per_1000\r\n", 0) == 0);
  CHECK(csv.body.find("620102001,酒泉路街道,4,80,2,2000\r\n") != std::string::npos);
  auto ocsv = sup.get("/api/v1/stats/overview?from=2026-11-20&to=2026-11-23&format=csv");
  CHECK(ocsv.body.find("checkins_in_window,3\r\n") != std::string::npos);
  auto lcsv = sup.get("/api/v1/stats/firms?month=2026-11&format=csv");
  CHECK(lcsv.body.rfind("rank,firm_code,firm_name,score_total,score_q,tickets,", 0) == 0);
  CHECK(lcsv.body.find(",F_MID,") != std::string::npos);
}

TEST_CASE("the display role reads the command screen and nothing else; bad parameters name their field", "[stats][api]") {
  StatsFloor f;
  auto wall = f.s.login("wall1");
  CHECK(wall.get("/api/v1/stats/overview").status == 200);
  CHECK(wall.get("/api/v1/stats/services?by=hour").status == 200);
  CHECK(wall.get("/api/v1/map/workers").status == 200);
  CHECK(wall.get("/api/v1/tickets?state=unassigned").status == 403);
  CHECK(wall.get("/api/v1/elders?phone=13970241505").status == 403);
  CHECK(f.s.login("op1").get("/api/v1/stats/overview").status == 403);

  auto sup = f.s.login("sup1");
  auto field_of = [&](const std::string& path) {
    auto r = sup.get(path);
    INFO(path << " → " << r.body);
    CHECK(r.status == 422);
    return str(r.json().at("error"), "field");
  };
  CHECK(field_of("/api/v1/stats/overview?from=2026-13-01") == "from");
  CHECK(field_of("/api/v1/stats/overview?from=2026-11-20&to=2026-11-01") == "from");
  CHECK(field_of("/api/v1/stats/overview?from=2000-01-01&to=2026-11-01") == "to");
  CHECK(field_of("/api/v1/stats/services?by=colour") == "by");
  CHECK(field_of("/api/v1/stats/services?format=xml") == "format");
  CHECK(field_of("/api/v1/stats/firms?month=2026-1") == "month");
}
