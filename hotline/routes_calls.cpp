// Calls (SPEC §11): the PBX (shared secret) or a signed-in operator reports an incoming call —
// recorded ringing, and every elder registered at that number pops on the operators'
// consoles; the PBX's answer or a console's claim gives the call to one operator; hang-up;
// the outcome; the call log and its missed calls.
#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// Who asks: the PBX by its secret, or a console user by token (operators, supervisors, admins).
// Who sends a call's request: the PBX (its shared secret, compared in constant time; a wrong
// one is refused, not taken for a console) or a console that takes calls — an operator, or a
// supervisor on the desk; `operators_only` for reporting a call by hand.
Result<calls::Requester> requester(Api& api, const net::Request& req, bool operators_only = false) {
  const auto& c = api.ctx();
  if (auto secret = req.header("x-pbx-secret")) {
    if (c.pbx_secret.empty() || !secrets_equal(*secret, c.pbx_secret)) {
      return Status(Code::kUnauthenticated, "wrong X-PBX-Secret", "", reason::kBadToken);
    }
    return calls::Requester{true, "", Role::kOperator};
  }
  auto token = req.bearer();
  if (!token) return Status(Code::kUnauthenticated, "send X-PBX-Secret (PBX) or a bearer token", "", reason::kUnauthenticated);
  VNH_ASSIGN_OR_RETURN(auto p, api.authenticate_token(*token));
  if (p.role != Role::kOperator && (operators_only || p.role != Role::kSupervisor)) {
    return Status(Code::kPermissionDenied, "only operators take calls", "", reason::kForbidden);
  }
  return calls::Requester{false, p.username, p.role};
}

// Tells the operators' consoles how a call stands now.
void announce(const ApiContext& c, const store::CallRow& call) {
  auto ev = call_json(call, *c.policy.tz);
  ev["type"] = "call";
  c.live.broadcast(ev, Audience::kOperators);
}

// The cards of every elder registered at the call's number, as operators see them.
Result<json::array> call_elders(store::Database& db, const ApiContext& c, const store::CallRow& call) {
  json::array elders;
  VNH_ASSIGN_OR_RETURN(auto caller, store::call_caller(db, c.store.crypto(), call.id));
  if (!caller) return elders;
  VNH_ASSIGN_OR_RETURN(auto cards, registry::cards_for_phone(db, c.store.crypto(), *caller));
  for (const auto& card : cards) {
    VNH_ASSIGN_OR_RETURN(auto o, elder_card_json(db, card, Role::kOperator, c.policy, c.clock.now_ms()));
    elders.push_back(std::move(o));
  }
  return elders;
}

// The screen pop of a call, for the desk of the operator who answered it.
Result<json::object> screen_pop(store::Database& db, const ApiContext& c, const store::CallRow& call) {
  VNH_ASSIGN_OR_RETURN(auto elders, call_elders(db, c, call));
  return json::object{{"type", "screen_pop"},
                      {"call_id", call.call_id},
                      {"caller", call.caller_masked},
                      {"line", call.line},
                      {"at", format_time(call.received_at, *c.policy.tz)},
                      {"answered_at", call.answered_at ? json::value(format_time(*call.answered_at, *c.policy.tz)) : json::value(nullptr)},
                      {"elders", std::move(elders)}};
}

Result<net::Response> received_response(store::Database&, const ApiContext& c, const calls::Received& r) {
  announce(c, r.call);  // offered to every operator; the card opens on the desk that answers
  json::array ids;
  for (auto id : r.elder_ids) ids.push_back(json::value(store::elder_public_id(id)));
  log::info("msg=\"incoming call\" call_id={} line={} matched={} by={}", r.call.call_id, log::q(r.call.line),
            ids.size(), r.call.reported_by);
  return json_response(200, json::object{{"call_id", r.call.call_id},
                                         {"caller_valid", r.caller.has_value()},
                                         {"matched", ids.size()},
                                         {"elder_ids", std::move(ids)},
                                         {"consoles", c.live.connected()}});
}

void incoming_call(Api& api, Api::Call&& call) {
  auto by = requester(api, call.req, true);
  if (!by.ok()) return call.respond(error_response(by.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  calls::Incoming in;
  auto caller = req_string(*body, "caller", 40);
  auto line = opt_string(*body, "line", 40);
  auto call_id = opt_string(*body, "call_id", 64);
  for (const Status* s : {&caller.status(), &line.status(), &call_id.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  in = calls::Incoming{*call_id, *caller, line->value_or(""), by->pbx ? "pbx" : by->username};
  const auto& c = api.ctx();
  api.write<calls::Received>(
      std::move(call.respond), [&c, in](store::WriteTx& tx) { return c.calls.receive(tx, in); },
      [&c](store::Database& db, calls::Received& r) { return received_response(db, c, r); });
}

// A change of a call by the PBX or a console, answered with the call and told to the consoles;
// an answered call's card goes to the desk of the operator who has it.
void change_call(Api& api, Api::Call&& call, std::function<Result<store::CallRow>(store::WriteTx&)> change,
                 bool pop = false) {
  const auto& c = api.ctx();
  api.write<store::CallRow>(
      std::move(call.respond), std::move(change),
      [&c, pop](store::Database& db, store::CallRow& row) -> Result<net::Response> {
        // The desk that answered gets its card first; then every console hears the call is taken
        // (twenty consoles waking at once must not queue the one that has the caller on the line).
        if (pop && row.answered_by) {
          VNH_ASSIGN_OR_RETURN(auto p, screen_pop(db, c, row));
          c.live.send_to_user(*row.answered_by, p);
        }
        announce(c, row);
        return json_response(200, call_json(row, *c.policy.tz));
      });
}

// The PBX: the agent it connected the call to.
void answer_call(Api& api, Api::Call&& call) {
  auto by = requester(api, call.req);
  if (!by.ok()) return call.respond(error_response(by.status()));
  if (!by->pbx) {
    return call.respond(error_response(Status(Code::kPermissionDenied, "answer comes from the PBX; a console claims",
                                              "", reason::kForbidden)));
  }
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto agent = req_string(*body, "agent", 64);
  if (!agent.ok()) return call.respond(error_response(agent.status()));
  change_call(
      api, std::move(call),
      [&api, id = call.req.params["call_id"], agent = *agent, by = *by](store::WriteTx& tx) {
        return api.ctx().calls.answer(tx, id, agent, by);
      },
      true);
}

// A console: the operator takes the call.
void claim_call(Api& api, Api::Call&& call) {
  calls::Requester by{false, call.who.username, call.who.role};
  change_call(
      api, std::move(call),
      [&api, id = call.req.params["call_id"], by](store::WriteTx& tx) { return api.ctx().calls.answer(tx, id, by.username, by); },
      true);
}

void hangup_call(Api& api, Api::Call&& call) {
  auto by = requester(api, call.req);
  if (!by.ok()) return call.respond(error_response(by.status()));
  change_call(api, std::move(call), [&api, id = call.req.params["call_id"], by = *by](store::WriteTx& tx) {
    return api.ctx().calls.hangup(tx, id, by);
  });
}

void call_outcome(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto outcome = req_string(*body, "outcome", 16);
  auto ticket_no = opt_string(*body, "ticket_no", 40);
  auto note = opt_string(*body, "note", 500);
  for (const Status* s : {&outcome.status(), &ticket_no.status(), &note.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto o = domain::parse_call_outcome(*outcome);
  if (!o) return call.respond(error_response(invalid("outcome", "must be one of " + domain::call_outcome_names())));
  calls::Requester by{false, call.who.username, call.who.role};
  change_call(api, std::move(call),
              [&api, id = call.req.params["call_id"], o = *o, no = *ticket_no, note = note->value_or(""), by](store::WriteTx& tx) {
                return api.ctx().calls.record_outcome(tx, id, o, no, note, by);
              });
}

Result<store::CallFilter> call_filter(const net::Request& req) {
  store::CallFilter f;
  VNH_ASSIGN_OR_RETURN(f.limit, limit_param(req));
  if (auto s = req.query_param("state")) {
    f.state = domain::parse_call_state(*s);
    if (!f.state) return invalid("state", "must be ringing, answered, ended or missed");
  }
  if (auto s = req.query_param("since")) {
    auto t = parse_time(*s);
    if (!t.ok()) return invalid("since", t.status().message());
    f.since = *t;
  }
  VNH_ASSIGN_OR_RETURN(f.before_id, cursor_param(req));
  return f;
}

// One call; for the operator who answered it (or a supervisor) with the cards of the elders
// at its number and what was made during it.
void get_call(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto row, store::find_call(db, call.req.params["call_id"]));
    if (!row) return not_found("no call " + call.req.params["call_id"], "call_id");
    auto o = call_json(*row, *c.policy.tz);
    if (row->answered_by == call.who.username || call.who.role != Role::kOperator) {
      VNH_ASSIGN_OR_RETURN(auto elders, call_elders(db, c, *row));
      o["elders"] = std::move(elders);
      VNH_ASSIGN_OR_RETURN(auto links, store::call_links(db, row->id));
      json::array l;
      for (const auto& k : links) l.push_back(json::object{{"kind", k.kind}, {"ref_id", k.ref_id}});
      o["links"] = std::move(l);
    }
    return json_response(200, o);
  });
}

// The call log, newest first; state=missed is the queue of elders to call back.
void list_calls(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto f, call_filter(call.req));
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_calls(db, f));
    json::array a;
    for (const auto& c : rows) a.push_back(call_json(c, *api.ctx().policy.tz));
    json::value next = nullptr;
    if (static_cast<int>(rows.size()) == f.limit && !rows.empty()) next = std::to_string(rows.back().id);
    return json_response(200, json::object{{"calls", std::move(a)}, {"next", next}});
  });
}

// Click-to-dial from the callback queue or the missed calls: the PBX rings the operator's phone
// and connects it to the number ({"mode":"pbx"}, the number masked), or, with no PBX hook
// configured, the number is shown to the operator ({"mode":"manual"}). Audited either way.
void dial(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto ticket_no = opt_string(*body, "ticket_no", 40);
  auto call_id = opt_string(*body, "call_id", 64);
  for (const Status* s : {&ticket_no.status(), &call_id.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  if (ticket_no->has_value() == call_id->has_value()) {
    return call.respond(error_response(invalid("ticket_no", "give ticket_no (a callback) or call_id (a missed call)")));
  }
  const auto& c = api.ctx();
  const bool pbx = c.dialer && c.dialer->configured();
  const std::string mode = pbx ? "pbx" : "manual";
  auto number = std::make_shared<std::string>();
  // After the commit: with the PBX, answer once it has taken the call.
  net::Respond after = [&c, pbx, number, agent = call.who.username, respond = call.respond](net::Response r) {
    if (!pbx || r.status != 200) return respond(std::move(r));
    c.dialer->dial(agent, *number, [respond, masked = mask_phone(*number)](Status st) {
      if (!st.ok()) return respond(error_response(st));
      respond(json_response(200, json::object{{"mode", "pbx"}, {"phone", masked}}));
    });
  };
  api.write<int>(
      std::move(after),
      [&c, what = calls::Calls::DialFor{*ticket_no, *call_id}, mode, number,
       user = call.who.username](store::WriteTx& tx) -> Result<int> {
        VNH_ASSIGN_OR_RETURN(*number, c.calls.number_to_dial(tx, what, mode, user));
        return 0;
      },
      [](store::Database&, int&) -> Result<net::Response> { return internal("answered from memory"); },
      [number, mode](int&) -> std::optional<net::Response> {
        return json_response(200, json::object{{"mode", mode}, {"phone", *number}});
      });
}

}  // namespace

std::vector<Api::Route> call_routes() {
  return {
      {"POST", "/api/v1/calls/incoming", {}, incoming_call, true},
      {"POST", "/api/v1/calls/{call_id}/answer", {}, answer_call, true},
      {"POST", "/api/v1/calls/{call_id}/hangup", {}, hangup_call, true},
      {"POST", "/api/v1/calls/{call_id}/claim", roles::kIntake, claim_call},
      {"POST", "/api/v1/calls/{call_id}/outcome", roles::kIntake, call_outcome},
      {"POST", "/api/v1/calls/dial", roles::kIntake, dial},
      {"GET", "/api/v1/calls", roles::kElderDesk, list_calls},
      {"GET", "/api/v1/calls/{call_id}", roles::kElderDesk, get_call},
  };
}

}  // namespace vnh::hotline
