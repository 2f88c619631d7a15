// SPEC §15's queues at a district's size over real HTTP against the real binary: the visit
// exceptions queue counts, filters and pages by cursor; many are cleared with one reason code
// and note, all or none, each audited; the supervisors' alerts are stored until acknowledged,
// with who.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>

#include "tests/support/test_server.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

struct QueueFloor {
  TestServer s{TestServer::Options{true, "2026-11-23T09:30:00+08:00", {}}};
  QueueFloor() {
    load_small_district(s);
    s.add_user("sup1", "supervisor");
    s.add_user("sup2", "supervisor");
    s.add_user("op1", "operator");
    s.add_user("admin1", "admin");
    // Twelve visits with an exception each: eight by F_MID checked in a kilometre from home
    // (distance), four by F_FAR over in ten minutes (short visit). 王五 lives on 张掖路街道.
    std::string csv =
        "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
        "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n";
    const char* ids[] = {"620102195810100019", "62010219511015004X", "620102193806200050"};
    for (int i = 0; i < 12; ++i) {
      const bool far = i >= 8;
      csv += fmt::format(
          "TQ{:02},{},LC010,{},normal,2026-11-{:02}T09:00:00+08:00,2026-11-{:02}T11:00:00+08:00,2026-11-{:02}T08:00:00+08:00,"
          "2026-11-{:02}T09:10:00+08:00,{},103.8300,2026-11-{:02}T{}:00+08:00,36.0600,103.8300,{},completed\r\n",
          i, ids[i % 3], far ? "F_FAR" : "F_MID", 10 + i, 10 + i, 10 + i, 10 + i, far ? "36.0600" : "36.0700", 10 + i,
          far ? "09:20" : "10:15", far ? "R1" : "M1");
    }
    s.import("tickets", csv);
    s.start();
  }
};

std::vector<std::int64_t> ids_of(const json::value& page) {
  std::vector<std::int64_t> out;
  for (const auto& e : page.at("exceptions").as_array()) out.push_back(e.at("exception_id").as_int64());
  return out;
}

}  // namespace

TEST_CASE("the exceptions queue counts, filters and pages by cursor; a bulk clear is all or none, each audited",
          "[queues][api]") {
  QueueFloor f;
  auto sup = f.s.login("sup1");
  // Three pages of five, oldest first, each exception once.
  std::vector<std::int64_t> seen;
  std::string path = "/api/v1/exceptions?limit=5";
  int pages = 0;
  while (true) {
    auto r = sup.get(path);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto page = r.json();
    CHECK(page.at("count").as_int64() == 12);
    for (auto id : ids_of(page)) seen.push_back(id);
    ++pages;
    if (page.at("next").is_null()) break;
    path = "/api/v1/exceptions?limit=5&cursor=" + std::string(page.at("next").as_string());
    REQUIRE(pages < 5);
  }
  CHECK(pages == 3);
  REQUIRE(seen.size() == 12);
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == 12);

  auto count = [&](const std::string& query) {
    auto r = sup.get("/api/v1/exceptions?" + query);
    INFO(query << " → " << r.body);
    REQUIRE(r.status == 200);
    return r.json().at("count").as_int64();
  };
  CHECK(count("type=short_visit") == 4);
  CHECK(count("type=distance") == 8);
  CHECK(count("firm=F_FAR") == 4);
  CHECK(count("firm=F_MID&type=short_visit") == 0);
  CHECK(count("street=620102002") == 4);  // 王五's: every third visit
  CHECK(count("min_age_h=0") == 12);
  auto newest = sup.get("/api/v1/exceptions?sort=newest&limit=1").json();
  CHECK(ids_of(newest).at(0) == *std::max_element(seen.begin(), seen.end()));

  // Bad filters name their field and the queue is unchanged.
  for (auto [query, field] : {std::pair{"type=rain", "type"}, {"firm=F_NONE", "firm"}, {"street=6201", "street"},
                              {"sort=random", "sort"}, {"cursor=yesterday", "cursor"}, {"min_age_h=-3", "min_age_h"}}) {
    auto r = sup.get(std::string("/api/v1/exceptions?") + query);
    INFO(query << " → " << r.body);
    CHECK(r.status == 422);
    CHECK(str(r.json().at("error"), "field") == field);
  }

  // F_FAR's four short visits cleared with one reason and note.
  auto far = sup.get("/api/v1/exceptions?firm=F_FAR").json();
  json::array four;
  for (auto id : ids_of(far)) four.push_back(id);
  REQUIRE(four.size() == 4);
  json::object bulk{{"ids", four}, {"reason_code", "elder_requested_short_service"}, {"note", "老人要求提前结束，电话已核实"}};
  auto cleared = sup.post("/api/v1/exceptions/clear", bulk);
  INFO(cleared.body);
  REQUIRE(cleared.status == 200);
  CHECK(cleared.json().at("cleared").as_int64() == 4);
  CHECK(count("") == 8);
  CHECK(count("firm=F_FAR") == 0);
  auto admin = f.s.login("admin1");
  int audited = 0;
  const auto audit = admin.get("/api/v1/audit?limit=200").json();
  for (const auto& e : audit.at("entries").as_array()) {
    if (str(e, "action") == "visit_exception.clear") {
      ++audited;
      CHECK(str(e, "actor") == "sup1");
      CHECK(str(e.at("detail"), "reason_code") == "elder_requested_short_service");
    }
  }
  CHECK(audited == 4);

  // All or none: one already cleared in the list, and nothing more is cleared.
  const auto still_open = ids_of(sup.get("/api/v1/exceptions?limit=1").json()).at(0);
  auto again = sup.post("/api/v1/exceptions/clear", json::object{{"ids", json::array{still_open, four.at(0)}},
                                                                  {"reason_code", "no_signal_indoors"},
                                                                  {"note", "批量"}});
  INFO(again.body);
  CHECK(again.status == 409);
  CHECK(str(again.json().at("error"), "message").find(std::to_string(four.at(0).as_int64())) != std::string::npos);
  CHECK(count("") == 8);
  auto bad_code = sup.post("/api/v1/exceptions/clear",
                           json::object{{"ids", json::array{still_open}}, {"reason_code", "felt_like_it"}, {"note", "x"}});
  CHECK(bad_code.status == 422);
  CHECK(str(bad_code.json().at("error"), "field") == "reason_code");
  CHECK(sup.post("/api/v1/exceptions/clear", json::object{{"ids", json::array{}}, {"reason_code", "no_signal_indoors"},
                                                          {"note", "x"}})
            .status == 422);
  CHECK(count("") == 8);
}

TEST_CASE("an alert is stored until a supervisor acknowledges it, and says who did", "[queues][api]") {
  QueueFloor f;
  auto op = f.s.login("op1");
  // An emergency: every supervisor is alerted.
  auto t = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "EA001"}, {"urgency", "emergency"}});
  REQUIRE(t.status == 201);
  const std::string no = str(t.json(), "ticket_no");
  auto sup = f.s.login("sup1");
  json::value alert;
  REQUIRE(eventually([&] {
    const auto page = sup.get("/api/v1/alerts").json();
    for (const auto& a : page.at("alerts").as_array()) {
      if (str(a, "kind") == "emergency" && str(a, "ticket_no") == no) alert = a;
    }
    return !alert.is_null();
  }));
  CHECK(alert.at("acknowledged_by").is_null());
  // A second supervisor (or the same after a reload) sees it too, until it is acknowledged.
  auto sup2 = f.s.login("sup2");
  const auto open_before = sup2.get("/api/v1/alerts").json().at("open").as_int64();
  CHECK(open_before >= 1);
  const auto id = alert.at("id").as_int64();
  auto ack = sup2.post("/api/v1/alerts/acknowledge", json::object{{"ids", json::array{id}}});
  INFO(ack.body);
  REQUIRE(ack.status == 200);
  CHECK(sup.get("/api/v1/alerts").json().at("open").as_int64() == open_before - 1);
  bool found = false;
  const auto all = sup.get("/api/v1/alerts?state=all").json();
  for (const auto& a : all.at("alerts").as_array()) {
    if (a.at("id").as_int64() != id) continue;
    found = true;
    CHECK(str(a, "acknowledged_by") == "sup2");
    CHECK(str(a, "acknowledged_at") == "2026-11-23T09:30:00+08:00");
  }
  CHECK(found);
  auto twice = sup.post("/api/v1/alerts/acknowledge", json::object{{"ids", json::array{id}}});
  CHECK(twice.status == 409);
  CHECK(str(twice.json().at("error"), "message").find("sup2") != std::string::npos);
  CHECK(sup.post("/api/v1/alerts/acknowledge", json::object{{"ids", json::array{999999}}}).status == 404);
  CHECK(op.get("/api/v1/alerts").status == 403);
}

TEST_CASE("the complaints queue counts, filters by status, firm, street and age, and pages by cursor", "[queues][api]") {
  QueueFloor f;
  auto op = f.s.login("op1");
  auto sup = f.s.login("sup1");
  // Six complaints: four on F_MID's visits (TQ00–TQ03), two on F_FAR's (TQ08, TQ09).
  std::vector<std::int64_t> ids;
  for (const char* no : {"TQ00", "TQ01", "TQ02", "TQ03", "TQ08", "TQ09"}) {
    auto r = op.post("/api/v1/complaints", json::object{{"ticket_no", no}, {"description", "服务时间不足"}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    ids.push_back(r.json().at("complaint_id").as_int64());
  }
  REQUIRE(sup.post(fmt::format("/api/v1/complaints/{}/investigate", ids[1]), json::object{}).status == 200);
  REQUIRE(sup.post(fmt::format("/api/v1/complaints/{}/close", ids[2]),
                   json::object{{"outcome", "rejected"}, {"finding", "已核实服务完整"}})
              .status == 200);
  auto count = [&](const std::string& query) {
    auto r = sup.get("/api/v1/complaints?" + query);
    INFO(query << " → " << r.body);
    REQUIRE(r.status == 200);
    return r.json().at("count").as_int64();
  };
  CHECK(count("") == 6);
  CHECK(count("status=open") == 4);
  CHECK(count("status=pending") == 5);  // open or investigating
  CHECK(count("status=rejected") == 1);
  CHECK(count("firm=F_FAR") == 2);
  CHECK(count("firm=F_MID&status=pending") == 3);
  // 王五 (620102193806200050, 张掖路街道) is the elder of TQ02 and TQ08 (ids[i % 3]).
  CHECK(count("street=620102002") == 2);
  CHECK(count("min_age_h=1") == 0);  // all filed just now
  // Newest first by default; three pages of two by cursor, each complaint once.
  std::vector<std::int64_t> seen;
  std::string path = "/api/v1/complaints?limit=2";
  for (int pages = 0; pages < 4; ++pages) {
    const auto page = sup.get(path).json();
    for (const auto& c : page.at("complaints").as_array()) seen.push_back(c.at("complaint_id").as_int64());
    if (page.at("next").is_null()) break;
    path = "/api/v1/complaints?limit=2&cursor=" + std::string(page.at("next").as_string());
  }
  CHECK(seen == std::vector<std::int64_t>(ids.rbegin(), ids.rend()));
  const auto oldest = sup.get("/api/v1/complaints?sort=oldest&limit=1").json();
  CHECK(oldest.at("complaints").as_array()[0].at("complaint_id").as_int64() == ids[0]);
  for (const char* bad : {"status=lost", "firm=F_NONE", "street=6201", "sort=up", "cursor=x", "min_age_h=-1"}) {
    auto r = sup.get(std::string("/api/v1/complaints?") + bad);
    INFO(bad << " → " << r.body);
    CHECK(r.status == 422);
    const std::string field(r.json().at("error").at("field").as_string());
    CHECK(std::string(bad).rfind(field + "=", 0) == 0);
  }
}
