#pragma once
// Time helpers: ISO 8601 parsing and formatting, civil dates, months, and a TimeZone read from
// the system's TZif files (/usr/share/zoneinfo). Times are stored as UTC milliseconds and shown
// in the business time zone (Asia/Shanghai by default). All functions are pure; TimeZone is
// immutable after load and safe to share between threads.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"

namespace vnh {

constexpr TimeMs kMsPerSecond = 1000;
constexpr TimeMs kMsPerMinute = 60 * kMsPerSecond;
constexpr TimeMs kMsPerHour = 60 * kMsPerMinute;
constexpr TimeMs kMsPerDay = 24 * kMsPerHour;

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const Date&) const = default;
};

struct YearMonth {
  int year = 1970;
  int month = 1;
  auto operator<=>(const YearMonth&) const = default;
  YearMonth next() const { return month == 12 ? YearMonth{year + 1, 1} : YearMonth{year, month + 1}; }
  YearMonth prev() const { return month == 1 ? YearMonth{year - 1, 12} : YearMonth{year, month - 1}; }
  std::string to_string() const;  // "YYYY-MM"
};

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
std::int64_t days_from_civil(Date d);
Date civil_from_days(std::int64_t days);
bool valid_date(int y, int m, int d);
// Completed years between birth and on (the age on `on`; a birthday on `on` counts).
int age_on(Date birth, Date on);

Result<Date> parse_date(std::string_view s);           // YYYY-MM-DD
Result<YearMonth> parse_year_month(std::string_view s);  // YYYY-MM
std::string format_date(Date d);

class TimeZone {
 public:
  // Loads a zone by IANA name from $TZDIR or /usr/share/zoneinfo. "UTC" and fixed offsets
  // ("+08:00") need no file; Asia/Shanghai falls back to its fixed +08:00 (exact since 1991)
  // when no zoneinfo is installed.
  static Result<std::shared_ptr<const TimeZone>> load(const std::string& name);
  static std::shared_ptr<const TimeZone> fixed(std::string name, int offset_seconds);

  const std::string& name() const { return name_; }
  // Offset from UTC in seconds at a UTC instant.
  int offset_at(TimeMs utc) const;
  // UTC instant of a local wall-clock time (seconds precision). For a time in a gap or an
  // overlap the earlier offset is used.
  TimeMs to_utc(Date d, int hour, int minute, int second) const;
  Date local_date(TimeMs utc) const;
  // [start, end) of a local calendar day / month in UTC ms.
  TimeMs day_start(Date d) const { return to_utc(d, 0, 0, 0); }
  TimeMs month_start(YearMonth m) const { return to_utc(Date{m.year, m.month, 1}, 0, 0, 0); }
  YearMonth local_month(TimeMs utc) const;

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int> offsets_;               // offset after each transition
  int initial_offset_ = 0;                 // before the first transition
};

// Parses ISO 8601 with a mandatory offset: YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM|±HHMM).
Result<TimeMs> parse_time(std::string_view s);
// Formats a UTC instant in the given zone: 2026-10-05T09:30:00+08:00 (milliseconds shown only
// when non-zero).
std::string format_time(TimeMs utc, const TimeZone& tz);
std::string format_time_utc(TimeMs utc);  // 2026-10-05T01:30:00Z

}  // namespace vnh
