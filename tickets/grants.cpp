#include "tickets/grants.hpp"

#include "store/tickets.hpp"

namespace vnh::tickets {

Result<MonthGrants> MonthGrants::load(store::Database& db, const domain::Policy& policy, const store::ElderRow& elder,
                                      TimeMs now) {
  const TimeZone& tz = *policy.tz;
  VNH_ASSIGN_OR_RETURN(Date birth, parse_date(elder.birth_date));
  VNH_ASSIGN_OR_RETURN(auto flags, store::elder_care_flags(db, elder.id));
  const YearMonth month = tz.local_month(now);
  MonthGrants g(policy, elder.id, {elder.category, birth, flags}, tz.local_date(now));
  if (policy.programmes.empty()) return g;
  VNH_ASSIGN_OR_RETURN(auto done, store::elder_grant_tickets(db, elder.id, tz.month_start(month), tz.month_start(month.next())));
  for (const auto& t : done) {
    if (!policy.draws_on_grants(elder.category, t.meal)) continue;
    g.ledger_.draw(elder.id, g.holder_, tz.local_date(t.checkout_at), t.category, t.standard_price_fen, t.duration_min);
  }
  return g;
}

MonthGrants::Funding MonthGrants::funding_of(const store::ServiceItem& item) const {
  Funding f;
  if (item.meal) {
    f.rule = "meal_rules";
    return f;
  }
  if (policy_->is_fully_funded(holder_.category)) {
    f.rule = "full_funding";
    f.covered_fen = item.standard_price_fen;
    return f;
  }
  auto c = ledger_.preview(elder_id_, holder_, today_, item.category, item.standard_price_fen, item.duration_min);
  f.covered_fen = c.covered;
  f.programmes = domain::programme_codes(policy_->programmes, c);
  f.rule = domain::grant_rule(c, item.standard_price_fen);
  return f;
}

}  // namespace vnh::tickets
