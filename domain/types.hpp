#pragma once
// The domain vocabulary of SPEC §4 as enums with their normative spellings, and parsing from
// and formatting to those spellings. Pure; no I/O.
#include <optional>
#include <string>
#include <string_view>

namespace vnh::domain {

enum class Category { kLifeCare, kMedicalCare, kEmotionalComfort, kEmergencyAid };
enum class ElderCategory { kA, kB, kC, kD };
enum class TicketState { kCreated, kOffered, kAccepted, kInService, kCompleted, kCancelled, kUnassigned, kDisputed };
enum class Urgency { kNormal, kEmergency };
enum class Channel { kHotline, kDevice, kApp, kImport, kRecurrence };
enum class FirmStatus { kActive, kSuspended, kExited };
// `display`: the command screen's wall view (SPEC §15), which reads the map and the statistics only.
enum class Role { kOperator, kSupervisor, kInspector, kFinance, kAdmin, kCanteen, kCare, kDisplay };
enum class AreaLevel { kDistrict, kStreet, kCommunity };
enum class ComplaintStatus { kOpen, kInvestigating, kSubstantiated, kRejected };
// A ticket's dispute (a callback found the service not received): none until one is opened.
enum class DisputeStatus { kNone, kOpen, kCleared, kUpheld };
// A visit exception's decision (SPEC §4.7).
enum class ExceptionStatus { kOpen, kCleared, kUpheld };
// A month's settlement run: a draft until finance approves it, then locked.
enum class RunStatus { kDraft, kApproved };
enum class ElderStatus { kActive, kInactive, kDeceased };
// Meal assistance (SPEC §12).
enum class MealSlot { kBreakfast, kLunch, kDinner };
enum class MealMode { kDineIn, kPickup, kDelivery };
// How the counter knew the elder: a card, a QR token, or an ID number typed by the staff (an
// override, flagged).
enum class IdentifiedBy { kCard, kQr, kIdNumber, kOrder };
enum class CanteenStatus { kActive, kSuspended, kClosed };
enum class CardStatus { kActive, kLost, kRevoked };
enum class OrderState { kOrdered, kCancelled, kDelivered, kNoAnswer, kServed };
enum class WelfareState { kOpen, kEscalated, kClosed };
// Care (SPEC §14): why an elder is a care target (a set of flags), how often they are visited
// (the tier), how a visit was made and what it found.
enum class CareFlag { kLivesAlone, kEmptyNest, kLeftBehind, kDisabled, kSeverelyDisabled, kLowIncome, kSpecialFamily };
using CareFlags = unsigned;  // bit (1 << CareFlag)
enum class CareTier { kHigh, kKey, kGeneral };
enum class VisitMethod { kInPerson, kPhone, kVideo };
enum class Finding { kGood, kFair, kPoor };
// An incoming call's life (SPEC §11): ringing → answered → ended, or ringing → missed.
enum class CallState { kRinging, kAnswered, kEnded, kMissed };
// What an answered call came to.
enum class CallOutcome { kTicket, kInformation, kComplaint, kCallback, kWrongNumber, kSilent };

std::string_view to_string(Category c);
std::string_view to_string(ElderCategory c);
std::string_view to_string(TicketState s);
std::string_view to_string(Urgency u);
std::string_view to_string(Channel c);
std::string_view to_string(FirmStatus s);
std::string_view to_string(Role r);
std::string_view to_string(AreaLevel l);
std::string_view to_string(ComplaintStatus s);
std::string_view to_string(DisputeStatus s);
std::string_view to_string(ExceptionStatus s);
std::string_view to_string(RunStatus s);
std::string_view to_string(ElderStatus s);
std::string_view to_string(CallState s);
std::string_view to_string(CallOutcome o);
std::string_view to_string(MealSlot s);
std::string_view to_string(MealMode m);
std::string_view to_string(IdentifiedBy i);
std::string_view to_string(CanteenStatus s);
std::string_view to_string(CardStatus s);
std::string_view to_string(OrderState s);
std::string_view to_string(WelfareState s);
std::string_view to_string(CareFlag f);
std::string_view to_string(CareTier t);
std::string_view to_string(VisitMethod m);
std::string_view to_string(Finding f);

std::optional<Category> parse_category(std::string_view s);
std::optional<ElderCategory> parse_elder_category(std::string_view s);
std::optional<TicketState> parse_ticket_state(std::string_view s);
std::optional<Urgency> parse_urgency(std::string_view s);
std::optional<Channel> parse_channel(std::string_view s);
std::optional<FirmStatus> parse_firm_status(std::string_view s);
std::optional<Role> parse_role(std::string_view s);
std::optional<AreaLevel> parse_area_level(std::string_view s);
std::optional<ComplaintStatus> parse_complaint_status(std::string_view s);
std::optional<DisputeStatus> parse_dispute_status(std::string_view s);
std::optional<ExceptionStatus> parse_exception_status(std::string_view s);
std::optional<RunStatus> parse_run_status(std::string_view s);
std::optional<ElderStatus> parse_elder_status(std::string_view s);
std::optional<CallState> parse_call_state(std::string_view s);
std::optional<CallOutcome> parse_call_outcome(std::string_view s);
std::string call_outcome_names();
std::optional<MealSlot> parse_meal_slot(std::string_view s);
std::optional<MealMode> parse_meal_mode(std::string_view s);
std::optional<IdentifiedBy> parse_identified_by(std::string_view s);
std::optional<CanteenStatus> parse_canteen_status(std::string_view s);
std::optional<CardStatus> parse_card_status(std::string_view s);
std::optional<OrderState> parse_order_state(std::string_view s);
std::optional<WelfareState> parse_welfare_state(std::string_view s);
std::optional<CareFlag> parse_care_flag(std::string_view s);
std::optional<CareTier> parse_care_tier(std::string_view s);
std::optional<VisitMethod> parse_visit_method(std::string_view s);
std::optional<Finding> parse_finding(std::string_view s);
// Care flags joined by '|' (SPEC §7 care-targets) in the order of the enum; parse refuses an
// unknown or repeated flag (nullopt).
std::string format_care_flags(CareFlags f);
std::optional<CareFlags> parse_care_flags(std::string_view s);
std::string care_flag_names();
inline CareFlags care_flag_bit(CareFlag f) { return 1u << static_cast<unsigned>(f); }
// True once a complaint has its outcome (substantiated or rejected).
inline bool is_closed(ComplaintStatus s) {
  return s == ComplaintStatus::kSubstantiated || s == ComplaintStatus::kRejected;
}

// The accepted spellings, joined for error messages ("life_care, medical_care, …").
std::string category_names();
std::string role_names();

// True for the states a ticket can still move out of to completion (not completed,
// cancelled or disputed).
bool is_open(TicketState s);
// True when the elder category is fully funded (A 三无, D 重度残疾).
inline bool fully_funded(ElderCategory c) { return c == ElderCategory::kA || c == ElderCategory::kD; }

// Area codes: 6 (district), 9 (street) or 12 (community) digits. An area covers every area
// whose code starts with its code.
bool valid_area_code(std::string_view code);
std::optional<AreaLevel> level_of_code(std::string_view code);
inline bool area_covers(std::string_view area, std::string_view code) {
  return code.size() >= area.size() && code.compare(0, area.size(), area) == 0;
}

}  // namespace vnh::domain
