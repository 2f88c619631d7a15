// CTI: the PBX (shared secret) or a signed-in operator reports an incoming call; every elder
// registered at that number pops on the operators' consoles with open tickets and recent
// services.
#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/log.hpp"
#include "hotline/api.hpp"
#include "hotline/views.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// Who reports the call: the PBX by its secret, or an operator, supervisor or admin by token.
Result<std::string> call_reporter(Api& api, const net::Request& req) {
  const auto& c = api.ctx();
  if (!c.pbx_secret.empty() && req.header("x-pbx-secret") == c.pbx_secret) return std::string("pbx");
  auto token = req.bearer();
  if (!token) return Status(Code::kUnauthenticated, "send X-PBX-Secret (PBX) or a bearer token", "", "unauthenticated");
  VNH_ASSIGN_OR_RETURN(auto p, api.authenticate_token(*token));
  if (p.role != Role::kOperator && p.role != Role::kSupervisor && p.role != Role::kAdmin) {
    return Status(Code::kPermissionDenied, "only operators take calls", "", "forbidden");
  }
  return p.username;
}

// The screen pop of a call: every elder at the caller's number, as operators see them.
Result<json::object> screen_pop(store::Database& db, const ApiContext& c, const std::string& call_id,
                                const Result<std::string>& caller, const std::string& line, TimeMs now,
                                json::array& ids) {
  json::array elders;
  if (caller.ok()) {
    VNH_ASSIGN_OR_RETURN(auto cards, registry::cards_for_phone(db, c.store.crypto(), *caller));
    for (const auto& card : cards) {
      VNH_ASSIGN_OR_RETURN(auto o, elder_card_json(db, card, Role::kOperator, *c.policy.tz, now));
      elders.push_back(std::move(o));
      ids.push_back(json::value(store::elder_public_id(card.elder.id)));
    }
  }
  return json::object{{"type", "screen_pop"},
                      {"call_id", call_id},
                      {"caller", caller.ok() ? mask_phone(*caller) : std::string("unknown")},
                      {"line", line},
                      {"at", format_time(now, *c.policy.tz)},
                      {"elders", std::move(elders)}};
}

void incoming_call(Api& api, Api::Call&& call) {
  auto who = call_reporter(api, call.req);
  if (!who.ok()) return call.respond(error_response(who.status()));
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto body, parse_object(call.req.body));
    VNH_ASSIGN_OR_RETURN(auto caller, req_string(body, "caller", 40));
    VNH_ASSIGN_OR_RETURN(auto line, opt_string(body, "line", 40));
    const TimeMs now = c.clock.now_ms();
    const std::string call_id = fmt::format("C{}-{}", now, random_token().substr(0, 6));
    const auto normalized = normalize_phone(caller, c.policy.default_area_code);
    json::array ids;
    VNH_ASSIGN_OR_RETURN(auto pop, screen_pop(db, c, call_id, normalized, line.value_or(""), now, ids));
    c.live.broadcast(pop, Audience::kOperators);
    log::info("msg=\"incoming call\" call_id={} line={} matched={} by={}", call_id, log::q(line.value_or("")),
              ids.size(), *who);
    return json_response(200, json::object{{"call_id", call_id},
                                           {"caller_valid", normalized.ok()},
                                           {"matched", ids.size()},
                                           {"elder_ids", ids},
                                           {"consoles", c.live.connected()}});
  });
}

}  // namespace

std::vector<Api::Route> call_routes() {
  return {
      {"POST", "/api/v1/calls/incoming", {}, incoming_call, true},
  };
}

}  // namespace vnh::hotline
