#include "tickets/callbacks.hpp"

#include <algorithm>
#include <map>

#include "common/crypto.hpp"
#include "store/quality.hpp"

namespace vnh::tickets {

std::vector<Sampled> draw_sample(const std::vector<SampleCandidate>& day, const std::string& date, int permille,
                                 int min_per_firm) {
  std::map<std::int64_t, std::vector<const SampleCandidate*>> by_firm;
  for (const auto& c : day) by_firm[c.firm_id].push_back(&c);
  std::vector<Sampled> out;
  for (auto& [firm, list] : by_firm) {
    std::vector<const SampleCandidate*> others;
    int risky = 0;
    for (const auto* c : list) {
      if (!c->risks.empty()) {
        std::string reasons;
        for (const auto& r : c->risks) reasons += (reasons.empty() ? "" : ",") + r;
        out.push_back({c->ticket_id, firm, reasons});
        ++risky;
      } else {
        others.push_back(c);
      }
    }
    // Reproducible order: by SHA-256 of the date and the ticket number.
    std::vector<std::pair<std::string, const SampleCandidate*>> keyed;
    for (const auto* c : others) keyed.emplace_back(sha256_raw(date + "|" + c->ticket_no), c);
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    auto n = static_cast<std::int64_t>(others.size());
    std::int64_t take = (n * permille + 999) / 1000;  // rounded up
    take = std::max<std::int64_t>(take, min_per_firm - risky);
    take = std::clamp<std::int64_t>(take, 0, n);
    for (std::int64_t i = 0; i < take; ++i) out.push_back({keyed[static_cast<size_t>(i)].second->ticket_id, firm, "random"});
  }
  std::sort(out.begin(), out.end(), [](const Sampled& a, const Sampled& b) { return a.ticket_id < b.ticket_id; });
  return out;
}

namespace {
// 0 is called first.
int priority(const std::string& reasons) {
  auto has = [&](const char* r) { return (',' + reasons + ',').find(std::string(",") + r + ",") != std::string::npos; };
  if (has("visit_exception")) return 0;
  if (has("recent_complaint")) return 1;
  if (has("new_worker")) return 2;
  if (has("first_visit")) return 3;
  return 4;
}
}  // namespace

CappedSample cap_sample(const std::vector<Sampled>& drawn, const std::string& date, int capacity) {
  struct Keyed {
    int priority;
    std::string key;
    const Sampled* s;
  };
  std::vector<Keyed> order;
  order.reserve(drawn.size());
  CappedSample out;
  for (const auto& s : drawn) {
    const int p = priority(s.reasons);
    (p < 4 ? out.risky_total : out.random_total) += 1;
    order.push_back({p, sha256_raw(date + "|" + std::to_string(s.ticket_id)), &s});
  }
  std::sort(order.begin(), order.end(), [](const Keyed& a, const Keyed& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.key < b.key;
  });
  const auto keep = std::min<std::size_t>(order.size(), static_cast<std::size_t>(std::max(0, capacity)));
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i < keep) {
      out.picked.push_back(*order[i].s);
    } else {
      (order[i].priority < 4 ? out.risky_left_out : out.random_left_out) += 1;
    }
  }
  std::sort(out.picked.begin(), out.picked.end(), [](const Sampled& a, const Sampled& b) { return a.ticket_id < b.ticket_id; });
  return out;
}

Result<std::vector<SampleCandidate>> sample_candidates(store::Database& db, Date day, const domain::Policy& policy) {
  TimeMs from = policy.tz->day_start(day);
  TimeMs to = policy.tz->day_start(civil_from_days(days_from_civil(day) + 1));
  TimeMs new_worker = static_cast<TimeMs>(policy.new_worker_days) * kMsPerDay;
  TimeMs lookback = static_cast<TimeMs>(policy.complaint_lookback_days) * kMsPerDay;
  auto rows = store::callback_candidates(db, from, to, new_worker, lookback);
  if (!rows.ok()) return rows.status();
  std::vector<SampleCandidate> out;
  out.reserve(rows->size());
  for (auto& r : *rows) {
    SampleCandidate c{r.ticket_id, std::move(r.ticket_no), r.firm_id, {}};
    if (r.visit_exception) c.risks.push_back("visit_exception");
    if (r.first_visit) c.risks.push_back("first_visit");
    if (r.new_worker) c.risks.push_back("new_worker");
    if (r.recent_complaint) c.risks.push_back("recent_complaint");
    out.push_back(std::move(c));
  }
  return out;
}

Status ensure_sample(store::Database& db, Date date, const domain::Policy& policy, TimeMs now) {
  const std::string day = format_date(date);
  VNH_ASSIGN_OR_RETURN(auto drawn, store::get_sample_day(db, day));
  if (drawn) return Status::Ok();
  auto cands = sample_candidates(db, civil_from_days(days_from_civil(date) - 1), policy);
  if (!cands.ok()) return cands.status();
  auto capped = cap_sample(draw_sample(*cands, day, policy.callback_sample_permille, policy.callback_min_per_firm), day,
                           policy.callback_daily_capacity);
  for (const auto& p : capped.picked) {
    VNH_RETURN_IF_ERROR(store::insert_sample(db, {day, p.ticket_id, p.firm_id, p.reasons, false}));
  }
  return store::insert_sample_day(db, {day, policy.callback_daily_capacity, capped.risky_total, capped.risky_left_out,
                                       capped.random_total, capped.random_left_out, now});
}

}  // namespace vnh::tickets
