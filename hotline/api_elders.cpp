// Elders: register, search (phone / name / ID tail), card, update, deactivate, audited reveal.
#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "domain/elder.hpp"
#include "hotline/api_internal.hpp"
#include "hotline/views.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/query.hpp"
#include "store/tickets.hpp"
#include "tickets/lifecycle.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

const std::vector<Role> kElderReaders = {Role::kOperator, Role::kSupervisor, Role::kAdmin};

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

Result<std::vector<store::EmergencyContactInput>> contacts_of(const json::object& o, const domain::Policy& policy) {
  std::vector<store::EmergencyContactInput> out;
  auto* v = o.if_contains("emergency_contacts");
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return invalid("emergency_contacts", "must be an array of {name, relation, phone}");
  for (const auto& e : v->as_array()) {
    if (!e.is_object()) return invalid("emergency_contacts", "must be objects");
    auto name = req_string(e.as_object(), "name", 32);
    if (!name.ok()) return invalid("emergency_contacts.name", name.status().message());
    auto rel = opt_string(e.as_object(), "relation", 16);
    if (!rel.ok()) return invalid("emergency_contacts.relation", rel.status().message());
    auto phone = req_string(e.as_object(), "phone", 32);
    if (!phone.ok()) return invalid("emergency_contacts.phone", phone.status().message());
    auto n = normalize_phone(*phone, policy.default_area_code);
    if (!n.ok()) return invalid("emergency_contacts.phone", n.status().message());
    out.push_back({*name, rel->value_or(""), *n});
  }
  if (out.size() > 5) return invalid("emergency_contacts", "at most 5 contacts");
  return out;
}

// Builds the draft from the JSON body (fields named as the elders CSV columns).
Result<domain::ElderDraft> draft_of(const json::object& o, const domain::Policy& policy, Date today) {
  domain::ElderDraft d;
  VNH_ASSIGN_OR_RETURN(d.id_number, req_string(o, "id_number", 18));
  VNH_ASSIGN_OR_RETURN(d.name, req_string(o, "name", 32));
  VNH_ASSIGN_OR_RETURN(d.phones, phones_of(o));
  VNH_ASSIGN_OR_RETURN(d.community_code, req_string(o, "community_code", 12));
  VNH_ASSIGN_OR_RETURN(auto lat, opt_number(o, "lat"));
  VNH_ASSIGN_OR_RETURN(auto lon, opt_number(o, "lon"));
  if (!lat) return invalid("lat", "is required");
  if (!lon) return invalid("lon", "is required");
  d.lat = *lat;
  d.lon = *lon;
  VNH_ASSIGN_OR_RETURN(d.category, req_string(o, "category", 1));
  VNH_ASSIGN_OR_RETURN(auto reg, opt_string(o, "registered_on", 10));
  if (reg) {
    auto r = parse_date(*reg);
    if (!r.ok()) return invalid("registered_on", r.status().message());
    d.registered_on = *r;
  } else {
    d.registered_on = today;
  }
  VNH_ASSIGN_OR_RETURN(auto birth, opt_string(o, "birth_date", 10));
  if (birth) {
    auto b = parse_date(*birth);
    if (!b.ok()) return invalid("birth_date", b.status().message());
    d.birth_date = *b;
  }
  VNH_ASSIGN_OR_RETURN(d.sex, opt_string(o, "sex", 6));
  VNH_ASSIGN_OR_RETURN(auto addr, opt_string(o, "address", 200));
  d.address = addr.value_or("");
  (void)policy;
  return d;
}

Result<std::int64_t> elder_param(const net::Request& req) {
  auto id = store::parse_elder_public_id(req.params.at("elder_id"));
  if (!id) return invalid("elder_id", "is not an elder id (E123)");
  return *id;
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

Result<net::Response> elder_card(store::Database& db, std::int64_t id, Role role, const domain::Policy& policy,
                                 TimeMs now, int status) {
  auto e = store::get_elder(db, id);
  if (!e.ok()) return e.status();
  if (!*e) return not_found(fmt::format("no elder {}", store::elder_public_id(id)), "elder_id");
  auto o = elder_json(**e, role, *policy.tz, now);
  json::array open, recent;
  auto ot = store::open_tickets_of_elder(db, id);
  if (!ot.ok()) return ot.status();
  for (const auto& t : *ot) {
    auto v = ticket_json(db, t, role, *policy.tz, false);
    if (!v.ok()) return v.status();
    open.push_back(std::move(*v));
  }
  auto rc = store::recent_completed_of_elder(db, id, 5);
  if (!rc.ok()) return rc.status();
  for (const auto& t : *rc) {
    auto v = ticket_json(db, t, role, *policy.tz, false);
    if (!v.ok()) return v.status();
    recent.push_back(std::move(*v));
  }
  o["open_tickets"] = std::move(open);
  o["recent_services"] = std::move(recent);
  return json_response(status, o);
}

}  // namespace

void Api::install_elders(net::Router& r) {
  static const std::initializer_list<const char*> kElderFields = {
      "id_number", "name", "phone", "phones", "community_code", "lat", "lon", "category", "registered_on",
      "birth_date", "sex", "address", "emergency_contacts"};

  route(r, "POST", "/api/v1/elders", kElderReaders, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    TimeMs now = c_.clock.now_ms();
    Date today = c_.policy.tz->local_date(now);
    auto draft = draft_of(*body, c_.policy, today);
    if (!draft.ok()) return call.respond(error_response(draft.status()));
    auto valid = domain::validate_elder(*draft, c_.policy, today);
    if (!valid.ok()) return call.respond(error_response(valid.status()));
    auto contacts = contacts_of(*body, c_.policy);
    if (!contacts.ok()) return call.respond(error_response(contacts.status()));
    auto ignored = unknown_fields(*body, kElderFields);
    write<std::int64_t>(
        std::move(call.respond),
        [this, v = *valid, contacts = *contacts, actor = call.who.username, now](store::WriteTx& tx) -> Result<std::int64_t> {
          auto& db = tx.db();
          auto area = store::query_one<int>(
              [&] {
                auto st = db.prepare("SELECT 1 FROM areas WHERE code = ? AND level = 'community'");
                if (st.ok()) st->bind(1, v.community_code);
                return st;
              }(),
              [](store::Statement&) { return 1; });
          if (!area.ok()) return area.status();
          if (!*area) return not_found(fmt::format("unknown community {}", v.community_code), "community_code");
          auto id = store::insert_elder(db, c_.store.crypto(), v, now);
          if (!id.ok()) return id.status();
          if (!contacts.empty()) VNH_RETURN_IF_ERROR(store::replace_contacts(db, c_.store.crypto(), *id, contacts));
          VNH_RETURN_IF_ERROR(store::append_audit(db, now, {actor, "elder.register", "elder:" + store::elder_public_id(*id), "{}"}));
          return id;
        },
        [this, role = call.who.role, now, ignored](store::Database& db, std::int64_t& id) -> Result<net::Response> {
          auto res = elder_card(db, id, role, c_.policy, now, 201);
          if (res.ok() && !ignored.empty()) {
            auto v = json::parse(res->body).as_object();
            v["ignored_fields"] = ignored;
            res->body = json::serialize(v);
          }
          return res;
        });
  });

  route(r, "GET", "/api/v1/elders", kElderReaders, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto limit = limit_param(call.req, 20);
      if (!limit.ok()) return limit.status();
      TimeMs now = c_.clock.now_ms();
      std::vector<store::ElderRow> rows;
      if (auto phone = call.req.query_param("phone")) {
        auto n = normalize_phone(*phone, c_.policy.default_area_code);
        if (!n.ok()) return n.status();
        auto ids = store::find_elders_by_phone(db, c_.store.crypto(), *n);
        if (!ids.ok()) return ids.status();
        for (auto id : *ids) {
          auto e = store::get_elder(db, id);
          if (!e.ok()) return e.status();
          if (*e) rows.push_back(std::move(**e));
        }
      } else if (auto idn = call.req.query_param("id_number")) {
        auto p = parse_id_number(*idn);
        if (!p.ok()) return p.status();
        auto id = store::find_elder_by_id_number(db, c_.store.crypto(), p->normalized);
        if (!id.ok()) return id.status();
        if (*id) {
          auto e = store::get_elder(db, **id);
          if (!e.ok()) return e.status();
          if (*e) rows.push_back(std::move(**e));
        }
      } else {
        auto name = call.req.query_param("name").value_or("");
        auto tail = call.req.query_param("id_tail").value_or("");
        for (auto& ch : tail) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (name.empty() && tail.empty()) return invalid("phone", "search by phone, id_number, name or id_tail");
        if (!tail.empty() && tail.size() != 4) return invalid("id_tail", "is the last 4 characters of the ID number");
        auto found = store::search_elders(db, name, tail, *limit);
        if (!found.ok()) return found.status();
        rows = std::move(*found);
      }
      json::array a;
      for (const auto& e : rows) a.push_back(elder_json(e, call.who.role, *c_.policy.tz, now));
      return json_response(200, json::object{{"elders", std::move(a)}});
    });
  });

  route(r, "GET", "/api/v1/elders/{elder_id}", kElderReaders, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      VNH_ASSIGN_OR_RETURN(auto id, elder_param(call.req));
      return elder_card(db, id, call.who.role, c_.policy, c_.clock.now_ms(), 200);
    });
  });

  route(r, "PATCH", "/api/v1/elders/{elder_id}", kElderReaders, [this](Call&& call) {
    auto id = elder_param(call.req);
    if (!id.ok()) return call.respond(error_response(id.status()));
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    if (body->contains("id_number") || body->contains("birth_date") || body->contains("sex")) {
      return call.respond(error_response(invalid("id_number", "the ID number and what derives from it cannot change; register anew")));
    }
    write<std::int64_t>(
        std::move(call.respond),
        [this, id = *id, body = *body, actor = call.who.username](store::WriteTx& tx) -> Result<std::int64_t> {
          auto& db = tx.db();
          TimeMs now = c_.clock.now_ms();
          auto cur = store::get_elder(db, id);
          if (!cur.ok()) return cur.status();
          if (!*cur) return not_found("no such elder", "elder_id");
          auto secrets = store::decrypt_elder(db, c_.store.crypto(), id);
          if (!secrets.ok()) return secrets.status();
          // Start from the stored values and apply the given fields, then validate the whole.
          json::object merged{{"id_number", secrets->id_number},
                              {"name", (*cur)->name},
                              {"community_code", (*cur)->community_code},
                              {"lat", (*cur)->lat},
                              {"lon", (*cur)->lon},
                              {"category", std::string(domain::to_string((*cur)->category))},
                              {"registered_on", (*cur)->registered_on},
                              {"address", secrets->address}};
          json::array phones;
          for (const auto& p : secrets->phones) phones.push_back(json::value(p));
          merged["phones"] = std::move(phones);
          for (const char* f : {"name", "community_code", "lat", "lon", "category", "address"}) {
            if (body.contains(f)) merged[f] = body.at(f);
          }
          if (body.contains("phone") || body.contains("phones")) {
            merged.erase("phones");
            if (body.contains("phones")) merged["phones"] = body.at("phones");
            if (body.contains("phone")) merged["phone"] = body.at("phone");
          }
          Date today = c_.policy.tz->local_date(now);
          VNH_ASSIGN_OR_RETURN(auto draft, draft_of(merged, c_.policy, today));
          // Eligibility was checked at registration; an update must not re-judge it.
          domain::Policy lenient = c_.policy;
          lenient.eligibility_min_age = 0;
          VNH_ASSIGN_OR_RETURN(auto valid, domain::validate_elder(draft, lenient, today));
          VNH_RETURN_IF_ERROR(store::update_elder(db, c_.store.crypto(), id, valid, now));
          if (body.contains("emergency_contacts")) {
            VNH_ASSIGN_OR_RETURN(auto contacts, contacts_of(body, c_.policy));
            VNH_RETURN_IF_ERROR(store::replace_contacts(db, c_.store.crypto(), id, contacts));
          }
          json::array fields;
          for (const auto& [k, v] : body) fields.push_back(json::value(k));
          VNH_RETURN_IF_ERROR(store::append_audit(db, now,
                                                  {actor, "elder.update", "elder:" + store::elder_public_id(id),
                                                   json::serialize(json::object{{"fields", fields}})}));
          return id;
        },
        [this, role = call.who.role](store::Database& db, std::int64_t& id) {
          return elder_card(db, id, role, c_.policy, c_.clock.now_ms(), 200);
        });
  });

  for (bool deactivate : {true, false}) {
    route(r, "POST", deactivate ? "/api/v1/elders/{elder_id}/deactivate" : "/api/v1/elders/{elder_id}/reactivate",
          {Role::kSupervisor, Role::kAdmin}, [this, deactivate](Call&& call) {
            auto rq = elder_reason_request(call.req);
            if (!rq.ok()) return call.respond(error_response(rq.status()));
            write<std::int64_t>(
                std::move(call.respond),
                [this, id = rq->id, reason = rq->reason, deactivate, actor = call.who.username](store::WriteTx& tx) -> Result<std::int64_t> {
                  auto cur = store::get_elder(tx.db(), id);
                  if (!cur.ok()) return cur.status();
                  if (!*cur) return not_found("no such elder", "elder_id");
                  TimeMs now = c_.clock.now_ms();
                  VNH_RETURN_IF_ERROR(store::set_elder_status(tx.db(), id, deactivate ? "inactive" : "active", reason, now));
                  VNH_RETURN_IF_ERROR(store::append_audit(
                      tx.db(), now,
                      {actor, deactivate ? "elder.deactivate" : "elder.reactivate", "elder:" + store::elder_public_id(id),
                       tickets::json_detail({{"reason", reason}})}));
                  return id;
                },
                [this, role = call.who.role](store::Database& db, std::int64_t& id) {
                  return elder_card(db, id, role, c_.policy, c_.clock.now_ms(), 200);
                });
          });
  }

  // The whole ID number, phones, address and contacts: needs a role and a reason; audited.
  route(r, "POST", "/api/v1/elders/{elder_id}/reveal", kElderReaders, [this](Call&& call) {
    auto rq = elder_reason_request(call.req);
    if (!rq.ok()) return call.respond(error_response(rq.status()));
    auto secrets = std::make_shared<store::ElderSecrets>();
    write<std::int64_t>(
        std::move(call.respond),
        [this, id = rq->id, reason = rq->reason, actor = call.who.username, secrets](store::WriteTx& tx) -> Result<std::int64_t> {
          auto s = store::decrypt_elder(tx.db(), c_.store.crypto(), id);
          if (!s.ok()) return s.status();
          *secrets = std::move(*s);
          VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), c_.clock.now_ms(),
                                                  {actor, "elder.view_whole", "elder:" + store::elder_public_id(id),
                                                   tickets::json_detail({{"reason", reason}})}));
          return id;
        },
        [secrets](store::Database&, std::int64_t& id) -> Result<net::Response> {
          json::array phones, contacts;
          for (const auto& p : secrets->phones) phones.push_back(json::value(p));
          for (const auto& c : secrets->contacts) {
            contacts.push_back(json::object{{"name", c.name}, {"relation", c.relation}, {"phone", c.phone}});
          }
          return json_response(200, json::object{{"elder_id", store::elder_public_id(id)},
                                                 {"id_number", secrets->id_number},
                                                 {"phones", std::move(phones)},
                                                 {"address", secrets->address},
                                                 {"emergency_contacts", std::move(contacts)}});
        });
  });
}

}  // namespace vnh::hotline
