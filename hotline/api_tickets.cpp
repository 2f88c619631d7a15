// Tickets (create with Idempotency-Key, get, list, cancel, re-offer, disputes), the CTI
// screen pop, callbacks and complaints.
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "hotline/api_internal.hpp"
#include "hotline/callbacks.hpp"
#include "hotline/views.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/quality.hpp"
#include "store/query.hpp"
#include "store/reference.hpp"
#include "tickets/lifecycle.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

const std::vector<Role> kAllRoles = {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kFinance, Role::kAdmin};
const std::vector<Role> kIntake = {Role::kOperator, Role::kSupervisor};

Result<net::Response> ticket_response(store::Database& db, const std::string& ticket_no, Role role,
                                      const domain::Policy& policy, int status, bool detail = true) {
  auto t = store::find_ticket(db, ticket_no);
  if (!t.ok()) return t.status();
  if (!*t) return not_found("no ticket " + ticket_no, "ticket_no");
  auto v = ticket_json(db, **t, role, *policy.tz, detail);
  if (!v.ok()) return v.status();
  return json_response(status, *v);
}

json::object complaint_json(const store::ComplaintRow& c, const std::string& ticket_no, const TimeZone& tz) {
  json::object o{{"complaint_id", c.id},          {"ticket_no", ticket_no},       {"filed_at", format_time(c.filed_at, tz)},
                 {"status", c.status},            {"description", c.description}, {"filed_by", c.filed_by},
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

}  // namespace

namespace {
net::Response created_response(json::object o, const tickets::Created& created) {
  json::array dups;
  for (const auto& d : created.likely_duplicates) dups.push_back(json::value(d));
  o["likely_duplicates"] = std::move(dups);
  o["replayed"] = created.replayed;
  auto res = json_response(201, json::value(std::move(o)));  // moved, not copied into a value
  if (created.replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}
}  // namespace

void Api::install_tickets(net::Router& r) {
  route(r, "POST", "/api/v1/tickets", kIntake, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    tickets::CreateRequest req;
    auto fail = [&](const Status& s) { call.respond(error_response(s)); };
    auto idn = opt_string(*body, "id_number", 18);
    auto eid = opt_string(*body, "elder_id", 20);
    auto item = req_string(*body, "item_code", 32);
    auto urg = opt_string(*body, "urgency", 16);
    auto ws = opt_time(*body, "window_start");
    auto we = opt_time(*body, "window_end");
    auto notes = opt_string(*body, "notes", 1000);
    auto channel = opt_string(*body, "channel", 16);
    for (const Status* s : {&idn.status(), &eid.status(), &item.status(), &urg.status(), &ws.status(), &we.status(),
                            &notes.status(), &channel.status()}) {
      if (!s->ok()) return fail(*s);
    }
    req.id_number = *idn;
    req.elder_id = *eid;
    req.item_code = *item;
    req.urgency = urg->value_or("normal");
    req.window_start = *ws;
    req.window_end = *we;
    req.notes = notes->value_or("");
    req.channel = channel->value_or("hotline");
    auto key = call.req.header("idempotency-key");
    std::string hash = sha256_raw(call.req.body);
    auto created = std::make_shared<tickets::Created>();
    write<std::string>(
        std::move(call.respond),
        [this, req, key, hash, who = call.who, created](store::WriteTx& tx) -> Result<std::string> {
          auto r = c_.tickets.create(tx, req, {who.username, true}, who.user_id, key, hash);
          if (!r.ok()) return r.status();
          *created = std::move(*r);
          return created->ticket.ticket_no;
        },
        [this, role = call.who.role, created](store::Database& db, std::string& no) -> Result<net::Response> {
          // A replay: the ticket as it stands now (the firm may have answered since).
          auto t = store::find_ticket(db, no);
          if (!t.ok()) return t.status();
          if (!*t) return internal("created ticket vanished");
          auto o = ticket_json(db, **t, role, *c_.policy.tz, false);
          if (!o.ok()) return o.status();
          return created_response(std::move(*o), *created);
        },
        [this, role = call.who.role, created](std::string&) -> std::optional<net::Response> {
          // A new ticket: as this request's transaction committed it (offered or unassigned),
          // without reading it back.
          if (!created->names) return std::nullopt;
          return created_response(ticket_json(created->ticket, *created->names, role, *c_.policy.tz), *created);
        });
  });

  route(r, "GET", "/api/v1/tickets/{ticket_no}", kAllRoles, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) {
      return ticket_response(db, call.req.params["ticket_no"], call.who.role, c_.policy, 200);
    });
  });

  route(r, "GET", "/api/v1/tickets", kAllRoles, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      store::TicketFilter f;
      VNH_ASSIGN_OR_RETURN(f.limit, limit_param(call.req));
      if (auto s = call.req.query_param("state")) {
        f.state = domain::parse_ticket_state(*s);
        if (!f.state) return invalid("state", "is not a ticket state");
      }
      if (auto u = call.req.query_param("urgency")) {
        f.urgency = domain::parse_urgency(*u);
        if (!f.urgency) return invalid("urgency", "must be normal or emergency");
      }
      if (auto fc = call.req.query_param("firm_code")) {
        auto firm = store::find_firm(db, *fc);
        if (!firm.ok()) return firm.status();
        if (!*firm) return json_response(200, json::object{{"tickets", json::array()}, {"next", nullptr}});
        f.firm_id = (*firm)->id;
      }
      if (auto e = call.req.query_param("elder_id")) {
        auto id = store::parse_elder_public_id(*e);
        if (!id) return invalid("elder_id", "is not an elder id");
        f.elder_id = *id;
      }
      if (auto cur = call.req.query_param("cursor")) {
        auto n = parse_int(*cur);
        if (!n.ok() || *n <= 0) return invalid("cursor", "is not a cursor from a previous page");
        f.before_id = *n;
      }
      auto rows = store::list_tickets(db, f);
      if (!rows.ok()) return rows.status();
      json::array a;
      for (const auto& t : *rows) {
        auto v = ticket_json(db, t, call.who.role, *c_.policy.tz, false);
        if (!v.ok()) return v.status();
        a.push_back(std::move(*v));
      }
      json::value next = nullptr;
      if (static_cast<int>(rows->size()) == f.limit && !rows->empty()) next = std::to_string(rows->back().id);
      return json_response(200, json::object{{"tickets", std::move(a)}, {"next", next}});
    });
  });

  route(r, "GET", "/api/v1/tickets-check", kIntake, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto eid = call.req.query_param("elder_id");
      auto code = call.req.query_param("item_code");
      if (!eid) return invalid("elder_id", "is required");
      if (!code) return invalid("item_code", "is required");
      auto id = store::parse_elder_public_id(*eid);
      if (!id) return invalid("elder_id", "is not an elder id");
      auto item = store::find_item(db, *code);
      if (!item.ok()) return item.status();
      if (!*item) return not_found("no item " + *code, "item_code");
      auto open = store::open_tickets_of_elder(db, *id);
      if (!open.ok()) return open.status();
      json::array dups;
      for (const auto& t : *open) {
        if (t.category == (*item)->category) dups.push_back(json::value(t.ticket_no));
      }
      return json_response(200, json::object{{"likely_duplicates", std::move(dups)}});
    });
  });

  route(r, "POST", "/api/v1/tickets/{ticket_no}/cancel", kIntake, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto reason = req_string(*body, "reason", 500);
    if (!reason.ok()) return call.respond(error_response(reason.status()));
    write<std::string>(
        std::move(call.respond),
        [this, no = call.req.params["ticket_no"], reason = *reason, who = call.who](store::WriteTx& tx) -> Result<std::string> {
          auto t = c_.tickets.cancel(tx, no, reason, {who.username, true});
          if (!t.ok()) return t.status();
          return t->ticket_no;
        },
        [this, role = call.who.role](store::Database& db, std::string& no) {
          return ticket_response(db, no, role, c_.policy, 200);
        });
  });

  route(r, "POST", "/api/v1/tickets/{ticket_no}/reoffer", {Role::kSupervisor}, [this](Call&& call) {
    json::object body;
    if (!call.req.body.empty()) {
      auto b = parse_object(call.req.body);
      if (!b.ok()) return call.respond(error_response(b.status()));
      body = std::move(*b);
    }
    auto firm = opt_string(body, "firm_code", 32);
    if (!firm.ok()) return call.respond(error_response(firm.status()));
    write<std::string>(
        std::move(call.respond),
        [this, no = call.req.params["ticket_no"], firm = *firm, who = call.who](store::WriteTx& tx) -> Result<std::string> {
          auto t = c_.tickets.reoffer(tx, no, firm, {who.username, true});
          if (!t.ok()) return t.status();
          return t->ticket_no;
        },
        [this, role = call.who.role](store::Database& db, std::string& no) {
          return ticket_response(db, no, role, c_.policy, 200);
        });
  });

  for (bool clear : {true, false}) {
    route(r, "POST", clear ? "/api/v1/tickets/{ticket_no}/dispute/clear" : "/api/v1/tickets/{ticket_no}/dispute/uphold",
          {Role::kSupervisor}, [this, clear](Call&& call) {
            auto body = parse_object(call.req.body);
            if (!body.ok()) return call.respond(error_response(body.status()));
            auto note = req_string(*body, "note", 1000);
            if (!note.ok()) return call.respond(error_response(note.status()));
            write<std::string>(
                std::move(call.respond),
                [this, clear, no = call.req.params["ticket_no"], note = *note, who = call.who](store::WriteTx& tx) -> Result<std::string> {
                  auto t = c_.tickets.resolve_dispute(tx, no, clear, note, {who.username, true});
                  if (!t.ok()) return t.status();
                  return t->ticket_no;
                },
                [this, role = call.who.role](store::Database& db, std::string& no) {
                  return ticket_response(db, no, role, c_.policy, 200);
                });
          });
  }

  // CTI: the PBX (shared secret) or a signed-in operator reports a call; every elder at that
  // number pops on the operators' consoles with open tickets and recent services.
  r.add("POST", "/api/v1/calls/incoming", [this](net::Request&& req, net::Respond respond) {
    bool pbx = !c_.pbx_secret.empty() && req.header("x-pbx-secret") == c_.pbx_secret;
    std::string who = "pbx";
    if (!pbx) {
      auto token = req.bearer();
      if (!token) {
        return respond(error_response(Status(Code::kUnauthenticated, "send X-PBX-Secret (PBX) or a bearer token", "",
                                             "unauthenticated")));
      }
      auto db = c_.store.read();
      if (!db.ok()) return respond(error_response(db.status()));
      auto p = authenticate(**db, *token, c_.clock.now_ms());
      if (!p.ok()) return respond(error_response(p.status()));
      if (p->role != Role::kOperator && p->role != Role::kSupervisor && p->role != Role::kAdmin) {
        return respond(error_response(Status(Code::kPermissionDenied, "only operators take calls", "", "forbidden")));
      }
      who = p->username;
    }
    read(respond, [&](store::Database& db) -> Result<net::Response> {
      auto body = parse_object(req.body);
      if (!body.ok()) return body.status();
      VNH_ASSIGN_OR_RETURN(auto caller, req_string(*body, "caller", 40));
      VNH_ASSIGN_OR_RETURN(auto line, opt_string(*body, "line", 40));
      TimeMs now = c_.clock.now_ms();
      std::string call_id = fmt::format("C{}-{}", now, random_token().substr(0, 6));
      auto normalized = normalize_phone(caller, c_.policy.default_area_code);
      json::array elders, ids;
      if (normalized.ok()) {
        auto found = store::find_elders_by_phone(db, c_.store.crypto(), *normalized);
        if (!found.ok()) return found.status();
        for (auto id : *found) {
          auto e = store::get_elder(db, id);
          if (!e.ok()) return e.status();
          if (!*e) continue;
          auto card = elder_json(**e, Role::kOperator, *c_.policy.tz, now);
          json::array open, recent;
          auto ot = store::open_tickets_of_elder(db, id);
          if (!ot.ok()) return ot.status();
          for (const auto& t : *ot) {
            auto v = ticket_json(db, t, Role::kOperator, *c_.policy.tz, false);
            if (v.ok()) open.push_back(std::move(*v));
          }
          auto rc = store::recent_completed_of_elder(db, id, 5);
          if (!rc.ok()) return rc.status();
          for (const auto& t : *rc) {
            auto v = ticket_json(db, t, Role::kOperator, *c_.policy.tz, false);
            if (v.ok()) recent.push_back(std::move(*v));
          }
          card["open_tickets"] = std::move(open);
          card["recent_services"] = std::move(recent);
          elders.push_back(std::move(card));
          ids.push_back(json::value(store::elder_public_id(id)));
        }
      }
      json::object pop{{"type", "screen_pop"},
                       {"call_id", call_id},
                       {"caller", normalized.ok() ? mask_phone(*normalized) : std::string("unknown")},
                       {"line", line.value_or("")},
                       {"at", format_time(now, *c_.policy.tz)},
                       {"elders", elders}};
      c_.live.broadcast(pop, Audience::kOperators);
      log::info("msg=\"incoming call\" call_id={} line={} matched={} by={}", call_id, log::q(line.value_or("")),
                ids.size(), who);
      return json_response(200, json::object{{"call_id", call_id},
                                             {"caller_valid", normalized.ok()},
                                             {"matched", ids.size()},
                                             {"elder_ids", ids},
                                             {"consoles", c_.live.connected()}});
    });
  });

  // The day's callback queue, drawn on first request of the day (reproducible from the date).
  route(r, "GET", "/api/v1/callbacks/queue", kIntake, [this](Call&& call) {
    TimeMs now = c_.clock.now_ms();
    Date today = c_.policy.tz->local_date(now);
    if (auto d = call.req.query_param("date")) {
      auto p = parse_date(*d);
      if (!p.ok()) return call.respond(error_response(invalid("date", p.status().message())));
      today = *p;
    }
    std::string date = format_date(today);
    write<std::string>(
        std::move(call.respond),
        [this, today, date](store::WriteTx& tx) -> Result<std::string> {
          auto& db = tx.db();
          auto exists = store::sample_exists(db, date);
          if (!exists.ok()) return exists.status();
          if (*exists) return date;
          Date yesterday = civil_from_days(days_from_civil(today) - 1);
          auto cands = sample_candidates(db, yesterday, c_.policy);
          if (!cands.ok()) return cands.status();
          auto picked = draw_sample(*cands, date, c_.policy.callback_sample_permille, c_.policy.callback_min_per_firm);
          for (const auto& p : picked) {
            VNH_RETURN_IF_ERROR(store::insert_sample(db, {date, p.ticket_id, p.firm_id, p.reasons, false}));
          }
          return date;
        },
        [this, role = call.who.role](store::Database& db, std::string& date) -> Result<net::Response> {
          auto rows = store::list_samples(db, date);
          if (!rows.ok()) return rows.status();
          json::array items;
          int pending = 0;
          for (const auto& s : *rows) {
            auto t = store::get_ticket(db, s.ticket_id);
            if (!t.ok()) return t.status();
            if (!*t) continue;
            auto v = ticket_json(db, **t, role, *c_.policy.tz, false);
            if (!v.ok()) return v.status();
            if (!s.done) ++pending;
            items.push_back(json::object{{"ticket_no", (*t)->ticket_no},
                                         {"reasons", s.reasons},
                                         {"done", s.done},
                                         {"ticket", std::move(*v)}});
          }
          return json_response(200, json::object{{"date", date}, {"pending", pending}, {"items", std::move(items)}});
        });
  });

  route(r, "POST", "/api/v1/callbacks", kIntake, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto no = req_string(*body, "ticket_no", 40);
    auto reached = opt_bool(*body, "reached");
    auto rating = opt_int(*body, "rating");
    auto received = opt_bool(*body, "service_received");
    auto comment = opt_string(*body, "comment", 1000);
    for (const Status* s : {&no.status(), &reached.status(), &rating.status(), &received.status(), &comment.status()}) {
      if (!s->ok()) return call.respond(error_response(*s));
    }
    if (!*reached) return call.respond(error_response(invalid("reached", "is required")));
    store::CallbackRow cb;
    cb.reached = **reached;
    if (*rating) cb.rating = static_cast<int>(**rating);
    cb.service_received = *received;
    cb.comment = comment->value_or("");
    Date today = c_.policy.tz->local_date(c_.clock.now_ms());
    cb.sample_date = format_date(today);
    write<std::string>(
        std::move(call.respond),
        [this, no = *no, cb, who = call.who](store::WriteTx& tx) -> Result<std::string> {
          auto t = c_.tickets.callback(tx, no, cb, {who.username, true});
          if (!t.ok()) return t.status();
          VNH_RETURN_IF_ERROR(store::mark_sample_done(tx.db(), *cb.sample_date, t->id));
          return t->ticket_no;
        },
        [this, role = call.who.role](store::Database& db, std::string& no) {
          return ticket_response(db, no, role, c_.policy, 201);
        });
  });

  route(r, "POST", "/api/v1/complaints", kIntake, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto no = req_string(*body, "ticket_no", 40);
    auto desc = req_string(*body, "description", 2000);
    for (const Status* s : {&no.status(), &desc.status()}) {
      if (!s->ok()) return call.respond(error_response(*s));
    }
    write<std::int64_t>(
        std::move(call.respond),
        [this, no = *no, desc = *desc, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
          auto t = store::find_ticket(tx.db(), no);
          if (!t.ok()) return t.status();
          if (!*t) return not_found("no ticket " + no, "ticket_no");
          if (!(*t)->firm_id) return precondition("the ticket never reached a firm; nothing to complain about", "no_firm");
          TimeMs now = c_.clock.now_ms();
          store::ComplaintRow c;
          c.ticket_id = (*t)->id;
          c.filed_at = now;
          c.status = "open";
          c.description = desc;
          c.filed_by = who.username;
          auto id = store::insert_complaint(tx.db(), c);
          if (!id.ok()) return id.status();
          tickets::Actor actor{who.username, true};
          VNH_RETURN_IF_ERROR(tickets::note_event(tx.db(), **t, now, actor, "complaint",
                                                  tickets::json_detail({{"complaint_id", std::to_string(*id)}, {"status", "open"}})));
          VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), now, {who.username, "complaint.open", "ticket:" + no,
                                                                 tickets::json_detail({{"complaint_id", std::to_string(*id)}})}));
          return id;
        },
        [this](store::Database& db, std::int64_t& id) -> Result<net::Response> {
          auto c = store::get_complaint(db, id);
          if (!c.ok()) return c.status();
          VNH_ASSIGN_OR_RETURN(auto no, ticket_no_of(db, (*c)->ticket_id));
          return json_response(201, complaint_json(**c, no, *c_.policy.tz));
        });
  });

  route(r, "GET", "/api/v1/complaints", {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kAdmin},
        [this](Call&& call) {
          read(call.respond, [&](store::Database& db) -> Result<net::Response> {
            VNH_ASSIGN_OR_RETURN(int limit, limit_param(call.req));
            auto status = call.req.query_param("status");
            if (status && !domain::parse_complaint_status(*status)) return invalid("status", "is not a complaint status");
            auto rows = store::list_complaints(db, status, limit);
            if (!rows.ok()) return rows.status();
            json::array a;
            for (const auto& c : *rows) {
              VNH_ASSIGN_OR_RETURN(auto no, ticket_no_of(db, c.ticket_id));
              a.push_back(complaint_json(c, no, *c_.policy.tz));
            }
            return json_response(200, json::object{{"complaints", std::move(a)}});
          });
        });

  // investigate: open → investigating; close: → substantiated | rejected with a finding.
  for (bool close : {false, true}) {
    route(r, "POST", close ? "/api/v1/complaints/{id}/close" : "/api/v1/complaints/{id}/investigate",
          {Role::kSupervisor}, [this, close](Call&& call) {
            auto id = parse_int(call.req.params["id"]);
            if (!id.ok()) return call.respond(error_response(invalid("id", "is not a complaint id")));
            auto body = parse_object(call.req.body.empty() ? "{}" : call.req.body);
            if (!body.ok()) return call.respond(error_response(body.status()));
            auto outcome = opt_string(*body, "outcome", 16);
            auto finding = opt_string(*body, "finding", 2000);
            for (const Status* s : {&outcome.status(), &finding.status()}) {
              if (!s->ok()) return call.respond(error_response(*s));
            }
            if (close && (!*outcome || (**outcome != "substantiated" && **outcome != "rejected"))) {
              return call.respond(error_response(invalid("outcome", "must be substantiated or rejected")));
            }
            if (close && (!*finding || trim(**finding).empty())) {
              return call.respond(error_response(invalid("finding", "is required to close a complaint")));
            }
            write<std::int64_t>(
                std::move(call.respond),
                [this, close, id = *id, outcome = *outcome, finding = *finding, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
                  auto c = store::get_complaint(tx.db(), id);
                  if (!c.ok()) return c.status();
                  if (!*c) return not_found(fmt::format("no complaint {}", id), "id");
                  auto& row = **c;
                  TimeMs now = c_.clock.now_ms();
                  if (row.status == "substantiated" || row.status == "rejected") {
                    return Status(Code::kFailedPrecondition, "the complaint is already closed as " + row.status, "id", "closed");
                  }
                  if (close) {
                    row.status = *outcome;
                    row.closed_at = now;
                    row.closed_by = who.username;
                    row.finding = *finding;
                    if (!row.investigator) row.investigator = who.username;
                  } else {
                    if (row.status == "investigating") {
                      return Status(Code::kFailedPrecondition, "already under investigation", "id", "illegal_transition");
                    }
                    row.status = "investigating";
                    row.investigator = who.username;
                    if (finding) row.finding = *finding;
                  }
                  VNH_RETURN_IF_ERROR(store::save_complaint(tx.db(), row));
                  auto t = store::get_ticket(tx.db(), row.ticket_id);
                  if (!t.ok()) return t.status();
                  VNH_RETURN_IF_ERROR(tickets::note_event(tx.db(), **t, now, {who.username, true}, "complaint",
                                                          tickets::json_detail({{"complaint_id", std::to_string(id)}, {"status", row.status}})));
                  VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), now,
                                                          {who.username, close ? "complaint.close" : "complaint.investigate",
                                                           "ticket:" + (*t)->ticket_no,
                                                           tickets::json_detail({{"complaint_id", std::to_string(id)}, {"status", row.status}})}));
                  return id;
                },
                [this](store::Database& db, std::int64_t& id) -> Result<net::Response> {
                  auto c = store::get_complaint(db, id);
                  if (!c.ok()) return c.status();
                  VNH_ASSIGN_OR_RETURN(auto no, ticket_no_of(db, (*c)->ticket_id));
                  return json_response(200, complaint_json(**c, no, *c_.policy.tz));
                });
          });
  }
}

}  // namespace vnh::hotline
