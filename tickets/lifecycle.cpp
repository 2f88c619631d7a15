#include "tickets/lifecycle.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "store/audit.hpp"

namespace vnh::tickets {
using namespace vnh::domain;

namespace {
Status audit(store::Database& db, const store::TicketRow& t, TimeMs at, const Actor& actor, const std::string& action,
             const std::string& detail) {
  if (!actor.audit) return Status::Ok();
  return store::append_audit(db, at, {actor.name, action, "ticket:" + t.ticket_no, detail});
}
}  // namespace

Status transition(store::Database& db, store::TicketRow& t, TicketAction action, TimeMs at, const Actor& actor,
                  const std::string& event_type, const std::string& detail,
                  const std::optional<std::string>& firm_code) {
  auto to = next_state(t.state, action);
  if (!to.ok()) return to.status();
  TicketState from = t.state;
  t.state = *to;
  t.updated_at = at;
  VNH_RETURN_IF_ERROR(store::save_ticket(db, t));
  return record_transition(db, t, from, at, actor, event_type, detail, firm_code);
}

Status record_transition(store::Database& db, const store::TicketRow& t, TicketState from, TimeMs at,
                         const Actor& actor, const std::string& event_type, const std::string& detail,
                         const std::optional<std::string>& firm_code) {
  store::TicketEventRow ev;
  ev.ticket_id = t.id;
  ev.at = at;
  ev.type = event_type;
  ev.actor = actor.name;
  ev.from_state = std::string(to_string(from));
  ev.to_state = std::string(to_string(t.state));
  ev.firm_code = firm_code;
  ev.detail = detail;
  VNH_RETURN_IF_ERROR(store::append_event(db, ev));
  return audit(db, t, at, actor, "ticket." + event_type,
               fmt::format("{{\"from\":\"{}\",\"to\":\"{}\"}}", to_string(from), to_string(t.state)));
}

Status note_event(store::Database& db, const store::TicketRow& t, TimeMs at, const Actor& actor,
                  const std::string& type, const std::string& detail, const std::optional<std::string>& firm_code) {
  store::TicketEventRow ev;
  ev.ticket_id = t.id;
  ev.at = at;
  ev.type = type;
  ev.actor = actor.name;
  ev.firm_code = firm_code;
  ev.detail = detail;
  return store::append_event(db, ev);
}

Result<int> record_visit_findings(store::Database& db, store::TicketRow& t, const std::vector<VisitFinding>& findings,
                                  TimeMs at, const Actor& actor) {
  int added = 0;
  for (const auto& f : findings) {
    boost::json::object facts;
    for (const auto& [k, v] : f.facts) facts[k] = v;
    auto fresh = store::insert_visit_exception(db, t.id, f.type, f.detail, boost::json::serialize(facts), at);
    if (!fresh.ok()) return fresh.status();
    if (!*fresh) continue;
    ++added;
    ++t.held_exceptions;
    VNH_RETURN_IF_ERROR(note_event(db, t, at, actor, "visit_exception",
                                   json_detail({{"exception", std::string(to_string(f.type))}, {"detail", f.detail},
                                                {"facts", boost::json::serialize(facts)}})));
    VNH_RETURN_IF_ERROR(audit(db, t, at, actor, "visit_exception.raise",
                              json_detail({{"type", std::string(to_string(f.type))}})));
  }
  return added;
}

Result<bool> record_callback(store::Database& db, store::TicketRow& t, store::CallbackRow cb, const Actor& actor) {
  if (t.state != TicketState::kCompleted && t.state != TicketState::kDisputed) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("ticket {} is {}; callbacks are about completed tickets", t.ticket_no, to_string(t.state)),
                  "ticket_no", reason::kNotCompleted);
  }
  if (cb.reached && (!cb.rating || !cb.service_received)) {
    return invalid(!cb.rating ? "rating" : "service_received", "is required when the elder was reached");
  }
  if (!cb.reached && (cb.rating || cb.service_received)) {
    return invalid(cb.rating ? "rating" : "service_received", "must be empty when the elder was not reached");
  }
  if (cb.rating && (*cb.rating < 1 || *cb.rating > 5)) return invalid("rating", "must be 1 to 5");
  cb.ticket_id = t.id;
  auto id = store::insert_callback(db, cb);
  if (!id.ok()) return id.status();
  VNH_RETURN_IF_ERROR(note_event(
      db, t, cb.called_at, actor, "callback",
      json_detail({{"reached", cb.reached ? "1" : "0"},
                   {"rating", cb.rating ? std::to_string(*cb.rating) : ""},
                   {"service_received", cb.service_received ? (*cb.service_received ? "1" : "0") : ""}})));
  bool not_received = cb.reached && cb.service_received && !*cb.service_received;
  if (!not_received || t.state == TicketState::kDisputed) return false;
  t.dispute = DisputeStatus::kOpen;
  VNH_RETURN_IF_ERROR(transition(db, t, TicketAction::kDispute, cb.called_at, actor, "disputed",
                                 json_detail({{"reason", "callback: service not received"}})));
  return true;
}

}  // namespace vnh::tickets
