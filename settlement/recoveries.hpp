#pragma once
// Recoveries (SPEC §13): what an approved month paid for a day after an elder's death. A death
// recorded after its month was approved cannot change that month (it is locked); instead each
// ticket checked out and each canteen meal served after the day of death that the month paid
// for is proposed as a recovery — the firm's share of it as paid (the ticket's government share,
// replayed for the one elder in the month's order, times the firm's coefficient, rounded
// half-up), the canteen's as recorded (plus the operating subsidy of a subsidised meal).
// Finance turns proposed recoveries into negative adjustments of an open month, or waives them
// with a note. Runs inside the caller's write transaction; audited.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"
#include "store/settlement.hpp"
#include "store/writer.hpp"

namespace vnh::settlement {

// Proposes the recoveries for an elder who died on `died_on` (none when no approved month
// paid for a day after it); returns those proposed now. `policy` is the one in force, used for
// a month with no recorded policy.
Result<std::vector<store::RecoveryRow>> propose_recoveries(store::WriteTx& tx, const domain::Policy& policy,
                                                           std::int64_t elder_id, Date died_on, TimeMs now);

// The proposed recoveries an open month can take: those paid by months before it.
Result<std::vector<store::RecoveryRow>> open_recoveries(store::Database& db, YearMonth month);

// Turns the proposed recoveries `ids` (all of open_recoveries(month) when empty) into negative
// adjustments of `month`, one each; refused when the month is approved (locked) or an id is
// not a proposed recovery of a month before it. Returns the adjustment ids.
Result<std::vector<std::int64_t>> apply_recoveries(store::WriteTx& tx, YearMonth month, const std::vector<std::int64_t>& ids,
                                                   const std::string& who, TimeMs now);
// Closes a proposed recovery without an adjustment (a note says why).
Status waive_recovery(store::WriteTx& tx, std::int64_t id, const std::string& note, const std::string& who, TimeMs now);

}  // namespace vnh::settlement
