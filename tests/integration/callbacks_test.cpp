// SPEC §4.8 (capacity) and click-to-dial over real HTTP against the real binary: the day's
// queue with what the cap left out, filters and pages, attempts until the elder is reached or
// the attempts run out, no second reached callback; dialling through a PBX hook (a fake PBX on
// 127.0.0.1 that records what it was asked) or by hand, audited either way.
#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <thread>

#include "common/text.hpp"
#include "tests/support/test_server.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::int64_t num(const json::value& v, const char* k) { return v.as_object().at(k).to_number<std::int64_t>(); }

// The default policy with a daily callback capacity of 2.
std::string small_capacity_policy(const TempDir& dir) {
  auto text = slurp(std::string(VNH_SOURCE_DIR) + "/data/policy.toml");
  auto out = std::regex_replace(text, std::regex(R"(daily_capacity = 200 )"), "daily_capacity = 2 ");
  REQUIRE(out != text);
  auto path = dir.file("policy.toml");
  std::ofstream(path) << out;
  return path;
}

// Yesterday (2026-11-22): ten visits by F_MID's M1 to elders it has served before (not risky:
// 10% of them, one, is drawn at random) and two by F_FAR's R1, new and a first visit (risky).
void load_yesterday(TestServer& s) {
  std::string csv =
      "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
      "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n";
  auto row = [&](const std::string& no, const char* id, const char* firm, const char* staff, const char* day, int h) {
    csv += fmt::format("{0},{1},LC010,{2},normal,{3}T{4:02}:00:00+08:00,{3}T{5:02}:00:00+08:00,{3}T07:00:00+08:00,"
                       "{3}T{4:02}:05:00+08:00,36.0600,103.8300,{3}T{4:02}:50:00+08:00,36.0600,103.8300,{6},completed\r\n",
                       no, id, firm, day, h, h + 1, staff);
  };
  row("TOLD1", "620102195810100019", "F_MID", "M1", "2026-09-20", 9);
  row("TOLD2", "62010219511015004X", "F_MID", "M1", "2026-09-20", 11);
  for (int i = 0; i < 10; ++i) {
    row(fmt::format("TM{:02}", i), i % 2 ? "62010219511015004X" : "620102195810100019", "F_MID", "M1", "2026-11-22",
        8 + i);
  }
  row("TF01", "620102193806200050", "F_FAR", "R1", "2026-11-22", 9);
  row("TF02", "620102193806200050", "F_FAR", "R1", "2026-11-22", 14);
  s.import("tickets", csv);
}

struct Desk {
  TempDir dir;
  TestServer s;
  explicit Desk(std::vector<std::string> extra = {})
      : s(TestServer::Options{true, "2026-11-23T09:00:00+08:00", with_policy(std::move(extra))}) {
    load_small_district(s);
    load_yesterday(s);
    s.add_user("op1", "operator");
    s.add_user("op2", "operator");
    s.add_user("admin1", "admin");
    s.start();
  }
  std::vector<std::string> with_policy(std::vector<std::string> extra) {
    extra.insert(extra.end(), {"--policy", small_capacity_policy(dir)});
    return extra;
  }
};

// A PBX's originate hook on 127.0.0.1: answers `status` to each request (0: reads it and never
// answers) and keeps what it got.
class FakePbx {
 public:
  explicit FakePbx(int status) : status_(status), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~FakePbx() {
    asio::post(ioc_, [this] { acceptor_.close(); });
    ioc_.stop();
    thread_.join();
  }
  unsigned short port() const { return port_; }
  std::vector<http::request<http::string_body>> received() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  void serve() {
    accept();
    ioc_.run();
  }
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, asio::ip::tcp::socket sock) {
      if (ec) return;
      beast::flat_buffer buf;
      http::request<http::string_body> req;
      beast::error_code rec;
      http::read(sock, buf, req, rec);
      if (!rec) {
        {
          std::lock_guard lock(mu_);
          got_.push_back(req);
        }
        if (status_ == 0) {
          silent_.push_back(std::move(sock));  // held open, never answered
          return accept();
        }
        http::response<http::string_body> res{static_cast<http::status>(status_), 11};
        res.body() = status_ < 300 ? R"({"id":"chan-1"})" : "busy";
        res.prepare_payload();
        http::write(sock, res, rec);
      }
      accept();
    });
  }
  int status_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  std::vector<asio::ip::tcp::socket> silent_;
  std::mutex mu_;
  std::vector<http::request<http::string_body>> got_;
};

// A loopback port nothing listens on.
unsigned short closed_port() {
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

}  // namespace

TEST_CASE("the day's queue is capped in order of risk and says what the cap left out", "[callbacks][capacity]") {
  Desk d;
  auto op = d.s.login("op1");
  auto r = op.get("/api/v1/callbacks/queue");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto q = r.json();
  CHECK(str(q, "date") == "2026-11-23");
  const auto& sum = q.at("summary");
  CHECK(num(sum, "capacity") == 2);
  CHECK(num(sum, "max_attempts") == 3);
  CHECK(num(sum, "sampled") == 2);
  CHECK(num(sum, "pending") == 2);
  CHECK(num(sum, "risky_total") == 2);
  CHECK(num(sum, "risky_left_out") == 0);
  CHECK(num(sum, "random_total") == 1);
  CHECK(num(sum, "random_left_out") == 1);
  const auto& items = q.at("items").as_array();
  REQUIRE(items.size() == 2);
  CHECK(str(items[0], "ticket_no") == "TF01");
  CHECK(str(items[0], "reasons") == "first_visit,new_worker");
  CHECK(str(items[1], "ticket_no") == "TF02");
  CHECK(str(items[1], "reasons") == "new_worker");
  CHECK(num(items[0], "attempts") == 0);
  CHECK(items[0].at("done").as_bool() == false);
  // The ticket comes with it, masked for the operator.
  CHECK(str(items[0].at("ticket"), "item_code") == "LC010");

  SECTION("the same day asked again is the same queue, for every operator") {
    auto again = d.s.login("op2").get("/api/v1/callbacks/queue").json();
    CHECK(again.at("items").as_array().size() == 2);
    CHECK(str(again.at("items").as_array()[0], "ticket_no") == "TF01");
  }
  SECTION("a death recorded today takes the elder's calls out of the queue, and a callback is refused") {
    const std::string elder = str(items[0].at("ticket"), "elder_id");
    auto died = d.s.login("admin1").post("/api/v1/elders/" + elder + "/death",
                                         json::object{{"died_on", "2026-11-22"}, {"informant", "女儿"}});
    INFO(died.body);
    REQUIRE(died.status == 201);
    CHECK(num(died.json(), "callbacks_dropped") == 2);
    auto after = op.get("/api/v1/callbacks/queue").json();
    CHECK(after.at("items").as_array().empty());
    CHECK(num(after.at("summary"), "pending") == 0);
    auto refused = op.post("/api/v1/callbacks", json::object{{"ticket_no", "TF01"}, {"reached", true}, {"satisfaction", 5}});
    CHECK(refused.status == 409);
    CHECK(str(refused.json().at("error"), "code") == "elder_deceased");
  }
  SECTION("filters: reason, firm, status") {
    auto first = op.get("/api/v1/callbacks/queue?reason=first_visit").json().at("items").as_array();  // a copy
    REQUIRE(first.size() == 1);
    CHECK(str(first[0], "ticket_no") == "TF01");
    CHECK(op.get("/api/v1/callbacks/queue?firm_code=F_FAR").json().at("items").as_array().size() == 2);
    CHECK(op.get("/api/v1/callbacks/queue?firm_code=F_MID").json().at("items").as_array().empty());
    CHECK(op.get("/api/v1/callbacks/queue?firm_code=NOBODY").json().at("items").as_array().empty());
    CHECK(op.get("/api/v1/callbacks/queue?status=done").json().at("items").as_array().empty());
    CHECK(op.get("/api/v1/callbacks/queue?status=pending").json().at("items").as_array().size() == 2);
    auto bad = op.get("/api/v1/callbacks/queue?reason=bored");
    CHECK(bad.status == 422);
    CHECK(str(bad.json().at("error"), "field") == "reason");
    CHECK(str(op.get("/api/v1/callbacks/queue?status=later").json().at("error"), "field") == "status");
  }
  SECTION("a page at a time") {
    auto p1 = op.get("/api/v1/callbacks/queue?limit=1").json();
    REQUIRE(p1.at("items").as_array().size() == 1);
    auto next = str(p1, "next");
    REQUIRE(!next.empty());
    auto p2 = op.get("/api/v1/callbacks/queue?limit=1&cursor=" + next).json();
    REQUIRE(p2.at("items").as_array().size() == 1);
    CHECK(str(p2.at("items").as_array()[0], "ticket_no") == "TF02");
    auto p3 = op.get("/api/v1/callbacks/queue?limit=1&cursor=" + str(p2, "next")).json();
    CHECK(p3.at("items").as_array().empty());
    CHECK(p3.at("next").is_null());
    for (const char* c : {"x", "2.5", "0.", "0.-3", "1.abc"}) {
      auto bad = op.get(std::string("/api/v1/callbacks/queue?cursor=") + c);
      INFO(c);
      CHECK(bad.status == 422);
      CHECK(str(bad.json().at("error"), "field") == "cursor");
    }
  }
}

TEST_CASE("a callback is tried until the elder is reached or the attempts run out, and reached once",
          "[callbacks][attempts]") {
  Desk d;
  auto op = d.s.login("op1");
  REQUIRE(op.get("/api/v1/callbacks/queue").status == 200);
  auto entry = [&](const std::string& no) {
    auto q = op.get("/api/v1/callbacks/queue").json();
    for (const auto& x : q.at("items").as_array()) {
      if (str(x, "ticket_no") == no) return x;
    }
    FAIL("no " << no << " in the queue");
    return json::value();
  };
  auto not_reached = json::object{{"ticket_no", "TF01"}, {"reached", false}};
  REQUIRE(op.post("/api/v1/callbacks", not_reached).status == 201);
  REQUIRE(op.post("/api/v1/callbacks", not_reached).status == 201);
  CHECK(num(entry("TF01"), "attempts") == 2);
  CHECK(entry("TF01").at("done").as_bool() == false);
  CHECK(num(op.get("/api/v1/callbacks/queue").json(), "pending") == 2);
  REQUIRE(op.post("/api/v1/callbacks", not_reached).status == 201);
  CHECK(num(entry("TF01"), "attempts") == 3);
  CHECK(entry("TF01").at("done").as_bool() == true);  // three tries: off the pending list

  auto reached = json::object{{"ticket_no", "TF02"}, {"reached", true}, {"rating", 5}, {"service_received", true}};
  REQUIRE(op.post("/api/v1/callbacks", reached).status == 201);
  CHECK(entry("TF02").at("done").as_bool() == true);
  CHECK(num(entry("TF02"), "attempts") == 0);
  auto q = op.get("/api/v1/callbacks/queue").json();
  CHECK(num(q, "pending") == 0);
  CHECK(num(q.at("summary"), "pending") == 0);
  // Done ones are listed after the pending ones; here all are done.
  CHECK(q.at("items").as_array().size() == 2);

  // A second operator who reaches the elder again is told who did it first; nothing changes.
  auto op2 = d.s.login("op2");
  auto again = op2.post("/api/v1/callbacks", reached);
  INFO(again.body);
  CHECK(again.status == 409);
  CHECK(str(again.json().at("error"), "code") == "already_called_back");
  CHECK(str(again.json().at("error"), "message").find("op1") != std::string::npos);
  auto tk = op.get("/api/v1/tickets/TF02").json();
  CHECK(tk.at("callbacks").as_array().size() == 1);
}

TEST_CASE("without a PBX hook the number is shown to dial by hand, and the reveal is audited", "[callbacks][dial]") {
  Desk d;
  auto op = d.s.login("op1");
  auto r = op.post("/api/v1/calls/dial", json::object{{"ticket_no", "TF01"}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(str(r.json(), "mode") == "manual");
  CHECK(str(r.json(), "phone").find('*') == std::string::npos);
  CHECK(str(r.json(), "phone").find("8123456") != std::string::npos);
  auto audit = d.s.login("admin1").get("/api/v1/audit?subject=ticket:TF01").json();
  REQUIRE(!audit.at("entries").as_array().empty());
  const auto& e = audit.at("entries").as_array().at(0);
  CHECK(str(e, "action") == "phone.dial");
  CHECK(str(e, "actor") == "op1");

  CHECK(op.post("/api/v1/calls/dial", json::object{{"ticket_no", "NOPE"}}).status == 404);
  auto both = op.post("/api/v1/calls/dial", json::object{{"ticket_no", "TF01"}, {"call_id", "C1"}});
  CHECK(both.status == 422);
  CHECK(str(both.json().at("error"), "field") == "ticket_no");
  CHECK(op.post("/api/v1/calls/dial", json::object{}).status == 422);
  CHECK(op.post("/api/v1/calls/dial", json::object{{"call_id", "C-nobody"}}).status == 404);
}

TEST_CASE("with a PBX hook the PBX rings the operator and the number stays masked; a PBX that is down says so",
          "[callbacks][dial]") {
  SECTION("the PBX takes the call") {
    FakePbx pbx(200);
    Desk d({"--pbx-dial-url", fmt::format("http://127.0.0.1:{}/ari/channels?endpoint=PJSIP/{{agent}}&extension={{number}}",
                                          pbx.port())});
    auto op = d.s.login("op1");
    auto r = op.post("/api/v1/calls/dial", json::object{{"ticket_no", "TF02"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(str(r.json(), "mode") == "pbx");
    CHECK(str(r.json(), "phone").find('*') != std::string::npos);
    auto got = pbx.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].method() == http::verb::post);
    CHECK(std::string(got[0].target()).find("endpoint=PJSIP/op1&extension=") != std::string::npos);
    auto body = json::parse(got[0].body());
    CHECK(str(body, "agent") == "op1");
    CHECK(str(body, "number").find("8123456") != std::string::npos);
  }
  SECTION("the PBX refuses") {
    FakePbx pbx(503);
    Desk d({"--pbx-dial-url", fmt::format("http://127.0.0.1:{}/originate?to={{number}}", pbx.port())});
    auto r = d.s.login("op1").post("/api/v1/calls/dial", json::object{{"ticket_no", "TF02"}});
    CHECK(r.status == 502);
    CHECK(str(r.json().at("error"), "code") == "pbx_unavailable");
    CHECK(pbx.received().size() == 1);
  }
  SECTION("the PBX takes the request and never answers: refused after the timeout, not left hanging") {
    FakePbx pbx(0);
    Desk d({"--pbx-dial-url", fmt::format("http://127.0.0.1:{}/originate?to={{number}}", pbx.port())});
    auto r = d.s.login("op1").post("/api/v1/calls/dial", json::object{{"ticket_no", "TF02"}});
    CHECK(r.status == 502);
    CHECK(str(r.json().at("error"), "code") == "pbx_unavailable");
    CHECK(pbx.received().size() == 1);
  }
  SECTION("nothing listens") {
    Desk d({"--pbx-dial-url", fmt::format("http://127.0.0.1:{}/originate?to={{number}}", closed_port())});
    auto r = d.s.login("op1").post("/api/v1/calls/dial", json::object{{"ticket_no", "TF02"}});
    CHECK(r.status == 502);
    CHECK(str(r.json().at("error"), "code") == "pbx_unavailable");
  }
}

TEST_CASE("a PBX dial URL without {number} or not http stops the server at start", "[callbacks][dial]") {
  TempDir dir;
  for (const char* bad : {"http://127.0.0.1:1/originate", "https://pbx.example/originate?to={number}"}) {
    auto r = run_vnh({"serve", "--db", dir.file("x.db"), "--listen", "127.0.0.1:0", "--pbx-dial-url", bad});
    INFO(bad << " → " << r.out);
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("PBX dial URL") != std::string::npos);
  }
}
