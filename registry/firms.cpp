#include "registry/firms.hpp"

#include "store/audit.hpp"
#include "store/policies.hpp"
#include "store/stats.hpp"

namespace vnh::registry {
using namespace vnh::domain;

namespace {
Result<store::Firm> firm_named(store::Database& db, const std::string& code) {
  auto f = store::find_firm(db, code);
  if (!f.ok()) return f.status();
  if (!*f) return not_found("no firm " + code, "code");
  return std::move(**f);
}
}  // namespace

Result<std::vector<FirmSummary>> list_firms(store::Database& db, const TimeZone& tz, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(auto firms, store::list_firms(db));
  VNH_ASSIGN_OR_RETURN(auto scores, store::latest_firm_scores(db, tz.local_month(now)));
  VNH_ASSIGN_OR_RETURN(auto today, store::accepted_since_by_firm(db, tz.day_start(tz.local_date(now))));
  std::vector<FirmSummary> out;
  out.reserve(firms.size());
  for (auto& f : firms) {
    FirmSummary s;
    if (auto it = today.find(f.id); it != today.end()) s.accepted_today = it->second;
    if (auto it = scores.find(f.id); it != scores.end()) s.last_score = it->second;
    s.firm = std::move(f);
    out.push_back(std::move(s));
  }
  return out;
}

Result<FirmDetail> firm_detail(store::Database& db, const std::string& code) {
  FirmDetail d;
  VNH_ASSIGN_OR_RETURN(d.firm, firm_named(db, code));
  VNH_ASSIGN_OR_RETURN(d.staff, store::list_staff(db, d.firm.id));
  VNH_ASSIGN_OR_RETURN(auto areas, store::list_firm_areas(db));
  for (auto& a : areas) {
    if (a.firm_id == d.firm.id) d.areas.push_back(std::move(a));
  }
  return d;
}

Status set_firm_status(store::WriteTx& tx, const std::string& code, FirmStatus status, const std::string& reason,
                       const Actor& actor, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(auto firm, firm_named(tx.db(), code));
  VNH_RETURN_IF_ERROR(store::set_firm_status(tx.db(), firm.id, status));
  return store::append_audit(tx.db(), now,
                             {actor.name, "firm.status", "firm:" + code,
                              store::json_detail({{"status", std::string(to_string(status))}, {"reason", reason}})});
}

Result<std::string> issue_firm_token(store::WriteTx& tx, const std::string& code, const Actor& actor, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(auto firm, firm_named(tx.db(), code));
  return store::issue_firm_token(tx.db(), firm, actor.name, now);
}

}  // namespace vnh::registry
