#include <catch2/catch.hpp>

#include "domain/visit.hpp"

using namespace vnh;
using namespace vnh::domain;

namespace {
// ~1 m of latitude is 1/111195 degrees on the 6,371 km sphere.
constexpr double kDegPerMetre = 1.0 / 111194.93;
}  // namespace

TEST_CASE("a check-in more than 300 m from home is a distance exception", "[visit]") {
  VisitRules rules;
  LatLon home{36.06, 103.83};
  CheckInFacts near{home, {home.lat + 299 * kDegPerMetre, home.lon}, true, std::nullopt, 0};
  CHECK(verify_check_in(near, rules).empty());
  CheckInFacts far{home, {home.lat + 301 * kDegPerMetre, home.lon}, true, std::nullopt, 0};
  auto f = verify_check_in(far, rules);
  REQUIRE(f.size() == 1);
  CHECK(f[0].type == VisitExceptionType::kDistance);
  CHECK(f[0].detail.find("301 m") != std::string::npos);
  // The same values by name, for the console's words.
  CHECK(f[0].facts == std::vector<VisitFact>{{"distance_m", 301}, {"limit_m", 300}});
}

TEST_CASE("a worker who is not the firm's is flagged", "[visit]") {
  CheckInFacts f{{36, 103}, {36, 103}, false, std::nullopt, 0};
  auto r = verify_check_in(f, VisitRules{});
  REQUIRE(r.size() == 1);
  CHECK(r[0].type == VisitExceptionType::kForeignWorker);
}

TEST_CASE("visits shorter than half the standard duration are flagged, exactly half is not", "[visit]") {
  VisitRules rules;
  TimeMs in = 1'000'000'000'000;
  CheckOutFacts half{in, in + 15 * 60000, 30, std::nullopt, 0};
  CHECK(verify_check_out(half, rules).empty());
  CheckOutFacts short_by_a_second{in, in + 15 * 60000 - 1000, 30, std::nullopt, 0};
  auto r = verify_check_out(short_by_a_second, rules);
  REQUIRE(r.size() == 1);
  CHECK(r[0].type == VisitExceptionType::kShortVisit);
  SECTION("odd standard durations use exact arithmetic") {
    CheckOutFacts odd{in, in + 22 * 60000 + 30000, 45, std::nullopt, 0};  // 22.5 of 45 min
    CHECK(verify_check_out(odd, rules).empty());
  }
}

TEST_CASE("a check-out before the check-in is flagged as out of order, not as short", "[visit]") {
  TimeMs in = 1'000'000'000'000;
  auto r = verify_check_out({in, in - 60000, 30, std::nullopt, 0}, VisitRules{});
  REQUIRE(r.size() == 1);
  CHECK(r[0].type == VisitExceptionType::kCheckoutBeforeCheckin);
}

TEST_CASE("device clocks far from server time are flagged", "[visit]") {
  VisitRules rules;
  TimeMs now = 1'000'000'000'000;
  CheckInFacts ok{{36, 103}, {36, 103}, true, now + 299'000, now};
  CHECK(verify_check_in(ok, rules).empty());
  CheckInFacts skewed{{36, 103}, {36, 103}, true, now - 301'000, now};
  auto r = verify_check_in(skewed, rules);
  REQUIRE(r.size() == 1);
  CHECK(r[0].type == VisitExceptionType::kDeviceClock);
  CHECK(r[0].detail.find("behind") != std::string::npos);
}

TEST_CASE("reason codes are a closed list", "[visit]") {
  CHECK(valid_clear_reason("no_signal_indoors"));
  CHECK(valid_clear_reason("elder_met_outside"));
  CHECK(valid_clear_reason("device_clock_wrong"));
  CHECK_FALSE(valid_clear_reason("because"));
  CHECK(valid_uphold_reason("record_falsified"));
  CHECK_FALSE(valid_uphold_reason("no_signal_indoors"));
  CHECK(parse_visit_exception_type("short_visit") == VisitExceptionType::kShortVisit);
  CHECK_FALSE(parse_visit_exception_type("bogus").has_value());
}
