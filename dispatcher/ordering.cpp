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
  // Each candidate's sort key computed once: firms not online last, then low scores last (only
  // when no other candidate is left); for an emergency then distance and code; otherwise continuity first, then score
  // high→low, distance, code. Scratch vectors are per thread (decisions run one after another
  // on the writer), so ordering allocates nothing once they have grown.
  using Key = std::tuple<bool, bool, bool, std::int64_t, std::int64_t>;
  const bool emergency = urgency == domain::Urgency::kEmergency;
  thread_local std::vector<std::pair<Key, size_t>> keys;
  keys.clear();
  for (size_t i = 0; i < cands.size(); ++i) {
    const Candidate& c = cands[i];
    keys.emplace_back(emergency ? Key{!c.online, low_score(c, r), false, 0, c.distance_m}
                                : Key{!c.online, low_score(c, r), !c.continuity, -score(c, r), c.distance_m},
                      i);
  }
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return cands[a.second].code < cands[b.second].code;
  });
  thread_local std::vector<Candidate> ordered;
  ordered.clear();
  for (const auto& k : keys) ordered.push_back(std::move(cands[k.second]));
  cands.swap(ordered);
}

}  // namespace vnh::dispatcher
