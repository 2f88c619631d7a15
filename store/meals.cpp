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

Result<int> cancel_meal_orders_after(Database& db, std::int64_t elder_id, Date day, const std::string& note) {
  auto st = db.prepare(
      "UPDATE meal_orders SET state = 'cancelled', note = ? WHERE elder_id = ? AND day > ? AND state = 'ordered'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(note, elder_id, format_date(day)).run());
  return db.changes();
}

Result<int> revoke_meal_cards_of(Database& db, std::int64_t elder_id, TimeMs at) {
  auto st = db.prepare("UPDATE meal_cards SET status = 'revoked', status_at = ? WHERE elder_id = ? AND status = 'active'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(at, elder_id).run());
  return db.changes();
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

namespace sql {
// A meal item without a slot is a lunch (SPEC §7). Through the elder's own tickets: left to
// itself the planner took tickets_state and read every completed ticket of the history for
// each meal (the demo's meal import and the counter slowed to a crawl as history grew).
const char kMealTicketPlace[] =
    "SELECT 1 FROM tickets t INDEXED BY tickets_elder JOIN catalog_items i ON i.id = t.item_id "
    "WHERE t.elder_id = ? AND t.state = 'completed' "
    "AND t.held_exceptions = 0 AND t.checkout_at >= ? AND t.checkout_at < ? AND t.checkout_at < ? AND i.meal = 1 "
    "AND coalesce(i.meal_slot, 'lunch') = ? AND i.standard_price_fen > 0 LIMIT 1";
}  // namespace sql

Result<bool> meal_place_taken(Database& db, std::int64_t elder_id, Date day, MealSlot slot, TimeMs day_from,
                              TimeMs day_to, TimeMs before_s) {
  auto canteen = db.prepare(
      "SELECT 1 FROM meals WHERE elder_id = ? AND day = ? AND slot = ? AND takes_place = 1 LIMIT 1");
  if (!canteen.ok()) return canteen.status();
  canteen->bind_all(elder_id, format_date(day), to_string(slot));
  auto row = canteen->step();
  if (!row.ok()) return row.status();
  if (*row) return true;
  auto ticket = db.prepare(sql::kMealTicketPlace);
  if (!ticket.ok()) return ticket.status();
  ticket->bind_all(elder_id, day_from, day_to, before_s, to_string(slot));
  auto t = ticket->step();
  if (!t.ok()) return t.status();
  return *t;
}

Result<std::vector<MealRow>> meals_of_canteen_on(Database& db, std::int64_t canteen_id, Date day) {
  auto st = db.prepare(std::string("SELECT ") + kMealCols +
                       " FROM meals m INDEXED BY meals_canteen_day WHERE m.canteen_id = ? AND m.day = ? "
                       "ORDER BY m.served_at, m.id");
  if (st.ok()) st->bind_all(canteen_id, format_date(day));
  return query_all<MealRow>(std::move(st), read_meal);
}

Result<std::vector<MealRow>> meals_of_elder(Database& db, std::int64_t elder_id, Date from, Date to) {
  auto st = db.prepare(std::string("SELECT ") + kMealCols +
                       " FROM meals m INDEXED BY meals_elder_day WHERE m.elder_id = ? AND m.day >= ? AND m.day <= ? "
                       "ORDER BY m.served_at, m.id");
  if (st.ok()) st->bind_all(elder_id, format_date(from), format_date(to));
  return query_all<MealRow>(std::move(st), read_meal);
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

namespace {

constexpr const char* kOrderCols =
    "id, elder_id, canteen_id, day, slot, mode, delivery_fee_fen, state, created_by, created_at, reported_by, "
    "reported_at, report_lat, report_lon, note, meal_id FROM meal_orders";
Result<MealOrder> read_order(Statement& s) {
  MealOrder o;
  o.id = s.int64(0);
  o.elder_id = s.int64(1);
  o.canteen_id = s.int64(2);
  VNH_ASSIGN_OR_RETURN(o.day, date_column(s, 3, "meal_orders.day"));
  VNH_ASSIGN_OR_RETURN(o.slot, enum_column(s, 4, parse_meal_slot, "meal_orders.slot"));
  VNH_ASSIGN_OR_RETURN(o.mode, enum_column(s, 5, parse_meal_mode, "meal_orders.mode"));
  o.delivery_fee_fen = s.int64(6);
  VNH_ASSIGN_OR_RETURN(o.state, enum_column(s, 7, parse_order_state, "meal_orders.state"));
  o.created_by = s.text(8);
  o.created_at = s.int64(9);
  o.reported_by = s.opt_text(10);
  o.reported_at = s.opt_int64(11);
  o.report_lat = s.opt_real(12);
  o.report_lon = s.opt_real(13);
  o.note = s.text(14);
  o.meal_id = s.opt_int64(15);
  return o;
}

constexpr const char* kWelfareCols =
    "id, elder_id, order_id, opened_at, opened_by, state, call_due_at, escalate_due_at, first_call_at, reached_at, "
    "call_overdue_alerted, escalated_at, care_worker_sent_at, closed_at, closed_by, outcome, note, opened_alerted "
    "FROM welfare_checks";
Result<WelfareCheck> read_welfare(Statement& s) {
  WelfareCheck w;
  w.id = s.int64(0);
  w.elder_id = s.int64(1);
  w.order_id = s.opt_int64(2);
  w.opened_at = s.int64(3);
  w.opened_by = s.text(4);
  VNH_ASSIGN_OR_RETURN(w.state, enum_column(s, 5, parse_welfare_state, "welfare_checks.state"));
  w.call_due_at = s.int64(6);
  w.escalate_due_at = s.int64(7);
  w.first_call_at = s.opt_int64(8);
  w.reached_at = s.opt_int64(9);
  w.call_overdue_alerted = s.int32(10) != 0;
  w.escalated_at = s.opt_int64(11);
  w.care_worker_sent_at = s.opt_int64(12);
  w.closed_at = s.opt_int64(13);
  w.closed_by = s.opt_text(14);
  w.outcome = s.opt_text(15);
  w.note = s.text(16);
  w.opened_alerted = s.int32(17) != 0;
  return w;
}

}  // namespace

Result<std::int64_t> insert_meal_order(Database& db, const MealOrder& o) {
  auto st = db.prepare(
      "INSERT INTO meal_orders(elder_id, canteen_id, day, slot, mode, delivery_fee_fen, state, created_by, created_at, note) "
      "VALUES (?, ?, ?, ?, ?, ?, 'ordered', ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(o.elder_id, o.canteen_id, format_date(o.day), to_string(o.slot), to_string(o.mode),
                                   o.delivery_fee_fen, o.created_by, o.created_at, o.note)
                          .run());
  return db.last_insert_rowid();
}

Result<std::optional<MealOrder>> get_meal_order(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kOrderCols + " WHERE id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<MealOrder>(std::move(st), read_order);
}

Result<std::vector<MealOrder>> meal_orders_of(Database& db, std::int64_t canteen_id, Date day,
                                              std::optional<MealSlot> slot) {
  auto st = db.prepare(std::string("SELECT ") + kOrderCols +
                       " WHERE canteen_id = ?1 AND day = ?2 AND (?3 IS NULL OR slot = ?3) ORDER BY slot, id");
  if (st.ok()) {
    std::optional<std::string> s;
    if (slot) s = std::string(to_string(*slot));
    st->bind_all(canteen_id, format_date(day), s);
  }
  return query_all<MealOrder>(std::move(st), read_order);
}

Result<std::int64_t> count_meal_orders(Database& db, std::int64_t canteen_id, Date day) {
  auto st = db.prepare("SELECT count(*) FROM meal_orders WHERE canteen_id = ? AND day = ? AND state <> 'cancelled'");
  if (st.ok()) st->bind_all(canteen_id, format_date(day));
  return query_int(std::move(st));
}

Result<std::optional<MealOrder>> open_order_of(Database& db, std::int64_t elder_id, std::int64_t canteen_id, Date day,
                                               MealSlot slot) {
  auto st = db.prepare(std::string("SELECT ") + kOrderCols +
                       " WHERE elder_id = ? AND canteen_id = ? AND day = ? AND slot = ? AND state = 'ordered'");
  if (st.ok()) st->bind_all(elder_id, canteen_id, format_date(day), to_string(slot));
  return query_one<MealOrder>(std::move(st), read_order);
}

Status report_meal_order(Database& db, const MealOrder& o) {
  auto st = db.prepare(
      "UPDATE meal_orders SET state = ?, reported_by = ?, reported_at = ?, report_lat = ?, report_lon = ?, note = ?, "
      "meal_id = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(to_string(o.state), o.reported_by, o.reported_at, o.report_lat, o.report_lon, o.note, o.meal_id, o.id)
      .run();
}

Result<std::int64_t> insert_welfare_check(Database& db, const WelfareCheck& w) {
  auto st = db.prepare(
      "INSERT INTO welfare_checks(elder_id, order_id, opened_at, opened_by, state, call_due_at, escalate_due_at, note) "
      "VALUES (?, ?, ?, ?, 'open', ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(
      st->bind_all(w.elder_id, w.order_id, w.opened_at, w.opened_by, w.call_due_at, w.escalate_due_at, w.note).run());
  return db.last_insert_rowid();
}

Result<std::optional<WelfareCheck>> get_welfare_check(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kWelfareCols + " WHERE id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<WelfareCheck>(std::move(st), read_welfare);
}

Result<std::vector<WelfareCheck>> open_welfare_checks(Database& db) {
  return query_all<WelfareCheck>(
      db.prepare(std::string("SELECT ") + kWelfareCols + " INDEXED BY welfare_checks_open WHERE state <> 'closed' ORDER BY opened_at, id"),
      read_welfare);
}

Status update_welfare_check(Database& db, const WelfareCheck& w) {
  auto st = db.prepare(
      "UPDATE welfare_checks SET state = ?, first_call_at = ?, reached_at = ?, call_overdue_alerted = ?, escalated_at = ?, "
      "care_worker_sent_at = ?, closed_at = ?, closed_by = ?, outcome = ?, note = ?, opened_alerted = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(to_string(w.state), w.first_call_at, w.reached_at, w.call_overdue_alerted ? 1 : 0, w.escalated_at,
                      w.care_worker_sent_at, w.closed_at, w.closed_by, w.outcome, w.note, w.opened_alerted ? 1 : 0, w.id)
      .run();
}

Status add_welfare_event(Database& db, std::int64_t check_id, const WelfareEvent& e) {
  auto st = db.prepare("INSERT INTO welfare_check_events(check_id, at, by, kind, detail) VALUES (?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(check_id, e.at, e.by, e.kind, e.detail).run();
}

Result<std::vector<WelfareEvent>> welfare_events(Database& db, std::int64_t check_id) {
  auto st = db.prepare("SELECT at, by, kind, detail FROM welfare_check_events WHERE check_id = ? ORDER BY at, id");
  if (st.ok()) st->bind(1, check_id);
  return query_all<WelfareEvent>(std::move(st),
                                 [](Statement& r) { return WelfareEvent{r.int64(0), r.text(1), r.text(2), r.text(3)}; });
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
