#include "dispatcher/dispatcher.hpp"

#include <fmt/format.h>

#include <set>

#include "store/query.hpp"
#include "store/tickets.hpp"
#include "tickets/lifecycle.hpp"

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

Result<std::optional<std::int64_t>> Dispatcher::continuity_firm(store::Database& db, const TicketRow& t, TimeMs now) {
  // The last completed ticket, and whether a substantiated complaint names it, in one query
  // (ties in checkout time broken in tickets_elder's own order: no sort).
  auto st = db.prepare(
      "SELECT t.firm_id, EXISTS (SELECT 1 FROM complaints c WHERE c.ticket_id = t.id AND c.status = 'substantiated') "
      "FROM tickets t WHERE t.elder_id = ? AND t.category = ? AND t.state = 'completed' AND t.checkout_at >= ? "
      "AND t.id <> ? ORDER BY t.checkout_at DESC, t.closed_at DESC, t.ticket_no DESC LIMIT 1");
  if (!st.ok()) return st.status();
  st->bind_all(t.elder_id, to_string(t.category), now - static_cast<TimeMs>(policy_.continuity_days) * kMsPerDay, t.id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  const std::int64_t firm = st->int64(0);
  const bool complained = st->int64(1) != 0;
  st->reset();
  if (complained) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(firm);
}

void Dispatcher::mark_offered(TicketRow& t, const Candidate& c, TimeMs now) const {
  int timeout_s = t.urgency == Urgency::kEmergency ? policy_.offer_timeout_emergency_s : policy_.offer_timeout_normal_s;
  t.firm_id = c.firm_id;
  t.offers_made += 1;
  t.offer_seq = t.offers_made;
  t.offer_expires_at = now + static_cast<TimeMs>(timeout_s) * kMsPerSecond;
  t.unassigned_reason.reset();
}

namespace {
std::string offer_detail(const TicketRow& t, const Candidate& c) {
  return tickets::json_detail({{"accept_by", format_time_utc(*t.offer_expires_at)},
                               {"round", std::to_string(t.offers_made)},
                               {"distance_m", std::to_string(c.distance_m)}});
}
}  // namespace

Status Dispatcher::announce_offer(store::WriteTx& tx, const TicketRow& t, const Candidate& c,
                                  const store::ElderRow& elder, const store::ServiceItem& item, TimeMs now) {
  Offer o{t, item, elder, c.firm_id, c.code, *t.offer_expires_at, static_cast<double>(c.distance_m)};
  VNH_RETURN_IF_ERROR(sink_.offer(tx, o));
  TimeMs previous = dir_.last_offer(c.firm_id);
  dir_.note_offer(c.firm_id, now);
  tx.on_rollback([this, id = c.firm_id, previous] { dir_.undo_offer(id, previous); });
  tx.on_commit([this, at = *t.offer_expires_at, id = t.id, round = t.offers_made] {
    timers_.schedule({at, id, round});
    std::lock_guard lk(stats_mu_);
    ++stats_.offers;
  });
  service_.publish(tx, t, "offered", c.code);
  return Status::Ok();
}

void Dispatcher::announce_unassigned(store::WriteTx& tx, const TicketRow& t) {
  tx.on_commit([this] {
    std::lock_guard lk(stats_mu_);
    ++stats_.unassigned;
  });
  service_.publish(tx, t, "unassigned");
}

Status Dispatcher::make_offer(store::WriteTx& tx, TicketRow& t, const Candidate& c, const store::ElderRow& elder,
                              const store::ServiceItem& item, const tickets::Actor& actor) {
  TimeMs now = clock_.now_ms();
  mark_offered(t, c, now);
  VNH_RETURN_IF_ERROR(
      tickets::transition(tx.db(), t, TicketAction::kOffer, now, actor, "offered", offer_detail(t, c), c.code));
  return announce_offer(tx, t, c, elder, item, now);
}

Result<Dispatcher::Choice> Dispatcher::choose(store::Database& db, const TicketRow& t,
                                              const tickets::DispatchContext& ctx, TimeMs now) {
  Choice out;
  auto elder = ctx.elder ? Result<std::optional<store::ElderRow>>(*ctx.elder) : store::get_elder_core(db, t.elder_id);
  if (!elder.ok()) return elder.status();
  out.elder = std::move(*elder);
  auto item = ctx.item ? Result<std::optional<store::ServiceItem>>(*ctx.item) : store::item_by_id(db, t.item_id);
  if (!item.ok()) return item.status();
  out.item = std::move(*item);
  if (!out.elder || !out.item) return internal("ticket refers to a missing elder or item");
  std::set<std::int64_t> excluded;
  if (t.offers_made > 0) {  // only a ticket that was offered can have been declined
    auto declined = store::declined_firms(db, t.id);
    if (!declined.ok()) return declined.status();
    excluded.insert(declined->begin(), declined->end());
  }
  // Decisions run on the writer (and timer) threads, one after another: one vector per thread.
  thread_local std::vector<Candidate> cands;
  dir_.candidates(out.elder->community_code, t.category, {out.elder->lat, out.elder->lon}, excluded, now, cands);
  if (t.urgency == Urgency::kNormal && !cands.empty()) {
    auto cont = continuity_firm(db, t, now);
    if (!cont.ok()) return cont.status();
    if (*cont) {
      for (auto& c : cands) c.continuity = c.firm_id == **cont;
    }
  }
  order_candidates(cands, t.urgency, rules(now));
  {
    std::lock_guard lk(stats_mu_);
    ++stats_.decisions;
  }
  if (!cands.empty()) {
    out.best = std::move(cands.front());
  } else {
    out.reason = dir_.no_candidate_reason(out.elder->community_code, t.category, excluded);
  }
  return out;
}

Status Dispatcher::dispatch(store::WriteTx& tx, TicketRow& t, const tickets::Actor& actor,
                            const tickets::DispatchContext& ctx) {
  auto& db = tx.db();
  TimeMs now = clock_.now_ms();
  if (t.state != TicketState::kCreated && t.state != TicketState::kUnassigned) {
    return precondition(fmt::format("cannot dispatch a ticket that is {}", to_string(t.state)), "illegal_transition");
  }
  auto choice = choose(db, t, ctx, now);
  if (!choice.ok()) return choice.status();
  if (choice->best) return make_offer(tx, t, *choice->best, *choice->elder, *choice->item, actor);
  if (t.state == TicketState::kUnassigned) {
    return Status(Code::kFailedPrecondition, "no firm can take this ticket now: " + choice->reason, "ticket_no",
                  "no_candidate");
  }
  t.unassigned_reason = choice->reason;
  VNH_RETURN_IF_ERROR(tickets::transition(db, t, TicketAction::kNoCandidate, now, actor, "unassigned",
                                          tickets::json_detail({{"reason", choice->reason}})));
  announce_unassigned(tx, t);
  return Status::Ok();
}

Status Dispatcher::dispatch_new(store::WriteTx& tx, TicketRow& t, const tickets::Actor& actor,
                                const tickets::DispatchContext& ctx, const std::function<Status()>& insert) {
  auto& db = tx.db();
  TimeMs now = clock_.now_ms();
  if (t.id != 0 || t.state != TicketState::kCreated) return internal("dispatch_new is for a ticket not yet inserted");
  auto choice = choose(db, t, ctx, now);
  if (!choice.ok()) return choice.status();
  const TicketState from = t.state;
  auto to = next_state(from, choice->best ? TicketAction::kOffer : TicketAction::kNoCandidate);
  if (!to.ok()) return to.status();
  if (choice->best) {
    mark_offered(t, *choice->best, now);
  } else {
    t.unassigned_reason = choice->reason;
  }
  t.state = *to;
  t.updated_at = now;
  VNH_RETURN_IF_ERROR(insert());
  if (choice->best) {
    const Candidate& c = *choice->best;
    VNH_RETURN_IF_ERROR(tickets::record_transition(db, t, from, now, actor, "offered", offer_detail(t, c), c.code));
    return announce_offer(tx, t, c, *choice->elder, *choice->item, now);
  }
  VNH_RETURN_IF_ERROR(tickets::record_transition(db, t, from, now, actor, "unassigned",
                                                 tickets::json_detail({{"reason", choice->reason}})));
  announce_unassigned(tx, t);
  return Status::Ok();
}

Status Dispatcher::offer_to(store::WriteTx& tx, TicketRow& t, const std::string& firm_code,
                            const tickets::Actor& actor) {
  auto& db = tx.db();
  auto firm = dir_.firm_by_code(firm_code);
  if (!firm) return not_found(fmt::format("no firm {}", firm_code), "firm_code");
  if (firm->status != FirmStatus::kActive) {
    return Status(Code::kFailedPrecondition, fmt::format("{} is {}", firm_code, to_string(firm->status)), "firm_code",
                  "firm_inactive");
  }
  auto elder = store::get_elder_core(db, t.elder_id);
  if (!elder.ok()) return elder.status();
  auto item = store::item_by_id(db, t.item_id);
  if (!item.ok()) return item.status();
  if (!dir_.covers(firm->id, (*elder)->community_code, t.category)) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} does not serve {} for {}", firm_code, (*elder)->community_code, to_string(t.category)),
                  "firm_code", "not_covered");
  }
  VNH_RETURN_IF_ERROR(store::clear_declines(db, t.id));
  Candidate c;
  c.firm_id = firm->id;
  c.code = firm->code;
  c.distance_m = static_cast<std::int64_t>(haversine_m({(*elder)->lat, (*elder)->lon}, firm->base));
  return make_offer(tx, t, c, **elder, **item, actor);
}

Status Dispatcher::offer_withdrawn(store::WriteTx& tx, const TicketRow& t, std::int64_t firm_id,
                                   const std::string& reason) {
  return sink_.withdrawn(tx, firm_id, t, reason);
}

Status Dispatcher::assignment_cancelled(store::WriteTx& tx, const TicketRow& t, std::int64_t firm_id,
                                        const std::string& reason) {
  TimeMs now = clock_.now_ms();
  if (t.accepted_at && dir_.firm(firm_id)) {
    dir_.add_accepted(firm_id, -1, now);
    tx.on_rollback([this, firm_id, now] { dir_.add_accepted(firm_id, 1, now); });
  }
  return sink_.cancelled(tx, firm_id, t, reason);
}

void Dispatcher::accepted(store::WriteTx& tx, const TicketRow& t) {
  TimeMs now = clock_.now_ms();
  dir_.add_accepted(*t.firm_id, 1, now);
  tx.on_rollback([this, id = *t.firm_id, now] { dir_.add_accepted(id, -1, now); });
}

Status Dispatcher::reset_candidates(store::WriteTx& tx, const TicketRow& t) { return store::clear_declines(tx.db(), t.id); }

Status Dispatcher::restore_timers(store::Database& db) {
  return store::for_each_row(db.prepare("SELECT id, offer_seq, offer_expires_at FROM tickets WHERE state = 'offered'"),
                             [&](store::Statement& row) { timers_.schedule({row.int64(2), row.int64(0), row.int64(1)}); });
}

}  // namespace vnh::dispatcher
