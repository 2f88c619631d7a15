#pragma once
// Care visits (关爱探访, SPEC §14): the care targets — elders who live alone, are disabled, poor,
// … — each with a tier that sets how often a care worker visits (policy care.interval_days)
// and a care worker; the visits recorded with their findings (a finding may open a ticket on
// the spot); the events that pull the next visit forward to within care.event_due_hours (an
// emergency ticket, a meal delivery nobody answered, a substantiated complaint, a callback that
// found the elder unwell); the due list and the month's report by community. Changes run in the
// caller's write transaction and are audited; reads take a database.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "domain/actor.hpp"
#include "domain/policy.hpp"
#include "store/care.hpp"
#include "store/writer.hpp"
#include "tickets/service.hpp"

namespace vnh::care {

struct TargetInput {
  std::int64_t elder_id = 0;
  domain::CareFlags flags = 0;
  domain::CareTier tier = domain::CareTier::kGeneral;
  std::optional<std::string> care_worker;  // a `care` user's name; nullopt or empty: none
};
// Makes the elder a care target, or changes the target (a new tier moves the due date to the
// last visit — or the day they became a target — plus the new interval; an event's earlier due
// date stands). Refused for a deceased elder, an unknown care worker or one without the care
// role.
Result<store::CareTargetRow> set_target(store::WriteTx& tx, const domain::Policy& policy, const TargetInput& in,
                                        const domain::Actor& actor, TimeMs now);
Status remove_target(store::WriteTx& tx, std::int64_t elder_id, const domain::Actor& actor, TimeMs now);

struct VisitInput {
  std::int64_t elder_id = 0;
  TimeMs visited_at = 0;
  domain::VisitMethod method = domain::VisitMethod::kInPerson;
  domain::Finding living = domain::Finding::kGood, safety = domain::Finding::kGood, health = domain::Finding::kGood;
  std::string needs;
  std::string note;
  // A ticket opened from a finding: the item and what the worker saw.
  std::optional<std::string> ticket_item;
  std::string ticket_notes;
  std::string ticket_urgency = "normal";
};
struct VisitRecorded {
  store::CareVisitRow visit;
  std::optional<store::TicketRow> ticket;
  store::CareTargetRow target;
};
// Records a visit: the next one is due an interval after it and an event's pull is cleared.
// Refused: an elder who is not a target (not_care_target), deceased (elder_deceased), a time in
// the future or more than 7 days ago, a care user recording for an elder who is not theirs.
Result<VisitRecorded> record_visit(store::WriteTx& tx, const domain::Policy& policy, tickets::Service& tickets,
                                   const VisitInput& in, const domain::Actor& actor,
                                   std::optional<std::int64_t> only_worker, TimeMs now);

// An event pulls the elder's next visit forward (no-op for an elder who is not a target). The
// kinds: emergency_ticket, meal_no_answer, complaint_substantiated, callback_unwell.
Status pull_forward(store::Database& db, const domain::Policy& policy, std::int64_t elder_id, const std::string& kind,
                    const std::string& ref, TimeMs now);

// The due list: who is due within `within_ms` of now (overdue only when `overdue`), soonest
// first, with how late each is.
struct DueEntry {
  store::CareDueRow row;
  bool overdue = false;
  std::int64_t overdue_days = 0;  // whole days past due
};
struct DueQuery {
  std::string community;  // a street or community code prefix; empty: the district
  bool overdue = false;
  std::optional<std::int64_t> care_worker_id;
  std::int64_t within_ms = 7LL * 86'400'000;
  int limit = 500;
};
Result<std::vector<DueEntry>> due(store::Database& db, const DueQuery& q, TimeMs now);

struct ReportRow {
  store::CareReportRow row;
  std::int64_t rate_permille = 0;  // visited / targets, in thousandths, rounded half-up
};
Result<std::vector<ReportRow>> report(store::Database& db, const domain::Policy& policy, YearMonth month);

// When a target was last visited (or became one) plus the tier's interval.
TimeMs scheduled_due(const domain::Policy& policy, const store::CareTargetRow& t);

}  // namespace vnh::care
