#include "meals/meals.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "common/identity.hpp"
#include "common/reasons.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"
#include "store/care.hpp"

namespace vnh::meals {
using namespace vnh::domain;

Result<Diner> identify(store::Database& db, const FieldCrypto& crypto, const Identification& who, TimeMs at,
                       const TimeZone& tz) {
  Diner d;
  if (who.card_no && who.id_number) return invalid("card_no", "give card_no or id_number, not both");
  if (who.card_no) {
    auto card = store::find_meal_card(db, *who.card_no);
    if (!card.ok()) return card.status();
    if (!*card) return Status(Code::kNotFound, "no meal card has this number", "card_no", reason::kUnknownCard);
    if (!(*card)->active_at(at, tz.local_date(at))) {
      return Status(Code::kFailedPrecondition,
                    fmt::format("this card is {}", (*card)->status == CardStatus::kActive ? "not yet issued"
                                                                                          : to_string((*card)->status)),
                    "card_no", reason::kCardNotActive);
    }
    auto elder = store::get_elder_core(db, (*card)->elder_id);
    if (!elder.ok()) return elder.status();
    if (!*elder) return internal("a meal card's elder vanished");
    d.elder = std::move(**elder);
    d.card = std::move(**card);
    d.identified_by = who.qr ? IdentifiedBy::kQr : IdentifiedBy::kCard;
    return d;
  }
  if (!who.id_number) return invalid("card_no", "give the card_no or the elder's id_number");
  auto idn = parse_id_number(*who.id_number);
  if (!idn.ok()) return idn.status();
  auto elder = store::find_elder_core_by_id_number(db, crypto, idn->normalized);
  if (!elder.ok()) return elder.status();
  if (!*elder) return not_found("no elder is registered with this ID number", "id_number");
  d.elder = std::move(**elder);
  d.identified_by = IdentifiedBy::kIdNumber;
  return d;
}

Result<Quote> quote(store::Database& db, const Policy& policy, const Diner& diner, MealSlot slot,
                    std::optional<Fen> price, TimeMs served_at) {
  const TimeZone& tz = *policy.tz;
  Quote q;
  q.slot = slot;
  q.day = tz.local_date(served_at);
  auto birth = parse_date(diner.elder.birth_date);
  if (!birth.ok()) return internal("an elder's birth date cannot be read");
  q.age = age_on(*birth, q.day);
  q.price = price.value_or(policy.meals.price_of(slot));
  if (q.price < 0 || q.price > 1'000'000) return invalid("price_fen", "must be between 0 and 1000000 fen");
  const TimeMs from = tz.day_start(q.day);
  const TimeMs to = tz.day_start(civil_from_days(days_from_civil(q.day) + 1));
  // A ticket checked out in the same second as this meal comes after it (SPEC §12).
  const TimeMs second = served_at - (served_at % 1000 + 1000) % 1000;
  auto taken = store::meal_place_taken(db, diner.elder.id, q.day, slot, from, to, second);
  if (!taken.ok()) return taken.status();
  q.place_free = !*taken;
  q.split = policy.meals.split(slot, diner.elder.category, q.age, q.price);
  if (!q.place_free && q.split.government > 0) {
    q.split = MealPolicy::second_meal(q.price);
    q.flags.push_back("second_meal");
  }
  q.takes_place = q.place_free && q.split.government > 0;
  if (diner.identified_by == IdentifiedBy::kIdNumber) q.flags.push_back("override");
  return q;
}

Result<store::MealRow> record(store::Database& db, const Diner& diner, const Quote& q, const MealInput& in) {
  store::MealRow m;
  m.canteen_id = in.canteen_id;
  m.elder_id = diner.elder.id;
  m.slot = q.slot;
  m.day = q.day;
  m.served_at = in.served_at;
  m.mode = in.mode;
  m.price_fen = q.price;
  m.government_fen = q.split.government;
  m.elder_fen = q.split.elder;
  m.rule = q.split.rule;
  m.takes_place = q.takes_place;
  m.identified_by = diner.identified_by;
  if (diner.card) m.card_id = diner.card->id;
  m.recorded_by = in.recorded_by;
  m.recorded_at = in.recorded_at;
  auto id = store::insert_meal(db, m);
  if (!id.ok()) return id.status();
  m.id = *id;
  return m;
}

Status counter_allows(const store::Canteen& canteen, const store::ElderRow& elder) {
  if (canteen.status != CanteenStatus::kActive) {
    return Status(Code::kFailedPrecondition, fmt::format("canteen {} is {}", canteen.code, to_string(canteen.status)),
                  "canteen_code", reason::kCanteenNotActive);
  }
  return store::require_active_elder(elder);
}

namespace {

Result<store::Canteen> canteen_of(store::Database& db, std::int64_t canteen_id) {
  auto c = store::get_canteen(db, canteen_id);
  if (!c.ok()) return c.status();
  if (!*c) return not_found("no such canteen", "canteen_code");
  return **c;
}

}  // namespace

Result<CounterCheck> check_at_counter(store::Database& db, const FieldCrypto& crypto, const Policy& policy,
                                      std::int64_t canteen_id, const Identification& who, MealSlot slot,
                                      std::optional<Fen> price, TimeMs now) {
  CounterCheck c;
  VNH_ASSIGN_OR_RETURN(c.canteen, canteen_of(db, canteen_id));
  VNH_ASSIGN_OR_RETURN(c.diner, identify(db, crypto, who, now, *policy.tz));
  VNH_RETURN_IF_ERROR(counter_allows(c.canteen, c.diner.elder));
  VNH_ASSIGN_OR_RETURN(c.quote, quote(db, policy, c.diner, slot, price, now));
  return c;
}

Result<Recorded> record_at_counter(store::Database& db, const FieldCrypto& crypto, const Policy& policy,
                                   const CounterRequest& req, std::int64_t user_id, const std::string& username,
                                   TimeMs now, const std::optional<std::string>& key, const std::string& request_hash) {
  Recorded r;
  if (key) {
    VNH_RETURN_IF_ERROR(check_idempotency_key(*key));
    auto seen = store::find_meal_request(db, user_id, *key);
    if (!seen.ok()) return seen.status();
    if (*seen) {
      if ((*seen)->request_hash != request_hash) {
        return Status(Code::kInvalidArgument, "this Idempotency-Key was already used with a different meal",
                      "Idempotency-Key", reason::kIdempotencyKeyReused);
      }
      auto m = store::get_meal(db, (*seen)->meal_id);
      if (!m.ok()) return m.status();
      if (!*m) return internal("an idempotent meal vanished");
      r.meal = std::move(**m);
      VNH_ASSIGN_OR_RETURN(r.check.canteen, canteen_of(db, r.meal.canteen_id));
      auto elder = store::get_elder_core(db, r.meal.elder_id);
      if (!elder.ok()) return elder.status();
      if (!*elder) return internal("a meal's elder vanished");
      r.check.diner.elder = std::move(**elder);
      r.check.diner.identified_by = r.meal.identified_by;
      r.replayed = true;
      return r;
    }
  }
  const TimeMs at = req.served_at.value_or(now);
  if (at > now + kClockSkew) return invalid("served_at", "is in the future");
  if (at < now - kOfflineWindow) {
    return invalid("served_at", "is more than a day ago: a meal kept offline is sent within a day, older ones are imported");
  }
  VNH_ASSIGN_OR_RETURN(r.check.canteen, canteen_of(db, req.canteen_id));
  VNH_ASSIGN_OR_RETURN(r.check.diner, identify(db, crypto, req.who, at, *policy.tz));
  VNH_RETURN_IF_ERROR(counter_allows(r.check.canteen, r.check.diner.elder));
  VNH_ASSIGN_OR_RETURN(r.check.quote, quote(db, policy, r.check.diner, req.slot, req.price, at));
  VNH_ASSIGN_OR_RETURN(r.meal, record(db, r.check.diner, r.check.quote, {req.canteen_id, req.mode, at, username, now}));
  if (key) VNH_RETURN_IF_ERROR(store::insert_meal_request(db, user_id, *key, request_hash, r.meal.id, now));
  // A pickup order for this meal is served by it.
  VNH_ASSIGN_OR_RETURN(auto order, store::open_order_of(db, r.meal.elder_id, req.canteen_id, r.meal.day, r.meal.slot));
  if (order && order->mode == MealMode::kPickup) {
    order->state = OrderState::kServed;
    order->meal_id = r.meal.id;
    order->reported_by = username;
    order->reported_at = now;
    VNH_RETURN_IF_ERROR(store::report_meal_order(db, *order));
  }
  boost::json::object detail{{"canteen", r.check.canteen.code},
                             {"elder", store::elder_public_id(r.meal.elder_id)},
                             {"slot", std::string(to_string(r.meal.slot))},
                             {"served_at", r.meal.served_at},
                             {"government_fen", r.meal.government_fen},
                             {"rule", r.meal.rule},
                             {"identified_by", std::string(to_string(r.meal.identified_by))}};
  VNH_RETURN_IF_ERROR(store::append_audit(
      db, now, {username, "meal.record", fmt::format("meal:{}", r.meal.id), boost::json::serialize(detail)}));
  return r;
}

namespace {

Status own_canteen(std::optional<std::int64_t> only_canteen, std::int64_t canteen_id) {
  if (only_canteen && *only_canteen != canteen_id) {
    return Status(Code::kPermissionDenied, "a canteen user handles its own canteen's orders only", "canteen_code",
                  reason::kNotYourCanteen);
  }
  return Status::Ok();
}

Result<store::MealOrder> order_of(store::Database& db, std::int64_t id) {
  auto o = store::get_meal_order(db, id);
  if (!o.ok()) return o.status();
  if (!*o) return not_found(fmt::format("no meal order {}", id), "order_id");
  return **o;
}

Status audit(store::Database& db, TimeMs now, const std::string& actor, const std::string& action,
             const std::string& subject, const boost::json::object& detail) {
  return store::append_audit(db, now, {actor, action, subject, boost::json::serialize(detail)});
}

}  // namespace

Result<store::MealOrder> place_order(store::Database& db, const FieldCrypto& crypto, const Policy& policy,
                                     const OrderRequest& req, const std::string& actor,
                                     std::optional<std::int64_t> only_canteen, TimeMs now) {
  const TimeZone& tz = *policy.tz;
  if (req.mode != MealMode::kPickup && req.mode != MealMode::kDelivery) {
    return invalid("mode", "an order is for pickup or delivery");
  }
  VNH_ASSIGN_OR_RETURN(auto canteen, store::find_canteen(db, req.canteen_code));
  if (!canteen) return not_found("no canteen " + req.canteen_code, "canteen_code");
  VNH_RETURN_IF_ERROR(own_canteen(only_canteen, canteen->id));
  const Date eve = civil_from_days(days_from_civil(req.day) - 1);
  const int cut = policy.meals.order_cutoff_min;
  if (now >= tz.to_utc(eve, cut / 60, cut % 60, 0)) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("orders for {} closed at {:02}:{:02} on {}", format_date(req.day), cut / 60, cut % 60,
                              format_date(eve)),
                  "date", reason::kOrderClosed);
  }
  if (canteen->status != CanteenStatus::kActive) {
    return Status(Code::kFailedPrecondition, "canteen " + canteen->code + " is " + std::string(to_string(canteen->status)),
                  "canteen_code", reason::kCanteenNotActive);
  }
  if (req.mode == MealMode::kDelivery && !canteen->delivers) {
    return Status(Code::kFailedPrecondition, "canteen " + canteen->code + " does not deliver", "mode",
                  reason::kCanteenNoDelivery);
  }
  VNH_ASSIGN_OR_RETURN(auto found, store::elder_named(db, crypto, req.id_number, req.elder_id));
  std::optional<store::ElderRow> elder = std::move(found);
  VNH_RETURN_IF_ERROR(store::require_active_elder(*elder));
  VNH_ASSIGN_OR_RETURN(auto booked, store::count_meal_orders(db, canteen->id, req.day));
  if (booked >= canteen->daily_capacity) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("canteen {} has {} orders for {}, its daily capacity", canteen->code, booked, format_date(req.day)),
                  "canteen_code", reason::kCanteenFull);
  }
  store::MealOrder o;
  o.elder_id = elder->id;
  o.canteen_id = canteen->id;
  o.day = req.day;
  o.slot = req.slot;
  o.mode = req.mode;
  o.delivery_fee_fen =
      req.mode == MealMode::kDelivery && !policy.meals.free_delivery_for(elder->category) ? policy.meals.delivery_fee_fen : 0;
  o.created_by = actor;
  o.created_at = now;
  auto id = store::insert_meal_order(db, o);
  if (!id.ok()) {
    if (id.status().code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists,
                    fmt::format("the elder already has a {} order for {}", to_string(req.slot), format_date(req.day)), "date",
                    reason::kDuplicate);
    }
    return id.status();
  }
  o.id = *id;
  VNH_RETURN_IF_ERROR(audit(db, now, actor, "meal_order.create", fmt::format("meal_order:{}", o.id),
                            {{"canteen", canteen->code}, {"elder", store::elder_public_id(o.elder_id)},
                             {"date", format_date(o.day)}, {"slot", std::string(to_string(o.slot))},
                             {"mode", std::string(to_string(o.mode))}}));
  return o;
}

Result<store::MealOrder> cancel_order(store::Database& db, std::int64_t order_id, const std::string& actor,
                                      std::optional<std::int64_t> only_canteen, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(auto o, order_of(db, order_id));
  VNH_RETURN_IF_ERROR(own_canteen(only_canteen, o.canteen_id));
  if (o.state != OrderState::kOrdered) {
    return Status(Code::kFailedPrecondition, fmt::format("the order is {}", to_string(o.state)), "order_id",
                  reason::kIllegalTransition);
  }
  o.state = OrderState::kCancelled;
  o.reported_by = actor;
  o.reported_at = now;
  VNH_RETURN_IF_ERROR(store::report_meal_order(db, o));
  VNH_RETURN_IF_ERROR(audit(db, now, actor, "meal_order.cancel", fmt::format("meal_order:{}", o.id), {}));
  return o;
}

Result<Reported> report_delivery(store::Database& db, const Policy& policy, std::int64_t order_id,
                                 const DeliveryReport& report, const std::string& actor,
                                 std::optional<std::int64_t> only_canteen, TimeMs now) {
  Reported r;
  VNH_ASSIGN_OR_RETURN(r.order, order_of(db, order_id));
  VNH_RETURN_IF_ERROR(own_canteen(only_canteen, r.order.canteen_id));
  if (r.order.mode != MealMode::kDelivery) return invalid("order_id", "is a pickup order: it is served at the counter");
  if (r.order.state != OrderState::kOrdered) {
    return Status(Code::kFailedPrecondition, fmt::format("the order is already {}", to_string(r.order.state)), "order_id",
                  reason::kIllegalTransition);
  }
  const TimeMs at = report.at.value_or(now);
  if (at > now + kClockSkew || at < now - kOfflineWindow) return invalid("at", "must be within the last day");
  if (policy.tz->local_date(at) != r.order.day) {
    return invalid("at", fmt::format("the order is for {}", format_date(r.order.day)));
  }
  if (report.lat && (*report.lat < -90 || *report.lat > 90)) return invalid("lat", "must be between -90 and 90");
  if (report.lon && (*report.lon < -180 || *report.lon > 180)) return invalid("lon", "must be between -180 and 180");
  r.order.reported_by = actor;
  r.order.reported_at = at;
  r.order.report_lat = report.lat;
  r.order.report_lon = report.lon;
  r.order.note = report.note;
  if (report.delivered) {
    auto elder = store::get_elder_core(db, r.order.elder_id);
    if (!elder.ok()) return elder.status();
    if (!*elder) return internal("an order's elder vanished");
    Diner d;
    d.elder = std::move(**elder);
    d.identified_by = IdentifiedBy::kOrder;
    VNH_ASSIGN_OR_RETURN(auto q, quote(db, policy, d, r.order.slot, std::nullopt, at));
    VNH_ASSIGN_OR_RETURN(r.meal, record(db, d, q, {r.order.canteen_id, MealMode::kDelivery, at, actor, now}));
    r.order.state = OrderState::kDelivered;
    r.order.meal_id = r.meal->id;
  } else {
    r.order.state = OrderState::kNoAnswer;
    store::WelfareCheck w;
    w.elder_id = r.order.elder_id;
    w.order_id = r.order.id;
    w.opened_at = at;
    w.opened_by = actor;
    w.call_due_at = at + kWelfareCallWithin;
    w.escalate_due_at = at + kWelfareEscalateAfter;
    w.note = report.note;
    VNH_ASSIGN_OR_RETURN(w.id, store::insert_welfare_check(db, w));
    VNH_RETURN_IF_ERROR(store::add_welfare_event(db, w.id, {at, actor, "opened", report.note}));
    // A meal nobody answered the door for pulls a care target's next visit forward (SPEC §14).
    VNH_RETURN_IF_ERROR(store::pull_care_visit_forward(db, w.elder_id, policy.care_event_due_at(at), "meal_no_answer",
                                                       fmt::format("W{}", w.id), now)
                            .status());
    r.check = w;
  }
  VNH_RETURN_IF_ERROR(store::report_meal_order(db, r.order));
  VNH_RETURN_IF_ERROR(audit(db, now, actor, report.delivered ? "meal_order.delivered" : "meal_order.no_answer",
                            fmt::format("meal_order:{}", r.order.id),
                            {{"elder", store::elder_public_id(r.order.elder_id)}, {"at", at}}));
  return r;
}

Result<store::WelfareCheck> welfare_step(store::Database& db, std::int64_t check_id, const WelfareStep& step,
                                         const std::string& actor, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(auto found, store::get_welfare_check(db, check_id));
  if (!found) return not_found(fmt::format("no welfare check {}", check_id), "check_id");
  store::WelfareCheck w = *found;
  if (w.state == WelfareState::kClosed) {
    return Status(Code::kFailedPrecondition, "the welfare check is closed", "check_id", reason::kClosed);
  }
  std::string kind;
  boost::json::object detail{{"note", step.note}};
  switch (step.action) {
    case WelfareAction::kCall:
      if (step.who != "elder" && step.who != "contact") return invalid("who", "must be elder or contact");
      if (!w.first_call_at) w.first_call_at = now;
      if (step.reached && !w.reached_at) w.reached_at = now;
      kind = step.reached ? "reached" : "call";
      detail["who"] = step.who;
      break;
    case WelfareAction::kCareWorker:
      w.care_worker_sent_at = now;
      if (w.state == WelfareState::kOpen) {
        w.state = WelfareState::kEscalated;
        w.escalated_at = now;
      }
      kind = "care_worker_sent";
      break;
    case WelfareAction::kClose: {
      static const std::vector<std::string> outcomes = {"elder_safe", "elder_away", "hospital", "emergency_sent", "other"};
      if (std::find(outcomes.begin(), outcomes.end(), step.outcome) == outcomes.end()) {
        return invalid("outcome", "must be one of elder_safe, elder_away, hospital, emergency_sent, other");
      }
      if (step.outcome == "other" && trim(step.note).empty()) return invalid("note", "says what happened (outcome other)");
      w.state = WelfareState::kClosed;
      w.closed_at = now;
      w.closed_by = actor;
      w.outcome = step.outcome;
      if (!step.note.empty()) w.note = step.note;
      kind = "closed";
      detail["outcome"] = step.outcome;
      break;
    }
  }
  VNH_RETURN_IF_ERROR(store::update_welfare_check(db, w));
  VNH_RETURN_IF_ERROR(store::add_welfare_event(db, w.id, {now, actor, kind, boost::json::serialize(detail)}));
  VNH_RETURN_IF_ERROR(audit(db, now, actor, "welfare_check." + kind, fmt::format("welfare_check:{}", w.id), detail));
  return w;
}

namespace {
bool call_overdue(const store::WelfareCheck& w, TimeMs now) {
  return !w.first_call_at && !w.call_overdue_alerted && now >= w.call_due_at;
}
bool escalation_due(const store::WelfareCheck& w, TimeMs now) {
  return !w.reached_at && w.state == WelfareState::kOpen && now >= w.escalate_due_at;
}
}  // namespace

bool welfare_alert_due(const store::WelfareCheck& w, TimeMs now) {
  return !w.opened_alerted || call_overdue(w, now) || escalation_due(w, now);
}

Result<std::vector<WelfareAlert>> welfare_due(store::Database& db, TimeMs now) {
  std::vector<WelfareAlert> out;
  VNH_ASSIGN_OR_RETURN(auto open, store::open_welfare_checks(db));
  for (auto& w : open) {
    bool changed = false;
    if (!w.opened_alerted) {
      w.opened_alerted = true;
      out.push_back({w, "call"});
      changed = true;
    }
    if (call_overdue(w, now)) {
      w.call_overdue_alerted = true;
      VNH_RETURN_IF_ERROR(store::add_welfare_event(db, w.id, {now, "system", "call_overdue", ""}));
      out.push_back({w, "call_overdue"});
      changed = true;
    }
    if (escalation_due(w, now)) {
      w.state = WelfareState::kEscalated;
      w.escalated_at = now;
      VNH_RETURN_IF_ERROR(store::add_welfare_event(db, w.id, {now, "system", "escalated", ""}));
      out.push_back({w, "send_care_worker"});
      changed = true;
    }
    if (changed) VNH_RETURN_IF_ERROR(store::update_welfare_check(db, w));
  }
  return out;
}

}  // namespace vnh::meals
