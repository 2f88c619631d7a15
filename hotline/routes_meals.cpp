// Meal assistance over the API (SPEC §12): canteens (admins), meal cards (the desk issues and
// reports them lost), and the counter — check a card and record a meal, which a `canteen`
// user does for its own canteen only.
#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/request.hpp"
#include "hotline/roles.hpp"
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
  meals::Identification who;
  if (card && id) return invalid("card_no", "give card_no or id_number, not both");
  if (!card && !id) return invalid("card_no", "give the card_no (or the elder's id_number)");
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
    Date day = tz.local_date(api.ctx().clock.now_ms());
    if (auto d = call.req.query_param("date")) {
      auto p = parse_date(*d);
      if (!p.ok()) return invalid("date", p.status().message());
      day = *p;
    }
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
        std::optional<std::int64_t> elder_id;
        if (idn) {
          auto p = parse_id_number(*idn);
          if (!p.ok()) return p.status();
          VNH_ASSIGN_OR_RETURN(elder_id, store::find_elder_by_id_number(db, c.store.crypto(), p->normalized));
          if (!elder_id) return not_found("no elder is registered with this ID number", "id_number");
        } else if (elder) {
          elder_id = store::parse_elder_public_id(*elder);
          if (!elder_id) return invalid("elder_id", "is not an elder id (E123)");
          VNH_ASSIGN_OR_RETURN(auto e, store::get_elder_label(db, *elder_id));
          if (!e) return not_found("no elder " + *elder, "elder_id");
        } else {
          return invalid("id_number", "give the elder's id_number or elder_id");
        }
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

}  // namespace

std::vector<Api::Route> meal_routes() {
  return {
      {"GET", "/api/v1/canteens", kCanteenReaders, list_canteens},
      {"POST", "/api/v1/canteens", roles::kAdmin, create_canteen},
      {"POST", "/api/v1/canteens/{code}", roles::kAdmin, update_canteen},
      {"POST", "/api/v1/meal-cards", kCardDesk, issue_card},
      {"POST", "/api/v1/meal-cards/{card_no}/lost", kCardLoss, card_lost},
      {"POST", "/api/v1/meal-cards/{card_no}/revoke", kCardDesk, card_revoked},
      {"GET", "/api/v1/elders/{elder_id}/meal-cards", roles::kElderDesk, cards_of_elder},
      {"GET", "/api/v1/meals/check", kCounter, check_meal},
      {"POST", "/api/v1/meals", kCounter, record_meal},
      {"GET", "/api/v1/meals", kCanteenReaders, list_meals},
  };
}

}  // namespace vnh::hotline
