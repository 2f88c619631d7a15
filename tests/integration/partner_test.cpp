// The partner websocket protocol against the real binary (SPEC §8, §10; issue 4).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>
#include <set>
#include <future>
#include <thread>

#include "sim/firm_agent.hpp"
#include "store/query.hpp"
#include "store/sqlite.hpp"
#include "tests/support/live.hpp"
#include "tests/support/partner.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {


struct Rig {
  TestServer s;
  std::map<std::string, std::string> tokens;
  explicit Rig(TestServer::Options o = {}) : s(std::move(o)) {
    load_small_district(s);
    s.add_user("op", "operator");
    s.add_user("sup", "supervisor");
    s.add_user("admin", "admin");
    for (const char* f : {"F_NEAR", "F_MID", "F_FAR"}) tokens[f] = s.firm_token(f);
    s.start();
  }
  std::string create(sim::HttpClient& op, const std::string& item = "LC010", const std::string& urgency = "normal",
                     const std::string& elder = "E1") {
    auto r = op.post("/api/v1/tickets", json::object{{"elder_id", elder}, {"item_code", item}, {"urgency", urgency}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    return str(r.json(), "ticket_no");
  }
  json::value ticket(sim::HttpClient& c, const std::string& no) { return c.get("/api/v1/tickets/" + no).json(); }
};

vnh::v1::ClientFrame decline(const std::string& no) {
  vnh::v1::ClientFrame f;
  f.mutable_decline()->set_ticket_no(no);
  f.mutable_decline()->set_reason("busy");
  return f;
}
template <class M>
void fill_visit(M* m, const std::string& no, const std::string& staff, double lat, double lon) {
  m->set_ticket_no(no);
  m->set_staff_code(staff);
  m->set_time_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count());
  m->set_lat(lat);
  m->set_lon(lon);
  m->set_photo_sha256(std::string(64, 'c'));
}
vnh::v1::ClientFrame check_in(const std::string& no, const std::string& staff, double lat = 36.06, double lon = 103.83) {
  vnh::v1::ClientFrame f;
  fill_visit(f.mutable_check_in(), no, staff, lat, lon);
  return f;
}
vnh::v1::ClientFrame check_out(const std::string& no, const std::string& staff) {
  vnh::v1::ClientFrame f;
  fill_visit(f.mutable_check_out(), no, staff, 36.06, 103.83);
  return f;
}

}  // namespace

TEST_CASE("a firm must present its token; then it is welcomed", "[partner][auth]") {
  Rig r;
  TestPartner none(r.s.endpoint(), "");
  CHECK_FALSE(none.wait_open());
  CHECK(none.refused_status() == 401);
  TestPartner bad(r.s.endpoint(), "not-a-token");
  CHECK_FALSE(bad.wait_open());
  CHECK(bad.refused_status() == 401);
  TestPartner good(r.s.endpoint(), r.tokens["F_NEAR"]);
  REQUIRE(good.wait_open());
  auto w = good.next([](const auto& f) { return f.has_welcome(); });
  REQUIRE(w);
  CHECK(w->welcome().firm_code() == "F_NEAR");
  CHECK(w->seq() == 0);
  SECTION("a revoked token no longer works") {
    auto fresh = r.s.firm_token("F_NEAR");  // revokes the old one
    TestPartner old(r.s.endpoint(), r.tokens["F_NEAR"]);
    CHECK_FALSE(old.wait_open());
    TestPartner now(r.s.endpoint(), fresh);
    CHECK(now.wait_open());
  }
}

TEST_CASE("an open partner socket ends when its token is replaced or its firm stops being active", "[partner][auth]") {
  Rig r;
  SECTION("a new token, issued from the command line or the API") {
    TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
    REQUIRE(near.wait_open());
    auto fresh = r.s.firm_token("F_NEAR");  // another process: found by the once-a-second check
    CHECK(near.wait_closed(std::chrono::seconds(3)));
    CHECK(near.close_reason().find("token") != std::string::npos);
    TestPartner now(r.s.endpoint(), fresh);
    REQUIRE(now.wait_open());
    auto admin = r.s.login("admin");
    REQUIRE(admin.post("/api/v1/firms/F_NEAR/token", json::object{}).status == 201);
    CHECK(now.wait_closed(std::chrono::seconds(3)));
  }
  SECTION("suspended: the socket ends and reconnecting is refused") {
    TestPartner mid(r.s.endpoint(), r.tokens["F_MID"]);
    REQUIRE(mid.wait_open());
    auto sup = r.s.login("sup");
    auto st = sup.post("/api/v1/firms/F_MID/status", json::object{{"status", "suspended"}, {"reason", "inspection"}});
    INFO(st.body);
    REQUIRE(st.status == 200);
    CHECK(mid.wait_closed(std::chrono::seconds(3)));
    CHECK(mid.close_reason().find("suspended") != std::string::npos);
    TestPartner again(r.s.endpoint(), r.tokens["F_MID"]);
    CHECK_FALSE(again.wait_open());
    CHECK(again.refused_status() == 403);
  }
}

TEST_CASE("offer → accept → assign → check-in → check-out → completed", "[partner][flow]") {
  Rig r;
  auto op = r.s.login("op");
  TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
  REQUIRE(near.wait_open());
  auto no = r.create(op);
  auto offer = near.next_offer();
  REQUIRE(offer);
  CHECK(offer->seq() >= 1);
  CHECK(offer->offer().ticket_no() == no);
  CHECK(offer->offer().item().code() == "LC010");
  CHECK(offer->offer().elder().name() == "张*明");  // masked until accepted
  CHECK(offer->offer().accept_by_ms() > 0);
  auto acc = near.command(accept(no));
  REQUIRE(acc);
  CHECK(acc->ok());
  CHECK(acc->state() == "accepted");
  CHECK(acc->elder().name() == "张三明");
  CHECK(acc->elder().phone() == "13970241505");
  CHECK(near.command(assign(no, "N1"))->ok());
  auto in = near.command(check_in(no, "N1"));
  REQUIRE(in);
  CHECK(in->ok());
  CHECK(in->state() == "in_service");
  auto out = near.command(check_out(no, "N1"));
  REQUIRE(out);
  CHECK(out->ok());
  CHECK(out->state() == "completed");
  auto t = r.ticket(op, no);
  CHECK(str(t, "state") == "completed");
  CHECK(str(t, "firm_code") == "F_NEAR");
  CHECK(str(t, "staff_code") == "N1");
  // created, offered, accepted, staff_assigned, checked_in, visit_exception (short), checked_out
  std::vector<std::string> types;
  for (const auto& e : t.at("events").as_array()) types.push_back(str(e, "type"));
  CHECK(std::find(types.begin(), types.end(), "accepted") != types.end());
  CHECK(std::find(types.begin(), types.end(), "checked_in") != types.end());
  CHECK(std::find(types.begin(), types.end(), "checked_out") != types.end());
  SECTION("a visit that short is flagged, and a supervisor clears it with a reason") {
    REQUIRE(t.at("exceptions").as_array().size() == 1);
    CHECK(str(t.at("exceptions").as_array().at(0), "type") == "short_visit");
    auto sup = r.s.login("sup");
    auto q = sup.get("/api/v1/exceptions").json();
    auto id = q.at("exceptions").as_array().at(0).at("exception_id").as_int64();
    auto bad = sup.post(fmt::format("/api/v1/exceptions/{}/clear", id), json::object{{"reason_code", "nope"}, {"note", "x"}});
    CHECK(bad.status == 422);
    auto ok = sup.post(fmt::format("/api/v1/exceptions/{}/clear", id),
                       json::object{{"reason_code", "elder_requested_short_service"}, {"note", "老人要求提前结束"}});
    REQUIRE(ok.status == 200);
    CHECK(ok.json().at("held_exceptions").as_int64() == 0);
  }
}

TEST_CASE("a decline passes the offer to the next firm; the decliner cannot take it back", "[partner][decline]") {
  Rig r;
  auto op = r.s.login("op");
  TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
  TestPartner mid(r.s.endpoint(), r.tokens["F_MID"]);
  REQUIRE(near.wait_open());
  REQUIRE(mid.wait_open());
  auto no = r.create(op);
  REQUIRE(near.next_offer());
  auto d = near.command(decline(no));
  REQUIRE(d);
  CHECK(d->ok());
  auto o2 = mid.next_offer();
  REQUIRE(o2);
  CHECK(o2->offer().ticket_no() == no);
  auto back = near.command(accept(no));
  CHECK_FALSE(back->ok());
  CHECK(back->error_code() == "not_your_ticket");
  SECTION("a repeated request_id repeats the answer and does nothing else") {
    vnh::v1::ClientFrame a = accept(no);
    a.set_request_id("same-id");
    auto first = mid.command(a);
    auto second = mid.command(a);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->SerializeAsString() == second->SerializeAsString());
    auto t = r.ticket(op, no);
    int accepts = 0;
    for (const auto& e : t.at("events").as_array()) accepts += str(e, "type") == "accepted";
    CHECK(accepts == 1);
  }
  SECTION("another firm cannot touch it") {
    REQUIRE(mid.command(accept(no))->ok());
    TestPartner far(r.s.endpoint(), r.tokens["F_FAR"]);
    REQUIRE(far.wait_open());
    auto x = far.command(check_in(no, "R1"));
    CHECK_FALSE(x->ok());
    CHECK(x->error_code() == "not_your_ticket");
    CHECK(str(r.ticket(op, no), "state") == "accepted");
  }
}

TEST_CASE("offers time out on the policy's clock: next firm, then unassigned, re-offered by a supervisor",
          "[partner][timeout]") {
  Rig r(TestServer::Options{true, "2026-11-23T09:00:00+08:00", {}});
  auto op = r.s.login("op");
  auto admin = r.s.login("admin");
  TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
  TestPartner mid(r.s.endpoint(), r.tokens["F_MID"]);
  TestPartner far(r.s.endpoint(), r.tokens["F_FAR"]);
  // All three online before the ticket: presence decides who is offered first (SPEC §4.6).
  REQUIRE(near.wait_open());
  REQUIRE(mid.wait_open());
  REQUIRE(far.wait_open());
  auto no = r.create(op);
  auto first = near.next_offer();
  REQUIRE(first);
  auto advance = [&](std::int64_t ms) {
    REQUIRE(admin.post("/api/v1/admin/clock", json::object{{"advance_ms", ms}}).status == 200);
  };
  advance(599'000);
  CHECK_FALSE(mid.next_offer(300ms));
  advance(1'000);
  auto w = near.next([](const auto& f) { return f.has_withdrawn(); });
  REQUIRE(w);
  CHECK(w->withdrawn().reason() == "timeout");
  CHECK(w->seq() > first->seq());
  REQUIRE(mid.next_offer());
  advance(600'000);
  REQUIRE(far.next_offer());
  advance(600'000);
  std::string state;
  eventually([&] { return (state = str(r.ticket(op, no), "state")) == "unassigned"; }, 5s);
  CHECK(state == "unassigned");
  auto late = near.command(accept(no));
  CHECK_FALSE(late->ok());
  auto sup = r.s.login("sup");
  auto again = sup.post("/api/v1/tickets/" + no + "/reoffer", json::object{{"firm_code", "F_MID"}});
  INFO(again.body);
  REQUIRE(again.status == 200);
  CHECK(str(again.json(), "firm_code") == "F_MID");
  REQUIRE(mid.next_offer());
  CHECK(mid.command(accept(no))->ok());
  SECTION("emergencies go to the nearest firm and time out after 60 s") {
    auto em = r.create(op, "EA001", "emergency");
    auto o = near.next_offer();
    REQUIRE(o);
    CHECK(o->offer().urgency() == "emergency");
    CHECK(o->offer().accept_by_ms() - o->offer().window_start_ms() <= 60'000);
    advance(30'000);  // the firms stay alive on the test clock (presence: a ping within 40 s)
    REQUIRE(mid.ping());
    REQUIRE(far.ping());
    advance(30'000);
    auto o2 = mid.next_offer();
    REQUIRE(o2);
    CHECK(o2->offer().ticket_no() == em);
  }
}

TEST_CASE("presence counts: a normal ticket goes to a connected firm before a nearer absent one; an absent one "
          "still gets it when no firm is online", "[partner][presence]") {
  Rig r;
  auto op = r.s.login("op");
  {
    TestPartner mid(r.s.endpoint(), r.tokens["F_MID"]);
    REQUIRE(mid.wait_open());
    auto no = r.create(op);
    CHECK(str(r.ticket(op, no), "firm_code") == "F_MID");  // F_NEAR is nearer but not connected
    auto o = mid.next_offer();
    REQUIRE(o);
    CHECK(o->offer().ticket_no() == no);
  }
  // Nobody online: the normal order again (the nearest), the offer waiting in its outbox.
  eventually([&] { return r.s.login("sup").get("/api/v1/firms").body.find("\"online\"") == std::string::npos; }, 5s);
  auto no2 = r.create(op);
  CHECK(str(r.ticket(op, no2), "firm_code") == "F_NEAR");
}

TEST_CASE("an emergency with no firm online goes straight to unassigned (no_online_firm) with an alert; with one "
          "online it is offered to that one only", "[partner][presence]") {
  Rig r;
  auto op = r.s.login("op");
  sim::HttpClient sup(r.s.endpoint());
  auto login = sup.post("/api/v1/login", json::object{{"username", "sup"}, {"password", "password-123"}});
  REQUIRE(login.status == 200);
  Live live(std::to_string(r.s.port()), str(login.json(), "token"));
  REQUIRE(!live.next_of("hello").is_null());
  auto em = r.create(op, "EA001", "emergency");
  auto t = r.ticket(op, em);
  CHECK(str(t, "state") == "unassigned");
  CHECK(str(t, "unassigned_reason") == "no_online_firm");
  CHECK(t.at("offers_made").as_int64() == 0);  // no 60 s wasted per absent firm
  auto alert = live.next_of("alert", "ticket_no", em);
  REQUIRE(!alert.is_null());
  CHECK(str(alert, "unassigned_reason") == "no_online_firm");
  TestPartner far(r.s.endpoint(), r.tokens["F_FAR"]);
  REQUIRE(far.wait_open());
  auto em2 = r.create(op, "EA001", "emergency");
  CHECK(str(r.ticket(op, em2), "firm_code") == "F_FAR");  // the only one online, though the farthest
}

TEST_CASE("an offline firm gets its offer on connecting, acks it, and never gets it again", "[partner][outbox]") {
  Rig r;
  auto op = r.s.login("op");
  auto no = r.create(op);  // F_NEAR is offline
  CHECK(str(r.ticket(op, no), "firm_code") == "F_NEAR");
  {
    TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
    auto o = near.next_offer();
    REQUIRE(o);
    CHECK(o->offer().ticket_no() == no);
    // Wait until the ack is recorded (an ack still in flight at reconnect means a harmless re-send).
    eventually([&] {
      auto firms = op.get("/api/v1/firms").json();
      for (const auto& f : firms.at("firms").as_array()) {
        if (str(f, "code") == "F_NEAR") return f.at("outbox_unacked").as_int64() == 0;
      }
      return false;
    }, 5s);
  }  // acked automatically, then disconnected
  TestPartner again(r.s.endpoint(), r.tokens["F_NEAR"]);
  REQUIRE(again.next([](const auto& f) { return f.has_welcome(); }));
  CHECK_FALSE(again.next_offer(500ms));
}

TEST_CASE("an unacknowledged offer survives kill -9 and is re-sent after restart", "[partner][durability]") {
  Rig r;
  auto op = r.s.login("op");
  std::string no;
  std::uint64_t seq = 0;
  {
    TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"], /*auto_ack=*/false);
    REQUIRE(near.wait_open());
    no = r.create(op);
    auto o = near.next_offer();
    REQUIRE(o);
    seq = o->seq();
    r.s.kill9();
  }
  r.s.start();
  TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"], false);
  auto o = near.next_offer();
  INFO(r.s.log());
  REQUIRE(o);
  CHECK(o->offer().ticket_no() == no);
  CHECK(o->seq() == seq);
  near.ack(seq);
  auto op2 = r.s.login("op");
  CHECK(str(r.ticket(op2, no), "state") == "offered");
  CHECK(near.command(accept(no))->ok());
}

TEST_CASE("bad frames get an error or a close with a reason, never a crash or a change", "[partner][robustness]") {
  Rig r;
  auto op = r.s.login("op");
  TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
  REQUIRE(near.wait_open());
  auto no = r.create(op);
  REQUIRE(near.next_offer());
  SECTION("garbage bytes") {
    near.send_raw(std::string("\xff\xff\xff\x01garbage", 11));
    auto e = near.next([](const auto& f) { return f.has_result(); });
    REQUIRE(e);
    CHECK_FALSE(e->result().ok());
    CHECK(e->result().error_code() == "malformed_frame");
  }
  SECTION("an empty frame (unknown message type)") {
    vnh::v1::ClientFrame f;
    f.set_request_id("x1");
    auto res = near.command(f);
    REQUIRE(res);
    CHECK(res->error_code() == "unknown_message");
  }
  SECTION("a command without a request_id") {
    vnh::v1::ClientFrame f = accept(no);
    near.send(f);
    auto e = near.next([](const auto& x) { return x.has_result(); });
    REQUIRE(e);
    CHECK(e->result().error_code() == "invalid_request_id");
  }
  SECTION("a command in the wrong state") {
    auto res = near.command(check_in(no, "N1"));
    CHECK(res->error_code() == "illegal_transition");
  }
  SECTION("a bad photo digest names the field") {
    REQUIRE(near.command(accept(no))->ok());
    auto f = check_in(no, "N1");
    f.mutable_check_in()->set_photo_sha256("abc");
    auto res = near.command(f);
    CHECK(res->error_code() == "invalid_argument");
    CHECK(res->message().find("photo_sha256") != std::string::npos);
  }
  SECTION("a text frame closes the connection with a reason") {
    near.send_raw("hello", false);
    CHECK(near.wait_closed());
    CHECK(near.close_reason().find("binary") != std::string::npos);
  }
  SECTION("an oversize frame closes the connection") {
    near.send_raw(std::string(200 * 1024, 'x'));
    CHECK(near.wait_closed());
  }
  CHECK(str(r.ticket(op, no), "state") != "");
  CHECK(sim::HttpClient(r.s.endpoint()).get("/healthz").status == 200);
}

TEST_CASE("a check-in far from home raises a distance exception held out of settlement", "[partner][visit]") {
  Rig r;
  auto op = r.s.login("op");
  TestPartner near(r.s.endpoint(), r.tokens["F_NEAR"]);
  auto no = r.create(op);
  REQUIRE(near.next_offer());
  REQUIRE(near.command(accept(no))->ok());
  REQUIRE(near.command(check_in(no, "N1", 36.0650, 103.83))->ok());  // ~556 m away
  auto t = r.ticket(op, no);
  REQUIRE(t.at("exceptions").as_array().size() == 1);
  CHECK(str(t.at("exceptions").as_array().at(0), "type") == "distance");
  const auto& facts = t.at("exceptions").as_array().at(0).at("facts").as_object();
  CHECK(facts.at("distance_m").as_int64() > 300);
  CHECK(facts.at("limit_m").as_int64() == 300);
  CHECK(t.at("held_exceptions").as_int64() == 1);
  auto sup = r.s.login("sup");
  auto id = t.at("exceptions").as_array().at(0).at("exception_id").as_int64();
  auto up = sup.post(fmt::format("/api/v1/exceptions/{}/uphold", id),
                     json::object{{"reason_code", "not_at_home_confirmed"}, {"note", "回访核实"}});
  REQUIRE(up.status == 200);
  CHECK(up.json().at("held_exceptions").as_int64() == 1);
}

TEST_CASE("20 firms × 2,000 tickets with 10% of links dropped before the ack: none lost, none double-assigned",
          "[partner][load]") {
  TestServer s;
  s.import("areas", "code,name,parent_code,level\r\n620102,城关区,,district\r\n620102001,街道,620102,street\r\n"
                    "620102001001,社区,620102001,community\r\n");
  s.import("catalog", "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\n"
                      "LC010,助浴,life_care,次,4800,6000,60,0\r\n");
  s.import("elders", "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n"
                     "620102195810100019,张三明,13970241505,620102001001,36.06,103.83,A,2026-01-05\r\n");
  std::string firms = "code,name,base_lat,base_lon,daily_capacity,status\r\n";
  std::string areas = "firm_code,area_code,category\r\n";
  for (int i = 1; i <= 20; ++i) {
    firms += fmt::format("F{:02},企业{},{:.4f},103.83,100000,active\r\n", i, i, 36.0 + i * 0.005);
    areas += fmt::format("F{:02},620102,life_care\r\n", i);
  }
  s.import("firms", firms);
  s.import("firm-areas", areas);
  s.add_user("op", "operator");
  std::vector<std::string> tokens;
  for (int i = 1; i <= 20; ++i) tokens.push_back(s.firm_token(fmt::format("F{:02}", i)));
  s.start();

  boost::asio::io_context ioc;
  std::vector<std::shared_ptr<sim::FirmAgent>> agents;
  for (int i = 0; i < 20; ++i) {
    sim::AgentBehaviour b;
    b.accept_prob = 0.85;
    b.think_min_s = 0;
    b.think_max_s = 0.01;
    b.visits = false;
    b.drop_prob = 0.10;
    b.offline_s = 0.05;
    b.seed = static_cast<std::uint64_t>(i + 1);
    agents.push_back(std::make_shared<sim::FirmAgent>(ioc, s.endpoint(), tokens[static_cast<size_t>(i)],
                                                      fmt::format("F{:02}", i + 1), std::vector<std::string>{}, b));
    agents.back()->start();
  }
  std::thread io([&] { ioc.run(); });

  constexpr int kTickets = 2000;
  std::atomic<int> created{0};
  std::vector<std::thread> clients;
  auto token = s.login("op");
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      auto cl = s.login("op");
      for (int i = c; i < kTickets; i += 16) {
        auto r = cl.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}},
                         {{"Idempotency-Key", fmt::format("load-{}", i)}});
        if (r.status == 201) ++created;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(created == kTickets);

  // Wait until no ticket is waiting for an answer.
  store::OpenOptions ro;
  ro.read_only = true;
  auto db = std::move(*store::Database::open(s.db(), ro));
  std::int64_t waiting = -1;
  eventually([&] {
    waiting = *store::query_int(db->prepare("SELECT count(*) FROM tickets WHERE state IN ('created','offered')"));
    return waiting == 0;
  }, 60s);
  // The agents close their links; the loop then runs out of work (stopped if it has not in 10 s).
  for (auto& a : agents) a->stop();
  auto finished = std::async(std::launch::async, [&] { io.join(); });
  if (finished.wait_for(10s) != std::future_status::ready) ioc.stop();
  finished.wait();
  CHECK(waiting == 0);
  if (waiting != 0) {
    auto st = db->prepare(
        "SELECT t.ticket_no, f.code, t.offer_seq, f.acked_seq, (SELECT group_concat(seq) FROM outbox o WHERE o.ticket_id = t.id AND o.firm_id = f.id), "
        "(SELECT group_concat(type || ':' || ifnull(firm_code,''), ' ') FROM ticket_events e WHERE e.ticket_id = t.id) "
        "FROM tickets t JOIN firms f ON f.id = t.firm_id WHERE t.state = 'offered' LIMIT 5");
    while (*st->step()) {
      WARN(st->text(0) << " firm=" << st->text(1) << " round=" << st->int64(2) << " acked=" << st->int64(3)
                       << " seqs=" << st->text(4) << " events=" << st->text(5));
    }
  }
  // Every ticket ended accepted or unassigned (all covering firms declined) — none lost.
  CHECK(*store::query_int(db->prepare("SELECT count(*) FROM tickets")) == kTickets);
  CHECK(*store::query_int(db->prepare("SELECT count(*) FROM tickets WHERE state NOT IN ('accepted','unassigned')")) == 0);
  // Never two acceptances of one ticket.
  CHECK(*store::query_int(db->prepare(
            "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE type='accepted' GROUP BY ticket_id "
            "HAVING count(*) > 1)")) == 0);
  // Every offer a firm acknowledged was answered: accepted, declined, or timed out.
  CHECK(*store::query_int(db->prepare(
            "SELECT count(*) FROM outbox o JOIN firms f ON f.id = o.firm_id WHERE o.kind = 'offer' AND o.seq <= f.acked_seq "
            "AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = o.ticket_id AND e.firm_code = f.code "
            "AND e.type IN ('accepted','declined','timeout'))")) == 0);
  std::uint64_t drops = 0, dups = 0;
  for (auto& a : agents) {
    drops += a->stats().drops;
    dups += a->stats().duplicates;
  }
  CHECK(drops > 50);  // the links really were dropped
  CHECK(dups > 0);    // and the unacknowledged offers really were re-sent
}
