// Visit exceptions (the supervisors' queue and their decisions) and inspections (the
// inspectors' E, N and H scores of a firm's month).
#include <fmt/format.h>

#include <algorithm>

#include "common/text.hpp"
#include "domain/visit.hpp"
#include "hotline/api.hpp"
#include "hotline/queue_page.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "settlement/settlement.hpp"
#include "store/alerts.hpp"
#include "store/audit.hpp"
#include "store/quality.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// The queue's filters from the query string: type, firm (code), street (code), min_age_h (raised
// at least that many hours ago), sort (oldest first, or newest), cursor ("ms.id" of the last row).
Result<store::ExceptionQuery> exception_query(store::Database& db, const net::Request& req, TimeMs now) {
  store::ExceptionQuery q;
  VNH_ASSIGN_OR_RETURN(static_cast<store::QueuePage&>(q), queue_page(db, req, now, false, 100));
  if (auto v = req.query_param("type"); v && !v->empty()) {
    q.type = domain::parse_visit_exception_type(*v);
    if (!q.type) return invalid("type", fmt::format("'{}' is not a visit exception type", *v));
  }
  return q;
}

void open_exceptions(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& tz = *api.ctx().policy.tz;
    VNH_ASSIGN_OR_RETURN(auto q, exception_query(db, call.req, api.ctx().clock.now_ms()));
    VNH_ASSIGN_OR_RETURN(auto rows, store::open_visit_exceptions(db, q));
    VNH_ASSIGN_OR_RETURN(auto count, store::count_open_visit_exceptions(db, q));
    json::array a;
    for (const auto& e : rows) {
      VNH_ASSIGN_OR_RETURN(auto t, store::get_ticket(db, e.ticket_id));
      if (!t) return internal("an exception names a missing ticket");
      VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, *t, call.who.role, tz, false));
      a.push_back(json::object{{"exception_id", e.id},
                               {"type", std::string(domain::to_string(e.type))},
                               {"detail", e.detail},
                               {"facts", facts_json(e.facts)},
                               {"status", std::string(domain::to_string(e.status))},
                               {"created_at", format_time(e.created_at, tz)},
                               {"ticket", std::move(v)}});
    }
    json::value next = rows.empty() ? json::value(nullptr) : next_cursor(rows.size(), q.limit, rows.back().created_at, rows.back().id);
    return json_response(200, json::object{{"exceptions", std::move(a)}, {"count", count}, {"next", next}});
  });
}

json::array reason_codes_json(const std::vector<domain::ReasonCode>& codes) {
  json::array a;
  for (const auto& c : codes) a.push_back(json::object{{"code", c.code}, {"label_zh", c.label_zh}, {"label_en", c.label_en}});
  return a;
}

void reason_codes(Api&, Api::Call&& call) {
  call.respond(json_response(200, json::object{{"clear", reason_codes_json(domain::clear_reason_codes())},
                                               {"uphold", reason_codes_json(domain::uphold_reason_codes())}}));
}

void decide_exception(Api& api, Api::Call&& call, bool clear) {
  auto id = id_param(call.req, "an exception id");
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto code = req_string(*body, "reason_code", 64);
  auto note = req_string(*body, "note", 1000);
  for (const Status* s : {&code.status(), &note.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  api.write<std::string>(
      std::move(call.respond),
      [&api, clear, id = *id, code = *code, note = *note, who = call.who](store::WriteTx& tx) -> Result<std::string> {
        VNH_ASSIGN_OR_RETURN(auto t, api.ctx().tickets.resolve_exception(tx, id, clear, code, note,
                                                                         domain::Actor::user(who.username)));
        return t.ticket_no;
      },
      [&api, role = call.who.role](store::Database& db, std::string& no) {
        return ticket_response(db, no, role, *api.ctx().policy.tz, 200);
      });
}
void clear_exception(Api& api, Api::Call&& call) { decide_exception(api, std::move(call), true); }

// The most exceptions one bulk decision takes.
constexpr std::size_t kMaxBulk = 500;

// Clears many exceptions with one reason code and note (SPEC §15): all of them or, when one
// cannot be cleared, none (the error names it). Each is audited on its own.
void clear_exceptions(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto code = req_string(*body, "reason_code", 64);
  auto note = req_string(*body, "note", 1000);
  for (const Status* s : {&code.status(), &note.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto ids = ids_field(*body, "ids", kMaxBulk, "an exception id");
  if (!ids.ok()) return call.respond(error_response(ids.status()));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, ids = *ids, code = *code, note = *note, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        for (auto id : ids) {
          auto t = api.ctx().tickets.resolve_exception(tx, id, true, code, note, domain::Actor::user(who.username));
          if (!t.ok()) {
            return Status(t.status().code(), fmt::format("exception {}: {} (nothing was cleared)", id, t.status().message()),
                          t.status().field() == "reason_code" || t.status().field() == "note" ? t.status().field() : "ids",
                          Reason(t.status().reason()));
          }
        }
        return static_cast<std::int64_t>(ids.size());
      },
      [](store::Database&, std::int64_t& n) -> Result<net::Response> {
        return json_response(200, json::object{{"cleared", n}});
      });
}
void uphold_exception(Api& api, Api::Call&& call) { decide_exception(api, std::move(call), false); }

// The supervisors' alerts, newest first: the open ones (or all with state=all), a page below the
// cursor (the id of the last one shown), with how many are open.
void list_alerts(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& tz = *api.ctx().policy.tz;
    VNH_ASSIGN_OR_RETURN(int limit, limit_param(call.req, 100));
    VNH_ASSIGN_OR_RETURN(auto before, cursor_param(call.req));
    const auto state = call.req.query_param("state").value_or("open");
    if (state != "open" && state != "all") return invalid("state", "must be open or all");
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_alerts(db, state == "open", before, limit));
    VNH_ASSIGN_OR_RETURN(auto open, store::count_open_alerts(db));
    json::array a;
    for (const auto& r : rows) {
      boost::system::error_code ec;
      auto detail = json::parse(r.detail, ec);
      json::object o = ec || !detail.is_object() ? json::object{} : detail.as_object();
      o["id"] = r.id;
      o["kind"] = r.kind;
      o["at"] = format_time(r.raised_at, tz);
      o["acknowledged_by"] = r.acknowledged_by ? json::value(*r.acknowledged_by) : json::value(nullptr);
      o["acknowledged_at"] = time_or_null(r.acknowledged_at, tz);
      a.push_back(std::move(o));
    }
    json::value next = nullptr;
    if (static_cast<int>(rows.size()) == limit) next = rows.back().id;
    return json_response(200, json::object{{"alerts", std::move(a)}, {"open", open}, {"next", next}});
  });
}

// Acknowledges alerts by id, all or none (the error names the one that could not be).
void acknowledge_alerts(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto ids = ids_field(*body, "ids", kMaxBulk, "an alert id");
  if (!ids.ok()) return call.respond(error_response(ids.status()));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, ids = *ids, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        const TimeMs now = api.ctx().clock.now_ms();
        for (auto id : ids) {
          VNH_RETURN_IF_ERROR(store::acknowledge_alert(tx.db(), id, who.username, now));
          VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), now, {who.username, "alert.acknowledge", fmt::format("alert:{}", id), "{}"}));
        }
        return static_cast<std::int64_t>(ids.size());
      },
      [&api, who = call.who, ids = *ids](store::Database&, std::int64_t& n) -> Result<net::Response> {
        // Every supervisor's screen drops them at once.
        json::array a;
        for (auto id : ids) a.push_back(id);
        api.ctx().live.broadcast(json::object{{"type", "alerts.acknowledged"}, {"ids", std::move(a)}, {"by", who.username}},
                                 Audience::kSupervisors);
        return json_response(200, json::object{{"acknowledged", n}});
      });
}

json::object inspection_json(const store::InspectionRow& i, const store::Firm& f, const TimeZone& tz) {
  return json::object{{"firm_code", f.code},
                      {"firm_name", f.name},
                      {"month", i.month},
                      {"enterprise_building", format_fixed(i.enterprise_building, 2)},
                      {"service_norms", format_fixed(i.service_norms, 2)},
                      {"staff_management", format_fixed(i.staff_management, 2)},
                      {"entered_by", i.entered_by},
                      {"entered_at", format_time(i.entered_at, tz)}};
}

// One firm's E, N and H as the body (or one row of a month's table) gives them.
struct ScoreEntry {
  std::string firm_code;
  settlement::InspectionScores scores;
};
Result<ScoreEntry> score_entry(const json::object& o) {
  VNH_ASSIGN_OR_RETURN(auto firm, req_string(o, "firm_code", 32));
  VNH_ASSIGN_OR_RETURN(auto e, score_field(o, "enterprise_building"));
  VNH_ASSIGN_OR_RETURN(auto n, score_field(o, "service_norms"));
  VNH_ASSIGN_OR_RETURN(auto h, score_field(o, "staff_management"));
  return ScoreEntry{std::move(firm), {e, n, h}};
}

void enter_inspection(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto month_text = req_string(*body, "month", 7);
  if (!month_text.ok()) return call.respond(error_response(month_text.status()));
  auto entry = score_entry(*body);
  if (!entry.ok()) return call.respond(error_response(entry.status()));
  auto month = parse_year_month(*month_text);
  if (!month.ok()) return call.respond(error_response(invalid("month", month.status().message())));
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, entry = *entry, month = *month, who = call.who](store::WriteTx& tx) -> Result<std::string> {
        VNH_RETURN_IF_ERROR(settlement::enter_inspection(tx, entry.firm_code, month, entry.scores,
                                                         domain::Actor::user(who.username), c.clock.now_ms())
                                .status());
        return entry.firm_code;
      },
      [&c, month = *month](store::Database& db, std::string& firm) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto f, store::find_firm(db, firm));
        VNH_ASSIGN_OR_RETURN(auto i, store::get_inspection(db, f->id, month.to_string()));
        return json_response(201, inspection_json(*i, *f, *c.policy.tz));
      });
}

// PUT /api/v1/inspections/{month} {"scores":[{firm_code, enterprise_building, service_norms,
// staff_management}, …]}: a whole month's table at once, all or none. A row equal to the scores
// already stored is left alone (settlement::enter_inspection: no audit entry); an error names
// its row: `scores[3].service_norms`.
constexpr std::size_t kMaxScoreRows = 2000;
void enter_month(Api& api, Api::Call&& call) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  const auto* rows = body->if_contains("scores");
  if (!rows || !rows->is_array() || rows->as_array().empty() || rows->as_array().size() > kMaxScoreRows) {
    return call.respond(error_response(invalid("scores", fmt::format("is required: a list of 1 to {} firms' scores", kMaxScoreRows))));
  }
  std::vector<ScoreEntry> entries;
  for (std::size_t i = 0; i < rows->as_array().size(); ++i) {
    const auto& row = rows->as_array()[i];
    const auto at = fmt::format("scores[{}]", i);
    if (!row.is_object()) return call.respond(error_response(invalid(at, "must be an object")));
    auto e = score_entry(row.as_object());
    if (!e.ok()) return call.respond(error_response(Status(e.status()).with_field(at + "." + e.status().field())));
    for (const auto& seen : entries) {
      if (seen.firm_code == e->firm_code) {
        return call.respond(error_response(invalid(at + ".firm_code", fmt::format("names {} twice", e->firm_code))));
      }
    }
    entries.push_back(std::move(*e));
  }
  const auto& c = api.ctx();
  struct Done {
    std::int64_t entered = 0, unchanged = 0;
  };
  api.write<Done>(
      std::move(call.respond),
      [&c, entries = std::move(entries), month = *month, who = call.who](store::WriteTx& tx) -> Result<Done> {
        Done d;
        for (std::size_t i = 0; i < entries.size(); ++i) {
          const auto& e = entries[i];
          auto changed = settlement::enter_inspection(tx, e.firm_code, month, e.scores, domain::Actor::user(who.username),
                                                      c.clock.now_ms());
          if (!changed.ok() && changed.status().field() == "firm_code") {
            return Status(changed.status()).with_field(fmt::format("scores[{}].firm_code", i));
          }
          if (!changed.ok()) return changed.status();
          ++(*changed ? d.entered : d.unchanged);
        }
        return d;
      },
      [month = *month](store::Database&, Done& d) -> Result<net::Response> {
        return json_response(200, json::object{{"month", month.to_string()}, {"entered", d.entered}, {"unchanged", d.unchanged}});
      });
}

void list_inspections(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto month, month_query(call.req, "month"));
    if (!month) return invalid("month", "is required (YYYY-MM)");
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_inspections(db, month->to_string()));
    json::array a;
    for (const auto& i : rows) {
      VNH_ASSIGN_OR_RETURN(auto f, store::firm_by_id(db, i.firm_id));
      if (!f) return internal("an inspection names a missing firm");
      a.push_back(inspection_json(i, *f, *api.ctx().policy.tz));
    }
    return json_response(200, json::object{{"month", month->to_string()}, {"inspections", std::move(a)}});
  });
}

}  // namespace

std::vector<Api::Route> quality_routes() {
  return {
      {"GET", "/api/v1/exceptions", roles::kSupervision, open_exceptions},
      {"GET", "/api/v1/exceptions/reason-codes", roles::kSupervision, reason_codes},
      {"POST", "/api/v1/exceptions/clear", roles::kSupervisor, clear_exceptions},
      {"GET", "/api/v1/alerts", roles::kSupervision, list_alerts},
      {"POST", "/api/v1/alerts/acknowledge", roles::kSupervision, acknowledge_alerts},
      {"POST", "/api/v1/exceptions/{id}/clear", roles::kSupervisor, clear_exception},
      {"POST", "/api/v1/exceptions/{id}/uphold", roles::kSupervisor, uphold_exception},
      {"POST", "/api/v1/inspections", roles::kInspection, enter_inspection},
      {"GET", "/api/v1/inspections", {Role::kInspector, Role::kSupervisor, Role::kFinance, Role::kAdmin}, list_inspections},
      {"PUT", "/api/v1/inspections/{month}", roles::kInspection, enter_month},
  };
}

}  // namespace vnh::hotline
