#pragma once
// The candidate ordering of SPEC §4.6 as a pure, deterministic function (docs/dispatch.md
// explains the score). Integer arithmetic only: the same inputs always give the same order.
//
// Normal tickets: the elder's continuity firm first (when it is a candidate), then by score
// = wq·quality + wl·load + wd·distance + wr·rotation (each term 0…1,000,000; weights in
// ten-thousandths from the policy), ties by distance then firm code. Emergency tickets: by
// distance alone, ties by firm code. In both, firms whose last total score T is under the
// threshold come after every other candidate, and before them all come the firms whose
// partner link is online (an emergency is never offered to one that is not: the dispatcher
// leaves those out before ordering).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/types.hpp"

namespace vnh::dispatcher {

struct Candidate {
  std::int64_t firm_id = 0;
  std::string code;
  std::int64_t distance_m = 0;
  int used_today = 0;
  int capacity = 1;
  std::optional<std::int64_t> last_total;  // hundredths; none for a firm never assessed
  bool continuity = false;
  TimeMs last_offer_at = 0;                // 0: never offered
  bool online = true;                      // the firm's partner link (SPEC §4.6, amended)
};

struct OrderingRules {
  int w_quality = 4000, w_load = 3000, w_distance = 2000, w_rotation = 1000;  // ten-thousandths
  std::int64_t low_score_threshold = 6000;                                     // hundredths
  std::int64_t unknown_quality = 8000;  // a new firm counts as 80.00 points
  std::int64_t distance_half_m = 5000;  // distance term is 1/2 at 5 km
  TimeMs rotation_full_ms = 60 * 60 * 1000;  // rotation term is full after an hour without an offer
  TimeMs now = 0;
};

constexpr std::int64_t kUnit = 1'000'000;

std::int64_t quality_term(const Candidate& c, const OrderingRules& r);
std::int64_t load_term(const Candidate& c);
std::int64_t distance_term(const Candidate& c, const OrderingRules& r);
std::int64_t rotation_term(const Candidate& c, const OrderingRules& r);
// The weighted score in ten-thousandths of a millionth (Σ weight × term).
std::int64_t score(const Candidate& c, const OrderingRules& r);
bool low_score(const Candidate& c, const OrderingRules& r);

// Sorts candidates best first.
void order_candidates(std::vector<Candidate>& cands, domain::Urgency urgency, const OrderingRules& r);

}  // namespace vnh::dispatcher
