#pragma once
// Care repository (SPEC §14): care targets — the elders a care worker visits, why and how often
// — and the visits recorded. due_at is kept here as targets and visits change.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct CareTargetRow {
  std::int64_t elder_id = 0;
  domain::CareFlags flags = 0;
  domain::CareTier tier = domain::CareTier::kGeneral;
  std::optional<std::int64_t> care_worker_id;
  TimeMs since = 0;
  std::optional<TimeMs> last_visit_at;
  TimeMs due_at = 0;
  std::optional<TimeMs> event_at;
  std::optional<std::string> event_kind;
  std::optional<std::string> event_ref;
  TimeMs updated_at = 0;
  // Joined for views.
  std::string care_worker;  // user name, or empty
};
Result<std::optional<CareTargetRow>> get_care_target(Database& db, std::int64_t elder_id);
Status put_care_target(Database& db, const CareTargetRow& t);
Status delete_care_target(Database& db, std::int64_t elder_id);
// Makes the next visit due by `due_at` (if sooner) because of an event; no-op for an elder who
// is not a target. Returns whether the elder is one.
Result<bool> pull_care_visit_forward(Database& db, std::int64_t elder_id, TimeMs due_at, const std::string& kind,
                                     const std::string& ref, TimeMs now);

// Targets due by `due_by` (all when nullopt), of living elders, in a community (prefix of the
// elder's community code; empty: all) and of one care worker (nullopt: any), soonest first.
struct CareDueRow {
  CareTargetRow target;
  std::string elder_name;
  std::string community_code;
  std::string community_name;
};
Result<std::vector<CareDueRow>> care_due(Database& db, const std::string& community_prefix,
                                         std::optional<std::int64_t> care_worker_id, std::optional<TimeMs> due_by,
                                         int limit);

struct CareVisitRow {
  std::int64_t id = 0;
  std::int64_t elder_id = 0;
  TimeMs visited_at = 0;
  domain::VisitMethod method = domain::VisitMethod::kInPerson;
  domain::Finding living = domain::Finding::kGood, safety = domain::Finding::kGood, health = domain::Finding::kGood;
  std::string needs;
  std::string note;
  std::optional<std::int64_t> ticket_id;
  std::string recorded_by;
  TimeMs recorded_at = 0;
  std::string ticket_no;  // joined
};
Result<std::int64_t> insert_care_visit(Database& db, const CareVisitRow& v);
Status set_care_visit_ticket(Database& db, std::int64_t visit_id, std::int64_t ticket_id);
Result<std::vector<CareVisitRow>> care_visits_of(Database& db, std::int64_t elder_id, int limit);

// The month's report by community: targets that were targets during [from, to) (since < to),
// of elders alive at `from`, and how many of them had a visit in [from, to).
struct CareReportRow {
  std::string community_code;
  std::string community_name;
  std::int64_t targets = 0;
  std::int64_t visited = 0;
  std::int64_t visits = 0;
  std::int64_t high_targets = 0;
  std::int64_t high_visited = 0;
};
Result<std::vector<CareReportRow>> care_report(Database& db, TimeMs from, TimeMs to, const std::string& from_day);

}  // namespace vnh::store
