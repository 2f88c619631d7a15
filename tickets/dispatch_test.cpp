#include <catch2/catch.hpp>

#include <set>

#include <fmt/format.h>
#include <sqlite3.h>

#include "dispatcher/dispatcher.hpp"
#include "tickets/service.hpp"
#include "store/query.hpp"
#include "tests/support/query_plan.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
using namespace vnh::dispatcher;
using domain::TicketState;

namespace {

// Records what the dispatcher pushes to firms.
class RecordingSink final : public tickets::OfferSink {
 public:
  struct Event {
    std::string kind;
    std::string firm;
    std::string ticket_no;
    TimeMs accept_by = 0;
    std::string reason;
    std::string funding;
    std::int64_t covered_fen = 0;
    std::vector<std::int64_t> grants_left;
  };
  std::vector<Event> events;
  FirmDirectory* dir = nullptr;
  Status offer(store::WriteTx&, const tickets::Offer& o) override {
    Event e{"offer", o.firm_code, o.ticket.ticket_no, o.accept_by, "", o.funding, o.covered_fen, {}};
    for (const auto& g : o.grants) e.grants_left.push_back(g.left);
    events.push_back(std::move(e));
    return Status::Ok();
  }
  Status withdrawn(store::WriteTx&, std::int64_t firm, const store::TicketRow& t, const std::string& why) override {
    events.push_back({"withdrawn", dir->firm(firm)->code, t.ticket_no, 0, why, "", 0, {}});
    return Status::Ok();
  }
  Status cancelled(store::WriteTx&, std::int64_t firm, const store::TicketRow& t, const std::string& why) override {
    events.push_back({"cancelled", dir->firm(firm)->code, t.ticket_no, 0, why, "", 0, {}});
    return Status::Ok();
  }
};

struct Rig {
  testing::World w;
  FakeClock clock{*parse_time("2026-11-23T09:00:00+08:00")};
  FirmDirectory dir;
  RecordingSink sink;
  OfferTimers timers;
  Dispatcher dispatcher{w.policy, clock, dir};
  tickets::Service service{{w.policy, w.store->crypto(), clock, dispatcher, sink, timers}};
  tickets::Actor op = tickets::Actor::user("operator1");
  Rig() {
    REQUIRE(dir.load(w.store->db(), *w.policy.tz, clock.now_ms()).ok());
    sink.dir = &dir;
  }
  std::int64_t firm_id(const std::string& code) { return dir.firm_by_code(code)->id; }
  std::string holder(const std::string& no) { return dir.firm(*get(no).firm_id)->code; }
  // Without rotation the order depends on distance, load and quality only.
  void no_rotation() {
    w.policy.d_quality += w.policy.d_rotation;
    w.policy.d_rotation = 0;
  }
  store::TicketRow create(const std::string& item = "LC010", const std::string& urgency = "normal",
                          const std::string& id_number = "620102195810100019") {
    tickets::CreateRequest req;
    req.id_number = id_number;
    req.item_code = item;
    req.urgency = urgency;
    std::optional<tickets::Created> out;
    Status st = w.tx([&](store::WriteTx& tx) {
      auto r = service.create(tx, req, op, 1, std::nullopt, "");
      if (!r.ok()) return r.status();
      out = std::move(*r);
      return Status::Ok();
    });
    REQUIRE(st.ok());
    return out->ticket;
  }
  store::TicketRow get(const std::string& no) { return **store::find_ticket(w.store->db(), no); }
  Status decline(const std::string& firm, const std::string& no) {
    return w.tx([&](store::WriteTx& tx) {
      return service.decline(tx, firm_id(firm), no, "no worker free", tickets::Actor::firm(firm)).status();
    });
  }
  Status accept(const std::string& firm, const std::string& no) {
    return w.tx([&](store::WriteTx& tx) { return service.accept(tx, firm_id(firm), no, tickets::Actor::firm(firm)).status(); });
  }
  // Advances the fake clock and fires due timers like the app's timer driver does.
  void advance(TimeMs ms) {
    clock.advance(ms);
    for (auto d : timers.take_due(clock.now_ms())) {
      REQUIRE(w.tx([&](store::WriteTx& tx) { return service.offer_timed_out(tx, d.ticket_id, d.round).status(); }).ok());
    }
  }
};

}  // namespace

TEST_CASE("a new ticket is offered to the best candidate with the policy's deadline", "[dispatch]") {
  Rig r;
  auto t = r.create();
  CHECK(t.state == TicketState::kOffered);
  REQUIRE(r.sink.events.size() == 1);
  CHECK(r.sink.events[0].kind == "offer");
  CHECK(r.sink.events[0].firm == "F_NEAR");
  CHECK(r.sink.events[0].accept_by == r.clock.now_ms() + 600'000);
  CHECK(r.timers.pending() == 1);
  CHECK(t.ticket_no.rfind("T20261123", 0) == 0);
  SECTION("rotation: the next ticket goes to the runner-up that has not just had one") {
    // F_NEAR 0.4·0.8 + 0.3·1 + 0.2·0.818 + 0.1·0 = 0.7836 < F_MID 0.4·0.8 + 0.3·1 + 0.2·0.600 + 0.1·1 = 0.8400
    auto t2 = r.create();
    CHECK(r.holder(t2.ticket_no) == "F_MID");
  }
}

TEST_CASE("decline and timeout pass the ticket on until nobody is left", "[dispatch]") {
  Rig r;
  auto t = r.create();
  REQUIRE(r.decline("F_NEAR", t.ticket_no).ok());
  CHECK(r.get(t.ticket_no).state == TicketState::kOffered);
  CHECK(r.sink.events.back().firm == "F_MID");
  SECTION("the declining firm cannot accept any more") {
    CHECK(r.accept("F_NEAR", t.ticket_no).code() == Code::kPermissionDenied);
  }
  SECTION("a timeout moves it on and tells the silent firm the offer is withdrawn") {
    r.advance(599'999);
    CHECK(r.get(t.ticket_no).state == TicketState::kOffered);
    CHECK(r.get(t.ticket_no).firm_id == r.firm_id("F_MID"));
    r.advance(1);
    auto now = r.get(t.ticket_no);
    CHECK(now.firm_id == r.firm_id("F_FAR"));
    auto n = r.sink.events.size();
    CHECK(r.sink.events[n - 2].kind == "withdrawn");
    CHECK(r.sink.events[n - 2].firm == "F_MID");
    CHECK(r.sink.events[n - 2].reason == "timeout");
    r.advance(600'000);
    auto last = r.get(t.ticket_no);
    CHECK(last.state == TicketState::kUnassigned);
    CHECK_FALSE(last.firm_id.has_value());
    REQUIRE(last.unassigned_reason.has_value());
    CHECK(*last.unassigned_reason == "all_declined_or_full");
    SECTION("a supervisor's re-offer starts again from the best firm") {
      REQUIRE(r.w.tx([&](store::WriteTx& tx) {
                return r.service.reoffer(tx, t.ticket_no, std::nullopt, tickets::Actor::user("sup")).status();
              }).ok());
      CHECK(r.get(t.ticket_no).state == TicketState::kOffered);
      CHECK(r.get(t.ticket_no).firm_id == r.firm_id("F_NEAR"));
    }
    SECTION("or targets a firm") {
      REQUIRE(r.w.tx([&](store::WriteTx& tx) {
                return r.service.reoffer(tx, t.ticket_no, std::string("F_FAR"), tickets::Actor::user("sup")).status();
              }).ok());
      CHECK(r.get(t.ticket_no).firm_id == r.firm_id("F_FAR"));
    }
  }
}

TEST_CASE("a ticket cannot be accepted by two firms or after its deadline", "[dispatch]") {
  Rig r;
  auto t = r.create();
  CHECK(r.accept("F_MID", t.ticket_no).code() == Code::kPermissionDenied);
  REQUIRE(r.accept("F_NEAR", t.ticket_no).ok());
  CHECK(r.get(t.ticket_no).state == TicketState::kAccepted);
  CHECK(r.accept("F_NEAR", t.ticket_no).reason() == "illegal_transition");
  SECTION("late acceptance is refused even before the timer runs") {
    auto t2 = r.create();
    r.clock.advance(600'001);  // no timer fired yet
    auto st = r.accept(r.holder(t2.ticket_no), t2.ticket_no);
    CHECK(st.reason() == "offer_expired");
    CHECK(r.get(t2.ticket_no).state == TicketState::kOffered);
  }
}

TEST_CASE("firms at capacity, suspended firms and uncovered categories are not candidates", "[dispatch]") {
  Rig r;
  r.no_rotation();
  // F_NEAR takes 2 a day (a supervisor points the second one at it: load would send it to F_MID).
  for (int i = 0; i < 2; ++i) {
    auto t = r.create();
    if (r.holder(t.ticket_no) != "F_NEAR") {
      REQUIRE(r.w.tx([&](store::WriteTx& tx) {
                return r.service.reoffer(tx, t.ticket_no, std::string("F_NEAR"), tickets::Actor::user("sup")).status();
              }).ok());
    }
    REQUIRE(r.accept("F_NEAR", t.ticket_no).ok());
  }
  CHECK(r.dir.accepted_today(r.firm_id("F_NEAR"), r.clock.now_ms()) == 2);
  auto third = r.create();
  CHECK(r.get(third.ticket_no).firm_id == r.firm_id("F_MID"));
  SECTION("the next business day the counter starts again") {
    r.clock.advance(24 * kMsPerHour);
    auto next_day = r.create();
    CHECK(r.get(next_day.ticket_no).firm_id == r.firm_id("F_NEAR"));
  }
  SECTION("medical care only from F_MID; F_OFF (suspended) never") {
    auto med = r.create("MC001");
    CHECK(r.get(med.ticket_no).firm_id == r.firm_id("F_MID"));
    for (const auto& e : r.sink.events) CHECK(e.firm != "F_OFF");
  }
  SECTION("an elder in a street nobody covers for that category is unassigned with the reason") {
    auto far = r.create("MC001", "normal", "620102193806200050");  // street 002: only F_MID covers medical (district)
    CHECK(r.get(far.ticket_no).firm_id == r.firm_id("F_MID"));
    REQUIRE(r.decline("F_MID", far.ticket_no).ok());
    auto u = r.get(far.ticket_no);
    CHECK(u.state == TicketState::kUnassigned);
    CHECK(*u.unassigned_reason == "all_declined_or_full");
  }
}

TEST_CASE("emergencies go to the nearest firm with a 60 s deadline", "[dispatch]") {
  Rig r;
  auto t = r.create("EA001", "emergency");
  CHECK(r.sink.events.back().firm == "F_NEAR");
  CHECK(r.sink.events.back().accept_by == r.clock.now_ms() + 60'000);
  r.advance(60'000);
  CHECK(r.get(t.ticket_no).firm_id == r.firm_id("F_MID"));
}

TEST_CASE("an offer tells the firm what the elder's grants cover", "[dispatch][programmes]") {
  Rig r;
  const std::string b_elder = "62010219511015004X";  // 李四芳, B: 5000 fen a month
  auto first = r.create("LC010", "normal", b_elder);  // a bath at 4800
  REQUIRE(r.sink.events.size() == 1);
  CHECK(r.sink.events[0].funding == "grant");
  CHECK(r.sink.events[0].covered_fen == 4800);
  CHECK(r.sink.events[0].grants_left == std::vector<std::int64_t>{5000});
  // F_NEAR serves the bath; the next bath has 200 fen left to cover.
  REQUIRE(r.accept(r.sink.events[0].firm, first.ticket_no).ok());
  const auto firm = r.firm_id(r.sink.events[0].firm);
  tickets::VisitReport in{first.ticket_no, "N1", r.clock.now_ms(), 36.0600, 103.8300, std::string(64, 'a')};
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_in(tx, firm, in, tickets::Actor::user("firm")).status(); }).ok());
  r.clock.advance(60 * kMsPerMinute);
  tickets::VisitReport out = in;
  out.device_time = r.clock.now_ms();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_out(tx, firm, out, tickets::Actor::user("firm")).status(); }).ok());
  r.create("LC010", "normal", b_elder);
  CHECK(r.sink.events.back().funding == "grant_partial");
  CHECK(r.sink.events.back().covered_fen == 200);
  CHECK(r.sink.events.back().grants_left == std::vector<std::int64_t>{200});
  // A is fully funded, C pays.
  r.create("LC010", "normal", "620102195810100019");
  CHECK(r.sink.events.back().funding == "full_funding");
  CHECK(r.sink.events.back().covered_fen == 4800);
  r.create("LC010", "normal", "620102193806200050");
  CHECK(r.sink.events.back().funding == "self_pay");
  CHECK(r.sink.events.back().grants_left.empty());
}

TEST_CASE("the elder's continuity firm is offered first", "[dispatch]") {
  Rig r;
  auto t = r.create();
  REQUIRE(r.decline("F_NEAR", t.ticket_no).ok());
  REQUIRE(r.accept("F_MID", t.ticket_no).ok());
  // F_MID serves the visit.
  tickets::VisitReport in{t.ticket_no, "M1", r.clock.now_ms(), 36.0600, 103.8300, std::string(64, 'a')};
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_in(tx, r.firm_id("F_MID"), in, tickets::Actor::user("firm")).status(); }).ok());
  r.clock.advance(60 * kMsPerMinute);
  tickets::VisitReport out = in;
  out.device_time = r.clock.now_ms();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_out(tx, r.firm_id("F_MID"), out, tickets::Actor::user("firm")).status(); }).ok());
  CHECK(r.get(t.ticket_no).state == TicketState::kCompleted);
  CHECK(r.get(t.ticket_no).held_exceptions == 0);
  auto again = r.create();
  CHECK(r.get(again.ticket_no).firm_id == r.firm_id("F_MID"));
  SECTION("not for emergencies") {
    auto em = r.create("EA001", "emergency");
    CHECK(r.get(em.ticket_no).firm_id == r.firm_id("F_NEAR"));
  }
  SECTION("not when a substantiated complaint names that visit") {
    auto tid = r.get(t.ticket_no).id;
    REQUIRE(r.w.store->db()
                .exec(fmt::format("INSERT INTO complaints(ticket_id, filed_at, status, filed_by, closed_at, closed_by) "
                                  "VALUES ({}, 1, 'substantiated', 'op', 2, 'sup')",
                                  tid))
                .ok());
    auto after = r.create();
    CHECK(r.get(after.ticket_no).firm_id == r.firm_id("F_NEAR"));
  }
}

TEST_CASE("a new ticket is written once, already offered, with its created and offered events in order", "[dispatch]") {
  Rig r;
  auto& db = r.w.store->db();
  int updates = 0;
  sqlite3_update_hook(
      db.handle(),
      [](void* n, int op, const char*, const char* table, sqlite3_int64) {
        if (op == SQLITE_UPDATE && std::string(table) == "tickets") ++*static_cast<int*>(n);
      },
      &updates);
  auto t = r.create();
  sqlite3_update_hook(db.handle(), nullptr, nullptr);
  CHECK(updates == 0);
  auto row = r.get(t.ticket_no);
  CHECK(row.state == TicketState::kOffered);
  CHECK(row.offers_made == 1);
  CHECK(row.offer_seq == 1);
  REQUIRE(row.offer_expires_at);
  auto events = *store::list_events(db, row.id);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "created");
  CHECK(events[1].type == "offered");
  CHECK(events[1].from_state.value_or("") == "created");
  CHECK(events[1].to_state.value_or("") == "offered");
  CHECK(events[1].firm_code.value_or("") == r.sink.events.back().firm);
  CHECK(r.sink.events.back().accept_by == *row.offer_expires_at);
  CHECK(r.sink.events.back().kind == "offer");
}

TEST_CASE("creating and offering a ticket runs no statement that builds a temporary B-tree", "[dispatch]") {
  // SQLite fills a temporary B-tree for `IN (…)` lists of three or more constants and for
  // RETURNING, on every execution; in the writer's per-ticket path that was a quarter of its
  // time (bench/notes.md). Every statement the creation runs is traced, then explained.
  Rig r;
  auto& db = r.w.store->db();
  r.create();  // the first creation prepares what later ones reuse
  std::set<std::string> sqls;
  sqlite3_trace_v2(
      db.handle(), SQLITE_TRACE_STMT,
      [](unsigned, void* out, void* stmt, void*) {
        static_cast<std::set<std::string>*>(out)->insert(sqlite3_sql(static_cast<sqlite3_stmt*>(stmt)));
        return 0;
      },
      &sqls);
  auto t = r.create();
  sqlite3_trace_v2(db.handle(), 0, nullptr, nullptr);
  CHECK(r.get(t.ticket_no).state == TicketState::kOffered);
  REQUIRE(sqls.size() >= 8);  // ticket, events, audit, counters, outbox …
  for (const auto& sql : sqls) {
    if (sql.rfind("INSERT", 0) != 0 && sql.rfind("UPDATE", 0) != 0 && sql.rfind("SELECT", 0) != 0) continue;
    auto st = db.prepare("EXPLAIN " + sql);
    REQUIRE(st.ok());
    int ephemeral = 0;
    while (*st->step()) ephemeral += st->text(1) == "OpenEphemeral";
    INFO(sql);
    CHECK(ephemeral == 0);
  }
}

TEST_CASE("likely duplicates: the elder's open tickets of the category, newest first, from tickets_elder alone",
          "[dispatch]") {
  Rig r;
  auto dups_of_next = [&](const std::string& item) {
    tickets::CreateRequest req;
    req.id_number = "620102195810100019";
    req.item_code = item;
    std::vector<std::string> dups;
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
      auto c = r.service.create(tx, req, r.op, 1, std::nullopt, "");
      if (c.ok()) dups = c->likely_duplicates;
      return c.status();
    }).ok());
    return dups;
  };
  auto a = r.create();
  auto b = r.create();
  auto cancelled = r.create();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.cancel(tx, cancelled.ticket_no, "called twice", r.op).status(); }).ok());
  // b is served to the end: checked out, it is no longer open.
  REQUIRE(r.accept(r.holder(b.ticket_no), b.ticket_no).ok());
  const auto firm = r.get(b.ticket_no).firm_id;
  tickets::VisitReport in{b.ticket_no, "M1", r.clock.now_ms(), 36.0600, 103.8300, std::string(64, 'a')};
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_in(tx, *firm, in, tickets::Actor::user("firm")).status(); }).ok());
  r.clock.advance(60 * kMsPerMinute);
  in.device_time = r.clock.now_ms();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_out(tx, *firm, in, tickets::Actor::user("firm")).status(); }).ok());
  auto d = r.create();
  CHECK(dups_of_next("LC010") == std::vector<std::string>{d.ticket_no, a.ticket_no});
  CHECK(dups_of_next("MC001").empty());  // another category
  auto& db = r.w.store->db();
  const std::string detail = testing::query_plan(
      db, "SELECT ticket_no FROM tickets INDEXED BY tickets_elder WHERE elder_id = ? AND category = ? "
          "AND checkout_at IS NULL AND closed_at IS NULL AND id <> ? ORDER BY ticket_no DESC LIMIT ?");
  INFO(detail);
  CHECK(detail.find("COVERING INDEX tickets_elder") != std::string::npos);
  CHECK(detail.find("TEMP B-TREE") == std::string::npos);
  SECTION("a ticket row whose closed_at disagrees with its state is refused") {
    auto row = r.get(a.ticket_no);
    row.state = TicketState::kCancelled;  // without closed_at
    Status st = r.w.tx([&](store::WriteTx& tx) { return store::save_ticket(tx.db(), row); });
    CHECK(st.code() == Code::kInternal);
    CHECK(st.message().find("closed_at") != std::string::npos);
    CHECK(r.get(a.ticket_no).state == TicketState::kOffered);
  }
}

TEST_CASE("cancelling tells the firm holding the offer or the assignment", "[dispatch]") {
  Rig r;
  r.no_rotation();
  auto offered = r.create();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.cancel(tx, offered.ticket_no, "elder in hospital", r.op).status(); }).ok());
  CHECK(r.sink.events.back().kind == "withdrawn");
  CHECK(r.get(offered.ticket_no).state == TicketState::kCancelled);
  auto accepted = r.create();
  REQUIRE(r.accept("F_NEAR", accepted.ticket_no).ok());
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.cancel(tx, accepted.ticket_no, "duplicate call", r.op).status(); }).ok());
  CHECK(r.sink.events.back().kind == "cancelled");
  CHECK(r.sink.events.back().firm == "F_NEAR");
  SECTION("a cancelled ticket cannot be cancelled again, and nothing changes") {
    auto events = *store::query_int(r.w.store->db().prepare("SELECT count(*) FROM ticket_events"));
    auto st = r.w.tx([&](store::WriteTx& tx) { return r.service.cancel(tx, accepted.ticket_no, "again", r.op).status(); });
    CHECK(st.reason() == "illegal_transition");
    CHECK(*store::query_int(r.w.store->db().prepare("SELECT count(*) FROM ticket_events")) == events);
  }
}

TEST_CASE("visits far from home or too short raise exceptions a supervisor resolves with a reason", "[dispatch][visit]") {
  Rig r;
  auto t = r.create();
  REQUIRE(r.accept("F_NEAR", t.ticket_no).ok());
  auto near_id = r.firm_id("F_NEAR");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.assign_staff(tx, near_id, t.ticket_no, "N1", tickets::Actor::user("firm")).status(); }).ok());
  tickets::VisitReport in{t.ticket_no, "N1", r.clock.now_ms(), 36.0650, 103.8300, std::string(64, 'b')};  // ~556 m away
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_in(tx, near_id, in, tickets::Actor::user("firm")).status(); }).ok());
  r.clock.advance(10 * kMsPerMinute);  //助浴 is 60 min: 10 is short
  tickets::VisitReport out = in;
  out.device_time = r.clock.now_ms();
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return r.service.check_out(tx, near_id, out, tickets::Actor::user("firm")).status(); }).ok());
  auto done = r.get(t.ticket_no);
  CHECK(done.state == TicketState::kCompleted);
  CHECK(done.held_exceptions == 2);
  auto exc = *store::list_visit_exceptions(r.w.store->db(), done.id);
  REQUIRE(exc.size() == 2);
  CHECK(to_string(exc[0].type) == "distance");
  CHECK(to_string(exc[1].type) == "short_visit");
  SECTION("clearing needs a documented reason code and a note") {
    auto bad = r.w.tx([&](store::WriteTx& tx) {
      return r.service.resolve_exception(tx, exc[0].id, true, "because", "n", tickets::Actor::user("sup")).status();
    });
    CHECK(bad.field() == "reason_code");
    auto no_note = r.w.tx([&](store::WriteTx& tx) {
      return r.service.resolve_exception(tx, exc[0].id, true, "no_signal_indoors", "", tickets::Actor::user("sup")).status();
    });
    CHECK(no_note.field() == "note");
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
              return r.service.resolve_exception(tx, exc[0].id, true, "no_signal_indoors", "楼内无信号", tickets::Actor::user("sup")).status();
            }).ok());
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
              return r.service.resolve_exception(tx, exc[1].id, false, "service_not_completed", "回访确认仅10分钟", tickets::Actor::user("sup")).status();
            }).ok());
    CHECK(r.get(t.ticket_no).held_exceptions == 1);  // the upheld one keeps it out of settlement
    auto again = r.w.tx([&](store::WriteTx& tx) {
      return r.service.resolve_exception(tx, exc[0].id, false, "other", "x", tickets::Actor::user("sup")).status();
    });
    CHECK(again.reason() == "not_open");
  }
}
