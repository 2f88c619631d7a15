#pragma once
// Dispatcher: the assignment engine behind tickets::Service (it implements DispatchPort).
// For a ticket to dispatch it gathers the candidates from the FirmDirectory, orders them with
// the pure ordering rules, and offers the ticket to the first: state offered, an accept
// deadline from the policy (600 s normal, 60 s emergency), and an offer frame pushed through
// the OfferSink it owns (partners/ implements it with the durable outbox). No candidate left:
// the ticket becomes unassigned with the reason. Deadlines are kept in OfferTimers and fired
// by the app through tickets::Service::offer_timed_out.
//
// Runs on the writer thread inside write transactions; in-memory changes are undone when a
// transaction rolls back.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "dispatcher/directory.hpp"
#include "domain/policy.hpp"
#include "store/elders.hpp"
#include "store/reference.hpp"
#include "tickets/service.hpp"

namespace vnh::dispatcher {

// Everything a firm needs to judge an offer.
struct Offer {
  store::TicketRow ticket;
  store::ServiceItem item;
  store::ElderRow elder;  // masked fields only
  std::int64_t firm_id = 0;
  std::string firm_code;
  TimeMs accept_by = 0;
  double distance_m = 0;
};

// Where offers go. Implementations write durably inside the transaction and deliver after
// commit (partners::Outbox), or record (tests).
class OfferSink {
 public:
  virtual ~OfferSink() = default;
  virtual Status offer(store::WriteTx& tx, const Offer& o) = 0;
  virtual Status withdrawn(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                           const std::string& reason) = 0;
  virtual Status cancelled(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                           const std::string& reason) = 0;
};

// Offer deadlines, earliest first. Thread-safe. Stale entries (the ticket moved on) are
// harmless: offer_timed_out checks the round.
class OfferTimers {
 public:
  struct Due {
    TimeMs at;
    std::int64_t ticket_id;
    std::int64_t round;
    bool operator>(const Due& o) const { return at > o.at; }
  };
  void schedule(Due d);
  std::vector<Due> take_due(TimeMs now);
  std::optional<TimeMs> next_deadline() const;
  std::size_t pending() const;
  // Called (outside the lock) when a new earliest deadline appears.
  void set_on_change(std::function<void()> f);

 private:
  mutable std::mutex mu_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> heap_;
  std::function<void()> on_change_;
};

struct DispatchStats {
  std::uint64_t decisions = 0;
  std::uint64_t offers = 0;
  std::uint64_t unassigned = 0;
};

class Dispatcher final : public tickets::DispatchPort {
 public:
  Dispatcher(const domain::Policy& policy, const Clock& clock, FirmDirectory& directory, OfferSink& sink,
             OfferTimers& timers, tickets::Service& service)
      : policy_(policy), clock_(clock), dir_(directory), sink_(sink), timers_(timers), service_(service) {}
  std::optional<std::pair<std::string, std::string>> firm_label(std::int64_t firm_id) const override {
    auto f = dir_.firm_by_id(firm_id);
    if (!f) return std::nullopt;
    return std::make_pair(f->code, f->name);
  }

  Status dispatch(store::WriteTx& tx, store::TicketRow& t, const tickets::Actor& actor,
                  const tickets::DispatchContext& ctx = {}) override;
  Status dispatch_new(store::WriteTx& tx, store::TicketRow& t, const tickets::Actor& actor,
                      const tickets::DispatchContext& ctx, const std::function<Status()>& insert) override;
  Status offer_withdrawn(store::WriteTx& tx, const store::TicketRow& t, std::int64_t firm_id,
                         const std::string& reason) override;
  Status assignment_cancelled(store::WriteTx& tx, const store::TicketRow& t, std::int64_t firm_id,
                              const std::string& reason) override;
  void accepted(store::WriteTx& tx, const store::TicketRow& t) override;
  Status reset_candidates(store::WriteTx& tx, const store::TicketRow& t) override;
  Status offer_to(store::WriteTx& tx, store::TicketRow& t, const std::string& firm_code,
                  const tickets::Actor& actor) override;

  // Schedules the deadlines of every ticket currently offered (at start-up).
  Status restore_timers(store::Database& db);
  OrderingRules rules(TimeMs now) const;
  // The firm that served the elder's last completed ticket of this category within the
  // continuity window, when no substantiated complaint names that ticket.
  Result<std::optional<std::int64_t>> continuity_firm(store::Database& db, const store::TicketRow& t, TimeMs now);
  DispatchStats stats() const;

 private:
  // One decision: the ticket's elder and item, and the best candidate or why there is none.
  struct Choice {
    std::optional<store::ElderRow> elder;
    std::optional<store::ServiceItem> item;
    std::optional<Candidate> best;
    std::string reason;
  };
  Result<Choice> choose(store::Database& db, const store::TicketRow& t, const tickets::DispatchContext& ctx,
                        TimeMs now);
  // Sets the offer's fields on `t` (firm, round, deadline); the caller writes the row.
  void mark_offered(store::TicketRow& t, const Candidate& c, TimeMs now) const;
  // After the row is written: the firm's offer frame, the deadline timer, the live channel.
  Status announce_offer(store::WriteTx& tx, const store::TicketRow& t, const Candidate& c,
                        const store::ElderRow& elder, const store::ServiceItem& item, TimeMs now);
  void announce_unassigned(store::WriteTx& tx, const store::TicketRow& t);
  Status make_offer(store::WriteTx& tx, store::TicketRow& t, const Candidate& c, const store::ElderRow& elder,
                    const store::ServiceItem& item, const tickets::Actor& actor);

  const domain::Policy& policy_;
  const Clock& clock_;
  FirmDirectory& dir_;
  OfferSink& sink_;
  OfferTimers& timers_;
  tickets::Service& service_;
  mutable std::mutex stats_mu_;
  DispatchStats stats_;
};

}  // namespace vnh::dispatcher
