#pragma once
// Policy: every number of SPEC §4–§6 in one value, loaded from a TOML file (data/policy.toml
// holds Lanzhou's defaults). Weights and coefficients are exact integers (ten-thousandths and
// hundredths) so assessments never drift. Validated at load with `file:line:column: reason`
// errors. Immutable after load; share by const reference or shared_ptr.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/programmes.hpp"
#include "domain/types.hpp"
#include "domain/visit.hpp"

namespace vnh::domain {

using Fen = std::int64_t;

// One meal rule of the policy's [meals] (SPEC §12): the first rule whose slot, categories
// and ages match the elder on the day gives the government's share, capped at the price.
struct MealRule {
  MealSlot slot = MealSlot::kLunch;
  std::vector<ElderCategory> categories;  // empty: any category
  std::optional<int> min_age, max_age;    // completed years on the day, inclusive
  bool full = false;                      // share = "full": the whole price
  Fen fen = 0;
  std::string name;  // as the statements show it ("lunch_65_74" unless the policy names it)
  bool matches(MealSlot s, ElderCategory c, int age) const;
};

struct MealSplit {
  Fen government = 0;
  Fen elder = 0;
  std::string rule;  // the matching rule's name, "no_rule", or "second_meal"
};

struct MealPolicy {
  std::array<Fen, 3> price{600, 1500, 1500};  // by slot: breakfast, lunch, dinner
  std::vector<MealRule> rules;                // first match wins
  int order_cutoff_min = 15 * 60;             // orders close at this time the day before
  std::vector<ElderCategory> free_delivery{ElderCategory::kD};
  Fen delivery_fee_fen = 300;                 // what an elder outside free_delivery pays for a delivery
  Fen operating_subsidy_fen = 0;              // per subsidised canteen meal
  int override_alert_share = 500;             // ten-thousandths (0.05)

  Fen price_of(MealSlot s) const { return price[static_cast<size_t>(s)]; }
  // The split of a meal at `price` that takes the day's subsidised place for its slot.
  MealSplit split(MealSlot slot, ElderCategory c, int age, Fen price) const;
  // The split of a later meal the same day and slot: the elder pays the whole price.
  static MealSplit second_meal(Fen price) { return {0, price, "second_meal"}; }
  bool free_delivery_for(ElderCategory c) const;
};

struct ScoreBand {
  std::int64_t min_total = 0;    // hundredths of a point (9000 = 90.00)
  std::int64_t coefficient = 0;  // hundredths (95 = 0.95)
  bool exit_review = false;
};

struct Policy {
  std::string source;          // file name or "built-in"
  std::string text;            // the TOML as loaded
  std::string digest;          // sha256 hex of text
  YearMonth effective_from{2000, 1};
  std::string time_zone_name = "Asia/Shanghai";
  std::shared_ptr<const TimeZone> tz;

  int eligibility_min_age = 65;

  std::vector<ElderCategory> full_funding{ElderCategory::kA, ElderCategory::kD};
  // Programmes (SPEC §13) in the order tickets draw on them; Lanzhou's default is B's credit.
  std::vector<Programme> programmes = default_programmes();
  int longevity_allowance_age = 80;  // 高龄津贴: the eligibility watch lists who reaches it
  MealPolicy meals = default_meals();

  // Assessment weights in ten-thousandths; each group sums to 10000.
  int w_enterprise = 2000, w_norms = 2500, w_quality = 3500, w_staff = 2000;
  int q_satisfaction = 5000, q_punctuality = 3000, q_verified = 2000;
  // Descending min_total; the last starts at 0.
  std::vector<ScoreBand> bands{{9000, 100, false}, {8000, 95, false}, {7000, 90, false}, {6000, 80, false}, {0, 50, true}};
  Fen complaint_deduction_fen = 5000;

  int offer_timeout_normal_s = 600;
  int offer_timeout_emergency_s = 60;
  std::int64_t low_score_threshold = 6000;  // hundredths
  int continuity_days = 90;
  int d_quality = 4000, d_load = 3000, d_distance = 2000, d_rotation = 1000;  // ten-thousandths

  VisitRules visits;

  int callback_sample_permille = 100;  // 10% = 100‰
  int callback_min_per_firm = 1;
  int callback_daily_capacity = 200;  // the most callbacks the hotline can make in a day
  int callback_max_attempts = 3;      // calls that do not reach the elder before a ticket leaves the queue
  int new_worker_days = 30;
  int complaint_lookback_days = 90;

  int session_ttl_minutes = 480;
  int lockout_failures = 5;
  int lockout_minutes = 15;
  PasswordParams password;

  int heartbeat_interval_s = 20;
  int ack_timeout_s = 10;
  int max_resends = 5;
  int max_frame_bytes = 64 * 1024;

  // The issuing office printed on the monthly statements (SPEC §6, issue 20).
  std::string statement_office = "兰州市城关区民政局";

  std::string default_area_code = "0931";
  int ring_timeout_s = 30;  // a call nobody answers in this long is missed (SPEC §11)

  // Care visits (SPEC §14): days between visits by tier (high, key, general).
  std::array<int, 3> care_interval_days{7, 30, 90};
  int care_event_due_hours = 24;  // an event makes the next visit due within this long
  // Recurring orders: occurrences are made this many days ahead.
  int recurrence_lead_days = 2;

  int care_interval(CareTier t) const { return care_interval_days[static_cast<size_t>(t)]; }
  // When an event at `now` makes the next care visit due (SPEC §14).
  std::int64_t care_event_due_at(std::int64_t now_ms) const { return now_ms + care_event_due_hours * 3'600'000LL; }

  bool is_fully_funded(ElderCategory c) const;
  // Whether a ticket draws on the elder's programme grants (SPEC §6.2): not a meal (the meal
  // rules pay those), not a fully funded elder's (the whole price).
  bool draws_on_grants(ElderCategory c, bool meal) const { return !meal && !is_fully_funded(c); }
  // The coefficient band for a total score in hundredths.
  const ScoreBand& band_for(std::int64_t total_hundredths) const;
  // Lanzhou's meal rules: lunch — A and D full, 65–74 900 fen, 75 and over 1000; no other slot.
  static MealPolicy default_meals();
  // B's monthly credit of 5000 fen for any non-meal item.
  static std::vector<Programme> default_programmes();
};

// Parses and validates a policy. `source` names the file in error messages.
Result<Policy> load_policy(std::string_view toml_text, std::string_view source);
Result<Policy> load_policy_file(const std::string& path);

}  // namespace vnh::domain
