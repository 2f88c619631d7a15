#pragma once
// Reasons: the machine-readable codes the server sends when it refuses something — the "code"
// of an API error body (SPEC §8) and a partner CommandResult's error_code. Every one is
// declared here, once, so that each has words in the console (console/i18n.js, zh-CN and
// English) and in docs/api.md; a Status can only carry a declared one (Reason has no
// conversion from a string). Besides these, an error without a reason sends its canonical
// code's name (status.hpp: code_name), and the HTTP layer's own refusals send the transport
// codes below. all_error_codes() lists every code of the three kinds (a test holds the
// console to it).
#include <string_view>
#include <vector>

// X(name, "code")
#define VNH_REASONS(X)                                  \
  /* requests */                                        \
  X(kMalformedJson, "malformed_json")                   \
  X(kDuplicate, "duplicate")                            \
  X(kConstraint, "constraint")                          \
  X(kStorage, "storage")                                \
  X(kForbidden, "forbidden")                            \
  X(kUnauthenticated, "unauthenticated")                \
  X(kBadCredentials, "bad_credentials")                 \
  X(kTooManyAttempts, "too_many_attempts")              \
  X(kBusy, "busy")                                      \
  X(kBadToken, "bad_token")                             \
  X(kSelf, "self")                                      \
  X(kUnavailable, "unavailable")                        \
  X(kPbxUnavailable, "pbx_unavailable")                 \
  X(kNoNumber, "no_number")                             \
  /* identity numbers and phones */                     \
  X(kIdLength, "id_length")                             \
  X(kIdFormat, "id_format")                             \
  X(kIdChecksum, "id_checksum")                         \
  X(kIdBirthDate, "id_birth_date")                      \
  X(kPhoneFormat, "phone_format")                       \
  X(kNotEligible, "not_eligible")                       \
  /* elders, items, tickets */                          \
  X(kElderInactive, "elder_inactive")                   \
  X(kItemInactive, "item_inactive")                     \
  X(kIdempotencyKeyReused, "idempotency_key_reused")    \
  X(kIllegalTransition, "illegal_transition")           \
  X(kNoCandidate, "no_candidate")                       \
  X(kNoFirm, "no_firm")                                 \
  X(kNotCompleted, "not_completed")                     \
  X(kAlreadyCalledBack, "already_called_back")          \
  X(kNotOpen, "not_open")                               \
  X(kClosed, "closed")                                  \
  /* firms and the partner protocol */                  \
  X(kFirmInactive, "firm_inactive")                     \
  X(kNotCovered, "not_covered")                         \
  X(kNotYourTicket, "not_your_ticket")                  \
  X(kOfferExpired, "offer_expired")                     \
  X(kUnknownStaff, "unknown_staff")                     \
  X(kMissingSkill, "missing_skill")                     \
  X(kInvalidRequestId, "invalid_request_id")            \
  X(kMalformedFrame, "malformed_frame")                 \
  X(kUnknownMessage, "unknown_message")                 \
  /* calls */                                           \
  X(kAlreadyAnswered, "already_answered")               \
  X(kCallOver, "call_over")                             \
  X(kNotYourCall, "not_your_call")                      \
  X(kNotAnswered, "not_answered")                       \
  X(kUnknownAgent, "unknown_agent")                     \
  /* settlement */                                      \
  X(kLocked, "locked")                                  \
  X(kAlreadyApproved, "already_approved")               \
  X(kNotApproved, "not_approved")                       \
  X(kFourEyes, "four_eyes")                             \
  X(kMissingInspections, "missing_inspections")         \
  X(kMonthNotEnded, "month_not_ended")                  \
  X(kEmptyMonth, "empty_month")                         \
  X(kStale, "stale")                                    \
  /* meals */                                           \
  X(kCardNotActive, "card_not_active")                  \
  X(kUnknownCard, "unknown_card")                       \
  X(kCanteenNotActive, "canteen_not_active")            \
  X(kNotYourCanteen, "not_your_canteen")                \
  X(kOrderClosed, "order_closed")                       \
  X(kCanteenNoDelivery, "canteen_no_delivery")          \
  X(kCanteenFull, "canteen_full")                       \
  /* entitlements and care */                           \
  X(kNotProposed, "not_proposed")                       \
  X(kElderDeceased, "elder_deceased")                   \
  X(kAlreadyDeceased, "already_deceased")               \
  X(kNotCareTarget, "not_care_target")                  \
  X(kRecurrenceEnded, "recurrence_ended")               \
  /* import */                                          \
  X(kRowsRejected, "rows_rejected")

// The HTTP layer's own refusals (net/): X(name, "code")
#define VNH_TRANSPORT_CODES(X)                  \
  X(kBadRequest, "bad_request")                 \
  X(kNotFound, "not_found")                     \
  X(kMethodNotAllowed, "method_not_allowed")    \
  X(kPayloadTooLarge, "payload_too_large")      \
  X(kPermissionDenied, "permission_denied")

namespace vnh {

class Reason {
 public:
  constexpr Reason() = default;
  constexpr explicit Reason(std::string_view code) : code_(code) {}
  constexpr std::string_view code() const { return code_; }
  constexpr bool empty() const { return code_.empty(); }

 private:
  std::string_view code_;
};

namespace reason {
#define VNH_DECLARE_REASON(name, text) inline constexpr Reason name{text};
VNH_REASONS(VNH_DECLARE_REASON)
#undef VNH_DECLARE_REASON
}  // namespace reason

namespace transport {
#define VNH_DECLARE_TRANSPORT(name, text) inline constexpr std::string_view name{text};
VNH_TRANSPORT_CODES(VNH_DECLARE_TRANSPORT)
#undef VNH_DECLARE_TRANSPORT
}  // namespace transport

// Every code the server can send: the reasons, the canonical codes' names, the transport codes.
std::vector<std::string_view> all_error_codes();

// Why a ticket is unassigned (a ticket's `unassigned_reason` and its `unassigned` event's
// detail): a code with words in the console (`unassigned.<code>`), never a sentence.
// X(name, "code")
#define VNH_UNASSIGNED_REASONS(X)                  \
  X(kNoFirmServes, "no_firm_serves")               \
  X(kNoActiveFirm, "no_active_firm")               \
  X(kAllDeclinedOrFull, "all_declined_or_full")    \
  X(kNoOnlineFirm, "no_online_firm")               \
  X(kImported, "imported")

namespace unassigned {
#define VNH_DECLARE_UNASSIGNED(name, text) inline constexpr std::string_view name{text};
VNH_UNASSIGNED_REASONS(VNH_DECLARE_UNASSIGNED)
#undef VNH_DECLARE_UNASSIGNED
}  // namespace unassigned

std::vector<std::string_view> all_unassigned_reasons();

}  // namespace vnh
