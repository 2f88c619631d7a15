#pragma once
// The register of partner firms (SPEC §4.4): the firms with today's load and last score, one
// firm's staff and service areas, status changes (active, suspended, exited) and partner
// tokens. No HTTP here. Changes run inside the caller's write transaction and are audited;
// the caller reloads the dispatcher's directory after they commit.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/actor.hpp"
#include "domain/types.hpp"
#include "store/reference.hpp"
#include "store/writer.hpp"

namespace vnh::registry {

struct FirmSummary {
  store::Firm firm;
  std::int64_t accepted_today = 0;        // tickets accepted today and still held (store/stats)
  std::optional<std::int64_t> last_score;  // the last assessed total T, hundredths
};
// Every firm, by code; "today" and "last month" as of `now` in `tz`.
Result<std::vector<FirmSummary>> list_firms(store::Database& db, const TimeZone& tz, TimeMs now);

struct FirmDetail {
  store::Firm firm;
  std::vector<store::StaffMember> staff;
  std::vector<store::FirmArea> areas;
};
// kNotFound "no firm F001" (field code) when there is none.
Result<FirmDetail> firm_detail(store::Database& db, const std::string& code);

Status set_firm_status(store::WriteTx& tx, const std::string& code, domain::FirmStatus status,
                       const std::string& reason, const domain::Actor& actor, TimeMs now);
// A new partner token, returned once; the old one stops working.
Result<std::string> issue_firm_token(store::WriteTx& tx, const std::string& code, const domain::Actor& actor, TimeMs now);

}  // namespace vnh::registry
