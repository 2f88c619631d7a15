// The command handler: a firm's frame → one ticket service call → the CommandResult, recorded
// under the request_id so that a repeat gets the same answer and changes nothing.
#include <catch2/catch.hpp>

#include "store/audit.hpp"
#include "store/query.hpp"
#include "meals/meals.hpp"
#include "store/meals.hpp"
#include "tests/support/partner_rig.hpp"

using namespace vnh;
using vnh::testing::PartnerRig;

namespace {

vnh::v1::ClientFrame accept(const std::string& rid, const std::string& no) {
  vnh::v1::ClientFrame f;
  f.set_request_id(rid);
  f.mutable_accept()->set_ticket_no(no);
  return f;
}

vnh::v1::CommandResult result_of(const partners::CommandAnswer& a) {
  vnh::v1::ServerFrame f;
  REQUIRE(f.ParseFromString(a.frame));
  REQUIRE(f.has_result());
  return f.result();
}

std::int64_t events_of(PartnerRig& r, const std::string& no) {
  return static_cast<std::int64_t>(store::list_events(r.w.store->db(), r.ticket(no).id)->size());
}

}  // namespace

TEST_CASE("an accepted offer is answered with the elder's whole card, and the view is audited", "[commands]") {
  PartnerRig r;
  auto t = r.create();
  auto a = r.command(r.firm("F_NEAR"), accept("acc-1", t.ticket_no));
  REQUIRE(a.ok());
  CHECK_FALSE(a->replayed);
  auto res = result_of(*a);
  CHECK(res.ok());
  CHECK(res.request_id() == "acc-1");
  CHECK(res.ticket_no() == t.ticket_no);
  CHECK(res.state() == "accepted");
  CHECK(res.elder().name() == "张三明");
  CHECK(res.elder().phone() == "13970241505");
  CHECK(res.elder().id_number_masked().find('*') != std::string::npos);
  CHECK(r.ticket(t.ticket_no).state == domain::TicketState::kAccepted);
  auto audit = store::list_audit(r.w.store->db(), "elder:", 10);
  REQUIRE(audit.ok());
  REQUIRE_FALSE(audit->empty());
  CHECK(audit->front().entry.action == "elder.view_whole");
  CHECK(audit->front().entry.actor == "firm:F_NEAR");
}

TEST_CASE("a repeated request_id gets the recorded answer and changes nothing", "[commands]") {
  PartnerRig r;
  auto t = r.create();
  auto first = r.command(r.firm("F_NEAR"), accept("acc-1", t.ticket_no));
  REQUIRE(first.ok());
  const auto events = events_of(r, t.ticket_no);
  auto again = r.command(r.firm("F_NEAR"), accept("acc-1", t.ticket_no));
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->frame == first->frame);
  CHECK(events_of(r, t.ticket_no) == events);
  SECTION("a new request_id for the same command is a new command, refused by the state machine") {
    auto other = r.command(r.firm("F_NEAR"), accept("acc-2", t.ticket_no));
    REQUIRE(other.ok());
    CHECK_FALSE(other->replayed);
    auto res = result_of(*other);
    CHECK_FALSE(res.ok());
    CHECK(res.error_code() == "illegal_transition");
    CHECK(events_of(r, t.ticket_no) == events);
  }
}

TEST_CASE("a refused command is an answer with its error code, recorded like any other", "[commands]") {
  PartnerRig r;
  auto t = r.create();  // offered to F_NEAR
  auto a = r.command(r.firm("F_MID"), accept("steal-1", t.ticket_no));
  REQUIRE(a.ok());
  auto res = result_of(*a);
  CHECK_FALSE(res.ok());
  CHECK(res.error_code() == "not_your_ticket");
  CHECK(res.message().find(t.ticket_no) != std::string::npos);
  CHECK_FALSE(res.has_elder());
  CHECK(r.ticket(t.ticket_no).state == domain::TicketState::kOffered);
  auto again = r.command(r.firm("F_MID"), accept("steal-1", t.ticket_no));
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->frame == a->frame);
}

TEST_CASE("a command refused after the service wrote leaves nothing behind but its answer", "[commands]") {
  PartnerRig r;
  auto t = r.create();
  REQUIRE(result_of(*r.command(r.firm("F_NEAR"), accept("acc-1", t.ticket_no))).ok());
  vnh::v1::ClientFrame assign;
  assign.set_request_id("as-1");
  assign.mutable_assign()->set_ticket_no(t.ticket_no);
  assign.mutable_assign()->set_staff_code("NOBODY");
  auto a = r.command(r.firm("F_NEAR"), assign);
  REQUIRE(a.ok());
  CHECK(result_of(*a).error_code() == "unknown_staff");
  CHECK_FALSE(r.ticket(t.ticket_no).staff_code.has_value());
  vnh::v1::ClientFrame in;
  in.set_request_id("in-1");
  auto* ci = in.mutable_check_in();
  ci->set_ticket_no(t.ticket_no);
  ci->set_staff_code("N1");
  ci->set_time_ms(r.clock.now_ms());
  ci->set_lat(36.06);
  ci->set_lon(103.83);
  ci->set_photo_sha256("not-a-digest");
  auto b = r.command(r.firm("F_NEAR"), in);
  REQUIRE(b.ok());
  CHECK(result_of(*b).error_code() == "invalid_argument");
  CHECK(r.ticket(t.ticket_no).state == domain::TicketState::kAccepted);
  CHECK_FALSE(r.ticket(t.ticket_no).checkin_at.has_value());
}

TEST_CASE("StaffLocation records where the firm's own worker is; another firm's worker is refused", "[commands]") {
  PartnerRig r;
  vnh::v1::ClientFrame loc;
  loc.set_request_id("loc-1");
  auto* l = loc.mutable_location();
  l->set_staff_code("N1");
  l->set_time_ms(r.clock.now_ms() - 3'600'000);  // a phone an hour behind: the server's time is kept
  l->set_lat(36.061);
  l->set_lon(103.831);
  REQUIRE(result_of(*r.command(r.firm("F_NEAR"), loc)).ok());
  // The live map is told after the commit, with the firm's code.
  REQUIRE(r.observed.seen.size() == 1);
  CHECK(r.observed.seen[0].firm_code == "F_NEAR");
  CHECK(r.observed.seen[0].staff_code == "N1");
  CHECK(r.observed.seen[0].lat == Approx(36.061));
  CHECK(r.observed.seen[0].at == r.clock.now_ms());
  auto st = r.w.store->db().prepare("SELECT last_lat, last_lon, last_seen_at FROM staff WHERE code = 'N1'");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  CHECK(st->real(0) == Approx(36.061));
  CHECK(st->real(1) == Approx(103.831));
  CHECK(st->int64(2) == r.clock.now_ms());
  st->reset();
  loc.set_request_id("loc-2");
  auto other = result_of(*r.command(r.firm("F_MID"), loc));
  CHECK_FALSE(other.ok());
  CHECK(other.error_code() == "unknown_staff");
  CHECK(r.observed.seen.size() == 1);  // nobody's position: nothing for the map
  loc.set_request_id("loc-3");
  l->set_lat(91);
  CHECK(result_of(*r.command(r.firm("F_NEAR"), loc)).error_code() == "invalid_argument");
}

TEST_CASE("a frame with no command in it is refused as unknown_message", "[commands]") {
  PartnerRig r;
  vnh::v1::ClientFrame empty;
  empty.set_request_id("x-1");
  auto a = r.command(r.firm("F_NEAR"), empty);
  REQUIRE(a.ok());
  CHECK(result_of(*a).error_code() == "unknown_message");
}

TEST_CASE("a firm that runs a canteen lists its deliveries and reports them; another firm is refused", "[commands][meals]") {
  PartnerRig r;
  r.w.import_time = r.clock.now_ms();
  r.w.load(importer::Kind::kCanteens,
           "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n"
           "K1,畅家巷助餐点,F_NEAR,620102001001,36.0600,103.8300,active,1,200\r\n");
  // Orders for the 24th, taken on the 23rd before the cut-off.
  for (const char* idn : {"620102195810100019", "62010219511015004X"}) {
    meals::OrderRequest o;
    o.id_number = idn;
    o.canteen_code = "K1";
    o.day = {2026, 11, 24};
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
                 return meals::place_order(tx.db(), r.w.store->crypto(), r.w.policy, o, "op1", std::nullopt, r.clock.now_ms())
                     .status();
               }).ok());
  }
  r.clock.set(*parse_time("2026-11-24T11:20:00+08:00"));
  vnh::v1::ClientFrame list;
  list.set_request_id("list-1");
  list.mutable_list_deliveries()->set_date("2026-11-24");
  auto listed = r.command(r.firm("F_NEAR"), list);
  REQUIRE(listed.ok());
  auto res = result_of(*listed);
  REQUIRE(res.ok());
  REQUIRE(res.deliveries_size() == 2);
  CHECK(res.deliveries(0).elder_name() == "张三明");
  CHECK(res.deliveries(0).phone() == "13970241505");  // the firm delivers: the whole card, audited
  CHECK(res.deliveries(0).state() == "ordered");
  auto report = [&](const char* rid, std::int64_t order, bool delivered) {
    vnh::v1::ClientFrame f;
    f.set_request_id(rid);
    auto* d = f.mutable_report_delivery();
    d->set_order_id(order);
    d->set_delivered(delivered);
    d->set_staff_code("N1");
    d->set_lat(36.06);
    d->set_lon(103.83);
    return f;
  };
  auto other = r.command(r.firm("F_MID"), report("mid-1", res.deliveries(0).order_id(), true));
  REQUIRE(other.ok());
  CHECK(result_of(*other).error_code() == "not_your_canteen");
  auto done = r.command(r.firm("F_NEAR"), report("rep-1", res.deliveries(0).order_id(), true));
  REQUIRE(done.ok());
  CHECK(result_of(*done).ok());
  CHECK(result_of(*done).meal_id() > 0);
  auto nobody = r.command(r.firm("F_NEAR"), report("rep-2", res.deliveries(1).order_id(), false));
  REQUIRE(nobody.ok());
  CHECK(result_of(*nobody).ok());
  auto checks = store::open_welfare_checks(r.w.store->db());
  REQUIRE(checks.ok());
  REQUIRE(checks->size() == 1);
  CHECK(checks->front().opened_by == "firm:F_NEAR:N1");
  auto again = r.command(r.firm("F_NEAR"), report("rep-3", res.deliveries(1).order_id(), true));
  CHECK(result_of(*again).error_code() == "illegal_transition");  // reported once
}
