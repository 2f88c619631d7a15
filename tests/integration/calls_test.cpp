// SPEC §11 over real HTTP against the real binary: every route of the call's life, the live
// channel's call events, the ring timeout on the test clock.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/support/live.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {


struct Floor {
  TestServer s{TestServer::Options{true, "2026-11-23T09:00:00+08:00", {}}};
  Floor() {
    load_small_district(s);
    for (const char* u : {"op1", "op2"}) s.add_user(u, "operator");
    s.add_user("sup1", "supervisor");
    s.add_user("insp1", "inspector");
    s.add_user("admin1", "admin");
    s.start();
  }
  sim::HttpClient pbx() { return sim::HttpClient(s.endpoint()); }
  sim::HttpClient::Reply pbx_post(const std::string& path, const json::object& body) {
    auto c = pbx();
    return c.post(path, body, {{"X-PBX-Secret", s.pbx_secret()}});
  }
  std::string ring(const std::string& caller, const std::string& pbx_id = "") {
    json::object b{{"caller", caller}, {"line", "965885-1"}};
    if (!pbx_id.empty()) b["call_id"] = pbx_id;
    auto r = pbx_post("/api/v1/calls/incoming", b);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return str(r.json(), "call_id");
  }
  json::value call(sim::HttpClient& c, const std::string& id) {
    auto log = c.get("/api/v1/calls?limit=50").json();
    for (const auto& x : log.at("calls").as_array()) {
      if (str(x, "call_id") == id) return x;
    }
    return {};
  }
};

}  // namespace

TEST_CASE("a call's life: rung by the PBX, claimed by one console, refused to the second, ended", "[calls]") {
  Floor f;
  auto op1 = f.s.login("op1");
  auto op2 = f.s.login("op2");
  auto token = op2.post("/api/v1/login", json::object{{"username", "op2"}, {"password", "password-123"}});
  Live live(std::to_string(f.s.port()), str(token.json(), "token"));
  REQUIRE(str(live.next_of("hello"), "user") == "op2");
  auto id = f.ring("0931 812 3456", "1701234567.42");  // the PBX's own call id is kept
  CHECK(id == "1701234567.42");
  auto ringing = live.next_of("call", "state", "ringing");
  CHECK(str(ringing, "call_id") == id);
  CHECK(str(ringing, "caller") == "0931***3456");
  CHECK(ringing.at("elders_matched").as_int64() == 2);
  auto claim = op1.post("/api/v1/calls/" + id + "/claim", json::object{});
  INFO(claim.body);
  REQUIRE(claim.status == 200);
  CHECK(str(claim.json(), "state") == "answered");
  CHECK(str(claim.json(), "answered_by") == "op1");
  CHECK(str(live.next_of("call", "state", "answered"), "answered_by") == "op1");
  auto second = op2.post("/api/v1/calls/" + id + "/claim", json::object{});
  CHECK(second.status == 409);
  CHECK(str(second.json().at("error"), "code") == "already_answered");
  CHECK(str(second.json().at("error"), "message").find("op1") != std::string::npos);
  CHECK(op1.post("/api/v1/calls/" + id + "/claim", json::object{}).status == 200);  // a repeat
  // Only the operator who answered (or the PBX) hangs up.
  CHECK(op2.post("/api/v1/calls/" + id + "/hangup", json::object{}).status == 403);
  auto out = op1.post("/api/v1/calls/" + id + "/outcome", json::object{{"outcome", "information"}, {"note", "问送餐时间"}});
  INFO(out.body);
  CHECK(out.status == 200);
  CHECK(str(out.json(), "outcome") == "information");
  auto bad = op1.post("/api/v1/calls/" + id + "/outcome", json::object{{"outcome", "chat"}});
  CHECK(bad.status == 422);
  CHECK(str(bad.json().at("error"), "field") == "outcome");
  auto end = f.pbx_post("/api/v1/calls/" + id + "/hangup", json::object{});
  REQUIRE(end.status == 200);
  CHECK(str(end.json(), "state") == "ended");
  CHECK(str(live.next_of("call", "state", "ended"), "call_id") == id);
  auto log = op2.get("/api/v1/calls?state=ended").json();
  REQUIRE(log.at("calls").as_array().size() == 1);
  CHECK(str(log.at("calls").as_array().at(0), "outcome") == "information");
  SECTION("a second report of the PBX's call id is refused") {
    auto again = f.pbx_post("/api/v1/calls/incoming", json::object{{"caller", "13970241505"}, {"call_id", id}});
    CHECK(again.status == 409);
    CHECK(str(again.json().at("error"), "code") == "duplicate");
  }
}

TEST_CASE("the PBX answers for an agent it names; an unknown agent is refused; consoles claim instead", "[calls]") {
  Floor f;
  auto id = f.ring("13970241505");
  auto unknown = f.pbx_post("/api/v1/calls/" + id + "/answer", json::object{{"agent", "op9"}});
  CHECK(unknown.status == 422);
  CHECK(str(unknown.json().at("error"), "code") == "unknown_agent");
  CHECK(str(unknown.json().at("error"), "field") == "agent");
  CHECK(f.pbx_post("/api/v1/calls/" + id + "/answer", json::object{{"agent", "insp1"}}).status == 422);
  auto op1 = f.s.login("op1");
  CHECK(op1.post("/api/v1/calls/" + id + "/answer", json::object{{"agent", "op1"}}).status == 403);  // a console claims
  auto ok = f.pbx_post("/api/v1/calls/" + id + "/answer", json::object{{"agent", "op2"}});
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(str(ok.json(), "answered_by") == "op2");
  CHECK(op1.post("/api/v1/calls/" + id + "/claim", json::object{}).status == 409);
  CHECK(f.pbx_post("/api/v1/calls/C-nope/answer", json::object{{"agent", "op2"}}).status == 404);
  auto insp = f.s.login("insp1");
  CHECK(insp.post("/api/v1/calls/" + id + "/claim", json::object{}).status == 403);
  CHECK(insp.get("/api/v1/calls").status == 403);
}

TEST_CASE("only the PBX and operators report calls; a wrong PBX secret is refused, not read as a console", "[calls][security]") {
  Floor f;
  const json::object body{{"caller", "13970241505"}, {"line", "965885-1"}};
  for (const char* who : {"sup1", "admin1", "insp1"}) {
    auto r = f.s.login(who).post("/api/v1/calls/incoming", body);
    INFO(who << " " << r.body);
    CHECK(r.status == 403);
    CHECK(str(r.json().at("error"), "code") == "forbidden");
  }
  CHECK(f.s.login("op1").post("/api/v1/calls/incoming", body).status == 200);  // a call typed in by hand
  // A secret of the right length but wrong, or a wrong one beside a valid operator token.
  std::string wrong = f.s.pbx_secret();
  wrong.back() = wrong.back() == 'x' ? 'y' : 'x';
  auto c = f.pbx();
  auto r = c.post("/api/v1/calls/incoming", body, {{"X-PBX-Secret", wrong}});
  CHECK(r.status == 401);
  CHECK(str(r.json().at("error"), "code") == "bad_token");
  auto op = f.s.login("op1");
  CHECK(op.post("/api/v1/calls/incoming", body, {{"X-PBX-Secret", wrong}}).status == 401);
  CHECK(f.pbx_post("/api/v1/calls/incoming", body).status == 200);
}

TEST_CASE("a call hung up before anyone answers, or left ringing, is a missed call", "[calls]") {
  Floor f;
  auto op1 = f.s.login("op1");
  auto hung = f.ring("13970241505");
  auto h = f.pbx_post("/api/v1/calls/" + hung + "/hangup", json::object{});
  REQUIRE(h.status == 200);
  CHECK(str(h.json(), "state") == "missed");
  auto rung = f.ring("13955650450");
  auto admin = f.s.login("admin1");
  REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", 29'000}}).status == 200);
  CHECK(str(f.call(op1, rung), "state") == "ringing");
  REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", 1'000}}).status == 200);
  // The sweep runs on the server's loop once the clock has moved.
  CHECK(eventually([&] { return str(f.call(op1, rung), "state") == "missed"; }, 5s));
  auto missed = op1.get("/api/v1/calls?state=missed").json().at("calls").as_array();
  REQUIRE(missed.size() == 2);
  CHECK(str(missed.at(0), "call_id") == rung);  // newest first
  CHECK(str(missed.at(1), "call_id") == hung);
  CHECK(op1.post("/api/v1/calls/" + rung + "/claim", json::object{}).status == 409);
  auto bad = op1.get("/api/v1/calls?state=lost");
  CHECK(bad.status == 422);
  SECTION("the log pages with a cursor") {
    auto page = op1.get("/api/v1/calls?limit=1").json();
    REQUIRE(page.at("calls").as_array().size() == 1);
    REQUIRE(page.at("next").is_string());
    auto rest = op1.get("/api/v1/calls?limit=1&cursor=" + str(page, "next")).json();
    REQUIRE(rest.at("calls").as_array().size() == 1);
    CHECK(str(rest.at("calls").as_array().at(0), "call_id") == hung);
  }
}

TEST_CASE("a ticket or complaint made during a call is linked to it", "[calls]") {
  Floor f;
  auto op1 = f.s.login("op1");
  auto id = f.ring("13970241505");
  REQUIRE(op1.post("/api/v1/calls/" + id + "/claim", json::object{}).status == 200);
  auto t = op1.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}});
  INFO(t.body);
  REQUIRE(t.status == 201);
  CHECK(str(t.json(), "call_id") == id);
  const std::string no = str(t.json(), "ticket_no");
  CHECK(str(op1.get("/api/v1/tickets/" + no).json(), "call_id") == id);
  auto out = op1.post("/api/v1/calls/" + id + "/outcome", json::object{{"outcome", "ticket"}, {"ticket_no", no}});
  CHECK(out.status == 200);
  SECTION("naming another operator's call is refused") {
    auto op2 = f.s.login("op2");
    auto other = op2.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "MC001"}, {"call_id", id}});
    CHECK(other.status == 422);
    CHECK(str(other.json().at("error"), "code") == "not_your_call");
  }
  SECTION("after hang-up a new ticket is not linked") {
    REQUIRE(op1.post("/api/v1/calls/" + id + "/hangup", json::object{}).status == 200);
    auto later = op1.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "MC001"}});
    REQUIRE(later.status == 201);
    CHECK(later.json().at("call_id").is_null());
  }
}
