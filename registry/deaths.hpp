#pragma once
// Deaths (SPEC §13): the civil registry's monthly list (`vnh import deaths`) or one death
// reported by phone to a supervisor makes the elder `deceased` from `died_on`. Everything that
// would go on for them stops in the same transaction: open tickets are cancelled
// (`elder_deceased`, withdrawn from or cancelled at their firm), active meal cards revoked,
// next-day meal orders after the day cancelled, recurring orders ended; what settlement would
// pay for a day after it is excluded (settlement reads died_on), and what an approved month
// already paid for such a day is proposed as a recovery. Audited.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/actor.hpp"
#include "domain/policy.hpp"
#include "store/settlement.hpp"
#include "store/writer.hpp"
#include "tickets/service.hpp"

namespace vnh::registry {

enum class DeathSource { kRegistry, kPhone };

struct DeathReport {
  std::int64_t elder_id = 0;
  Date died_on;
  DeathSource source = DeathSource::kRegistry;
  std::string informant;  // who called (phone reports)
  std::string note;
};

struct DeathOutcome {
  bool recorded = false;     // false: already recorded with this date; nothing changed
  bool corrected = false;    // the registry corrected a date reported by phone
  std::vector<std::string> cancelled_tickets;
  int cards_revoked = 0;
  int orders_cancelled = 0;
  int recurrences_ended = 0;
  std::int64_t callbacks_dropped = 0;  // pending callback calls about their tickets
  std::vector<store::RecoveryRow> recoveries;
};

// Records the death. Refused (nothing changes): a date after today or before the birth date
// (invalid, field died_on); an elder recorded as deceased on another date (already_deceased),
// unless the registry corrects a phone report. `tickets` cancels the open tickets (kInternal
// without one when there are any).
Result<DeathOutcome> record_death(store::WriteTx& tx, const domain::Policy& policy, tickets::Service* tickets,
                                  const DeathReport& report, const domain::Actor& actor, TimeMs now);

}  // namespace vnh::registry
