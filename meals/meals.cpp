#include "meals/meals.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/reasons.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"

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

Status counter_allows(const store::Canteen& canteen, const store::ElderRow& elder, Date day) {
  if (canteen.status != CanteenStatus::kActive) {
    return Status(Code::kFailedPrecondition, fmt::format("canteen {} is {}", canteen.code, to_string(canteen.status)),
                  "canteen_code", reason::kCanteenNotActive);
  }
  (void)day;
  bool deceased = elder.died_on.has_value();
  if (elder.status != ElderStatus::kActive || deceased) {
    return Status(Code::kFailedPrecondition,
                  deceased ? "the elder is recorded as deceased" : "the elder's registration is inactive", "elder_id",
                  reason::kElderInactive);
  }
  return Status::Ok();
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
  VNH_RETURN_IF_ERROR(counter_allows(c.canteen, c.diner.elder, policy.tz->local_date(now)));
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
  VNH_RETURN_IF_ERROR(counter_allows(r.check.canteen, r.check.diner.elder, policy.tz->local_date(at)));
  VNH_ASSIGN_OR_RETURN(r.check.quote, quote(db, policy, r.check.diner, req.slot, req.price, at));
  VNH_ASSIGN_OR_RETURN(r.meal, record(db, r.check.diner, r.check.quote, {req.canteen_id, req.mode, at, username, now}));
  if (key) VNH_RETURN_IF_ERROR(store::insert_meal_request(db, user_id, *key, request_hash, r.meal.id, now));
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

}  // namespace vnh::meals
