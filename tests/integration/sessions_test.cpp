// SPEC §9 (amended 2026-12): a session that ends ends every live connection made with it within
// a second — a logout, a disabled user, an expired session — and a live socket that does not
// authenticate within 5 s is closed. Over real sockets against the real binary, on the test
// clock where time has to pass.
#include <catch2/catch.hpp>

#include "tests/support/live.hpp"
#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

struct Desk {
  TestServer s{TestServer::Options{true, "2026-11-23T09:00:00+08:00", {}}};
  Desk() {
    load_small_district(s);
    for (const char* u : {"op1", "op2"}) s.add_user(u, "operator");
    s.add_user("admin1", "admin");
    s.start();
  }
  std::string port() const { return std::to_string(s.port()); }
  // Logs in and returns the token (the client keeps it too).
  std::pair<sim::HttpClient, std::string> session(const std::string& user) {
    sim::HttpClient c(s.endpoint());
    auto r = c.post("/api/v1/login", json::object{{"username", user}, {"password", "password-123"}});
    REQUIRE(r.status == 200);
    std::string token(r.json().at("token").as_string());
    c.set_token(token);
    return {std::move(c), token};
  }
  void advance(std::int64_t ms) {
    auto admin = s.login("admin1");
    REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", ms}}).status == 200);
  }
};

}  // namespace

TEST_CASE("logging out ends the live channel opened with that token, and only that one", "[sessions]") {
  Desk d;
  auto [op1, t1] = d.session("op1");
  auto [op1b, t1b] = d.session("op1");  // the same user at a second desk
  Live a(d.port(), t1), b(d.port(), t1b);
  REQUIRE(!a.next_of("hello").is_null());
  REQUIRE(!b.next_of("hello").is_null());
  REQUIRE(op1.post("/api/v1/logout", json::object{}).status == 200);
  CHECK(a.closed_within(2s) == 4401);
  CHECK(b.open());  // the other desk's session goes on
}

TEST_CASE("disabling a user ends their live channels at once", "[sessions]") {
  Desk d;
  auto [op2, t2] = d.session("op2");
  Live live(d.port(), t2);
  REQUIRE(!live.next_of("hello").is_null());
  auto admin = d.s.login("admin1");
  REQUIRE(admin.post("/api/v1/users/op2/disable", json::object{}).status == 200);
  CHECK(live.closed_within(2s) == 4401);
  CHECK(op2.get("/api/v1/me").status == 401);
}

TEST_CASE("a session that expires ends its live channel within a second", "[sessions]") {
  Desk d;
  auto [op1, t1] = d.session("op1");
  Live live(d.port(), t1);
  REQUIRE(!live.next_of("hello").is_null());
  d.advance(479LL * 60 * 1000);
  CHECK(live.open());  // 8 h less a minute: still on
  d.advance(2LL * 60 * 1000);
  CHECK(live.closed_within(2500ms) == 4401);
}

TEST_CASE("a live socket that does not authenticate within 5 s is closed", "[sessions]") {
  Desk d;
  Live silent(d.port(), "");
  d.advance(4000);
  CHECK(silent.open());  // a ping needs no session; 4 s in, it is still waiting for the auth
  d.advance(1500);
  CHECK(silent.closed_within(2500ms) == 4401);
}
