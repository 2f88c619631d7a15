#pragma once
// CommandHandler: a firm's command frame (AcceptTicket, DeclineTicket, AssignStaff, CheckIn,
// CheckOut, StaffLocation) → one tickets::Service call → the CommandResult frame the firm gets
// back. Runs inside a Writer job; the answer is recorded (encrypted) under the frame's
// request_id in the same transaction, so a repeated request_id gets the recorded answer and
// changes nothing. A command the service refuses is an answer too (ok=false with the error
// code of partners::error_code), recorded like any other; only a storage failure is not, so
// the firm may retry it. Stateless apart from its references; used on the writer thread.
#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "store/writer.hpp"
#include "tickets/service.hpp"
#include "vnh/v1/partner.pb.h"

namespace vnh::partners {

// The firm a session belongs to, as its token named it.
struct FirmIdentity {
  std::int64_t id = 0;
  std::string code;
  std::string token_hash;  // the token it connected with: a new one ends the session
};

struct CommandAnswer {
  std::string frame;      // serialized vnh.v1.ServerFrame carrying the CommandResult
  bool replayed = false;  // the request_id was seen before: the recorded answer
};

class CommandHandler {
 public:
  CommandHandler(tickets::Service& service, const FieldCrypto& crypto, const Clock& clock)
      : service_(service), crypto_(crypto), clock_(clock) {}

  // Non-ok only for storage failures (kInternal / kUnavailable): nothing was recorded.
  Result<CommandAnswer> run(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ClientFrame& f);

 private:
  // What one command did: the ticket it touched, the elder's card when accepted.
  struct Outcome {
    std::string ticket_no;
    std::optional<store::TicketRow> ticket;
    std::optional<vnh::v1::Elder> elder;
    std::vector<vnh::v1::MealDelivery> deliveries;  // ListMealDeliveries
    std::int64_t meal_id = 0;                       // ReportDelivery delivered
  };
  Status execute(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ClientFrame& f, Outcome& out);
  Status accept(store::WriteTx& tx, const FirmIdentity& firm, const std::string& ticket_no, Outcome& out);
  template <typename Visit>
  Status seen_at_visit(store::WriteTx& tx, const FirmIdentity& firm, const Visit& v);
  Status location(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::StaffLocation& l);
  // SPEC §12, for a firm that runs canteens.
  Status list_deliveries(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ListMealDeliveries& m, Outcome& out);
  Status report_delivery(store::WriteTx& tx, const FirmIdentity& firm, const vnh::v1::ReportDelivery& m, Outcome& out);

  tickets::Service& service_;
  const FieldCrypto& crypto_;
  const Clock& clock_;
};

}  // namespace vnh::partners
