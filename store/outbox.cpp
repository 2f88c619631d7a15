#include "store/outbox.hpp"

#include "store/query.hpp"

namespace vnh::store {

// Writing the frame takes the seq: the outbox's triggers (schema version 9) refuse any other
// and move next_seq on.
Result<std::uint64_t> next_outbox_seq(Database& db, std::int64_t firm_id) {
  auto read = db.prepare("SELECT next_seq FROM firms WHERE id = ?");
  if (!read.ok()) return read.status();
  read->bind(1, firm_id);
  auto seq = query_int(std::move(read), -1);
  if (!seq.ok()) return seq.status();
  if (*seq < 1) return not_found("no such firm");
  return static_cast<std::uint64_t>(*seq);
}

Status insert_outbox(Database& db, const OutboxRow& r) {
  auto st = db.prepare(
      "INSERT INTO outbox(firm_id, seq, kind, ticket_id, frame, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(r.firm_id, static_cast<std::int64_t>(r.seq), r.kind, r.ticket_id, Blob{r.frame}, r.created_at)
      .run();
}

// A firm's frames are in seq order by rowid too, and from firms.outbox_from on (schema
// version 9) they are exactly its unacknowledged ones, so the scan starts there (or at
// from_id, if that is further on) and never reads the firm's acknowledged past.
Result<std::vector<OutboxRow>> outbox_after(Database& db, std::int64_t firm_id, std::uint64_t after, int limit,
                                            std::int64_t from_id) {
  auto st = db.prepare(
      "SELECT firm_id, seq, kind, ticket_id, frame, created_at, sends, escalated_at, id FROM outbox "
      "WHERE id >= max(?4, (SELECT outbox_from FROM firms WHERE id = ?1)) AND firm_id = ?1 AND seq > ?2 "
      "ORDER BY id LIMIT ?3");
  if (st.ok()) st->bind_all(firm_id, static_cast<std::int64_t>(after), limit, from_id);
  return query_all<OutboxRow>(std::move(st), [](Statement& s) {
    OutboxRow r;
    r.firm_id = s.int64(0);
    r.seq = static_cast<std::uint64_t>(s.int64(1));
    r.kind = s.text(2);
    r.ticket_id = s.int64(3);
    r.frame = s.blob(4);
    r.created_at = s.int64(5);
    r.sends = s.int32(6);
    r.escalated_at = s.opt_int64(7);
    r.id = s.int64(8);
    return r;
  });
}

Result<std::uint64_t> ack_outbox(Database& db, std::int64_t firm_id, std::uint64_t seq) {
  auto st = db.prepare(
      "UPDATE firms SET acked_seq = max(acked_seq, min(?, next_seq - 1)) WHERE id = ? RETURNING acked_seq");
  if (!st.ok()) return st.status();
  st->bind_all(static_cast<std::int64_t>(seq), firm_id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return not_found("no such firm");
  auto acked = static_cast<std::uint64_t>(st->int64(0));
  st->reset();
  // Where the firm's unacknowledged frames now begin: its first frame after the ack, found
  // from where they began before; with none left, past the last frame (rowids only grow: the
  // outbox is append-only).
  auto from = db.prepare(
      "UPDATE firms SET outbox_from = coalesce((SELECT o.id FROM outbox o WHERE o.id >= firms.outbox_from AND "
      "o.firm_id = firms.id AND o.seq > firms.acked_seq ORDER BY o.id LIMIT 1), "
      "(SELECT coalesce(max(id), 0) + 1 FROM outbox)) WHERE id = ?");
  if (!from.ok()) return from.status();
  VNH_RETURN_IF_ERROR(from->bind(1, firm_id).run());
  return acked;
}

Result<std::uint64_t> acked_seq(Database& db, std::int64_t firm_id) {
  auto st = db.prepare("SELECT acked_seq FROM firms WHERE id = ?");
  if (st.ok()) st->bind(1, firm_id);
  auto v = query_int(std::move(st));
  if (!v.ok()) return v.status();
  return static_cast<std::uint64_t>(*v);
}

Result<int> escalate_outbox(Database& db, std::int64_t firm_id, std::uint64_t to, TimeMs at) {
  auto st = db.prepare(
      "UPDATE outbox SET escalated_at = ?1 WHERE id >= (SELECT outbox_from FROM firms WHERE id = ?2) AND firm_id = ?2 "
      "AND seq <= ?3 AND escalated_at IS NULL AND seq > (SELECT acked_seq FROM firms WHERE id = ?2)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(at, firm_id, static_cast<std::int64_t>(to)).run());
  return db.changes();
}

Result<std::optional<std::string>> find_command_result(Database& db, std::int64_t firm_id,
                                                       const std::string& request_id) {
  auto st = db.prepare("SELECT result FROM partner_commands WHERE firm_id = ? AND request_id = ?");
  if (st.ok()) st->bind_all(firm_id, request_id);
  return query_one<std::string>(std::move(st), [](Statement& s) { return s.blob(0); });
}

Status insert_command_result(Database& db, std::int64_t firm_id, const std::string& request_id,
                             const std::string& result, TimeMs at) {
  auto st = db.prepare("INSERT INTO partner_commands(firm_id, request_id, result, at) VALUES (?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(firm_id, request_id, Blob{result}, at).run();
}

}  // namespace vnh::store
