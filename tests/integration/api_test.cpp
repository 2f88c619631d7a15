// The operator API over real HTTP against the real binary (SPEC §8, §10).
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/text.hpp"
#include "tests/support/live.hpp"
#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;

namespace {

// One server for the whole file: a small district and a user of every role. A function-local
// static, so it is stopped (SIGTERM, waited for) when the test process exits.
TestServer& shared() {
  static TestServer srv;
  static const bool started = [] {
    load_small_district(srv);
    for (const char* r : {"operator", "supervisor", "inspector", "finance", "admin"}) srv.add_user(std::string(r) + "1", r);
    srv.add_user("finance2", "finance");
    srv.start();
    return true;
  }();
  (void)started;
  return srv;
}


json::object elder_body(const std::string& id, const std::string& name = "测试老人") {
  return json::object{{"id_number", id},       {"name", name},       {"phone", "139 0931 0001"},
                      {"community_code", "620102001001"}, {"lat", 36.06}, {"lon", 103.83},
                      {"category", "C"},        {"registered_on", "2026-01-05"}};
}

// Today's date in Asia/Shanghai (UTC+8, no daylight saving).
std::string shanghai_today() {
  std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[11];
  std::strftime(b, sizeof b, "%Y-%m-%d", &tm);
  return b;
}

// GB 11643 check character.
std::string with_check(const std::string& first17) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int s = 0;
  for (int i = 0; i < 17; ++i) s += (first17[static_cast<size_t>(i)] - '0') * w[i];
  return first17 + "10X98765432"[s % 11];
}

}  // namespace

TEST_CASE("health and metrics answer without a login", "[api]") {
  auto& s = shared();
  sim::HttpClient c(s.endpoint());
  auto h = c.get("/healthz");
  CHECK(h.status == 200);
  CHECK(str(h.json(), "status") == "ok");
  auto m = c.get("/metrics");
  CHECK(m.status == 200);
  CHECK(m.headers["content-type"].rfind("text/plain", 0) == 0);
  CHECK(m.body.find("# TYPE vnh_up gauge") != std::string::npos);
  CHECK(m.body.find("# TYPE vnh_writer_batches_total counter") != std::string::npos);
  // A counter read twice never goes down, and counts the requests in between.
  auto counter = [](const std::string& body, const std::string& name) {
    auto at = body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(body.substr(at + name.size() + 2));
  };
  const double before = counter(m.body, "vnh_http_requests_total");
  for (int i = 0; i < 3; ++i) CHECK(c.get("/healthz").status == 200);
  auto again = c.get("/metrics");
  CHECK(counter(again.body, "vnh_http_requests_total") >= before + 4);
  // The binary runs on jemalloc (decision 007): a link that lost it would say glibc here.
  CHECK(again.body.find("vnh_allocator_info{allocator=\"jemalloc 5.") != std::string::npos);
  CHECK(counter(again.body, "vnh_heap_allocated_bytes") > 1e6);
  CHECK(counter(again.body, "vnh_heap_resident_bytes") >= counter(again.body, "vnh_heap_allocated_bytes"));
}

TEST_CASE("the console cannot be framed, talks only to its own origin and sends no referrer", "[api][security]") {
  auto& s = shared();
  sim::HttpClient c(s.endpoint());
  for (const char* path : {"/", "/console/app.js", "/console/vendor/leaflet.js"}) {
    auto r = c.get(path);
    INFO(path);
    REQUIRE(r.status == 200);
    const auto& csp = r.headers["content-security-policy"];
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("connect-src 'self';") != std::string::npos);
    CHECK(csp.find("ws:") == std::string::npos);  // no websocket to any host
    CHECK(r.headers["x-frame-options"] == "DENY");
    CHECK(r.headers["referrer-policy"] == "no-referrer");
    CHECK(r.headers["x-content-type-options"] == "nosniff");
  }
}

TEST_CASE("an error never echoes invalid UTF-8 or control characters", "[api][security]") {
  auto& s = shared();
  sim::HttpClient c(s.endpoint());
  for (const char* path : {"/console/%c0%ae", "/console/%ff%fe", "/api/v1/nothing%0a%00"}) {
    auto r = c.get(path);
    INFO(path << " → " << r.body);
    CHECK(r.status == 404);
    CHECK(valid_utf8(r.body));
    CHECK(r.body.find('\n') == std::string::npos);
    CHECK(r.json().at("error").at("message").as_string().find("\\x") != std::string::npos);
  }
}

TEST_CASE("a request with two Authorization headers is refused, not read as the last one", "[api][security]") {
  auto& s = shared();
  auto op = s.login("operator1");
  // The operator's own token from a fresh login, sent twice beside a second one.
  sim::HttpClient c(s.endpoint());
  auto login = c.post("/api/v1/login", json::object{{"username", "operator1"}, {"password", "password-123"}});
  REQUIRE(login.status == 200);
  const std::string token(login.json().at("token").as_string());
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::beast::tcp_stream stream(ioc);
  boost::asio::ip::tcp::resolver resolver(ioc);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(s.port())));
  http::request<http::string_body> req{http::verb::get, "/api/v1/me", 11};
  req.set(http::field::host, "127.0.0.1");
  req.insert(http::field::authorization, "Bearer not-a-token");
  req.insert(http::field::authorization, "Bearer " + token);
  http::write(stream, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  CHECK(res.result_int() == 400);
  CHECK(res.body().find("authorization header is sent twice") != std::string::npos);
  CHECK(op.get("/api/v1/me").status == 200);  // one header is fine
}

TEST_CASE("a JSON body with a key given twice is refused, naming the key; nothing is written", "[api][security]") {
  auto& s = shared();
  auto op = s.login("operator1");
  auto before = op.get("/api/v1/tickets?limit=200").json().at("tickets").as_array().size();
  auto r = op.request("POST", "/api/v1/tickets", R"({"elder_id":"E1","item_code":"LC010","elder_id":"E2"})");
  INFO(r.body);
  CHECK(r.status == 400);
  CHECK(str(r.json().at("error"), "code") == "malformed_json");
  CHECK(str(r.json().at("error"), "field") == "elder_id");
  // Twice inside a nested object is as bad; the same key in two sibling objects is fine.
  auto nested = op.request("POST", "/api/v1/elders/E1/reveal", R"({"reason":"x","meta":{"a":1,"a":2}})");
  CHECK(nested.status == 400);
  CHECK(str(nested.json().at("error"), "field") == "a");
  auto siblings = op.request("POST", "/api/v1/tickets", R"({"elder_id":"E999999","item_code":"LC010","x":[{"a":1},{"a":2}]})");
  CHECK(siblings.status == 404);  // read as a body, refused for the unknown elder
  CHECK(op.get("/api/v1/tickets?limit=200").json().at("tickets").as_array().size() == before);
}

TEST_CASE("login gives a bearer token; bad passwords lock the account", "[api][auth]") {
  auto& s = shared();
  sim::HttpClient c(s.endpoint());
  auto ok = c.post("/api/v1/login", json::object{{"username", "operator1"}, {"password", "password-123"}});
  REQUIRE(ok.status == 200);
  CHECK(str(ok.json(), "role") == "operator");
  CHECK(str(ok.json(), "token").size() == 43);
  CHECK(str(ok.json(), "expires_at").find("+08:00") != std::string::npos);
  auto bad = c.post("/api/v1/login", json::object{{"username", "operator1"}, {"password", "nope"}});
  CHECK(bad.status == 401);
  CHECK(str(bad.json().at("error"), "code") == "bad_credentials");
  CHECK(c.post("/api/v1/login", json::object{{"username", "operator1"}}).status == 422);
  CHECK(c.request("POST", "/api/v1/login", "{not json").status == 400);
  SECTION("five failures from one desk refuse the name there; the right password is then refused too") {
    s.add_user("locky", "operator");
    for (int i = 0; i < 5; ++i) c.post("/api/v1/login", json::object{{"username", "locky"}, {"password", "x"}});
    auto locked = c.post("/api/v1/login", json::object{{"username", "locky"}, {"password", "password-123"}});
    CHECK(locked.status == 429);
    CHECK(str(locked.json().at("error"), "code") == "too_many_attempts");
  }
  SECTION("no token, a bad token, a partner token: 401") {
    sim::HttpClient anon(s.endpoint());
    CHECK(anon.get("/api/v1/tickets").status == 401);
    anon.set_token("garbage");
    CHECK(anon.get("/api/v1/tickets").status == 401);
    anon.set_token(s.firm_token("F_FAR"));
    CHECK(anon.get("/api/v1/tickets").status == 401);
  }
  SECTION("logout revokes the token") {
    auto u = s.login("operator1");
    CHECK(u.get("/api/v1/me").status == 200);
    CHECK(u.post("/api/v1/logout", json::object{}).status == 200);
    CHECK(u.get("/api/v1/me").status == 401);
  }
}

namespace {
// The role × route matrix: each route and the roles allowed on it.
struct Cell {
  const char* method;
  const char* path;
  const char* body;
  std::set<std::string> allowed;
};
const std::vector<Cell>& route_table() {
  static const std::vector<Cell> table = {
      {"GET", "/api/v1/elders?phone=13900000000", "", {"operator", "supervisor", "admin"}},
      {"POST", "/api/v1/elders", "{}", {"operator", "supervisor", "admin"}},
      {"POST", "/api/v1/elders/E1/reveal", "{}", {"operator", "supervisor", "admin"}},
      {"POST", "/api/v1/elders/E1/deactivate", "{}", {"supervisor", "admin"}},
      {"GET", "/api/v1/tickets", "", {"operator", "supervisor", "inspector", "finance", "admin"}},
      {"POST", "/api/v1/tickets", "{}", {"operator", "supervisor"}},
      {"POST", "/api/v1/tickets/T0/cancel", "{}", {"operator", "supervisor"}},
      {"POST", "/api/v1/tickets/T0/reoffer", "{}", {"supervisor"}},
      {"GET", "/api/v1/callbacks/queue", "", {"operator", "supervisor"}},
      {"POST", "/api/v1/callbacks", "{}", {"operator", "supervisor"}},
      {"POST", "/api/v1/complaints", "{}", {"operator", "supervisor"}},
      {"POST", "/api/v1/complaints/1/close", "{}", {"supervisor"}},
      {"GET", "/api/v1/exceptions", "", {"supervisor", "admin"}},
      {"POST", "/api/v1/exceptions/1/clear", "{}", {"supervisor"}},
      {"GET", "/api/v1/firms", "", {"operator", "supervisor", "inspector", "finance", "admin"}},
      {"POST", "/api/v1/firms/F_FAR/status", "{}", {"supervisor", "admin"}},
      {"POST", "/api/v1/inspections", "{}", {"inspector", "admin"}},
      {"GET", "/api/v1/inspections?month=2026-10", "", {"inspector", "supervisor", "finance", "admin"}},
      {"POST", "/api/v1/settlements/2026-10", "", {"finance"}},
      {"GET", "/api/v1/settlements", "", {"finance", "admin"}},
      {"POST", "/api/v1/settlements/2026-10/approve", "", {"finance"}},
      {"GET", "/api/v1/users", "", {"admin"}},
      {"POST", "/api/v1/users", "{}", {"admin"}},
      {"GET", "/api/v1/audit", "", {"admin"}},
      {"POST", "/api/v1/import/areas", "", {"admin"}},
  };
  return table;
}
}  // namespace

TEST_CASE("every role reaches exactly the endpoints it needs", "[api][roles]") {
  auto& s = shared();
  const auto& table = route_table();
  for (const char* role : {"operator", "supervisor", "inspector", "finance", "admin"}) {
    auto c = s.login(std::string(role) + "1");
    for (const auto& cell : table) {
      auto r = c.request(cell.method, cell.path, cell.body);
      bool allowed = cell.allowed.count(role) > 0;
      INFO(role << " " << cell.method << " " << cell.path << " → " << r.status << " " << r.body);
      if (allowed) {
        // Allowed: whatever the outcome (validation, not found, four eyes…), not a role refusal.
        bool role_refusal = r.status == 403 && str(r.json().at("error"), "code") == "forbidden";
        CHECK_FALSE(role_refusal);
        CHECK(r.status != 401);
      } else {
        CHECK(r.status == 403);
        CHECK(str(r.json().at("error"), "code") == "forbidden");
      }
    }
  }
}

TEST_CASE("the matrix's other callers: a firm's token, a logged-out, a disabled user's and an expired session get "
          "401 on every route", "[api][roles][sessions]") {
  TestServer srv(TestServer::Options{true, "2026-11-23T09:00:00+08:00", {}});
  load_small_district(srv);
  for (const char* u : {"gone", "disabled", "stale"}) srv.add_user(u, "supervisor");
  srv.add_user("admin1", "admin");
  std::string firm = srv.firm_token("F_FAR");
  srv.start();
  auto token_of = [&](const std::string& user) {
    sim::HttpClient c(srv.endpoint());
    auto r = c.post("/api/v1/login", json::object{{"username", user}, {"password", "password-123"}});
    REQUIRE(r.status == 200);
    return str(r.json(), "token");
  };
  const std::string gone = token_of("gone"), disabled = token_of("disabled"), stale = token_of("stale");
  auto admin = srv.login("admin1");
  {
    sim::HttpClient c(srv.endpoint());
    c.set_token(gone);
    REQUIRE(c.post("/api/v1/logout", json::object{}).status == 200);
  }
  REQUIRE(admin.post("/api/v1/users/disabled/disable", json::object{}).status == 200);
  // Sessions last 8 hours; the admin logs in again after the clock has moved.
  REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", 8 * 3600 * 1000 + 1000}}).status == 200);
  const std::vector<std::pair<std::string, std::string>> callers = {
      {"firm token", firm}, {"logged out", gone}, {"disabled user", disabled}, {"expired session", stale}};
  for (const auto& [who, token] : callers) {
    sim::HttpClient c(srv.endpoint());
    c.set_token(token);
    for (const auto& cell : route_table()) {
      auto r = c.request(cell.method, cell.path, cell.body);
      INFO(who << " " << cell.method << " " << cell.path << " → " << r.status << " " << r.body);
      CHECK(r.status == 401);
      CHECK(str(r.json().at("error"), "code") == "bad_token");
    }
    CHECK(c.get("/api/v1/me").status == 401);
  }
}

TEST_CASE("elders register with full validation and are found by any form of their phone", "[api][elders]") {
  auto& s = shared();
  auto op = s.login("operator1");
  std::string id = with_check("62010219520304001");
  // Sections re-run this case on the shared server: register once, then look it up.
  auto r = op.post("/api/v1/elders", elder_body(id, "赵六"));
  INFO(r.body);
  if (r.status == 409) {
    auto found = op.get("/api/v1/elders?id_tail=" + id.substr(14)).json();
    r = op.get("/api/v1/elders/" + str(found.at("elders").as_array().at(0), "elder_id"));
  } else {
    REQUIRE(r.status == 201);
  }
  auto e = r.json();
  std::string elder_id = str(e, "elder_id");
  CHECK(elder_id.rfind("E", 0) == 0);
  CHECK(str(e, "id_number") == id.substr(0, 6) + "********" + id.substr(14));
  CHECK(e.at("age").as_int64() >= 74);
  SECTION("validation errors name the field and write nothing") {
    auto bad = elder_body(id.substr(0, 17) + (id[17] == '1' ? "2" : "1"));
    auto b = op.post("/api/v1/elders", bad);
    CHECK(b.status == 422);
    CHECK(str(b.json().at("error"), "field") == "id_number");
    CHECK(str(b.json().at("error"), "code") == "id_checksum");
    auto young = op.post("/api/v1/elders", elder_body(with_check("62010219700101002")));
    CHECK(young.status == 422);
    CHECK(str(young.json().at("error"), "code") == "not_eligible");
    auto nocomm = elder_body(with_check("62010219500101003"));
    nocomm["community_code"] = "620102009009";
    CHECK(op.post("/api/v1/elders", nocomm).status == 404);
    auto nophone = elder_body(with_check("62010219500101004"));
    nophone["phone"] = "12";
    auto np = op.post("/api/v1/elders", nophone);
    CHECK(np.status == 422);
    CHECK(str(np.json().at("error"), "field") == "phone");
    CHECK(op.post("/api/v1/elders", elder_body(id)).status == 409);  // duplicate
  }
  SECTION("search by phone normalises spaces, dashes and +86") {
    for (const char* q : {"13909310001", "+86%20139-0931-0001", "0086139%200931%200001"}) {
      auto f = op.get(std::string("/api/v1/elders?phone=") + q);
      REQUIRE(f.status == 200);
      bool found = false;
      auto list = f.json();
      for (const auto& x : list.at("elders").as_array()) found = found || str(x, "elder_id") == elder_id;
      CHECK(found);
    }
    auto byname = op.get("/api/v1/elders?name=%E8%B5%B5%E5%85%AD");  // 赵六
    CHECK(byname.json().at("elders").as_array().size() >= 1);
    auto bytail = op.get("/api/v1/elders?id_tail=" + id.substr(14));
    CHECK(bytail.json().at("elders").as_array().size() >= 1);
  }
  SECTION("update and deactivate, never delete") {
    CHECK(op.post("/api/v1/elders/" + elder_id + "/reactivate", json::object{{"reason", "x"}}).status == 403);
    auto u = op.request("PATCH", "/api/v1/elders/" + elder_id, R"({"category":"B","phone":"0931-8888888"})");
    INFO(u.body);
    REQUIRE(u.status == 200);
    CHECK(str(u.json(), "category") == "B");
    CHECK(str(u.json(), "phone") == "0931***8888");
    auto sup = s.login("supervisor1");
    auto d = sup.post("/api/v1/elders/" + elder_id + "/deactivate", json::object{{"reason", "moved away"}});
    // (restored at the end so other sections still find an active elder)
    CHECK(d.status == 200);
    CHECK(str(d.json(), "status") == "inactive");
    CHECK(op.get("/api/v1/elders/" + elder_id).status == 200);
    auto t = op.post("/api/v1/tickets", json::object{{"elder_id", elder_id}, {"item_code", "LC010"}});
    CHECK(t.status == 409);
    CHECK(str(t.json().at("error"), "code") == "elder_inactive");
    CHECK(sup.post("/api/v1/elders/" + elder_id + "/reactivate", json::object{{"reason", "back"}}).status == 200);
    CHECK(op.request("PATCH", "/api/v1/elders/" + elder_id, R"({"phone":"139 0931 0001"})").status == 200);
  }
  SECTION("a whole view needs a reason and is audited") {
    auto admin = s.login("admin1");
    auto before_doc = admin.get("/api/v1/audit?subject=elder:" + elder_id).json();
    auto before = before_doc.at("entries").as_array().size();
    CHECK(op.post("/api/v1/elders/" + elder_id + "/reveal", json::object{}).status == 422);
    auto w = op.post("/api/v1/elders/" + elder_id + "/reveal", json::object{{"reason", "callback about a complaint"}});
    REQUIRE(w.status == 200);
    CHECK(str(w.json(), "id_number") == id);
    CHECK(w.json().at("phones").as_array().at(0).as_string() == "13909310001");
    auto entries = admin.get("/api/v1/audit?subject=elder:" + elder_id).json().at("entries").as_array();
    REQUIRE(entries.size() == before + 1);
    CHECK(str(entries.at(0), "action") == "elder.view_whole");
    CHECK(str(entries.at(0), "actor") == "operator1");
    CHECK(entries.at(0).at("detail").at("reason").as_string() == "callback about a complaint");
  }
}

TEST_CASE("two elders of one name are told apart; a registration without coordinates takes its community's point",
          "[api][elders]") {
  TestServer s{TestServer::Options{}};
  load_small_district(s);
  s.add_user("op", "operator");
  s.start();
  auto op = s.login("op");
  // Three 张林: born 1940 and 1950 in 畅家巷, 1945 in 金塔巷 (another street).
  struct Z { const char* first17; const char* community; double lat; };
  for (const Z& z : {Z{"62010219400101001", "620102001001", 36.0610}, Z{"62010219500101002", "620102001001", 36.0630},
                     Z{"62010219450101003", "620102002001", 36.0500}}) {
    auto b = elder_body(with_check(z.first17), "张林");
    b["community_code"] = z.community;
    b["lat"] = z.lat;
    REQUIRE(op.post("/api/v1/elders", b).status == 201);
  }
  auto page = op.get("/api/v1/elders?name=%E5%BC%A0%E6%9E%97&limit=2").json();  // 张林
  CHECK(page.at("more").as_bool());
  REQUIRE(page.at("elders").as_array().size() == 2);
  auto all = op.get("/api/v1/elders?name=%E5%BC%A0%E6%9E%97").json();
  CHECK_FALSE(all.at("more").as_bool());
  REQUIRE(all.at("elders").as_array().size() == 3);
  std::set<std::string> told;
  for (const auto& e : all.at("elders").as_array()) {
    told.insert(fmt::format("{}|{}|{}", e.at("age").as_int64(), str(e, "community_name"), str(e, "id_number").substr(14)));
    CHECK(!str(e, "street_name").empty());
  }
  CHECK(told.size() == 3);
  auto first = all.at("elders").as_array().at(0);
  CHECK((str(first, "community_name") == "畅家巷社区" || str(first, "community_name") == "金塔巷社区"));
  CHECK((str(first, "street_name") == "酒泉路街道" || str(first, "street_name") == "张掖路街道"));

  // 畅家巷's point: where its registered elders live on average (张三明 at 36.0600 and two 张林).
  auto pt = op.get("/api/v1/areas/620102001001/point").json();
  CHECK(str(pt, "from_code") == "620102001001");
  CHECK(pt.at("elders").as_int64() == 3);
  CHECK(pt.at("lat").as_double() == Approx((36.0600 + 36.0610 + 36.0630) / 3));
  // A community with nobody yet takes its street's point.
  s.import("areas", "code,name,parent_code,level\r\n620102002002,新社区,620102002,community\r\n");
  auto empty = op.get("/api/v1/areas/620102002002/point").json();
  CHECK(str(empty, "from_code") == "620102002");
  CHECK(op.get("/api/v1/areas/999/point").status == 404);

  auto nopoint = elder_body(with_check("62010219480101004"), "李明");
  nopoint.erase("lat");
  nopoint.erase("lon");
  nopoint.erase("registered_on");
  auto r = op.post("/api/v1/elders", nopoint);
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json().at("lat").as_double() == Approx((36.0600 + 36.0610 + 36.0630) / 3));
  CHECK(r.json().at("lon").as_double() == Approx(103.83));
  CHECK(str(r.json(), "registered_on") == shanghai_today());
  auto half = elder_body(with_check("62010219480101005"), "李亮");
  half.erase("lon");
  auto h = op.post("/api/v1/elders", half);
  CHECK(h.status == 422);
  CHECK(str(h.json().at("error"), "field") == "lon");
}

TEST_CASE("tickets: create, idempotency, get with events, list, cancel", "[api][tickets]") {
  auto& s = shared();
  auto op = s.login("operator1");
  json::object body{{"id_number", "620102195810100019"}, {"item_code", "LC010"}, {"urgency", "normal"},
                    {"window_start", "2026-12-01T09:00:00+08:00"}, {"window_end", "2026-12-01T11:00:00+08:00"},
                    {"notes", "二楼"}};
  auto key = fmt::format("key-{}", std::chrono::steady_clock::now().time_since_epoch().count());
  auto c1 = op.post("/api/v1/tickets", body, {{"Idempotency-Key", key}});
  INFO(c1.body);
  REQUIRE(c1.status == 201);
  std::string no = str(c1.json(), "ticket_no");
  CHECK(no.rfind("T", 0) == 0);
  CHECK(str(c1.json(), "state") == "offered");  // offers wait in the outbox; no firm needs to be online
  SECTION("the 201 body (built from the committed row in memory) is the ticket as a read of it shows") {
    auto g = op.get("/api/v1/tickets/" + no);
    REQUIRE(g.status == 200);
    const json::object created = c1.json().as_object();
    const json::object read = g.json().as_object();
    int compared = 0;
    for (const auto& [k, v] : read) {
      if (k == "events" || k == "exceptions") continue;
      INFO(std::string(k));
      REQUIRE(created.contains(k));
      CHECK(created.at(k) == v);
      ++compared;
    }
    CHECK(compared >= 20);
    CHECK_FALSE(created.at("firm_code").is_null());  // offered: the firm's code and name from the dispatcher
    CHECK_FALSE(created.at("firm_name").is_null());
    CHECK(str(created, "elder_name") == str(read, "elder_name"));  // operators see the whole name
  }
  SECTION("same key and body: the same ticket") {
    auto c2 = op.post("/api/v1/tickets", body, {{"Idempotency-Key", key}});
    CHECK(c2.status == 201);
    CHECK(str(c2.json(), "ticket_no") == no);
    CHECK(c2.headers["idempotent-replayed"] == "true");
  }
  SECTION("same key, the same request written another way (keys reordered, spaces): the same ticket") {
    std::string respelled = fmt::format(
        "{{ \"notes\" : \"二楼\", \"window_end\": \"2026-12-01T11:00:00+08:00\",\n  \"urgency\":\"normal\", "
        "\"item_code\": \"LC010\", \"window_start\": \"2026-12-01T09:00:00+08:00\", "
        "\"id_number\": \"620102195810100019\" }}");
    auto c2 = op.request("POST", "/api/v1/tickets", respelled, {{"Idempotency-Key", key}});
    INFO(c2.body);
    CHECK(c2.status == 201);
    CHECK(str(c2.json(), "ticket_no") == no);
    CHECK(c2.headers["idempotent-replayed"] == "true");
  }
  SECTION("the same key from another user is another request: their own ticket, never the first user's") {
    auto sup = s.login("supervisor1");
    auto c2 = sup.post("/api/v1/tickets", body, {{"Idempotency-Key", key}});
    INFO(c2.body);
    CHECK(c2.status == 201);
    CHECK(str(c2.json(), "ticket_no") != no);
    CHECK(c2.headers.count("idempotent-replayed") == 0);
    auto again = sup.post("/api/v1/tickets", body, {{"Idempotency-Key", key}});
    CHECK(str(again.json(), "ticket_no") == str(c2.json(), "ticket_no"));  // and theirs replays for them
  }
  SECTION("same key, another body: 422") {
    auto other = body;
    other["notes"] = "三楼";
    auto c3 = op.post("/api/v1/tickets", other, {{"Idempotency-Key", key}});
    CHECK(c3.status == 422);
    CHECK(str(c3.json().at("error"), "code") == "idempotency_key_reused");
  }
  SECTION("get shows the events; list filters; cancel needs a reason and closes") {
    auto g = op.get("/api/v1/tickets/" + no);
    REQUIRE(g.status == 200);
    auto events = g.json().at("events").as_array();
    REQUIRE(events.size() >= 1);
    CHECK(str(events.at(0), "type") == "created");
    CHECK(str(g.json(), "window_start") == "2026-12-01T09:00:00+08:00");
    auto l = op.get("/api/v1/tickets?state=" + str(g.json(), "state") + "&limit=5");
    REQUIRE(l.status == 200);
    auto page = l.json();
    CHECK(page.at("tickets").as_array().size() <= 5);
    for (const auto& t : page.at("tickets").as_array()) CHECK(str(t, "state") == "offered");
    CHECK(op.post("/api/v1/tickets/" + no + "/cancel", json::object{}).status == 422);
    auto x = op.post("/api/v1/tickets/" + no + "/cancel", json::object{{"reason", "老人住院"}});
    REQUIRE(x.status == 200);
    CHECK(str(x.json(), "state") == "cancelled");
    auto again = op.post("/api/v1/tickets/" + no + "/cancel", json::object{{"reason", "again"}});
    CHECK(again.status == 409);
    CHECK(str(again.json().at("error"), "code") == "illegal_transition");
  }
  SECTION("validation errors name the field") {
    auto b = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "NOPE"}});
    CHECK(b.status == 404);
    CHECK(str(b.json().at("error"), "field") == "item_code");
    auto u = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}, {"urgency", "asap"}});
    CHECK(u.status == 422);
    CHECK(str(u.json().at("error"), "field") == "urgency");
    auto w = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}, {"window_start", "tomorrow"}});
    CHECK(str(w.json().at("error"), "field") == "window_start");
    CHECK(op.get("/api/v1/tickets/T404").status == 404);
  }
}

TEST_CASE("ticket search by number, phone, elder, state, firm, item and dates, a page at a time", "[api][tickets]") {
  auto& s = shared();
  auto op = s.login("operator1");
  std::vector<std::string> made;
  for (const char* item : {"MC001", "LC010", "MC001"}) {
    auto r = op.post("/api/v1/tickets", json::object{{"elder_id", "E2"}, {"item_code", item}, {"notes", "查询测试"}});
    REQUIRE(r.status == 201);
    made.push_back(str(r.json(), "ticket_no"));
  }
  auto search = [&](const std::string& q) {
    auto r = op.get("/api/v1/tickets?" + q);
    INFO(q << " → " << r.body);
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    const auto body = r.json();
    for (const auto& t : body.at("tickets").as_array()) out.push_back(str(t, "ticket_no"));
    return out;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  CHECK(search("q=" + made[1]) == std::vector<std::string>{made[1]});
  CHECK(search("q=T-nope").empty());
  auto by_phone = search("phone=13955650450");  // 李四芳's mobile
  CHECK(has(by_phone, made[0]));
  CHECK(has(by_phone, made[2]));
  auto bp = search("elder_id=E2&item_code=MC001");
  CHECK(has(bp, made[0]));
  CHECK(has(bp, made[2]));
  CHECK_FALSE(has(bp, made[1]));
  CHECK(search("item_code=NOPE").empty());
  CHECK(search("phone=13900000000").empty());  // nobody at that number
  // Business dates, both ends included: today holds them, yesterday does not.
  auto today = std::string(str(op.get("/api/v1/me").json(), "server_time")).substr(0, 10);
  CHECK(has(search("elder_id=E2&from=" + today + "&to=" + today), made[2]));
  CHECK(search("elder_id=E2&to=2020-01-01").empty());
  CHECK(op.get("/api/v1/tickets?from=2026-13-01").status == 422);
  // A page at a time, newest first.
  auto page1 = op.get("/api/v1/tickets?elder_id=E2&item_code=MC001&limit=1").json();
  REQUIRE(page1.at("tickets").as_array().size() == 1);
  CHECK(str(page1.at("tickets").as_array().at(0), "ticket_no") == made[2]);
  auto page2 = search("elder_id=E2&item_code=MC001&limit=1&cursor=" + str(page1, "next"));
  CHECK(page2 == std::vector<std::string>{made[0]});
}

TEST_CASE("fifty concurrent creations with one key make one ticket", "[api][tickets][idempotency]") {
  auto& s = shared();
  std::string key = fmt::format("burst-{}", std::chrono::steady_clock::now().time_since_epoch().count());
  std::string token;
  {
    auto op = s.login("operator1");
    auto r = op.post("/api/v1/login", json::object{{"username", "operator1"}, {"password", "password-123"}});
    token = str(r.json(), "token");
  }
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> numbers;
  std::atomic<int> created{0};
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      sim::HttpClient c(s.endpoint());
      c.set_token(token);
      auto r = c.post("/api/v1/tickets", json::object{{"elder_id", "E2"}, {"item_code", "LC001"}}, {{"Idempotency-Key", key}});
      if (r.status == 201) {
        ++created;
        std::lock_guard lk(mu);
        numbers.insert(str(r.json(), "ticket_no"));
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(created == 50);
  CHECK(numbers.size() == 1);
  auto op = s.login("operator1");
  auto open = op.get("/api/v1/elders/E2").json().at("open_tickets").as_array();
  int with_lunch = 0;
  for (const auto& t : open) with_lunch += str(t, "item_code") == "LC001" ? 1 : 0;
  CHECK(with_lunch == 1);
}

TEST_CASE("masking follows the reader's role", "[api][masking]") {
  auto& s = shared();
  auto op = s.login("operator1");
  auto t = op.post("/api/v1/tickets", json::object{{"elder_id", "E3"}, {"item_code", "LC010"}});
  REQUIRE(t.status == 201);
  std::string no = str(t.json(), "ticket_no");
  CHECK(str(t.json(), "elder_name") == "王五");
  auto insp = s.login("inspector1");
  auto v = insp.get("/api/v1/tickets/" + no);
  REQUIRE(v.status == 200);
  CHECK(str(v.json(), "elder_name") == "王*");
  auto fin = s.login("finance1");
  CHECK(str(fin.get("/api/v1/tickets/" + no).json(), "elder_name") == "王*");
  CHECK(fin.get("/api/v1/elders/E3").status == 403);
  auto e = op.get("/api/v1/elders/E3").json();
  CHECK(str(e, "id_number") == "620102********0050");
  CHECK(e.at("phones").as_array().at(0).as_string() == "0931***3456");
}


TEST_CASE("an incoming call rings on every operator's console and pops its elders on the desk that answers",
          "[api][cti]") {
  auto& s = shared();
  auto op = s.login("operator1");
  auto token = op.post("/api/v1/login", json::object{{"username", "operator1"}, {"password", "password-123"}});
  Live live(std::to_string(s.port()), str(token.json(), "token"));
  REQUIRE(str(live.next_of("hello"), "user") == "operator1");
  sim::HttpClient pbx(s.endpoint());
  // 李四芳 and 王五 share the landline 0931-8123456.
  auto r = pbx.post("/api/v1/calls/incoming", json::object{{"caller", "+86 931 812 3456"}, {"line", "965885-1"}},
                    {{"X-PBX-Secret", s.pbx_secret()}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("matched").as_int64() == 2);
  const std::string call_id = str(r.json(), "call_id");
  auto ringing = live.next_of("call", "call_id", call_id);
  CHECK(str(ringing, "state") == "ringing");
  CHECK(ringing.at("elders_matched").as_int64() == 2);
  CHECK_FALSE(ringing.as_object().contains("elders"));  // no card before someone answers
  REQUIRE(op.post("/api/v1/calls/" + call_id + "/claim", json::object{}).status == 200);
  auto pop = live.next_of("screen_pop");
  REQUIRE(pop.is_object());
  CHECK(str(pop, "call_id") == call_id);
  CHECK(str(pop, "line") == "965885-1");
  auto elders = pop.at("elders").as_array();
  REQUIRE(elders.size() == 2);
  std::set<std::string> names = {str(elders.at(0), "name"), str(elders.at(1), "name")};
  CHECK(names == std::set<std::string>{"李四芳", "王五"});
  CHECK(elders.at(0).as_object().contains("open_tickets"));
  CHECK(elders.at(0).as_object().contains("recent_services"));
  auto card = op.get("/api/v1/calls/" + call_id).json();
  CHECK(card.at("elders").as_array().size() == 2);  // after a reload, the desk asks for it again
  REQUIRE(op.post("/api/v1/calls/" + call_id + "/hangup", json::object{}).status == 200);
  SECTION("without the PBX secret or a login the call is refused") {
    sim::HttpClient anon(s.endpoint());
    CHECK(anon.post("/api/v1/calls/incoming", json::object{{"caller", "13955650450"}}).status == 401);
    CHECK(anon.post("/api/v1/calls/incoming", json::object{{"caller", "13955650450"}}, {{"X-PBX-Secret", "wrong"}}).status == 401);
  }
  SECTION("an unknown number pops an empty card") {
    auto u = pbx.post("/api/v1/calls/incoming", json::object{{"caller", "anonymous"}}, {{"X-PBX-Secret", s.pbx_secret()}});
    CHECK(u.status == 200);
    CHECK(u.json().at("matched").as_int64() == 0);
  }
}

TEST_CASE("users are created by admins and cannot log in once disabled", "[api][users]") {
  auto& s = shared();
  auto admin = s.login("admin1");
  auto r = admin.post("/api/v1/users", json::object{{"username", "newop"}, {"role", "operator"}, {"password", "a-long-password"}});
  REQUIRE(r.status == 201);
  CHECK(admin.post("/api/v1/users", json::object{{"username", "newop"}, {"role", "operator"}, {"password", "a-long-password"}}).status == 409);
  CHECK(admin.post("/api/v1/users", json::object{{"username", "x"}, {"role", "boss"}, {"password", "a-long-password"}}).status == 422);
  CHECK(admin.post("/api/v1/users", json::object{{"username", "y"}, {"role", "operator"}, {"password", "short"}}).status == 422);
  auto u = s.login("newop", "a-long-password");
  CHECK(u.get("/api/v1/me").status == 200);
  CHECK(admin.post("/api/v1/users/newop/disable", json::object{}).status == 200);
  CHECK(u.get("/api/v1/me").status == 401);
  sim::HttpClient again(s.endpoint());
  CHECK_FALSE(again.login("newop", "a-long-password").ok());
  CHECK(admin.get("/api/v1/audit/verify").json().at("intact").as_bool());
}

namespace {
std::string read_file(const std::string& p) { return slurp(p); }
}  // namespace

TEST_CASE("finance settles a month over the API, a second finance user approves, the month locks", "[api][settlement]") {
  TestServer s;
  std::string dir = std::string(VNH_SOURCE_DIR) + "/tests/data/month-2026-10/";
  for (const char* k : {"areas", "catalog", "elders", "firms", "firm-areas", "staff", "tickets", "callbacks", "complaints",
                        "canteens", "meal-cards", "meals"}) {
    s.import(k, read_file(dir + k + ".csv"));
  }
  s.add_user("finance1", "finance");
  s.add_user("finance2", "finance");
  s.add_user("inspector1", "inspector");
  s.start();
  auto fin = s.login("finance1");
  SECTION("missing inspector scores stop the run and name the firms") {
    auto r = fin.post("/api/v1/settlements/2026-10", json::object{});
    CHECK(r.status == 409);
    CHECK(str(r.json().at("error"), "code") == "missing_inspections");
    CHECK(str(r.json().at("error"), "message").find("F007") != std::string::npos);
  }
  SECTION("with the scores entered, the CSV is exactly the expected one") {
    auto insp = s.login("inspector1");
    auto csv = read_file(dir + "inspections.csv");
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      auto f = std::vector<std::string>();
      std::stringstream ls(line);
      std::string cell;
      while (std::getline(ls, cell, ',')) f.push_back(cell);
      auto r = insp.post("/api/v1/inspections", json::object{{"firm_code", f[0]}, {"month", f[1]},
                                                             {"enterprise_building", f[2]}, {"service_norms", f[3]},
                                                             {"staff_management", f[4]}});
      INFO(r.body);
      REQUIRE(r.status == 201);
    }
    auto run = fin.post("/api/v1/settlements/2026-10", json::object{});
    INFO(run.body);
    REQUIRE(run.status == 201);
    CHECK(str(run.json(), "status") == "draft");
    CHECK(run.json().at("lines").as_array().size() == 8);
    auto got = fin.get("/api/v1/settlements/2026-10/csv");
    CHECK(got.status == 200);
    CHECK(got.body == read_file(dir + "expected-settlement-2026-10.csv"));
    auto meals = fin.get("/api/v1/settlements/2026-10/meals-csv");
    CHECK(meals.status == 200);
    CHECK(meals.body == read_file(dir + "expected-meals-2026-10.csv"));
    auto k2 = fin.get("/api/v1/settlements/2026-10/canteen-statements/K002");
    CHECK(k2.status == 200);
    CHECK(std::count(k2.body.begin(), k2.body.end(), '\n') == 1 + 94);
    CHECK(fin.get("/api/v1/settlements/2026-10/canteen-statements/K404").status == 404);
    auto html = fin.get("/api/v1/settlements/2026-10/html");
    CHECK(html.headers["content-type"].rfind("text/html", 0) == 0);
    CHECK(html.body.find("<svg") != std::string::npos);
    auto st = fin.get("/api/v1/settlements/2026-10/statements/F001");
    CHECK(st.status == 200);
    CHECK(std::count(st.body.begin(), st.body.end(), '\n') == 1 + 62);
    auto self = fin.post("/api/v1/settlements/2026-10/approve", json::object{});
    CHECK(self.status == 403);
    CHECK(str(self.json().at("error"), "code") == "four_eyes");
    auto other = s.login("finance2");
    auto ok = other.post("/api/v1/settlements/2026-10/approve", json::object{});
    REQUIRE(ok.status == 200);
    CHECK(str(ok.json(), "status") == "approved");
    auto rerun = fin.post("/api/v1/settlements/2026-10", json::object{});
    CHECK(rerun.status == 409);
    CHECK(str(rerun.json().at("error"), "code") == "locked");
    auto late = insp.post("/api/v1/inspections", json::object{{"firm_code", "F001"}, {"month", "2026-10"},
                                                              {"enterprise_building", 1}, {"service_norms", 1},
                                                              {"staff_management", 1}});
    CHECK(late.status == 409);
    // A correction of the approved month is an entry in the next month, never an edit.
    auto adj = fin.post("/api/v1/settlements/2026-11/adjustments",
                        json::object{{"firm_code", "F003"}, {"amount_fen", -1500}, {"corrects_month", "2026-10"},
                                     {"reason", "回访未到：退回一单"}});
    INFO(adj.body);
    REQUIRE(adj.status == 201);
    CHECK(adj.json().at("adjustment_id").as_int64() > 0);
    CHECK(str(adj.json(), "month") == "2026-11");
    CHECK(str(adj.json(), "firm_code") == "F003");
    CHECK(adj.json().at("amount_fen").as_int64() == -1500);
    CHECK(str(adj.json(), "corrects_month") == "2026-10");
    CHECK(str(adj.json(), "created_by") == "finance1");
    auto unknown = fin.post("/api/v1/settlements/2026-11/adjustments",
                            json::object{{"firm_code", "F999"}, {"amount_fen", 100}, {"corrects_month", "2026-10"},
                                         {"reason", "x"}});
    CHECK(unknown.status == 404);
    CHECK(str(unknown.json().at("error"), "field") == "firm_code");
  }
}

TEST_CASE("an admin issues a firm's partner token once; it is audited and the old one stops working", "[api][firms]") {
  TestServer s;
  s.import("areas", "code,name,parent_code,level\n620102,城关区,,district\n620102001,街道,620102,street\n"
                    "620102001001,社区,620102001,community\n");
  s.import("firms", "code,name,base_lat,base_lon,daily_capacity,status\nF001,甲,36.06,103.83,10,active\n");
  const std::string old_token = s.firm_token("F001");
  s.add_user("admin1", "admin");
  s.add_user("op1", "operator");
  s.start();
  auto admin = s.login("admin1");
  auto r = admin.post("/api/v1/firms/F001/token", json::object{});
  INFO(r.body);
  REQUIRE(r.status == 201);
  const std::string token(r.json().at("token").as_string());
  CHECK(token.size() >= 32);
  CHECK(token != old_token);
  CHECK(admin.post("/api/v1/firms/F999/token", json::object{}).status == 404);
  CHECK(s.login("op1").post("/api/v1/firms/F001/token", json::object{}).status == 403);
  auto audit = admin.get("/api/v1/audit?subject=firm:F001");
  INFO(audit.body);
  CHECK(audit.body.find("firm.token_issue") != std::string::npos);
  CHECK(audit.body.find(token) == std::string::npos);  // only its hash is kept
}

TEST_CASE("a rejected import writes nothing, though its job wrote a row before it failed", "[api][import]") {
  auto& s = shared();
  auto admin = s.login("admin1");
  auto replays = [&] {
    auto m = admin.get("/metrics");
    auto at = m.body.find("\nvnh_writer_batch_replays_total ");
    REQUIRE(at != std::string::npos);
    return std::stod(m.body.substr(at + 32));
  };
  const double before = replays();
  // The first street is valid and is written before the second is found to lack its parent:
  // the writer must undo the first by rolling back and running the job again in a savepoint.
  auto r = admin.request("POST", "/api/v1/import/areas?file=streets.csv",
                         "code,name,parent_code,level\n620102997,新街道,620102,street\n620102998,坏街道,629999,street\n");
  INFO(r.body);
  REQUIRE(r.status == 422);
  auto errors = r.json().at("errors").as_array();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].at("line").as_int64() == 3);
  CHECK(str(errors[0], "column") == "parent_code");
  CHECK(str(errors[0], "text").rfind("streets.csv:3: parent_code: ", 0) == 0);
  CHECK(replays() == before + 1);
  auto streets = admin.get("/api/v1/areas?parent=620102");
  REQUIRE(streets.status == 200);
  CHECK(streets.body.find("620102997") == std::string::npos);
  CHECK(streets.body.find("620102001") != std::string::npos);
}
