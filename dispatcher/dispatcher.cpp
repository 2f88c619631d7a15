#include "dispatcher/dispatcher.hpp"

#include <fmt/format.h>

#include <set>

namespace vnh::dispatcher {
using namespace vnh::domain;
using store::TicketRow;

void OfferTimers::schedule(Due d) {
  std::function<void()> notify;
  {
    std::lock_guard lk(mu_);
    bool earliest = heap_.empty() || d.at < heap_.top().at;
    heap_.push(d);
    if (earliest) notify = on_change_;
  }
  if (notify) notify();
}

std::vector<OfferTimers::Due> OfferTimers::take_due(TimeMs now) {
  std::lock_guard lk(mu_);
  std::vector<Due> out;
  while (!heap_.empty() && heap_.top().at <= now) {
    out.push_back(heap_.top());
    heap_.pop();
  }
  return out;
}

std::optional<TimeMs> OfferTimers::next_deadline() const {
  std::lock_guard lk(mu_);
  if (heap_.empty()) return std::nullopt;
  return heap_.top().at;
}

std::size_t OfferTimers::pending() const {
  std::lock_guard lk(mu_);
  return heap_.size();
}

void OfferTimers::set_on_change(std::function<void()> f) {
  std::lock_guard lk(mu_);
  on_change_ = std::move(f);
}

OrderingRules Dispatcher::rules(TimeMs now) const {
  OrderingRules r;
  r.w_quality = policy_.d_quality;
  r.w_load = policy_.d_load;
  r.w_distance = policy_.d_distance;
  r.w_rotation = policy_.d_rotation;
  r.low_score_threshold = policy_.low_score_threshold;
  r.now = now;
  return r;
}

DispatchStats Dispatcher::stats() const {
  std::lock_guard lk(stats_mu_);
  return stats_;
}

std::optional<std::pair<std::string, std::string>> Dispatcher::firm_label(std::int64_t firm_id) const {
  auto f = dir_.firm_by_id(firm_id);
  if (!f) return std::nullopt;
  return std::make_pair(f->code, f->name);
}

Result<std::optional<std::int64_t>> Dispatcher::continuity_firm(store::Database& db, const TicketRow& t, TimeMs now) {
  auto last = store::last_service(db, t.elder_id, t.category,
                                  now - static_cast<TimeMs>(policy_.continuity_days) * kMsPerDay, t.id);
  if (!last.ok()) return last.status();
  if (!*last || (*last)->complained) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>((*last)->firm_id);
}

TimeMs Dispatcher::deadline(const TicketRow& t, TimeMs now) const {
  int timeout_s = t.urgency == Urgency::kEmergency ? policy_.offer_timeout_emergency_s : policy_.offer_timeout_normal_s;
  return now + static_cast<TimeMs>(timeout_s) * kMsPerSecond;
}

Status Dispatcher::load_facts(store::Database& db, const TicketRow& t, const DispatchFacts& facts, Decision& d) {
  auto elder = facts.elder ? Result<std::optional<store::ElderRow>>(*facts.elder) : store::get_elder_core(db, t.elder_id);
  if (!elder.ok()) return elder.status();
  auto item = facts.item ? Result<std::optional<store::ServiceItem>>(*facts.item) : store::item_by_id(db, t.item_id);
  if (!item.ok()) return item.status();
  if (!*elder || !*item) return internal("ticket refers to a missing elder or item");
  d.elder = std::move(**elder);
  d.item = std::move(**item);
  return Status::Ok();
}

Result<Decision> Dispatcher::decide(store::Database& db, const TicketRow& t, const DispatchFacts& facts) {
  const TimeMs now = clock_.now_ms();
  Decision d;
  VNH_RETURN_IF_ERROR(load_facts(db, t, facts, d));
  std::set<std::int64_t> excluded;
  if (t.offers_made > 0) {  // only a ticket that was offered can have been declined
    auto declined = store::declined_firms(db, t.id);
    if (!declined.ok()) return declined.status();
    excluded.insert(declined->begin(), declined->end());
  }
  // Decisions run on the writer (and timer) threads, one after another: one vector per thread.
  thread_local std::vector<Candidate> cands;
  dir_.candidates(d.elder.community_code, t.category, {d.elder.lat, d.elder.lon}, excluded, now, cands);
  if (t.urgency == Urgency::kNormal && !cands.empty()) {
    auto cont = continuity_firm(db, t, now);
    if (!cont.ok()) return cont.status();
    if (*cont) {
      for (auto& c : cands) c.continuity = c.firm_id == **cont;
    }
  }
  // Presence (SPEC §4.6, amended): a firm that is not online is offered a normal ticket only
  // when no online one is left, and an emergency never — a supervisor on the phone beats a
  // 60-second wait per absent firm.
  bool none_online = false;
  if (online_) {
    for (auto& c : cands) c.online = online_(c.firm_id);
    if (t.urgency == Urgency::kEmergency && !cands.empty()) {
      std::erase_if(cands, [](const Candidate& c) { return !c.online; });
      none_online = cands.empty();
    }
  }
  order_candidates(cands, t.urgency, rules(now));
  {
    std::lock_guard lk(stats_mu_);
    ++stats_.decisions;
  }
  if (!cands.empty()) {
    d.offer_to = std::move(cands.front());
    d.accept_by = deadline(t, now);
  } else if (none_online) {
    d.unassigned_reason = std::string(unassigned::kNoOnlineFirm);
  } else {
    d.unassigned_reason = dir_.no_candidate_reason(d.elder.community_code, t.category, excluded);
  }
  return d;
}

Result<Decision> Dispatcher::decide_for_firm(store::Database& db, const TicketRow& t, const std::string& firm_code) {
  auto firm = dir_.firm_by_code(firm_code);
  if (!firm) return not_found(fmt::format("no firm {}", firm_code), "firm_code");
  if (firm->status != FirmStatus::kActive) {
    return Status(Code::kFailedPrecondition, fmt::format("{} is {}", firm_code, to_string(firm->status)), "firm_code",
                  reason::kFirmInactive);
  }
  Decision d;
  VNH_RETURN_IF_ERROR(load_facts(db, t, {}, d));
  if (!dir_.covers(firm->id, d.elder.community_code, t.category)) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} does not serve {} for {}", firm_code, d.elder.community_code, to_string(t.category)),
                  "firm_code", reason::kNotCovered);
  }
  Candidate c;
  c.firm_id = firm->id;
  c.code = firm->code;
  c.distance_m = static_cast<std::int64_t>(haversine_m({d.elder.lat, d.elder.lon}, firm->base));
  d.offer_to = std::move(c);
  d.accept_by = deadline(t, clock_.now_ms());
  return d;
}

void Dispatcher::offered(store::WriteTx& tx, std::int64_t firm_id, TimeMs at) {
  TimeMs previous = dir_.last_offer(firm_id);
  dir_.note_offer(firm_id, at);
  tx.on_rollback([this, firm_id, previous] { dir_.undo_offer(firm_id, previous); });
  tx.on_commit([this] {
    std::lock_guard lk(stats_mu_);
    ++stats_.offers;
  });
}

void Dispatcher::left_unassigned(store::WriteTx& tx) {
  tx.on_commit([this] {
    std::lock_guard lk(stats_mu_);
    ++stats_.unassigned;
  });
}

void Dispatcher::accepted(store::WriteTx& tx, std::int64_t firm_id) {
  TimeMs now = clock_.now_ms();
  dir_.add_accepted(firm_id, 1, now);
  tx.on_rollback([this, firm_id, now] { dir_.add_accepted(firm_id, -1, now); });
}

void Dispatcher::released(store::WriteTx& tx, std::int64_t firm_id) {
  if (!dir_.firm(firm_id)) return;
  TimeMs now = clock_.now_ms();
  dir_.add_accepted(firm_id, -1, now);
  tx.on_rollback([this, firm_id, now] { dir_.add_accepted(firm_id, 1, now); });
}

}  // namespace vnh::dispatcher
