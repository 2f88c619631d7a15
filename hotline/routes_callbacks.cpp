// Callbacks: the day's queue (drawn on its first request, reproducibly from the date) and
// recording a callback.
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "store/quality.hpp"
#include "tickets/callbacks.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

Result<net::Response> queue_json(store::Database& db, const ApiContext& c, const std::string& date, Role role) {
  VNH_ASSIGN_OR_RETURN(auto rows, store::list_samples(db, date));
  json::array items;
  int pending = 0;
  for (const auto& s : rows) {
    VNH_ASSIGN_OR_RETURN(auto t, store::get_ticket(db, s.ticket_id));
    if (!t) continue;
    VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, *t, role, *c.policy.tz, false));
    if (!s.done) ++pending;
    items.push_back(
        json::object{{"ticket_no", t->ticket_no}, {"reasons", s.reasons}, {"done", s.done}, {"ticket", std::move(v)}});
  }
  return json_response(200, json::object{{"date", date}, {"pending", pending}, {"items", std::move(items)}});
}

void callback_queue(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  Date day = c.policy.tz->local_date(c.clock.now_ms());
  if (auto d = call.req.query_param("date")) {
    auto p = parse_date(*d);
    if (!p.ok()) return call.respond(error_response(invalid("date", p.status().message())));
    day = *p;
  }
  api.write<std::string>(
      std::move(call.respond),
      [&c, day](store::WriteTx& tx) -> Result<std::string> {
        VNH_RETURN_IF_ERROR(tickets::ensure_sample(tx.db(), day, c.policy));
        return format_date(day);
      },
      [&c, role = call.who.role](store::Database& db, std::string& date) { return queue_json(db, c, date, role); });
}

Result<store::CallbackRow> callback_of(const json::object& body) {
  VNH_ASSIGN_OR_RETURN(auto reached, opt_bool(body, "reached"));
  VNH_ASSIGN_OR_RETURN(auto rating, opt_int(body, "rating"));
  VNH_ASSIGN_OR_RETURN(auto received, opt_bool(body, "service_received"));
  VNH_ASSIGN_OR_RETURN(auto comment, opt_string(body, "comment", 1000));
  if (!reached) return invalid("reached", "is required");
  store::CallbackRow cb;
  cb.reached = *reached;
  if (rating) cb.rating = static_cast<int>(*rating);
  cb.service_received = received;
  cb.comment = comment.value_or("");
  return cb;
}

void record_callback(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto no = req_string(*body, "ticket_no", 40);
  if (!no.ok()) return call.respond(error_response(no.status()));
  auto cb = callback_of(*body);
  if (!cb.ok()) return call.respond(error_response(cb.status()));
  auto call_id = opt_string(*body, "call_id", 64);
  if (!call_id.ok()) return call.respond(error_response(call_id.status()));
  cb->sample_date = format_date(c.policy.tz->local_date(c.clock.now_ms()));
  api.write<std::string>(
      std::move(call.respond),
      [&c, no = *no, cb = *cb, who = call.who, call_id = *call_id](store::WriteTx& tx) -> Result<std::string> {
        VNH_ASSIGN_OR_RETURN(auto t, c.tickets.callback(tx, no, cb, domain::Actor::user(who.username)));
        // A callback link names the ticket called back.
        VNH_RETURN_IF_ERROR(c.calls.link(tx, who.username, "callback", t.id, call_id));
        return t.ticket_no;
      },
      [&c, role = call.who.role](store::Database& db, std::string& no) {
        return ticket_response(db, no, role, *c.policy.tz, 201);
      });
}

}  // namespace

std::vector<Api::Route> callback_routes() {
  return {
      {"GET", "/api/v1/callbacks/queue", roles::kIntake, callback_queue},
      {"POST", "/api/v1/callbacks", roles::kIntake, record_callback},
  };
}

}  // namespace vnh::hotline
