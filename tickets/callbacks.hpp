#pragma once
// The daily callback sample (SPEC §4.8): every risky ticket of the previous day (a visit
// exception, the firm's first visit to the elder, a worker in their first 30 days, an elder
// with a complaint in the last 90 days) plus 10% of each firm's other tickets, rounded up, at
// least one per firm that completed any — drawn reproducibly from the date.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/policy.hpp"
#include "store/sqlite.hpp"

namespace vnh::tickets {

struct SampleCandidate {
  std::int64_t ticket_id = 0;
  std::string ticket_no;
  std::int64_t firm_id = 0;
  std::vector<std::string> risks;  // empty: not risky
};

struct Sampled {
  std::int64_t ticket_id = 0;
  std::int64_t firm_id = 0;
  std::string reasons;  // "visit_exception,first_visit" or "random"
};

// Pure: picks the sample from the day's completed tickets. `permille` of each firm's
// non-risky tickets (rounded up), at least `min_per_firm` per firm with any ticket; the
// random part ordered by SHA-256(date, ticket_no) so a date always draws the same tickets.
std::vector<Sampled> draw_sample(const std::vector<SampleCandidate>& day, const std::string& date, int permille,
                                 int min_per_firm);

// Pure: the drawn sample cut to `capacity` (SPEC §4.8 amended) in order of risk — visit
// exceptions, then elders with a recent complaint, then workers in their first days, then
// first visits, then the random share; within each, reproducibly by SHA-256(date, ticket). Says
// what the cap left out.
struct CappedSample {
  std::vector<Sampled> picked;  // by ticket id
  int risky_total = 0;
  int risky_left_out = 0;
  int random_total = 0;
  int random_left_out = 0;
};
CappedSample cap_sample(const std::vector<Sampled>& drawn, const std::string& date, int capacity);

// Reads the tickets checked out on `day` (business time zone) with their risk flags.
Result<std::vector<SampleCandidate>> sample_candidates(store::Database& db, Date day, const domain::Policy& policy);

// The sample of `date` (YYYY-MM-DD): drawn from the previous day's tickets, capped at the
// policy's callbacks.daily_capacity and stored, with what the cap left out, the first time it
// is asked for; kept as it is after that. Runs in the caller's transaction.
Status ensure_sample(store::Database& db, Date date, const domain::Policy& policy, TimeMs now);

}  // namespace vnh::tickets
