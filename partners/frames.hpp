#pragma once
// Building and reading the partner protocol's protobuf frames (proto/vnh/v1/partner.proto).
#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "tickets/service.hpp"
#include "vnh/v1/partner.pb.h"

namespace vnh::partners {

std::string serialize(const vnh::v1::ServerFrame& f);
vnh::v1::ServerFrame offer_frame(std::uint64_t seq, const tickets::Offer& o);
vnh::v1::ServerFrame withdrawn_frame(std::uint64_t seq, const std::string& ticket_no, const std::string& reason);
vnh::v1::ServerFrame cancelled_frame(std::uint64_t seq, const std::string& ticket_no, const std::string& reason);
vnh::v1::ServerFrame result_frame(const std::string& request_id, const Status& st, const std::string& ticket_no = "",
                                  const std::string& state = "");
// The CommandResult error code for a failed command: the status's reason when it has one
// ("not_your_ticket", "illegal_transition", "offer_expired", …), else its canonical code.
std::string error_code(const Status& st);

}  // namespace vnh::partners
