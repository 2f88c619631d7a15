// The ID number validator, the phone normaliser and the policy file, one target: the first
// byte chooses. None may crash; what they accept must be consistent (a valid ID masks to 18
// characters and its birth date formats; a normalised phone normalises to itself).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/identity.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto id = vnh::parse_id_number(in);
      if (id.ok()) {
        if (id->normalized.size() != 18 || vnh::mask_id_number(id->normalized).size() != 18) std::abort();
        (void)vnh::format_date(id->birth_date);
      }
      break;
    }
    case 1: {
      auto p = vnh::normalize_phone(in);
      if (p.ok()) {
        auto again = vnh::normalize_phone(*p);
        if (!again.ok() || *again != *p) std::abort();  // normalising is idempotent
        (void)vnh::mask_phone(*p);
      }
      break;
    }
    default:
      (void)vnh::domain::load_policy(in, "fuzz.toml");
  }
  return 0;
}
