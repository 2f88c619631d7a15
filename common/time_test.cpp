#include <catch2/catch.hpp>

#include "common/time.hpp"

using namespace vnh;

namespace {
std::shared_ptr<const TimeZone> shanghai() { return *TimeZone::load("Asia/Shanghai"); }
}  // namespace

TEST_CASE("ISO 8601 times with an offset parse to UTC milliseconds", "[time]") {
  CHECK(*parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(*parse_time("1970-01-01T08:00:00+08:00") == 0);
  CHECK(*parse_time("2026-10-05T09:30:00+08:00") == *parse_time("2026-10-05T01:30:00Z"));
  CHECK(*parse_time("2026-10-05T09:30:00+0800") == *parse_time("2026-10-05T01:30:00+00:00"));
  CHECK(*parse_time("2026-10-05T09:30+08:00") == *parse_time("2026-10-05T01:30:00Z"));
  CHECK(*parse_time("2026-10-05T01:30:00.250Z") - *parse_time("2026-10-05T01:30:00Z") == 250);
  SECTION("refuses what is not a time with an offset") {
    CHECK_FALSE(parse_time("2026-10-05T09:30:00").ok());
    CHECK_FALSE(parse_time("2026-10-05").ok());
    CHECK_FALSE(parse_time("2026-02-30T09:30:00+08:00").ok());
    CHECK_FALSE(parse_time("2026-10-05T24:00:00+08:00").ok());
    CHECK_FALSE(parse_time("2026-10-05T09:30:00+08:00x").ok());
    CHECK_FALSE(parse_time("").ok());
    CHECK(parse_time("2026-10-05T09:30:00").status().message().find("offset") != std::string::npos);
  }
}

TEST_CASE("times are shown in the business time zone", "[time]") {
  auto tz = shanghai();
  CHECK(format_time(*parse_time("2026-09-30T16:30:00+00:00"), *tz) == "2026-10-01T00:30:00+08:00");
  CHECK(format_time(*parse_time("2026-10-05T09:30:00+08:00"), *tz) == "2026-10-05T09:30:00+08:00");
  CHECK(format_time_utc(*parse_time("2026-10-05T09:30:00.5+08:00")) == "2026-10-05T01:30:00.500Z");
}

TEST_CASE("Asia/Shanghai month boundaries fall at local midnight", "[time]") {
  auto tz = shanghai();
  TimeMs start = tz->month_start({2026, 10});
  CHECK(start == *parse_time("2026-09-30T16:00:00Z"));
  CHECK(tz->month_start(YearMonth{2026, 10}.next()) == *parse_time("2026-10-31T16:00:00Z"));
  SECTION("23:59 and 00:00 local land in different months") {
    CHECK(tz->local_month(*parse_time("2026-09-30T23:59:00+08:00")) == YearMonth{2026, 9});
    CHECK(tz->local_month(*parse_time("2026-10-01T00:00:00+08:00")) == YearMonth{2026, 10});
    CHECK(tz->local_month(*parse_time("2026-09-30T15:59:59Z")) == YearMonth{2026, 9});
    CHECK(tz->local_month(*parse_time("2026-09-30T16:00:00Z")) == YearMonth{2026, 10});
  }
  SECTION("December rolls into the next year") {
    CHECK(YearMonth{2026, 12}.next() == YearMonth{2027, 1});
    CHECK(tz->month_start({2027, 1}) == *parse_time("2026-12-31T16:00:00Z"));
  }
}

TEST_CASE("a zone with daylight saving time converts both ways", "[time]") {
  auto tz = TimeZone::load("Europe/Berlin");
  REQUIRE(tz.ok());  // tzdata is a dependency installed by scripts/setup
  CHECK((*tz)->offset_at(*parse_time("2026-07-01T00:00:00Z")) == 7200);
  CHECK((*tz)->offset_at(*parse_time("2026-01-01T00:00:00Z")) == 3600);
  CHECK((*tz)->to_utc({2026, 7, 1}, 12, 0, 0) == *parse_time("2026-07-01T10:00:00Z"));
}

TEST_CASE("unknown zones and fixed offsets", "[time]") {
  CHECK_FALSE(TimeZone::load("Mars/Olympus").ok());
  CHECK_FALSE(TimeZone::load("../etc/passwd").ok());
  auto fixed = TimeZone::load("+05:30");
  REQUIRE(fixed.ok());
  CHECK((*fixed)->offset_at(0) == 19800);
}

TEST_CASE("ages are completed years, a birthday counting on the day", "[time]") {
  CHECK(age_on({1951, 10, 15}, {2026, 10, 14}) == 74);
  CHECK(age_on({1951, 10, 15}, {2026, 10, 15}) == 75);
  CHECK(age_on({1960, 2, 29}, {2025, 2, 28}) == 64);
  CHECK(age_on({1960, 2, 29}, {2025, 3, 1}) == 65);
}

TEST_CASE("civil dates round-trip through day numbers", "[time]") {
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    CHECK(days_from_civil(civil_from_days(d)) == d);
  }
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  CHECK(*parse_date("2026-01-05") == Date{2026, 1, 5});
  CHECK_FALSE(parse_date("2026-13-05").ok());
  CHECK(parse_year_month("2026-10")->month == 10);
  CHECK_FALSE(parse_year_month("2026-1").ok());
}
