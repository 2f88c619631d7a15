#pragma once
// tickets::Service — every change to a ticket after intake validation: creation (with
// idempotency keys), cancellation, the partner firm's commands (accept, decline, assign a
// worker, check in, check out), offer timeouts, supervisor decisions (re-offer, clearing or
// upholding visit exceptions and disputes) and callbacks. Each method runs inside the
// caller's write transaction (the Writer's job) and changes nothing when it fails.
//
// Dispatch plugs in behind the service through DispatchPort (implemented by dispatcher/);
// consoles hear about changes through Observer (implemented by hotline/'s live hub), called
// only after the transaction commits. Not thread-safe: used from the writer thread.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/policy.hpp"
#include "store/elders.hpp"
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

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void ticket_changed(const TicketChange& change) = 0;
};

// What the caller already loaded, so dispatch need not read it again.
struct DispatchContext {
  const store::ElderRow* elder = nullptr;
  const store::ServiceItem* item = nullptr;
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

class DispatchPort {
 public:
  virtual ~DispatchPort() = default;
  // A firm's code and name as the dispatcher holds them in memory; none when it does not know
  // the firm (a creation's response then reads them from the database).
  virtual std::optional<std::pair<std::string, std::string>> firm_label(std::int64_t /*firm_id*/) const {
    return std::nullopt;
  }
  // Offers a ticket in state created to the best candidate or makes it unassigned.
  virtual Status dispatch(store::WriteTx& tx, store::TicketRow& t, const Actor& actor,
                          const DispatchContext& ctx = {}) = 0;
  // The same for a ticket not yet in the database (t.id == 0, state created): decides first
  // and sets `t` to the outcome (offered, with its firm and deadline, or unassigned with the
  // reason), calls `insert` to write the row once in that state with the creation's own
  // records, then records the offer or the unassignment and announces it as dispatch() does.
  virtual Status dispatch_new(store::WriteTx& tx, store::TicketRow& t, const Actor& actor, const DispatchContext& ctx,
                              const std::function<Status()>& insert) = 0;
  // Tells the firm that held an offer (withdrawn) or an assignment (cancelled) of the change.
  virtual Status offer_withdrawn(store::WriteTx& tx, const store::TicketRow& t, std::int64_t firm_id,
                                 const std::string& reason) = 0;
  virtual Status assignment_cancelled(store::WriteTx& tx, const store::TicketRow& t, std::int64_t firm_id,
                                      const std::string& reason) = 0;
  // Capacity bookkeeping when a firm accepts.
  virtual void accepted(store::WriteTx& tx, const store::TicketRow& t) = 0;
  // Clears the firms that declined, for a supervisor's re-offer.
  virtual Status reset_candidates(store::WriteTx& tx, const store::TicketRow& t) = 0;
  // Offers to one named firm (supervisor override), bypassing ordering but not coverage.
  virtual Status offer_to(store::WriteTx& tx, store::TicketRow& t, const std::string& firm_code, const Actor& actor) = 0;
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

class Service {
 public:
  Service(const domain::Policy& policy, const FieldCrypto& crypto, const Clock& clock)
      : policy_(policy), crypto_(crypto), clock_(clock) {}
  void set_dispatch(DispatchPort* d) { dispatch_ = d; }
  void add_observer(Observer* o) { observers_.push_back(o); }

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

  // Records an operator's callback; "not received" disputes the ticket.
  Result<store::TicketRow> callback(store::WriteTx& tx, const std::string& ticket_no, store::CallbackRow cb,
                                    const Actor& actor);

  // Tells observers after commit.
  void publish(store::WriteTx& tx, const store::TicketRow& t, const std::string& event,
               std::optional<std::string> firm_code = std::nullopt);

  const domain::Policy& policy() const { return policy_; }
  const Clock& clock() const { return clock_; }

 private:
  Result<store::TicketRow> load(store::Database& db, const std::string& ticket_no);
  Result<store::TicketRow> load_for_firm(store::Database& db, std::int64_t firm_id, const std::string& ticket_no);
  Result<std::string> firm_code(store::Database& db, std::int64_t firm_id);
  Status validate_visit(const VisitReport& r);

  const domain::Policy& policy_;
  const FieldCrypto& crypto_;
  const Clock& clock_;
  DispatchPort* dispatch_ = nullptr;
  std::vector<Observer*> observers_;
};

}  // namespace vnh::tickets
