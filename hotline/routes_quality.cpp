// Visit exceptions (the supervisors' queue and their decisions) and inspections (the
// inspectors' E, N and H scores of a firm's month).
#include "common/text.hpp"
#include "domain/visit.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "settlement/settlement.hpp"
#include "store/quality.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

void open_exceptions(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& tz = *api.ctx().policy.tz;
    VNH_ASSIGN_OR_RETURN(int limit, limit_param(call.req, 100));
    VNH_ASSIGN_OR_RETURN(auto rows, store::open_visit_exceptions(db, limit));
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
    return json_response(200, json::object{{"exceptions", std::move(a)}});
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
void uphold_exception(Api& api, Api::Call&& call) { decide_exception(api, std::move(call), false); }

json::object inspection_json(const store::InspectionRow& i, const store::Firm& f) {
  return json::object{{"firm_code", f.code},
                      {"firm_name", f.name},
                      {"month", i.month},
                      {"enterprise_building", format_fixed(i.enterprise_building, 2)},
                      {"service_norms", format_fixed(i.service_norms, 2)},
                      {"staff_management", format_fixed(i.staff_management, 2)},
                      {"entered_by", i.entered_by}};
}

void enter_inspection(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto firm = req_string(*body, "firm_code", 32);
  auto month_text = req_string(*body, "month", 7);
  auto e = score_field(*body, "enterprise_building");
  auto n = score_field(*body, "service_norms");
  auto h = score_field(*body, "staff_management");
  for (const Status* s : {&firm.status(), &month_text.status(), &e.status(), &n.status(), &h.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto month = parse_year_month(*month_text);
  if (!month.ok()) return call.respond(error_response(invalid("month", month.status().message())));
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, firm = *firm, month = *month, scores = settlement::InspectionScores{*e, *n, *h},
       who = call.who](store::WriteTx& tx) -> Result<std::string> {
        VNH_RETURN_IF_ERROR(settlement::enter_inspection(tx, firm, month, scores, domain::Actor::user(who.username),
                                                         c.clock.now_ms()));
        return firm;
      },
      [&c, month = *month](store::Database& db, std::string& firm) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto f, store::find_firm(db, firm));
        VNH_ASSIGN_OR_RETURN(auto i, store::get_inspection(db, f->id, month.to_string()));
        return json_response(201, json::object{{"firm_code", f->code},
                                               {"month", i->month},
                                               {"enterprise_building", format_fixed(i->enterprise_building, 2)},
                                               {"service_norms", format_fixed(i->service_norms, 2)},
                                               {"staff_management", format_fixed(i->staff_management, 2)},
                                               {"entered_by", i->entered_by},
                                               {"entered_at", format_time(i->entered_at, *c.policy.tz)}});
      });
}

void list_inspections(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    auto m = call.req.query_param("month");
    if (!m) return invalid("month", "is required (YYYY-MM)");
    auto month = parse_year_month(*m);
    if (!month.ok()) return invalid("month", month.status().message());
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_inspections(db, month->to_string()));
    json::array a;
    for (const auto& i : rows) {
      VNH_ASSIGN_OR_RETURN(auto f, store::firm_by_id(db, i.firm_id));
      if (!f) return internal("an inspection names a missing firm");
      a.push_back(inspection_json(i, *f));
    }
    return json_response(200, json::object{{"month", month->to_string()}, {"inspections", std::move(a)}});
  });
}

}  // namespace

std::vector<Api::Route> quality_routes() {
  return {
      {"GET", "/api/v1/exceptions", roles::kSupervision, open_exceptions},
      {"GET", "/api/v1/exceptions/reason-codes", roles::kSupervision, reason_codes},
      {"POST", "/api/v1/exceptions/{id}/clear", roles::kSupervisor, clear_exception},
      {"POST", "/api/v1/exceptions/{id}/uphold", roles::kSupervisor, uphold_exception},
      {"POST", "/api/v1/inspections", {Role::kInspector, Role::kAdmin}, enter_inspection},
      {"GET", "/api/v1/inspections", {Role::kInspector, Role::kSupervisor, Role::kFinance, Role::kAdmin}, list_inspections},
  };
}

}  // namespace vnh::hotline
