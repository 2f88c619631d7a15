#pragma once
// Visit verification (SPEC §4.7, 上门服务核验): the rules that flag a check-in or check-out as
// an exception, and the documented reason codes a supervisor must give to clear or uphold one.
// Pure; distances use haversine on the 6,371,000 m sphere, durations exact integers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/geo.hpp"

namespace vnh::domain {

enum class VisitExceptionType { kDistance, kShortVisit, kCheckoutBeforeCheckin, kForeignWorker, kDeviceClock };

std::string_view to_string(VisitExceptionType t);
std::optional<VisitExceptionType> parse_visit_exception_type(std::string_view s);

struct VisitRules {
  double max_checkin_distance_m = 300;
  // A visit shorter than num/den of the item's standard duration is short.
  int min_duration_num = 1;
  int min_duration_den = 2;
  // Device time further than this from server time at check-in/out is flagged (live visits).
  TimeMs max_device_clock_skew_ms = 5 * 60 * 1000;
};

// A measured value of a finding, for the console's words ("distance_m": 1204).
using VisitFact = std::pair<std::string, std::int64_t>;
struct VisitFinding {
  VisitExceptionType type;
  std::string detail;             // an English sentence with the measured values, for logs and CSV
  std::vector<VisitFact> facts;   // the same values by name (docs/api.md lists them per type)
};

struct CheckInFacts {
  LatLon home;
  LatLon point;
  bool worker_of_firm = true;
  std::optional<TimeMs> device_time;  // live only
  TimeMs server_time = 0;
};

struct CheckOutFacts {
  TimeMs checkin_at = 0;
  TimeMs checkout_at = 0;
  int standard_duration_min = 0;
  std::optional<TimeMs> device_time;
  TimeMs server_time = 0;
};

std::vector<VisitFinding> verify_check_in(const CheckInFacts& f, const VisitRules& r);
std::vector<VisitFinding> verify_check_out(const CheckOutFacts& f, const VisitRules& r);

struct ReasonCode {
  std::string_view code;
  std::string_view label_zh;
  std::string_view label_en;
};
// Reason codes for clearing an exception (the visit was genuine) and for upholding it.
const std::vector<ReasonCode>& clear_reason_codes();
const std::vector<ReasonCode>& uphold_reason_codes();
bool valid_clear_reason(std::string_view code);
bool valid_uphold_reason(std::string_view code);

}  // namespace vnh::domain
