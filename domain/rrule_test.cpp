#include <catch2/catch.hpp>

#include "domain/rrule.hpp"

using namespace vnh;
using namespace vnh::domain;

namespace {
const auto kTz = *TimeZone::load("Asia/Shanghai");
std::vector<Date> occ(const std::string& rule, Date start, Date from, Date to, int minute = 9 * 60) {
  auto r = parse_rrule(rule);
  REQUIRE(r.ok());
  return occurrences(*r, start, from, to, minute, *kTz);
}
}  // namespace

TEST_CASE("weekdays: 2026-12-01 is a Tuesday, 2026-10-26 a Monday", "[rrule]") {
  CHECK(weekday_of({2026, 12, 1}) == 1);
  CHECK(weekday_of({2026, 10, 26}) == 0);
  CHECK(weekday_of({2026, 11, 1}) == 6);
}

TEST_CASE("DAILY with INTERVAL crosses a month end", "[rrule]") {
  CHECK(occ("FREQ=DAILY;INTERVAL=2", {2026, 10, 30}, {2026, 10, 1}, {2026, 11, 4}) ==
        std::vector<Date>{{2026, 10, 30}, {2026, 11, 1}, {2026, 11, 3}});
  // Asked from a later day, the series still counts from its start (odd days of November).
  CHECK(occ("FREQ=DAILY;INTERVAL=2", {2026, 10, 30}, {2026, 11, 4}, {2026, 11, 8}) ==
        std::vector<Date>{{2026, 11, 5}, {2026, 11, 7}});
  // DAILY with BYDAY: weekdays only.
  CHECK(occ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", {2026, 11, 27}, {2026, 11, 27}, {2026, 12, 1}) ==
        std::vector<Date>{{2026, 11, 27}, {2026, 11, 30}, {2026, 12, 1}});
}

TEST_CASE("WEEKLY with BYDAY and INTERVAL counts weeks from the week of the start, Monday first", "[rrule]") {
  // Starts Thursday 29 Oct: that Thursday (its Monday, the 26th, is before the start), then every
  // other week's Monday and Thursday.
  CHECK(occ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", {2026, 10, 29}, {2026, 10, 1}, {2026, 11, 30}) ==
        std::vector<Date>{{2026, 10, 29}, {2026, 11, 9}, {2026, 11, 12}, {2026, 11, 23}, {2026, 11, 26}});
  // No BYDAY: the start's weekday.
  CHECK(occ("FREQ=WEEKLY", {2026, 11, 3}, {2026, 11, 1}, {2026, 11, 30}) ==
        std::vector<Date>{{2026, 11, 3}, {2026, 11, 10}, {2026, 11, 17}, {2026, 11, 24}});
}

TEST_CASE("UNTIL across a month end in Asia/Shanghai: a UTC time against the window's local start", "[rrule]") {
  // 2026-10-31T16:00Z is midnight of 1 November in Shanghai: the 09:00 visit of the 1st is after it.
  CHECK(occ("FREQ=DAILY;UNTIL=20261031T160000Z", {2026, 10, 29}, {2026, 10, 29}, {2026, 11, 5}) ==
        std::vector<Date>{{2026, 10, 29}, {2026, 10, 30}, {2026, 10, 31}});
  // 01:00Z of the 1st is 09:00 in Shanghai: the 1st is included; a second earlier, not.
  CHECK(occ("FREQ=DAILY;UNTIL=20261101T010000Z", {2026, 10, 29}, {2026, 10, 29}, {2026, 11, 5}).back() == Date{2026, 11, 1});
  CHECK(occ("FREQ=DAILY;UNTIL=20261101T005959Z", {2026, 10, 29}, {2026, 10, 29}, {2026, 11, 5}).back() == Date{2026, 10, 31});
  // A date: that day included.
  CHECK(occ("FREQ=DAILY;UNTIL=20261031", {2026, 10, 29}, {2026, 10, 29}, {2026, 11, 5}).back() == Date{2026, 10, 31});
}

TEST_CASE("COUNT: the first N occurrences, however late the window asked", "[rrule]") {
  CHECK(occ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", {2026, 10, 27}, {2026, 11, 1}, {2026, 11, 30}) ==
        std::vector<Date>{{2026, 11, 3}, {2026, 11, 10}});
  CHECK(occ("FREQ=DAILY;COUNT=2", {2026, 10, 27}, {2026, 11, 1}, {2026, 11, 30}).empty());
}

TEST_CASE("rules are parsed strictly and written back canonically", "[rrule]") {
  auto r = parse_rrule("RRULE:BYDAY=TH,MO;FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T155959Z");
  REQUIRE(r.ok());
  CHECK(format_rrule(*r) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20261231T155959Z");
  for (auto [text, part] : {std::pair{"", "required"}, {"FREQ=MONTHLY", "FREQ=MONTHLY"}, {"FREQ=DAILY;INTERVAL=0", "INTERVAL"},
                            {"FREQ=WEEKLY;BYDAY=XX", "BYDAY XX"}, {"FREQ=DAILY;UNTIL=20261340", "not a date"},
                            {"FREQ=DAILY;COUNT=3;UNTIL=20261231", "not both"}, {"INTERVAL=2", "FREQ is required"},
                            {"FREQ=DAILY;BYSETPOS=1", "BYSETPOS"}, {"FREQ=DAILY;FREQ=DAILY", "twice"}}) {
    auto bad = parse_rrule(text);
    INFO(text);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().field() == "rule");
    CHECK_THAT(bad.status().message(), Catch::Contains(part));
  }
}
