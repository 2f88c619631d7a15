#include "store/meals.hpp"

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {

constexpr const char* kCanteenCols =
    "c.id, c.code, c.name, c.firm_id, f.code, c.community_code, c.lat, c.lon, c.status, c.delivers, "
    "c.daily_capacity FROM canteens c LEFT JOIN firms f ON f.id = c.firm_id";
Result<Canteen> read_canteen(Statement& s) {
  Canteen c;
  c.id = s.int64(0);
  c.code = s.text(1);
  c.name = s.text(2);
  c.firm_id = s.opt_int64(3);
  c.firm_code = s.opt_text(4);
  c.community_code = s.text(5);
  c.lat = s.real(6);
  c.lon = s.real(7);
  VNH_ASSIGN_OR_RETURN(c.status, enum_column(s, 8, parse_canteen_status, "canteens.status"));
  c.delivers = s.int32(9) != 0;
  c.daily_capacity = s.int32(10);
  return c;
}

Result<Date> date_column(Statement& s, int col, const char* column) {
  auto d = parse_date(s.text(col));
  if (!d.ok()) return internal(std::string(column) + " holds a value that is not a date");
  return *d;
}

constexpr const char* kCardCols = "id, card_no, elder_id, issued_on, status, status_at FROM meal_cards";
Result<MealCard> read_card(Statement& s, int base = 0) {
  MealCard c;
  c.id = s.int64(base);
  c.card_no = s.text(base + 1);
  c.elder_id = s.int64(base + 2);
  VNH_ASSIGN_OR_RETURN(c.issued_on, date_column(s, base + 3, "meal_cards.issued_on"));
  VNH_ASSIGN_OR_RETURN(c.status, enum_column(s, base + 4, parse_card_status, "meal_cards.status"));
  c.status_at = s.opt_int64(base + 5);
  return c;
}

constexpr const char* kMealCols =
    "m.id, m.canteen_id, m.elder_id, m.slot, m.day, m.served_at, m.mode, m.price_fen, m.government_fen, m.elder_fen, "
    "m.rule, m.takes_place, m.identified_by, m.card_id, m.recorded_by, m.recorded_at";
constexpr int kMealColCount = 16;
Result<MealRow> read_meal(Statement& s) {
  MealRow m;
  m.id = s.int64(0);
  m.canteen_id = s.int64(1);
  m.elder_id = s.int64(2);
  VNH_ASSIGN_OR_RETURN(m.slot, enum_column(s, 3, parse_meal_slot, "meals.slot"));
  VNH_ASSIGN_OR_RETURN(m.day, date_column(s, 4, "meals.day"));
  m.served_at = s.int64(5);
  VNH_ASSIGN_OR_RETURN(m.mode, enum_column(s, 6, parse_meal_mode, "meals.mode"));
  m.price_fen = s.int64(7);
  m.government_fen = s.int64(8);
  m.elder_fen = s.int64(9);
  m.rule = s.text(10);
  m.takes_place = s.int32(11) != 0;
  VNH_ASSIGN_OR_RETURN(m.identified_by, enum_column(s, 12, parse_identified_by, "meals.identified_by"));
  m.card_id = s.opt_int64(13);
  m.recorded_by = s.text(14);
  m.recorded_at = s.int64(15);
  return m;
}

}  // namespace

Result<std::int64_t> insert_canteen(Database& db, const Canteen& c, TimeMs now) {
  auto st = db.prepare(
      "INSERT INTO canteens(code, name, firm_id, community_code, lat, lon, status, delivers, daily_capacity, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(c.code, c.name, c.firm_id, c.community_code, c.lat, c.lon, to_string(c.status),
                                   c.delivers ? 1 : 0, c.daily_capacity, now, now)
                          .run());
  return db.last_insert_rowid();
}

Status update_canteen(Database& db, const Canteen& c, TimeMs now) {
  auto st = db.prepare(
      "UPDATE canteens SET name = ?, firm_id = ?, community_code = ?, lat = ?, lon = ?, status = ?, delivers = ?, "
      "daily_capacity = ?, updated_at = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(c.name, c.firm_id, c.community_code, c.lat, c.lon, to_string(c.status), c.delivers ? 1 : 0,
                      c.daily_capacity, now, c.id)
      .run();
}

Result<std::optional<Canteen>> find_canteen(Database& db, const std::string& code) {
  auto st = db.prepare(std::string("SELECT ") + kCanteenCols + " WHERE c.code = ?");
  if (st.ok()) st->bind(1, code);
  return query_one<Canteen>(std::move(st), read_canteen);
}

Result<std::optional<Canteen>> get_canteen(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kCanteenCols + " WHERE c.id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<Canteen>(std::move(st), read_canteen);
}

Result<std::vector<Canteen>> list_canteens(Database& db) {
  return query_all<Canteen>(db.prepare(std::string("SELECT ") + kCanteenCols + " ORDER BY c.code"), read_canteen);
}

Result<std::int64_t> insert_meal_card(Database& db, const MealCard& c, TimeMs now) {
  auto st = db.prepare(
      "INSERT INTO meal_cards(card_no, elder_id, issued_on, status, status_at, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(
      st->bind_all(c.card_no, c.elder_id, format_date(c.issued_on), to_string(c.status), c.status_at, now).run());
  return db.last_insert_rowid();
}

Result<std::optional<MealCard>> find_meal_card(Database& db, const std::string& card_no) {
  auto st = db.prepare(std::string("SELECT ") + kCardCols + " WHERE card_no = ?");
  if (st.ok()) st->bind(1, card_no);
  return query_one<MealCard>(std::move(st), [](Statement& s) { return read_card(s); });
}

Result<std::vector<MealCard>> meal_cards_of(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(std::string("SELECT ") + kCardCols + " WHERE elder_id = ? ORDER BY id");
  if (st.ok()) st->bind(1, elder_id);
  return query_all<MealCard>(std::move(st), [](Statement& s) { return read_card(s); });
}

Status set_meal_card_status(Database& db, std::int64_t card_id, CardStatus status, TimeMs at) {
  auto st = db.prepare("UPDATE meal_cards SET status = ?, status_at = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  std::optional<TimeMs> when;
  if (status != CardStatus::kActive) when = at;
  return st->bind_all(to_string(status), when, card_id).run();
}

Result<std::int64_t> insert_meal(Database& db, const MealRow& m) {
  auto st = db.prepare(
      "INSERT INTO meals(canteen_id, elder_id, slot, day, served_at, mode, price_fen, government_fen, elder_fen, rule, "
      "takes_place, identified_by, card_id, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(m.canteen_id, m.elder_id, to_string(m.slot), format_date(m.day), m.served_at,
                                   to_string(m.mode), m.price_fen, m.government_fen, m.elder_fen, m.rule,
                                   m.takes_place ? 1 : 0, to_string(m.identified_by), m.card_id, m.recorded_by,
                                   m.recorded_at)
                          .run());
  return db.last_insert_rowid();
}

Result<std::optional<MealRow>> get_meal(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kMealCols + " FROM meals m WHERE m.id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<MealRow>(std::move(st), read_meal);
}

Result<bool> meal_place_taken(Database& db, std::int64_t elder_id, Date day, MealSlot slot, TimeMs day_from,
                              TimeMs day_to, TimeMs before_s) {
  auto canteen = db.prepare(
      "SELECT 1 FROM meals WHERE elder_id = ? AND day = ? AND slot = ? AND takes_place = 1 LIMIT 1");
  if (!canteen.ok()) return canteen.status();
  canteen->bind_all(elder_id, format_date(day), to_string(slot));
  auto row = canteen->step();
  if (!row.ok()) return row.status();
  if (*row) return true;
  // A meal item without a slot is a lunch (SPEC §7).
  auto ticket = db.prepare(
      "SELECT 1 FROM tickets t JOIN catalog_items i ON i.id = t.item_id WHERE t.elder_id = ? AND t.state = 'completed' "
      "AND t.held_exceptions = 0 AND t.checkout_at >= ? AND t.checkout_at < ? AND t.checkout_at < ? AND i.meal = 1 "
      "AND coalesce(i.meal_slot, 'lunch') = ? AND i.standard_price_fen > 0 LIMIT 1");
  if (!ticket.ok()) return ticket.status();
  ticket->bind_all(elder_id, day_from, day_to, before_s, to_string(slot));
  auto t = ticket->step();
  if (!t.ok()) return t.status();
  return *t;
}

Result<std::vector<MealRow>> meals_of_elder_on(Database& db, std::int64_t elder_id, Date day) {
  auto st = db.prepare(std::string("SELECT ") + kMealCols +
                       " FROM meals m WHERE m.elder_id = ? AND m.day = ? ORDER BY m.served_at, m.id");
  if (st.ok()) st->bind_all(elder_id, format_date(day));
  return query_all<MealRow>(std::move(st), read_meal);
}

Result<std::vector<MealRow>> meals_of_canteen_on(Database& db, std::int64_t canteen_id, Date day) {
  auto st = db.prepare(std::string("SELECT ") + kMealCols +
                       " FROM meals m INDEXED BY meals_canteen_day WHERE m.canteen_id = ? AND m.day = ? "
                       "ORDER BY m.served_at, m.id");
  if (st.ok()) st->bind_all(canteen_id, format_date(day));
  return query_all<MealRow>(std::move(st), read_meal);
}

Result<std::int64_t> count_canteen_meals(Database& db, std::int64_t canteen_id, Date day) {
  auto st = db.prepare("SELECT count(*) FROM meals INDEXED BY meals_canteen_day WHERE canteen_id = ? AND day = ?");
  if (!st.ok()) return st.status();
  st->bind_all(canteen_id, format_date(day));
  auto row = st->step();
  if (!row.ok()) return row.status();
  return st->int64(0);
}

Result<std::optional<MealRequest>> find_meal_request(Database& db, std::int64_t user_id, const std::string& key) {
  auto st = db.prepare("SELECT request_hash, meal_id FROM meal_requests WHERE user_id = ? AND key = ?");
  if (st.ok()) st->bind_all(user_id, key);
  return query_one<MealRequest>(std::move(st), [](Statement& r) { return MealRequest{r.blob(0), r.int64(1)}; });
}

Status insert_meal_request(Database& db, std::int64_t user_id, const std::string& key, const std::string& request_hash,
                           std::int64_t meal_id, TimeMs at) {
  auto st = db.prepare("INSERT INTO meal_requests(user_id, key, request_hash, meal_id, created_at) VALUES (?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(user_id, key, Blob{request_hash}, meal_id, at).run();
}

Status for_each_meal(Database& db, TimeMs from, TimeMs to, const std::function<Status(const SettledMeal&)>& fn) {
  auto st = db.prepare(std::string("SELECT ") + kMealCols +
                       ", e.died_on, k.id, k.card_no, k.elder_id, k.issued_on, k.status, k.status_at FROM meals m "
                       "INDEXED BY meals_served JOIN elders e ON e.id = m.elder_id "
                       "LEFT JOIN meal_cards k ON k.id = m.card_id WHERE m.served_at >= ? AND m.served_at < ? "
                       "ORDER BY m.served_at, m.id");
  if (st.ok()) st->bind_all(from, to);
  SettledMeal sm;
  return for_each_row(std::move(st), [&](Statement& r) -> Status {
    VNH_ASSIGN_OR_RETURN(sm.meal, read_meal(r));
    sm.died_on.reset();
    if (!r.is_null(kMealColCount)) {
      VNH_ASSIGN_OR_RETURN(sm.died_on, date_column(r, kMealColCount, "elders.died_on"));
    }
    sm.card.reset();
    if (!r.is_null(kMealColCount + 1)) {
      VNH_ASSIGN_OR_RETURN(sm.card, read_card(r, kMealColCount + 1));
    }
    return fn(sm);
  });
}

}  // namespace vnh::store
