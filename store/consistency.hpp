#pragma once
// The end-of-run consistency check of `vnh simulate` (and the admin API): every ticket in
// exactly one state, never accepted twice or by a firm other than the holder, every offer a
// firm acknowledged answered (accepted, declined, timed out) or withdrawn, every live offer
// backed by its outbox frame, each firm's frames numbered 1, 2, 3, … in the order written.
#include <cstdint>
#include <map>
#include <string>

#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct Consistency {
  std::map<std::string, std::int64_t> by_state;
  std::int64_t tickets = 0;
  std::int64_t double_accepted = 0;        // tickets with two "accepted" events
  std::int64_t accepted_by_other = 0;      // accepted event from a firm that does not hold it
  std::int64_t acked_unanswered = 0;       // acknowledged offers with no answer and no withdrawal
  std::int64_t offered_without_frame = 0;  // offered tickets with no outbox offer to the holder
  std::int64_t frames_out_of_sequence = 0; // frames whose seq is not 1 + the firm's frame before it
  std::int64_t frames_unacked = 0;         // durable frames not yet acknowledged (not an error)
  std::int64_t escalated = 0;              // frames escalated to supervisors
  bool ok() const {
    return double_accepted == 0 && accepted_by_other == 0 && acked_unanswered == 0 && offered_without_frame == 0 &&
           frames_out_of_sequence == 0;
  }
};

Result<Consistency> check_consistency(Database& db);

}  // namespace vnh::store
