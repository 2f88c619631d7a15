#pragma once
// Policy versions recorded in the database: every policy a run used is stored with its
// digest and effective month, so a past month re-settles under the policy in force then.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct StoredPolicy {
  std::string digest;
  std::string effective_month;
  std::string source;
  std::string body;
  TimeMs loaded_at = 0;
  std::vector<std::string> months;  // settlement runs made under it (list_policies only)
};

// Records a policy (no-op when its digest is already stored).
Status record_policy(Database& db, const domain::Policy& p, TimeMs now);
// The newest stored policy whose effective month is not after `month`.
Result<std::optional<StoredPolicy>> policy_for_month(Database& db, YearMonth month);

// Every stored policy, newest effective month (then newest loaded) first, each with the months
// whose settlement runs used it.
Result<std::vector<StoredPolicy>> list_policies(Database& db);

// Each firm's total score T (hundredths) from the latest settlement run of a month before
// `month`: what dispatch calls "last month's assessment".
Result<std::map<std::int64_t, std::int64_t>> latest_firm_scores(Database& db, YearMonth month);

}  // namespace vnh::store
