#include "domain/rrule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "common/text.hpp"

namespace vnh::domain {
namespace {

constexpr std::array<const char*, 7> kDays{"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

Status bad(const std::string& what) { return invalid("rule", what); }

Result<Date> compact_date(std::string_view s) {
  if (s.size() != 8 || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return bad("UNTIL must be a date YYYYMMDD or a UTC time YYYYMMDDTHHMMSSZ");
  }
  int y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(4, 2))),
      d = std::stoi(std::string(s.substr(6, 2)));
  if (!valid_date(y, m, d)) return bad(fmt::format("UNTIL {} is not a date", s));
  return Date{y, m, d};
}

// Whether day `d` (on or after starts_on) is in the series, COUNT and UNTIL aside.
bool matches(const RecurrenceRule& r, Date starts_on, Date d) {
  const std::int64_t n = days_from_civil(d), s = days_from_civil(starts_on);
  if (n < s) return false;
  const int wd = weekday_of(d);
  if (r.freq == RecurrenceRule::Freq::kDaily) {
    if ((n - s) % r.interval != 0) return false;
    return r.byday == 0 || (r.byday & (1u << wd));
  }
  const std::int64_t week = ((n - wd) - (s - weekday_of(starts_on))) / 7;
  if (week % r.interval != 0) return false;
  const unsigned days = r.byday ? r.byday : (1u << weekday_of(starts_on));
  return (days & (1u << wd)) != 0;
}

}  // namespace

int weekday_of(Date d) {
  // 1970-01-01 was a Thursday (3).
  const std::int64_t n = days_from_civil(d);
  return static_cast<int>(((n % 7) + 7 + 3) % 7);
}

Result<RecurrenceRule> parse_rrule(std::string_view text) {
  RecurrenceRule r;
  std::string t(trim(text));
  if (t.rfind("RRULE:", 0) == 0) t = t.substr(6);
  if (t.empty()) return bad("is required (e.g. FREQ=WEEKLY;BYDAY=MO,TH)");
  bool freq = false, interval = false, byday = false;
  for (const auto& part : split(t, ';')) {
    auto eq = part.find('=');
    if (eq == std::string::npos) return bad(fmt::format("'{}' is not NAME=VALUE", part));
    std::string name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "FREQ") {
      if (freq) return bad("FREQ is given twice");
      freq = true;
      if (value == "DAILY") {
        r.freq = RecurrenceRule::Freq::kDaily;
      } else if (value == "WEEKLY") {
        r.freq = RecurrenceRule::Freq::kWeekly;
      } else {
        return bad(fmt::format("FREQ={} is not supported (DAILY or WEEKLY)", value));
      }
    } else if (name == "INTERVAL") {
      if (interval) return bad("INTERVAL is given twice");
      interval = true;
      auto n = parse_int(value);
      if (!n.ok() || *n < 1 || *n > 366) return bad("INTERVAL must be 1 to 366");
      r.interval = static_cast<int>(*n);
    } else if (name == "BYDAY") {
      if (byday) return bad("BYDAY is given twice");
      byday = true;
      for (const auto& d : split(value, ',')) {
        auto it = std::find(kDays.begin(), kDays.end(), d);
        if (it == kDays.end()) return bad(fmt::format("BYDAY {} is not one of MO TU WE TH FR SA SU", d));
        r.byday |= 1u << static_cast<unsigned>(it - kDays.begin());
      }
    } else if (name == "UNTIL") {
      if (r.until_date || r.until_time) return bad("UNTIL is given twice");
      if (value.size() == 16 && value[8] == 'T' && value[15] == 'Z') {
        VNH_ASSIGN_OR_RETURN(Date d, compact_date(value.substr(0, 8)));
        auto hh = parse_int(value.substr(9, 2)), mm = parse_int(value.substr(11, 2)), ss = parse_int(value.substr(13, 2));
        if (!hh.ok() || !mm.ok() || !ss.ok() || *hh > 23 || *mm > 59 || *ss > 59) return bad("UNTIL has a bad time");
        r.until_time = days_from_civil(d) * 86'400'000 + (*hh * 3600 + *mm * 60 + *ss) * 1000;
      } else {
        VNH_ASSIGN_OR_RETURN(r.until_date, compact_date(value));
      }
    } else if (name == "COUNT") {
      if (r.count) return bad("COUNT is given twice");
      auto n = parse_int(value);
      if (!n.ok() || *n < 1 || *n > 10000) return bad("COUNT must be 1 to 10000");
      r.count = static_cast<int>(*n);
    } else {
      return bad(fmt::format("{} is not supported (FREQ, INTERVAL, BYDAY, UNTIL, COUNT)", name));
    }
  }
  if (!freq) return bad("FREQ is required");
  if (r.count && (r.until_date || r.until_time)) return bad("give UNTIL or COUNT, not both");
  return r;
}

std::string format_rrule(const RecurrenceRule& r) {
  std::string out = r.freq == RecurrenceRule::Freq::kDaily ? "FREQ=DAILY" : "FREQ=WEEKLY";
  if (r.interval != 1) out += fmt::format(";INTERVAL={}", r.interval);
  if (r.byday) {
    std::string days;
    for (unsigned d = 0; d < 7; ++d) {
      if (r.byday & (1u << d)) days += (days.empty() ? "" : ",") + std::string(kDays[d]);
    }
    out += ";BYDAY=" + days;
  }
  if (r.until_date) {
    out += fmt::format(";UNTIL={:04}{:02}{:02}", r.until_date->year, r.until_date->month, r.until_date->day);
  } else if (r.until_time) {
    const TimeMs t = *r.until_time;
    Date d = civil_from_days(t / 86'400'000);
    std::int64_t secs = (t % 86'400'000) / 1000;
    out += fmt::format(";UNTIL={:04}{:02}{:02}T{:02}{:02}{:02}Z", d.year, d.month, d.day, secs / 3600, secs / 60 % 60, secs % 60);
  }
  if (r.count) out += fmt::format(";COUNT={}", *r.count);
  return out;
}

std::vector<Date> occurrences(const RecurrenceRule& r, Date starts_on, Date from, Date to, int start_minute,
                              const TimeZone& tz) {
  std::vector<Date> out;
  // With COUNT the series is walked from its start so the N-th occurrence is known; without, only
  // the asked days are looked at.
  std::int64_t day = days_from_civil(r.count ? starts_on : std::max(from, starts_on));
  const std::int64_t last = days_from_civil(to);
  int seen = 0;
  for (; day <= last; ++day) {
    const Date d = civil_from_days(day);
    if (!matches(r, starts_on, d)) continue;
    if (r.until_date && d > *r.until_date) break;
    if (r.until_time && tz.to_utc(d, start_minute / 60, start_minute % 60, 0) > *r.until_time) break;
    ++seen;
    if (r.count && seen > *r.count) break;
    if (d >= from) out.push_back(d);
  }
  return out;
}

}  // namespace vnh::domain
