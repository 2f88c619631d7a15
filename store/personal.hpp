#pragma once
// Personal facts the database file does not hold in clear (decision 002, SPEC §9). The birth
// date is the 7th–14th characters of the ID number, so it is read from the encrypted ID; sex
// is the parity of the 17th, which the masked copy already shows; the home position is
// encrypted like the address. A connection opened with the data key (OpenOptions::keys) has
// SQL functions that derive them where a query needs them:
//   vnh_birth_date(id_number_enc)  → 'YYYY-MM-DD'
//   vnh_home(home_enc, 0 | 1)      → latitude | longitude (REAL)
//   vnh_seal_home(lat, lon)        → home_enc (BLOB; used by the migration that moved homes in)
// A ciphertext that does not open under the key makes the statement fail; it never reads as
// a made-up value.
#include <string>
#include <string_view>
#include <utility>

#include "common/crypto.hpp"
#include "common/status.hpp"

namespace vnh::store {

class Database;

std::string seal_home(const FieldCrypto& keys, double lat, double lon);
Result<std::pair<double, double>> open_home(const FieldCrypto& keys, std::string_view blob);
// The birth date ('YYYY-MM-DD') held in an encrypted ID number.
Result<std::string> birth_date_of(const FieldCrypto& keys, std::string_view id_number_enc);

Status register_personal_functions(Database& db);

}  // namespace vnh::store
