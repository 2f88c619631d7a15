#pragma once
// Personal identifiers: GB 11643 resident ID numbers, phone number normalisation, and the
// server-side masking of §4.2/§9 (`620102********123X`, `139****5678`, `张*明`). Pure functions.
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "common/time.hpp"

namespace vnh {

enum class Sex { kMale, kFemale };

struct IdNumberInfo {
  std::string normalized;  // 18 characters, check character upper-case
  std::string area_code;   // first 6 digits
  Date birth_date;
  Sex sex = Sex::kMale;
};

// ISO 7064 MOD 11-2 check character for the first 17 digits ('0'..'9' or 'X').
char id_check_char(std::string_view first17);
// Validates an 18-character ID (GB 11643-1999): digits, birth date, check character. A
// lower-case 'x' is accepted and normalised. `today`, when given, rejects future birth dates.
Result<IdNumberInfo> parse_id_number(std::string_view id, const Date* today = nullptr);

// Normalises a phone number for matching: drops spaces, dashes, dots, brackets and the +86 /
// 0086 country prefix; mobiles become 11 digits (1xxxxxxxxxx), landlines get the default
// area code when they have none (09318123456). Errors on anything else.
Result<std::string> normalize_phone(std::string_view raw, std::string_view default_area_code = "0931");

std::string mask_id_number(std::string_view id);  // 620102********123X
std::string mask_phone(std::string_view phone);   // 139****5678 / 0931****3456
std::string mask_name(std::string_view name);     // 张*明, 张*, 欧阳**明

}  // namespace vnh
