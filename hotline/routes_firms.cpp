// Partner firms: the list with today's load, presence and last score; one firm's staff and
// areas; status changes; a new partner token.
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "registry/firms.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

std::string presence(const ApiContext& c, std::int64_t firm_id) {
  return c.presence_of ? c.presence_of(firm_id) : std::string("offline");
}

json::object firm_summary_json(const registry::FirmSummary& s, const ApiContext& c) {
  const auto& f = s.firm;
  json::object o{{"code", f.code},
                 {"name", f.name},
                 {"status", std::string(domain::to_string(f.status))},
                 {"daily_capacity", f.daily_capacity},
                 {"accepted_today", s.accepted_today},
                 {"base_lat", f.base_lat},
                 {"base_lon", f.base_lon},
                 {"presence", presence(c, f.id)},
                 {"outbox_unacked", static_cast<std::int64_t>(f.next_seq - 1 - f.acked_seq)}};
  o["last_score"] = s.last_score ? json::value(format_fixed(*s.last_score, 2)) : json::value(nullptr);
  return o;
}

json::object firm_detail_json(const registry::FirmDetail& d, const ApiContext& c) {
  json::array staff, areas;
  for (const auto& s : d.staff) {
    json::array skills;
    for (auto k : s.skills) skills.push_back(json::value(std::string(domain::to_string(k))));
    staff.push_back(json::object{{"code", s.code}, {"name", s.name}, {"phone", s.phone_masked}, {"skills", skills}, {"active", s.active}});
  }
  for (const auto& a : d.areas) {
    areas.push_back(json::object{{"area_code", a.area_code}, {"category", std::string(domain::to_string(a.category))}});
  }
  return json::object{{"code", d.firm.code},
                      {"name", d.firm.name},
                      {"status", std::string(domain::to_string(d.firm.status))},
                      {"daily_capacity", d.firm.daily_capacity},
                      {"presence", presence(c, d.firm.id)},
                      {"staff", std::move(staff)},
                      {"areas", std::move(areas)}};
}

void list_firms(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto firms, registry::list_firms(db, *c.policy.tz, c.clock.now_ms()));
    json::array a;
    for (const auto& f : firms) a.push_back(firm_summary_json(f, c));
    return json_response(200, json::object{{"firms", std::move(a)}});
  });
}

void get_firm(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto d, registry::firm_detail(db, call.req.params["code"]));
    return json_response(200, firm_detail_json(d, api.ctx()));
  });
}

void set_status(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto status = req_string(*body, "status", 16);
  auto reason = req_string(*body, "reason", 200);
  for (const Status* s : {&status.status(), &reason.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto st = domain::parse_firm_status(*status);
  if (!st) return call.respond(error_response(invalid("status", "must be active, suspended or exited")));
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, code = call.req.params["code"], st = *st, reason = *reason, who = call.who](store::WriteTx& tx) -> Result<std::string> {
        VNH_RETURN_IF_ERROR(registry::set_firm_status(tx, code, st, reason, domain::Actor::user(who.username), c.clock.now_ms()));
        if (c.firms_changed) tx.on_commit(c.firms_changed);
        return code;
      },
      [](store::Database& db, std::string& code) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto f, store::find_firm(db, code));
        if (!f) return not_found("no firm " + code, "code");
        return json_response(200, json::object{{"code", code}, {"status", std::string(domain::to_string(f->status))}});
      });
}

// A new partner token for a firm (shown once; the old one stops working).
void issue_token(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, code = call.req.params["code"], who = call.who](store::WriteTx& tx) {
        if (c.firms_changed) tx.on_commit(c.firms_changed);  // the old token's socket ends now
        return registry::issue_firm_token(tx, code, domain::Actor::user(who.username), c.clock.now_ms());
      },
      [code = call.req.params["code"]](store::Database&, std::string& token) -> Result<net::Response> {
        return json_response(201, json::object{{"firm_code", code}, {"token", token}});
      });
}

}  // namespace

std::vector<Api::Route> firm_routes() {
  return {
      {"GET", "/api/v1/firms", roles::kEveryone, list_firms},
      {"GET", "/api/v1/firms/{code}", {Role::kSupervisor, Role::kInspector, Role::kAdmin}, get_firm},
      {"POST", "/api/v1/firms/{code}/status", roles::kSupervision, set_status},
      {"POST", "/api/v1/firms/{code}/token", roles::kAdmin, issue_token},
  };
}

}  // namespace vnh::hotline
