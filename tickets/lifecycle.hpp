#pragma once
// Ticket lifecycle primitives shared by every path that changes a ticket — the operator API,
// the partner gateway, the dispatcher's timers and history import — so a rule is written
// once: check the transition with domain::next_state, update the row, append the event,
// write the audit entry. All functions run inside the caller's transaction and change
// nothing when they fail.
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "domain/actor.hpp"
#include "domain/ticket_state.hpp"
#include "domain/visit.hpp"
#include "store/audit.hpp"
#include "store/quality.hpp"
#include "store/sqlite.hpp"
#include "store/tickets.hpp"

namespace vnh::tickets {

using domain::Actor;

// Moves `t` by `action` (refusing illegal transitions), lets `mutate` set the other fields,
// saves the row and appends one event of `event_type` with `detail` (a JSON object).
Status transition(store::Database& db, store::TicketRow& t, domain::TicketAction action, TimeMs at,
                  const Actor& actor, const std::string& event_type, const std::string& detail,
                  const std::optional<std::string>& firm_code = std::nullopt);

// The records of a state change `from` → t.state whose row is written by the caller (a new
// ticket inserted in its dispatched state): the event and the audit entry transition() writes.
Status record_transition(store::Database& db, const store::TicketRow& t, domain::TicketState from, TimeMs at,
                         const Actor& actor, const std::string& event_type, const std::string& detail,
                         const std::optional<std::string>& firm_code = std::nullopt);

// Appends an event that is not a state change (notes, staff location, offer sent, …).
Status note_event(store::Database& db, const store::TicketRow& t, TimeMs at, const Actor& actor,
                  const std::string& type, const std::string& detail,
                  const std::optional<std::string>& firm_code = std::nullopt);

// Stores visit-verification findings as exceptions (one per type) and logs each new one.
// Returns how many were new.
Result<int> record_visit_findings(store::Database& db, store::TicketRow& t,
                                  const std::vector<domain::VisitFinding>& findings, TimeMs at, const Actor& actor);

// Stores a callback and applies its consequence: reached with "service not received"
// disputes a completed ticket. Refuses callbacks on tickets that are not completed/disputed.
// Returns true when the ticket became disputed.
Result<bool> record_callback(store::Database& db, store::TicketRow& t, store::CallbackRow cb, const Actor& actor);

// JSON object text from key/value pairs (values are strings), for event details.
using store::json_detail;

}  // namespace vnh::tickets
