#pragma once
// Meal assistance (SPEC §12): who is at the counter, what their meal costs them and the
// government, and recording it. One rule for the counter and the `meals` history import: the
// meal rules of the policy (first match wins), and one subsidised meal per elder, slot and
// business day across every canteen and meal ticket — the first in time takes it, a later one
// is a `second_meal` at full price. The split is fixed when the meal is recorded; settlement
// pays it as recorded (settlement/ excludes meals of the deceased and of inactive cards).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/policy.hpp"
#include "store/elders.hpp"
#include "store/meals.hpp"
#include "store/writer.hpp"

namespace vnh::meals {

using domain::Fen;

// How the counter names the elder: a card or QR token's number, or a typed ID number.
struct Identification {
  std::optional<std::string> card_no;
  std::optional<std::string> id_number;
  bool qr = false;  // card_no was read from a QR token
};

struct Diner {
  store::ElderRow elder;
  std::optional<store::MealCard> card;
  domain::IdentifiedBy identified_by = domain::IdentifiedBy::kCard;
};

// Finds the elder. Refused: an unknown card (404 unknown_card), a card that is not active at
// `at` (422 card_not_active), an unregistered ID number (404). The elder's own status is the
// caller's to judge (the counter refuses an inactive elder; history records what happened).
Result<Diner> identify(store::Database& db, const FieldCrypto& crypto, const Identification& who, TimeMs at,
                       const TimeZone& tz);

// A meal priced as it would be recorded at `served_at`.
struct Quote {
  domain::MealSlot slot = domain::MealSlot::kLunch;
  Date day;
  int age = 0;
  Fen price = 0;
  domain::MealSplit split;
  bool place_free = true;    // the day's subsidised meal of this slot is still available
  bool takes_place = false;  // this meal would take it (government share > 0)
  std::vector<std::string> flags;  // override, second_meal
};
Result<Quote> quote(store::Database& db, const domain::Policy& policy, const Diner& diner, domain::MealSlot slot,
                    std::optional<Fen> price, TimeMs served_at);

struct MealInput {
  std::int64_t canteen_id = 0;
  domain::MealMode mode = domain::MealMode::kDineIn;
  TimeMs served_at = 0;
  std::string recorded_by;
  TimeMs recorded_at = 0;
};
// Records the quoted meal (one row; the caller's transaction).
Result<store::MealRow> record(store::Database& db, const Diner& diner, const Quote& q, const MealInput& in);

// The counter's refusals before anything is recorded: the canteen not active, the elder
// inactive or with a date of death.
Status counter_allows(const store::Canteen& canteen, const store::ElderRow& elder);

// --- The counter (SPEC §12): GET /api/v1/meals/check and POST /api/v1/meals ---------------

struct CounterCheck {
  store::Canteen canteen;
  Diner diner;
  Quote quote;
};
// Who is at the counter and what the meal would cost, as of `now`; the refusals of
// identify() and counter_allows() are errors.
Result<CounterCheck> check_at_counter(store::Database& db, const FieldCrypto& crypto, const domain::Policy& policy,
                                      std::int64_t canteen_id, const Identification& who, domain::MealSlot slot,
                                      std::optional<Fen> price, TimeMs now);

struct CounterRequest {
  std::int64_t canteen_id = 0;
  Identification who;
  domain::MealSlot slot = domain::MealSlot::kLunch;
  domain::MealMode mode = domain::MealMode::kDineIn;
  std::optional<Fen> price;
  // When the meal was served, for a counter that kept it through a network drop: not in the
  // future, at most kOfflineWindow ago. Absent: now.
  std::optional<TimeMs> served_at;
};
inline constexpr TimeMs kOfflineWindow = 24LL * 3600 * 1000;
inline constexpr TimeMs kClockSkew = 5LL * 60 * 1000;

struct Recorded {
  store::MealRow meal;
  CounterCheck check;
  bool replayed = false;  // the Idempotency-Key was seen with this request: nothing new recorded
};
// Records a meal at the counter in the caller's transaction, with its audit entry. With an
// idempotency key the same key and request give back the meal first recorded; another
// request under the same key is refused (idempotency_key_reused).
Result<Recorded> record_at_counter(store::Database& db, const FieldCrypto& crypto, const domain::Policy& policy,
                                   const CounterRequest& req, std::int64_t user_id, const std::string& username,
                                   TimeMs now, const std::optional<std::string>& key, const std::string& request_hash);

// --- Orders, delivery and the welfare check (SPEC §12) ---------------------------------------

struct OrderRequest {
  std::optional<std::string> elder_id;  // E123
  std::optional<std::string> id_number;
  std::string canteen_code;
  Date day;
  domain::MealSlot slot = domain::MealSlot::kLunch;
  domain::MealMode mode = domain::MealMode::kDelivery;  // pickup or delivery
};
// Takes a next-day order until meals.order_cutoff the day before (order_closed), at an active
// canteen (canteen_not_active) that delivers when asked to (canteen_no_delivery), within its
// daily capacity (canteen_full), for an active elder, one per elder, day and slot (duplicate).
// `only_canteen`: a canteen user orders for its own canteen only. Audited.
Result<store::MealOrder> place_order(store::Database& db, const FieldCrypto& crypto, const domain::Policy& policy,
                                     const OrderRequest& req, const std::string& actor,
                                     std::optional<std::int64_t> only_canteen, TimeMs now);
Result<store::MealOrder> cancel_order(store::Database& db, std::int64_t order_id, const std::string& actor,
                                      std::optional<std::int64_t> only_canteen, TimeMs now);

struct DeliveryReport {
  bool delivered = true;  // false: nobody answered the door
  std::optional<TimeMs> at;
  std::optional<double> lat, lon;
  std::string note;
};
struct Reported {
  store::MealOrder order;
  std::optional<store::MealRow> meal;           // delivered: the meal, priced at the delivery
  std::optional<store::WelfareCheck> check;     // no answer: the welfare check it opened
};
// A deliverer's report on a delivery order: delivered records its meal (identified by the
// order); no-answer records none ("never leaves the meal at the door") and opens a welfare
// check at once. A report on an order already reported is refused (illegal_transition).
Result<Reported> report_delivery(store::Database& db, const domain::Policy& policy, std::int64_t order_id,
                                 const DeliveryReport& report, const std::string& actor,
                                 std::optional<std::int64_t> only_canteen, TimeMs now);

inline constexpr TimeMs kWelfareCallWithin = 15LL * 60 * 1000;      // call the elder and contacts
inline constexpr TimeMs kWelfareEscalateAfter = 60LL * 60 * 1000;   // nobody reached: send the care worker

enum class WelfareAction { kCall, kCareWorker, kClose };
struct WelfareStep {
  WelfareAction action = WelfareAction::kCall;
  bool reached = false;   // kCall: someone answered
  std::string who;        // kCall: elder, contact
  std::string outcome;    // kClose: elder_safe, elder_away, hospital, emergency_sent, other
  std::string note;
};
// An operator's step on an open check; a call that reached someone, or a close, needs no more
// alerts. Audited.
Result<store::WelfareCheck> welfare_step(store::Database& db, std::int64_t check_id, const WelfareStep& step,
                                         const std::string& actor, TimeMs now);
// The steps that fell due by `now` and were not alerted yet: "call" (a check just opened, by a
// console or a partner firm's report), "call_overdue" (nobody has called within 15 minutes),
// "send_care_worker" (nobody reached within 60: the check is escalated). Marks them, so each
// alert is raised once (within a second: the server's tick).
struct WelfareAlert {
  store::WelfareCheck check;
  std::string step;
};
// Whether `w` has a step welfare_due would raise at `now` (a read decides before the Writer is asked).
bool welfare_alert_due(const store::WelfareCheck& w, TimeMs now);
Result<std::vector<WelfareAlert>> welfare_due(store::Database& db, TimeMs now);

}  // namespace vnh::meals
