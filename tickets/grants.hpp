#pragma once
// An elder's programme grants this month (SPEC §13) as the elder card, the screen pop and the
// partner offer show them: the month's tickets so far replayed through a GrantLedger in the
// order settlement draws them, and what a new ticket would be covered by. Reads only.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "domain/policy.hpp"
#include "domain/programmes.hpp"
#include "store/elders.hpp"
#include "store/reference.hpp"
#include "store/sqlite.hpp"

namespace vnh::tickets {

class MonthGrants {
 public:
  // The grants of `elder` in the business month of `now`, with the month's tickets drawn.
  static Result<MonthGrants> load(store::Database& db, const domain::Policy& policy, const store::ElderRow& elder,
                                  TimeMs now);

  std::vector<domain::GrantBalance> balances() const { return ledger_.balances(elder_id_, holder_, today_); }

  // What the government would pay for a ticket of `item` checked out today, and why: the
  // settlement's rule names (full_funding, grant, grant_partial, grant_used_up, self_pay) or
  // "meal_rules" for a meal item (the meal rules of §12 decide at the counter or at check-out).
  struct Funding {
    std::string rule;
    std::int64_t covered_fen = 0;
    std::string programmes;
  };
  Funding funding_of(const store::ServiceItem& item) const;

 private:
  MonthGrants(const domain::Policy& policy, std::int64_t elder_id, domain::GrantHolder holder, Date today)
      : policy_(&policy), ledger_(policy.programmes), elder_id_(elder_id), holder_(holder), today_(today) {}

  const domain::Policy* policy_;
  domain::GrantLedger ledger_;
  std::int64_t elder_id_;
  domain::GrantHolder holder_;
  Date today_;
};

}  // namespace vnh::tickets
