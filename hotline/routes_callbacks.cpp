// Callbacks: the day's queue (drawn on its first request, reproducibly from the date) and
// recording a callback.
#include <fmt/format.h>

#include <algorithm>

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

constexpr const char* kSampleReasons[] = {"visit_exception", "recent_complaint", "new_worker", "first_visit", "random"};

// A page of the queue ends at (done, ticket id); the cursor is "done.ticket id".
Result<std::optional<store::SampleKey>> queue_cursor(const net::Request& req) {
  auto cur = req.query_param("cursor");
  if (!cur) return std::optional<store::SampleKey>();
  const bool shape = cur->size() > 2 && ((*cur)[0] == '0' || (*cur)[0] == '1') && (*cur)[1] == '.';
  auto id = parse_int(shape ? cur->substr(2) : std::string("x"));
  if (!shape || !id.ok() || *id <= 0) return invalid("cursor", "is not a cursor from a previous page");
  return std::optional<store::SampleKey>(store::SampleKey{(*cur)[0] == '1', *id});
}

// The queue's filters: ?reason= (a risk or random), ?firm_code=, ?status=pending|done, paging.
// A firm code nobody has matches nothing.
Result<std::optional<store::SampleFilter>> queue_filter(store::Database& db, const net::Request& req) {
  store::SampleFilter f;
  VNH_ASSIGN_OR_RETURN(f.limit, limit_param(req));
  VNH_ASSIGN_OR_RETURN(f.after, queue_cursor(req));
  if (auto r = req.query_param("reason")) {
    if (std::find(std::begin(kSampleReasons), std::end(kSampleReasons), *r) == std::end(kSampleReasons)) {
      return invalid("reason", "must be visit_exception, recent_complaint, new_worker, first_visit or random");
    }
    f.reason = *r;
  }
  if (auto st = req.query_param("status")) {
    if (*st != "pending" && *st != "done") return invalid("status", "must be pending or done");
    f.done = *st == "done";
  }
  if (auto fc = req.query_param("firm_code")) {
    VNH_ASSIGN_OR_RETURN(auto firm, store::find_firm(db, *fc));
    if (!firm) return std::optional<store::SampleFilter>();
    f.firm_id = firm->id;
  }
  return std::optional<store::SampleFilter>(f);
}

// What the day's draw found, what the cap let in and what it left out.
json::object summary_json(const store::SampleDay& d, const store::SampleCounts& n, int max_attempts) {
  return json::object{{"capacity", d.capacity},
                      {"max_attempts", max_attempts},
                      {"sampled", n.total},
                      {"pending", n.pending},
                      {"risky_total", d.risky_total},
                      {"risky_left_out", d.risky_left_out},
                      {"random_total", d.random_total},
                      {"random_left_out", d.random_left_out}};
}

Result<net::Response> queue_json(store::Database& db, const ApiContext& c, const std::string& date,
                                 const net::Request& req, Role role) {
  VNH_ASSIGN_OR_RETURN(auto day, store::get_sample_day(db, date));
  VNH_ASSIGN_OR_RETURN(auto counts, store::count_samples(db, date));
  VNH_ASSIGN_OR_RETURN(auto f, queue_filter(db, req));
  std::vector<store::SampleRow> rows;
  if (f) {
    VNH_ASSIGN_OR_RETURN(rows, store::list_samples(db, date, *f));
  }
  json::array items;
  for (const auto& s : rows) {
    VNH_ASSIGN_OR_RETURN(auto t, store::get_ticket(db, s.ticket_id));
    if (!t) continue;
    VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, *t, role, *c.policy.tz, false));
    items.push_back(json::object{{"ticket_no", t->ticket_no},
                                 {"reasons", s.reasons},
                                 {"done", s.done},
                                 {"attempts", s.attempts},
                                 {"ticket", std::move(v)}});
  }
  json::value next = nullptr;
  if (f && static_cast<int>(rows.size()) == f->limit && !rows.empty()) {
    next = json::string(fmt::format("{}.{}", rows.back().done ? 1 : 0, rows.back().ticket_id));
  }
  return json_response(200, json::object{{"date", date},
                                          {"pending", counts.pending},
                                          {"summary", summary_json(day.value_or(store::SampleDay{}), counts, c.policy.callback_max_attempts)},
                                          {"items", std::move(items)},
                                          {"next", std::move(next)}});
}

// The day's queue (?date=, default today): drawn and stored on its first request.
void callback_queue(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  auto asked = date_query(call.req, "date");
  if (!asked.ok()) return call.respond(error_response(asked.status()));
  const Date day = asked->value_or(c.policy.tz->local_date(c.clock.now_ms()));
  api.write<std::string>(
      std::move(call.respond),
      [&c, day](store::WriteTx& tx) -> Result<std::string> {
        VNH_RETURN_IF_ERROR(tickets::ensure_sample(tx.db(), day, c.policy, c.clock.now_ms()));
        return format_date(day);
      },
      [&c, req = std::move(call.req), role = call.who.role](store::Database& db, std::string& date) {
        return queue_json(db, c, date, req, role);
      });
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
  auto unwell = opt_bool(*body, "elder_unwell");
  if (!unwell.ok()) return call.respond(error_response(unwell.status()));
  cb->sample_date = format_date(c.policy.tz->local_date(c.clock.now_ms()));
  api.write<std::string>(
      std::move(call.respond),
      [&c, no = *no, cb = *cb, who = call.who, call_id = *call_id, unwell = unwell->value_or(false)](
          store::WriteTx& tx) -> Result<std::string> {
        VNH_ASSIGN_OR_RETURN(auto t, c.tickets.callback(tx, no, cb, domain::Actor::user(who.username), unwell));
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
