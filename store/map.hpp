#pragma once
// The command screen's live map (SPEC §15): where every worker was last seen and what they are
// doing, the open tickets at the elders' homes, the canteens with today's meals. Reads only;
// each a single statement whose plan store_test pins (no scan of the ticket history).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

// A worker's last known position, with the assignment they are on: `en_route` (accepted, not
// checked in), `in_service` (checked in), or `idle`.
struct MapWorker {
  std::string staff_code, firm_code, firm_name, name;
  double lat = 0, lon = 0;
  TimeMs at = 0;  // when the position was heard
  std::string state;
  std::string ticket_no, item_code, item_name;
  int duration_min = 0;              // the item's standard duration
  std::optional<TimeMs> since;       // accepted (en route) or checked in (in service)
};
// Active workers of active firms who have been seen.
Result<std::vector<MapWorker>> map_workers(Database& db);

// An open ticket at the elder's home (the connection must hold the data key: the home is
// sealed at rest).
struct MapTicket {
  std::string ticket_no, state, urgency, item_code, item_name, firm_code, community_code, elder_name;
  std::optional<std::string> unassigned_reason;
  TimeMs created_at = 0;
  double lat = 0, lon = 0;
};
Result<std::vector<MapTicket>> map_tickets(Database& db, int limit);

// The canteens that are open, with the meals served on `day` (YYYY-MM-DD, the business day).
struct MapCanteen {
  std::string code, name, community_code;
  double lat = 0, lon = 0;
  bool delivers = false;
  std::int64_t meals_today = 0;
};
Result<std::vector<MapCanteen>> map_canteens(Database& db, const std::string& day);

// Open visit exceptions raised since `since`, newest first, at most `limit`, at the elder's home.
struct MapException {
  std::int64_t id = 0;
  std::string type, ticket_no, firm_code, facts;  // facts: the JSON the exception measured
  TimeMs created_at = 0;
  double lat = 0, lon = 0;
};
Result<std::vector<MapException>> map_exceptions(Database& db, TimeMs since, int limit);

// Street and community outlines (schema 23): one area's geometry, a GeoJSON Polygon or
// MultiPolygon as text.
struct AreaShape {
  std::string code, name, level, geometry;
};
Status put_area_shape(Database& db, const std::string& code, const std::string& geometry, TimeMs now);
Result<std::vector<AreaShape>> area_shapes(Database& db);

// The statements behind map_workers, map_tickets and map_exceptions, for the tests that pin
// their plans.
namespace sql {
extern const char kMapWorkers[];
extern const char kMapTickets[];
extern const char kMapExceptions[];
}  // namespace sql

}  // namespace vnh::store
