#include "dispatcher/directory.hpp"

#include <algorithm>
#include <cmath>

#include "common/reasons.hpp"
#include "store/policies.hpp"
#include "store/reference.hpp"
#include "store/stats.hpp"

namespace vnh::dispatcher {
using namespace vnh::domain;

std::int64_t FirmDirectory::day_of(TimeMs t) const { return days_from_civil(tz_->local_date(t)); }

void FirmDirectory::roll_day(TimeMs now) const {
  std::int64_t d = day_of(now);
  if (d != day_) {
    day_ = d;
    for (const auto& [id, e] : firms_) e.accepted = 0;
  }
}

Status FirmDirectory::load(store::Database& db, const TimeZone& tz_ref, TimeMs now) {
  auto firms = store::list_firms(db);
  if (!firms.ok()) return firms.status();
  auto areas = store::list_firm_areas(db);
  if (!areas.ok()) return areas.status();
  auto tz = TimeZone::load(tz_ref.name());
  std::shared_ptr<const TimeZone> zone = tz.ok() ? *tz : TimeZone::fixed(tz_ref.name(), tz_ref.offset_at(now));
  TimeMs day_start = zone->day_start(zone->local_date(now));
  auto counts = store::accepted_since_by_firm(db, day_start);
  if (!counts.ok()) return counts.status();
  auto scores = store::latest_firm_scores(db, zone->local_month(now));
  if (!scores.ok()) return scores.status();

  std::lock_guard lk(mu_);
  std::unordered_map<std::int64_t, Entry> old = std::move(firms_);
  firms_.clear();
  coverage_.clear();
  prefix_lengths_.clear();
  tz_ = zone;
  day_ = day_of(now);
  for (const auto& f : *firms) {
    Entry e;
    e.info = FirmInfo{f.id, f.code, f.name, f.status, {f.base_lat, f.base_lon}, f.daily_capacity};
    if (auto it = old.find(f.id); it != old.end()) e.last_offer_at = it->second.last_offer_at;
    if (auto it = scores->find(f.id); it != scores->end()) e.last_total = it->second;
    firms_[f.id] = e;
  }
  for (const auto& [id, n] : *counts) {
    if (auto it = firms_.find(id); it != firms_.end()) it->second.accepted = static_cast<int>(n);
  }
  for (const auto& fa : *areas) {
    coverage_[fa.area_code].emplace_back(fa.firm_id, fa.category);
    prefix_lengths_.insert(fa.area_code.size());
  }
  return Status::Ok();
}

std::vector<Candidate> FirmDirectory::candidates(const std::string& community, Category category, LatLon home,
                                                 const std::set<std::int64_t>& excluded, TimeMs now) const {
  std::vector<Candidate> out;
  candidates(community, category, home, excluded, now, out);
  return out;
}

void FirmDirectory::candidates(const std::string& community, Category category, LatLon home,
                               const std::set<std::int64_t>& excluded, TimeMs now, std::vector<Candidate>& out) const {
  out.clear();
  std::lock_guard lk(mu_);
  roll_day(now);
  for_each_covering(community, category, [&](std::int64_t firm_id, const Entry& e) {
    if (excluded.count(firm_id) || e.info.status != FirmStatus::kActive || e.accepted >= e.info.capacity) return;
    Candidate c;
    c.firm_id = firm_id;
    c.code = e.info.code;
    c.distance_m = static_cast<std::int64_t>(std::llround(haversine_m(home, e.info.base)));
    c.used_today = e.accepted;
    c.capacity = e.info.capacity;
    c.last_total = e.last_total;
    c.last_offer_at = e.last_offer_at;
    out.push_back(std::move(c));
  });
}

std::string FirmDirectory::no_candidate_reason(const std::string& community, Category category,
                                               const std::set<std::int64_t>& excluded) const {
  std::lock_guard lk(mu_);
  int covering = 0, active = 0, declined = 0, full = 0;
  for_each_covering(community, category, [&](std::int64_t firm_id, const Entry& e) {
    ++covering;
    if (e.info.status != FirmStatus::kActive) return;
    ++active;
    if (excluded.count(firm_id)) {
      ++declined;
    } else if (e.accepted >= e.info.capacity) {
      ++full;
    }
  });
  if (covering == 0) return std::string(unassigned::kNoFirmServes);
  if (active == 0) return std::string(unassigned::kNoActiveFirm);
  return std::string(unassigned::kAllDeclinedOrFull);
}

std::optional<FirmInfo> FirmDirectory::firm(std::int64_t id) const {
  std::lock_guard lk(mu_);
  auto it = firms_.find(id);
  if (it == firms_.end()) return std::nullopt;
  return it->second.info;
}

std::optional<FirmInfo> FirmDirectory::firm_by_code(const std::string& code) const {
  std::lock_guard lk(mu_);
  for (const auto& [id, e] : firms_) {
    if (e.info.code == code) return e.info;
  }
  return std::nullopt;
}

std::optional<FirmInfo> FirmDirectory::firm_by_id(std::int64_t id) const {
  std::lock_guard lk(mu_);
  auto it = firms_.find(id);
  if (it == firms_.end()) return std::nullopt;
  return it->second.info;
}

bool FirmDirectory::covers(std::int64_t firm_id, const std::string& community, Category category) const {
  std::lock_guard lk(mu_);
  for (size_t len : prefix_lengths_) {
    if (len > community.size()) break;
    auto it = coverage_.find(community.substr(0, len));
    if (it == coverage_.end()) continue;
    for (const auto& [id, cat] : it->second) {
      if (id == firm_id && cat == category) return true;
    }
  }
  return false;
}

void FirmDirectory::note_offer(std::int64_t firm_id, TimeMs at) {
  std::lock_guard lk(mu_);
  if (auto it = firms_.find(firm_id); it != firms_.end()) it->second.last_offer_at = at;
}

void FirmDirectory::undo_offer(std::int64_t firm_id, TimeMs previous) {
  std::lock_guard lk(mu_);
  if (auto it = firms_.find(firm_id); it != firms_.end()) it->second.last_offer_at = previous;
}

TimeMs FirmDirectory::last_offer(std::int64_t firm_id) const {
  std::lock_guard lk(mu_);
  auto it = firms_.find(firm_id);
  return it == firms_.end() ? 0 : it->second.last_offer_at;
}

void FirmDirectory::add_accepted(std::int64_t firm_id, int delta, TimeMs now) {
  std::lock_guard lk(mu_);
  roll_day(now);
  if (auto it = firms_.find(firm_id); it != firms_.end()) it->second.accepted = std::max(0, it->second.accepted + delta);
}

int FirmDirectory::accepted_today(std::int64_t firm_id, TimeMs now) const {
  std::lock_guard lk(mu_);
  roll_day(now);
  auto it = firms_.find(firm_id);
  return it == firms_.end() ? 0 : it->second.accepted;
}

void FirmDirectory::set_scores(std::map<std::int64_t, std::int64_t> scores) {
  std::lock_guard lk(mu_);
  for (auto& [id, e] : firms_) {
    auto it = scores.find(id);
    e.last_total = it == scores.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  }
}

std::size_t FirmDirectory::size() const {
  std::lock_guard lk(mu_);
  return firms_.size();
}

}  // namespace vnh::dispatcher
