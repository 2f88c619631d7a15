#include "common/identity.hpp"

#include <fmt/format.h>

#include "common/text.hpp"

namespace vnh {

char id_check_char(std::string_view first17) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kMap[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[static_cast<size_t>(i)] - '0') * kWeights[i];
  return kMap[sum % 11];
}

Result<IdNumberInfo> parse_id_number(std::string_view id, const Date* today) {
  if (id.size() != 18) {
    return invalid("id_number", fmt::format("must be 18 characters, got {}", id.size()), reason::kIdLength);
  }
  for (size_t i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') {
      return invalid("id_number", fmt::format("character {} must be a digit", i + 1), reason::kIdFormat);
    }
  }
  char last = id[17] == 'x' ? 'X' : id[17];
  if (!((last >= '0' && last <= '9') || last == 'X')) {
    return invalid("id_number", "the last character must be a digit or X", reason::kIdFormat);
  }
  IdNumberInfo info;
  info.normalized = std::string(id.substr(0, 17)) + last;
  int y = 0, m = 0, d = 0;
  for (size_t i = 6; i < 10; ++i) y = y * 10 + (id[i] - '0');
  for (size_t i = 10; i < 12; ++i) m = m * 10 + (id[i] - '0');
  for (size_t i = 12; i < 14; ++i) d = d * 10 + (id[i] - '0');
  if (!valid_date(y, m, d) || y < 1880) {
    return invalid("id_number", fmt::format("birth date {} is not a calendar date", id.substr(6, 8)), reason::kIdBirthDate);
  }
  info.birth_date = Date{y, m, d};
  if (today && info.birth_date > *today) {
    return invalid("id_number", fmt::format("birth date {} is in the future", id.substr(6, 8)), reason::kIdBirthDate);
  }
  char expect = id_check_char(id.substr(0, 17));
  if (expect != last) {
    return invalid("id_number", fmt::format("check digit is {} but must be {} (GB 11643 MOD 11-2)", last, expect),
                   reason::kIdChecksum);
  }
  info.area_code = std::string(id.substr(0, 6));
  info.sex = ((id[16] - '0') % 2 == 1) ? Sex::kMale : Sex::kFemale;
  return info;
}

Result<std::string> normalize_phone(std::string_view raw, std::string_view default_area_code) {
  std::string d;
  bool plus = false;
  std::vector<std::size_t> groups{0};  // digits between separators, as written
  for (char c : trim(raw)) {
    if (c >= '0' && c <= '9') {
      d += c;
      ++groups.back();
    } else if (c == '+' && d.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
      if (groups.back() != 0) groups.push_back(0);
      continue;
    } else {
      return invalid("phone", fmt::format("'{}' contains '{}', not a phone number", raw, c), reason::kPhoneFormat);
    }
  }
  if (groups.back() == 0) groups.pop_back();
  // 2026-13-45, 1950.01.01: a date typed into the phone field is not a local number.
  if (groups.size() == 3 && groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) {
    return invalid("phone", fmt::format("'{}' looks like a date, not a phone number", raw), reason::kPhoneFormat);
  }
  bool international = plus;
  if (d.rfind("0086", 0) == 0) {
    d.erase(0, 4);
    international = true;
  } else if (plus) {
    if (d.rfind("86", 0) != 0) return invalid("phone", fmt::format("'{}' is not a Chinese number", raw), reason::kPhoneFormat);
    d.erase(0, 2);
  } else if (d.size() == 13 && d.rfind("861", 0) == 0) {
    d.erase(0, 2);
    international = true;
  }
  if (d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9') return d;  // mobile
  if (international && !d.empty() && d[0] != '0') d = "0" + d;  // +86 931 … → 0931 …
  if (!d.empty() && d[0] == '0') {
    // Landline with area code: 0 + 2–3 digit code + 7–8 digit number, 10–12 digits in all. No
    // area code begins 00 (that is an international prefix: 0086 0086 … is not a number).
    if (d.size() > 1 && d[1] == '0') {
      return invalid("phone", fmt::format("'{}' is not a phone number: no area code begins with 00", raw),
                     reason::kPhoneFormat);
    }
    if (d.size() >= 10 && d.size() <= 12) return d;
    return invalid("phone", fmt::format("'{}' has {} digits; a landline with area code has 10–12", raw, d.size()),
                   reason::kPhoneFormat);
  }
  if (d.size() == 7 || d.size() == 8) {
    if (d[0] == '0' || d[0] == '1') return invalid("phone", fmt::format("'{}' is not a local number", raw), reason::kPhoneFormat);
    return std::string(default_area_code) + d;
  }
  return invalid("phone", fmt::format("'{}' is neither a mobile (11 digits) nor a landline", raw), reason::kPhoneFormat);
}

std::string mask_id_number(std::string_view id) {
  if (id.size() < 10) return std::string(id.size(), '*');
  return std::string(id.substr(0, 6)) + std::string(id.size() - 10, '*') + std::string(id.substr(id.size() - 4));
}

std::string mask_phone(std::string_view p) {
  if (p.size() < 8) return std::string(p.size(), '*');
  size_t head = (p[0] == '0') ? (p.size() >= 11 && (p[1] == '1' || p[1] == '2') ? 3 : 4) : 3;
  if (p.size() - head <= 4) head = 3;
  return std::string(p.substr(0, head)) + std::string(p.size() - head - 4, '*') + std::string(p.substr(p.size() - 4));
}

std::string mask_name(std::string_view name) {
  auto cps = code_points(name);
  if (cps.empty()) return {};
  std::string out = utf8_encode(cps[0]);
  if (cps.size() == 1) return out;
  if (cps.size() == 2) return out + "*";
  for (size_t i = 1; i + 1 < cps.size(); ++i) out += "*";
  return out + utf8_encode(cps.back());
}

}  // namespace vnh
