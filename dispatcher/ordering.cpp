#include "dispatcher/ordering.hpp"

#include <algorithm>
#include <tuple>

namespace vnh::dispatcher {

std::int64_t quality_term(const Candidate& c, const OrderingRules& r) {
  std::int64_t t = std::clamp<std::int64_t>(c.last_total.value_or(r.unknown_quality), 0, 10000);
  return t * (kUnit / 10000);
}

std::int64_t load_term(const Candidate& c) {
  if (c.capacity <= 0) return 0;
  std::int64_t free = std::max(0, c.capacity - c.used_today);
  return free * kUnit / c.capacity;
}

std::int64_t distance_term(const Candidate& c, const OrderingRules& r) {
  std::int64_t d = std::max<std::int64_t>(0, c.distance_m);
  return kUnit * r.distance_half_m / (r.distance_half_m + d);
}

std::int64_t rotation_term(const Candidate& c, const OrderingRules& r) {
  if (c.last_offer_at <= 0) return kUnit;
  std::int64_t idle = std::max<std::int64_t>(0, r.now - c.last_offer_at);
  return std::min<std::int64_t>(kUnit, idle * kUnit / r.rotation_full_ms);
}

std::int64_t score(const Candidate& c, const OrderingRules& r) {
  return r.w_quality * quality_term(c, r) + r.w_load * load_term(c) + r.w_distance * distance_term(c, r) +
         r.w_rotation * rotation_term(c, r);
}

bool low_score(const Candidate& c, const OrderingRules& r) {
  return c.last_total && *c.last_total < r.low_score_threshold;
}

void order_candidates(std::vector<Candidate>& cands, domain::Urgency urgency, const OrderingRules& r) {
  if (urgency == domain::Urgency::kEmergency) {
    std::sort(cands.begin(), cands.end(), [&](const Candidate& a, const Candidate& b) {
      return std::make_tuple(low_score(a, r), a.distance_m, a.code) <
             std::make_tuple(low_score(b, r), b.distance_m, b.code);
    });
    return;
  }
  std::vector<std::int64_t> scores;
  scores.reserve(cands.size());
  for (const auto& c : cands) scores.push_back(score(c, r));
  std::vector<size_t> idx(cands.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t ia, size_t ib) {
    const Candidate& a = cands[ia];
    const Candidate& b = cands[ib];
    // low scores last (only when no other candidate is left), then continuity first, then
    // score high→low, distance, code.
    return std::make_tuple(low_score(a, r), !a.continuity, -scores[ia], a.distance_m, a.code) <
           std::make_tuple(low_score(b, r), !b.continuity, -scores[ib], b.distance_m, b.code);
  });
  std::vector<Candidate> out;
  out.reserve(cands.size());
  for (size_t i : idx) out.push_back(std::move(cands[i]));
  cands = std::move(out);
}

}  // namespace vnh::dispatcher
