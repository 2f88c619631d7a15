#include "settlement/rules.hpp"

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>

namespace vnh::settlement {
namespace {
using boost::multiprecision::cpp_int;
using boost::multiprecision::cpp_rational;

// Half-up rounding of a non-negative rational to an integer.
std::int64_t round_half_up(const cpp_rational& x) {
  cpp_rational shifted = x + cpp_rational(1, 2);
  cpp_int q = boost::multiprecision::numerator(shifted) / boost::multiprecision::denominator(shifted);
  if (shifted < 0 && q * boost::multiprecision::denominator(shifted) != boost::multiprecision::numerator(shifted)) {
    q -= 1;  // floor for negatives (never reached by scores, kept for completeness)
  }
  return q.convert_to<std::int64_t>();
}
}  // namespace

std::int64_t quality_hundredths(const QualityInputs& in, const domain::Policy& p) {
  cpp_rational weighted = 0;
  cpp_int weights = 0;
  if (in.rating_count > 0) {
    // s = (mean − 1) / 4 = (sum − n) / (4n)
    cpp_rational s(cpp_int(in.rating_sum - in.rating_count), cpp_int(4 * in.rating_count));
    weighted += s * p.q_satisfaction;
    weights += p.q_satisfaction;
  }
  if (in.tickets > 0) {
    weighted += cpp_rational(cpp_int(in.on_time), cpp_int(in.tickets)) * p.q_punctuality;
    weighted += cpp_rational(cpp_int(in.verified), cpp_int(in.tickets)) * p.q_verified;
    weights += p.q_punctuality + p.q_verified;
  }
  if (weights == 0) return 0;
  // Q = 100 × weighted / weights; in hundredths that is 10000 × weighted / weights.
  return round_half_up(weighted * 10000 / cpp_rational(weights));
}

std::int64_t total_hundredths(std::int64_t e, std::int64_t n, std::int64_t q, std::int64_t h,
                              const domain::Policy& p) {
  // Weights are ten-thousandths: T (hundredths) = Σ w·x / 10000, rounded half-up.
  cpp_int num = cpp_int(p.w_enterprise) * e + cpp_int(p.w_norms) * n + cpp_int(p.w_quality) * q +
                cpp_int(p.w_staff) * h;
  return round_half_up(cpp_rational(num, 10000));
}

Fen payout_fen(Fen subsidy, std::int64_t coefficient_hundredths, Fen deductions) {
  Fen scaled = round_half_up(cpp_rational(cpp_int(subsidy) * coefficient_hundredths, 100));
  return std::max<Fen>(0, scaled - deductions);
}

Share government_share(const TicketFacts& t, const domain::Policy& p, domain::GrantLedger& grants, MealPlaces& meals) {
  Share s;
  if (t.meal) {
    // The meal rules of §12, with the one-subsidised-meal-per-slot-per-day cap.
    domain::MealSplit m;
    if (meals.taken(t.elder_id, t.checkout_day, t.meal_slot)) {
      m = domain::MealPolicy::second_meal(t.standard_price);
    } else {
      m = p.meals.split(t.meal_slot, t.category, age_on(t.birth_date, t.checkout_day), t.standard_price);
      if (m.government > 0) meals.take(t.elder_id, t.checkout_day, t.meal_slot);
    }
    s.government = m.government;
    s.rule = std::move(m.rule);
  } else if (p.is_fully_funded(t.category)) {
    s.government = t.standard_price;
    s.rule = "full_funding";
  } else {
    domain::GrantHolder holder{t.category, t.birth_date, t.care_flags};
    auto c = grants.draw(t.elder_id, holder, t.checkout_day, t.item_category, t.standard_price, t.duration_min);
    s.government = c.covered;
    s.programmes = domain::programme_codes(p.programmes, c);
    s.rule = domain::grant_rule(c, t.standard_price);
  }
  s.copay = t.standard_price - s.government;
  return s;
}

}  // namespace vnh::settlement
