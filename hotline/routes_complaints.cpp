// Complaints: file one about a ticket, list them, investigate, close with an outcome.
#include <fmt/format.h>

#include "hotline/api.hpp"
#include "hotline/queue_page.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "store/quality.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

json::object complaint_json(const store::ComplaintRow& c, const std::string& ticket_no, const TimeZone& tz) {
  json::object o{{"complaint_id", c.id},
                 {"ticket_no", ticket_no},
                 {"filed_at", format_time(c.filed_at, tz)},
                 {"status", std::string(domain::to_string(c.status))},
                 {"description", c.description},
                 {"filed_by", c.filed_by},
                 {"finding", c.finding}};
  o["investigator"] = c.investigator ? json::value(*c.investigator) : json::value(nullptr);
  o["closed_at"] = time_or_null(c.closed_at, tz);
  o["closed_by"] = c.closed_by ? json::value(*c.closed_by) : json::value(nullptr);
  return o;
}

Result<std::string> ticket_no_of(store::Database& db, std::int64_t ticket_id) {
  auto t = store::get_ticket(db, ticket_id);
  if (!t.ok()) return t.status();
  if (!*t) return internal("ticket vanished");
  return (*t)->ticket_no;
}

// The complaint as it now stands.
Result<net::Response> complaint_response(store::Database& db, const TimeZone& tz, std::int64_t id, int status) {
  VNH_ASSIGN_OR_RETURN(auto c, store::get_complaint(db, id));
  if (!c) return not_found(fmt::format("no complaint {}", id), "id");
  VNH_ASSIGN_OR_RETURN(auto no, ticket_no_of(db, c->ticket_id));
  return json_response(status, complaint_json(*c, no, tz));
}

// A step of a complaint through the service, answered with the complaint.
void complaint_step(Api& api, Api::Call&& call, int status,
                    std::function<Result<store::ComplaintRow>(store::WriteTx&)> step) {
  api.write<std::int64_t>(
      std::move(call.respond),
      [step = std::move(step)](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(auto c, step(tx));
        return c.id;
      },
      [&api, status](store::Database& db, std::int64_t& id) {
        return complaint_response(db, *api.ctx().policy.tz, id, status);
      });
}

void file_complaint(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto no = req_string(*body, "ticket_no", 40);
  auto desc = req_string(*body, "description", 2000);
  for (const Status* s : {&no.status(), &desc.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto call_id = opt_string(*body, "call_id", 64);
  if (!call_id.ok()) return call.respond(error_response(call_id.status()));
  auto actor = domain::Actor::user(call.who.username);
  complaint_step(api, std::move(call), 201,
                 [&api, no = *no, desc = *desc, actor, call_id = *call_id](store::WriteTx& tx) -> Result<store::ComplaintRow> {
                   VNH_ASSIGN_OR_RETURN(auto c, api.ctx().tickets.file_complaint(tx, no, desc, actor));
                   VNH_RETURN_IF_ERROR(api.ctx().calls.link(tx, actor.name, "complaint", c.id, call_id));
                   return c;
                 });
}

void list_complaints(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    store::ComplaintQuery q;
    VNH_ASSIGN_OR_RETURN(static_cast<store::QueuePage&>(q), queue_page(db, call.req, api.ctx().clock.now_ms(), true, 50));
    if (auto s = call.req.query_param("status"); s && !s->empty()) {
      if (*s == "pending") {
        q.pending = true;  // open or investigating: what is still to be decided
      } else {
        q.status = domain::parse_complaint_status(*s);
        if (!q.status) return invalid("status", "is not a complaint status");
      }
    }
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_complaints(db, q));
    VNH_ASSIGN_OR_RETURN(auto count, store::count_complaints(db, q));
    json::array a;
    for (const auto& c : rows) {
      VNH_ASSIGN_OR_RETURN(auto no, ticket_no_of(db, c.ticket_id));
      a.push_back(complaint_json(c, no, *api.ctx().policy.tz));
    }
    json::value next = rows.empty() ? json::value(nullptr) : next_cursor(rows.size(), q.limit, rows.back().filed_at, rows.back().id);
    return json_response(200, json::object{{"complaints", std::move(a)}, {"count", count}, {"next", next}});
  });
}

// investigate: open → investigating, with an optional finding so far.
void investigate_complaint(Api& api, Api::Call&& call) {
  auto id = id_param(call.req, "a complaint id");
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto finding = opt_string(*body, "finding", 2000);
  if (!finding.ok()) return call.respond(error_response(finding.status()));
  auto actor = domain::Actor::user(call.who.username);
  complaint_step(api, std::move(call), 200, [&api, id = *id, finding = *finding, actor](store::WriteTx& tx) {
    return api.ctx().tickets.investigate_complaint(tx, id, finding, actor);
  });
}

// close: → substantiated | rejected, with a finding.
void close_complaint(Api& api, Api::Call&& call) {
  auto id = id_param(call.req, "a complaint id");
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto outcome = opt_string(*body, "outcome", 16);
  auto finding = opt_string(*body, "finding", 2000);
  for (const Status* s : {&outcome.status(), &finding.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto status = *outcome ? domain::parse_complaint_status(**outcome) : std::nullopt;
  if (!status || !domain::is_closed(*status)) {
    return call.respond(error_response(invalid("outcome", "must be substantiated or rejected")));
  }
  auto actor = domain::Actor::user(call.who.username);
  complaint_step(api, std::move(call), 200,
                 [&api, id = *id, status = *status, finding = finding->value_or(""), actor](store::WriteTx& tx) {
                   return api.ctx().tickets.close_complaint(tx, id, status, finding, actor);
                 });
}

}  // namespace

std::vector<Api::Route> complaint_routes() {
  return {
      {"POST", "/api/v1/complaints", roles::kIntake, file_complaint},
      {"GET", "/api/v1/complaints", {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kAdmin}, list_complaints},
      {"POST", "/api/v1/complaints/{id}/investigate", roles::kSupervisor, investigate_complaint},
      {"POST", "/api/v1/complaints/{id}/close", roles::kSupervisor, close_complaint},
  };
}

}  // namespace vnh::hotline
