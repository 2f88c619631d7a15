#include "store/consistency.hpp"

#include "store/query.hpp"
#include "store/tickets.hpp"

namespace vnh::store {

Result<Consistency> check_consistency(Database& db) {
  Consistency c;
  auto by_state = count_tickets_by_state(db);
  if (!by_state.ok()) return by_state.status();
  c.by_state = std::move(*by_state);
  for (const auto& [state, n] : c.by_state) c.tickets += n;
  auto count = [&](const char* sql, std::int64_t& out) -> Status {
    auto n = query_int(db.prepare(sql));
    if (!n.ok()) return n.status();
    out = *n;
    return Status::Ok();
  };
  VNH_RETURN_IF_ERROR(count(
      "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE type = 'accepted' GROUP BY ticket_id "
      "HAVING count(*) > 1)",
      c.double_accepted));
  VNH_RETURN_IF_ERROR(count(
      "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id JOIN firms f ON f.id = t.firm_id "
      "WHERE e.type = 'accepted' AND e.firm_code <> f.code AND t.state IN ('accepted','in_service','completed','disputed')",
      c.accepted_by_other));
  VNH_RETURN_IF_ERROR(count(
      "SELECT count(*) FROM outbox o JOIN firms f ON f.id = o.firm_id WHERE o.kind = 'offer' AND o.seq <= f.acked_seq "
      "AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = o.ticket_id AND e.firm_code = f.code "
      "AND e.type IN ('accepted','declined','timeout')) "
      "AND NOT EXISTS (SELECT 1 FROM outbox w WHERE w.firm_id = o.firm_id AND w.ticket_id = o.ticket_id "
      "AND w.kind IN ('withdrawn','cancelled') AND w.seq > o.seq) "
      "AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = o.ticket_id AND t.state = 'offered' AND t.firm_id = o.firm_id)",
      c.acked_unanswered));
  VNH_RETURN_IF_ERROR(count(
      "SELECT count(*) FROM tickets t WHERE t.state = 'offered' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE "
      "o.ticket_id = t.id AND o.firm_id = t.firm_id AND o.kind = 'offer')",
      c.offered_without_frame));
  // What UNIQUE (firm_id, seq) guaranteed before schema version 9, and more: no seq twice, none
  // skipped, in the order written.
  VNH_RETURN_IF_ERROR(count(
      "SELECT count(*) FROM (SELECT seq, lag(seq, 1, 0) OVER (PARTITION BY firm_id ORDER BY id) AS before FROM outbox) "
      "WHERE seq <> before + 1",
      c.frames_out_of_sequence));
  VNH_RETURN_IF_ERROR(count(
      "SELECT count(*) FROM outbox o JOIN firms f ON f.id = o.firm_id WHERE o.seq > f.acked_seq", c.frames_unacked));
  VNH_RETURN_IF_ERROR(count("SELECT count(*) FROM outbox WHERE escalated_at IS NOT NULL", c.escalated));
  return c;
}

}  // namespace vnh::store
