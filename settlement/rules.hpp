#pragma once
// The arithmetic of the monthly assessment (SPEC §5) and subsidy settlement (SPEC §6), pure
// and exact: scores are integer hundredths, money integer fen, every intermediate value an
// exact rational (boost::multiprecision::cpp_rational) until the one rounding the spec names
// (half-up to 0.01 for Q and T, half-up to the fen for S × coefficient).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/time.hpp"
#include "domain/policy.hpp"
#include "domain/programmes.hpp"
#include "domain/types.hpp"

namespace vnh::settlement {

using Fen = std::int64_t;

// The month's data behind Q for one firm.
struct QualityInputs {
  std::int64_t rating_sum = 0;    // over reached callbacks about its tickets of M
  std::int64_t rating_count = 0;
  std::int64_t tickets = 0;       // its tickets of M (completed or disputed, checked out in M)
  std::int64_t on_time = 0;       // … whose check-in fell inside the requested window
  std::int64_t verified = 0;      // … with no (uncleared) visit exception
};

// Q in hundredths: 100 × (ws·s + wp·p + wv·v) with terms lacking data left out and the
// remaining weights rescaled; 0 for a firm with no ticket and no callback. Rounded half-up.
std::int64_t quality_hundredths(const QualityInputs& in, const domain::Policy& p);
// T in hundredths from E, N, H and the rounded Q (all hundredths), rounded half-up.
std::int64_t total_hundredths(std::int64_t e, std::int64_t n, std::int64_t q, std::int64_t h, const domain::Policy& p);
// max(0, round_half_up(S × coefficient) − deductions), coefficient in hundredths.
Fen payout_fen(Fen subsidy, std::int64_t coefficient_hundredths, Fen deductions);

// The elders' subsidised meals of the month (SPEC §12): one per elder, slot and business day,
// taken by the first canteen meal or eligible meal ticket. Canteen meals hold their places as
// recorded at the counter; tickets take what is left in check-out order.
class MealPlaces {
 public:
  bool taken(std::int64_t elder_id, Date day, domain::MealSlot slot) const { return set_.count(key(elder_id, day, slot)) > 0; }
  void take(std::int64_t elder_id, Date day, domain::MealSlot slot) { set_.insert(key(elder_id, day, slot)); }

 private:
  static std::uint64_t key(std::int64_t elder_id, Date day, domain::MealSlot slot) {
    // Elder ids stay far below 2^40; a day of the month and a slot fit in the low bits.
    return (static_cast<std::uint64_t>(elder_id) << 24) | (static_cast<std::uint64_t>(day.year % 100) << 12) |
           (static_cast<std::uint64_t>(day.month) << 8) | (static_cast<std::uint64_t>(day.day) << 2) |
           static_cast<std::uint64_t>(slot);
  }
  std::unordered_set<std::uint64_t> set_;
};

struct TicketFacts {
  std::int64_t elder_id = 0;
  domain::ElderCategory category = domain::ElderCategory::kC;
  Date birth_date;
  domain::CareFlags care_flags = 0;
  Date checkout_day;  // in the business time zone
  Fen standard_price = 0;
  bool meal = false;
  domain::MealSlot meal_slot = domain::MealSlot::kLunch;
  domain::Category item_category = domain::Category::kLifeCare;
  int duration_min = 0;  // the item's standard duration
};

struct Share {
  Fen government = 0;
  Fen copay = 0;
  // full_funding; grant (the programmes covered it all), grant_partial, grant_used_up; self_pay
  // (in no programme that pays for the item); a meal rule's name, second_meal, no_rule.
  std::string rule;
  std::string programmes;  // the codes of the programmes that paid, joined by '+'
};

// The government share of one eligible ticket (SPEC §6 step 2). Tickets must be presented in
// check-out order (ties by ticket number) across all firms: the grants are drawn and the day's
// meal places are taken in that order.
Share government_share(const TicketFacts& t, const domain::Policy& p, domain::GrantLedger& grants, MealPlaces& meals);

}  // namespace vnh::settlement
