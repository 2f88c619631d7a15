// SPEC §13–§14 over real HTTP against the real binary: a care worker's day (log in, my due
// elders, record a visit with a finding that opens a ticket, the due date moves, another
// worker's elder is refused), the month's report, and a death reported by phone to a
// supervisor (open tickets cancelled, the card revoked, nothing more can be ordered or served).
#include <catch2/catch.hpp>

#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

struct CareFloor {
  TestServer s{TestServer::Options{true, "2026-11-23T09:30:00+08:00", {}}};
  CareFloor() {
    load_small_district(s);
    load_small_canteens(s);
    s.add_user("care1", "care");
    s.add_user("care2", "care");
    s.add_user("sup1", "supervisor");
    s.add_user("op1", "operator");
    s.add_user("fin1", "finance");
    s.add_user("admin1", "admin");
    s.start();
    // Targets set on the elder card at the test clock's time (an import is stamped with the
    // machine's).
    auto sup = s.login("sup1");
    for (auto [elder, flags, tier, worker] : {std::tuple{"E3", "lives_alone|low_income", "high", "care1"},
                                              {"E2", "empty_nest", "key", "care2"},
                                              {"E1", "severely_disabled", "general", ""}}) {
      auto r = sup.request("PUT", std::string("/api/v1/elders/") + elder + "/care-target",
                           json::serialize(json::object{{"flags", flags}, {"tier", tier}, {"care_worker", worker}}));
      INFO(r.body);
      REQUIRE(r.status == 200);
    }
  }
  static std::string code(const sim::HttpClient::Reply& r) { return str(r.json().at("error"), "code"); }
};

}  // namespace

TEST_CASE("a care worker's day: my elders, a visit with a finding that opens a ticket, the next one due",
          "[care][api]") {
  CareFloor f;
  auto care1 = f.s.login("care1");
  auto due = care1.get("/api/v1/care/due?within_days=30");
  INFO(due.body);
  REQUIRE(due.status == 200);
  const auto due_json = due.json();
  const auto& list = due_json.at("due").as_array();
  REQUIRE(list.size() == 1);  // 王五 only: 李四芳 is care2's, 张三明 has nobody
  CHECK(str(list.at(0), "elder_id") == "E3");
  CHECK(str(list.at(0), "name") == "王五");
  CHECK(str(list.at(0), "tier") == "high");
  CHECK(str(list.at(0), "due_at") == "2026-11-30T09:30:00+08:00");  // 7 days after becoming a target

  json::object visit{{"elder_id", "E3"},
                     {"method", "in_person"},
                     {"findings", json::object{{"living", "fair"}, {"safety", "poor"}, {"health", "fair"},
                                               {"needs", "浴室地滑，需要助浴"}}},
                     {"note", "独居，冰箱食物不足"},
                     {"ticket", json::object{{"item_code", "LC010"}, {"notes", "探访发现：需要助浴"}}}};
  auto rec = care1.post("/api/v1/care/visits", visit);
  INFO(rec.body);
  REQUIRE(rec.status == 201);
  const std::string ticket_no = str(rec.json(), "ticket_no");
  CHECK_FALSE(ticket_no.empty());
  CHECK(str(rec.json().at("findings"), "safety") == "poor");
  CHECK(str(rec.json().at("target"), "due_at") == "2026-11-30T09:30:00+08:00");
  CHECK(str(rec.json().at("target"), "last_visit_at") == "2026-11-23T09:30:00+08:00");

  // The supervisor sees the ticket the visit opened, offered to a firm like any other.
  auto sup = f.s.login("sup1");
  auto t = sup.get("/api/v1/tickets/" + ticket_no);
  REQUIRE(t.status == 200);
  CHECK(str(t.json(), "channel") == "app");
  auto visits = sup.get("/api/v1/care/visits?elder_id=E3");
  REQUIRE(visits.status == 200);
  CHECK(visits.json().at("visits").as_array().size() == 1);

  // care1 is not 李四芳's care worker.
  visit["elder_id"] = "E2";
  visit.erase("ticket");
  auto other = care1.post("/api/v1/care/visits", visit);
  CHECK(other.status == 403);
  CHECK(care1.get("/api/v1/care/visits?elder_id=E2").status == 403);
  // A care worker does not read the ticket lists or the settlements.
  CHECK(care1.get("/api/v1/tickets").status == 403);
  CHECK(care1.get("/api/v1/settlements").status == 403);
  // Bad findings say which one.
  visit["elder_id"] = "E3";
  visit["findings"].as_object()["safety"] = "bad";
  auto bad = care1.post("/api/v1/care/visits", visit);
  CHECK(bad.status == 422);
  CHECK(str(bad.json().at("error"), "field") == "findings.safety");

  // The month's report: 王五's community visited, the others not.
  auto rep = sup.get("/api/v1/care/report?month=2026-11");
  INFO(rep.body);
  REQUIRE(rep.status == 200);
  CHECK(rep.json().at("targets").as_int64() == 3);
  CHECK(rep.json().at("visited").as_int64() == 1);
  auto csv = sup.get("/api/v1/care/report?month=2026-11&format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.body.find("620102002001,金塔巷社区,1,1,1,1.000,1,1") != std::string::npos);

  // An emergency for 李四芳 pulls care2's next visit to within 24 hours.
  auto op = f.s.login("op1");
  auto em = op.post("/api/v1/tickets", json::object{{"elder_id", "E2"}, {"item_code", "EA001"}, {"urgency", "emergency"}},
                    {{"Idempotency-Key", "em-1"}});
  REQUIRE(em.status == 201);
  auto care2 = f.s.login("care2");
  auto soon = care2.get("/api/v1/care/due?within_days=1");
  REQUIRE(soon.json().at("due").as_array().size() == 1);
  CHECK(str(soon.json().at("due").at(0).at("event"), "kind") == "emergency_ticket");
  CHECK(str(soon.json().at("due").at(0), "due_at") == "2026-11-24T09:30:00+08:00");
}

TEST_CASE("a death reported by phone: tickets cancelled, the card revoked, nothing more for the elder",
          "[deaths][api]") {
  CareFloor f;
  auto op = f.s.login("op1");
  auto t = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}}, {{"Idempotency-Key", "t-1"}});
  REQUIRE(t.status == 201);
  const std::string ticket_no = str(t.json(), "ticket_no");
  // A weekly bath from today: this week's occurrence is made at once (lead 2 days).
  auto rec = op.post("/api/v1/recurrences", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}, {"rule", "FREQ=WEEKLY"},
                                                         {"window_start", "14:00"}, {"window_end", "16:00"},
                                                         {"starts_on", "2026-11-23"}});
  INFO(rec.body);
  REQUIRE(rec.status == 201);
  CHECK(rec.json().at("occurrences").as_array().size() == 1);
  // Only a supervisor records a death.
  json::object death{{"died_on", "2026-11-22"}, {"informant", "儿子 张强"}, {"note", "家属来电告知"}};
  CHECK(op.post("/api/v1/elders/E1/death", death).status == 403);
  auto sup = f.s.login("sup1");
  auto future = sup.post("/api/v1/elders/E1/death", json::object{{"died_on", "2026-11-24"}});
  CHECK(future.status == 422);
  CHECK(str(future.json().at("error"), "field") == "died_on");

  auto d = sup.post("/api/v1/elders/E1/death", death);
  INFO(d.body);
  REQUIRE(d.status == 201);
  CHECK(d.json().at("cancelled_tickets").as_array().size() == 2);  // the ticket and the bath's
  CHECK(d.json().at("recurrences_ended").as_int64() == 1);
  CHECK(d.json().at("cards_revoked").as_int64() == 1);
  CHECK(str(d.json().at("elder"), "status") == "deceased");
  CHECK(str(d.json().at("elder").at("death"), "died_on") == "2026-11-22");
  CHECK(str(d.json().at("elder").at("death"), "source") == "phone");
  auto cancelled = op.get("/api/v1/tickets/" + ticket_no);
  CHECK(str(cancelled.json(), "state") == "cancelled");
  // The same report again changes nothing.
  auto again = sup.post("/api/v1/elders/E1/death", death);
  CHECK(again.status == 200);
  CHECK_FALSE(again.json().at("recorded").as_bool());

  auto refused = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}},
                         {{"Idempotency-Key", "t-2"}});
  CHECK(refused.status == 409);
  CHECK(CareFloor::code(refused) == "elder_deceased");
  CHECK(CareFloor::code(sup.post("/api/v1/elders/E1/reactivate", json::object{{"reason", "x"}})) == "elder_deceased");
  // Out of the care workers' lists; no recovery (no approved month paid anything after the 22nd).
  auto due = sup.get("/api/v1/care/due?within_days=365").json();
  REQUIRE(due.at("due").as_array().size() == 2);
  for (const auto& e : due.at("due").as_array()) CHECK(str(e, "elder_id") != "E1");
  auto fin = f.s.login("fin1");
  auto recs = fin.get("/api/v1/settlements/2026-11/recoveries");
  REQUIRE(recs.status == 200);
  CHECK(recs.json().at("recoveries").as_array().empty());
}

TEST_CASE("recurring orders over the API: made ahead once, paused over a day, resumed, ended", "[recurrence][api]") {
  CareFloor f;
  auto op = f.s.login("op1");
  json::object body{{"elder_id", "E2"},         {"item_code", "MC001"},    {"rule", "FREQ=DAILY"},
                    {"window_start", "14:00"}, {"window_end", "15:00"}, {"starts_on", "2026-11-23"},
                    {"notes", "每天量血压"}};
  auto bad = op.post("/api/v1/recurrences", json::object{{"elder_id", "E2"}, {"item_code", "MC001"}, {"rule", "FREQ=HOURLY"},
                                                         {"window_start", "14:00"}, {"window_end", "15:00"},
                                                         {"starts_on", "2026-11-23"}});
  CHECK(bad.status == 422);
  CHECK(str(bad.json().at("error"), "field") == "rule");
  auto r = op.post("/api/v1/recurrences", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  const std::string id = str(r.json(), "recurrence_id");
  const auto made = r.json().at("occurrences").as_array();
  REQUIRE(made.size() == 3);  // the 23rd, 24th and 25th
  const std::string first = str(made.back(), "ticket_no");
  auto t = op.get("/api/v1/tickets/" + first);
  CHECK(str(t.json(), "channel") == "recurrence");
  CHECK(str(t.json(), "window_start") == "2026-11-23T14:00:00+08:00");
  // Paused through the 27th: the clock moves on two days, nothing is made for the 26th or 27th.
  auto p = op.post("/api/v1/recurrences/" + id + "/pause", json::object{{"until", "2026-11-27"}});
  REQUIRE(p.status == 200);
  CHECK(str(p.json(), "state") == "paused");
  auto admin = f.s.login("admin1");
  REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", 2 * 86'400'000}}).status == 200);  // the 25th
  op = f.s.login("op1");  // the session of two days ago has expired
  auto list = op.get("/api/v1/recurrences?elder_id=E2").json();
  CHECK(list.at("recurrences").at(0).at("occurrences").as_array().size() == 3);
  auto resumed = op.post("/api/v1/recurrences/" + id + "/resume", json::object{});
  REQUIRE(resumed.status == 200);
  CHECK(resumed.json().at("occurrences").as_array().size() == 5);  // the 26th and 27th now
  auto ended = op.post("/api/v1/recurrences/" + id + "/end", json::object{{"reason", "家属接回同住"}});
  CHECK(str(ended.json(), "state") == "ended");
  auto again = op.post("/api/v1/recurrences/" + id + "/resume", json::object{});
  CHECK(again.status == 409);
  CHECK(CareFloor::code(again) == "recurrence_ended");
  // The card lists it.
  auto card = op.get("/api/v1/elders/E2").json();
  CHECK(str(card.at("recurrences").at(0), "state") == "ended");
}
