// Entitlements and care (SPEC §13–§14): a death reported by phone, care targets on the elder
// card, the care workers' visits, the due list and the month's report.
#include <fmt/format.h>

#include "care/care.hpp"
#include "common/csv.hpp"
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "recurrence/recurrence.hpp"
#include "registry/deaths.hpp"
#include "registry/eligibility.hpp"
#include "store/accounts.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

const std::vector<Role> kCareDesk = {Role::kCare, Role::kSupervisor, Role::kAdmin};
const std::vector<Role> kCareReaders = {Role::kCare, Role::kSupervisor, Role::kAdmin, Role::kOperator};

Result<domain::CareFlags> flags_field(const json::object& o) {
  const json::value* v = o.if_contains("flags");
  if (!v || v->is_null()) return domain::CareFlags{0};
  std::string joined;
  if (v->is_string()) {
    joined = std::string(v->as_string());
  } else if (v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) return invalid("flags", "must be care flags (" + domain::care_flag_names() + ")");
      joined += (joined.empty() ? "" : "|") + std::string(e.as_string());
    }
  } else {
    return invalid("flags", "must be an array of care flags");
  }
  auto f = domain::parse_care_flags(joined);
  if (!f) return invalid("flags", fmt::format("'{}' is not a set of care flags ({})", joined, domain::care_flag_names()));
  return *f;
}

template <class E, class P>
Result<E> enum_field(const json::object& o, const char* field, P&& parse, const std::string& allowed, std::optional<E> def) {
  VNH_ASSIGN_OR_RETURN(auto s, opt_string(o, field, 32));
  if (!s) {
    if (def) return *def;
    return invalid(field, "is required (" + allowed + ")");
  }
  auto v = parse(*s);
  if (!v) return invalid(field, fmt::format("'{}' is not one of {}", *s, allowed));
  return *v;
}

json::object target_json(const store::CareTargetRow& t, const TimeZone& tz, TimeMs now) {
  json::object o{{"elder_id", store::elder_public_id(t.elder_id)},
                 {"flags", care_flags_json(t.flags)},
                 {"tier", std::string(to_string(t.tier))},
                 {"care_worker", t.care_worker.empty() ? json::value(nullptr) : json::value(t.care_worker)},
                 {"since", format_time(t.since, tz)},
                 {"last_visit_at", time_or_null(t.last_visit_at, tz)},
                 {"due_at", format_time(t.due_at, tz)},
                 {"overdue", t.due_at < now}};
  if (t.event_kind) {
    o["event"] = json::object{{"kind", *t.event_kind}, {"at", time_or_null(t.event_at, tz)}, {"ref", t.event_ref.value_or("")}};
  } else {
    o["event"] = nullptr;
  }
  return o;
}

json::object visit_json(const store::CareVisitRow& v, const TimeZone& tz) {
  return json::object{{"visit_id", v.id},
                      {"elder_id", store::elder_public_id(v.elder_id)},
                      {"visited_at", format_time(v.visited_at, tz)},
                      {"method", std::string(to_string(v.method))},
                      {"findings", json::object{{"living", std::string(to_string(v.living))},
                                                {"safety", std::string(to_string(v.safety))},
                                                {"health", std::string(to_string(v.health))},
                                                {"needs", v.needs}}},
                      {"note", v.note},
                      {"ticket_no", v.ticket_no.empty() ? json::value(nullptr) : json::value(v.ticket_no)},
                      {"recorded_by", v.recorded_by}};
}

// A care user sees their own elders only; the others any.
std::optional<std::int64_t> only_worker(const Principal& who) {
  return who.role == Role::kCare ? std::optional<std::int64_t>(who.user_id) : std::nullopt;
}

// --- Deaths -------------------------------------------------------------------------------

void record_death(Api& api, Api::Call&& call) {
  auto id = elder_param(call.req);
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  registry::DeathReport r;
  r.elder_id = *id;
  r.source = registry::DeathSource::kPhone;
  auto day = req_string(*body, "died_on", 10);
  if (!day.ok()) return call.respond(error_response(day.status()));
  auto died = parse_date(*day);
  if (!died.ok()) return call.respond(error_response(invalid("died_on", died.status().message())));
  r.died_on = *died;
  auto informant = opt_string(*body, "informant", 64);
  auto note = opt_string(*body, "note", 2000);
  for (const auto* s : {&informant.status(), &note.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  r.informant = informant->value_or("");
  r.note = note->value_or("");
  auto out = std::make_shared<registry::DeathOutcome>();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, r, out, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        const auto& c = api.ctx();
        VNH_ASSIGN_OR_RETURN(*out, registry::record_death(tx, c.policy, &c.tickets, r, domain::Actor::user(who.username),
                                                          c.clock.now_ms()));
        return r.elder_id;
      },
      [&api, out, role = call.who.role](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto card, card_response(db, api, id, role, 201));
        json::array cancelled, recoveries;
        for (const auto& t : out->cancelled_tickets) cancelled.push_back(json::value(t));
        for (const auto& rec : out->recoveries) {
          recoveries.push_back(json::object{{"recovery_id", rec.id},
                                            {"paid_month", rec.paid_month},
                                            {"kind", rec.kind},
                                            {"ref", rec.ref},
                                            {"payee_code", rec.payee_code},
                                            {"service_day", rec.service_day},
                                            {"amount_fen", rec.amount_fen}});
        }
        json::object o{{"elder", json::parse(card.body)},
                       {"recorded", out->recorded},
                       {"corrected", out->corrected},
                       {"cancelled_tickets", std::move(cancelled)},
                       {"cards_revoked", out->cards_revoked},
                       {"orders_cancelled", out->orders_cancelled},
                       {"recurrences_ended", out->recurrences_ended},
                       {"callbacks_dropped", out->callbacks_dropped},
                       {"recoveries", std::move(recoveries)}};
        return json_response(out->recorded ? 201 : 200, o);
      });
}

// --- Care targets ----------------------------------------------------------------------------

void put_target(Api& api, Api::Call&& call) {
  auto id = elder_param(call.req);
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto flags = flags_field(*body);
  if (!flags.ok()) return call.respond(error_response(flags.status()));
  auto tier = enum_field<domain::CareTier>(*body, "tier", domain::parse_care_tier, "high, key, general", std::nullopt);
  if (!tier.ok()) return call.respond(error_response(tier.status()));
  auto worker = opt_string(*body, "care_worker", 64);
  if (!worker.ok()) return call.respond(error_response(worker.status()));
  care::TargetInput in{*id, *flags, *tier, *worker};
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, in, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        const auto& c = api.ctx();
        VNH_RETURN_IF_ERROR(care::set_target(tx, c.policy, in, domain::Actor::user(who.username), c.clock.now_ms()).status());
        return in.elder_id;
      },
      [&api, role = call.who.role](store::Database& db, std::int64_t& id) { return card_response(db, api, id, role, 200); });
}

void delete_target(Api& api, Api::Call&& call) {
  auto id = elder_param(call.req);
  if (!id.ok()) return call.respond(error_response(id.status()));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, id = *id, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_RETURN_IF_ERROR(care::remove_target(tx, id, domain::Actor::user(who.username), api.ctx().clock.now_ms()));
        return id;
      },
      [&api, role = call.who.role](store::Database& db, std::int64_t& id) { return card_response(db, api, id, role, 200); });
}

// --- Visits ----------------------------------------------------------------------------------

const std::initializer_list<const char*> kVisitFields = {"elder_id", "visited_at", "method", "findings", "note", "ticket"};

Result<care::VisitInput> visit_of(const json::object& o, TimeMs now) {
  care::VisitInput in;
  VNH_ASSIGN_OR_RETURN(auto elder, req_string(o, "elder_id", 20));
  auto id = store::parse_elder_public_id(elder);
  if (!id) return invalid("elder_id", "is not an elder id (E123)");
  in.elder_id = *id;
  VNH_ASSIGN_OR_RETURN(auto at, opt_time(o, "visited_at"));
  in.visited_at = at.value_or(now);
  VNH_ASSIGN_OR_RETURN(in.method, enum_field<domain::VisitMethod>(o, "method", domain::parse_visit_method,
                                                                  "in_person, phone, video", domain::VisitMethod::kInPerson));
  const json::value* f = o.if_contains("findings");
  if (!f || !f->is_object()) return invalid("findings", "is required: {\"living\",\"safety\",\"health\",\"needs\"}");
  const auto& fo = f->as_object();
  for (const auto& [k, v] : fo) {
    if (k != "living" && k != "safety" && k != "health" && k != "needs") {
      return invalid("findings." + std::string(k), "is not a finding (living, safety, health, needs)");
    }
  }
  auto finding = [&](const char* name, domain::Finding& out) -> Status {
    auto r = enum_field<domain::Finding>(fo, name, domain::parse_finding, "good, fair, poor", std::nullopt);
    if (!r.ok()) return invalid(std::string("findings.") + name, r.status().message());
    out = *r;
    return Status::Ok();
  };
  VNH_RETURN_IF_ERROR(finding("living", in.living));
  VNH_RETURN_IF_ERROR(finding("safety", in.safety));
  VNH_RETURN_IF_ERROR(finding("health", in.health));
  auto needs = opt_string(fo, "needs", 2000);
  if (!needs.ok()) return invalid("findings.needs", needs.status().message());
  in.needs = needs->value_or("");
  VNH_ASSIGN_OR_RETURN(auto note, opt_string(o, "note", 4000));
  in.note = note.value_or("");
  if (const json::value* t = o.if_contains("ticket"); t && !t->is_null()) {
    if (!t->is_object()) return invalid("ticket", "must be {\"item_code\",\"urgency\",\"notes\"}");
    auto item = req_string(t->as_object(), "item_code", 32);
    if (!item.ok()) return invalid("ticket.item_code", item.status().message());
    in.ticket_item = *item;
    auto urgency = opt_string(t->as_object(), "urgency", 16);
    if (!urgency.ok()) return invalid("ticket.urgency", urgency.status().message());
    in.ticket_urgency = urgency->value_or("normal");
    auto notes = opt_string(t->as_object(), "notes", 2000);
    if (!notes.ok()) return invalid("ticket.notes", notes.status().message());
    in.ticket_notes = notes->value_or("");
  }
  return in;
}

void record_visit(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto in = visit_of(*body, c.clock.now_ms());
  if (!in.ok()) return call.respond(error_response(in.status()));
  auto ignored = unknown_fields(*body, kVisitFields);
  api.write<care::VisitRecorded>(
      std::move(call.respond),
      [&api, in = *in, who = call.who](store::WriteTx& tx) -> Result<care::VisitRecorded> {
        const auto& c = api.ctx();
        return care::record_visit(tx, c.policy, c.tickets, in, domain::Actor::user(who.username), only_worker(who),
                                  c.clock.now_ms());
      },
      [&api, ignored](store::Database&, care::VisitRecorded& v) -> Result<net::Response> {
        const auto& c = api.ctx();
        auto o = visit_json(v.visit, *c.policy.tz);
        o["target"] = target_json(v.target, *c.policy.tz, c.clock.now_ms());
        if (!ignored.empty()) o["ignored_fields"] = ignored;
        return json_response(201, o);
      });
}

void list_visits(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    auto elder = call.req.query_param("elder_id");
    if (!elder) return invalid("elder_id", "is required");
    auto id = store::parse_elder_public_id(*elder);
    if (!id) return invalid("elder_id", "is not an elder id (E123)");
    VNH_ASSIGN_OR_RETURN(auto target, store::get_care_target(db, *id));
    if (auto mine = only_worker(call.who); mine && (!target || target->care_worker_id != mine)) {
      return Status(Code::kPermissionDenied, *elder + " is not one of your elders", "elder_id");
    }
    VNH_ASSIGN_OR_RETURN(const int limit, limit_param(call.req, 20));
    VNH_ASSIGN_OR_RETURN(auto visits, store::care_visits_of(db, *id, limit));
    json::array a;
    for (const auto& v : visits) a.push_back(visit_json(v, *c.policy.tz));
    return json_response(200, json::object{{"elder_id", *elder},
                                           {"target", target ? json::value(target_json(*target, *c.policy.tz, c.clock.now_ms()))
                                                             : json::value(nullptr)},
                                           {"visits", std::move(a)}});
  });
}

// --- The due list and the report ---------------------------------------------------------------

void due_list(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    const TimeMs now = c.clock.now_ms();
    care::DueQuery q;
    q.community = call.req.query_param("community").value_or("");
    if (!q.community.empty() && !domain::valid_area_code(q.community)) {
      return invalid("community", "is not an area code (9 or 12 digits)");
    }
    q.overdue = call.req.query_param("overdue").value_or("0") == "1";
    if (auto days = call.req.query_param("within_days")) {
      auto n = parse_int(*days);
      if (!n.ok() || *n < 0 || *n > 366) return invalid("within_days", "must be 0 to 366");
      q.within_ms = *n * 86'400'000LL;
    }
    q.care_worker_id = only_worker(call.who);
    if (auto name = call.req.query_param("care_worker"); name && !q.care_worker_id) {
      VNH_ASSIGN_OR_RETURN(auto u, store::find_user(db, *name));
      if (!u) return not_found("no user " + *name, "care_worker");
      q.care_worker_id = u->id;
    }
    VNH_ASSIGN_OR_RETURN(q.limit, limit_param(call.req, 200));
    VNH_ASSIGN_OR_RETURN(auto rows, care::due(db, q, now));
    json::array a;
    std::int64_t overdue = 0;
    for (const auto& e : rows) {
      auto o = target_json(e.row.target, *c.policy.tz, now);
      o["name"] = sees_whole_names(call.who.role) || call.who.role == Role::kCare ? e.row.elder_name : mask_name(e.row.elder_name);
      o["community_code"] = e.row.community_code;
      o["community_name"] = e.row.community_name;
      o["overdue_days"] = e.overdue_days;
      if (e.overdue) ++overdue;
      a.push_back(std::move(o));
    }
    return json_response(200, json::object{{"due", std::move(a)}, {"count", rows.size()}, {"overdue", overdue}});
  });
}

void care_report(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto asked, month_query(call.req, "month"));
    const YearMonth month = asked.value_or(c.policy.tz->local_month(c.clock.now_ms()));
    VNH_ASSIGN_OR_RETURN(auto rows, care::report(db, c.policy, month));
    if (call.req.query_param("format").value_or("") == "csv") {
      std::string out;
      csv_append_row(out, {"community_code", "community_name", "targets", "visited", "visits", "visit_rate",
                           "high_targets", "high_visited"});
      for (const auto& r : rows) {
        csv_append_row(out, {r.row.community_code, r.row.community_name, std::to_string(r.row.targets),
                             std::to_string(r.row.visited), std::to_string(r.row.visits), format_fixed(r.rate_permille, 3),
                             std::to_string(r.row.high_targets), std::to_string(r.row.high_visited)});
      }
      return csv_response(std::move(out), fmt::format("care-report-{}.csv", month.to_string()));
    }
    json::array a;
    std::int64_t targets = 0, visited = 0;
    for (const auto& r : rows) {
      targets += r.row.targets;
      visited += r.row.visited;
      a.push_back(json::object{{"community_code", r.row.community_code},
                               {"community_name", r.row.community_name},
                               {"targets", r.row.targets},
                               {"visited", r.row.visited},
                               {"visits", r.row.visits},
                               {"visit_rate", format_fixed(r.rate_permille, 3)},
                               {"high_targets", r.row.high_targets},
                               {"high_visited", r.row.high_visited}});
    }
    return json_response(200, json::object{{"month", month.to_string()},
                                           {"communities", std::move(a)},
                                           {"targets", targets},
                                           {"visited", visited}});
  });
}

// --- The eligibility watch (SPEC §13) -------------------------------------------------------------

void eligibility_upcoming(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto asked, month_query(call.req, "month"));
    const YearMonth month = asked.value_or(c.policy.tz->local_month(c.clock.now_ms()).next());
    const std::string community = call.req.query_param("community").value_or("");
    if (!community.empty() && !domain::valid_area_code(community)) return invalid("community", "is not an area code");
    VNH_ASSIGN_OR_RETURN(auto rows, registry::upcoming(db, c.policy, month, community));
    const bool whole = sees_whole_names(call.who.role);
    if (call.req.query_param("format").value_or("") == "csv") {
      std::string out;
      csv_append_row(out, {"community_code", "community_name", "elder_id", "name", "birthday", "turns", "gains"});
      for (const auto& u : rows) {
        std::string gains;
        for (const auto& g : u.gains) gains += (gains.empty() ? "" : "|") + g.kind + ":" + g.code;
        csv_append_row(out, {u.elder.community_code, u.elder.community_name, store::elder_public_id(u.elder.id),
                             whole ? u.elder.name : mask_name(u.elder.name), format_date(u.birthday),
                             std::to_string(u.turns), gains});
      }
      return csv_response(std::move(out), fmt::format("eligibility-{}.csv", month.to_string()));
    }
    json::array communities;
    std::string current;
    for (const auto& u : rows) {
      if (communities.empty() || u.elder.community_code != current) {
        current = u.elder.community_code;
        communities.push_back(json::object{{"community_code", current},
                                           {"community_name", u.elder.community_name},
                                           {"elders", json::array{}}});
      }
      json::array gains;
      for (const auto& g : u.gains) {
        gains.push_back(json::object{{"kind", g.kind}, {"code", g.code}, {"name", g.name}, {"detail", g.detail}});
      }
      communities.back().as_object()["elders"].as_array().push_back(
          json::object{{"elder_id", store::elder_public_id(u.elder.id)},
                       {"name", whole ? u.elder.name : mask_name(u.elder.name)},
                       {"birthday", format_date(u.birthday)},
                       {"turns", u.turns},
                       {"category", std::string(to_string(u.elder.category))},
                       {"gains", std::move(gains)}});
    }
    return json_response(200, json::object{{"month", month.to_string()},
                                           {"count", rows.size()},
                                           {"communities", std::move(communities)}});
  });
}

// --- Recurring orders ---------------------------------------------------------------------------

Result<std::int64_t> recurrence_param(const net::Request& req) {
  const std::string& s = req.params.at("id");
  auto n = parse_int(s.size() > 1 && s[0] == 'R' ? std::string_view(s).substr(1) : std::string_view(s));
  if (!n.ok() || *n <= 0) return invalid("recurrence_id", "is not a recurrence id (R12)");
  return *n;
}

// The job for these recurrences now (a new one, one resumed), in the same transaction.
Status run_now(store::WriteTx& tx, const ApiContext& c, std::int64_t id) {
  VNH_ASSIGN_OR_RETURN(auto r, store::get_recurrence(tx.db(), id));
  if (!r) return Status::Ok();
  recurrence::Deps deps{c.policy, c.store.crypto(), c.tickets};
  return recurrence::run_due(tx, deps, {*r}, c.clock.now_ms()).status();
}

void create_recurrence(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  recurrence::NewRecurrence in;
  auto read = [&]() -> Status {
    VNH_ASSIGN_OR_RETURN(in.elder_id, opt_string(*body, "elder_id", 20));
    VNH_ASSIGN_OR_RETURN(in.id_number, opt_string(*body, "id_number", 20));
    VNH_ASSIGN_OR_RETURN(in.item_code, opt_string(*body, "item_code", 32));
    VNH_ASSIGN_OR_RETURN(in.canteen_code, opt_string(*body, "canteen_code", 32));
    VNH_ASSIGN_OR_RETURN(in.slot, enum_field<domain::MealSlot>(*body, "slot", domain::parse_meal_slot,
                                                               "breakfast, lunch, dinner", domain::MealSlot::kLunch));
    VNH_ASSIGN_OR_RETURN(in.mode, enum_field<domain::MealMode>(*body, "mode", domain::parse_meal_mode, "pickup, delivery",
                                                               domain::MealMode::kDelivery));
    VNH_ASSIGN_OR_RETURN(in.rule, req_string(*body, "rule", 200));
    VNH_ASSIGN_OR_RETURN(in.window_start, req_string(*body, "window_start", 5));
    VNH_ASSIGN_OR_RETURN(in.window_end, req_string(*body, "window_end", 5));
    VNH_ASSIGN_OR_RETURN(auto starts, req_string(*body, "starts_on", 10));
    auto d = parse_date(starts);
    if (!d.ok()) return invalid("starts_on", d.status().message());
    in.starts_on = *d;
    VNH_ASSIGN_OR_RETURN(auto notes, opt_string(*body, "notes", 2000));
    in.notes = notes.value_or("");
    return Status::Ok();
  };
  if (Status st = read(); !st.ok()) return call.respond(error_response(st));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, in, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        const auto& c = api.ctx();
        recurrence::Deps deps{c.policy, c.store.crypto(), c.tickets};
        VNH_ASSIGN_OR_RETURN(auto r, recurrence::create(tx, deps, in, domain::Actor::user(who.username), c.clock.now_ms()));
        VNH_RETURN_IF_ERROR(run_now(tx, c, r.id));
        return r.id;
      },
      [](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto r, store::get_recurrence(db, id));
        return json_response(201, recurrence_json(db, *r, true));
      });
}

void list_recurrences(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    auto elder = call.req.query_param("elder_id");
    if (!elder) return invalid("elder_id", "is required");
    auto id = store::parse_elder_public_id(*elder);
    if (!id) return invalid("elder_id", "is not an elder id (E123)");
    VNH_ASSIGN_OR_RETURN(auto rows, store::recurrences_of(db, *id));
    json::array a;
    for (const auto& r : rows) a.push_back(recurrence_json(db, r, true));
    return json_response(200, json::object{{"elder_id", *elder}, {"recurrences", std::move(a)}});
  });
}

void change_recurrence(Api& api, Api::Call&& call, const std::string& what) {
  auto id = recurrence_param(call.req);
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  std::optional<Date> until;
  std::string reason = "ended by the hotline";
  if (what == "pause") {
    auto u = opt_string(*body, "until", 10);
    if (!u.ok()) return call.respond(error_response(u.status()));
    if (*u) {
      auto d = parse_date(**u);
      if (!d.ok()) return call.respond(error_response(invalid("until", d.status().message())));
      until = *d;
    }
  } else if (what == "end") {
    auto r = opt_string(*body, "reason", 200);
    if (!r.ok()) return call.respond(error_response(r.status()));
    if (*r) reason = **r;
  }
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, id = *id, what, until, reason, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        const auto& c = api.ctx();
        const auto actor = domain::Actor::user(who.username);
        const TimeMs now = c.clock.now_ms();
        if (what == "pause") {
          VNH_RETURN_IF_ERROR(recurrence::pause(tx, id, until, actor, now));
        } else if (what == "resume") {
          VNH_RETURN_IF_ERROR(recurrence::resume(tx, id, actor, now));
          VNH_RETURN_IF_ERROR(run_now(tx, c, id));
        } else {
          VNH_RETURN_IF_ERROR(recurrence::end(tx, id, reason, actor, now));
        }
        return id;
      },
      [](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto r, store::get_recurrence(db, id));
        return json_response(200, recurrence_json(db, *r, true));
      });
}
void pause_recurrence(Api& api, Api::Call&& call) { change_recurrence(api, std::move(call), "pause"); }
void resume_recurrence(Api& api, Api::Call&& call) { change_recurrence(api, std::move(call), "resume"); }
void end_recurrence(Api& api, Api::Call&& call) { change_recurrence(api, std::move(call), "end"); }

}  // namespace

std::vector<Api::Route> care_routes() {
  return {
      {"POST", "/api/v1/elders/{elder_id}/death", roles::kSupervision, record_death},
      {"PUT", "/api/v1/elders/{elder_id}/care-target", roles::kElderDesk, put_target},
      {"DELETE", "/api/v1/elders/{elder_id}/care-target", roles::kSupervision, delete_target},
      {"POST", "/api/v1/care/visits", kCareDesk, record_visit},
      {"GET", "/api/v1/care/visits", kCareReaders, list_visits},
      {"GET", "/api/v1/care/due", kCareReaders, due_list},
      {"GET", "/api/v1/care/report", roles::kSupervision, care_report},
      {"GET", "/api/v1/eligibility/upcoming", roles::kElderDesk, eligibility_upcoming},
      {"POST", "/api/v1/recurrences", roles::kElderDesk, create_recurrence},
      {"GET", "/api/v1/recurrences", roles::kElderDesk, list_recurrences},
      {"POST", "/api/v1/recurrences/{id}/pause", roles::kElderDesk, pause_recurrence},
      {"POST", "/api/v1/recurrences/{id}/resume", roles::kElderDesk, resume_recurrence},
      {"POST", "/api/v1/recurrences/{id}/end", roles::kElderDesk, end_recurrence},
  };
}

}  // namespace vnh::hotline
