// Tickets: create (with Idempotency-Key), get, list, the duplicate check, cancel, re-offer,
// and the supervisors' decision on a disputed ticket.
#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "store/calls.hpp"
#include "store/elders.hpp"
#include "store/reference.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// A change to one ticket through the service, answered with the ticket as it now stands.
void change_ticket(Api& api, Api::Call&& call, std::function<Result<store::TicketRow>(store::WriteTx&)> change) {
  api.write<std::string>(
      std::move(call.respond),
      [change = std::move(change)](store::WriteTx& tx) -> Result<std::string> {
        VNH_ASSIGN_OR_RETURN(auto t, change(tx));
        return t.ticket_no;
      },
      [&api, role = call.who.role](store::Database& db, std::string& no) {
        return ticket_response(db, no, role, *api.ctx().policy.tz, 200);
      });
}

Result<tickets::CreateRequest> create_request_of(const json::object& body) {
  tickets::CreateRequest req;
  VNH_ASSIGN_OR_RETURN(req.id_number, opt_string(body, "id_number", 18));
  VNH_ASSIGN_OR_RETURN(req.elder_id, opt_string(body, "elder_id", 20));
  VNH_ASSIGN_OR_RETURN(req.item_code, req_string(body, "item_code", 32));
  VNH_ASSIGN_OR_RETURN(auto urgency, opt_string(body, "urgency", 16));
  VNH_ASSIGN_OR_RETURN(req.window_start, opt_time(body, "window_start"));
  VNH_ASSIGN_OR_RETURN(req.window_end, opt_time(body, "window_end"));
  VNH_ASSIGN_OR_RETURN(auto notes, opt_string(body, "notes", 1000));
  VNH_ASSIGN_OR_RETURN(auto channel, opt_string(body, "channel", 16));
  req.urgency = urgency.value_or("normal");
  req.notes = notes.value_or("");
  req.channel = channel.value_or("hotline");
  return req;
}

// The 201: the ticket, the call it was made during, its likely duplicates.
net::Response created_response(json::object o, const tickets::Created& created, const std::optional<std::string>& call) {
  o["call_id"] = call ? json::value(*call) : json::value(nullptr);
  // As a read of the ticket shows it: a new ticket has no callbacks or complaints yet.
  if (!o.contains("callbacks")) o["callbacks"] = json::array();
  if (!o.contains("complaints")) o["complaints"] = json::array();
  json::array dups;
  for (const auto& d : created.likely_duplicates) dups.push_back(json::value(d));
  o["likely_duplicates"] = std::move(dups);
  o["replayed"] = created.replayed;
  auto res = json_response(201, json::value(std::move(o)));  // moved, not copied into a value
  if (created.replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}

void create_ticket(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto req = create_request_of(*body);
  if (!req.ok()) return call.respond(error_response(req.status()));
  auto call_id = opt_string(*body, "call_id", 64);  // the call it is made during, if the console knows it
  if (!call_id.ok()) return call.respond(error_response(call_id.status()));
  auto key = call.req.header("idempotency-key");
  std::string hash = sha256_raw(canonical_json(*body));  // the request, not its spelling
  auto created = std::make_shared<tickets::Created>();
  auto linked = std::make_shared<std::optional<std::string>>();  // the call it was linked to
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, req = *req, key, hash, who = call.who, created, linked, call_id = *call_id](store::WriteTx& tx) -> Result<std::string> {
        VNH_ASSIGN_OR_RETURN(*created, c.tickets.create(tx, req, domain::Actor::user(who.username), who.user_id, key, hash));
        linked->reset();
        if (!created->replayed) {
          VNH_ASSIGN_OR_RETURN(auto to, c.calls.link(tx, who.username, "ticket", created->ticket.id, call_id));
          if (to) *linked = to->call_id;
        }
        return created->ticket.ticket_no;
      },
      [&c, role = call.who.role, created, linked](store::Database& db, std::string& no) -> Result<net::Response> {
        // A replay: the ticket as it stands now (the firm may have answered since).
        auto t = store::find_ticket(db, no);
        if (!t.ok()) return t.status();
        if (!*t) return internal("created ticket vanished");
        VNH_ASSIGN_OR_RETURN(auto o, ticket_json(db, **t, role, *c.policy.tz, true));
        VNH_ASSIGN_OR_RETURN(auto call, store::call_of(db, "ticket", (*t)->id));
        if (call) *linked = call->call_id;
        return created_response(std::move(o), *created, *linked);
      },
      [&c, role = call.who.role, created, linked](std::string&) -> std::optional<net::Response> {
        // A new ticket: as this request's transaction committed it, without reading it back.
        if (!created->names) return std::nullopt;
        return created_response(ticket_json(created->ticket, *created->names, role, *c.policy.tz), *created, *linked);
      });
}

void get_ticket(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) {
    return ticket_response(db, call.req.params["ticket_no"], call.who.role, *api.ctx().policy.tz, 200);
  });
}

// The created-on range of the query (from, to: business dates, both ends included).
Status date_range(const net::Request& req, const TimeZone& tz, store::TicketFilter& f) {
  for (const char* k : {"from", "to"}) {
    auto v = req.query_param(k);
    if (!v) continue;
    auto d = parse_date(*v);
    if (!d.ok()) return invalid(k, d.status().message());
    if (std::string(k) == "from") f.created_from = tz.day_start(*d);
    else f.created_to = tz.day_start(civil_from_days(days_from_civil(*d) + 1));
  }
  return Status::Ok();
}

// The list's filters from the query; none when the named firm, item or phone matches nothing
// (an empty list).
Result<std::optional<store::TicketFilter>> filter_of(store::Database& db, const ApiContext& c, const net::Request& req) {
  store::TicketFilter f;
  VNH_RETURN_IF_ERROR(date_range(req, *c.policy.tz, f));
  if (auto phone = req.query_param("phone")) {
    VNH_ASSIGN_OR_RETURN(auto normalized, normalize_phone(*phone, c.policy.default_area_code));
    VNH_ASSIGN_OR_RETURN(f.elder_ids, store::find_elders_by_phone(db, c.store.crypto(), normalized));
    if (f.elder_ids.empty()) return std::optional<store::TicketFilter>();
  }
  VNH_ASSIGN_OR_RETURN(f.limit, limit_param(req));
  if (auto s = req.query_param("state")) {
    f.state = domain::parse_ticket_state(*s);
    if (!f.state) return invalid("state", "is not a ticket state");
  }
  if (auto u = req.query_param("urgency")) {
    f.urgency = domain::parse_urgency(*u);
    if (!f.urgency) return invalid("urgency", "must be normal or emergency");
  }
  if (auto fc = req.query_param("firm_code")) {
    VNH_ASSIGN_OR_RETURN(auto firm, store::find_firm(db, *fc));
    if (!firm) return std::optional<store::TicketFilter>();
    f.firm_id = firm->id;
  }
  if (auto e = req.query_param("elder_id")) {
    f.elder_id = store::parse_elder_public_id(*e);
    if (!f.elder_id) return invalid("elder_id", "is not an elder id");
  }
  if (auto code = req.query_param("item_code")) {
    VNH_ASSIGN_OR_RETURN(auto item, store::find_item(db, *code));
    if (!item) return std::optional<store::TicketFilter>();
    f.item_id = item->id;
  }
  VNH_ASSIGN_OR_RETURN(f.before_id, cursor_param(req));
  return std::optional<store::TicketFilter>(f);
}

// The search: by number (q) directly, else by the filters, newest first with a cursor.
void list_tickets(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    if (auto q = call.req.query_param("q"); q && !q->empty()) {
      VNH_ASSIGN_OR_RETURN(auto t, store::find_ticket(db, *q));
      json::array a;
      if (t) {
        VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, *t, call.who.role, *api.ctx().policy.tz, false));
        a.push_back(std::move(v));
      }
      return json_response(200, json::object{{"tickets", std::move(a)}, {"next", nullptr}});
    }
    VNH_ASSIGN_OR_RETURN(auto f, filter_of(db, api.ctx(), call.req));
    if (!f) return json_response(200, json::object{{"tickets", json::array()}, {"next", nullptr}});
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_tickets(db, *f));
    json::array a;
    for (const auto& t : rows) {
      VNH_ASSIGN_OR_RETURN(auto v, ticket_json(db, t, call.who.role, *api.ctx().policy.tz, false));
      a.push_back(std::move(v));
    }
    json::value next = nullptr;
    if (static_cast<int>(rows.size()) == f->limit && !rows.empty()) next = std::to_string(rows.back().id);
    return json_response(200, json::object{{"tickets", std::move(a)}, {"next", next}});
  });
}

// The elder's open tickets of the item's category: what a new ticket would duplicate.
void check_duplicates(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    auto eid = call.req.query_param("elder_id");
    auto code = call.req.query_param("item_code");
    if (!eid) return invalid("elder_id", "is required");
    if (!code) return invalid("item_code", "is required");
    auto id = store::parse_elder_public_id(*eid);
    if (!id) return invalid("elder_id", "is not an elder id");
    VNH_ASSIGN_OR_RETURN(auto item, store::find_item(db, *code));
    if (!item) return not_found("no item " + *code, "item_code");
    VNH_ASSIGN_OR_RETURN(auto open, store::open_tickets_of_elder(db, *id));
    json::array dups;
    for (const auto& t : open) {
      if (t.category == item->category) dups.push_back(json::value(t.ticket_no));
    }
    return json_response(200, json::object{{"likely_duplicates", std::move(dups)}});
  });
}

void cancel_ticket(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto reason = req_string(*body, "reason", 500);
  if (!reason.ok()) return call.respond(error_response(reason.status()));
  auto actor = domain::Actor::user(call.who.username);
  change_ticket(api, std::move(call), [&api, no = call.req.params["ticket_no"], reason = *reason, actor](store::WriteTx& tx) {
    return api.ctx().tickets.cancel(tx, no, reason, actor);
  });
}

void reoffer_ticket(Api& api, Api::Call&& call) {
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto firm = opt_string(*body, "firm_code", 32);
  if (!firm.ok()) return call.respond(error_response(firm.status()));
  auto actor = domain::Actor::user(call.who.username);
  change_ticket(api, std::move(call), [&api, no = call.req.params["ticket_no"], firm = *firm, actor](store::WriteTx& tx) {
    return api.ctx().tickets.reoffer(tx, no, firm, actor);
  });
}

void decide_dispute(Api& api, Api::Call&& call, bool clear) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto note = req_string(*body, "note", 1000);
  if (!note.ok()) return call.respond(error_response(note.status()));
  auto actor = domain::Actor::user(call.who.username);
  change_ticket(api, std::move(call), [&api, clear, no = call.req.params["ticket_no"], note = *note, actor](store::WriteTx& tx) {
    return api.ctx().tickets.resolve_dispute(tx, no, clear, note, actor);
  });
}
void clear_dispute(Api& api, Api::Call&& call) { decide_dispute(api, std::move(call), true); }
void uphold_dispute(Api& api, Api::Call&& call) { decide_dispute(api, std::move(call), false); }

}  // namespace

std::vector<Api::Route> ticket_routes() {
  return {
      {"POST", "/api/v1/tickets", roles::kIntake, create_ticket},
      {"GET", "/api/v1/tickets/{ticket_no}", roles::kEveryone, get_ticket},
      {"GET", "/api/v1/tickets", roles::kEveryone, list_tickets},
      {"GET", "/api/v1/tickets-check", roles::kIntake, check_duplicates},
      {"POST", "/api/v1/tickets/{ticket_no}/cancel", roles::kIntake, cancel_ticket},
      {"POST", "/api/v1/tickets/{ticket_no}/reoffer", roles::kSupervisor, reoffer_ticket},
      {"POST", "/api/v1/tickets/{ticket_no}/dispute/clear", roles::kSupervisor, clear_dispute},
      {"POST", "/api/v1/tickets/{ticket_no}/dispute/uphold", roles::kSupervisor, uphold_dispute},
  };
}

}  // namespace vnh::hotline
