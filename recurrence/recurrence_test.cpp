#include <catch2/catch.hpp>

#include "dispatcher/dispatcher.hpp"
#include "recurrence/recurrence.hpp"
#include "store/query.hpp"
#include "store/tickets.hpp"
#include "tests/support/world.hpp"

using namespace vnh;

namespace {

class NullSink final : public tickets::OfferSink {
 public:
  Status offer(store::WriteTx&, const tickets::Offer&) override { return Status::Ok(); }
  Status withdrawn(store::WriteTx&, std::int64_t, const store::TicketRow&, const std::string&) override { return Status::Ok(); }
  Status cancelled(store::WriteTx&, std::int64_t, const store::TicketRow&, const std::string&) override { return Status::Ok(); }
};

constexpr TimeMs kDay = 86'400'000;

struct Rig {
  testing::World w;
  FakeClock clock{*parse_time("2026-11-23T09:00:00+08:00")};  // a Monday
  dispatcher::FirmDirectory dir;
  NullSink sink;
  dispatcher::OfferTimers timers;
  dispatcher::Dispatcher dispatcher{w.policy, clock, dir};
  tickets::Service service{{w.policy, w.store->crypto(), clock, dispatcher, sink, timers}};
  recurrence::Deps deps{w.policy, w.store->crypto(), service};
  Rig() { REQUIRE(dir.load(w.store->db(), *w.policy.tz, clock.now_ms()).ok()); }

  std::int64_t add(const std::string& rule, const std::string& from = "14:00", const std::string& to = "16:00",
                   const std::string& elder = "E3") {
    recurrence::NewRecurrence in;
    in.elder_id = elder;
    in.item_code = "LC010";
    in.rule = rule;
    in.window_start = from;
    in.window_end = to;
    in.starts_on = w.policy.tz->local_date(clock.now_ms());
    std::int64_t id = 0;
    REQUIRE(w.tx([&](store::WriteTx& tx) {
      auto r = recurrence::create(tx, deps, in, domain::Actor::user("op1"), clock.now_ms());
      if (!r.ok()) return r.status();
      id = r->id;
      return Status::Ok();
    }).ok());
    return id;
  }
  recurrence::RunReport run() {
    recurrence::RunReport rep;
    Status st = w.tx([&](store::WriteTx& tx) {
      VNH_ASSIGN_OR_RETURN(auto live, store::live_recurrences(tx.db()));
      VNH_ASSIGN_OR_RETURN(rep, recurrence::run_due(tx, deps, live, clock.now_ms()));
      return Status::Ok();
    });
    INFO(st.to_string());
    REQUIRE(st.ok());
    return rep;
  }
  std::vector<std::string> days(std::int64_t id) {
    auto occ = store::occurrences_of(w.store->db(), id, 100);
    REQUIRE(occ.ok());
    std::vector<std::string> out;
    for (auto it = occ->rbegin(); it != occ->rend(); ++it) out.push_back(it->day + ":" + it->outcome);
    return out;
  }
  std::int64_t recurrence_tickets() {
    return *store::query_int(w.store->db().prepare("SELECT count(*) FROM tickets WHERE channel = 'recurrence'"));
  }
};

}  // namespace

TEST_CASE("the job makes each occurrence lead_days ahead exactly once, across runs and restarts", "[recurrence]") {
  Rig r;
  auto id = r.add("FREQ=DAILY");
  auto first = r.run();
  CHECK(first.tickets == 3);  // today, tomorrow, the day after (lead_days 2)
  CHECK(r.days(id) == std::vector<std::string>{"2026-11-23:ticket", "2026-11-24:ticket", "2026-11-25:ticket"});
  CHECK(r.run().tickets == 0);  // a second run makes nothing
  // A "restart": a new service and deps over the same file.
  tickets::Service again{{r.w.policy, r.w.store->crypto(), r.clock, r.dispatcher, r.sink, r.timers}};
  recurrence::Deps deps2{r.w.policy, r.w.store->crypto(), again};
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    VNH_ASSIGN_OR_RETURN(auto live, store::live_recurrences(tx.db()));
    return recurrence::run_due(tx, deps2, live, r.clock.now_ms()).status();
  }).ok());
  CHECK(r.recurrence_tickets() == 3);
  r.clock.advance(kDay);
  CHECK(r.run().tickets == 1);  // the 26th
  auto t = store::find_ticket(r.w.store->db(), "T20261123000001");
  REQUIRE(t.ok());
  REQUIRE(*t);
  CHECK((*t)->channel == domain::Channel::kRecurrence);
  CHECK(format_time((*t)->window_start, *r.w.policy.tz) == "2026-11-23T14:00:00+08:00");
}

TEST_CASE("today's occurrence whose window has passed is not made", "[recurrence]") {
  Rig r;
  auto id = r.add("FREQ=DAILY", "07:00", "08:30");  // it is 09:00
  r.run();
  CHECK(r.days(id) == std::vector<std::string>{"2026-11-24:ticket", "2026-11-25:ticket"});
}

TEST_CASE("a pause over an occurrence skips it; the series goes on after", "[recurrence]") {
  Rig r;
  auto id = r.add("FREQ=WEEKLY;BYDAY=MO,WE,FR");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    return recurrence::pause(tx, id, Date{2026, 11, 25}, domain::Actor::user("op1"), r.clock.now_ms());
  }).ok());
  CHECK(r.run().tickets == 0);  // Monday 23 and Wednesday 25 fall in the pause
  r.clock.advance(3 * kDay);    // Thursday 26: the pause is over
  auto rep = r.run();
  CHECK(rep.resumed == 1);
  CHECK(rep.tickets == 1);  // Friday 27 (Saturday 28 is not in BYDAY)
  CHECK(r.days(id) == std::vector<std::string>{"2026-11-27:ticket"});
  SECTION("a pause without an end holds until resumed") {
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
      return recurrence::pause(tx, id, std::nullopt, domain::Actor::user("op1"), r.clock.now_ms());
    }).ok());
    r.clock.advance(4 * kDay);  // Monday 30, Wednesday 2
    CHECK(r.run().tickets == 0);
    REQUIRE(r.w.tx([&](store::WriteTx& tx) { return recurrence::resume(tx, id, domain::Actor::user("op1"), r.clock.now_ms()); }).ok());
    CHECK(r.run().tickets == 2);  // Monday 30 (09:00 < 16:00) and Wednesday 2
  }
}

TEST_CASE("a COUNT series ends once its last occurrence is made; a deceased elder's ends", "[recurrence]") {
  Rig r;
  auto counted = r.add("FREQ=DAILY;COUNT=2");
  auto other = r.add("FREQ=DAILY", "14:00", "16:00", "E2");
  auto rep = r.run();
  CHECK(r.days(counted) == std::vector<std::string>{"2026-11-23:ticket", "2026-11-24:ticket"});
  CHECK(rep.ended == 1);
  CHECK((*store::get_recurrence(r.w.store->db(), counted))->state == "ended");
  CHECK((*store::get_recurrence(r.w.store->db(), counted))->end_reason == "completed");
  REQUIRE(r.w.store->db().exec("UPDATE elders SET status = 'deceased', died_on = '2026-11-23' WHERE id = 2").ok());
  r.clock.advance(kDay);
  CHECK(r.run().ended == 1);
  CHECK((*store::get_recurrence(r.w.store->db(), other))->end_reason == "elder_deceased");
}

TEST_CASE("creating a recurrence checks what it is given", "[recurrence]") {
  Rig r;
  auto try_add = [&](auto edit) {
    recurrence::NewRecurrence in;
    in.elder_id = "E3";
    in.item_code = "LC010";
    in.rule = "FREQ=DAILY";
    in.window_start = "09:00";
    in.window_end = "10:00";
    in.starts_on = {2026, 11, 23};
    edit(in);
    return r.w.tx([&](store::WriteTx& tx) { return recurrence::create(tx, r.deps, in, domain::Actor::user("op1"), r.clock.now_ms()).status(); });
  };
  CHECK(try_add([](auto& in) { in.rule = "FREQ=HOURLY"; }).field() == "rule");
  CHECK(try_add([](auto& in) { in.window_end = "08:00"; }).field() == "window_end");
  CHECK(try_add([](auto& in) { in.window_start = "9:00"; }).field() == "window_start");
  CHECK(try_add([](auto& in) { in.starts_on = {2026, 11, 22}; }).field() == "starts_on");
  CHECK(try_add([](auto& in) { in.item_code = "LC001"; }).field() == "item_code");  // a meal item
  CHECK(try_add([](auto& in) { in.canteen_code = "K1"; }).field() == "item_code");   // both
  CHECK(try_add([](auto& in) { in.item_code = "ZZ9"; }).code() == Code::kNotFound);
  CHECK(*store::query_int(r.w.store->db().prepare("SELECT count(*) FROM recurrences")) == 0);
}
