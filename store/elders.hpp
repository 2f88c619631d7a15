#pragma once
// Elders repository. ID numbers, phones and addresses are stored encrypted with blind
// indexes (FieldCrypto); rows carry masked copies for lists. Whole values are decrypted only
// by decrypt_* for callers that have checked the role and written the audit entry.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/elder.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct ElderPhone {
  std::string masked;
  int position = 0;
};

struct EmergencyContact {
  std::string name;
  std::string relation;
  std::string phone_masked;
};

struct ElderRow {
  std::int64_t id = 0;
  std::string id_number_masked;
  std::string name;
  std::string birth_date;  // YYYY-MM-DD
  std::string sex;         // M F
  std::string community_code;
  std::string community_name;  // from the areas: the community and the street it is in
  std::string street_code;
  std::string street_name;
  std::string district_code;
  double lat = 0;
  double lon = 0;
  domain::ElderCategory category = domain::ElderCategory::kC;
  std::string registered_on;
  domain::ElderStatus status = domain::ElderStatus::kActive;
  std::string status_reason;
  std::optional<std::string> died_on;  // YYYY-MM-DD (SPEC §13)
  bool has_address = false;
  std::vector<ElderPhone> phones;
  std::vector<EmergencyContact> contacts;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// Whether the elder can be ordered for, served or called (SPEC §13): refused with
// elder_deceased (the date of death said) or elder_inactive; field elder_id.
Status require_active_elder(const ElderRow& e);

// "E" + row id: the elder_id of the API.
std::string elder_public_id(std::int64_t id);
std::optional<std::int64_t> parse_elder_public_id(const std::string& s);

struct EmergencyContactInput {
  std::string name;
  std::string relation;
  std::string phone;  // normalised
};

Result<std::int64_t> insert_elder(Database& db, const FieldCrypto& crypto, const domain::ValidElder& e,
                                  std::int64_t now);
// Replaces the mutable fields (name, phones, community, home, category, address) of an elder.
Status update_elder(Database& db, const FieldCrypto& crypto, std::int64_t id, const domain::ValidElder& e,
                    std::int64_t now);
Status set_elder_status(Database& db, std::int64_t id, domain::ElderStatus status, const std::string& reason,
                        std::int64_t now);
Status replace_contacts(Database& db, const FieldCrypto& crypto, std::int64_t id,
                        const std::vector<EmergencyContactInput>& contacts);

Result<std::optional<std::int64_t>> find_elder_by_id_number(Database& db, const FieldCrypto& crypto,
                                                            const std::string& normalized_id);
Result<std::vector<std::int64_t>> find_elders_by_phone(Database& db, const FieldCrypto& crypto,
                                                       const std::string& normalized_phone);
Result<std::optional<ElderRow>> get_elder(Database& db, std::int64_t id);
// The elder's own row without phones and contacts (for dispatch and ticket views).
Result<std::optional<ElderRow>> get_elder_core(Database& db, std::int64_t id);
// The elder a request names by ID number or by elder_id (E123): one of them, both agreeing
// when both are given; errors name the field (422 malformed, 404 unknown).
Result<ElderRow> elder_named(Database& db, const FieldCrypto& crypto, const std::optional<std::string>& id_number,
                             const std::optional<std::string>& elder_id);
// The same found by ID number through its blind index, in one statement (ticket intake).
Result<std::optional<ElderRow>> find_elder_core_by_id_number(Database& db, const FieldCrypto& crypto,
                                                             const std::string& normalized_id);
// An elder's name and community only: what a ticket in a list shows. Nothing to decrypt (a full
// row reads the birth date and the home out of their ciphertexts).
struct ElderLabel {
  std::string name;
  std::string community_code;
};
Result<std::optional<ElderLabel>> get_elder_label(Database& db, std::int64_t id);
// Search by name prefix or by the last 4 characters of the ID number; active first.
Result<std::vector<ElderRow>> search_elders(Database& db, const std::string& name_prefix, const std::string& id_tail,
                                            int limit);

// A recorded death (SPEC §13): the deaths row and the elder's status and died_on, together.
struct DeathRow {
  std::int64_t elder_id = 0;
  std::string died_on;  // YYYY-MM-DD
  std::string source;   // registry, phone
  std::string reported_by;
  std::string informant;
  std::string note;
  TimeMs recorded_at = 0;
};
Result<std::optional<DeathRow>> get_death(Database& db, std::int64_t elder_id);
// Inserts or replaces the death and marks the elder deceased from died_on.
Status put_death(Database& db, const DeathRow& d);

// Active elders with their birth dates (decrypted) and communities, in a community (a prefix of
// the community code; empty: all) — what the eligibility watch reads (SPEC §13).
struct ElderBirthday {
  std::int64_t id = 0;
  std::string name;
  std::string community_code;
  std::string community_name;
  Date birth;
  domain::ElderCategory category = domain::ElderCategory::kC;
  domain::CareFlags flags = 0;
};
Result<std::vector<ElderBirthday>> active_elder_birthdays(Database& db, const std::string& community_prefix);
// Marks an elder's entitlements changed on `day` (no-op when marked already).
Status mark_entitlement_change(Database& db, std::int64_t elder_id, const std::string& day, const std::string& gains, TimeMs now);
Result<std::optional<std::string>> entitlement_change_on(Database& db, std::int64_t elder_id, const std::string& day);

// The elder's care flags (SPEC §14; 0 for an elder who is not a care target).
Result<domain::CareFlags> elder_care_flags(Database& db, std::int64_t id);

struct ElderSecrets {
  std::string id_number;
  std::vector<std::string> phones;
  std::string address;
  std::vector<EmergencyContactInput> contacts;
};
Result<ElderSecrets> decrypt_elder(Database& db, const FieldCrypto& crypto, std::int64_t id);

}  // namespace vnh::store
