#include "hotline/views.hpp"

#include <cmath>

#include <fmt/format.h>

#include "common/geo.hpp"
#include "common/identity.hpp"
#include "hotline/errors.hpp"
#include "common/text.hpp"
#include "store/care.hpp"
#include "store/recurrences.hpp"
#include "store/quality.hpp"
#include "tickets/grants.hpp"

namespace vnh::hotline {
using namespace vnh::domain;
namespace json = boost::json;

json::value facts_json(const std::string& facts) {
  boost::system::error_code ec;
  auto v = json::parse(facts, ec);
  return ec || !v.is_object() ? json::value(json::object{}) : v;
}

bool sees_whole_names(Role r) { return r == Role::kOperator || r == Role::kSupervisor || r == Role::kAdmin; }

json::value time_or_null(const std::optional<TimeMs>& t, const TimeZone& tz) {
  if (!t) return nullptr;
  return json::value(format_time(*t, tz));
}

json::object elder_json(const store::ElderRow& e, Role role, const TimeZone& tz, TimeMs now) {
  json::object o;
  o["elder_id"] = store::elder_public_id(e.id);
  o["name"] = sees_whole_names(role) ? e.name : mask_name(e.name);
  o["id_number"] = e.id_number_masked;
  o["sex"] = e.sex;
  auto birth = parse_date(e.birth_date);
  if (birth.ok()) o["age"] = age_on(*birth, tz.local_date(now));
  json::array phones;
  for (const auto& p : e.phones) phones.push_back(json::value(p.masked));
  o["phone"] = e.phones.empty() ? json::value(nullptr) : json::value(e.phones.front().masked);
  o["phones"] = std::move(phones);
  o["community_code"] = e.community_code;
  o["community_name"] = e.community_name;
  o["street_code"] = e.street_code;
  o["street_name"] = e.street_name;
  o["district_code"] = e.district_code;
  o["lat"] = e.lat;
  o["lon"] = e.lon;
  o["category"] = std::string(to_string(e.category));
  o["registered_on"] = e.registered_on;
  o["status"] = std::string(to_string(e.status));
  if (!e.status_reason.empty()) o["status_reason"] = e.status_reason;
  o["has_address"] = e.has_address;
  json::array contacts;
  for (const auto& c : e.contacts) {
    contacts.push_back(json::object{{"name", sees_whole_names(role) ? c.name : mask_name(c.name)},
                                    {"relation", c.relation},
                                    {"phone", c.phone_masked}});
  }
  o["emergency_contacts"] = std::move(contacts);
  return o;
}

json::object item_json(const store::ServiceItem& i) {
  return json::object{{"code", i.code},
                      {"name", i.name},
                      {"category", std::string(to_string(i.category))},
                      {"unit", i.unit},
                      {"standard_price_fen", i.standard_price_fen},
                      {"market_price_fen", i.market_price_fen},
                      {"duration_min", i.duration_min},
                      {"meal", i.meal},
                      {"meal_slot", i.meal ? json::value(std::string(to_string(i.meal_slot))) : json::value(nullptr)},
                      {"active", i.active}};
}

Result<tickets::TicketNames> ticket_names(store::Database& db, const store::TicketRow& t) {
  tickets::TicketNames n;
  auto item = store::item_by_id(db, t.item_id);
  if (!item.ok()) return item.status();
  if (*item) {
    n.item_code = (*item)->code;
    n.item_name = (*item)->name;
  }
  auto elder = store::get_elder_label(db, t.elder_id);
  if (!elder.ok()) return elder.status();
  if (*elder) {
    n.elder_name = (*elder)->name;
    n.community_code = (*elder)->community_code;
  }
  if (t.firm_id) {
    auto f = store::firm_by_id(db, *t.firm_id);
    if (!f.ok()) return f.status();
    if (*f) {
      n.firm_code = (*f)->code;
      n.firm_name = (*f)->name;
    }
  }
  return n;
}

json::object ticket_json(const store::TicketRow& t, const tickets::TicketNames& n, Role role, const TimeZone& tz) {
  json::object o;
  o.reserve(32);  // the fields below and a few a caller adds: no rehash while filling it
  o["ticket_no"] = t.ticket_no;
  o["state"] = std::string(to_string(t.state));
  o["urgency"] = std::string(to_string(t.urgency));
  o["channel"] = std::string(to_string(t.channel));
  o["category"] = std::string(to_string(t.category));
  o["item_code"] = n.item_code;
  o["item_name"] = n.item_name;
  o["elder_id"] = store::elder_public_id(t.elder_id);
  if (n.elder_name) {
    o["elder_name"] = sees_whole_names(role) ? *n.elder_name : mask_name(*n.elder_name);
    o["community_code"] = n.community_code;
  }
  o["window_start"] = format_time(t.window_start, tz);
  o["window_end"] = format_time(t.window_end, tz);
  o["notes"] = t.notes;
  o["firm_code"] = n.firm_code ? json::value(*n.firm_code) : json::value(nullptr);
  o["firm_name"] = n.firm_name ? json::value(*n.firm_name) : json::value(nullptr);
  o["staff_code"] = t.staff_code ? json::value(*t.staff_code) : json::value(nullptr);
  o["offer_expires_at"] = time_or_null(t.state == TicketState::kOffered ? t.offer_expires_at : std::nullopt, tz);
  o["offers_made"] = t.offers_made;
  o["created_at"] = format_time(t.created_at, tz);
  o["created_by"] = t.created_by;
  o["updated_at"] = format_time(t.updated_at, tz);
  o["accepted_at"] = time_or_null(t.accepted_at, tz);
  o["checkin_at"] = time_or_null(t.checkin_at, tz);
  o["checkout_at"] = time_or_null(t.checkout_at, tz);
  o["closed_at"] = time_or_null(t.closed_at, tz);
  o["cancel_reason"] = t.cancel_reason ? json::value(*t.cancel_reason) : json::value(nullptr);
  o["unassigned_reason"] = t.unassigned_reason ? json::value(*t.unassigned_reason) : json::value(nullptr);
  o["dispute"] = std::string(to_string(t.dispute));
  o["held_exceptions"] = t.held_exceptions;
  return o;
}

namespace {
// The visit: check-in and check-out with where they were made, the check-in's distance from
// the elder's home (the 300 m rule of SPEC §4.7) and the visit's length.
Status add_visit(store::Database& db, const store::TicketRow& t, const TimeZone& tz, json::object& o) {
  if (!t.checkin_at && !t.checkout_at) return Status::Ok();
  auto elder = store::get_elder_core(db, t.elder_id);
  if (!elder.ok()) return elder.status();
  auto point = [&](TimeMs at, const std::optional<double>& lat, const std::optional<double>& lon,
                   const std::optional<std::string>& photo) {
    json::object p{{"at", format_time(at, tz)}, {"lat", lat.value_or(0)}, {"lon", lon.value_or(0)}, {"photo_sha256", photo.value_or("")}};
    if (*elder && lat && lon) p["distance_m"] = std::llround(haversine_m({(*elder)->lat, (*elder)->lon}, {*lat, *lon}));
    return p;
  };
  if (t.checkin_at) o["checkin"] = point(*t.checkin_at, t.checkin_lat, t.checkin_lon, t.checkin_photo);
  if (t.checkout_at) o["checkout"] = point(*t.checkout_at, t.checkout_lat, t.checkout_lon, t.checkout_photo);
  if (t.checkin_at && t.checkout_at) o["visit_minutes"] = (*t.checkout_at - *t.checkin_at) / 60'000;
  return Status::Ok();
}

// What came after the visit: the callbacks and the complaints about the ticket.
Status add_follow_up(store::Database& db, const store::TicketRow& t, const TimeZone& tz, json::object& o) {
  auto callbacks = store::list_callbacks(db, t.id);
  if (!callbacks.ok()) return callbacks.status();
  json::array cb;
  for (const auto& c : *callbacks) {
    json::object x{{"called_at", format_time(c.called_at, tz)}, {"reached", c.reached}, {"comment", c.comment},
                   {"operator", c.operator_name}};
    x["rating"] = c.rating ? json::value(*c.rating) : json::value(nullptr);
    x["service_received"] = c.service_received ? json::value(*c.service_received) : json::value(nullptr);
    cb.push_back(std::move(x));
  }
  o["callbacks"] = std::move(cb);
  auto complaints = store::complaints_of_ticket(db, t.id);
  if (!complaints.ok()) return complaints.status();
  json::array cp;
  for (const auto& c : *complaints) {
    cp.push_back(json::object{{"complaint_id", c.id},
                              {"filed_at", format_time(c.filed_at, tz)},
                              {"status", std::string(to_string(c.status))},
                              {"description", c.description},
                              {"finding", c.finding}});
  }
  o["complaints"] = std::move(cp);
  return Status::Ok();
}
}  // namespace

Result<json::object> ticket_json(store::Database& db, const store::TicketRow& t, Role role, const TimeZone& tz,
                                 bool detail) {
  auto names = ticket_names(db, t);
  if (!names.ok()) return names.status();
  json::object o = ticket_json(t, *names, role, tz);
  if (!detail) return o;
  auto events = store::list_events(db, t.id);
  if (!events.ok()) return events.status();
  json::array ev;
  for (const auto& e : *events) {
    json::object eo{{"at", format_time(e.at, tz)}, {"type", e.type}, {"actor", e.actor}};
    eo["from_state"] = e.from_state ? json::value(*e.from_state) : json::value(nullptr);
    eo["to_state"] = e.to_state ? json::value(*e.to_state) : json::value(nullptr);
    eo["firm_code"] = e.firm_code ? json::value(*e.firm_code) : json::value(nullptr);
    boost::system::error_code ec;
    auto d = json::parse(e.detail, ec);
    eo["detail"] = ec ? json::value(json::object()) : d;
    ev.push_back(std::move(eo));
  }
  o["events"] = std::move(ev);
  auto exc = store::list_visit_exceptions(db, t.id);
  if (!exc.ok()) return exc.status();
  json::array ex;
  for (const auto& e : *exc) {
    json::object eo{{"exception_id", e.id},
                    {"type", std::string(to_string(e.type))},
                    {"detail", e.detail},
                    {"facts", facts_json(e.facts)},
                    {"status", std::string(to_string(e.status))},
                    {"created_at", format_time(e.created_at, tz)}};
    eo["reason_code"] = e.reason_code ? json::value(*e.reason_code) : json::value(nullptr);
    eo["note"] = e.note ? json::value(*e.note) : json::value(nullptr);
    eo["resolved_by"] = e.resolved_by ? json::value(*e.resolved_by) : json::value(nullptr);
    ex.push_back(std::move(eo));
  }
  o["exceptions"] = std::move(ex);
  auto call = store::call_of(db, "ticket", t.id);  // the call it was made during
  if (!call.ok()) return call.status();
  o["call_id"] = *call ? json::value((*call)->call_id) : json::value(nullptr);
  VNH_RETURN_IF_ERROR(add_visit(db, t, tz, o));
  VNH_RETURN_IF_ERROR(add_follow_up(db, t, tz, o));
  return o;
}

json::array grants_json(const std::vector<domain::GrantBalance>& grants) {
  json::array out;
  for (const auto& g : grants) {
    out.push_back(json::object{{"programme", g.programme->code},
                               {"name", g.programme->name},
                               {"unit", std::string(to_string(g.programme->unit))},
                               {"monthly", g.programme->monthly},
                               {"used", g.used},
                               {"left", g.left}});
  }
  return out;
}

json::array care_flags_json(domain::CareFlags f) {
  json::array out;
  for (const auto& name : split(domain::format_care_flags(f), '|')) {
    if (!name.empty()) out.push_back(json::value(name));
  }
  return out;
}

json::object recurrence_json(store::Database& db, const store::RecurrenceRow& r, bool with_occurrences) {
  json::object o{{"recurrence_id", fmt::format("R{}", r.id)},
                 {"elder_id", store::elder_public_id(r.elder_id)},
                 {"item_code", r.item_code.empty() ? json::value(nullptr) : json::value(r.item_code)},
                 {"item_name", r.item_name},
                 {"what", r.item_id ? r.item_name : r.canteen_name},
                 {"canteen_code", r.canteen_code.empty() ? json::value(nullptr) : json::value(r.canteen_code)},
                 {"canteen_name", r.canteen_name},
                 {"slot", r.slot ? json::value(std::string(to_string(*r.slot))) : json::value(nullptr)},
                 {"mode", r.mode ? json::value(std::string(to_string(*r.mode))) : json::value(nullptr)},
                 {"rule", r.rule},
                 {"window_start", r.window_start},
                 {"window_end", r.window_end},
                 {"starts_on", r.starts_on},
                 {"notes", r.notes},
                 {"state", r.state},
                 {"paused_until", r.paused_until ? json::value(*r.paused_until) : json::value(nullptr)},
                 {"end_reason", r.end_reason ? json::value(*r.end_reason) : json::value(nullptr)},
                 {"occurrences_made", r.occurrences_made},
                 {"created_by", r.created_by}};
  if (with_occurrences) {
    json::array a;
    if (auto occ = store::occurrences_of(db, r.id, 10); occ.ok()) {
      for (const auto& x : *occ) {
        a.push_back(json::object{{"day", x.day},
                                 {"outcome", x.outcome},
                                 {"ticket_no", x.ref.empty() ? json::value(nullptr) : json::value(x.ref)},
                                 {"detail", x.detail}});
      }
    }
    o["occurrences"] = std::move(a);
  }
  return o;
}

Result<json::object> elder_card_json(store::Database& db, const registry::ElderCard& card, Role role,
                                     const domain::Policy& policy, TimeMs now) {
  const TimeZone& tz = *policy.tz;
  auto o = elder_json(card.elder, role, tz, now);
  VNH_ASSIGN_OR_RETURN(auto grants, tickets::MonthGrants::load(db, policy, card.elder, now));
  o["grants"] = grants_json(grants.balances());
  // Deceased (SPEC §13): when and as whom it was reported.
  VNH_ASSIGN_OR_RETURN(auto death, store::get_death(db, card.elder.id));
  if (death) {
    o["death"] = json::object{{"died_on", death->died_on},
                              {"source", death->source},
                              {"reported_by", death->reported_by},
                              {"recorded_at", format_time(death->recorded_at, tz)}};
  } else {
    o["death"] = nullptr;
  }
  // A care target (SPEC §14): why, how often, who visits, when next.
  VNH_ASSIGN_OR_RETURN(auto target, store::get_care_target(db, card.elder.id));
  if (target) {
    o["care"] = json::object{{"flags", care_flags_json(target->flags)},
                             {"tier", std::string(to_string(target->tier))},
                             {"care_worker", target->care_worker.empty() ? json::value(nullptr) : json::value(target->care_worker)},
                             {"last_visit_at", time_or_null(target->last_visit_at, tz)},
                             {"due_at", format_time(target->due_at, tz)},
                             {"overdue", target->due_at < now}};
  } else {
    o["care"] = nullptr;
  }
  // The eligibility watch's mark (SPEC §13): entitlements that changed today (a birthday).
  VNH_ASSIGN_OR_RETURN(auto change, store::entitlement_change_on(db, card.elder.id, format_date(tz.local_date(now))));
  o["entitlements_changed_today"] = change ? json::parse(*change) : json::value(nullptr);
  // Recurring orders (SPEC §14), the live ones first.
  VNH_ASSIGN_OR_RETURN(auto recurrences, store::recurrences_of(db, card.elder.id));
  json::array rec;
  for (const auto& r : recurrences) rec.push_back(recurrence_json(db, r, false));
  o["recurrences"] = std::move(rec);
  json::array open, recent;
  for (const auto& t : card.open_tickets) {
    VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, t, role, tz, false));
    open.push_back(std::move(v));
  }
  for (const auto& t : card.recent_services) {
    VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, t, role, tz, false));
    recent.push_back(std::move(v));
  }
  o["open_tickets"] = std::move(open);
  o["recent_services"] = std::move(recent);
  return o;
}

json::object elder_secrets_json(std::int64_t elder_id, const store::ElderSecrets& s) {
  json::array phones, contacts;
  for (const auto& p : s.phones) phones.push_back(json::value(p));
  for (const auto& c : s.contacts) contacts.push_back(json::object{{"name", c.name}, {"relation", c.relation}, {"phone", c.phone}});
  return json::object{{"elder_id", store::elder_public_id(elder_id)},
                      {"id_number", s.id_number},
                      {"phones", std::move(phones)},
                      {"address", s.address},
                      {"emergency_contacts", std::move(contacts)}};
}

Result<net::Response> ticket_response(store::Database& db, const std::string& ticket_no, Role role, const TimeZone& tz,
                                      int status) {
  auto t = store::find_ticket(db, ticket_no);
  if (!t.ok()) return t.status();
  if (!*t) return not_found("no ticket " + ticket_no, "ticket_no");
  auto v = ticket_json(db, **t, role, tz, true);
  if (!v.ok()) return v.status();
  return json_response(status, *v);
}

json::object call_json(const store::CallRow& c, const TimeZone& tz) {
  json::object o{{"call_id", c.call_id},
                 {"caller", c.caller_masked},
                 {"line", c.line},
                 {"received_at", format_time(c.received_at, tz)},
                 {"state", std::string(to_string(c.state))},
                 {"elders_matched", c.elders_matched},
                 {"reported_by", c.reported_by}};
  o["answered_by"] = c.answered_by ? json::value(*c.answered_by) : json::value(nullptr);
  o["answered_at"] = time_or_null(c.answered_at, tz);
  o["ended_at"] = time_or_null(c.ended_at, tz);
  o["outcome"] = c.outcome ? json::value(std::string(to_string(*c.outcome))) : json::value(nullptr);
  o["outcome_note"] = c.outcome_note;
  return o;
}

}  // namespace vnh::hotline
