#pragma once
// The elder register (SPEC §4.2): registration, changes of the mutable fields, deactivation
// and reactivation, the audited reveal of the whole personal data, and the reads the hotline
// shows — the elder card with open tickets and recent services, search, the cards behind a
// caller's number. No HTTP here: the API, the CLI and tests call the same functions.
// Changes run inside the caller's write transaction and change nothing when they fail; each
// is audited.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/actor.hpp"
#include "domain/elder.hpp"
#include "domain/policy.hpp"
#include "store/elders.hpp"
#include "store/tickets.hpp"
#include "store/writer.hpp"

namespace vnh::registry {

// An elder's card: the (masked) row with its open tickets (newest first) and last services.
struct ElderCard {
  store::ElderRow elder;
  std::vector<store::TicketRow> open_tickets;
  std::vector<store::TicketRow> recent_services;
};
inline constexpr int kRecentServices = 5;
// kNotFound "no elder E12" (field elder_id) when there is none.
Result<ElderCard> load_card(store::Database& db, std::int64_t elder_id);
// The cards of every elder registered with this (normalised) phone number: a caller's number
// on a shared landline names a household.
Result<std::vector<ElderCard>> cards_for_phone(store::Database& db, const FieldCrypto& crypto,
                                               const std::string& phone);

// The point a registration takes when no address point is known (SPEC §4.2 amended by issue
// 18): where the area's registered elders live on average, or, when it has none yet, its
// street's, its district's. `from_code` names the area whose point it is. kNotFound (field
// community_code) for an unknown area; nullopt when no area above it has an elder either.
struct AreaPoint {
  double lat = 0;
  double lon = 0;
  std::string from_code;
  std::int64_t elders = 0;
};
Result<std::optional<AreaPoint>> area_point(store::Database& db, const std::string& code);

// How an operator looks an elder up: by phone, by whole ID number, or by name prefix and/or
// the ID's last four characters (the first of these given is used).
struct ElderQuery {
  std::optional<std::string> phone;
  std::optional<std::string> id_number;
  std::string name;
  std::string id_tail;
  int limit = 20;
};
Result<std::vector<store::ElderRow>> search(store::Database& db, const FieldCrypto& crypto, const ElderQuery& q,
                                            const domain::Policy& policy);

// The fields a change names; absent ones keep their stored values. The ID number (and what
// derives from it: birth date, sex) never changes.
struct ElderChanges {
  std::optional<std::string> name;
  std::optional<std::string> community_code;
  std::optional<double> lat, lon;
  std::optional<std::string> category;
  std::optional<std::string> address;
  std::optional<std::vector<std::string>> phones;
  std::optional<std::vector<store::EmergencyContactInput>> contacts;
  std::vector<std::string> fields;  // as the request named them, for the audit entry
};

class Elders {
 public:
  Elders(const domain::Policy& policy, const FieldCrypto& crypto, const Clock& clock)
      : policy_(policy), crypto_(crypto), clock_(clock) {}

  // Validates (eligibility included) and registers; the community must exist.
  Result<std::int64_t> register_elder(store::WriteTx& tx, const domain::ElderDraft& draft,
                                      const std::vector<store::EmergencyContactInput>& contacts,
                                      const domain::Actor& actor);
  // Applies the changes to the stored values and validates the whole again (except the
  // eligibility age, judged at registration).
  Status update(store::WriteTx& tx, std::int64_t elder_id, const ElderChanges& changes, const domain::Actor& actor);
  Status set_active(store::WriteTx& tx, std::int64_t elder_id, bool active, const std::string& reason,
                    const domain::Actor& actor);
  // The whole ID number, phones, address and contacts, for a reason (audited).
  Result<store::ElderSecrets> reveal(store::WriteTx& tx, std::int64_t elder_id, const std::string& reason,
                                     const domain::Actor& actor);

 private:
  Status require_community(store::Database& db, const std::string& code);

  const domain::Policy& policy_;
  const FieldCrypto& crypto_;
  const Clock& clock_;
};

}  // namespace vnh::registry
