#include "common/text.hpp"

#include <vector>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace vnh {

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return o;
}

Result<std::int64_t> parse_int(std::string_view s) {
  if (s.empty()) return invalid("", "empty; an integer is required");
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) return invalid("", fmt::format("'{}' is out of range", s));
  if (ec != std::errc() || p != s.data() + s.size() || s[0] == '+') {
    return invalid("", fmt::format("'{}' is not an integer", s));
  }
  return v;
}

Result<std::int64_t> parse_fixed(std::string_view s, int scale) {
  auto bad = [&] { return invalid("", fmt::format("'{}' is not a decimal number with at most {} decimals", s, scale)); };
  if (s.empty()) return bad();
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  std::int64_t whole = 0;
  size_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
    if (whole > (std::numeric_limits<std::int64_t>::max() / 10 - 10)) return bad();
    whole = whole * 10 + (s[i] - '0');
  }
  if (digits == 0) return bad();
  std::int64_t frac = 0;
  int fd = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (++fd > scale) return bad();
      frac = frac * 10 + (s[i] - '0');
    }
    if (fd == 0) return bad();
  }
  if (i != s.size()) return bad();
  std::int64_t mul = 1;
  for (int k = 0; k < scale; ++k) mul *= 10;
  for (int k = fd; k < scale; ++k) frac *= 10;
  if (whole > std::numeric_limits<std::int64_t>::max() / mul - 1) return bad();
  std::int64_t v = whole * mul + frac;
  return neg ? -v : v;
}

std::string format_fixed(std::int64_t v, int scale) {
  std::int64_t mul = 1;
  for (int k = 0; k < scale; ++k) mul *= 10;
  bool neg = v < 0;
  std::uint64_t a = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  std::string out = fmt::format("{}{}", neg ? "-" : "", a / static_cast<std::uint64_t>(mul));
  if (scale > 0) out += fmt::format(".{:0{}}", a % static_cast<std::uint64_t>(mul), scale);
  return out;
}

Result<double> parse_double(std::string_view s) {
  double v = 0;
  if (s.empty()) return invalid("", "empty; a number is required");
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) return invalid("", fmt::format("'{}' is not a decimal number", s));
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) {
    return invalid("", fmt::format("'{}' is not a decimal number", s));
  }
  return v;
}

namespace {
// The length of the well-formed UTF-8 sequence at s[i] (shortest form, no surrogates), or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}
}  // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_sequence(s, i);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      out += fmt::format("\\x{:02X}", c);
      i += 1;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string utf8_encode(char32_t cp) {
  std::string o;
  if (cp < 0x80) {
    o += static_cast<char>(cp);
  } else if (cp < 0x800) {
    o += static_cast<char>(0xC0 | (cp >> 6));
    o += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    o += static_cast<char>(0xE0 | (cp >> 12));
    o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    o += static_cast<char>(0xF0 | (cp >> 18));
    o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return o;
}

namespace {
constexpr const char* kCapitalDigits[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};

// One group of up to four digits (0 < n < 10000) with 仟佰拾; `lead_zero` when a higher group
// came before and this one does not fill the thousands (100,0500 → 壹佰万零伍佰).
std::string capital_group(std::int64_t n, bool lead_zero) {
  static const char* units[] = {"仟", "佰", "拾", ""};
  std::string out;
  bool zero = lead_zero;
  for (int i = 0, div = 1000; i < 4; ++i, div /= 10) {
    int d = static_cast<int>(n / div % 10);
    if (d == 0) {
      if (!out.empty() || lead_zero) zero = true;
      continue;
    }
    if (zero && (!out.empty() || lead_zero)) out += "零";
    zero = false;
    out += kCapitalDigits[d];
    out += units[i];
  }
  return out;
}
}  // namespace

std::string chinese_capital_amount(std::int64_t fen) {
  std::string out;
  std::uint64_t v = fen < 0 ? static_cast<std::uint64_t>(-(fen + 1)) + 1 : static_cast<std::uint64_t>(fen);
  if (fen < 0) out = "负";
  std::uint64_t yuan = v / 100;
  int jiao = static_cast<int>(v / 10 % 10), cents = static_cast<int>(v % 10);
  if (yuan > 0) {
    // Groups of four digits from the top: 亿, 万, and the units.
    static const char* sections[] = {"", "万", "亿", "万亿", "亿亿"};
    std::vector<std::int64_t> groups;
    for (std::uint64_t y = yuan; y > 0; y /= 10000) groups.push_back(static_cast<std::int64_t>(y % 10000));
    bool higher = false, gap = false;
    for (size_t i = groups.size(); i-- > 0;) {
      std::int64_t g = groups[i];
      if (g == 0) {
        if (higher) gap = true;
        continue;
      }
      std::string part = capital_group(g, higher && (g < 1000 || gap));
      out += part;
      out += sections[i];
      higher = true;
      gap = false;
    }
    out += "元";
  }
  if (jiao == 0 && cents == 0) {
    out += yuan == 0 ? "零元整" : "整";
    return out;
  }
  if (jiao > 0) {
    out += kCapitalDigits[jiao];
    out += "角";
  } else if (yuan > 0) {
    out += "零";
  }
  if (cents > 0) {
    out += kCapitalDigits[cents];
    out += "分";
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

Status check_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 128) return invalid("Idempotency-Key", "must be 1 to 128 characters");
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return invalid("Idempotency-Key", "must be printable ASCII without spaces");
  }
  return Status::Ok();
}

Status check_text(std::string_view value, const char* field, std::size_t max_chars, bool required, bool one_line) {
  if (required && trim(value).empty()) return invalid(field, "is required");
  if (!valid_utf8(value)) return invalid(field, "is not valid UTF-8");
  const auto cps = code_points(value);
  if (cps.size() > max_chars) return invalid(field, fmt::format("is longer than {} characters", max_chars));
  for (char32_t c : cps) {
    // Free text keeps its tabs and line breaks; a code or a name has none; nothing has NUL or
    // the other control characters.
    const bool layout = c == '\t' || c == '\n' || c == '\r';
    if ((c < 0x20 && (one_line || !layout)) || c == 0x7F) {
      return invalid(field, fmt::format("contains the control character U+{:04X}", static_cast<unsigned>(c)));
    }
  }
  return Status::Ok();
}

}  // namespace vnh
