#pragma once
// Meal assistance repository (SPEC §12): canteens, meal cards and the meals served at the
// counters, and what the counter and the month's canteen settlement read of them. No rules
// here: the split of a meal is computed by meals/ and stored as it was shown at the counter.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct Canteen {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::optional<std::int64_t> firm_id;
  std::optional<std::string> firm_code;  // read only
  std::string community_code;
  double lat = 0;
  double lon = 0;
  domain::CanteenStatus status = domain::CanteenStatus::kActive;
  bool delivers = false;
  int daily_capacity = 0;
};
Result<std::int64_t> insert_canteen(Database& db, const Canteen& c, TimeMs now);
// Replaces the editable fields of the canteen with `c.id`.
Status update_canteen(Database& db, const Canteen& c, TimeMs now);
Result<std::optional<Canteen>> find_canteen(Database& db, const std::string& code);
Result<std::optional<Canteen>> get_canteen(Database& db, std::int64_t id);
Result<std::vector<Canteen>> list_canteens(Database& db);

struct MealCard {
  std::int64_t id = 0;
  std::string card_no;
  std::int64_t elder_id = 0;
  Date issued_on;
  domain::CardStatus status = domain::CardStatus::kActive;
  std::optional<TimeMs> status_at;  // when it stopped being active (NULL: never active here)
  // Active at `t` (business day `day`): issued by then and not yet lost or revoked.
  bool active_at(TimeMs t, Date day) const {
    if (day < issued_on) return false;
    if (status == domain::CardStatus::kActive) return true;
    return status_at && t < *status_at;
  }
};
Result<std::int64_t> insert_meal_card(Database& db, const MealCard& c, TimeMs now);
Result<std::optional<MealCard>> find_meal_card(Database& db, const std::string& card_no);
Result<std::vector<MealCard>> meal_cards_of(Database& db, std::int64_t elder_id);
// Reports a card lost or revoked from `at` on.
Status set_meal_card_status(Database& db, std::int64_t card_id, domain::CardStatus status, TimeMs at);

struct MealRow {
  std::int64_t id = 0;
  std::int64_t canteen_id = 0;
  std::int64_t elder_id = 0;
  domain::MealSlot slot = domain::MealSlot::kLunch;
  Date day;
  TimeMs served_at = 0;
  domain::MealMode mode = domain::MealMode::kDineIn;
  std::int64_t price_fen = 0;
  std::int64_t government_fen = 0;
  std::int64_t elder_fen = 0;
  std::string rule;
  bool takes_place = false;
  domain::IdentifiedBy identified_by = domain::IdentifiedBy::kCard;
  std::optional<std::int64_t> card_id;
  std::string recorded_by;
  TimeMs recorded_at = 0;
};
Result<std::int64_t> insert_meal(Database& db, const MealRow& m);
Result<std::optional<MealRow>> get_meal(Database& db, std::int64_t id);

// Whether the elder's subsidised meal of `slot` on `day` is taken: by a canteen meal, or by
// an eligible meal ticket (completed, no uncleared visit exception) of that slot checked out
// before second `before_s` of the day (SPEC §12: a canteen meal goes before a ticket of the
// same second). `day_from`/`day_to` bound the business day in UTC.
Result<bool> meal_place_taken(Database& db, std::int64_t elder_id, Date day, domain::MealSlot slot, TimeMs day_from,
                              TimeMs day_to, TimeMs before_s);
// Its statement about meal tickets, for the test that pins its plan.
namespace sql {
extern const char kMealTicketPlace[];
}  // namespace sql
// The meals a canteen served on a business day, in time order.
Result<std::vector<MealRow>> meals_of_canteen_on(Database& db, std::int64_t canteen_id, Date day);
// An elder's meals of the business days [from, to], in time order.
Result<std::vector<MealRow>> meals_of_elder(Database& db, std::int64_t elder_id, Date from, Date to);

// A counter's idempotency key (SPEC §12): the request it was first sent with and its meal.
struct MealRequest {
  std::string request_hash;
  std::int64_t meal_id = 0;
};
Result<std::optional<MealRequest>> find_meal_request(Database& db, std::int64_t user_id, const std::string& key);
Status insert_meal_request(Database& db, std::int64_t user_id, const std::string& key, const std::string& request_hash,
                           std::int64_t meal_id, TimeMs at);

// --- Orders and welfare checks (SPEC §12) --------------------------------------------------

struct MealOrder {
  std::int64_t id = 0;
  std::int64_t elder_id = 0;
  std::int64_t canteen_id = 0;
  Date day;
  domain::MealSlot slot = domain::MealSlot::kLunch;
  domain::MealMode mode = domain::MealMode::kDelivery;  // pickup or delivery
  std::int64_t delivery_fee_fen = 0;
  domain::OrderState state = domain::OrderState::kOrdered;
  std::string created_by;
  TimeMs created_at = 0;
  std::optional<std::string> reported_by;
  std::optional<TimeMs> reported_at;
  std::optional<double> report_lat, report_lon;
  std::string note;
  std::optional<std::int64_t> meal_id;
};
Result<std::int64_t> insert_meal_order(Database& db, const MealOrder& o);
Result<std::optional<MealOrder>> get_meal_order(Database& db, std::int64_t id);
// A canteen's orders of a day (all slots when `slot` is empty), by slot then id.
Result<std::vector<MealOrder>> meal_orders_of(Database& db, std::int64_t canteen_id, Date day,
                                              std::optional<domain::MealSlot> slot = std::nullopt);
// Orders not cancelled for a canteen's day (its kitchen's count against daily_capacity).
Result<std::int64_t> count_meal_orders(Database& db, std::int64_t canteen_id, Date day);
// The elder's order for (day, slot) at `canteen_id` that is still to be served, if any.
Result<std::optional<MealOrder>> open_order_of(Database& db, std::int64_t elder_id, std::int64_t canteen_id, Date day,
                                               domain::MealSlot slot);
// Moves an order to `state` with what the reporter saw.
Status report_meal_order(Database& db, const MealOrder& o);
// Cancels an elder's orders still `ordered` for days after `day`; returns how many.
Result<int> cancel_meal_orders_after(Database& db, std::int64_t elder_id, Date day, const std::string& note);
// Revokes the elder's active cards at `at`; returns how many.
Result<int> revoke_meal_cards_of(Database& db, std::int64_t elder_id, TimeMs at);

struct WelfareCheck {
  std::int64_t id = 0;
  std::int64_t elder_id = 0;
  std::optional<std::int64_t> order_id;
  TimeMs opened_at = 0;
  std::string opened_by;
  domain::WelfareState state = domain::WelfareState::kOpen;
  TimeMs call_due_at = 0;
  TimeMs escalate_due_at = 0;
  std::optional<TimeMs> first_call_at, reached_at;
  bool opened_alerted = false;  // the operators were alerted that it opened
  bool call_overdue_alerted = false;
  std::optional<TimeMs> escalated_at, care_worker_sent_at, closed_at;
  std::optional<std::string> closed_by, outcome;
  std::string note;
};
struct WelfareEvent {
  TimeMs at = 0;
  std::string by;
  std::string kind;
  std::string detail;
};
Result<std::int64_t> insert_welfare_check(Database& db, const WelfareCheck& w);
Result<std::optional<WelfareCheck>> get_welfare_check(Database& db, std::int64_t id);
// Checks not closed, oldest first (with `include_closed`: the day's closed ones too, newest first after them).
Result<std::vector<WelfareCheck>> open_welfare_checks(Database& db);
Status update_welfare_check(Database& db, const WelfareCheck& w);
Status add_welfare_event(Database& db, std::int64_t check_id, const WelfareEvent& e);
Result<std::vector<WelfareEvent>> welfare_events(Database& db, std::int64_t check_id);

// A meal of the month as the canteen settlement reads it, with what its exclusion depends on.
struct SettledMeal {
  MealRow meal;
  std::optional<Date> died_on;                 // the elder's date of death
  std::optional<MealCard> card;                // the card it was identified by
};
// Calls `fn` for every meal served in [from, to), in time order (ties by id).
Status for_each_meal(Database& db, TimeMs from, TimeMs to, const std::function<Status(const SettledMeal&)>& fn);

}  // namespace vnh::store
