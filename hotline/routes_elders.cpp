// Elders: register, search (phone / name / ID tail), card, change, deactivate, audited reveal.
#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

Result<std::int64_t> elder_param(const net::Request& req) {
  auto id = store::parse_elder_public_id(req.params.at("elder_id"));
  if (!id) return invalid("elder_id", "is not an elder id (E123)");
  return *id;
}

Result<net::Response> card_response(store::Database& db, const Api& api, std::int64_t id, Role role, int status) {
  const auto& c = api.ctx();
  VNH_ASSIGN_OR_RETURN(auto card, registry::load_card(db, id));
  VNH_ASSIGN_OR_RETURN(auto o, elder_card_json(db, card, role, c.policy, c.clock.now_ms()));
  return json_response(status, o);
}

namespace {

const std::initializer_list<const char*> kElderFields = {
    "id_number", "name", "phone", "phones", "community_code", "lat", "lon", "category", "registered_on",
    "birth_date", "sex", "address", "emergency_contacts"};

// Reads the phone field: "13912345678", "a|b" or ["a","b"].
Result<std::vector<std::string>> phones_of(const json::object& o) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains("phones");
  if (!v || v->is_null()) v = o.if_contains("phone");
  if (!v || v->is_null()) return out;
  if (v->is_string()) {
    for (const auto& p : split(std::string(v->as_string()), '|')) {
      if (!trim(p).empty()) out.emplace_back(trim(p));
    }
    return out;
  }
  if (v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) return invalid("phones", "must be strings");
      out.emplace_back(e.as_string());
    }
    if (out.size() > 5) return invalid("phones", "at most 5 phone numbers");
    return out;
  }
  return invalid("phone", "must be a string or an array of strings");
}

Result<store::EmergencyContactInput> contact_of(const json::value& e, const domain::Policy& policy) {
  if (!e.is_object()) return invalid("emergency_contacts", "must be objects");
  auto name = req_string(e.as_object(), "name", 32);
  if (!name.ok()) return invalid("emergency_contacts.name", name.status().message());
  auto rel = opt_string(e.as_object(), "relation", 16);
  if (!rel.ok()) return invalid("emergency_contacts.relation", rel.status().message());
  auto phone = req_string(e.as_object(), "phone", 32);
  if (!phone.ok()) return invalid("emergency_contacts.phone", phone.status().message());
  auto n = normalize_phone(*phone, policy.default_area_code);
  if (!n.ok()) return invalid("emergency_contacts.phone", n.status().message());
  return store::EmergencyContactInput{*name, rel->value_or(""), *n};
}

Result<std::vector<store::EmergencyContactInput>> contacts_of(const json::object& o, const domain::Policy& policy) {
  std::vector<store::EmergencyContactInput> out;
  auto* v = o.if_contains("emergency_contacts");
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return invalid("emergency_contacts", "must be an array of {name, relation, phone}");
  for (const auto& e : v->as_array()) {
    VNH_ASSIGN_OR_RETURN(auto c, contact_of(e, policy));
    out.push_back(std::move(c));
  }
  if (out.size() > 5) return invalid("emergency_contacts", "at most 5 contacts");
  return out;
}

Result<std::optional<Date>> opt_date(const json::object& o, const char* field) {
  VNH_ASSIGN_OR_RETURN(auto text, opt_string(o, field, 10));
  if (!text) return std::optional<Date>();
  auto d = parse_date(*text);
  if (!d.ok()) return invalid(field, d.status().message());
  return std::optional<Date>(*d);
}

Result<double> req_number(const json::object& o, const char* field) {
  VNH_ASSIGN_OR_RETURN(auto v, opt_number(o, field));
  if (!v) return invalid(field, "is required");
  return *v;
}

// The registration from the JSON body (fields named as the elders CSV columns). Without lat
// and lon the home takes its community's point (registry::area_point).
struct Registration {
  domain::ElderDraft draft;
  bool has_point = false;
};
Result<Registration> draft_of(const json::object& o, Date today) {
  Registration r;
  auto& d = r.draft;
  VNH_ASSIGN_OR_RETURN(d.id_number, req_string(o, "id_number", 18));
  VNH_ASSIGN_OR_RETURN(d.name, req_string(o, "name", 32));
  VNH_ASSIGN_OR_RETURN(d.phones, phones_of(o));
  VNH_ASSIGN_OR_RETURN(d.community_code, req_string(o, "community_code", 12));
  VNH_ASSIGN_OR_RETURN(auto lat, opt_number(o, "lat"));
  VNH_ASSIGN_OR_RETURN(auto lon, opt_number(o, "lon"));
  if (lat.has_value() != lon.has_value()) return invalid(lat ? "lon" : "lat", "is required with the other coordinate");
  r.has_point = lat.has_value();
  d.lat = lat.value_or(0);
  d.lon = lon.value_or(0);
  VNH_ASSIGN_OR_RETURN(d.category, req_string(o, "category", 1));
  VNH_ASSIGN_OR_RETURN(auto reg, opt_date(o, "registered_on"));
  d.registered_on = reg.value_or(today);
  VNH_ASSIGN_OR_RETURN(d.birth_date, opt_date(o, "birth_date"));
  VNH_ASSIGN_OR_RETURN(d.sex, opt_string(o, "sex", 6));
  VNH_ASSIGN_OR_RETURN(auto addr, opt_string(o, "address", 200));
  d.address = addr.value_or("");
  return r;
}

// The community's point for a registration that gave none.
Status take_area_point(store::Database& db, domain::ElderDraft& d) {
  VNH_ASSIGN_OR_RETURN(auto p, registry::area_point(db, d.community_code));
  if (!p) return invalid("lat", "is required: no elder is registered in or near this community to take its point from");
  d.lat = p->lat;
  d.lon = p->lon;
  return Status::Ok();
}

// A change from the JSON body: only the fields it names.
Result<registry::ElderChanges> changes_of(const json::object& o, const domain::Policy& policy) {
  if (o.contains("id_number") || o.contains("birth_date") || o.contains("sex")) {
    return invalid("id_number", "the ID number and what derives from it cannot change; register anew");
  }
  registry::ElderChanges c;
  if (o.contains("name")) {
    VNH_ASSIGN_OR_RETURN(c.name, req_string(o, "name", 32));
  }
  if (o.contains("community_code")) {
    VNH_ASSIGN_OR_RETURN(c.community_code, req_string(o, "community_code", 12));
  }
  if (o.contains("lat")) {
    VNH_ASSIGN_OR_RETURN(c.lat, req_number(o, "lat"));
  }
  if (o.contains("lon")) {
    VNH_ASSIGN_OR_RETURN(c.lon, req_number(o, "lon"));
  }
  if (o.contains("category")) {
    VNH_ASSIGN_OR_RETURN(c.category, req_string(o, "category", 1));
  }
  if (o.contains("address")) {
    VNH_ASSIGN_OR_RETURN(auto a, opt_string(o, "address", 200));
    c.address = a.value_or("");
  }
  if (o.contains("phone") || o.contains("phones")) {
    VNH_ASSIGN_OR_RETURN(c.phones, phones_of(o));
  }
  if (o.contains("emergency_contacts")) {
    VNH_ASSIGN_OR_RETURN(c.contacts, contacts_of(o, policy));
  }
  for (const auto& [k, v] : o) c.fields.emplace_back(k);
  return c;
}


// An elder action that needs a reason: the elder from the path and {"reason": "..."} from the body.
struct ElderReason {
  std::int64_t id;
  std::string reason;
};
Result<ElderReason> elder_reason_request(const net::Request& req) {
  VNH_ASSIGN_OR_RETURN(auto id, elder_param(req));
  VNH_ASSIGN_OR_RETURN(auto body, parse_object(req.body));
  VNH_ASSIGN_OR_RETURN(auto reason, req_string(body, "reason", 200));
  return ElderReason{id, std::move(reason)};
}


void register_elder(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto draft = draft_of(*body, c.policy.tz->local_date(c.clock.now_ms()));
  if (!draft.ok()) return call.respond(error_response(draft.status()));
  auto contacts = contacts_of(*body, c.policy);
  if (!contacts.ok()) return call.respond(error_response(contacts.status()));
  auto ignored = unknown_fields(*body, kElderFields);
  api.write<std::int64_t>(
      std::move(call.respond),
      [&c, r = *draft, contacts = *contacts, who = call.who](store::WriteTx& tx) mutable -> Result<std::int64_t> {
        if (!r.has_point) VNH_RETURN_IF_ERROR(take_area_point(tx.db(), r.draft));
        return c.elders.register_elder(tx, r.draft, contacts, domain::Actor::user(who.username));
      },
      [&api, role = call.who.role, ignored](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        auto res = card_response(db, api, id, role, 201);
        if (res.ok() && !ignored.empty()) {
          auto v = json::parse(res->body).as_object();
          v["ignored_fields"] = ignored;
          res->body = json::serialize(v);
        }
        return res;
      });
}

void search_elders(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    registry::ElderQuery q;
    VNH_ASSIGN_OR_RETURN(const int limit, limit_param(call.req, 20));
    q.limit = limit + 1;  // one more says whether there are more
    q.phone = call.req.query_param("phone");
    q.id_number = call.req.query_param("id_number");
    q.name = call.req.query_param("name").value_or("");
    q.id_tail = call.req.query_param("id_tail").value_or("");
    VNH_ASSIGN_OR_RETURN(auto rows, registry::search(db, c.store.crypto(), q, c.policy));
    const bool more = static_cast<int>(rows.size()) > limit;
    if (more) rows.resize(static_cast<std::size_t>(limit));
    json::array a;
    for (const auto& e : rows) a.push_back(elder_json(e, call.who.role, *c.policy.tz, c.clock.now_ms()));
    return json_response(200, json::object{{"elders", std::move(a)}, {"more", more}});
  });
}

void get_elder(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto id, elder_param(call.req));
    return card_response(db, api, id, call.who.role, 200);
  });
}

void change_elder(Api& api, Api::Call&& call) {
  auto id = elder_param(call.req);
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto changes = changes_of(*body, api.ctx().policy);
  if (!changes.ok()) return call.respond(error_response(changes.status()));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, id = *id, changes = *changes, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_RETURN_IF_ERROR(api.ctx().elders.update(tx, id, changes, domain::Actor::user(who.username)));
        return id;
      },
      [&api, role = call.who.role](store::Database& db, std::int64_t& id) { return card_response(db, api, id, role, 200); });
}

void set_active(Api& api, Api::Call&& call, bool active) {
  auto rq = elder_reason_request(call.req);
  if (!rq.ok()) return call.respond(error_response(rq.status()));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, rq = *rq, active, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_RETURN_IF_ERROR(api.ctx().elders.set_active(tx, rq.id, active, rq.reason, domain::Actor::user(who.username)));
        return rq.id;
      },
      [&api, role = call.who.role](store::Database& db, std::int64_t& id) { return card_response(db, api, id, role, 200); });
}
void deactivate(Api& api, Api::Call&& call) { set_active(api, std::move(call), false); }
void reactivate(Api& api, Api::Call&& call) { set_active(api, std::move(call), true); }

// The whole ID number, phones, address and contacts: needs a role and a reason; audited.
void reveal(Api& api, Api::Call&& call) {
  auto rq = elder_reason_request(call.req);
  if (!rq.ok()) return call.respond(error_response(rq.status()));
  auto secrets = std::make_shared<store::ElderSecrets>();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, rq = *rq, who = call.who, secrets](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(*secrets, api.ctx().elders.reveal(tx, rq.id, rq.reason, domain::Actor::user(who.username)));
        return rq.id;
      },
      [secrets](store::Database&, std::int64_t& id) -> Result<net::Response> {
        return json_response(200, elder_secrets_json(id, *secrets));
      });
}

}  // namespace

std::vector<Api::Route> elder_routes() {
  return {
      {"POST", "/api/v1/elders", roles::kElderDesk, register_elder},
      {"GET", "/api/v1/elders", roles::kElderDesk, search_elders},
      {"GET", "/api/v1/elders/{elder_id}", roles::kElderDesk, get_elder},
      {"PATCH", "/api/v1/elders/{elder_id}", roles::kElderDesk, change_elder},
      {"POST", "/api/v1/elders/{elder_id}/deactivate", roles::kSupervision, deactivate},
      {"POST", "/api/v1/elders/{elder_id}/reactivate", roles::kSupervision, reactivate},
      {"POST", "/api/v1/elders/{elder_id}/reveal", roles::kElderDesk, reveal},
  };
}

}  // namespace vnh::hotline
