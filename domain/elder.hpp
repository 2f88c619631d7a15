#pragma once
// Elder registration rules (SPEC §4.2): the checks shared by the API and `vnh import elders`.
// Whether the community exists is the caller's (store) check. Pure.
#include <optional>
#include <string>
#include <vector>

#include "common/geo.hpp"
#include "common/identity.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"
#include "domain/types.hpp"

namespace vnh::domain {

struct ElderDraft {
  std::string id_number;
  std::string name;
  std::vector<std::string> phones;  // as typed; at least one
  std::string community_code;
  double lat = 0;
  double lon = 0;
  std::string category;  // A B C D
  Date registered_on;
  std::optional<Date> birth_date;   // must agree with the ID when given
  std::optional<std::string> sex;   // "M"/"F" (or 男/女); must agree with the ID when given
  std::string address;
};

struct ValidElder {
  IdNumberInfo id;
  std::string name;
  std::vector<std::string> phones;  // normalised, distinct, in the given order
  std::string community_code;
  LatLon home;
  ElderCategory category = ElderCategory::kC;
  Date registered_on;
  std::string address;
};

// Validates a name of a person: 1–32 characters of valid UTF-8 without control characters.
Status validate_person_name(const std::string& name, const std::string& field);

Result<ValidElder> validate_elder(const ElderDraft& d, const Policy& policy, Date today);

}  // namespace vnh::domain
