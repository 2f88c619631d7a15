#include <catch2/catch.hpp>

#include "care/care.hpp"
#include "dispatcher/dispatcher.hpp"
#include "registry/deaths.hpp"
#include "registry/eligibility.hpp"
#include "settlement/recoveries.hpp"
#include "settlement/rules.hpp"
#include "settlement/settlement.hpp"
#include "store/accounts.hpp"
#include "store/elders.hpp"
#include "store/meals.hpp"
#include "store/recurrences.hpp"
#include "store/tickets.hpp"
#include "tests/support/world.hpp"

using namespace vnh;

namespace {

class NullSink final : public tickets::OfferSink {
 public:
  Status offer(store::WriteTx&, const tickets::Offer&) override { return Status::Ok(); }
  Status withdrawn(store::WriteTx&, std::int64_t, const store::TicketRow&, const std::string&) override {
    ++withdrawn_;
    return Status::Ok();
  }
  Status cancelled(store::WriteTx&, std::int64_t, const store::TicketRow&, const std::string&) override {
    return Status::Ok();
  }
  int withdrawn_ = 0;
};

constexpr TimeMs kDay = 86'400'000;

struct Rig {
  testing::World w;
  FakeClock clock{*parse_time("2026-11-23T09:00:00+08:00")};
  dispatcher::FirmDirectory dir;
  NullSink sink;
  dispatcher::OfferTimers timers;
  dispatcher::Dispatcher dispatcher{w.policy, clock, dir};
  tickets::Service service{{w.policy, w.store->crypto(), clock, dispatcher, sink, timers}};
  const std::int64_t a_elder = 1, b_elder = 2, c_elder = 3;  // 张三明 A, 李四芳 B, 王五 C
  std::int64_t worker = 0;
  Rig() {
    REQUIRE(dir.load(w.store->db(), *w.policy.tz, clock.now_ms()).ok());
    REQUIRE(w.tx([&](store::WriteTx& tx) {
      store::UserRow u;
      u.username = "care1";
      u.role = domain::Role::kCare;
      u.password_hash = "x";
      u.created_at = clock.now_ms();
      auto id = store::insert_user(tx.db(), u);
      if (!id.ok()) return id.status();
      worker = *id;
      return Status::Ok();
    }).ok());
  }
  Result<store::CareTargetRow> target(std::int64_t elder, domain::CareTier tier, std::optional<std::string> who = "care1") {
    Result<store::CareTargetRow> out = internal("not run");
    Status st = w.tx([&](store::WriteTx& tx) {
      out = care::set_target(tx, w.policy, {elder, domain::care_flag_bit(domain::CareFlag::kLivesAlone), tier, who},
                             domain::Actor::user("sup"), clock.now_ms());
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }
  Result<care::VisitRecorded> visit(std::int64_t elder, TimeMs at, std::optional<std::string> item = std::nullopt,
                                    std::optional<std::int64_t> only = std::nullopt) {
    Result<care::VisitRecorded> out = internal("not run");
    care::VisitInput in;
    in.elder_id = elder;
    in.visited_at = at;
    in.health = domain::Finding::kPoor;
    in.needs = "行动不便，需要助浴";
    in.ticket_item = item;
    Status st = w.tx([&](store::WriteTx& tx) {
      out = care::record_visit(tx, w.policy, service, in, domain::Actor::user("care1"), only, clock.now_ms());
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }
};

}  // namespace

TEST_CASE("a care target is due an interval after it became one, then after each visit", "[care]") {
  Rig r;
  auto t = r.target(r.c_elder, domain::CareTier::kHigh);
  REQUIRE(t.ok());
  CHECK(t->due_at == r.clock.now_ms() + 7 * kDay);
  CHECK(t->care_worker == "care1");
  auto v = r.visit(r.c_elder, r.clock.now_ms() - 3'600'000);
  REQUIRE(v.ok());
  CHECK(v->target.due_at == r.clock.now_ms() - 3'600'000 + 7 * kDay);
  SECTION("a new tier moves the due date from the last visit") {
    auto k = r.target(r.c_elder, domain::CareTier::kKey);
    REQUIRE(k.ok());
    CHECK(k->due_at == r.clock.now_ms() - 3'600'000 + 30 * kDay);
  }
  SECTION("an event pulls the next visit to within 24 hours, and the visit clears it") {
    REQUIRE(care::pull_forward(r.w.store->db(), r.w.policy, r.c_elder, "emergency_ticket", "T1", r.clock.now_ms()).ok());
    auto now = store::get_care_target(r.w.store->db(), r.c_elder);
    REQUIRE(now.ok());
    CHECK((*now)->due_at == r.clock.now_ms() + kDay);
    CHECK((*now)->event_kind == "emergency_ticket");
    r.clock.advance(2 * kDay);  // not visited in time: overdue by a day
    auto due = care::due(r.w.store->db(), {"", true, std::nullopt, 7 * kDay, 100}, r.clock.now_ms());
    REQUIRE(due.ok());
    REQUIRE(due->size() == 1);
    CHECK(due->at(0).overdue_days == 1);
    auto again = r.visit(r.c_elder, r.clock.now_ms());
    REQUIRE(again.ok());
    CHECK_FALSE(again->target.event_at);
    CHECK(again->target.due_at == r.clock.now_ms() + 7 * kDay);
  }
  SECTION("a finding opens a ticket on the spot") {
    auto f = r.visit(r.c_elder, r.clock.now_ms(), std::string("LC010"));
    REQUIRE(f.ok());
    REQUIRE(f->ticket);
    CHECK(f->visit.ticket_no == f->ticket->ticket_no);
    CHECK(f->ticket->channel == domain::Channel::kApp);
  }
  SECTION("refusals change nothing") {
    CHECK(r.visit(r.a_elder, r.clock.now_ms()).status().reason() == "not_care_target");
    CHECK(r.visit(r.c_elder, r.clock.now_ms() + kDay).status().field() == "visited_at");
    CHECK(r.visit(r.c_elder, r.clock.now_ms(), std::nullopt, r.worker + 1).status().code() == Code::kPermissionDenied);
    CHECK(r.target(r.a_elder, domain::CareTier::kKey, "nobody").status().field() == "care_worker");
    CHECK(r.target(r.a_elder, domain::CareTier::kKey, "sup").status().code() == Code::kNotFound);
    CHECK_FALSE(*store::get_care_target(r.w.store->db(), r.a_elder));
  }
}

TEST_CASE("the month's report counts each community's targets and who was visited", "[care]") {
  Rig r;
  REQUIRE(r.target(r.a_elder, domain::CareTier::kHigh).ok());   // 畅家巷 620102001001
  REQUIRE(r.target(r.b_elder, domain::CareTier::kGeneral).ok()); // 张家园 620102001002
  REQUIRE(r.target(r.c_elder, domain::CareTier::kHigh).ok());   // 金塔巷 620102002001
  REQUIRE(r.visit(r.a_elder, r.clock.now_ms()).ok());
  REQUIRE(r.visit(r.a_elder, r.clock.now_ms() + 1000).ok());
  auto rep = care::report(r.w.store->db(), r.w.policy, {2026, 11});
  REQUIRE(rep.ok());
  REQUIRE(rep->size() == 3);
  CHECK(rep->at(0).row.community_code == "620102001001");
  CHECK(rep->at(0).row.visited == 1);
  CHECK(rep->at(0).row.visits == 2);
  CHECK(rep->at(0).rate_permille == 1000);
  CHECK(rep->at(1).rate_permille == 0);
  CHECK(rep->at(2).row.high_targets == 1);
  CHECK(rep->at(2).row.high_visited == 0);
  // December: they are still targets, nobody visited yet.
  auto dec = care::report(r.w.store->db(), r.w.policy, {2026, 12});
  REQUIRE(dec.ok());
  CHECK(dec->at(0).row.visited == 0);
  CHECK(dec->at(0).row.targets == 1);
}

TEST_CASE("a death cancels the open tickets, revokes the cards, ends the recurrences; the elder is out of the due list",
          "[care][deaths]") {
  Rig r;
  REQUIRE(r.target(r.c_elder, domain::CareTier::kHigh).ok());
  tickets::CreateRequest req;
  req.elder_id = "E3";
  req.item_code = "LC010";
  std::string ticket_no;
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    auto c = r.service.create(tx, req, domain::Actor::user("op"), 1, std::nullopt, "");
    if (!c.ok()) return c.status();
    ticket_no = c->ticket.ticket_no;
    return Status::Ok();
  }).ok());
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    store::MealCard card;
    card.card_no = "K0001";
    card.elder_id = r.c_elder;
    card.issued_on = {2026, 1, 1};
    auto id = store::insert_meal_card(tx.db(), card, r.clock.now_ms());
    if (!id.ok()) return id.status();
    store::RecurrenceRow rec;
    rec.elder_id = r.c_elder;
    rec.item_id = 2;
    rec.rule = "FREQ=WEEKLY;BYDAY=MO";
    rec.window_start = "09:00";
    rec.window_end = "11:00";
    rec.starts_on = "2026-11-23";
    rec.created_by = "op";
    rec.created_at = r.clock.now_ms();
    return store::insert_recurrence(tx.db(), rec).status();
  }).ok());
  registry::DeathReport d{r.c_elder, {2026, 11, 22}, registry::DeathSource::kPhone, "女儿", "家属来电"};
  Result<registry::DeathOutcome> out = internal("not run");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    out = registry::record_death(tx, r.w.policy, &r.service, d, domain::Actor::user("sup"), r.clock.now_ms());
    return out.status();
  }).ok());
  REQUIRE(out.ok());
  CHECK(out->recorded);
  CHECK(out->cancelled_tickets == std::vector<std::string>{ticket_no});
  CHECK(out->cards_revoked == 1);
  CHECK(out->recurrences_ended == 1);
  CHECK(out->recoveries.empty());  // no approved month paid anything after the 22nd
  auto t = store::find_ticket(r.w.store->db(), ticket_no);
  CHECK((*t)->state == domain::TicketState::kCancelled);
  CHECK((*t)->cancel_reason == "elder_deceased");
  auto e = store::get_elder_core(r.w.store->db(), r.c_elder);
  CHECK((*e)->status == domain::ElderStatus::kDeceased);
  CHECK((*e)->died_on == "2026-11-22");
  auto due = care::due(r.w.store->db(), {"", false, std::nullopt, 365 * kDay, 100}, r.clock.now_ms());
  CHECK(due->empty());
  CHECK(r.visit(r.c_elder, r.clock.now_ms()).status().reason() == "elder_deceased");
  SECTION("the registry's list with the same date changes nothing; another date corrects a phone report") {
    Result<registry::DeathOutcome> again = internal("not run");
    registry::DeathReport same{r.c_elder, {2026, 11, 22}, registry::DeathSource::kRegistry, "", ""};
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
      again = registry::record_death(tx, r.w.policy, &r.service, same, domain::Actor::import("import"), r.clock.now_ms());
      return again.status();
    }).ok());
    CHECK_FALSE(again->recorded);
    registry::DeathReport other{r.c_elder, {2026, 11, 21}, registry::DeathSource::kRegistry, "", ""};
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
      again = registry::record_death(tx, r.w.policy, &r.service, other, domain::Actor::import("import"), r.clock.now_ms());
      return again.status();
    }).ok());
    CHECK(again->corrected);
    registry::DeathReport phone{r.c_elder, {2026, 11, 20}, registry::DeathSource::kPhone, "", ""};
    auto refused = r.w.tx([&](store::WriteTx& tx) {
      return registry::record_death(tx, r.w.policy, &r.service, phone, domain::Actor::user("sup"), r.clock.now_ms()).status();
    });
    CHECK(refused.reason() == "already_deceased");
  }
  SECTION("a future date or one before the birth is refused") {
    registry::DeathReport future{r.b_elder, {2026, 11, 24}, registry::DeathSource::kPhone, "", ""};
    auto st = r.w.tx([&](store::WriteTx& tx) {
      return registry::record_death(tx, r.w.policy, &r.service, future, domain::Actor::user("sup"), r.clock.now_ms()).status();
    });
    CHECK(st.field() == "died_on");
    CHECK((*store::get_elder_core(r.w.store->db(), r.b_elder))->status == domain::ElderStatus::kActive);
  }
}

TEST_CASE("a death recorded after its month was approved proposes a recovery of what was paid after the day",
          "[deaths][recoveries]") {
  Rig r;
  // October: two baths for 李四芳 (B, 5000 fen of credit) at F_MID — the 5th from the credit
  // (4800), the 12th with the 200 left — and one for 张三明 (A) the 20th.
  r.w.load(importer::Kind::kTickets,
           "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
           "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n"
           "TO1,62010219511015004X,LC010,F_MID,normal,2026-10-05T09:00:00+08:00,2026-10-05T11:00:00+08:00,"
           "2026-10-04T09:00:00+08:00,2026-10-05T09:10:00+08:00,36.06,103.83,2026-10-05T10:20:00+08:00,36.06,103.83,M1,completed\r\n"
           "TO2,62010219511015004X,LC010,F_MID,normal,2026-10-12T09:00:00+08:00,2026-10-12T11:00:00+08:00,"
           "2026-10-11T09:00:00+08:00,2026-10-12T09:10:00+08:00,36.06,103.83,2026-10-12T10:20:00+08:00,36.06,103.83,M1,completed\r\n"
           "TO3,620102195810100019,LC010,F_MID,normal,2026-10-20T09:00:00+08:00,2026-10-20T11:00:00+08:00,"
           "2026-10-19T09:00:00+08:00,2026-10-20T09:10:00+08:00,36.06,103.83,2026-10-20T10:20:00+08:00,36.06,103.83,M1,completed\r\n");
  r.w.load(importer::Kind::kInspections,
           "firm_code,month,enterprise_building,service_norms,staff_management\r\nF_MID,2026-10,80,80,80\r\n");
  const TimeMs now = r.clock.now_ms();
  auto run = settlement::run(
      r.w.store->db(), [&](const auto& w) { return store::run_transaction(r.w.store->db(), w); }, r.w.policy,
      {{2026, 10}, "", "fin1", now});
  REQUIRE(run.ok());
  REQUIRE(run->settlement.lines.size() == 1);
  const auto coefficient = *run->settlement.lines[0].coefficient;
  REQUIRE(r.w.tx([&](store::WriteTx& tx) { return settlement::approve(tx, {2026, 10}, "fin2", now, r.w.policy); }).ok());

  // Reported in November: 李四芳 died on 10 October. The bath of the 12th drew the 200 fen the
  // credit had left (the 5th's 4800 came first): that, times F_MID's coefficient, is recovered.
  registry::DeathReport d{r.b_elder, {2026, 10, 10}, registry::DeathSource::kRegistry, "", ""};
  Result<registry::DeathOutcome> out = internal("not run");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    out = registry::record_death(tx, r.w.policy, &r.service, d, domain::Actor::import("import"), now);
    return out.status();
  }).ok());
  REQUIRE(out->recoveries.size() == 1);
  const auto& rec = out->recoveries[0];
  CHECK(rec.paid_month == "2026-10");
  CHECK(rec.kind == "ticket");
  CHECK(rec.ref == "TO2");
  CHECK(rec.payee_code == "F_MID");
  CHECK(rec.service_day == "2026-10-12");
  CHECK(rec.amount_fen == settlement::payout_fen(200, coefficient, 0));
  CHECK(rec.amount_fen == 200 * coefficient / 100);  // 200 × 0.80 or 0.90 … is a whole fen

  // November is open: it lists the recovery; applying it makes a negative adjustment, once.
  auto open = settlement::open_recoveries(r.w.store->db(), {2026, 11});
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  Result<std::vector<std::int64_t>> adj = internal("not run");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    adj = settlement::apply_recoveries(tx, {2026, 11}, {}, "fin1", now);
    return adj.status();
  }).ok());
  REQUIRE(adj->size() == 1);
  auto adjustments = settlement::list_adjustments(r.w.store->db(), {2026, 11});
  REQUIRE(adjustments->size() == 1);
  CHECK(adjustments->at(0).amount_fen == -rec.amount_fen);
  CHECK(adjustments->at(0).corrects_month == "2026-10");
  CHECK(settlement::open_recoveries(r.w.store->db(), {2026, 11})->empty());
  auto twice = r.w.tx([&](store::WriteTx& tx) { return settlement::apply_recoveries(tx, {2026, 11}, {rec.id}, "fin1", now).status(); });
  CHECK(twice.reason() == "not_proposed");
  // The same registry list again proposes nothing new.
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    out = registry::record_death(tx, r.w.policy, &r.service, d, domain::Actor::import("import"), now);
    return out.status();
  }).ok());
  CHECK(out->recoveries.empty());
}

TEST_CASE("the eligibility watch lists who reaches an age that brings something, with what", "[eligibility]") {
  Rig r;
  // 李四芳 (B, born 1951-10-15) turns 75 in October 2026: the 1000-fen lunch.
  auto oct = registry::upcoming(r.w.store->db(), r.w.policy, {2026, 10}, "");
  REQUIRE(oct.ok());
  REQUIRE(oct->size() == 1);
  CHECK(oct->at(0).elder.id == r.b_elder);
  CHECK(oct->at(0).turns == 75);
  CHECK(oct->at(0).birthday == Date{2026, 10, 15});
  REQUIRE(oct->at(0).gains.size() == 1);
  CHECK(oct->at(0).gains[0].kind == "meal_rule");
  CHECK(oct->at(0).gains[0].code == "lunch_75_up");
  CHECK(oct->at(0).gains[0].detail == "lunch 1000 fen");
  // 张三明 turns 68 the same month: nothing changes for him. Another district's programme from
  // 68 and an allowance at 75 would show.
  auto p = domain::load_policy(R"(
[eligibility]
longevity_allowance_age = 75
[[programmes]]
code = "X68"
name = "六十八岁服务"
unit = "minutes"
monthly = 60
min_age = 68
)",
                               "p.toml");
  REQUIRE(p.ok());
  auto other = registry::upcoming(r.w.store->db(), *p, {2026, 10}, "");
  REQUIRE(other->size() == 2);
  CHECK(other->at(0).gains[0].code == "X68");
  CHECK(other->at(1).gains.back().kind == "longevity_allowance");
  // A community filter; a month with no birthday that matters.
  CHECK(registry::upcoming(r.w.store->db(), r.w.policy, {2026, 10}, "620102002")->empty());
  CHECK(registry::upcoming(r.w.store->db(), r.w.policy, {2026, 11}, "")->empty());
  // The daily mark on the birthday.
  Result<int> marked = internal("not run");
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
    marked = registry::mark_today(tx, r.w.policy, *parse_time("2026-10-15T00:10:00+08:00"));
    return marked.status();
  }).ok());
  CHECK(*marked == 1);
  auto mark = store::entitlement_change_on(r.w.store->db(), r.b_elder, "2026-10-15");
  REQUIRE(mark.ok());
  REQUIRE(*mark);
  CHECK(mark->value().find("lunch_75_up") != std::string::npos);
}
