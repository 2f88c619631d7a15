#pragma once
// Outbox: the ticket service's OfferSink. Each frame to a firm (offer, withdrawn offer,
// cancelled assignment) is stored with the firm's next seq inside the ticket's transaction
// and handed to FrameDelivery only when that transaction is durable (a commit hook); a
// rolled-back transaction sends nothing. Frames wait in the table until the firm
// acknowledges them, so an offline firm gets them when it connects. Used on the writer thread.
#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "partners/sessions.hpp"
#include "tickets/service.hpp"
#include "vnh/v1/partner.pb.h"

namespace vnh::partners {

class Outbox final : public tickets::OfferSink {
 public:
  Outbox(FrameDelivery& delivery, const Clock& clock) : delivery_(delivery), clock_(clock) {}
  Status offer(store::WriteTx& tx, const tickets::Offer& o) override;
  Status withdrawn(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                   const std::string& reason) override;
  Status cancelled(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t,
                   const std::string& reason) override;

 private:
  Status append(store::WriteTx& tx, std::int64_t firm_id, const std::string& kind, std::int64_t ticket_id,
                vnh::v1::ServerFrame frame);
  FrameDelivery& delivery_;
  const Clock& clock_;
};

}  // namespace vnh::partners
