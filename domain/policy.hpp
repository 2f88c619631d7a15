#pragma once
// Policy: every number of SPEC §4–§6 in one value, loaded from a TOML file (data/policy.toml
// holds Lanzhou's defaults). Weights and coefficients are exact integers (ten-thousandths and
// hundredths) so assessments never drift. Validated at load with `file:line:column: reason`
// errors. Immutable after load; share by const reference or shared_ptr.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/types.hpp"
#include "domain/visit.hpp"

namespace vnh::domain {

using Fen = std::int64_t;

struct MealBand {
  int min_age = 0;
  std::optional<int> max_age;  // inclusive; none = no upper bound
  Fen fen = 0;
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
  std::vector<ElderCategory> credit_categories{ElderCategory::kB};
  Fen monthly_credit_fen = 5000;
  std::vector<MealBand> meal_bands{{65, 74, 900}, {75, std::nullopt, 1000}};  // ascending min_age

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

  std::string default_area_code = "0931";
  int ring_timeout_s = 30;  // a call nobody answers in this long is missed (SPEC §11)

  bool is_fully_funded(ElderCategory c) const;
  bool has_credit(ElderCategory c) const;
  // The coefficient band for a total score in hundredths.
  const ScoreBand& band_for(std::int64_t total_hundredths) const;
  // Meal subsidy by age before capping at the price.
  Fen meal_subsidy_for_age(int age) const;
};

// Parses and validates a policy. `source` names the file in error messages.
Result<Policy> load_policy(std::string_view toml_text, std::string_view source);
Result<Policy> load_policy_file(const std::string& path);

}  // namespace vnh::domain
