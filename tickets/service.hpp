#pragma once
// tickets::Service — every change to a ticket after intake validation: creation (with
// idempotency keys), cancellation, the partner firm's commands (accept, decline, assign a
// worker, check in, check out), offer timeouts, supervisor decisions (re-offer, clearing or
// upholding visit exceptions and disputes) and callbacks. Each method runs inside the
// caller's write transaction (the Writer's job) and changes nothing when it fails.
//
// Dispatch: the service asks the dispatcher::Dispatcher for a decision (offer whom, until
// when, or why nobody) and applies it itself: the ticket's row and event, the offer frame
// through the OfferSink (partners/ implements it with the durable outbox), the deadline in
// OfferTimers, the console update. Consoles hear about changes through Observer (hotline/'s
// live hub), called only after the transaction commits. Not thread-safe: used from the
// writer thread.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "dispatcher/dispatcher.hpp"
#include "domain/policy.hpp"
#include "domain/programmes.hpp"
#include "store/elders.hpp"
#include "store/quality.hpp"
#include "store/reference.hpp"
#include "store/tickets.hpp"
#include "store/writer.hpp"
#include "tickets/lifecycle.hpp"

namespace vnh::tickets {

// What consoles are told after a commit.
struct TicketChange {
  store::TicketRow ticket;
  std::string event;                     // created offered accepted declined timeout …
  std::optional<std::string> firm_code;  // the firm concerned, if any
};

// A worker seen at a position (a partner's StaffLocation, check-in or check-out), for the
// command screen's live map (SPEC §15).
struct WorkerSeen {
  std::string firm_code;
  std::string staff_code;
  double lat = 0, lon = 0;
  TimeMs at = 0;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void ticket_changed(const TicketChange& change) = 0;
  virtual void worker_seen(const WorkerSeen&) {}
};

// Everything a firm needs to judge an offer.
struct Offer {
  store::TicketRow ticket;
  store::ServiceItem item;
  store::ElderRow elder;  // masked fields only
  std::int64_t firm_id = 0;
  std::string firm_code;
  TimeMs accept_by = 0;
  double distance_m = 0;
  // What is covered (SPEC §13): the elder's grants this month and this ticket's funding.
  std::vector<domain::GrantBalance> grants;
  std::string funding;
  std::int64_t covered_fen = 0;
  std::string programmes;
};

// Where the frames to firms go: offers, withdrawn offers, cancelled assignments.
// Implementations write durably inside the transaction and deliver after commit
// (partners::Outbox), or record (tests).
class OfferSink {
 public:
  virtual ~OfferSink() = default;
  virtual Status offer(store::WriteTx& tx, const Offer& o) = 0;
  virtual Status withdrawn(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                           const std::string& reason) = 0;
  virtual Status cancelled(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                           const std::string& reason) = 0;
};

// What a ticket's view shows beside its row: the item, the elder and the firm by name.
struct TicketNames {
  std::string item_code;
  std::string item_name;
  std::optional<std::string> elder_name;  // none: the elder row is gone
  std::string community_code;
  std::optional<std::string> firm_code;  // none: no firm (or not known)
  std::optional<std::string> firm_name;
};

struct CreateRequest {
  std::optional<std::string> id_number;
  std::optional<std::string> elder_id;
  std::string item_code;
  std::string urgency = "normal";
  std::optional<TimeMs> window_start;
  std::optional<TimeMs> window_end;
  std::string notes;
  std::string channel = "hotline";
};

struct Created {
  store::TicketRow ticket;
  bool replayed = false;                     // the idempotency key was seen with this body
  std::vector<std::string> likely_duplicates;  // open tickets of the same elder and category
  // The names for the response, known from the creation itself (none for a replay, whose
  // ticket may have moved on since: that response reads the current row).
  std::optional<TicketNames> names;
};

struct VisitReport {
  std::string ticket_no;
  std::string staff_code;
  TimeMs device_time = 0;
  double lat = 0;
  double lon = 0;
  std::string photo_sha256;
};

// The parts a Service works with, all owned by the caller and outliving it.
struct ServiceDeps {
  const domain::Policy& policy;
  const FieldCrypto& crypto;
  const Clock& clock;
  dispatcher::Dispatcher& dispatcher;
  OfferSink& offers;
  dispatcher::OfferTimers& timers;
  std::vector<Observer*> observers = {};
};

class Service {
 public:
  explicit Service(ServiceDeps deps)
      : policy_(deps.policy), crypto_(deps.crypto), clock_(deps.clock), dispatcher_(deps.dispatcher),
        offers_(deps.offers), timers_(deps.timers), observers_(std::move(deps.observers)) {}

  // Creates and dispatches a ticket. With an idempotency key: the same key and body return
  // the same ticket (replayed); the same key with another body is kInvalidArgument with
  // reason "idempotency_key_reused".
  Result<Created> create(store::WriteTx& tx, const CreateRequest& req, const Actor& actor, std::int64_t user_id,
                         const std::optional<std::string>& idempotency_key, const std::string& request_hash);
  Result<store::TicketRow> cancel(store::WriteTx& tx, const std::string& ticket_no, const std::string& reason,
                                  const Actor& actor);

  // Partner commands: the firm must hold the offer or the assignment.
  Result<store::TicketRow> accept(store::WriteTx& tx, std::int64_t firm_id, const std::string& ticket_no,
                                  const Actor& actor);
  Result<store::TicketRow> decline(store::WriteTx& tx, std::int64_t firm_id, const std::string& ticket_no,
                                   const std::string& reason, const Actor& actor);
  Result<store::TicketRow> assign_staff(store::WriteTx& tx, std::int64_t firm_id, const std::string& ticket_no,
                                        const std::string& staff_code, const Actor& actor);
  Result<store::TicketRow> check_in(store::WriteTx& tx, std::int64_t firm_id, const VisitReport& r, const Actor& actor);
  Result<store::TicketRow> check_out(store::WriteTx& tx, std::int64_t firm_id, const VisitReport& r, const Actor& actor);

  // The offer of round `offer_seq` expired: the next candidate gets it. No-op (false) when
  // the ticket has moved on since.
  Result<bool> offer_timed_out(store::WriteTx& tx, std::int64_t ticket_id, std::int64_t offer_seq);

  // Supervisor decisions.
  Result<store::TicketRow> reoffer(store::WriteTx& tx, const std::string& ticket_no,
                                   const std::optional<std::string>& firm_code, const Actor& actor);
  Result<store::TicketRow> resolve_exception(store::WriteTx& tx, std::int64_t exception_id, bool clear,
                                             const std::string& reason_code, const std::string& note,
                                             const Actor& actor);
  Result<store::TicketRow> resolve_dispute(store::WriteTx& tx, const std::string& ticket_no, bool clear,
                                           const std::string& note, const Actor& actor);

  // Records an operator's callback; "not received" disputes the ticket. A callback of the
  // day's sample marks its queue entry done.
  // `elder_unwell`: the callback found the elder unwell, which pulls a care target's next visit
  // forward (SPEC §14).
  Result<store::TicketRow> callback(store::WriteTx& tx, const std::string& ticket_no, store::CallbackRow cb,
                                    const Actor& actor, bool elder_unwell = false);

  // Complaints (SPEC §4.8): filed about a ticket that reached a firm, investigated, closed as
  // substantiated or rejected with a finding. Each step is an event on the ticket and audited.
  Result<store::ComplaintRow> file_complaint(store::WriteTx& tx, const std::string& ticket_no,
                                             const std::string& description, const Actor& actor);
  Result<store::ComplaintRow> investigate_complaint(store::WriteTx& tx, std::int64_t complaint_id,
                                                    const std::optional<std::string>& finding, const Actor& actor);
  Result<store::ComplaintRow> close_complaint(store::WriteTx& tx, std::int64_t complaint_id,
                                              domain::ComplaintStatus outcome, const std::string& finding,
                                              const Actor& actor);

  // Tells observers after commit.
  void publish(store::WriteTx& tx, const store::TicketRow& t, const std::string& event,
               std::optional<std::string> firm_code = std::nullopt);
  // Records a worker's last known position and tells observers after commit; false when the
  // firm has no such worker.
  Result<bool> worker_seen(store::WriteTx& tx, std::int64_t firm_id, const WorkerSeen& w);

  const domain::Policy& policy() const { return policy_; }
  const Clock& clock() const { return clock_; }

 private:
  Result<store::TicketRow> load(store::Database& db, const std::string& ticket_no);
  Result<store::TicketRow> load_for_firm(store::Database& db, std::int64_t firm_id, const std::string& ticket_no);
  Result<std::string> firm_code(store::Database& db, std::int64_t firm_id);
  Status validate_visit(const VisitReport& r);
  Result<std::optional<Created>> replay(store::Database& db, std::int64_t user_id, const std::optional<std::string>& key,
                                        const std::string& request_hash);
  Status complaint_step(store::WriteTx& tx, const store::ComplaintRow& c, const Actor& actor, const char* action);
  std::optional<TicketNames> names_of(const store::TicketRow& t, const store::ElderRow& elder,
                                      const store::ServiceItem& item) const;

  // Dispatch: asks for a decision and applies it to a ticket in the database (created or
  // unassigned) — offered, or unassigned with the reason.
  Status dispatch(store::WriteTx& tx, store::TicketRow& t, const Actor& actor, const dispatcher::DispatchFacts& facts = {});
  Status apply(store::WriteTx& tx, store::TicketRow& t, const dispatcher::Decision& d, const Actor& actor);
  // Sets the offer's fields on `t` (firm, round, deadline); the caller writes the row.
  // An event pulls the elder's next care visit forward (SPEC §14; no-op for a non-target).
  Status pull_care_forward(store::Database& db, std::int64_t elder_id, const char* kind, const std::string& ref,
                           TimeMs now) const;
  void mark_offered(store::TicketRow& t, const dispatcher::Decision& d, TimeMs now) const;
  // After the row is written: the firm's offer frame, the deadline timer, the live channel.
  Status announce_offer(store::WriteTx& tx, const store::TicketRow& t, const dispatcher::Decision& d, TimeMs now);
  void announce_unassigned(store::WriteTx& tx, const store::TicketRow& t);

  const domain::Policy& policy_;
  const FieldCrypto& crypto_;
  const Clock& clock_;
  dispatcher::Dispatcher& dispatcher_;
  OfferSink& offers_;
  dispatcher::OfferTimers& timers_;
  std::vector<Observer*> observers_;
};

}  // namespace vnh::tickets
