#pragma once
// The hotline's calls (SPEC §11): every incoming call is recorded ringing; the PBX's answer or
// an operator's claim gives it to one operator (a second claim is refused, naming who has it);
// a hang-up ends it — or makes it missed when nobody answered, as does the ring timeout
// (hotline.ring_timeout_s); the operator records its outcome. Tickets, complaints and
// callbacks made while an operator has a call in progress are linked to that call. No HTTP
// here. Changes run inside the caller's write transaction, change nothing when they fail,
// and are audited; what consoles should hear is returned for the caller to send after commit.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "domain/actor.hpp"
#include "domain/policy.hpp"
#include "store/calls.hpp"
#include "store/writer.hpp"

namespace vnh::calls {

struct Incoming {
  std::optional<std::string> call_id;  // the PBX's own id; ours ("C…") when none
  std::string caller;                  // as the PBX sent it
  std::string line;
  std::string reported_by;  // "pbx" or the operator who reported it
};

// A recorded call and the elders registered at its number.
struct Received {
  store::CallRow call;
  std::optional<std::string> caller;  // normalised; none when the number is not valid
  std::vector<std::int64_t> elder_ids;
};

// Who asks for a change: the PBX (by its secret) or a signed-in console user.
struct Requester {
  bool pbx = false;
  std::string username;  // the console user; empty for the PBX
  domain::Role role = domain::Role::kOperator;
};

class Calls {
 public:
  Calls(const domain::Policy& policy, const FieldCrypto& crypto, const Clock& clock)
      : policy_(policy), crypto_(crypto), clock_(clock) {}

  // Records a ringing call; a PBX id seen before is kAlreadyExists "duplicate".
  Result<Received> receive(store::WriteTx& tx, const Incoming& in);
  // The PBX's answer by `agent` (a user name), or an operator's claim: the call is theirs.
  // Answering again by the same operator is a no-op; by another one kFailedPrecondition
  // "already_answered" naming who has it; once over, "call_over".
  Result<store::CallRow> answer(store::WriteTx& tx, const std::string& call_id, const std::string& agent,
                                const Requester& by);
  // Ringing → missed, answered → ended; a call already over stays as it is. An operator may
  // hang up only a call they answered ("not_your_call").
  Result<store::CallRow> hangup(store::WriteTx& tx, const std::string& call_id, const Requester& by);
  // What the call came to (answered or ended calls, by the operator who answered them or a
  // supervisor); with outcome ticket, the ticket named is linked.
  Result<store::CallRow> record_outcome(store::WriteTx& tx, const std::string& call_id, domain::CallOutcome outcome,
                                        const std::optional<std::string>& ticket_no, const std::string& note,
                                        const Requester& by);
  // Ringing calls older than the ring timeout become missed; returns them.
  Result<std::vector<store::CallRow>> expire_ringing(store::WriteTx& tx);
  // Links what `username` just made (kind ticket, complaint or callback) to a call: the one
  // named (which must be theirs, answered or ended) or else their one call in progress, if
  // exactly one. Returns the call linked to, if any.
  Result<std::optional<store::CallRow>> link(store::WriteTx& tx, const std::string& username, const std::string& kind,
                                             std::int64_t ref_id, const std::optional<std::string>& call_id);

  // The number an operator calls back — the elder of a ticket (their first phone) or the
  // caller of a call — audited as "phone.dial" with how it is dialled ("pbx": the PBX rings
  // the operator's phone; "manual": the number is shown to them). kFailedPrecondition
  // "no_number" for a call whose caller sent no valid number.
  struct DialFor {
    std::optional<std::string> ticket_no;
    std::optional<std::string> call_id;
  };
  Result<std::string> number_to_dial(store::WriteTx& tx, const DialFor& what, const std::string& mode,
                                     const std::string& username);

  // When the ring timeout next has work (0: nothing rings), for the server's timer.
  TimeMs next_expiry() const;
  // Recomputes next_expiry from the database (at start-up).
  Status restore(store::Database& db);

 private:
  Result<store::CallRow> load(store::Database& db, const std::string& call_id);

  const domain::Policy& policy_;
  const FieldCrypto& crypto_;
  const Clock& clock_;
  // A hint: received_at of the oldest call that may still ring (0: none). Lowered at once by
  // a new call; set by a sweep when it commits, unless a call arrived meanwhile.
  std::atomic<TimeMs> earliest_ringing_{0};
  std::atomic<std::uint64_t> received_{0};
  void lower_hint(TimeMs at);
};

}  // namespace vnh::calls
