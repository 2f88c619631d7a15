#include "registry/eligibility.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace vnh::registry {
using namespace vnh::domain;

namespace {
Date last_day(YearMonth m) { return civil_from_days(days_from_civil(Date{m.next().year, m.next().month, 1}) - 1); }
Date before(Date d) { return civil_from_days(days_from_civil(d) - 1); }
}  // namespace

std::vector<Gain> gains_at(const Policy& policy, ElderCategory category, CareFlags flags, int age) {
  std::vector<Gain> out;
  for (const auto& r : policy.meals.rules) {
    if (!r.min_age || *r.min_age != age) continue;
    if (!r.categories.empty() && std::find(r.categories.begin(), r.categories.end(), category) == r.categories.end()) continue;
    const Fen price = policy.meals.price_of(r.slot);
    const Fen share = r.full ? price : std::min(r.fen, price);
    out.push_back({"meal_rule", r.name, fmt::format("{} {} fen", to_string(r.slot), share), age, ""});
  }
  for (const auto& p : policy.programmes) {
    if (!p.min_age || *p.min_age != age) continue;
    if (!p.includes(category, age, flags)) continue;
    out.push_back({"programme", p.code, fmt::format("{} {} a month", p.monthly, to_string(p.unit)), age, p.name});
  }
  if (age == policy.longevity_allowance_age) out.push_back({"longevity_allowance", "longevity_allowance", "", age, "高龄津贴"});
  return out;
}

Result<std::vector<Upcoming>> upcoming(store::Database& db, const Policy& policy, YearMonth month,
                                       const std::string& community) {
  VNH_ASSIGN_OR_RETURN(auto elders, store::active_elder_birthdays(db, community));
  const Date first{month.year, month.month, 1}, last = last_day(month);
  std::vector<Upcoming> out;
  for (auto& e : elders) {
    const int was = age_on(e.birth, before(first)), will = age_on(e.birth, last);
    if (will <= was) continue;  // no birthday in the month (or born in it)
    Upcoming u;
    u.turns = will;
    // The day the age changes (29 February falls on 1 March in other years, as age_on counts).
    for (Date d = first; d <= last; d = civil_from_days(days_from_civil(d) + 1)) {
      if (age_on(e.birth, d) == will) {
        u.birthday = d;
        break;
      }
    }
    u.gains = gains_at(policy, e.category, e.flags, will);
    if (u.gains.empty()) continue;
    u.elder = std::move(e);
    out.push_back(std::move(u));
  }
  return out;
}

std::string gains_json(const std::vector<Gain>& gains) {
  boost::json::array a;
  for (const auto& g : gains) {
    a.push_back(boost::json::object{
        {"kind", g.kind}, {"code", g.code}, {"name", g.name}, {"detail", g.detail}, {"at_age", g.at_age}});
  }
  return boost::json::serialize(a);
}

Result<int> mark_today(store::WriteTx& tx, const Policy& policy, TimeMs now) {
  const Date today = policy.tz->local_date(now);
  VNH_ASSIGN_OR_RETURN(auto month, upcoming(tx.db(), policy, YearMonth{today.year, today.month}, ""));
  int marked = 0;
  for (const auto& u : month) {
    if (u.birthday != today) continue;
    VNH_RETURN_IF_ERROR(store::mark_entitlement_change(tx.db(), u.elder.id, format_date(today), gains_json(u.gains), now));
    ++marked;
  }
  return marked;
}

}  // namespace vnh::registry
