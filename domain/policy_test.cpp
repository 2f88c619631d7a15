#include <catch2/catch.hpp>

#include "data/embedded.hpp"
#include "domain/policy.hpp"

using namespace vnh;
using namespace vnh::domain;

TEST_CASE("the shipped default policy loads with every number of the spec", "[policy]") {
  auto p = load_policy(data::default_policy_text(), "data/policy.toml");
  REQUIRE(p.ok());
  CHECK(p->eligibility_min_age == 65);
  REQUIRE(p->programmes.size() == 1);
  CHECK(p->programmes[0].code == "B_credit");
  CHECK(p->programmes[0].monthly == 5000);
  CHECK(p->programmes[0].unit == GrantUnit::kFen);
  CHECK(p->care_interval(CareTier::kHigh) == 7);
  CHECK(p->care_interval(CareTier::kKey) == 30);
  CHECK(p->care_interval(CareTier::kGeneral) == 90);
  CHECK(p->recurrence_lead_days == 2);
  CHECK(p->longevity_allowance_age == 80);
  CHECK(p->meals.split(MealSlot::kLunch, ElderCategory::kC, 64, 1500).government == 0);
  CHECK(p->meals.split(MealSlot::kLunch, ElderCategory::kC, 65, 1500).government == 900);
  CHECK(p->meals.split(MealSlot::kLunch, ElderCategory::kC, 74, 1500).government == 900);
  CHECK(p->meals.split(MealSlot::kLunch, ElderCategory::kC, 75, 1500).government == 1000);
  CHECK(p->meals.split(MealSlot::kLunch, ElderCategory::kB, 101, 1500).government == 1000);
  CHECK(p->meals.split(MealSlot::kBreakfast, ElderCategory::kC, 80, 600).government == 0);
  CHECK(p->meals.rules.size() == 3);
  CHECK(p->meals.order_cutoff_min == 15 * 60);
  CHECK(p->meals.override_alert_share == 500);
  CHECK(p->is_fully_funded(ElderCategory::kA));
  CHECK(p->is_fully_funded(ElderCategory::kD));
  CHECK_FALSE(p->is_fully_funded(ElderCategory::kB));
  CHECK(p->programmes[0].includes(ElderCategory::kB, 70, 0));
  CHECK_FALSE(p->programmes[0].includes(ElderCategory::kC, 70, 0));
  CHECK(p->w_enterprise == 2000);
  CHECK(p->w_norms == 2500);
  CHECK(p->w_quality == 3500);
  CHECK(p->w_staff == 2000);
  CHECK(p->q_satisfaction == 5000);
  CHECK(p->q_punctuality == 3000);
  CHECK(p->q_verified == 2000);
  CHECK(p->band_for(9000).coefficient == 100);
  CHECK(p->band_for(8999).coefficient == 95);
  CHECK(p->band_for(8000).coefficient == 95);
  CHECK(p->band_for(7999).coefficient == 90);
  CHECK(p->band_for(6000).coefficient == 80);
  CHECK(p->band_for(5999).coefficient == 50);
  CHECK(p->band_for(5999).exit_review);
  CHECK(p->complaint_deduction_fen == 5000);
  CHECK(p->offer_timeout_normal_s == 600);
  CHECK(p->offer_timeout_emergency_s == 60);
  CHECK(p->visits.max_checkin_distance_m == 300);
  CHECK(p->visits.min_duration_num * 2 == p->visits.min_duration_den);
  CHECK(p->tz->name() == "Asia/Shanghai");
  CHECK(p->digest.size() == 64);
}

TEST_CASE("policy errors name the file, line and column", "[policy]") {
  SECTION("unknown key") {
    auto p = load_policy("effective_from = \"2026-01\"\n[subsidy]\nmonthly_credit = 5000\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("p.toml:3:") != std::string::npos);
    CHECK(p.status().message().find("subsidy.monthly_credit: unknown key") != std::string::npos);
  }
  SECTION("a number beyond any integer is out of range, not undefined behaviour (a fuzz finding)") {
    auto p = load_policy("[assessment]\nweight_enterprise_building = 4.44444e89\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("p.toml:2:") != std::string::npos);
    CHECK(p.status().message().find("must be between") != std::string::npos);
  }
  SECTION("a float where an integer belongs is refused without converting it (a fuzz finding)") {
    auto p = load_policy("[security]\nlockout_failures = 4.44444e85\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("p.toml:2:") != std::string::npos);
    CHECK(p.status().message().find("must be an integer") != std::string::npos);
  }
  SECTION("a time zone that names a folder is an unknown zone, not a crash (a fuzz finding)") {
    for (const char* tz : {".", "Asia", "Asia/."}) {
      INFO(tz);
      auto p = load_policy(std::string("time_zone = \"") + tz + "\"\n", "p.toml");
      REQUIRE_FALSE(p.ok());
      CHECK(p.status().message().find("time zone") != std::string::npos);
    }
  }
  SECTION("weights that do not sum to one") {
    auto p = load_policy("[assessment]\nweight_enterprise_building = 0.30\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("sum to 1") != std::string::npos);
  }
  SECTION("syntax error") {
    auto p = load_policy("[eligibility\nmin_age = 65\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().rfind("p.toml:1:", 0) == 0);
  }
  SECTION("wrong type") {
    auto p = load_policy("[eligibility]\nmin_age = \"65\"\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() == "p.toml:2:11: eligibility.min_age: must be an integer");
  }
  SECTION("too many decimals for an exact weight") {
    auto p = load_policy("[dispatch]\nweight_quality = 0.123456\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("at most 4 decimals") != std::string::npos);
  }
  SECTION("unknown time zone") {
    auto p = load_policy("time_zone = \"Mars/Base\"\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("time_zone") != std::string::npos);
  }
  SECTION("overlapping meal bands") {
    auto p = load_policy("[subsidy]\nmeal_bands = [{min_age=65, max_age=80, fen=900},{min_age=75, fen=1000}]\n", "p.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message().find("overlap") != std::string::npos);
  }
}

TEST_CASE("a policy can change a number and keep the others", "[policy]") {
  auto p = load_policy("effective_from = \"2027-01\"\n[eligibility]\nmin_age = 60\n", "p.toml");
  REQUIRE(p.ok());
  CHECK(p->eligibility_min_age == 60);
  CHECK(p->effective_from == YearMonth{2027, 1});
  REQUIRE(p->programmes.size() == 1);
  CHECK(p->programmes[0].monthly == 5000);
}
