#pragma once
// Repositories for reference data: areas, the service catalog, firms with their service
// areas and staff. Functions take the connection they run on; none keeps state. Callers hold
// a transaction for writes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct Area {
  std::string code;
  std::string name;
  std::optional<std::string> parent_code;
  domain::AreaLevel level = domain::AreaLevel::kCommunity;
};

struct ServiceItem {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  domain::Category category = domain::Category::kLifeCare;
  std::string unit;
  std::int64_t standard_price_fen = 0;
  std::int64_t market_price_fen = 0;
  int duration_min = 0;
  bool meal = false;
  domain::MealSlot meal_slot = domain::MealSlot::kLunch;  // of a meal item (SPEC §7: lunch unless given)
  bool active = true;
};

struct Firm {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  double base_lat = 0;
  double base_lon = 0;
  int daily_capacity = 0;
  domain::FirmStatus status = domain::FirmStatus::kActive;
  std::uint64_t next_seq = 1;
  std::uint64_t acked_seq = 0;
};

struct FirmArea {
  std::int64_t firm_id = 0;
  std::string area_code;
  domain::Category category = domain::Category::kLifeCare;
};

struct StaffMember {
  std::int64_t id = 0;
  std::int64_t firm_id = 0;
  std::string code;
  std::string name;
  std::string phone_masked;
  std::vector<domain::Category> skills;
  std::optional<std::string> started_on;
  bool active = true;
};

// Areas
Status insert_area(Database& db, const Area& a);
Result<std::optional<Area>> find_area(Database& db, const std::string& code);
Result<std::vector<Area>> list_areas(Database& db);
// The areas directly under `parent` (the districts when none), by code.
Result<std::vector<Area>> child_areas(Database& db, const std::optional<std::string>& parent);
// Where the elders registered in an area and the areas under it live, on average, and how many
// were counted (0: no point). Homes are encrypted (store/personal.hpp): the mean is taken over
// at most 5,000 of them, so a district's point costs what a large community's does.
struct AreaCentroid {
  double lat = 0;
  double lon = 0;
  std::int64_t elders = 0;
};
Result<AreaCentroid> area_centroid(Database& db, const std::string& code);

// Catalog
Result<std::int64_t> insert_item(Database& db, const ServiceItem& item);
Result<std::optional<ServiceItem>> find_item(Database& db, const std::string& code);
Result<std::optional<ServiceItem>> item_by_id(Database& db, std::int64_t id);
Result<std::vector<ServiceItem>> list_items(Database& db);

// What each firm's partner connection stands on: its token (hash; empty when revoked) and its
// status. The gateway checks its open sessions against it each second.
struct FirmStanding {
  std::int64_t id = 0;
  std::string code;
  std::string token_hash;
  domain::FirmStatus status = domain::FirmStatus::kActive;
};
Result<std::vector<FirmStanding>> firm_standings(Database& db);

// Firms
Result<std::int64_t> insert_firm(Database& db, const Firm& f, std::int64_t now);
Result<std::optional<Firm>> find_firm(Database& db, const std::string& code);
Result<std::optional<Firm>> firm_by_id(Database& db, std::int64_t id);
Result<std::vector<Firm>> list_firms(Database& db);
Status set_firm_status(Database& db, std::int64_t firm_id, domain::FirmStatus s);
// Partner tokens: only the SHA-256 of a token is stored; a new token replaces the old.
Status set_firm_token(Database& db, std::int64_t firm_id, const std::string& token_hash, std::int64_t now);
// Issues a new random partner token for the firm (its hash stored, the old token stops
// working), or with `revoke` removes it; audited as `actor`. Returns the token, shown once
// ("" when revoked).
Result<std::string> issue_firm_token(Database& db, const Firm& firm, const std::string& actor, std::int64_t now,
                                     bool revoke = false);
Result<std::optional<Firm>> find_firm_by_token(Database& db, const std::string& token_hash);
Status insert_firm_area(Database& db, const FirmArea& fa);
Result<std::vector<FirmArea>> list_firm_areas(Database& db);

// Staff (phones encrypted)
Result<std::int64_t> insert_staff(Database& db, const FieldCrypto& crypto, const StaffMember& s,
                                  const std::string& phone_normalized);
Result<std::optional<StaffMember>> find_staff(Database& db, std::int64_t firm_id, const std::string& code);
Result<std::vector<StaffMember>> list_staff(Database& db, std::int64_t firm_id);
// A worker's last reported position (StaffLocation); false when the firm has no such worker.
Result<bool> update_staff_location(Database& db, std::int64_t firm_id, const std::string& staff_code, double lat,
                                   double lon, TimeMs at);

std::string join_skills(const std::vector<domain::Category>& skills);
std::vector<domain::Category> parse_skills(const std::string& s);

}  // namespace vnh::store
