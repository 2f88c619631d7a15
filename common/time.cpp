#include "common/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "common/file.hpp"

namespace vnh {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::int64_t be64(const unsigned char* p) {
  return static_cast<std::int64_t>((std::uint64_t(be32(p)) << 32) | be32(p + 4));
}

}  // namespace

std::string YearMonth::to_string() const { return fmt::format("{:04}-{:02}", year, month); }

std::int64_t days_from_civil(Date d) {
  // Howard Hinnant's algorithm.
  int y = d.year - (d.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned mp = static_cast<unsigned>(d.month + (d.month > 2 ? -3 : 9));
  unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date civil_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

bool valid_date(int y, int m, int d) {
  if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) max = 29;
  return d <= max;
}

int age_on(Date birth, Date on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

Result<Date> parse_date(std::string_view s) {
  Date d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, d.year) ||
      !digits(s, 5, 2, d.month) || !digits(s, 8, 2, d.day)) {
    return invalid("", fmt::format("'{}' is not a date YYYY-MM-DD", s));
  }
  if (!valid_date(d.year, d.month, d.day)) return invalid("", fmt::format("'{}' is not a calendar date", s));
  return d;
}

Result<YearMonth> parse_year_month(std::string_view s) {
  YearMonth m;
  if (s.size() != 7 || s[4] != '-' || !digits(s, 0, 4, m.year) || !digits(s, 5, 2, m.month) ||
      m.month < 1 || m.month > 12 || m.year < 1900 || m.year > 2999) {
    return invalid("", fmt::format("'{}' is not a month YYYY-MM", s));
  }
  return m;
}

std::string format_date(Date d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

Result<TimeMs> parse_time(std::string_view s) {
  auto bad = [&](const char* why) {
    return invalid("", fmt::format("'{}' is not an ISO 8601 time with offset ({})", s, why));
  };
  Date d;
  int hh = 0, mm = 0, ss = 0, ms = 0;
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || !digits(s, 0, 4, d.year) || !digits(s, 5, 2, d.month) || !digits(s, 8, 2, d.day) ||
      !digits(s, 11, 2, hh) || !digits(s, 14, 2, mm)) {
    return bad("expected YYYY-MM-DDTHH:MM:SS+08:00");
  }
  size_t p = 16;
  if (p < s.size() && s[p] == ':') {
    if (!digits(s, p + 1, 2, ss)) return bad("bad seconds");
    p += 3;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      int scale = 100, n = 0;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (n < 3) ms += (s[p] - '0') * scale;
        scale /= 10;
        ++n;
        ++p;
      }
      if (n == 0) return bad("empty fraction");
    }
  }
  if (!valid_date(d.year, d.month, d.day)) return bad("not a calendar date");
  if (hh > 23 || mm > 59 || ss > 60) return bad("time of day out of range");
  if (ss == 60) ss = 59;  // leap second: clamp
  int off = 0;
  if (p >= s.size()) return bad("missing UTC offset");
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    int sign = s[p] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!digits(s, p + 1, 2, oh)) return bad("bad offset");
    size_t q = p + 3;
    if (q < s.size() && s[q] == ':') ++q;
    if (!digits(s, q, 2, om)) return bad("bad offset");
    if (oh > 18 || om > 59) return bad("offset out of range");
    off = sign * (oh * 3600 + om * 60);
    p = q + 2;
  } else {
    return bad("missing UTC offset");
  }
  if (p != s.size()) return bad("trailing characters");
  std::int64_t secs = days_from_civil(d) * 86400 + hh * 3600 + mm * 60 + ss - off;
  return secs * 1000 + ms;
}

namespace {
// "YYYY-MM-DDTHH:MM:SS[.mmm]" of a wall-clock time, appended in one pass: every ticket in a
// response carries several times, so no intermediate strings.
void append_wall_clock(fmt::memory_buffer& out, TimeMs t) {
  std::int64_t secs = floor_div(t, 1000);
  int ms = static_cast<int>(t - secs * 1000);
  Date d = civil_from_days(floor_div(secs, 86400));
  int sod = static_cast<int>(secs - floor_div(secs, 86400) * 86400);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", d.year, d.month, d.day, sod / 3600,
                 (sod / 60) % 60, sod % 60);
  if (ms) fmt::format_to(std::back_inserter(out), ".{:03}", ms);
}
}  // namespace

std::string format_time_utc(TimeMs utc) {
  fmt::memory_buffer out;
  append_wall_clock(out, utc);
  out.push_back('Z');
  return fmt::to_string(out);
}

std::string format_time(TimeMs utc, const TimeZone& tz) {
  int off = tz.offset_at(utc);
  fmt::memory_buffer out;
  append_wall_clock(out, utc + static_cast<TimeMs>(off) * 1000);
  int a = off < 0 ? -off : off;
  fmt::format_to(std::back_inserter(out), "{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
  return fmt::to_string(out);
}

std::shared_ptr<const TimeZone> TimeZone::fixed(std::string name, int offset_seconds) {
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = std::move(name);
  tz->initial_offset_ = offset_seconds;
  return tz;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::load(const std::string& name) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return fixed(name, 0);
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    auto t = parse_time("2000-01-01T00:00:00" + name);
    if (!t.ok()) return invalid("time_zone", fmt::format("bad fixed offset '{}'", name));
    return fixed(name, static_cast<int>((946684800000LL - *t) / 1000));
  }
  if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') {
    return invalid("time_zone", fmt::format("'{}' is not an IANA time zone name", name));
  }
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  auto bytes = read_file(path);
  if (!bytes) {
    if (name == "Asia/Shanghai" || name == "PRC") return fixed(name, 8 * 3600);
    return invalid("time_zone", fmt::format("unknown time zone '{}' (no {})", name, path));
  }
  const std::string& data = *bytes;
  auto bad = [&]() { return invalid("time_zone", fmt::format("'{}' is not a valid TZif file", path)); };
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  if (n < 44 || std::memcmp(p, "TZif", 4) != 0) return bad();
  auto counts = [&](size_t at, std::uint32_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = be32(p + at + 20 + 4 * i);
  };
  std::uint32_t c[6];  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  counts(0, c);
  size_t v1 = c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
  bool v2 = p[4] >= '2';
  size_t at = 44;
  int tsize = 4;
  if (v2) {
    at = 44 + v1;
    if (n < at + 44 || std::memcmp(p + at, "TZif", 4) != 0) return bad();
    counts(at, c);
    at += 44;
    tsize = 8;
  }
  size_t need = c[3] * (tsize + 1) + c[4] * 6;
  if (n < at + need || c[4] == 0) return bad();
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = name;
  std::vector<int> type_off(c[4]);
  const unsigned char* types = p + at + c[3] * tsize + c[3];
  for (std::uint32_t i = 0; i < c[4]; ++i) {
    type_off[i] = static_cast<std::int32_t>(be32(types + 6 * i));
  }
  tz->initial_offset_ = type_off[0];
  for (std::uint32_t i = 0; i < c[3]; ++i) {
    std::int64_t t = tsize == 8 ? be64(p + at + 8 * i) : static_cast<std::int32_t>(be32(p + at + 4 * i));
    unsigned idx = p[at + c[3] * tsize + i];
    if (idx >= c[4]) return bad();
    tz->transitions_.push_back(t);
    tz->offsets_.push_back(type_off[idx]);
  }
  return std::shared_ptr<const TimeZone>(tz);
}

int TimeZone::offset_at(TimeMs utc) const {
  std::int64_t s = floor_div(utc, 1000);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin() - 1)];
}

TimeMs TimeZone::to_utc(Date d, int hour, int minute, int second) const {
  std::int64_t local = days_from_civil(d) * 86400 + hour * 3600 + minute * 60 + second;
  // Try the offsets in force around that wall time; take the earliest consistent one, and in
  // a gap (no consistent offset) the offset before it.
  int before = offset_at((local - 86400) * 1000);
  int after = offset_at((local + 86400) * 1000);
  bool found = false;
  std::int64_t best = 0;
  for (int o : {before, after}) {
    std::int64_t cand = local - o;
    if (offset_at(cand * 1000) == o && (!found || cand < best)) {
      best = cand;
      found = true;
    }
  }
  return (found ? best : local - before) * 1000;
}

Date TimeZone::local_date(TimeMs utc) const {
  std::int64_t local = floor_div(utc, 1000) + offset_at(utc);
  return civil_from_days(floor_div(local, 86400));
}

YearMonth TimeZone::local_month(TimeMs utc) const {
  Date d = local_date(utc);
  return {d.year, d.month};
}

}  // namespace vnh
