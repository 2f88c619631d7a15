#pragma once
// Recurring orders' rules (SPEC §14): the RFC 5545 RRULE subset FREQ=DAILY|WEEKLY, INTERVAL,
// BYDAY, UNTIL, COUNT, with the series starting on `starts_on` (DTSTART) and each occurrence at
// the order's window start, in the business time zone. Pure.
//
// - DAILY: every INTERVAL-th day from starts_on; with BYDAY, only on those weekdays.
// - WEEKLY: the listed weekdays (starts_on's weekday when none) of every INTERVAL-th week,
//   weeks starting on Monday (WKST=MO) counted from the week of starts_on; never before it.
// - UNTIL: a date (20261031: that day included) or a UTC date-time (20261031T160000Z): an
//   occurrence whose start — its day at the window's start, local time — is after it is not one.
// - COUNT: the first N occurrences. UNTIL and COUNT together are refused (RFC 5545).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"

namespace vnh::domain {

struct RecurrenceRule {
  enum class Freq { kDaily, kWeekly };
  Freq freq = Freq::kDaily;
  int interval = 1;
  unsigned byday = 0;  // bit d for weekday d (0 = Monday … 6 = Sunday); 0: none given
  std::optional<Date> until_date;
  std::optional<TimeMs> until_time;  // UTC
  std::optional<int> count;
};

// Parses the rule; errors say which part ("INTERVAL must be 1 to 366"), field `rule`.
Result<RecurrenceRule> parse_rrule(std::string_view text);
// The rule written back in a canonical order (FREQ;INTERVAL;BYDAY;UNTIL|COUNT).
std::string format_rrule(const RecurrenceRule& r);

// 0 = Monday … 6 = Sunday.
int weekday_of(Date d);

// The occurrences in [from, to] (days), in order. `start_minute` is the window's start (minutes
// after local midnight) for UNTIL date-times; `tz` converts it.
std::vector<Date> occurrences(const RecurrenceRule& r, Date starts_on, Date from, Date to, int start_minute,
                              const TimeZone& tz);

}  // namespace vnh::domain
