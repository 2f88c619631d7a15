// Meal assistance over the API (SPEC §12): canteens (admins), meal cards (the desk issues and
// reports them lost), and the counter — check a card and record a meal, which a `canteen`
// user does for its own canteen only.
#include <fmt/format.h>

#include <map>
#include <tuple>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/request.hpp"
#include "hotline/roles.hpp"
#include "hotline/live.hpp"
#include "hotline/views.hpp"
#include "meals/meals.hpp"
#include "store/audit.hpp"
#include "store/meals.hpp"
#include "store/reference.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using namespace vnh::domain;

namespace {

const std::vector<Role> kCounter = {Role::kCanteen, Role::kAdmin};
const std::vector<Role> kCanteenReaders = {Role::kCanteen, Role::kSupervisor, Role::kFinance, Role::kAdmin};
// Who lists the canteens: also the operators, who set up an elder's regular meal delivery.
const std::vector<Role> kCanteenList = {Role::kCanteen, Role::kOperator, Role::kSupervisor, Role::kFinance, Role::kAdmin};
// Who issues cards and takes a lost-card report (an elder phones the hotline, or tells the counter).
const std::vector<Role> kCardDesk = {Role::kOperator, Role::kSupervisor, Role::kAdmin};
const std::vector<Role> kCardLoss = {Role::kOperator, Role::kSupervisor, Role::kAdmin, Role::kCanteen};

json::object canteen_json(const store::Canteen& c) {
  return json::object{{"code", c.code},
                      {"name", c.name},
                      {"firm_code", c.firm_code ? json::value(*c.firm_code) : json::value(nullptr)},
                      {"community_code", c.community_code},
                      {"lat", c.lat},
                      {"lon", c.lon},
                      {"status", std::string(to_string(c.status))},
                      {"delivers", c.delivers},
                      {"daily_capacity", c.daily_capacity}};
}

json::object card_json(const store::MealCard& c, const TimeZone& tz) {
  return json::object{{"card_no", c.card_no},
                      {"elder_id", store::elder_public_id(c.elder_id)},
                      {"issued_on", format_date(c.issued_on)},
                      {"status", std::string(to_string(c.status))},
                      {"status_at", time_or_null(c.status_at, tz)}};
}

json::array flags_json(const std::vector<std::string>& flags) {
  json::array a;
  for (const auto& f : flags) a.push_back(json::value(f));
  return a;
}

// The elder as the counter shows it: masked, with what the split depends on.
json::object diner_json(const meals::Diner& d, Role role) {
  return json::object{{"elder_id", store::elder_public_id(d.elder.id)},
                      {"name", sees_whole_names(role) ? d.elder.name : mask_name(d.elder.name)},
                      {"id_number", d.elder.id_number_masked},
                      {"category", std::string(to_string(d.elder.category))},
                      {"community_name", d.elder.community_name},
                      {"identified_by", std::string(to_string(d.identified_by))},
                      {"card_no", d.card ? json::value(d.card->card_no) : json::value(nullptr)}};
}

json::object meal_json(const store::MealRow& m, const std::string& canteen_code, const TimeZone& tz) {
  json::array flags;
  if (m.identified_by == IdentifiedBy::kIdNumber) flags.push_back("override");
  if (m.rule == "second_meal") flags.push_back("second_meal");
  return json::object{{"meal_id", m.id},
                      {"canteen_code", canteen_code},
                      {"elder_id", store::elder_public_id(m.elder_id)},
                      {"slot", std::string(to_string(m.slot))},
                      {"mode", std::string(to_string(m.mode))},
                      {"date", format_date(m.day)},
                      {"served_at", format_time(m.served_at, tz)},
                      {"price_fen", m.price_fen},
                      {"government_fen", m.government_fen},
                      {"elder_fen", m.elder_fen},
                      {"rule", m.rule},
                      {"identified_by", std::string(to_string(m.identified_by))},
                      {"flags", std::move(flags)},
                      {"recorded_by", m.recorded_by}};
}

// The canteen a counter request is for: a canteen user's own (a canteen_code naming another is
// refused), an admin's named one.
Result<std::int64_t> counter_canteen(store::Database& db, const Principal& who, const std::optional<std::string>& code) {
  if (who.role == Role::kCanteen) {
    if (!who.canteen_id) return internal("a canteen user without a canteen");
    if (code) {
      VNH_ASSIGN_OR_RETURN(auto k, store::find_canteen(db, *code));
      if (!k || k->id != *who.canteen_id) {
        return Status(Code::kPermissionDenied, "a canteen user records meals at its own canteen only", "canteen_code",
                      reason::kNotYourCanteen);
      }
    }
    return *who.canteen_id;
  }
  if (!code) return invalid("canteen_code", "is required (the canteen the meal is served at)");
  VNH_ASSIGN_OR_RETURN(auto k, store::find_canteen(db, *code));
  if (!k) return not_found("no canteen " + *code, "canteen_code");
  return k->id;
}

Result<MealSlot> slot_of(const std::optional<std::string>& s) {
  if (!s) return invalid("slot", "is required (breakfast, lunch or dinner)");
  auto v = parse_meal_slot(*s);
  if (!v) return invalid("slot", fmt::format("'{}' is not one of breakfast, lunch, dinner", *s));
  return *v;
}

Result<meals::Identification> identification(const std::optional<std::string>& card, const std::optional<std::string>& id,
                                             bool qr) {
  // Which of the two is given is meals::identify's to judge; here only the text itself.
  meals::Identification who;
  if (card) VNH_RETURN_IF_ERROR(check_text(*card, "card_no", 64, true, true));
  who.card_no = card;
  who.id_number = id;
  who.qr = qr;
  return who;
}

json::object check_json(const meals::CounterCheck& c, Role role, const TimeZone& tz, TimeMs now) {
  return json::object{{"canteen_code", c.canteen.code},
                      {"elder", diner_json(c.diner, role)},
                      {"slot", std::string(to_string(c.quote.slot))},
                      {"date", format_date(c.quote.day)},
                      {"age", c.quote.age},
                      {"available", c.quote.place_free},
                      {"price_fen", c.quote.price},
                      {"government_fen", c.quote.split.government},
                      {"elder_fen", c.quote.split.elder},
                      {"rule", c.quote.split.rule},
                      {"flags", flags_json(c.quote.flags)},
                      {"checked_at", format_time(now, tz)}};
}

void check_meal(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto slot, slot_of(call.req.query_param("slot").value_or("lunch")));
    VNH_ASSIGN_OR_RETURN(auto who, identification(call.req.query_param("card_no"), call.req.query_param("id_number"),
                                                   call.req.query_param("qr").value_or("0") == "1"));
    VNH_ASSIGN_OR_RETURN(auto canteen, counter_canteen(db, call.who, call.req.query_param("canteen_code")));
    const TimeMs now = c.clock.now_ms();
    VNH_ASSIGN_OR_RETURN(auto check, meals::check_at_counter(db, c.store.crypto(), c.policy, canteen, who, slot,
                                                             std::nullopt, now));
    return json_response(200, check_json(check, call.who.role, *c.policy.tz, now));
  });
}

void record_meal(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto card = opt_string(*body, "card_no", 64);
  auto id = opt_string(*body, "id_number", 32);
  auto qr = opt_bool(*body, "qr");
  auto slot = opt_string(*body, "slot", 16);
  auto mode = opt_string(*body, "mode", 16);
  auto price = opt_int(*body, "price_fen");
  auto served = opt_time(*body, "served_at");
  auto canteen_code = opt_string(*body, "canteen_code", 32);
  for (const Status* s : {&card.status(), &id.status(), &qr.status(), &slot.status(), &mode.status(), &price.status(),
                          &served.status(), &canteen_code.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  meals::CounterRequest req;
  auto who = identification(*card, *id, qr->value_or(false));
  if (!who.ok()) return call.respond(error_response(who.status()));
  req.who = *who;
  auto s = slot_of(*slot);
  if (!s.ok()) return call.respond(error_response(s.status()));
  req.slot = *s;
  auto m = parse_meal_mode(mode->value_or("dine_in"));
  if (!m) return call.respond(error_response(invalid("mode", "must be one of dine_in, pickup, delivery")));
  req.mode = *m;
  req.price = *price;
  req.served_at = *served;
  auto key = call.req.header("idempotency-key");
  std::string hash = sha256_raw(canonical_json(*body));
  const auto& c = api.ctx();
  auto recorded = std::make_shared<meals::Recorded>();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&c, req, key, hash, code = *canteen_code, who = call.who, recorded](store::WriteTx& tx) mutable -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(req.canteen_id, counter_canteen(tx.db(), who, code));
        VNH_ASSIGN_OR_RETURN(*recorded, meals::record_at_counter(tx.db(), c.store.crypto(), c.policy, req, who.user_id,
                                                                 who.username, c.clock.now_ms(), key, hash));
        return recorded->meal.id;
      },
      [&c](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto m, store::get_meal(db, id));
        if (!m) return internal("recorded meal vanished");
        VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, m->canteen_id));
        return json_response(201, meal_json(*m, k ? k->code : "", *c.policy.tz));
      },
      [&c, recorded, role = call.who.role](std::int64_t&) -> std::optional<net::Response> {
        json::object o = meal_json(recorded->meal, recorded->check.canteen.code, *c.policy.tz);
        o["elder"] = diner_json(recorded->check.diner, role);
        o["replayed"] = recorded->replayed;
        auto res = json_response(recorded->replayed ? 200 : 201, json::value(std::move(o)));
        if (recorded->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
        return res;
      });
}

// GET /api/v1/meals?date=YYYY-MM-DD[&canteen_code=] — a counter's day (its own canteen).
void list_meals(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& tz = *api.ctx().policy.tz;
    VNH_ASSIGN_OR_RETURN(auto asked, date_query(call.req, "date"));
    const Date day = asked.value_or(tz.local_date(api.ctx().clock.now_ms()));
    std::optional<std::string> code = call.req.query_param("canteen_code");
    std::int64_t canteen = 0;
    if (call.who.role == Role::kCanteen || code) {
      VNH_ASSIGN_OR_RETURN(canteen, counter_canteen(db, call.who, code));
    } else {
      return invalid("canteen_code", "is required");
    }
    VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, canteen));
    VNH_ASSIGN_OR_RETURN(auto rows, store::meals_of_canteen_on(db, canteen, day));
    json::array a;
    Fen government = 0, elder = 0;
    std::int64_t subsidised = 0, overrides = 0;
    for (const auto& m : rows) {
      a.push_back(meal_json(m, k->code, tz));
      government += m.government_fen;
      elder += m.elder_fen;
      if (m.government_fen > 0) ++subsidised;
      if (m.identified_by == IdentifiedBy::kIdNumber) ++overrides;
    }
    return json_response(200, json::object{{"canteen", canteen_json(*k)},
                                           {"date", format_date(day)},
                                           {"meals", std::move(a)},
                                           {"totals", json::object{{"meals", rows.size()},
                                                                   {"subsidised", subsidised},
                                                                   {"overrides", overrides},
                                                                   {"government_fen", government},
                                                                   {"elder_fen", elder}}}});
  });
}

void list_canteens(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_canteens(db));
    json::array a;
    for (const auto& k : rows) {
      if (call.who.role == Role::kCanteen && (!call.who.canteen_id || k.id != *call.who.canteen_id)) continue;
      a.push_back(canteen_json(k));
    }
    return json_response(200, json::object{{"canteens", std::move(a)}});
  });
}

// POST /api/v1/canteens — a new canteen (the CSV's columns as fields), or POST
// /api/v1/canteens/{code} — a change of the named fields.
void put_canteen(Api& api, Api::Call&& call, bool create) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto code = create ? req_string(*body, "code", 32) : Result<std::string>(call.req.params["code"]);
  auto name = opt_string(*body, "name", 64);
  auto firm = opt_string(*body, "firm_code", 32);
  auto community = opt_string(*body, "community_code", 12);
  auto lat = opt_number(*body, "lat");
  auto lon = opt_number(*body, "lon");
  auto status = opt_string(*body, "status", 16);
  auto delivers = opt_bool(*body, "delivers");
  auto cap = opt_int(*body, "daily_capacity");
  for (const Status* s : {&code.status(), &name.status(), &firm.status(), &community.status(), &lat.status(),
                          &lon.status(), &status.status(), &delivers.status(), &cap.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, create, code = *code, name = *name, firm = *firm, community = *community, lat = *lat, lon = *lon,
       status = *status, delivers = *delivers, cap = *cap, actor = call.who.username](store::WriteTx& tx) -> Result<std::string> {
        auto& db = tx.db();
        store::Canteen k;
        if (!create) {
          VNH_ASSIGN_OR_RETURN(auto old, store::find_canteen(db, code));
          if (!old) return not_found("no canteen " + code, "code");
          k = *old;
        } else {
          VNH_RETURN_IF_ERROR(check_text(code, "code", 32, true, true));
          k.code = code;
          for (auto [v, f] : {std::pair{name.has_value(), "name"}, {community.has_value(), "community_code"},
                              {lat.has_value(), "lat"}, {lon.has_value(), "lon"}, {cap.has_value(), "daily_capacity"}}) {
            if (!v) return invalid(f, "is required");
          }
          k.status = CanteenStatus::kActive;
        }
        if (name) {
          VNH_RETURN_IF_ERROR(check_text(*name, "name", 64, true, true));
          k.name = *name;
        }
        if (firm) {
          if (firm->empty()) {
            k.firm_id.reset();
          } else {
            VNH_ASSIGN_OR_RETURN(auto f, store::find_firm(db, *firm));
            if (!f) return not_found("no firm " + *firm, "firm_code");
            k.firm_id = f->id;
          }
        }
        if (community) {
          VNH_ASSIGN_OR_RETURN(auto a, store::find_area(db, *community));
          if (!a || a->level != AreaLevel::kCommunity) return invalid("community_code", "is not a known community");
          k.community_code = *community;
        }
        if (lat) {
          if (*lat < -90 || *lat > 90) return invalid("lat", "must be between -90 and 90");
          k.lat = *lat;
        }
        if (lon) {
          if (*lon < -180 || *lon > 180) return invalid("lon", "must be between -180 and 180");
          k.lon = *lon;
        }
        if (status) {
          auto st = parse_canteen_status(*status);
          if (!st) return invalid("status", "must be one of active, suspended, closed");
          k.status = *st;
        }
        if (delivers) k.delivers = *delivers;
        if (cap) {
          if (*cap < 1 || *cap > 1'000'000) return invalid("daily_capacity", "must be between 1 and 1000000");
          k.daily_capacity = static_cast<int>(*cap);
        }
        const TimeMs now = c.clock.now_ms();
        if (create) {
          auto id = store::insert_canteen(db, k, now);
          if (!id.ok()) {
            if (id.status().code() == Code::kAlreadyExists) {
              return Status(Code::kAlreadyExists, "canteen " + code + " already exists", "code", reason::kDuplicate);
            }
            return id.status();
          }
        } else {
          VNH_RETURN_IF_ERROR(store::update_canteen(db, k, now));
        }
        VNH_RETURN_IF_ERROR(store::append_audit(
            db, now,
            {actor, create ? "canteen.create" : "canteen.update", "canteen:" + code,
             json::serialize(json::object{{"status", std::string(to_string(k.status))}, {"name", k.name}})}));
        return code;
      },
      [create](store::Database& db, std::string& code) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto k, store::find_canteen(db, code));
        if (!k) return internal("canteen vanished");
        return json_response(create ? 201 : 200, canteen_json(*k));
      });
}
void create_canteen(Api& api, Api::Call&& call) { put_canteen(api, std::move(call), true); }
void update_canteen(Api& api, Api::Call&& call) { put_canteen(api, std::move(call), false); }

// POST /api/v1/meal-cards {card_no, id_number | elder_id, issued_on?}
void issue_card(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto card = req_string(*body, "card_no", 64);
  auto idn = opt_string(*body, "id_number", 32);
  auto elder = opt_string(*body, "elder_id", 24);
  auto issued = opt_string(*body, "issued_on", 10);
  for (const Status* s : {&card.status(), &idn.status(), &elder.status(), &issued.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, card = *card, idn = *idn, elder = *elder, issued = *issued,
       actor = call.who.username](store::WriteTx& tx) -> Result<std::string> {
        auto& db = tx.db();
        VNH_RETURN_IF_ERROR(check_text(card, "card_no", 64, true, true));
        if (card.size() < 4) return invalid("card_no", "must be at least 4 characters");
        VNH_ASSIGN_OR_RETURN(auto who, store::elder_named(db, c.store.crypto(), idn, elder));
        const std::optional<std::int64_t> elder_id = who.id;
        const TimeMs now = c.clock.now_ms();
        store::MealCard k;
        k.card_no = card;
        k.elder_id = *elder_id;
        k.issued_on = c.policy.tz->local_date(now);
        if (issued) {
          auto d = parse_date(*issued);
          if (!d.ok()) return invalid("issued_on", d.status().message());
          k.issued_on = *d;
        }
        VNH_ASSIGN_OR_RETURN(auto existing, store::find_meal_card(db, card));
        if (existing) return Status(Code::kAlreadyExists, "card " + card + " is already issued", "card_no", reason::kDuplicate);
        VNH_ASSIGN_OR_RETURN(auto cards, store::meal_cards_of(db, *elder_id));
        for (const auto& old : cards) {
          if (old.status == CardStatus::kActive) {
            return Status(Code::kFailedPrecondition,
                          fmt::format("the elder already has an active card {}: report it lost or revoke it first", old.card_no),
                          "card_no", reason::kDuplicate);
          }
        }
        VNH_RETURN_IF_ERROR(store::insert_meal_card(db, k, now).status());
        VNH_RETURN_IF_ERROR(store::append_audit(
            db, now, {actor, "meal_card.issue", "card:" + card, json::serialize(json::object{{"elder", store::elder_public_id(*elder_id)}})}));
        return card;
      },
      [&c](store::Database& db, std::string& card) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto k, store::find_meal_card(db, card));
        if (!k) return internal("card vanished");
        return json_response(201, card_json(*k, *c.policy.tz));
      });
}

// POST /api/v1/meal-cards/{card_no}/lost | /revoke — the card stops working at once.
void card_status(Api& api, Api::Call&& call, CardStatus to) {
  const auto& c = api.ctx();
  api.write<std::string>(
      std::move(call.respond),
      [&c, to, card = call.req.params["card_no"], actor = call.who.username](store::WriteTx& tx) -> Result<std::string> {
        auto& db = tx.db();
        VNH_ASSIGN_OR_RETURN(auto k, store::find_meal_card(db, card));
        if (!k) return Status(Code::kNotFound, "no meal card " + card, "card_no", reason::kUnknownCard);
        if (k->status != CardStatus::kActive) {
          return Status(Code::kFailedPrecondition, fmt::format("card {} is already {}", card, to_string(k->status)),
                        "card_no", reason::kCardNotActive);
        }
        const TimeMs now = c.clock.now_ms();
        VNH_RETURN_IF_ERROR(store::set_meal_card_status(db, k->id, to, now));
        VNH_RETURN_IF_ERROR(store::append_audit(db, now, {actor, std::string("meal_card.") + std::string(to_string(to)),
                                                          "card:" + card, "{}"}));
        return card;
      },
      [&c](store::Database& db, std::string& card) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto k, store::find_meal_card(db, card));
        if (!k) return internal("card vanished");
        return json_response(200, card_json(*k, *c.policy.tz));
      });
}
void card_lost(Api& api, Api::Call&& call) { card_status(api, std::move(call), CardStatus::kLost); }
void card_revoked(Api& api, Api::Call&& call) { card_status(api, std::move(call), CardStatus::kRevoked); }

// GET /api/v1/elders/{elder_id}/meal-cards
void cards_of_elder(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    auto id = store::parse_elder_public_id(call.req.params["elder_id"]);
    if (!id) return invalid("elder_id", "is not an elder id (E123)");
    VNH_ASSIGN_OR_RETURN(auto cards, store::meal_cards_of(db, *id));
    json::array a;
    for (const auto& k : cards) a.push_back(card_json(k, *api.ctx().policy.tz));
    return json_response(200, json::object{{"cards", std::move(a)}});
  });
}

// --- Orders, route sheets, deliveries (SPEC §12) -------------------------------------------

const std::vector<Role> kOrderDesk = {Role::kOperator, Role::kSupervisor, Role::kCanteen, Role::kAdmin};
const std::vector<Role> kWelfareDesk = {Role::kOperator, Role::kSupervisor, Role::kAdmin};

std::optional<std::int64_t> own(const Principal& who) {
  return who.role == Role::kCanteen ? who.canteen_id : std::nullopt;
}

// An order; `canteen_code` given when the caller already has it (a canteen's list).
Result<json::object> order_json(store::Database& db, const store::MealOrder& o, Role role, const TimeZone& tz,
                                std::optional<std::string> canteen_code = std::nullopt) {
  if (!canteen_code) {
    VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, o.canteen_id));
    canteen_code = k ? k->code : "";
  }
  VNH_ASSIGN_OR_RETURN(auto e, store::get_elder_core(db, o.elder_id));
  json::object j{{"order_id", o.id},
                 {"canteen_code", *canteen_code},
                 {"elder_id", store::elder_public_id(o.elder_id)},
                 {"elder_name", e ? (sees_whole_names(role) ? e->name : mask_name(e->name)) : ""},
                 {"community_name", e ? e->community_name : ""},
                 {"date", format_date(o.day)},
                 {"slot", std::string(to_string(o.slot))},
                 {"mode", std::string(to_string(o.mode))},
                 {"delivery_fee_fen", o.delivery_fee_fen},
                 {"state", std::string(to_string(o.state))},
                 {"created_by", o.created_by},
                 {"created_at", format_time(o.created_at, tz)},
                 {"reported_at", time_or_null(o.reported_at, tz)},
                 {"meal_id", o.meal_id ? json::value(*o.meal_id) : json::value(nullptr)}};
  return j;
}

Result<Date> date_param(const net::Request& req, const ApiContext& c, bool tomorrow) {
  if (auto d = req.query_param("date")) {
    auto p = parse_date(*d);
    if (!p.ok()) return invalid("date", p.status().message());
    return *p;
  }
  Date today = c.policy.tz->local_date(c.clock.now_ms());
  return tomorrow ? civil_from_days(days_from_civil(today) + 1) : today;
}

void create_order(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto elder = opt_string(*body, "elder_id", 24);
  auto idn = opt_string(*body, "id_number", 32);
  auto canteen = req_string(*body, "canteen_code", 32);
  auto date = req_string(*body, "date", 10);
  auto slot = opt_string(*body, "slot", 16);
  auto mode = opt_string(*body, "mode", 16);
  for (const Status* s : {&elder.status(), &idn.status(), &canteen.status(), &date.status(), &slot.status(), &mode.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  meals::OrderRequest req;
  req.elder_id = *elder;
  req.id_number = *idn;
  req.canteen_code = *canteen;
  auto d = parse_date(*date);
  if (!d.ok()) return call.respond(error_response(invalid("date", d.status().message())));
  req.day = *d;
  auto sl = slot_of(slot->value_or("lunch"));
  if (!sl.ok()) return call.respond(error_response(sl.status()));
  req.slot = *sl;
  auto m = parse_meal_mode(mode->value_or("delivery"));
  if (!m || *m == MealMode::kDineIn) return call.respond(error_response(invalid("mode", "must be pickup or delivery")));
  req.mode = *m;
  const auto& c = api.ctx();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&c, req, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(auto o, meals::place_order(tx.db(), c.store.crypto(), c.policy, req, who.username, own(who),
                                                        c.clock.now_ms()));
        return o.id;
      },
      [&c, role = call.who.role](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto o, store::get_meal_order(db, id));
        if (!o) return internal("order vanished");
        VNH_ASSIGN_OR_RETURN(auto j, order_json(db, *o, role, *c.policy.tz));
        return json_response(201, std::move(j));
      });
}

// GET /api/v1/meals/orders?canteen_code=&date= (default tomorrow) — and the kitchen's counts.
void list_orders(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto day, date_param(call.req, c, true));
    VNH_ASSIGN_OR_RETURN(auto canteen, counter_canteen(db, call.who, call.req.query_param("canteen_code")));
    VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, canteen));
    VNH_ASSIGN_OR_RETURN(auto rows, store::meal_orders_of(db, canteen, day));
    json::array a;
    std::map<std::string, std::int64_t> counts;  // slot/mode → orders to cook
    for (const auto& o : rows) {
      VNH_ASSIGN_OR_RETURN(auto j, order_json(db, o, call.who.role, *c.policy.tz, k ? k->code : ""));
      a.push_back(std::move(j));
      if (o.state != OrderState::kCancelled) ++counts[fmt::format("{}.{}", to_string(o.slot), to_string(o.mode))];
    }
    json::object kitchen;
    for (const auto& [key, n] : counts) kitchen[key] = n;
    return json_response(200, json::object{{"date", format_date(day)}, {"orders", std::move(a)}, {"kitchen", std::move(kitchen)}});
  });
}

void cancel_order_route(Api& api, Api::Call&& call) {
  auto id = id_param(call.req, "an order id");
  if (!id.ok()) return call.respond(error_response(id.status()));
  const auto& c = api.ctx();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&c, id = *id, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(auto o, meals::cancel_order(tx.db(), id, who.username, own(who), c.clock.now_ms()));
        return o.id;
      },
      [&c, role = call.who.role](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto o, store::get_meal_order(db, id));
        VNH_ASSIGN_OR_RETURN(auto j, order_json(db, *o, role, *c.policy.tz));
        return json_response(200, std::move(j));
      });
}

json::array phones_of(const std::optional<store::ElderRow>& e) {
  json::array a;
  if (e) for (const auto& p : e->phones) a.push_back(json::value(p.masked));
  return a;
}
json::array contacts_of(const std::optional<store::ElderRow>& e) {
  json::array a;
  if (e) {
    for (const auto& c : e->contacts) {
      a.push_back(json::object{{"name", c.name}, {"relation", c.relation}, {"phone", c.phone_masked}});
    }
  }
  return a;
}

json::object welfare_json(const store::WelfareCheck& w, const std::vector<store::WelfareEvent>& events,
                          const std::optional<store::ElderRow>& elder, const TimeZone& tz) {
  json::array ev;
  for (const auto& e : events) {
    ev.push_back(json::object{{"at", format_time(e.at, tz)}, {"by", e.by}, {"kind", e.kind}, {"detail", e.detail}});
  }
  return json::object{{"check_id", w.id},
                      {"elder_id", store::elder_public_id(w.elder_id)},
                      {"elder_name", elder ? elder->name : ""},
                      {"community_name", elder ? elder->community_name : ""},
                      {"order_id", w.order_id ? json::value(*w.order_id) : json::value(nullptr)},
                      {"state", std::string(to_string(w.state))},
                      {"opened_at", format_time(w.opened_at, tz)},
                      {"call_due_at", format_time(w.call_due_at, tz)},
                      {"escalate_due_at", format_time(w.escalate_due_at, tz)},
                      {"first_call_at", time_or_null(w.first_call_at, tz)},
                      {"reached_at", time_or_null(w.reached_at, tz)},
                      {"escalated_at", time_or_null(w.escalated_at, tz)},
                      {"care_worker_sent_at", time_or_null(w.care_worker_sent_at, tz)},
                      {"closed_at", time_or_null(w.closed_at, tz)},
                      {"outcome", w.outcome ? json::value(*w.outcome) : json::value(nullptr)},
                      {"note", w.note},
                      {"phones", phones_of(elder)},
                      {"contacts", contacts_of(elder)},
                      {"events", std::move(ev)}};
}

Result<json::object> welfare_view(store::Database& db, const store::WelfareCheck& w, const TimeZone& tz) {
  VNH_ASSIGN_OR_RETURN(auto events, store::welfare_events(db, w.id));
  VNH_ASSIGN_OR_RETURN(auto elder, store::get_elder(db, w.elder_id));
  return welfare_json(w, events, elder, tz);
}

void report_route(Api& api, Api::Call&& call, bool delivered) {
  auto id = id_param(call.req, "an order id");
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto at = opt_time(*body, "at");
  auto lat = opt_number(*body, "lat");
  auto lon = opt_number(*body, "lon");
  auto note = opt_string(*body, "note", 500);
  for (const Status* s : {&at.status(), &lat.status(), &lon.status(), &note.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  meals::DeliveryReport rep{delivered, *at, *lat, *lon, note->value_or("")};
  const auto& c = api.ctx();
  auto result = std::make_shared<meals::Reported>();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&c, id = *id, rep, who = call.who, result](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(*result, meals::report_delivery(tx.db(), c.policy, id, rep, who.username, own(who),
                                                             c.clock.now_ms()));
        return result->order.id;
      },
      [&c, role = call.who.role, result](store::Database& db, std::int64_t&) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto j, order_json(db, result->order, role, *c.policy.tz));
        if (result->meal) {
          VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, result->meal->canteen_id));
          j["meal"] = meal_json(*result->meal, k ? k->code : "", *c.policy.tz);
        }
        if (result->check) {
          VNH_ASSIGN_OR_RETURN(auto w, welfare_view(db, *result->check, *c.policy.tz));
          j["welfare_check"] = w;  // the operators' alert comes from the server's tick, within a second
        }
        return json_response(200, std::move(j));
      });
}
void delivered_route(Api& api, Api::Call&& call) { report_route(api, std::move(call), true); }
void no_answer_route(Api& api, Api::Call&& call) { report_route(api, std::move(call), false); }

// GET /api/v1/meals/route-sheet?canteen_code=&date=&slot= — the deliverer's printable list of
// the day's delivery orders by street and community, with each elder's address (a whole
// view: audited, for the canteen's own deliveries only).
Result<net::Response> render_route_sheet(store::Database& db, const ApiContext& c, const net::Request& req,
                                         const Principal& who) {
  {
    VNH_ASSIGN_OR_RETURN(auto day, date_param(req, c, false));
    VNH_ASSIGN_OR_RETURN(auto slot, slot_of(req.query_param("slot").value_or("lunch")));
    VNH_ASSIGN_OR_RETURN(auto canteen_id, counter_canteen(db, who, req.query_param("canteen_code")));
    VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, canteen_id));
    VNH_ASSIGN_OR_RETURN(auto rows, store::meal_orders_of(db, canteen_id, day, slot));
    struct Stop {
      std::string street, community, name, address, phone, fee;
      std::int64_t order = 0;
    };
    std::vector<Stop> stops;
    for (const auto& o : rows) {
      if (o.mode != MealMode::kDelivery || o.state == OrderState::kCancelled) continue;
      VNH_ASSIGN_OR_RETURN(auto e, store::get_elder_core(db, o.elder_id));
      if (!e) continue;
      VNH_ASSIGN_OR_RETURN(auto secrets, store::decrypt_elder(db, c.store.crypto(), o.elder_id));
      Stop s;
      s.street = e->street_name;
      s.community = e->community_name;
      s.name = e->name;
      s.address = secrets.address.empty() ? e->community_name : secrets.address;
      s.phone = e->phones.empty() ? "" : e->phones.front().masked;
      s.fee = o.delivery_fee_fen ? fmt::format("收送餐费 ¥{}.{:02}", o.delivery_fee_fen / 100, o.delivery_fee_fen % 100) : "免费送餐";
      s.order = o.id;
      stops.push_back(std::move(s));
    }
    std::stable_sort(stops.begin(), stops.end(), [](const Stop& a, const Stop& b) {
      return std::tie(a.street, a.community, a.name) < std::tie(b.street, b.community, b.name);
    });
    const auto esc = [](const std::string& v) { return html_escape(v); };
    std::string html = fmt::format(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>送餐路线单 {0} {1}</title><style>"
        "@page {{ size: A4; margin: 12mm; @bottom-center {{ content: \"第 \" counter(page) \" 页，共 \" counter(pages) \" 页\"; font-size: 9pt; }} }}"
        "body {{ font-family: 'Noto Sans CJK SC', sans-serif; font-size: 13px; margin: 16px; }} h1 {{ font-size: 18px; margin: 0; }}"
        "h2 {{ font-size: 14px; margin: 14px 0 4px; page-break-after: avoid; }} table {{ border-collapse: collapse; width: 100%; }}"
        "th, td {{ border: 1px solid #999; padding: 4px 6px; text-align: left; }} tr {{ page-break-inside: avoid; }}"
        ".box {{ width: 60px; }} .meta {{ color: #555; }}</style></head><body>"
        "<h1>送餐路线单 · {2}</h1><p class=\"meta\">{0} {1} · 共 {3} 份 · 无人应答时不得把餐放在门口，立即点“无人应答”上报。</p>",
        format_date(day), slot == MealSlot::kLunch ? "午餐" : slot == MealSlot::kBreakfast ? "早餐" : "晚餐", esc(k->name),
        stops.size());
    std::string group;
    for (const auto& s : stops) {
      std::string g = s.street + " · " + s.community;
      if (g != group) {
        if (!group.empty()) html += "</tbody></table>";
        group = g;
        html += fmt::format("<h2>{}</h2><table><thead><tr><th>单号</th><th>老人</th><th>地址</th><th>电话</th><th>送餐费</th>"
                            "<th class=\"box\">送达</th><th class=\"box\">无人应答</th></tr></thead><tbody>",
                            esc(g));
      }
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td></td><td></td></tr>", s.order,
                          esc(s.name), esc(s.address), esc(s.phone), s.fee);
    }
    if (!group.empty()) html += "</tbody></table>";
    if (stops.empty()) html += "<p>今天没有送餐订单。</p>";
    html += "</body></html>\n";
    net::Response res;
    res.content_type = "text/html; charset=utf-8";
    res.body = std::move(html);
    return res;
  }
}

// The route sheet shows addresses: each print is a whole view, audited (in the Writer) before
// the sheet is sent.
void route_sheet_audited(Api& api, Api::Call&& call) {
  const auto& c = api.ctx();
  std::string what = fmt::format("{} {}", call.req.query_param("canteen_code").value_or("own"),
                                 call.req.query_param("date").value_or("today"));
  auto respond = std::move(call.respond);
  auto shared = std::make_shared<Api::Call>(std::move(call));
  api.write<bool>(
      std::move(respond),
      [&c, what, who = shared->who](store::WriteTx& tx) -> Result<bool> {
        VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), c.clock.now_ms(),
                                                {who.username, "route_sheet.view", "meal_orders:" + what,
                                                 json::serialize(json::object{{"reason", "meal delivery"}})}));
        return true;
      },
      [&c, shared](store::Database& db, bool&) -> Result<net::Response> {
        return render_route_sheet(db, c, shared->req, shared->who);
      });
}

void list_welfare(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto rows, store::open_welfare_checks(db));
    json::array a;
    for (const auto& w : rows) {
      VNH_ASSIGN_OR_RETURN(auto j, welfare_view(db, w, *api.ctx().policy.tz));
      a.push_back(std::move(j));
    }
    return json_response(200, json::object{{"checks", std::move(a)}});
  });
}

void welfare_action(Api& api, Api::Call&& call, meals::WelfareAction action) {
  auto id = id_param(call.req, "a welfare check id");
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto reached = opt_bool(*body, "reached");
  auto who = opt_string(*body, "who", 16);
  auto outcome = opt_string(*body, "outcome", 32);
  auto note = opt_string(*body, "note", 1000);
  for (const Status* s : {&reached.status(), &who.status(), &outcome.status(), &note.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  meals::WelfareStep step{action, reached->value_or(false), who->value_or("elder"), outcome->value_or(""), note->value_or("")};
  const auto& c = api.ctx();
  api.write<std::int64_t>(
      std::move(call.respond),
      [&c, id = *id, step, actor = call.who.username](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_ASSIGN_OR_RETURN(auto w, meals::welfare_step(tx.db(), id, step, actor, c.clock.now_ms()));
        return w.id;
      },
      [&c](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto w, store::get_welfare_check(db, id));
        VNH_ASSIGN_OR_RETURN(auto j, welfare_view(db, *w, *c.policy.tz));
        c.live.broadcast(json::object{{"type", "welfare_check"}, {"check", j}}, Audience::kOperators);
        return json_response(200, std::move(j));
      });
}
void welfare_call(Api& api, Api::Call&& call) { welfare_action(api, std::move(call), meals::WelfareAction::kCall); }
void welfare_care(Api& api, Api::Call&& call) { welfare_action(api, std::move(call), meals::WelfareAction::kCareWorker); }
void welfare_close(Api& api, Api::Call&& call) { welfare_action(api, std::move(call), meals::WelfareAction::kClose); }

}  // namespace

std::vector<Api::Route> meal_routes() {
  return {
      {"GET", "/api/v1/canteens", kCanteenList, list_canteens},
      {"POST", "/api/v1/canteens", roles::kAdmin, create_canteen},
      {"POST", "/api/v1/canteens/{code}", roles::kAdmin, update_canteen},
      {"POST", "/api/v1/meal-cards", kCardDesk, issue_card},
      {"POST", "/api/v1/meal-cards/{card_no}/lost", kCardLoss, card_lost},
      {"POST", "/api/v1/meal-cards/{card_no}/revoke", kCardDesk, card_revoked},
      {"GET", "/api/v1/elders/{elder_id}/meal-cards", roles::kElderDesk, cards_of_elder},
      {"GET", "/api/v1/meals/check", kCounter, check_meal},
      {"POST", "/api/v1/meals", kCounter, record_meal},
      {"GET", "/api/v1/meals", kCanteenReaders, list_meals},
      {"POST", "/api/v1/meals/orders", kOrderDesk, create_order},
      {"GET", "/api/v1/meals/orders", kOrderDesk, list_orders},
      {"POST", "/api/v1/meals/orders/{id}/cancel", kOrderDesk, cancel_order_route},
      {"POST", "/api/v1/meals/orders/{id}/delivered", kCounter, delivered_route},
      {"POST", "/api/v1/meals/orders/{id}/no-answer", kCounter, no_answer_route},
      {"GET", "/api/v1/meals/route-sheet", kCounter, route_sheet_audited},
      {"GET", "/api/v1/welfare-checks", kWelfareDesk, list_welfare},
      {"POST", "/api/v1/welfare-checks/{id}/calls", kWelfareDesk, welfare_call},
      {"POST", "/api/v1/welfare-checks/{id}/care-worker", kWelfareDesk, welfare_care},
      {"POST", "/api/v1/welfare-checks/{id}/close", kWelfareDesk, welfare_close},
  };
}

}  // namespace vnh::hotline
