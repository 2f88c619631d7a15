// SPEC §12 at the counter, over real HTTP against the real binary: a canteen user checks a
// card and records lunches (one subsidised a day), cards reported lost stop at once, typed ID
// numbers are flagged, a counter back from a network drop sends its meals once, many counters
// at the same moment never subsidise one elder twice.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <thread>

#include "tests/support/test_server.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

struct Counter {
  TestServer s{TestServer::Options{true, "2026-11-23T11:30:00+08:00", {}}};
  Counter() {
    load_small_district(s);
    load_small_canteens(s);
    s.add_canteen_user("k1", "K1");
    s.add_canteen_user("k2", "K2");
    s.add_canteen_user("k3", "K3");
    s.add_user("op1", "operator");
    s.add_user("admin1", "admin");
    s.add_user("fin1", "finance");
    s.start();
  }
  static json::object lunch(const char* card) { return json::object{{"card_no", card}, {"slot", "lunch"}}; }
  static std::map<std::string, std::string> key(const std::string& k) { return {{"Idempotency-Key", k}}; }
  static std::string code(const sim::HttpClient::Reply& r) { return str(r.json().at("error"), "code"); }
};

std::int64_t num(const json::value& v, const char* k) { return v.at(k).as_int64(); }

}  // namespace

TEST_CASE("the counter: check a card, record a lunch, a second lunch is at full price", "[meals][counter]") {
  Counter f;
  auto k1 = f.s.login("k1");
  auto me = k1.get("/api/v1/me");
  REQUIRE(me.status == 200);
  CHECK(str(me.json().at("canteen"), "code") == "K1");

  auto check = k1.get("/api/v1/meals/check?card_no=C0002&slot=lunch");
  INFO(check.body);
  REQUIRE(check.status == 200);
  CHECK(check.json().at("available").as_bool());
  CHECK(num(check.json(), "price_fen") == 1500);
  CHECK(num(check.json(), "government_fen") == 1000);  // 李四芳 is 75
  CHECK(num(check.json(), "elder_fen") == 500);
  CHECK(str(check.json().at("elder"), "name") == "李*芳");  // masked for a canteen
  CHECK(str(check.json().at("elder"), "id_number").find("****") != std::string::npos);

  auto first = k1.post("/api/v1/meals", Counter::lunch("C0002"), Counter::key("k1-0001"));
  INFO(first.body);
  REQUIRE(first.status == 201);
  CHECK(num(first.json(), "government_fen") == 1000);
  CHECK(str(first.json(), "rule") == "lunch_75_up");
  CHECK(str(first.json(), "canteen_code") == "K1");
  auto id = num(first.json(), "meal_id");

  SECTION("the same key and body: the same meal, nothing new") {
    auto again = k1.post("/api/v1/meals", Counter::lunch("C0002"), Counter::key("k1-0001"));
    CHECK(again.status == 200);
    CHECK(num(again.json(), "meal_id") == id);
    CHECK(again.json().at("replayed").as_bool());
    auto other = k1.post("/api/v1/meals", Counter::lunch("C0001"), Counter::key("k1-0001"));
    CHECK(other.status == 422);
    CHECK(Counter::code(other) == "idempotency_key_reused");
    auto day = k1.get("/api/v1/meals");
    CHECK(day.json().at("meals").as_array().size() == 1);
  }
  SECTION("a second lunch the same day, at another canteen: full price, flagged") {
    auto k2 = f.s.login("k2");
    auto c2 = k2.get("/api/v1/meals/check?card_no=C0002&slot=lunch");
    CHECK_FALSE(c2.json().at("available").as_bool());
    CHECK(num(c2.json(), "government_fen") == 0);
    auto second = k2.post("/api/v1/meals", Counter::lunch("C0002"), Counter::key("k2-0001"));
    REQUIRE(second.status == 201);
    CHECK(num(second.json(), "government_fen") == 0);
    CHECK(num(second.json(), "elder_fen") == 1500);
    CHECK(str(second.json(), "rule") == "second_meal");
    CHECK(second.json().at("flags").as_array().size() == 1);
    // A breakfast is another slot, unsubsidised by default.
    auto breakfast = k2.post("/api/v1/meals", json::object{{"card_no", "C0002"}, {"slot", "breakfast"}, {"price_fen", 600}},
                             Counter::key("k2-0002"));
    REQUIRE(breakfast.status == 201);
    CHECK(num(breakfast.json(), "government_fen") == 0);
    CHECK(num(breakfast.json(), "elder_fen") == 600);
  }
}

TEST_CASE("refusals: a lost card, a closed canteen, another canteen, an inactive elder — nothing recorded",
          "[meals][counter]") {
  Counter f;
  auto k1 = f.s.login("k1");
  auto lost = k1.post("/api/v1/meals", Counter::lunch("C0003"), Counter::key("a"));
  CHECK(lost.status == 409);
  CHECK(Counter::code(lost) == "card_not_active");
  auto unknown = k1.get("/api/v1/meals/check?card_no=C9999&slot=lunch");
  CHECK(unknown.status == 404);
  CHECK(Counter::code(unknown) == "unknown_card");
  // The elder phones the hotline: the card stops working at once.
  auto op = f.s.login("op1");
  auto report = op.post("/api/v1/meal-cards/C0001/lost", json::object{});
  INFO(report.body);
  REQUIRE(report.status == 200);
  CHECK(str(report.json(), "status") == "lost");
  CHECK(Counter::code(k1.post("/api/v1/meals", Counter::lunch("C0001"), Counter::key("b"))) == "card_not_active");
  // Typed ID number instead: recorded, flagged as an override.
  auto typed = k1.post("/api/v1/meals", json::object{{"id_number", "620102195810100019"}, {"slot", "lunch"}},
                       Counter::key("c"));
  INFO(typed.body);
  REQUIRE(typed.status == 201);
  CHECK(str(typed.json(), "identified_by") == "id_number");
  CHECK(num(typed.json(), "government_fen") == 1500);  // A: free
  CHECK(typed.json().at("flags").as_array().at(0).as_string() == "override");
  // A new card for the elder.
  auto issued = op.post("/api/v1/meal-cards", json::object{{"card_no", "C0001-2"}, {"id_number", "620102195810100019"}});
  INFO(issued.body);
  CHECK(issued.status == 201);
  CHECK(op.post("/api/v1/meal-cards", json::object{{"card_no", "C0001-3"}, {"id_number", "620102195810100019"}}).status ==
        409);  // one active card per elder
  // A canteen user names another canteen: refused; a suspended canteen's counter: refused.
  auto other = k1.post("/api/v1/meals", json::object{{"card_no", "C0002"}, {"slot", "lunch"}, {"canteen_code", "K2"}});
  CHECK(other.status == 403);
  CHECK(Counter::code(other) == "not_your_canteen");
  auto k3 = f.s.login("k3");
  auto closed = k3.post("/api/v1/meals", Counter::lunch("C0002"));
  CHECK(closed.status == 409);
  CHECK(Counter::code(closed) == "canteen_not_active");
  // An inactive elder.
  auto admin = f.s.login("admin1");
  auto deact = admin.post("/api/v1/elders/E2/deactivate", json::object{{"reason", "moved away"}});
  INFO(deact.body);
  auto gone = k1.post("/api/v1/meals", Counter::lunch("C0002"));
  CHECK(gone.status == 409);
  CHECK(Counter::code(gone) == "elder_inactive");
  // Of all that, one meal was recorded.
  auto day = k1.get("/api/v1/meals");
  CHECK(day.json().at("meals").as_array().size() == 1);
  CHECK(num(day.json().at("totals"), "overrides") == 1);
  // Bad input: a clear error naming the field.
  auto bad = k1.post("/api/v1/meals", json::object{{"card_no", "C0002"}, {"slot", "supper"}});
  CHECK(bad.status == 422);
  CHECK(str(bad.json().at("error"), "field") == "slot");
  CHECK(k1.request("POST", "/api/v1/meals", "{\"card_no\":").status == 400);
}

TEST_CASE("a counter back from a network drop sends its meals once, with their own times", "[meals][offline]") {
  Counter f;
  auto k1 = f.s.login("k1");
  auto kept = json::object{{"card_no", "C0002"}, {"slot", "lunch"}, {"served_at", "2026-11-23T11:05:00+08:00"}};
  for (int attempt = 0; attempt < 3; ++attempt) {  // the page retries until it hears back
    auto r = k1.post("/api/v1/meals", kept, Counter::key("offline-1"));
    INFO(r.body);
    CHECK((r.status == 201 || r.status == 200));
  }
  auto day = k1.get("/api/v1/meals");
  REQUIRE(day.json().at("meals").as_array().size() == 1);
  CHECK(str(day.json().at("meals").as_array().at(0), "served_at") == "2026-11-23T11:05:00+08:00");
  auto stale = k1.post("/api/v1/meals",
                       json::object{{"card_no", "C0001"}, {"slot", "lunch"}, {"served_at", "2026-11-21T11:05:00+08:00"}},
                       Counter::key("offline-2"));
  CHECK(stale.status == 422);
  CHECK(str(stale.json().at("error"), "field") == "served_at");
}

TEST_CASE("eight counters recording one card at the same moment subsidise one lunch", "[meals][concurrency]") {
  Counter f;
  std::atomic<int> created{0}, subsidised{0};
  std::vector<std::thread> desks;
  for (int i = 0; i < 8; ++i) {
    desks.emplace_back([&, i] {
      auto c = f.s.login(i % 2 ? "k2" : "k1");
      auto r = c.post("/api/v1/meals", Counter::lunch("C0002"), Counter::key(fmt::format("rush-{}", i)));
      if (r.status == 201) {
        ++created;
        if (r.json().at("government_fen").as_int64() > 0) ++subsidised;
      }
    });
  }
  for (auto& t : desks) t.join();
  CHECK(created == 8);
  CHECK(subsidised == 1);
}

TEST_CASE("who may use the counter and the canteens' screens", "[meals][roles]") {
  Counter f;
  auto op = f.s.login("op1");
  CHECK(op.post("/api/v1/meals", Counter::lunch("C0002")).status == 403);
  CHECK(op.get("/api/v1/meals/check?card_no=C0002").status == 403);
  auto k1 = f.s.login("k1");
  CHECK(k1.get("/api/v1/tickets").status == 403);  // a canteen sees no tickets
  CHECK(k1.get("/api/v1/elders?phone=13955650450").status == 403);
  CHECK(k1.post("/api/v1/canteens", json::object{}).status == 403);
  auto list = k1.get("/api/v1/canteens");
  REQUIRE(list.status == 200);
  CHECK(list.json().at("canteens").as_array().size() == 1);  // its own
  auto admin = f.s.login("admin1");
  auto made = admin.post("/api/v1/canteens", json::object{{"code", "K4"}, {"name", "新助餐点"}, {"community_code", "620102001002"},
                                                          {"lat", 36.06}, {"lon", 103.83}, {"daily_capacity", 80}});
  INFO(made.body);
  CHECK(made.status == 201);
  CHECK(admin.post("/api/v1/canteens/K4", json::object{{"status", "closed"}}).status == 200);
  CHECK(admin.get("/api/v1/canteens").json().at("canteens").as_array().size() == 4);
  auto fin = f.s.login("fin1");
  CHECK(fin.get("/api/v1/canteens").status == 200);
  CHECK(fin.post("/api/v1/meals", Counter::lunch("C0002")).status == 403);
}

namespace {
json::value first_check(sim::HttpClient& c) {
  auto r = c.get("/api/v1/welfare-checks");
  auto body = r.json();
  const auto& a = body.at("checks").as_array();
  return a.empty() ? json::value() : a.at(0);
}
bool has_event(const json::value& check, const char* kind) {
  if (check.is_null()) return false;
  for (const auto& e : check.at("events").as_array()) {
    if (e.at("kind").as_string() == kind) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("next-day orders, the route sheet, a delivery, and a no-answer's welfare check to the care worker",
          "[meals][orders][welfare]") {
  Counter f;
  auto op = f.s.login("op1");
  auto admin = f.s.login("admin1");
  auto k1 = f.s.login("k1");
  auto order = [&](const char* idn, const char* canteen, const char* date, const char* mode) {
    return op.post("/api/v1/meals/orders", json::object{{"id_number", idn}, {"canteen_code", canteen}, {"date", date},
                                                         {"slot", "lunch"}, {"mode", mode}});
  };
  // 2026-11-23 11:30: tomorrow is open until 15:00 today, today is closed.
  auto li = order("62010219511015004X", "K1", "2026-11-24", "delivery");
  INFO(li.body);
  REQUIRE(li.status == 201);
  CHECK(num(li.json(), "delivery_fee_fen") == 300);  // B pays for the delivery; D would not
  CHECK(str(li.json(), "state") == "ordered");
  CHECK(Counter::code(order("620102195810100019", "K1", "2026-11-23", "delivery")) == "order_closed");
  CHECK(Counter::code(order("620102195810100019", "K2", "2026-11-24", "delivery")) == "canteen_no_delivery");
  CHECK(Counter::code(order("62010219511015004X", "K1", "2026-11-24", "pickup")) == "duplicate");
  auto wang = order("620102193806200050", "K1", "2026-11-24", "pickup");
  REQUIRE(wang.status == 201);
  auto zhang = order("620102195810100019", "K1", "2026-11-25", "delivery");
  REQUIRE(zhang.status == 201);
  // The kitchen's count for tomorrow, as the canteen sees it.
  auto list = k1.get("/api/v1/meals/orders?date=2026-11-24");
  REQUIRE(list.status == 200);
  CHECK(list.json().at("orders").as_array().size() == 2);
  CHECK(num(list.json().at("kitchen"), "lunch.delivery") == 1);
  CHECK(num(list.json().at("kitchen"), "lunch.pickup") == 1);
  CHECK(f.s.login("k2").get("/api/v1/meals/orders?date=2026-11-24&canteen_code=K1").status == 403);

  // The next day's lunch: the route sheet, the delivery, the pickup at the counter.
  // A day later every session of yesterday has expired: sign in again.
  auto next_day = [&](const char* when) {
    REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"set", when}}).status == 200);
    op = f.s.login("op1");
    admin = f.s.login("admin1");
    k1 = f.s.login("k1");
  };
  next_day("2026-11-24T11:10:00+08:00");
  auto sheet = k1.get("/api/v1/meals/route-sheet?date=2026-11-24");
  REQUIRE(sheet.status == 200);
  CHECK(sheet.headers["content-type"].rfind("text/html", 0) == 0);
  CHECK(sheet.body.find("李四芳") != std::string::npos);
  CHECK(sheet.body.find("张家园社区") != std::string::npos);
  CHECK(sheet.body.find("收送餐费 ¥3.00") != std::string::npos);
  CHECK(sheet.body.find("王五") == std::string::npos);  // a pickup is not on the route
  auto delivered = k1.post("/api/v1/meals/orders/" + std::to_string(num(li.json(), "order_id")) + "/delivered",
                           json::object{{"lat", 36.06}, {"lon", 103.83}});
  INFO(delivered.body);
  REQUIRE(delivered.status == 200);
  CHECK(str(delivered.json(), "state") == "delivered");
  CHECK(num(delivered.json().at("meal"), "government_fen") == 1000);
  CHECK(str(delivered.json().at("meal"), "identified_by") == "order");
  CHECK(k1.post("/api/v1/meals/orders/" + std::to_string(num(li.json(), "order_id")) + "/no-answer", json::object{})
            .status == 409);  // reported once
  auto served = k1.post("/api/v1/meals", json::object{{"id_number", "620102193806200050"}, {"slot", "lunch"}, {"mode", "pickup"}});
  REQUIRE(served.status == 201);
  auto after = k1.get("/api/v1/meals/orders?date=2026-11-24");
  CHECK(str(after.json().at("orders").as_array().at(1), "state") == "served");

  // The day after: nobody opens the door.
  next_day("2026-11-25T11:40:00+08:00");
  auto gone = k1.post("/api/v1/meals/orders/" + std::to_string(num(zhang.json(), "order_id")) + "/no-answer",
                      json::object{{"note", "敲门无人应答"}});
  INFO(gone.body);
  REQUIRE(gone.status == 200);
  CHECK(str(gone.json(), "state") == "no_answer");
  CHECK_FALSE(gone.json().as_object().contains("meal"));  // no meal left at the door, none recorded
  auto check = gone.json().at("welfare_check");
  CHECK(str(check, "state") == "open");
  CHECK(str(check, "call_due_at") == "2026-11-25T11:55:00+08:00");
  CHECK(str(check, "escalate_due_at") == "2026-11-25T12:40:00+08:00");
  const std::string id = std::to_string(num(check, "check_id"));
  // 16 minutes and nobody has called: the call is overdue (an alert, once).
  REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", 16 * 60 * 1000}}).status == 200);
  CHECK(eventually([&] { return has_event(first_check(op), "call_overdue"); }));
  auto tried = op.post("/api/v1/welfare-checks/" + id + "/calls", json::object{{"who", "elder"}, {"reached", false}});
  REQUIRE(tried.status == 200);
  // An hour and nobody reached: escalated, the care worker is to go.
  REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", 45 * 60 * 1000}}).status == 200);
  CHECK(eventually([&] { return str(first_check(op), "state") == "escalated"; }));
  CHECK(op.post("/api/v1/welfare-checks/" + id + "/care-worker", json::object{{"note", "社区关爱员已出发"}}).status == 200);
  CHECK(op.post("/api/v1/welfare-checks/" + id + "/close", json::object{{"outcome", "bogus"}}).status == 422);
  auto closed = op.post("/api/v1/welfare-checks/" + id + "/close", json::object{{"outcome", "elder_safe"}, {"note", "在女儿家"}});
  REQUIRE(closed.status == 200);
  CHECK(str(closed.json(), "state") == "closed");
  CHECK(op.get("/api/v1/welfare-checks").json().at("checks").as_array().empty());
  CHECK(k1.get("/api/v1/welfare-checks").status == 403);
}
