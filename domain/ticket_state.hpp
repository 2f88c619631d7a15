#pragma once
// The ticket state machine of SPEC §4.5. Every state change in the platform goes through
// next_state(); an illegal action is refused with kFailedPrecondition and reason
// "illegal_transition", and the caller changes nothing. Pure.
//
//   created ──offer──▶ offered ──accept──▶ accepted ──check_in──▶ in_service ──check_out──▶ completed
//      ▲  │              │ decline/timeout/withdraw → created          (assign_staff: accepted → accepted)
//      │  └─no_candidate─▶ unassigned ──offer──▶ offered               completed ──dispute──▶ disputed
//   any state before completed ──cancel──▶ cancelled                   disputed ──clear──▶ completed
//                                                                       disputed ──uphold──▶ disputed
#include <string_view>

#include "common/status.hpp"
#include "domain/types.hpp"

namespace vnh::domain {

enum class TicketAction {
  kOffer,
  kAccept,
  kDecline,
  kTimeout,
  kWithdraw,
  kNoCandidate,
  kAssignStaff,
  kCheckIn,
  kCheckOut,
  kCancel,
  kDispute,
  kClearDispute,
  kUpholdDispute,
};

std::string_view to_string(TicketAction a);
Result<TicketState> next_state(TicketState from, TicketAction action);

}  // namespace vnh::domain
