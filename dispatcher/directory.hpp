#pragma once
// FirmDirectory: the dispatcher's in-memory view of the firms — status, base, capacity,
// coverage index (area prefix × category), accepted-today counters, last offer times and
// last assessment scores — loaded from the database and kept current by the dispatcher.
// Thread-safe (one mutex); the hot path is candidates().
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/geo.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "dispatcher/ordering.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::dispatcher {

struct FirmInfo {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  domain::FirmStatus status = domain::FirmStatus::kActive;
  LatLon base;
  int capacity = 0;
};

class FirmDirectory {
 public:
  // (Re)loads firms, coverage, today's accepted counts and last scores.
  Status load(store::Database& db, const TimeZone& tz, TimeMs now);

  // Active firms covering `community_code` for `category`, with capacity left today and not
  // in `excluded`, as ordering candidates (distance from `home`).
  std::vector<Candidate> candidates(const std::string& community_code, domain::Category category, LatLon home,
                                    const std::set<std::int64_t>& excluded, TimeMs now) const;
  // The same into `out` (cleared first), so that a caller deciding ticket after ticket reuses
  // one vector's memory instead of allocating a new one per decision.
  void candidates(const std::string& community_code, domain::Category category, LatLon home,
                  const std::set<std::int64_t>& excluded, TimeMs now, std::vector<Candidate>& out) const;
  // Why a ticket has no candidate, for the unassigned reason.
  std::string no_candidate_reason(const std::string& community_code, domain::Category category,
                                  const std::set<std::int64_t>& excluded) const;
  std::optional<FirmInfo> firm(std::int64_t id) const;
  std::optional<FirmInfo> firm_by_code(const std::string& code) const;
  std::optional<FirmInfo> firm_by_id(std::int64_t id) const;
  bool covers(std::int64_t firm_id, const std::string& community_code, domain::Category category) const;

  void note_offer(std::int64_t firm_id, TimeMs at);
  void undo_offer(std::int64_t firm_id, TimeMs previous);
  TimeMs last_offer(std::int64_t firm_id) const;
  // Accepted-today counter (resets when the business day changes).
  void add_accepted(std::int64_t firm_id, int delta, TimeMs now);
  int accepted_today(std::int64_t firm_id, TimeMs now) const;
  void set_scores(std::map<std::int64_t, std::int64_t> scores);
  std::size_t size() const;

 private:
  struct Entry {
    FirmInfo info;
    std::optional<std::int64_t> last_total;
    TimeMs last_offer_at = 0;
    mutable int accepted = 0;  // reset by roll_day()
  };
  std::int64_t day_of(TimeMs t) const;
  void roll_day(TimeMs now) const;
  // Calls fn(firm_id, entry) once for each known firm covering `community` (by any of its
  // prefixes) for `category`. The caller holds mu_.
  template <typename Fn>
  void for_each_covering(const std::string& community, domain::Category category, Fn&& fn) const {
    std::set<std::int64_t> seen;
    for (size_t len : prefix_lengths_) {
      if (len > community.size()) break;
      auto it = coverage_.find(community.substr(0, len));
      if (it == coverage_.end()) continue;
      for (const auto& [firm_id, cat] : it->second) {
        if (cat != category || !seen.insert(firm_id).second) continue;
        auto f = firms_.find(firm_id);
        if (f != firms_.end()) fn(firm_id, f->second);
      }
    }
  }

  mutable std::mutex mu_;
  std::shared_ptr<const TimeZone> tz_;
  std::unordered_map<std::int64_t, Entry> firms_;
  // area code → (firm id, category) pairs; prefix lengths present.
  std::unordered_map<std::string, std::vector<std::pair<std::int64_t, domain::Category>>> coverage_;
  std::set<size_t> prefix_lengths_;
  mutable std::int64_t day_ = 0;
};

}  // namespace vnh::dispatcher
