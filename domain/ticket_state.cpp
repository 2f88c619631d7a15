#include "domain/ticket_state.hpp"

#include <fmt/format.h>

namespace vnh::domain {

std::string_view to_string(TicketAction a) {
  switch (a) {
    case TicketAction::kOffer: return "offer";
    case TicketAction::kAccept: return "accept";
    case TicketAction::kDecline: return "decline";
    case TicketAction::kTimeout: return "timeout";
    case TicketAction::kWithdraw: return "withdraw";
    case TicketAction::kNoCandidate: return "no_candidate";
    case TicketAction::kAssignStaff: return "assign_staff";
    case TicketAction::kCheckIn: return "check_in";
    case TicketAction::kCheckOut: return "check_out";
    case TicketAction::kCancel: return "cancel";
    case TicketAction::kDispute: return "dispute";
    case TicketAction::kClearDispute: return "clear_dispute";
    case TicketAction::kUpholdDispute: return "uphold_dispute";
  }
  return "?";
}

Result<TicketState> next_state(TicketState from, TicketAction action) {
  using S = TicketState;
  using A = TicketAction;
  std::optional<S> to;
  switch (action) {
    case A::kOffer:
      if (from == S::kCreated || from == S::kUnassigned) to = S::kOffered;
      break;
    case A::kAccept:
      if (from == S::kOffered) to = S::kAccepted;
      break;
    case A::kDecline:
    case A::kTimeout:
    case A::kWithdraw:
      if (from == S::kOffered) to = S::kCreated;
      break;
    case A::kNoCandidate:
      if (from == S::kCreated) to = S::kUnassigned;
      break;
    case A::kAssignStaff:
      if (from == S::kAccepted) to = S::kAccepted;
      break;
    case A::kCheckIn:
      if (from == S::kAccepted) to = S::kInService;
      break;
    case A::kCheckOut:
      if (from == S::kInService) to = S::kCompleted;
      break;
    case A::kCancel:
      if (is_open(from)) to = S::kCancelled;
      break;
    case A::kDispute:
      if (from == S::kCompleted) to = S::kDisputed;
      break;
    case A::kClearDispute:
      if (from == S::kDisputed) to = S::kCompleted;
      break;
    case A::kUpholdDispute:
      if (from == S::kDisputed) to = S::kDisputed;
      break;
  }
  if (!to) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("cannot {} a ticket that is {}", to_string(action), to_string(from)), "state",
                  reason::kIllegalTransition);
  }
  return *to;
}

}  // namespace vnh::domain
