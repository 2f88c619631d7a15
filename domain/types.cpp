#include "domain/types.hpp"

#include <array>
#include <utility>

namespace vnh::domain {
namespace {

template <class E, size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}
template <class E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "?";
}
template <class E, size_t N>
std::string join_names(const std::array<std::pair<E, std::string_view>, N>& table) {
  std::string out;
  for (const auto& [v, name] : table) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

constexpr std::array<std::pair<Category, std::string_view>, 4> kCategories{{
    {Category::kLifeCare, "life_care"},
    {Category::kMedicalCare, "medical_care"},
    {Category::kEmotionalComfort, "emotional_comfort"},
    {Category::kEmergencyAid, "emergency_aid"},
}};
constexpr std::array<std::pair<ElderCategory, std::string_view>, 4> kElderCategories{{
    {ElderCategory::kA, "A"}, {ElderCategory::kB, "B"}, {ElderCategory::kC, "C"}, {ElderCategory::kD, "D"}}};
constexpr std::array<std::pair<TicketState, std::string_view>, 8> kStates{{
    {TicketState::kCreated, "created"},
    {TicketState::kOffered, "offered"},
    {TicketState::kAccepted, "accepted"},
    {TicketState::kInService, "in_service"},
    {TicketState::kCompleted, "completed"},
    {TicketState::kCancelled, "cancelled"},
    {TicketState::kUnassigned, "unassigned"},
    {TicketState::kDisputed, "disputed"},
}};
constexpr std::array<std::pair<Urgency, std::string_view>, 2> kUrgencies{{
    {Urgency::kNormal, "normal"}, {Urgency::kEmergency, "emergency"}}};
constexpr std::array<std::pair<Channel, std::string_view>, 5> kChannels{{{Channel::kHotline, "hotline"},
                                                                         {Channel::kDevice, "device"},
                                                                         {Channel::kApp, "app"},
                                                                         {Channel::kImport, "import"},
                                                                         {Channel::kRecurrence, "recurrence"}}};
constexpr std::array<std::pair<FirmStatus, std::string_view>, 3> kFirmStatuses{{
    {FirmStatus::kActive, "active"}, {FirmStatus::kSuspended, "suspended"}, {FirmStatus::kExited, "exited"}}};
constexpr std::array<std::pair<Role, std::string_view>, 8> kRoles{{
    {Role::kOperator, "operator"},
    {Role::kSupervisor, "supervisor"},
    {Role::kInspector, "inspector"},
    {Role::kFinance, "finance"},
    {Role::kAdmin, "admin"},
    {Role::kCanteen, "canteen"},
    {Role::kCare, "care"},
    {Role::kDisplay, "display"},
}};
constexpr std::array<std::pair<AreaLevel, std::string_view>, 3> kLevels{{
    {AreaLevel::kDistrict, "district"}, {AreaLevel::kStreet, "street"}, {AreaLevel::kCommunity, "community"}}};
constexpr std::array<std::pair<ComplaintStatus, std::string_view>, 4> kComplaintStatuses{{
    {ComplaintStatus::kOpen, "open"},
    {ComplaintStatus::kInvestigating, "investigating"},
    {ComplaintStatus::kSubstantiated, "substantiated"},
    {ComplaintStatus::kRejected, "rejected"},
}};
constexpr std::array<std::pair<DisputeStatus, std::string_view>, 4> kDisputeStatuses{{
    {DisputeStatus::kNone, "none"},
    {DisputeStatus::kOpen, "open"},
    {DisputeStatus::kCleared, "cleared"},
    {DisputeStatus::kUpheld, "upheld"},
}};
constexpr std::array<std::pair<ExceptionStatus, std::string_view>, 3> kExceptionStatuses{{
    {ExceptionStatus::kOpen, "open"}, {ExceptionStatus::kCleared, "cleared"}, {ExceptionStatus::kUpheld, "upheld"}}};
constexpr std::array<std::pair<RunStatus, std::string_view>, 2> kRunStatuses{{
    {RunStatus::kDraft, "draft"}, {RunStatus::kApproved, "approved"}}};
constexpr std::array<std::pair<ElderStatus, std::string_view>, 3> kElderStatuses{{
    {ElderStatus::kActive, "active"}, {ElderStatus::kInactive, "inactive"}, {ElderStatus::kDeceased, "deceased"}}};
constexpr std::array<std::pair<CareFlag, std::string_view>, 7> kCareFlags{{{CareFlag::kLivesAlone, "lives_alone"},
                                                                         {CareFlag::kEmptyNest, "empty_nest"},
                                                                         {CareFlag::kLeftBehind, "left_behind"},
                                                                         {CareFlag::kDisabled, "disabled"},
                                                                         {CareFlag::kSeverelyDisabled, "severely_disabled"},
                                                                         {CareFlag::kLowIncome, "low_income"},
                                                                         {CareFlag::kSpecialFamily, "special_family"}}};
constexpr std::array<std::pair<CareTier, std::string_view>, 3> kCareTiers{{
    {CareTier::kHigh, "high"}, {CareTier::kKey, "key"}, {CareTier::kGeneral, "general"}}};
constexpr std::array<std::pair<VisitMethod, std::string_view>, 3> kVisitMethods{{
    {VisitMethod::kInPerson, "in_person"}, {VisitMethod::kPhone, "phone"}, {VisitMethod::kVideo, "video"}}};
constexpr std::array<std::pair<Finding, std::string_view>, 3> kFindings{{
    {Finding::kGood, "good"}, {Finding::kFair, "fair"}, {Finding::kPoor, "poor"}}};
constexpr std::array<std::pair<CallState, std::string_view>, 4> kCallStates{{
    {CallState::kRinging, "ringing"},
    {CallState::kAnswered, "answered"},
    {CallState::kEnded, "ended"},
    {CallState::kMissed, "missed"},
}};
constexpr std::array<std::pair<CallOutcome, std::string_view>, 6> kCallOutcomes{{
    {CallOutcome::kTicket, "ticket"},
    {CallOutcome::kInformation, "information"},
    {CallOutcome::kComplaint, "complaint"},
    {CallOutcome::kCallback, "callback"},
    {CallOutcome::kWrongNumber, "wrong_number"},
    {CallOutcome::kSilent, "silent"},
}};
constexpr std::array<std::pair<MealSlot, std::string_view>, 3> kMealSlots{{
    {MealSlot::kBreakfast, "breakfast"}, {MealSlot::kLunch, "lunch"}, {MealSlot::kDinner, "dinner"}}};
constexpr std::array<std::pair<MealMode, std::string_view>, 3> kMealModes{{
    {MealMode::kDineIn, "dine_in"}, {MealMode::kPickup, "pickup"}, {MealMode::kDelivery, "delivery"}}};
constexpr std::array<std::pair<IdentifiedBy, std::string_view>, 4> kIdentifiedBy{{
    {IdentifiedBy::kCard, "card"}, {IdentifiedBy::kQr, "qr"}, {IdentifiedBy::kIdNumber, "id_number"}, {IdentifiedBy::kOrder, "order"}}};
constexpr std::array<std::pair<CanteenStatus, std::string_view>, 3> kCanteenStatuses{{
    {CanteenStatus::kActive, "active"}, {CanteenStatus::kSuspended, "suspended"}, {CanteenStatus::kClosed, "closed"}}};
constexpr std::array<std::pair<CardStatus, std::string_view>, 3> kCardStatuses{{
    {CardStatus::kActive, "active"}, {CardStatus::kLost, "lost"}, {CardStatus::kRevoked, "revoked"}}};
constexpr std::array<std::pair<OrderState, std::string_view>, 5> kOrderStates{{
    {OrderState::kOrdered, "ordered"}, {OrderState::kCancelled, "cancelled"}, {OrderState::kDelivered, "delivered"},
    {OrderState::kNoAnswer, "no_answer"}, {OrderState::kServed, "served"}}};
constexpr std::array<std::pair<WelfareState, std::string_view>, 3> kWelfareStates{{
    {WelfareState::kOpen, "open"}, {WelfareState::kEscalated, "escalated"}, {WelfareState::kClosed, "closed"}}};

}  // namespace

std::string_view to_string(Category c) { return name_of(kCategories, c); }
std::string_view to_string(ElderCategory c) { return name_of(kElderCategories, c); }
std::string_view to_string(TicketState s) { return name_of(kStates, s); }
std::string_view to_string(Urgency u) { return name_of(kUrgencies, u); }
std::string_view to_string(Channel c) { return name_of(kChannels, c); }
std::string_view to_string(FirmStatus s) { return name_of(kFirmStatuses, s); }
std::string_view to_string(Role r) { return name_of(kRoles, r); }
std::string_view to_string(AreaLevel l) { return name_of(kLevels, l); }
std::string_view to_string(ComplaintStatus s) { return name_of(kComplaintStatuses, s); }
std::string_view to_string(DisputeStatus s) { return name_of(kDisputeStatuses, s); }
std::string_view to_string(ExceptionStatus s) { return name_of(kExceptionStatuses, s); }
std::string_view to_string(RunStatus s) { return name_of(kRunStatuses, s); }
std::string_view to_string(ElderStatus s) { return name_of(kElderStatuses, s); }
std::string_view to_string(CallState s) { return name_of(kCallStates, s); }
std::string_view to_string(CallOutcome o) { return name_of(kCallOutcomes, o); }

std::optional<Category> parse_category(std::string_view s) { return lookup(kCategories, s); }
std::optional<ElderCategory> parse_elder_category(std::string_view s) { return lookup(kElderCategories, s); }
std::optional<TicketState> parse_ticket_state(std::string_view s) { return lookup(kStates, s); }
std::optional<Urgency> parse_urgency(std::string_view s) { return lookup(kUrgencies, s); }
std::optional<Channel> parse_channel(std::string_view s) { return lookup(kChannels, s); }
std::optional<FirmStatus> parse_firm_status(std::string_view s) { return lookup(kFirmStatuses, s); }
std::optional<Role> parse_role(std::string_view s) { return lookup(kRoles, s); }
std::optional<AreaLevel> parse_area_level(std::string_view s) { return lookup(kLevels, s); }
std::optional<ComplaintStatus> parse_complaint_status(std::string_view s) { return lookup(kComplaintStatuses, s); }
std::optional<DisputeStatus> parse_dispute_status(std::string_view s) { return lookup(kDisputeStatuses, s); }
std::optional<ExceptionStatus> parse_exception_status(std::string_view s) { return lookup(kExceptionStatuses, s); }
std::optional<RunStatus> parse_run_status(std::string_view s) { return lookup(kRunStatuses, s); }
std::optional<ElderStatus> parse_elder_status(std::string_view s) { return lookup(kElderStatuses, s); }
std::optional<CallState> parse_call_state(std::string_view s) { return lookup(kCallStates, s); }
std::optional<CallOutcome> parse_call_outcome(std::string_view s) { return lookup(kCallOutcomes, s); }
std::string call_outcome_names() { return join_names(kCallOutcomes); }
std::string_view to_string(MealSlot s) { return name_of(kMealSlots, s); }
std::string_view to_string(MealMode m) { return name_of(kMealModes, m); }
std::string_view to_string(IdentifiedBy i) { return name_of(kIdentifiedBy, i); }
std::string_view to_string(CanteenStatus s) { return name_of(kCanteenStatuses, s); }
std::string_view to_string(CardStatus s) { return name_of(kCardStatuses, s); }
std::optional<MealSlot> parse_meal_slot(std::string_view s) { return lookup(kMealSlots, s); }
std::optional<MealMode> parse_meal_mode(std::string_view s) { return lookup(kMealModes, s); }
std::optional<IdentifiedBy> parse_identified_by(std::string_view s) { return lookup(kIdentifiedBy, s); }
std::optional<CanteenStatus> parse_canteen_status(std::string_view s) { return lookup(kCanteenStatuses, s); }
std::optional<CardStatus> parse_card_status(std::string_view s) { return lookup(kCardStatuses, s); }
std::string_view to_string(OrderState s) { return name_of(kOrderStates, s); }
std::string_view to_string(WelfareState s) { return name_of(kWelfareStates, s); }
std::optional<OrderState> parse_order_state(std::string_view s) { return lookup(kOrderStates, s); }
std::optional<WelfareState> parse_welfare_state(std::string_view s) { return lookup(kWelfareStates, s); }

std::string category_names() { return join_names(kCategories); }
std::string role_names() { return join_names(kRoles); }
std::string care_flag_names() { return join_names(kCareFlags); }

std::string_view to_string(CareFlag f) { return name_of(kCareFlags, f); }
std::string_view to_string(CareTier t) { return name_of(kCareTiers, t); }
std::string_view to_string(VisitMethod m) { return name_of(kVisitMethods, m); }
std::string_view to_string(Finding f) { return name_of(kFindings, f); }
std::optional<CareFlag> parse_care_flag(std::string_view s) { return lookup(kCareFlags, s); }
std::optional<CareTier> parse_care_tier(std::string_view s) { return lookup(kCareTiers, s); }
std::optional<VisitMethod> parse_visit_method(std::string_view s) { return lookup(kVisitMethods, s); }
std::optional<Finding> parse_finding(std::string_view s) { return lookup(kFindings, s); }

std::string format_care_flags(CareFlags f) {
  std::string out;
  for (const auto& [flag, name] : kCareFlags) {
    if (!(f & care_flag_bit(flag))) continue;
    if (!out.empty()) out += '|';
    out += name;
  }
  return out;
}

std::optional<CareFlags> parse_care_flags(std::string_view s) {
  CareFlags out = 0;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t bar = s.find('|', start);
    auto flag = parse_care_flag(s.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (!flag || (out & care_flag_bit(*flag))) return std::nullopt;
    out |= care_flag_bit(*flag);
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

bool is_open(TicketState s) {
  switch (s) {
    case TicketState::kCreated:
    case TicketState::kOffered:
    case TicketState::kAccepted:
    case TicketState::kInService:
    case TicketState::kUnassigned:
      return true;
    default:
      return false;
  }
}

bool valid_area_code(std::string_view code) {
  if (code.size() != 6 && code.size() != 9 && code.size() != 12) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<AreaLevel> level_of_code(std::string_view code) {
  if (!valid_area_code(code)) return std::nullopt;
  return code.size() == 6 ? AreaLevel::kDistrict : code.size() == 9 ? AreaLevel::kStreet : AreaLevel::kCommunity;
}

}  // namespace vnh::domain
