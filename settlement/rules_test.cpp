#include <catch2/catch.hpp>

#include "settlement/rules.hpp"

using namespace vnh;
using namespace vnh::settlement;
using domain::ElderCategory;

namespace {
const domain::Policy kPolicy;  // defaults are Lanzhou's (same numbers as data/policy.toml)

TicketFacts ticket(ElderCategory c, Fen price, bool meal = false, Date birth = {1950, 1, 1},
                   Date day = {2026, 10, 15}, std::int64_t elder = 1,
                   domain::MealSlot slot = domain::MealSlot::kLunch) {
  return TicketFacts{elder, c, birth, 0, day, price, meal, slot, domain::Category::kLifeCare, 60};
}
// The day's meal places of a fresh month: every call of the tests below that does not test the
// daily cap gets its own.
Share share_of(const TicketFacts& t, const domain::Policy& p, domain::GrantLedger& credit) {
  MealPlaces places;
  return government_share(t, p, credit, places);
}
}  // namespace

TEST_CASE("A and D elders are fully funded, C elders pay themselves", "[settlement][share]") {
  domain::GrantLedger credit(kPolicy.programmes);
  auto a = share_of(ticket(ElderCategory::kA, 3200), kPolicy, credit);
  CHECK(a.government == 3200);
  CHECK(a.copay == 0);
  auto d = share_of(ticket(ElderCategory::kD, 9600), kPolicy, credit);
  CHECK(d.government == 9600);
  auto c = share_of(ticket(ElderCategory::kC, 3200), kPolicy, credit);
  CHECK(c.government == 0);
  CHECK(c.copay == 3200);
  CHECK(c.rule == "self_pay");
  CHECK(a.rule == "full_funding");
  SECTION("meals too: A and D get the whole price") {
    CHECK(share_of(ticket(ElderCategory::kA, 1500, true), kPolicy, credit).government == 1500);
  }
}

TEST_CASE("meal subsidies follow the age on the check-out day", "[settlement][share]") {
  domain::GrantLedger credit(kPolicy.programmes);
  const Date birth{1951, 10, 15};
  auto meal_on = [&](Date day, ElderCategory c = ElderCategory::kC, Fen price = 1500) {
    return share_of(ticket(c, price, true, birth, day), kPolicy, credit).government;
  };
  CHECK(meal_on({2015, 10, 14}) == 0);    // 63
  CHECK(meal_on({2016, 10, 14}) == 0);    // 64, the day before turning 65
  CHECK(meal_on({2016, 10, 15}) == 900);  // 65 on the birthday
  CHECK(meal_on({2026, 10, 14}) == 900);  // 74
  CHECK(meal_on({2026, 10, 15}) == 1000); // 75 on the birthday
  CHECK(meal_on({2036, 10, 15}) == 1000); // 85
  SECTION("B elders' meals are by age, not from the credit") {
    CHECK(meal_on({2026, 10, 15}, ElderCategory::kB) == 1000);
    CHECK(credit.balances(1, {ElderCategory::kB, birth, 0}, {2026, 10, 15})[0].left == 5000);
  }
  SECTION("never above the price") {
    CHECK(meal_on({2026, 10, 15}, ElderCategory::kC, 600) == 600);
  }
}

TEST_CASE("a B elder's credit runs out part-way through a ticket", "[settlement][share]") {
  // Two firms' tickets, in check-out order (ties already broken by ticket number).
  domain::GrantLedger credit(kPolicy.programmes);
  auto first = share_of(ticket(ElderCategory::kB, 3200), kPolicy, credit);   // firm 1
  auto second = share_of(ticket(ElderCategory::kB, 3200), kPolicy, credit);  // firm 2
  auto third = share_of(ticket(ElderCategory::kB, 2000), kPolicy, credit);
  CHECK(first.government == 3200);
  CHECK(second.government == 1800);
  CHECK(second.copay == 1400);
  CHECK(second.rule == "grant_partial");
  CHECK(second.programmes == "B_credit");
  CHECK(first.rule == "grant");
  CHECK(third.rule == "grant_used_up");
  CHECK(third.programmes.empty());
  CHECK(third.government == 0);
  CHECK(third.copay == 2000);
  SECTION("another elder has a credit of their own") {
    CHECK(share_of(ticket(ElderCategory::kB, 3200, false, {1950, 1, 1}, {2026, 10, 15}, 2), kPolicy, credit)
              .government == 3200);
  }
}

TEST_CASE("Q rescales the weights of the terms that have data", "[settlement][score]") {
  // s = (3.6 − 1)/4 = 0.65, p = 0.7, v = 0.9 → 100 × (0.325 + 0.21 + 0.18) = 71.50
  CHECK(quality_hundredths({18, 5, 10, 7, 9}, kPolicy) == 7150);
  // no callbacks: 100 × (0.3·0.7 + 0.2·0.9) / 0.5 = 78.00
  CHECK(quality_hundredths({0, 0, 10, 7, 9}, kPolicy) == 7800);
  // no ticket and no callback: 0
  CHECK(quality_hundredths({0, 0, 0, 0, 0}, kPolicy) == 0);
  // s alone: (9/8 − 1)/4 = 1/32 → 3.125 → 3.13 (half-up)
  CHECK(quality_hundredths({9, 8, 0, 0, 0}, kPolicy) == 313);
}

TEST_CASE("T lands on the right side of every band edge with exact arithmetic", "[settlement][score]") {
  // E = Q = H = X and N = X − 0.02 give T = X − 0.005 exactly, which rounds half-up to X.
  struct Edge {
    std::int64_t x, coefficient;
  };
  for (Edge e : {Edge{6000, 80}, Edge{7000, 90}, Edge{8000, 95}, Edge{9000, 100}}) {
    std::int64_t t = total_hundredths(e.x, e.x - 2, e.x, e.x, kPolicy);
    INFO("edge " << e.x);
    CHECK(t == e.x);
    CHECK(kPolicy.band_for(t).coefficient == e.coefficient);
    // One hundredth lower on N keeps T below the edge (X − 0.01 after rounding 0.0075 → X − 0.01).
    CHECK(total_hundredths(e.x, e.x - 3, e.x, e.x, kPolicy) == e.x - 1);
  }
  CHECK(kPolicy.band_for(5999).coefficient == 50);
  CHECK(kPolicy.band_for(5999).exit_review);
  // The worked month's F001: 0.2·92.55 + 0.25·64.63 + 0.35·73.61 + 0.2·97.82 = 79.995 → 80.00
  CHECK(total_hundredths(9255, 6463, 7361, 9782, kPolicy) == 8000);
}

TEST_CASE("payout is S times the coefficient, rounded half-up to the fen, less deductions, floored at 0",
          "[settlement][payout]") {
  CHECK(payout_fen(95500, 95, 15000) == 75725);
  CHECK(payout_fen(1, 50, 0) == 1);      // 0.5 → 1
  CHECK(payout_fen(3, 95, 0) == 3);      // 2.85 → 3
  CHECK(payout_fen(9, 95, 0) == 9);      // 8.55 → 9
  CHECK(payout_fen(11, 95, 0) == 10);    // 10.45 → 10
  CHECK(payout_fen(10000, 80, 20000) == 0);
  CHECK(payout_fen(0, 50, 5000) == 0);
}

TEST_CASE("meal tickets: one subsidised lunch a day, breakfast unsubsidised", "[settlement][share][meals]") {
  domain::GrantLedger credit(kPolicy.programmes);
  MealPlaces places;
  const Date birth{1951, 10, 15};
  auto meal = [&](Date day, domain::MealSlot slot = domain::MealSlot::kLunch, std::int64_t elder = 1,
                  ElderCategory c = ElderCategory::kC, Fen price = 1500) {
    return government_share(ticket(c, price, true, birth, day, elder, slot), kPolicy, credit, places);
  };
  auto first = meal({2026, 10, 15});
  CHECK(first.government == 1000);
  CHECK(first.rule == "lunch_75_up");
  auto second = meal({2026, 10, 15});  // a second delivered lunch the same day
  CHECK(second.government == 0);
  CHECK(second.copay == 1500);
  CHECK(second.rule == "second_meal");
  CHECK(meal({2026, 10, 15}, domain::MealSlot::kLunch, 2).government == 1000);  // another elder
  CHECK(meal({2026, 10, 16}).government == 1000);                             // the next day
  auto breakfast = meal({2026, 10, 17}, domain::MealSlot::kBreakfast, 1, ElderCategory::kA, 600);
  CHECK(breakfast.government == 0);  // no breakfast rule: not even A
  CHECK(breakfast.rule == "no_rule");
  SECTION("a canteen lunch recorded that day holds the place") {
    places.take(3, {2026, 10, 20}, domain::MealSlot::kLunch);
    CHECK(meal({2026, 10, 20}, domain::MealSlot::kLunch, 3).rule == "second_meal");
  }
  SECTION("an unsubsidised lunch takes no place") {
    auto young = government_share(ticket(ElderCategory::kC, 1500, true, {1970, 1, 1}, {2026, 10, 21}, 4), kPolicy,
                                  credit, places);
    CHECK(young.government == 0);
    CHECK_FALSE(places.taken(4, {2026, 10, 21}, domain::MealSlot::kLunch));
  }
  CHECK(credit.balances(1, {ElderCategory::kB, birth, 0}, {2026, 10, 15})[0].left == 5000);  // meals never draw on the credit
}
