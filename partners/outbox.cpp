#include "partners/outbox.hpp"

#include "partners/frames.hpp"
#include "store/outbox.hpp"

namespace vnh::partners {

Status Outbox::append(store::WriteTx& tx, std::int64_t firm_id, const std::string& kind, std::int64_t ticket_id,
                      vnh::v1::ServerFrame frame) {
  auto seq = store::next_outbox_seq(tx.db(), firm_id);
  if (!seq.ok()) return seq.status();
  frame.set_seq(*seq);
  auto data = std::make_shared<const std::string>(serialize(frame));
  VNH_RETURN_IF_ERROR(store::insert_outbox(tx.db(), {firm_id, *seq, kind, ticket_id, *data, clock_.now_ms(), 0, {}, 0}));
  // Sent only once the transaction is durable.
  tx.on_commit([this, firm_id, s = *seq, data] { delivery_.deliver(firm_id, s, data); });
  return Status::Ok();
}

Status Outbox::offer(store::WriteTx& tx, const tickets::Offer& o) {
  return append(tx, o.firm_id, "offer", o.ticket.id, offer_frame(0, o));
}

Status Outbox::withdrawn(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t, const std::string& reason) {
  return append(tx, firm_id, "withdrawn", t.id, withdrawn_frame(0, t.ticket_no, reason));
}

Status Outbox::cancelled(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t, const std::string& reason) {
  return append(tx, firm_id, "cancelled", t.id, cancelled_frame(0, t.ticket_no, reason));
}

}  // namespace vnh::partners
