#pragma once
// Dispatcher: decides who is offered a ticket (SPEC §4.6) and returns the decision as a value
// for tickets::Service to apply. For a ticket it gathers the candidates from the
// FirmDirectory (active firms covering the elder's community for the item's category, with
// capacity left today, that have not declined it), orders them with the pure ordering rules
// and names the first, with the accept deadline the policy gives its urgency (600 s normal,
// 60 s emergency) — or, with no candidate left, why nobody. It reads the database (declines,
// continuity) but writes nothing; the in-memory bookkeeping of an applied decision (rotation,
// capacity, counters) is registered on the caller's transaction and undone if it rolls back.
//
// Decisions run on the writer thread inside write transactions; the directory, the timers
// and the counters are thread-safe.
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
#include "store/tickets.hpp"
#include "store/writer.hpp"

namespace vnh::dispatcher {

// Offer deadlines, earliest first. Thread-safe. Stale entries (the ticket moved on) are
// harmless: tickets::Service::offer_timed_out checks the round.
class OfferTimers {
 public:
  using Due = store::OfferDeadline;
  void schedule(Due d);
  std::vector<Due> take_due(TimeMs now);
  std::optional<TimeMs> next_deadline() const;
  std::size_t pending() const;
  // Called (outside the lock) when a new earliest deadline appears.
  void set_on_change(std::function<void()> f);

 private:
  struct Later {
    bool operator()(const Due& a, const Due& b) const { return a.at > b.at; }
  };
  mutable std::mutex mu_;
  std::priority_queue<Due, std::vector<Due>, Later> heap_;
  std::function<void()> on_change_;
};

struct DispatchStats {
  std::uint64_t decisions = 0;
  std::uint64_t offers = 0;
  std::uint64_t unassigned = 0;
};

// What the caller already loaded, so the decision need not read it again.
struct DispatchFacts {
  const store::ElderRow* elder = nullptr;
  const store::ServiceItem* item = nullptr;
};

// What to do with a ticket: offer it to `offer_to` until `accept_by`, or leave it unassigned
// for `unassigned_reason`. Carries the elder and item the decision was made on (the offer
// frame shows them).
struct Decision {
  store::ElderRow elder;
  store::ServiceItem item;
  std::optional<Candidate> offer_to;
  TimeMs accept_by = 0;
  std::string unassigned_reason;
};

class Dispatcher {
 public:
  Dispatcher(const domain::Policy& policy, const Clock& clock, FirmDirectory& directory)
      : policy_(policy), clock_(clock), dir_(directory) {}

  // The best candidate for `t` now, or why there is none.
  Result<Decision> decide(store::Database& db, const store::TicketRow& t, const DispatchFacts& facts = {});
  // A supervisor's choice of firm for `t`: bypasses the ordering, not the firm's status or
  // coverage (kNotFound / kFailedPrecondition "firm_inactive", "not_covered").
  Result<Decision> decide_for_firm(store::Database& db, const store::TicketRow& t, const std::string& firm_code);

  // Bookkeeping of an applied decision, undone if `tx` rolls back.
  void offered(store::WriteTx& tx, std::int64_t firm_id, TimeMs at);  // rotation; counted on commit
  void left_unassigned(store::WriteTx& tx);                          // counted on commit
  // Capacity used when a firm accepts, and given back when an accepted ticket is cancelled.
  void accepted(store::WriteTx& tx, std::int64_t firm_id);
  void released(store::WriteTx& tx, std::int64_t firm_id);

  // Whether a firm's partner link is online now (thread-safe; from the partner hub). Unset:
  // every firm counts as online (tools and benches without a hub).
  void set_presence(std::function<bool(std::int64_t firm_id)> online) { online_ = std::move(online); }

  // A firm's code and name as the directory holds them; none when it does not know the firm.
  std::optional<std::pair<std::string, std::string>> firm_label(std::int64_t firm_id) const;
  OrderingRules rules(TimeMs now) const;
  // The firm that served the elder's last completed ticket of this category within the
  // continuity window, when no substantiated complaint names that ticket.
  Result<std::optional<std::int64_t>> continuity_firm(store::Database& db, const store::TicketRow& t, TimeMs now);
  DispatchStats stats() const;

 private:
  Status load_facts(store::Database& db, const store::TicketRow& t, const DispatchFacts& facts, Decision& d);
  TimeMs deadline(const store::TicketRow& t, TimeMs now) const;

  const domain::Policy& policy_;
  const Clock& clock_;
  FirmDirectory& dir_;
  std::function<bool(std::int64_t)> online_;
  mutable std::mutex stats_mu_;
  DispatchStats stats_;
};

}  // namespace vnh::dispatcher
