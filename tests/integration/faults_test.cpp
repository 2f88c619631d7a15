// Disk faults the way SQLite tests itself (store/wal_vfs.hpp): for each N, the N-th write (or
// truncate) from now fails with SQLITE_IOERR or SQLITE_FULL while the platform creates a ticket,
// a firm accepts and checks out, an operator records a callback, finance runs and approves a
// month. Whatever N hits — the request's own commit, a checkpoint beside it — a failed write is
// never answered 2xx or CommandResult ok, an answered one is there afterwards, the database is
// consistent, the next request succeeds, and /metrics counts the failure. A failed fsync is
// the other case: the server refuses every write until it is restarted, and after the restart
// everything answered before it is there.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/support/partner.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
std::string str(const json::value& v, const char* k) {
  const auto* x = v.as_object().if_contains(k);
  return x && x->is_string() ? std::string(x->as_string()) : "";
}
double metric(sim::HttpClient& c, const std::string& name) {
  auto body = c.get("/metrics").body;
  auto at = body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(body.substr(at + name.size() + 2));
}

struct Rig {
  TestServer s{TestServer::Options{true, "2026-11-23T09:00:00+08:00", {}}};
  std::string firm;
  Rig() {
    load_small_district(s);
    s.add_user("op", "operator");
    s.add_user("sup", "supervisor");
    s.add_user("admin", "admin");
    firm = s.firm_token("F_NEAR");
    s.start();
  }
  void arm(sim::HttpClient& admin, const std::string& op, int nth, const std::string& error) {
    auto r = admin.post("/api/v1/admin/faults", json::object{{"op", op}, {"nth", nth}, {"error", error}});
    REQUIRE(r.status == 200);
  }
  void disarm(sim::HttpClient& admin) {
    REQUIRE(admin.post("/api/v1/admin/faults", json::object{{"op", "none"}}).status == 200);
  }
  bool consistent(sim::HttpClient& sup) {
    auto c = sup.get("/api/v1/admin/consistency");
    return c.status == 200 && c.json().at("ok").as_bool();
  }
};

vnh::v1::ClientFrame accept(const std::string& no) {
  vnh::v1::ClientFrame f;
  f.mutable_accept()->set_ticket_no(no);
  return f;
}
}  // namespace

TEST_CASE("a sweep of failed writes over ticket creation and a firm's accept: no 2xx or ok for a failed write, "
          "consistent after, the next one succeeds, counted in /metrics", "[faults]") {
  Rig r;
  auto op = r.s.login("op");
  auto sup = r.s.login("sup");
  auto admin = r.s.login("admin");
  TestPartner near(r.s.endpoint(), r.firm);
  REQUIRE(near.wait_open());
  const double errors_before = metric(admin, "vnh_storage_errors_total");
  int refused = 0, answered = 0;
  for (const char* error : {"ioerr", "full"}) {
    for (int nth = 1; nth <= 6; ++nth) {
      INFO(error << " write #" << nth);
      // Ticket creation.
      const std::string key = fmt::format("sweep-{}-{}", error, nth);
      r.arm(admin, "write", nth, error);
      auto c = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}},
                       {{"Idempotency-Key", key}});
      r.disarm(admin);
      CHECK((c.status == 201 || c.status == 503));
      if (c.status == 201) {
        ++answered;
        CHECK(op.get("/api/v1/tickets/" + str(c.json(), "ticket_no")).status == 200);  // it is there
      } else {
        ++refused;
        CHECK(str(c.json().at("error"), "code") == "storage");
      }
      CHECK(r.consistent(sup));
      // The next request succeeds: the same key makes (or gives back) exactly one ticket.
      auto again = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}},
                           {{"Idempotency-Key", key}});
      REQUIRE(again.status == 201);
      if (c.status == 201) CHECK(str(again.json(), "ticket_no") == str(c.json(), "ticket_no"));
      const std::string no = str(again.json(), "ticket_no");
      auto offer = near.next([&](const auto& f) { return f.has_offer() && f.offer().ticket_no() == no; });
      REQUIRE(offer);
      // The firm's accept.
      r.arm(admin, "write", nth, error);
      auto a = near.command(accept(no));
      r.disarm(admin);
      REQUIRE(a);
      const std::string state = str(op.get("/api/v1/tickets/" + no).json(), "state");
      if (a->ok()) {
        CHECK(state == "accepted");
      } else {
        CHECK(state == "offered");  // a refused accept changed nothing …
        CHECK(a->error_code() == "storage");
        auto retry = near.command(accept(no));  // … and the firm's retry goes through
        REQUIRE(retry);
        CHECK(retry->ok());
      }
      CHECK(r.consistent(sup));
    }
  }
  CHECK(refused > 0);  // the sweep did hit the requests' own commits
  CHECK(metric(admin, "vnh_storage_errors_total") - errors_before >= refused);
  INFO("answered " << answered << " refused " << refused);
}

TEST_CASE("a failed fsync: every write is refused until a restart; after it, everything answered is there",
          "[faults]") {
  Rig r;
  auto op = r.s.login("op");
  auto admin = r.s.login("admin");
  auto ok = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}});
  REQUIRE(ok.status == 201);
  r.arm(admin, "sync", 1, "ioerr");
  auto failed = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC001"}});
  CHECK(failed.status == 503);
  auto after = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC001"}});
  CHECK(after.status == 503);  // the kernel may have dropped what it could not write: no more writes
  CHECK(op.get("/api/v1/tickets/" + str(ok.json(), "ticket_no")).status == 200);  // reads go on
  r.s.kill9();
  r.s.start();
  auto op2 = r.s.login("op");
  CHECK(op2.get("/api/v1/tickets/" + str(ok.json(), "ticket_no")).status == 200);
  CHECK(op2.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC001"}}).status == 201);
}
