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

#include <functional>

#include "tests/support/partner.hpp"
#include "tests/support/test_server.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

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

template <class M>
void visit(M* m, const std::string& no, std::int64_t at) {
  m->set_ticket_no(no);
  m->set_staff_code("N1");
  m->set_time_ms(at);
  m->set_lat(36.06);
  m->set_lon(103.83);
  m->set_photo_sha256(std::string(64, 'c'));
}
// Runs a partner command with the fault armed; if it was refused, it changed nothing and the
// firm's retry goes through. Returns whether the faulted attempt was refused.
bool faulted_command(Rig& r, sim::HttpClient& admin, TestPartner& firm, vnh::v1::ClientFrame f, int nth,
                     const std::function<bool()>& applied) {
  static int n = 0;
  f.set_request_id(fmt::format("faulted-{}", ++n));  // the retry below sends the same id, as a firm must
  r.arm(admin, "write", nth, "ioerr");
  auto a = firm.command(f);
  r.disarm(admin);
  REQUIRE(a);
  if (a->ok()) {
    CHECK(applied());
    return false;
  }
  CHECK(a->error_code() == "unavailable");  // "try again": nothing was recorded under the id
  CHECK_FALSE(applied());
  auto retry = firm.command(f);
  REQUIRE(retry);
  CHECK(retry->ok());
  CHECK(applied());
  return true;
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
      faulted_command(r, admin, near, accept(no), nth,
                      [&] { return str(op.get("/api/v1/tickets/" + no).json(), "state") == "accepted"; });
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

TEST_CASE("a sweep of failed writes over check-out, a callback, a settlement run and its approval", "[faults]") {
  Rig r;
  r.s.stop();
  r.s.add_user("finance1", "finance");
  r.s.add_user("finance2", "finance");
  r.s.add_user("inspector1", "inspector");
  r.s.start();
  auto op = r.s.login("op");
  auto sup = r.s.login("sup");
  auto admin = r.s.login("admin");
  TestPartner near(r.s.endpoint(), r.firm);
  REQUIRE(near.wait_open());
  int refused = 0;
  const std::int64_t t0 = 1'795'395'600'000;  // 2026-11-23T09:00:00+08:00, the test clock's start
  for (int nth = 1; nth <= 4; ++nth) {
    INFO("write #" << nth);
    auto c = op.post("/api/v1/tickets", json::object{{"elder_id", "E1"}, {"item_code", "LC010"}});
    REQUIRE(c.status == 201);
    const std::string no = str(c.json(), "ticket_no");
    REQUIRE(near.next([&](const auto& f) { return f.has_offer() && f.offer().ticket_no() == no; }));
    REQUIRE(near.command(accept(no))->ok());
    REQUIRE(near.command(assign(no, "N1"))->ok());
    vnh::v1::ClientFrame in;
    visit(in.mutable_check_in(), no, t0 + 60'000);
    REQUIRE(near.command(in)->ok());
    vnh::v1::ClientFrame out;
    visit(out.mutable_check_out(), no, t0 + 60'000 + 3'600'000);
    auto state = [&] { return str(op.get("/api/v1/tickets/" + no).json(), "state"); };
    refused += faulted_command(r, admin, near, out, nth, [&] { return state() == "completed"; });
    CHECK(r.consistent(sup));
    // A callback on the completed ticket.
    json::object cb{{"ticket_no", no}, {"reached", true}, {"rating", 5}, {"service_received", true}};
    auto recorded = [&] {
      auto t = op.get("/api/v1/tickets/" + no).json();
      const auto* cbs = t.as_object().if_contains("callbacks");
      return cbs && cbs->is_array() && !cbs->as_array().empty();
    };
    r.arm(admin, "write", nth, "ioerr");
    auto posted = op.post("/api/v1/callbacks", cb);
    r.disarm(admin);
    INFO(posted.body);
    CHECK((posted.status == 201 || posted.status == 503));
    CHECK(recorded() == (posted.status == 201));
    if (posted.status == 503) {
      ++refused;
      CHECK(op.post("/api/v1/callbacks", cb).status == 201);
      CHECK(recorded());
    }
    CHECK(r.consistent(sup));
  }
  // October, settled and approved under faults (no tickets in it: the run still writes its lines).
  auto insp = r.s.login("inspector1");
  for (const char* f : {"F_NEAR", "F_MID", "F_FAR"}) {
    auto i = insp.post("/api/v1/inspections", json::object{{"firm_code", f}, {"month", "2026-10"},
                                                            {"enterprise_building", "25"}, {"service_norms", "25"},
                                                            {"staff_management", "12"}});
    REQUIRE((i.status == 201 || i.status == 200));
  }
  auto fin1 = r.s.login("finance1");
  auto fin2 = r.s.login("finance2");
  for (int nth = 1; nth <= 3; ++nth) {
    INFO("settlement write #" << nth);
    r.arm(admin, "write", nth, "ioerr");
    auto run = fin1.post("/api/v1/settlements/2026-10", json::object{});
    r.disarm(admin);
    INFO(run.body);
    CHECK((run.status == 201 || run.status == 503));
    auto shown = fin1.get("/api/v1/settlements/2026-10");
    if (run.status == 201) {
      CHECK(shown.status == 200);
    } else {
      ++refused;
    }
    CHECK(r.consistent(sup));
  }
  REQUIRE(fin1.post("/api/v1/settlements/2026-10", json::object{}).status == 201);
  r.arm(admin, "write", 1, "full");
  auto approve = fin2.post("/api/v1/settlements/2026-10/approve", json::object{});
  r.disarm(admin);
  INFO(approve.body);
  CHECK(approve.status == 503);  // its first write is its own commit: refused …
  CHECK(str(fin1.get("/api/v1/settlements/2026-10").json(), "status") == "draft");  // … and not approved
  CHECK(fin2.post("/api/v1/settlements/2026-10/approve", json::object{}).status == 200);
  CHECK(str(fin1.get("/api/v1/settlements/2026-10").json(), "status") == "approved");
  CHECK(refused > 0);
  CHECK(r.consistent(sup));
}
