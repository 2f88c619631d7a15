#include "hotline/api.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vnh::hotline {
using domain::Role;

void Api::install(net::Router& r) {
  for (auto table : {auth_routes, elder_routes, ticket_routes, call_routes, callback_routes, complaint_routes,
                     quality_routes, firm_routes, settlement_routes, meal_routes, care_routes, reference_routes, admin_routes, map_routes, stats_routes}) {
    for (const auto& route : table()) add(r, route);
  }
}

Result<Principal> Api::authenticate_token(const std::string& token) {
  const TimeMs now = c_.clock.now_ms();
  if (auto known = sessions_.find(token, now)) return std::move(*known);
  const auto generation = sessions_.generation();
  auto db = c_.store.read();  // released before the handler takes a lease of its own
  if (!db.ok()) return db.status();
  auto who = authenticate(**db, token, now);
  if (who.ok()) sessions_.remember(*who, generation);
  return who;
}

void Api::add(net::Router& r, const Route& route) {
  if (route.open) {
    r.add(route.method, route.pattern, [this, handle = route.handle](net::Request&& req, net::Respond respond) {
      handle(*this, Call{std::move(req), std::move(respond), Principal{}});
    });
    return;
  }
  r.add(route.method, route.pattern,
        [this, roles = route.roles, handle = route.handle](net::Request&& req, net::Respond respond) {
          auto token = req.bearer();
          if (!token) {
            return respond(error_response(Status(Code::kUnauthenticated,
                                                 "send Authorization: Bearer <token> (POST /api/v1/login)", "",
                                                 reason::kUnauthenticated)));
          }
          auto who = authenticate_token(*token);
          if (!who.ok()) return respond(error_response(who.status()));
          // Fail closed: a route without roles is open to nobody.
          if (std::find(roles.begin(), roles.end(), who->role) == roles.end()) {
            return respond(error_response(Status(Code::kPermissionDenied,
                                                 fmt::format("the {} role may not {} {}",
                                                             domain::to_string(who->role), req.method, req.path),
                                                 "", reason::kForbidden)));
          }
          handle(*this, Call{std::move(req), std::move(respond), std::move(*who)});
        });
}

void Api::read(const net::Respond& respond, const std::function<Result<net::Response>(store::Database&)>& fn) {
  auto db = c_.store.read();
  if (!db.ok()) return respond(error_response(db.status()));
  Result<net::Response> r = internal("no response");
  try {
    r = fn(**db);
  } catch (const std::exception& e) {
    r = internal(e.what());
  }
  respond(r.ok() ? std::move(*r) : error_response(r.status()));
}

}  // namespace vnh::hotline
