#pragma once
// Recurring orders (SPEC §14): an elder's service item (a ticket, channel `recurrence`) or
// canteen meal (a next-day order) on the days an RRULE gives, made `recurrence.lead_days` ahead
// by a job that runs every hour and at start. Each occurrence is made exactly once: its row in
// recurrence_occurrences is written in the same transaction as its ticket or order and is
// looked for first, so a second run, a restart or two runs at once make nothing twice. An
// occurrence the rules refuse (the canteen full, the order closed) is kept as `skipped` with the
// reason. Pause (until a day, or until resumed), resume and end; an elder who dies or is
// deactivated has their recurrences ended. Changes run in the caller's write transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/actor.hpp"
#include "domain/policy.hpp"
#include "domain/rrule.hpp"
#include "store/recurrences.hpp"
#include "store/writer.hpp"
#include "tickets/service.hpp"

namespace vnh::recurrence {

struct NewRecurrence {
  std::optional<std::string> elder_id;  // E123
  std::optional<std::string> id_number;
  std::optional<std::string> item_code;     // a ticket for this item …
  std::optional<std::string> canteen_code;  // … or a meal order at this canteen
  domain::MealSlot slot = domain::MealSlot::kLunch;
  domain::MealMode mode = domain::MealMode::kDelivery;
  std::string rule;
  std::string window_start;  // HH:MM
  std::string window_end;
  Date starts_on;
  std::string notes;
};

struct Deps {
  const domain::Policy& policy;
  const FieldCrypto& crypto;
  tickets::Service& tickets;
};

// Validates (the elder active, the item not a meal item — a meal is ordered at a canteen —, the
// canteen active, the rule, the window, starts_on not in the past) and stores the recurrence.
Result<store::RecurrenceRow> create(store::WriteTx& tx, const Deps& deps, const NewRecurrence& in,
                                    const domain::Actor& actor, TimeMs now);
// Paused through `until` (that day included), or until resumed when nullopt.
Status pause(store::WriteTx& tx, std::int64_t id, std::optional<Date> until, const domain::Actor& actor, TimeMs now);
Status resume(store::WriteTx& tx, std::int64_t id, const domain::Actor& actor, TimeMs now);
Status end(store::WriteTx& tx, std::int64_t id, const std::string& reason, const domain::Actor& actor, TimeMs now);

struct RunReport {
  int tickets = 0;
  int orders = 0;
  int skipped = 0;
  int ended = 0;
  int resumed = 0;
};
// Makes the occurrences due — days from today to today + lead_days — of `recurrences` that are
// not made yet.
Result<RunReport> run_due(store::WriteTx& tx, const Deps& deps, const std::vector<store::RecurrenceRow>& recurrences,
                          TimeMs now);

// "HH:MM" → minutes after midnight (invalid, naming `field`).
Result<int> minute_of_day(const std::string& hhmm, const char* field);

}  // namespace vnh::recurrence
