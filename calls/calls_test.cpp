// The call record's life (SPEC §11) as a service: no HTTP, a real database.
#include <catch2/catch.hpp>

#include "calls/calls.hpp"
#include "calls/dialer.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"
#include "store/tickets.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
using domain::CallOutcome;
using domain::CallState;
using domain::Role;

namespace {

struct Rig {
  testing::World w;
  FakeClock clock{*parse_time("2026-11-23T09:00:00+08:00")};
  calls::Calls calls{w.policy, w.store->crypto(), clock};
  const calls::Requester pbx{true, "", Role::kOperator};

  Rig() {
    for (auto [name, role, active] : {std::tuple{"op1", Role::kOperator, true}, {"op2", Role::kOperator, true},
                                      {"sup1", Role::kSupervisor, true}, {"fin1", Role::kFinance, true},
                                      {"gone", Role::kOperator, false}}) {
      store::UserRow u;
      u.username = name;
      u.role = role;
      u.password_hash = "x";
      u.active = active;
      REQUIRE(store::insert_user(w.store->db(), u).ok());
    }
  }
  calls::Requester console(const std::string& user, Role role = Role::kOperator) { return {false, user, role}; }

  template <class T, class F>
  Result<T> tx(F&& f) {
    std::optional<Result<T>> out;
    Status st = w.tx([&](store::WriteTx& t) {
      out.emplace(f(t));
      return out->status();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }
  Result<calls::Received> ring(const std::string& caller, std::optional<std::string> id = std::nullopt) {
    return tx<calls::Received>([&](store::WriteTx& t) { return calls.receive(t, {id, caller, "965885-1", "pbx"}); });
  }
  Result<store::CallRow> answer(const std::string& id, const std::string& agent, const calls::Requester& by) {
    return tx<store::CallRow>([&](store::WriteTx& t) { return calls.answer(t, id, agent, by); });
  }
  Result<store::CallRow> hangup(const std::string& id, const calls::Requester& by) {
    return tx<store::CallRow>([&](store::WriteTx& t) { return calls.hangup(t, id, by); });
  }
  store::CallRow get(const std::string& id) { return **store::find_call(w.store->db(), id); }
};

}  // namespace

TEST_CASE("an incoming call is recorded ringing with its caller masked and the elders at the number", "[calls]") {
  Rig r;
  auto c = r.ring("0931 812 3456");  // the landline 李四芳 and 王五 share
  REQUIRE(c.ok());
  CHECK(c->call.state == CallState::kRinging);
  CHECK(c->call.call_id.rfind("C", 0) == 0);
  CHECK(c->caller == "09318123456");
  CHECK(c->elder_ids.size() == 2);
  CHECK(r.get(c->call.call_id).caller_masked == "0931***3456");
  CHECK(r.get(c->call.call_id).elders_matched == 2);
  auto caller = store::call_caller(r.w.store->db(), r.w.store->crypto(), c->call.id);
  REQUIRE(caller.ok());
  CHECK(**caller == "09318123456");  // stored encrypted, readable with the key
  SECTION("the PBX's own call id is kept, and a second report of it is refused") {
    REQUIRE(r.ring("13970241505", std::string("1701234567.42")).ok());
    CHECK(r.get("1701234567.42").elders_matched == 1);
    auto again = r.ring("13970241505", std::string("1701234567.42"));
    CHECK(again.status().reason() == "duplicate");
    CHECK(r.ring("13970241505", std::string("has space")).status().field() == "call_id");
  }
  SECTION("a number that is not a number is recorded as unknown") {
    auto u = r.ring("anonymous");
    REQUIRE(u.ok());
    CHECK_FALSE(u->caller.has_value());
    CHECK(r.get(u->call.call_id).caller_masked == "unknown");
    CHECK_FALSE(r.get(u->call.call_id).caller_known);
  }
}

TEST_CASE("one operator answers a call; a second claim is refused naming who has it", "[calls]") {
  Rig r;
  auto id = r.ring("13970241505")->call.call_id;
  auto a = r.answer(id, "op1", r.pbx);
  REQUIRE(a.ok());
  CHECK(a->state == CallState::kAnswered);
  CHECK(a->answered_by == "op1");
  CHECK(a->answered_at == r.clock.now_ms());
  auto second = r.answer(id, "op2", r.console("op2"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().reason() == "already_answered");
  CHECK(second.status().message().find("op1") != std::string::npos);
  CHECK(r.answer(id, "op1", r.console("op1")).ok());  // the same operator again: a no-op
  CHECK(r.get(id).answered_by == "op1");
  SECTION("the PBX may only name an active operator or supervisor") {
    auto other = r.ring("13955650450")->call.call_id;
    for (const char* agent : {"nobody", "gone", "fin1"}) {
      INFO(agent);
      CHECK(r.answer(other, agent, r.pbx).status().reason() == "unknown_agent");
    }
    CHECK(r.answer(other, "sup1", r.pbx).ok());
  }
  SECTION("a console claims only for its own user") {
    auto other = r.ring("13955650450")->call.call_id;
    CHECK(r.answer(other, "op1", r.console("op2")).status().code() == Code::kPermissionDenied);
  }
}

TEST_CASE("hang-up ends an answered call and makes an unanswered one missed", "[calls]") {
  Rig r;
  auto missed = r.ring("13970241505")->call.call_id;
  auto m = r.hangup(missed, r.pbx);
  REQUIRE(m.ok());
  CHECK(m->state == CallState::kMissed);
  CHECK(m->ended_at == r.clock.now_ms());
  CHECK(r.answer(missed, "op1", r.pbx).status().reason() == "call_over");
  auto talked = r.ring("13955650450")->call.call_id;
  REQUIRE(r.answer(talked, "op1", r.pbx).ok());
  CHECK(r.hangup(talked, r.console("op2")).status().reason() == "not_your_call");
  r.clock.advance(95'000);
  auto e = r.hangup(talked, r.console("op1"));
  REQUIRE(e.ok());
  CHECK(e->state == CallState::kEnded);
  CHECK(*e->ended_at - *e->answered_at == 95'000);
  CHECK(r.hangup(talked, r.pbx)->state == CallState::kEnded);  // the PBX's own hang-up after it: no change
  auto audit = store::list_audit(r.w.store->db(), "call:" + talked, 10);
  REQUIRE(audit.ok());
  CHECK(audit->front().entry.action == "call.hangup");
}

TEST_CASE("a call nobody answers within the ring timeout is missed", "[calls]") {
  Rig r;
  CHECK(r.calls.next_expiry() == 0);
  const TimeMs t0 = r.clock.now_ms();
  auto id = r.ring("13970241505")->call.call_id;
  CHECK(r.calls.next_expiry() == t0 + 30'000);
  r.clock.advance(29'999);
  auto none = r.tx<std::vector<store::CallRow>>([&](store::WriteTx& t) { return r.calls.expire_ringing(t); });
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(r.get(id).state == CallState::kRinging);
  r.clock.advance(1);
  auto due = r.tx<std::vector<store::CallRow>>([&](store::WriteTx& t) { return r.calls.expire_ringing(t); });
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK(r.get(id).state == CallState::kMissed);
  CHECK(r.get(id).ended_at == t0 + 30'000);
  CHECK(r.calls.next_expiry() == 0);
  SECTION("an answered call does not ring out") {
    auto a = r.ring("13955650450")->call.call_id;
    REQUIRE(r.answer(a, "op1", r.pbx).ok());
    r.clock.advance(60'000);
    REQUIRE(r.tx<std::vector<store::CallRow>>([&](store::WriteTx& t) { return r.calls.expire_ringing(t); }).ok());
    CHECK(r.get(a).state == CallState::kAnswered);
  }
  SECTION("after a restart, calls still ringing ring out on time") {
    auto b = r.ring("13955650450")->call.call_id;
    calls::Calls fresh(r.w.policy, r.w.store->crypto(), r.clock);
    REQUIRE(fresh.restore(r.w.store->db()).ok());
    CHECK(fresh.next_expiry() == r.get(b).received_at + 30'000);
  }
}

TEST_CASE("the outcome belongs to the answering operator; what is made during the call is linked", "[calls]") {
  Rig r;
  auto id = r.ring("13970241505")->call.call_id;
  auto outcome = [&](const std::string& user, Role role, CallOutcome o, std::optional<std::string> no = std::nullopt) {
    return r.tx<store::CallRow>([&](store::WriteTx& t) { return r.calls.record_outcome(t, id, o, no, "", r.console(user, role)); });
  };
  CHECK(outcome("op1", Role::kOperator, CallOutcome::kInformation).status().reason() == "not_answered");
  REQUIRE(r.answer(id, "op1", r.pbx).ok());
  CHECK(outcome("op2", Role::kOperator, CallOutcome::kInformation).status().reason() == "not_your_call");
  CHECK(outcome("op1", Role::kOperator, CallOutcome::kTicket).status().field() == "ticket_no");
  CHECK(outcome("op1", Role::kOperator, CallOutcome::kTicket, "T-nope").status().code() == Code::kNotFound);
  // A ticket made while op1 has the call is linked to it.
  store::TicketRow t;
  t.ticket_no = "T20261123000001";
  t.elder_id = 1;
  t.item_id = 1;
  t.window_start = t.created_at = t.updated_at = r.clock.now_ms();
  t.window_end = t.window_start + 3'600'000;
  t.created_by = "op1";
  REQUIRE(store::insert_ticket(r.w.store->db(), t).ok());
  auto linked = r.tx<std::optional<store::CallRow>>([&](store::WriteTx& x) { return r.calls.link(x, "op1", "ticket", t.id, std::nullopt); });
  REQUIRE(linked.ok());
  REQUIRE(*linked);
  CHECK((*linked)->call_id == id);
  auto of = store::call_of(r.w.store->db(), "ticket", t.id);
  REQUIRE(of.ok());
  CHECK((*of)->call_id == id);
  auto recorded = outcome("op1", Role::kOperator, CallOutcome::kTicket, t.ticket_no);
  REQUIRE(recorded.ok());
  CHECK(recorded->outcome == CallOutcome::kTicket);
  CHECK(store::call_links(r.w.store->db(), recorded->id)->size() == 1);  // the same link, once
  CHECK(outcome("sup1", Role::kSupervisor, CallOutcome::kSilent).ok());  // a supervisor may correct it
  SECTION("nothing is linked implicitly to an operator without exactly one call in progress") {
    auto none = r.tx<std::optional<store::CallRow>>([&](store::WriteTx& x) { return r.calls.link(x, "op2", "ticket", t.id, std::nullopt); });
    REQUIRE(none.ok());
    CHECK_FALSE(*none);
    auto foreign = r.tx<std::optional<store::CallRow>>([&](store::WriteTx& x) { return r.calls.link(x, "op2", "ticket", t.id, id); });
    CHECK(foreign.status().reason() == "not_your_call");
  }
}

TEST_CASE("the PBX dial URL: agent and number filled in, percent-encoded; a template must be http with {number}",
          "[calls][dial]") {
  CHECK(calls::dial_url("http://pbx:8088/ari/channels?endpoint=PJSIP/{agent}&extension={number}", "op1", "09318123456") ==
        "http://pbx:8088/ari/channels?endpoint=PJSIP/op1&extension=09318123456");
  CHECK(calls::dial_url("http://pbx/o?a={agent}&n={number}&n2={number}", "张 三&x", "+86 139") ==
        "http://pbx/o?a=%E5%BC%A0%20%E4%B8%89%26x&n=%2B86%20139&n2=%2B86%20139");
  CHECK(calls::check_dial_template("http://127.0.0.1:8088/originate?to={number}").ok());
  auto no_number = calls::check_dial_template("http://127.0.0.1:8088/originate?agent={agent}");
  CHECK(no_number.code() == Code::kInvalidArgument);
  CHECK(no_number.message().find("{number}") != std::string::npos);
  CHECK(calls::check_dial_template("https://pbx/originate?to={number}").code() == Code::kInvalidArgument);
  CHECK(calls::check_dial_template("pbx/originate?to={number}").code() == Code::kInvalidArgument);
}
