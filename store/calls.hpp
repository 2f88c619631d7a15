#pragma once
// Calls repository (SPEC §11): the hotline's record of every incoming call — ringing, answered,
// ended or missed — with its caller (encrypted, blind-indexed, masked), who answered it, its
// outcome, and the tickets, complaints and callbacks made during it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct CallRow {
  std::int64_t id = 0;
  std::string call_id;  // ours ("C…") or the PBX's own (Asterisk Uniqueid, FreeSWITCH Unique-ID)
  std::string caller_masked;
  bool caller_known = false;  // a valid number was given (and is stored encrypted)
  std::string line;
  TimeMs received_at = 0;
  std::string reported_by;  // "pbx" or the operator who reported it
  int elders_matched = 0;
  domain::CallState state = domain::CallState::kRinging;
  std::optional<std::string> answered_by;
  std::optional<TimeMs> answered_at;
  std::optional<TimeMs> ended_at;
  std::optional<domain::CallOutcome> outcome;
  std::string outcome_note;
  std::optional<std::string> outcome_by;
};

struct NewCall {
  std::string call_id;
  std::optional<std::string> caller;  // normalised; none when the PBX sent no valid number
  std::string caller_masked;
  std::string line;
  TimeMs received_at = 0;
  std::string reported_by;
  int elders_matched = 0;
};
// kAlreadyExists "duplicate" when the call_id is taken.
Result<std::int64_t> insert_call(Database& db, const FieldCrypto& crypto, const NewCall& c);
Result<std::optional<CallRow>> find_call(Database& db, const std::string& call_id);
// Writes the state, answer, end and outcome columns of `c` (found by its id).
Status save_call(Database& db, const CallRow& c);
// The caller's whole number (for a callback from the missed-call queue).
Result<std::optional<std::string>> call_caller(Database& db, const FieldCrypto& crypto, std::int64_t call_row);

struct CallFilter {
  std::optional<domain::CallState> state;
  std::optional<TimeMs> since;        // received at or after
  std::optional<std::int64_t> before_id;  // paging: older than this row
  int limit = 50;
};
// Newest first.
Result<std::vector<CallRow>> list_calls(Database& db, const CallFilter& f);
// Ringing calls received before `cutoff`: the ones the ring timeout makes missed.
Result<std::vector<CallRow>> ringing_before(Database& db, TimeMs cutoff);
// The calls `username` has answered and not yet ended, newest first.
Result<std::vector<CallRow>> calls_in_progress(Database& db, const std::string& username);

struct CallLink {
  std::string kind;  // ticket complaint callback
  std::int64_t ref_id = 0;
};
Status link_call(Database& db, std::int64_t call_row, const std::string& kind, std::int64_t ref_id, TimeMs at);
Result<std::vector<CallLink>> call_links(Database& db, std::int64_t call_row);
// The call a ticket (or complaint, callback) was made during, if any.
Result<std::optional<CallRow>> call_of(Database& db, const std::string& kind, std::int64_t ref_id);

}  // namespace vnh::store
