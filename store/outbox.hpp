#pragma once
// The partner outbox: durable server→firm frames (offers, withdrawals, cancellations) with a
// per-firm sequence number, written in the same transaction as the ticket change and kept
// until the firm acknowledges them (cumulative Ack). Also the per-firm record of command
// results for request_id idempotency.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct OutboxRow {
  std::int64_t firm_id = 0;
  std::uint64_t seq = 0;
  std::string kind;  // offer withdrawn cancelled
  std::int64_t ticket_id = 0;
  std::string frame;  // serialized vnh.v1.ServerFrame
  TimeMs created_at = 0;
  int sends = 0;
  std::optional<TimeMs> escalated_at;
  std::int64_t id = 0;  // the row's id, as read back (frames are stored in the order written)
};

// The firm's next sequence number; insert_outbox of a frame carrying it takes it (the schema
// refuses a frame with any other seq, so two frames never share one).
Result<std::uint64_t> next_outbox_seq(Database& db, std::int64_t firm_id);
Status insert_outbox(Database& db, const OutboxRow& r);
// The firm's unacknowledged frames with seq > after, in order (at most limit); frames it has
// acknowledged are not sent again. A caller reading page after page passes the last row's
// id + 1 as `from_id`, so that each page starts where the last one ended.
Result<std::vector<OutboxRow>> outbox_after(Database& db, std::int64_t firm_id, std::uint64_t after, int limit,
                                            std::int64_t from_id = 0);
// Records a cumulative ack; returns the new acked seq (never moves backwards or past the
// last issued seq).
Result<std::uint64_t> ack_outbox(Database& db, std::int64_t firm_id, std::uint64_t seq);
Result<std::uint64_t> acked_seq(Database& db, std::int64_t firm_id);
// Marks unacked frames up to `to` as escalated (once); returns how many were newly marked.
Result<int> escalate_outbox(Database& db, std::int64_t firm_id, std::uint64_t to, TimeMs at);

Result<std::optional<std::string>> find_command_result(Database& db, std::int64_t firm_id, const std::string& request_id);
Status insert_command_result(Database& db, std::int64_t firm_id, const std::string& request_id,
                             const std::string& result, TimeMs at);

}  // namespace vnh::store
