#include "domain/elder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.hpp"

namespace vnh::domain {

Status validate_person_name(const std::string& name, const std::string& field) {
  if (trim(name).empty()) return invalid(field, "is required");
  if (!valid_utf8(name)) return invalid(field, "is not valid UTF-8");
  auto cps = code_points(name);
  if (cps.size() > 32) return invalid(field, fmt::format("has {} characters; at most 32", cps.size()));
  for (char32_t c : cps) {
    if (c < 0x20 || c == 0x7F) return invalid(field, "contains a control character");
  }
  return Status::Ok();
}

Result<ValidElder> validate_elder(const ElderDraft& d, const Policy& policy, Date today) {
  ValidElder v;
  auto id = parse_id_number(d.id_number, &today);
  if (!id.ok()) return id.status();
  v.id = *id;
  VNH_RETURN_IF_ERROR(validate_person_name(d.name, "name"));
  v.name = std::string(trim(d.name));
  if (d.phones.empty()) return invalid("phone", "at least one phone number is required");
  for (const auto& raw : d.phones) {
    auto ph = normalize_phone(raw, policy.default_area_code);
    if (!ph.ok()) return ph.status();
    if (std::find(v.phones.begin(), v.phones.end(), *ph) == v.phones.end()) v.phones.push_back(*ph);
  }
  if (level_of_code(d.community_code) != AreaLevel::kCommunity) {
    return invalid("community_code", fmt::format("'{}' is not a 12-digit community code", d.community_code));
  }
  v.community_code = d.community_code;
  if (!valid_lat_lon(d.lat, d.lon)) return invalid("lat", "latitude/longitude out of range");
  // A home is in China: (0, 0), a swapped pair or a lost sign is a typing error, not a place.
  if (d.lat < 3.5 || d.lat > 54 || d.lon < 73 || d.lon > 136) {
    return invalid("lat", fmt::format("({}, {}) is not in China (latitude 3.5–54, longitude 73–136)", d.lat, d.lon));
  }
  v.home = {d.lat, d.lon};
  auto cat = parse_elder_category(d.category);
  if (!cat) return invalid("category", fmt::format("'{}' is not one of A, B, C, D", d.category));
  v.category = *cat;
  if (d.registered_on > today) {
    return invalid("registered_on", fmt::format("{} is in the future", format_date(d.registered_on)));
  }
  v.registered_on = d.registered_on;
  if (d.birth_date && *d.birth_date != v.id.birth_date) {
    return invalid("birth_date", fmt::format("{} does not match the ID number's {}", format_date(*d.birth_date),
                                             format_date(v.id.birth_date)));
  }
  if (d.sex) {
    std::string s = *d.sex;
    bool male = s == "M" || s == "m" || s == "男" || s == "male";
    bool female = s == "F" || s == "f" || s == "女" || s == "female";
    if (!male && !female) return invalid("sex", fmt::format("'{}' is not M or F", s));
    if (male != (v.id.sex == Sex::kMale)) return invalid("sex", "does not match the ID number");
  }
  int age = age_on(v.id.birth_date, d.registered_on);
  if (age < policy.eligibility_min_age) {
    return invalid("id_number",
                   fmt::format("the elder is {} on {}; the eligible age is {}", age, format_date(d.registered_on),
                               policy.eligibility_min_age),
                   reason::kNotEligible);
  }
  if (d.address.size() > 512) return invalid("address", "is longer than 512 bytes");
  v.address = d.address;
  return v;
}

}  // namespace vnh::domain
