#pragma once
// The supervisors' alerts (SPEC §15), kept until acknowledged.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct AlertRow {
  std::int64_t id = 0;
  std::string kind;
  std::optional<std::string> ticket_no;
  std::optional<std::string> firm_code;
  std::string detail = "{}";
  TimeMs raised_at = 0;
  std::optional<std::string> acknowledged_by;
  std::optional<TimeMs> acknowledged_at;
};

Result<std::int64_t> insert_alert(Database& db, const AlertRow& a);
// Newest first, below `before_id` when given; only the unacknowledged ones when `open_only`.
Result<std::vector<AlertRow>> list_alerts(Database& db, bool open_only, std::optional<std::int64_t> before_id, int limit);
Result<std::int64_t> count_open_alerts(Database& db);
Result<std::optional<AlertRow>> get_alert(Database& db, std::int64_t id);
// Marks an open alert acknowledged; kFailedPrecondition (not_open) when it already was.
Status acknowledge_alert(Database& db, std::int64_t id, const std::string& by, TimeMs at);

}  // namespace vnh::store
