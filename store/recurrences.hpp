#pragma once
// Recurring orders repository (SPEC §14): the recurrences and the occurrences the daily job
// made of them. An occurrence row is written in the same transaction as its ticket or meal
// order, and its key (recurrence, day) is what makes a second run of the job make nothing twice.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct RecurrenceRow {
  std::int64_t id = 0;
  std::int64_t elder_id = 0;
  std::optional<std::int64_t> item_id;     // a service item's ticket …
  std::optional<std::int64_t> canteen_id;  // … or a canteen's meal order
  std::optional<domain::MealSlot> slot;
  std::optional<domain::MealMode> mode;
  std::string rule;          // the RRULE as given
  std::string window_start;  // HH:MM
  std::string window_end;
  std::string starts_on;     // YYYY-MM-DD
  std::string notes;
  std::string state = "active";  // active paused ended
  std::optional<std::string> paused_until;
  std::optional<TimeMs> ended_at;
  std::optional<std::string> end_reason;
  std::int64_t occurrences_made = 0;
  std::string created_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  // Joined for views.
  std::string item_code, item_name, canteen_code, canteen_name;
};

Result<std::int64_t> insert_recurrence(Database& db, const RecurrenceRow& r);
Result<std::optional<RecurrenceRow>> get_recurrence(Database& db, std::int64_t id);
Result<std::vector<RecurrenceRow>> recurrences_of(Database& db, std::int64_t elder_id);
// Those not ended, by id (the daily job's list).
Result<std::vector<RecurrenceRow>> live_recurrences(Database& db);
Status update_recurrence_state(Database& db, std::int64_t id, const std::string& state,
                               const std::optional<std::string>& paused_until, TimeMs now);
Status end_recurrence(Database& db, std::int64_t id, const std::string& reason, TimeMs now);
// Ends every live recurrence of an elder; returns how many.
Result<int> end_recurrences_of(Database& db, std::int64_t elder_id, const std::string& reason, TimeMs now);

struct OccurrenceRow {
  std::int64_t recurrence_id = 0;
  std::string day;
  std::string outcome;  // ticket meal_order skipped
  std::optional<std::int64_t> ticket_id, meal_order_id;
  std::string detail;
  TimeMs created_at = 0;
  std::string ref;  // joined: the ticket's number
};
Result<bool> occurrence_exists(Database& db, std::int64_t recurrence_id, const std::string& day);
Status insert_occurrence(Database& db, const OccurrenceRow& o);
// The newest occurrences of a recurrence, newest first.
Result<std::vector<OccurrenceRow>> occurrences_of(Database& db, std::int64_t recurrence_id, int limit);

}  // namespace vnh::store
