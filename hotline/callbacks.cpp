#include "hotline/callbacks.hpp"

#include <algorithm>
#include <map>

#include "common/crypto.hpp"
#include "store/query.hpp"

namespace vnh::hotline {

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

Result<std::vector<SampleCandidate>> sample_candidates(store::Database& db, Date day, const domain::Policy& policy) {
  TimeMs from = policy.tz->day_start(day);
  TimeMs to = policy.tz->day_start(civil_from_days(days_from_civil(day) + 1));
  TimeMs new_worker = static_cast<TimeMs>(policy.new_worker_days) * kMsPerDay;
  TimeMs lookback = static_cast<TimeMs>(policy.complaint_lookback_days) * kMsPerDay;
  auto st = db.prepare(R"(
    SELECT t.id, t.ticket_no, t.firm_id,
      EXISTS (SELECT 1 FROM visit_exceptions v WHERE v.ticket_id = t.id),
      NOT EXISTS (SELECT 1 FROM tickets p WHERE p.elder_id = t.elder_id AND p.firm_id = t.firm_id
                  AND p.state IN ('completed', 'disputed') AND p.checkout_at < t.checkout_at),
      (SELECT min(w.checkin_at) FROM tickets w WHERE w.firm_id = t.firm_id AND w.staff_code = t.staff_code
         AND w.checkin_at IS NOT NULL) > t.checkout_at - ?3,
      EXISTS (SELECT 1 FROM complaints c JOIN tickets ct ON ct.id = c.ticket_id
              WHERE ct.elder_id = t.elder_id AND c.filed_at >= t.checkout_at - ?4 AND c.filed_at <= t.checkout_at)
    FROM tickets t
    WHERE t.checkout_at >= ?1 AND t.checkout_at < ?2 AND t.state IN ('completed', 'disputed')
    ORDER BY t.id)");
  if (!st.ok()) return st.status();
  st->bind(1, from).bind(2, to).bind(3, new_worker).bind(4, lookback);
  std::vector<SampleCandidate> out;
  VNH_RETURN_IF_ERROR(store::for_each_row(std::move(st), [&](store::Statement& row) {
    SampleCandidate c;
    c.ticket_id = row.int64(0);
    c.ticket_no = row.text(1);
    c.firm_id = row.int64(2);
    if (row.int32(3)) c.risks.push_back("visit_exception");
    if (row.int32(4)) c.risks.push_back("first_visit");
    if (row.int32(5)) c.risks.push_back("new_worker");
    if (row.int32(6)) c.risks.push_back("recent_complaint");
    out.push_back(std::move(c));
  }));
  return out;
}

}  // namespace vnh::hotline
