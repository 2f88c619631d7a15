#include "store/tickets.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
using Values = TicketColumnValues;
using Value = Values::value_type;

constexpr const char* kColumns[] = {
    "ticket_no",    "elder_id",     "item_id",       "category",      "channel",        "urgency",
    "window_start", "window_end",   "notes",         "state",         "firm_id",        "staff_code",
    "offer_expires_at", "offer_seq", "offers_made",  "created_at",    "created_by",     "updated_at",
    "accepted_at",  "checkin_at",   "checkin_lat",   "checkin_lon",   "checkin_photo",  "checkout_at",
    "checkout_lat", "checkout_lon", "checkout_photo", "closed_at",    "cancel_reason",  "unassigned_reason",
    "dispute",      "held_exceptions", "offered_at"};
constexpr size_t kColumnCount = sizeof(kColumns) / sizeof(*kColumns);

// Every column after id, in kColumns order.
Values values_of(const TicketRow& t) {
  Values v;
  v.reserve(kColumnCount);
  auto opt_i = [&](const std::optional<std::int64_t>& x) { v.push_back(x ? Value(*x) : Value()); };
  auto opt_d = [&](const std::optional<double>& x) { v.push_back(x ? Value(*x) : Value()); };
  auto opt_s = [&](const std::optional<std::string>& x) { v.push_back(x ? Value(*x) : Value()); };
  v.push_back(t.ticket_no);
  v.push_back(t.elder_id);
  v.push_back(t.item_id);
  v.push_back(std::string(to_string(t.category)));
  v.push_back(std::string(to_string(t.channel)));
  v.push_back(std::string(to_string(t.urgency)));
  v.push_back(t.window_start);
  v.push_back(t.window_end);
  v.push_back(t.notes);
  v.push_back(std::string(to_string(t.state)));
  opt_i(t.firm_id);
  opt_s(t.staff_code);
  opt_i(t.offer_expires_at);
  opt_i(t.offer_seq);
  v.push_back(static_cast<std::int64_t>(t.offers_made));
  v.push_back(t.created_at);
  v.push_back(t.created_by);
  v.push_back(t.updated_at);
  opt_i(t.accepted_at);
  opt_i(t.checkin_at);
  opt_d(t.checkin_lat);
  opt_d(t.checkin_lon);
  opt_s(t.checkin_photo);
  opt_i(t.checkout_at);
  opt_d(t.checkout_lat);
  opt_d(t.checkout_lon);
  opt_s(t.checkout_photo);
  opt_i(t.closed_at);
  opt_s(t.cancel_reason);
  opt_s(t.unassigned_reason);
  v.push_back(std::string(to_string(t.dispute)));
  v.push_back(static_cast<std::int64_t>(t.held_exceptions));
  opt_i(t.offered_at);
  return v;
}

void bind_value(Statement& st, int i, const Value& v) {
  switch (v.index()) {
    case 0: st.bind(i, std::nullopt); break;
    case 1: st.bind(i, std::get<std::int64_t>(v)); break;
    case 2: st.bind(i, std::get<double>(v)); break;
    default: st.bind(i, std::get<std::string>(v)); break;
  }
}

constexpr const char* kTicketCols =
    "id, ticket_no, elder_id, item_id, category, channel, urgency, window_start, window_end, notes, state, firm_id, "
    "staff_code, offer_expires_at, offer_seq, offers_made, created_at, created_by, updated_at, accepted_at, "
    "checkin_at, checkin_lat, checkin_lon, checkin_photo, checkout_at, checkout_lat, checkout_lon, checkout_photo, "
    "closed_at, cancel_reason, unassigned_reason, dispute, held_exceptions, offered_at";

Result<TicketRow> read_ticket(Statement& s) {
  TicketRow t;
  t.id = s.int64(0);
  t.ticket_no = s.text(1);
  t.elder_id = s.int64(2);
  t.item_id = s.int64(3);
  VNH_ASSIGN_OR_RETURN(t.category, enum_column(s, 4, parse_category, "tickets.category"));
  VNH_ASSIGN_OR_RETURN(t.channel, enum_column(s, 5, parse_channel, "tickets.channel"));
  VNH_ASSIGN_OR_RETURN(t.urgency, enum_column(s, 6, parse_urgency, "tickets.urgency"));
  t.window_start = s.int64(7);
  t.window_end = s.int64(8);
  t.notes = s.text(9);
  VNH_ASSIGN_OR_RETURN(t.state, enum_column(s, 10, parse_ticket_state, "tickets.state"));
  t.firm_id = s.opt_int64(11);
  t.staff_code = s.opt_text(12);
  t.offer_expires_at = s.opt_int64(13);
  t.offer_seq = s.opt_int64(14);
  t.offers_made = s.int32(15);
  t.created_at = s.int64(16);
  t.created_by = s.text(17);
  t.updated_at = s.int64(18);
  t.accepted_at = s.opt_int64(19);
  t.checkin_at = s.opt_int64(20);
  t.checkin_lat = s.opt_real(21);
  t.checkin_lon = s.opt_real(22);
  t.checkin_photo = s.opt_text(23);
  t.checkout_at = s.opt_int64(24);
  t.checkout_lat = s.opt_real(25);
  t.checkout_lon = s.opt_real(26);
  t.checkout_photo = s.opt_text(27);
  t.closed_at = s.opt_int64(28);
  t.cancel_reason = s.opt_text(29);
  t.unassigned_reason = s.opt_text(30);
  VNH_ASSIGN_OR_RETURN(t.dispute, enum_column(s, 31, parse_dispute_status, "tickets.dispute"));
  t.held_exceptions = s.int32(32);
  t.offered_at = s.opt_int64(33);
  t.stored = std::make_shared<const Values>(values_of(t));
  return t;
}

std::string select_tickets(const char* where) { return fmt::format("SELECT {} FROM tickets {}", kTicketCols, where); }
}  // namespace

namespace {
// A ticket is open exactly while closed_at is NULL: the likely-duplicate check reads only
// tickets_elder and relies on it (schema version 7).
Status check_closed_at(const TicketRow& t) {
  if (is_open(t.state) == !t.closed_at.has_value()) return Status::Ok();
  return internal(fmt::format("ticket {} is {} but its closed_at is {}", t.ticket_no, to_string(t.state),
                              t.closed_at ? "set" : "not set"));
}
}  // namespace

Result<std::int64_t> insert_ticket(Database& db, TicketRow& t) {
  VNH_RETURN_IF_ERROR(check_closed_at(t));
  static const std::string sql = [] {
    std::string cols, marks;
    for (size_t i = 0; i < kColumnCount; ++i) {
      cols += (i ? ", " : "") + std::string(kColumns[i]);
      marks += i ? ", ?" : "?";
    }
    return "INSERT INTO tickets(" + cols + ") VALUES (" + marks + ")";
  }();
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  Values v = values_of(t);
  for (size_t i = 0; i < v.size(); ++i) bind_value(*st, static_cast<int>(i + 1), v[i]);
  Status r = st->run();
  if (!r.ok()) {
    if (r.code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists, fmt::format("ticket {} already exists", t.ticket_no), "ticket_no",
                    reason::kDuplicate);
    }
    return r;
  }
  t.id = db.last_insert_rowid();
  t.stored = std::make_shared<const Values>(std::move(v));
  return t.id;
}

Status save_ticket(Database& db, TicketRow& t) {
  VNH_RETURN_IF_ERROR(check_closed_at(t));
  Values now = values_of(t);
  std::string set;
  std::vector<size_t> changed;
  for (size_t i = 0; i < now.size(); ++i) {
    if (t.stored && (*t.stored)[i] == now[i]) continue;
    set += (changed.empty() ? "" : ", ") + std::string(kColumns[i]) + " = ?";
    changed.push_back(i);
  }
  if (changed.empty()) return Status::Ok();
  auto st = db.prepare("UPDATE tickets SET " + set + " WHERE id = ?");
  if (!st.ok()) return st.status();
  int k = 1;
  for (size_t i : changed) bind_value(*st, k++, now[i]);
  st->bind(k, t.id);
  VNH_RETURN_IF_ERROR(st->run());
  if (db.changes() != 1) return not_found(fmt::format("ticket {} vanished", t.ticket_no));
  t.stored = std::make_shared<const Values>(std::move(now));
  return Status::Ok();
}

Result<std::optional<TicketRow>> get_ticket(Database& db, std::int64_t id) {
  static const std::string sql = select_tickets("WHERE id = ?");
  auto st = db.prepare(sql.c_str());
  if (st.ok()) st->bind(1, id);
  return query_one<TicketRow>(std::move(st), read_ticket);
}

Result<std::optional<TicketRow>> find_ticket(Database& db, const std::string& ticket_no) {
  static const std::string sql = select_tickets("WHERE ticket_no = ?");
  auto st = db.prepare(sql.c_str());
  if (st.ok()) st->bind(1, ticket_no);
  return query_one<TicketRow>(std::move(st), read_ticket);
}

Result<std::vector<TicketRow>> list_tickets(Database& db, const TicketFilter& f) {
  std::string rest;  // the filters other than state and firm
  if (f.elder_id) rest += " AND elder_id = ?3";
  if (f.urgency) rest += " AND urgency = ?4";
  if (f.before_id) rest += " AND id < ?5";
  if (f.item_id) rest += " AND item_id = ?7";
  if (f.created_from) rest += " AND created_at >= ?8";
  if (f.created_to) rest += " AND created_at < ?9";
  if (!f.elder_ids.empty()) {
    rest += " AND elder_id IN (";
    for (std::size_t i = 0; i < f.elder_ids.size(); ++i) rest += fmt::format("{}{}", i ? ", " : "", f.elder_ids[i]);
    rest += ")";
  }
  const std::string newest = " ORDER BY id DESC LIMIT ?6";
  std::string sql;
  if (f.firm_id && !f.state) {
    // A firm's tickets, newest first, a page at a time: one range of tickets_firm_state (firm,
    // state, id) per state, each already in id order, so each side reads at most a page — not
    // the firm's whole history (tickets_firm_state leaves offers out, schema version 8; those
    // come from the offers' own index). The pages merged.
    using domain::TicketState;
    for (auto state : {TicketState::kCreated, TicketState::kOffered, TicketState::kAccepted, TicketState::kInService,
                       TicketState::kCompleted, TicketState::kCancelled, TicketState::kUnassigned, TicketState::kDisputed}) {
      const auto where = fmt::format("WHERE firm_id = ?2 AND state = '{}'{}", to_string(state),
                                     state == TicketState::kOffered ? "" : " AND state <> 'offered'");
      sql += (sql.empty() ? "SELECT * FROM (" : " UNION ALL SELECT * FROM (") + select_tickets((where + rest + newest).c_str()) + ")";
    }
    sql += newest;
  } else {
    std::string where = "WHERE 1=1";
    if (f.state) where += " AND state = ?1";
    if (f.firm_id) where += " AND firm_id = ?2";
    // Spelled out so that SQLite may use the partial tickets_firm_state.
    if (f.firm_id && *f.state != TicketState::kOffered) where += " AND state <> 'offered'";
    sql = select_tickets((where + rest + newest).c_str());
  }
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  if (f.state) st->bind(1, to_string(*f.state));
  if (f.firm_id) st->bind(2, *f.firm_id);
  if (f.elder_id) st->bind(3, *f.elder_id);
  if (f.urgency) st->bind(4, to_string(*f.urgency));
  if (f.before_id) st->bind(5, *f.before_id);
  st->bind(6, f.limit);
  if (f.item_id) st->bind(7, *f.item_id);
  if (f.created_from) st->bind(8, *f.created_from);
  if (f.created_to) st->bind(9, *f.created_to);
  return query_all<TicketRow>(std::move(st), read_ticket);
}

// Open ⇔ closed_at IS NULL (cancel and check-out set it; check_closed_at refuses a row that
// breaks this), so one column says it, without listing the open states.
Result<std::vector<TicketRow>> open_tickets_of_elder(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(select_tickets("WHERE elder_id = ? AND closed_at IS NULL ORDER BY id DESC"));
  if (st.ok()) st->bind(1, elder_id);
  return query_all<TicketRow>(std::move(st), read_ticket);
}

Result<std::vector<std::string>> open_ticket_numbers(Database& db, std::int64_t elder_id, Category category,
                                                     std::int64_t except_id) {
  // From tickets_elder alone (schema version 7); a ticket's number orders it (Tyyyymmdd + a
  // daily counter).
  auto st = db.prepare(
      "SELECT ticket_no FROM tickets INDEXED BY tickets_elder WHERE elder_id = ? AND category = ? "
      "AND checkout_at IS NULL AND closed_at IS NULL AND id <> ? ORDER BY ticket_no DESC LIMIT ?");
  if (st.ok()) st->bind_all(elder_id, to_string(category), except_id, kMaxLikelyDuplicates);
  return query_all<std::string>(std::move(st), [](Statement& r) { return r.text(0); });
}

Result<std::vector<TicketRow>> recent_completed_of_elder(Database& db, std::int64_t elder_id, int limit) {
  auto st = db.prepare(select_tickets(
      "WHERE elder_id = ? AND state IN ('completed','disputed') ORDER BY checkout_at DESC, id DESC LIMIT ?"));
  if (st.ok()) st->bind_all(elder_id, limit);
  return query_all<TicketRow>(std::move(st), read_ticket);
}

Result<std::vector<GrantDrawTicket>> elder_grant_tickets(Database& db, std::int64_t elder_id, TimeMs from, TimeMs to) {
  auto st = db.prepare(
      "SELECT t.checkout_at, c.category, c.standard_price_fen, c.duration_min, c.meal FROM tickets t "
      "INDEXED BY tickets_elder JOIN catalog_items c ON c.id = t.item_id "
      "WHERE t.elder_id = ? AND t.checkout_at >= ? AND t.checkout_at < ? AND t.state = 'completed' "
      "AND t.held_exceptions = 0 ORDER BY t.checkout_at, t.ticket_no");
  if (st.ok()) st->bind_all(elder_id, from, to);
  return query_all<GrantDrawTicket>(std::move(st), [](Statement& r) -> Result<GrantDrawTicket> {
    GrantDrawTicket g;
    g.checkout_at = r.int64(0);
    VNH_ASSIGN_OR_RETURN(g.category, enum_column(r, 1, parse_category, "catalog_items.category"));
    g.standard_price_fen = r.int64(2);
    g.duration_min = r.int32(3);
    g.meal = r.int64(4) != 0;
    return g;
  });
}

Status append_event(Database& db, const TicketEventRow& e) {
  auto st = db.prepare(
      "INSERT INTO ticket_events(ticket_id, at, type, actor, from_state, to_state, firm_code, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(e.ticket_id, e.at, e.type, e.actor, e.from_state, e.to_state, e.firm_code, e.detail).run();
}

Result<std::vector<TicketEventRow>> list_events(Database& db, std::int64_t ticket_id) {
  auto st = db.prepare(
      "SELECT id, ticket_id, at, type, actor, from_state, to_state, firm_code, detail FROM ticket_events "
      "WHERE ticket_id = ? ORDER BY id");
  if (st.ok()) st->bind(1, ticket_id);
  return query_all<TicketEventRow>(std::move(st), [](Statement& s) {
    return TicketEventRow{s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4),
                          s.opt_text(5), s.opt_text(6), s.opt_text(7), s.text(8)};
  });
}

Status record_decline(Database& db, std::int64_t ticket_id, std::int64_t firm_id, const std::string& kind,
                      const std::string& reason, TimeMs at) {
  auto st = db.prepare(
      "INSERT INTO ticket_declines(ticket_id, firm_id, kind, reason, at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(ticket_id, firm_id) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, at = excluded.at");
  if (!st.ok()) return st.status();
  return st->bind_all(ticket_id, firm_id, kind, reason, at).run();
}

Result<std::vector<std::int64_t>> declined_firms(Database& db, std::int64_t ticket_id) {
  auto st = db.prepare("SELECT firm_id FROM ticket_declines WHERE ticket_id = ? ORDER BY firm_id");
  if (st.ok()) st->bind(1, ticket_id);
  return query_all<std::int64_t>(std::move(st), [](Statement& s) { return s.int64(0); });
}

Status clear_declines(Database& db, std::int64_t ticket_id) {
  auto st = db.prepare("DELETE FROM ticket_declines WHERE ticket_id = ?");
  if (!st.ok()) return st.status();
  return st->bind(1, ticket_id).run();
}

namespace {
constexpr const char* kExcCols =
    "id, ticket_id, type, detail, status, reason_code, note, resolved_by, resolved_at, created_at, facts";
Result<VisitExceptionRow> read_exc(Statement& s) {
  VisitExceptionRow r;
  r.id = s.int64(0);
  r.ticket_id = s.int64(1);
  VNH_ASSIGN_OR_RETURN(r.type, enum_column(s, 2, parse_visit_exception_type, "visit_exceptions.type"));
  r.detail = s.text(3);
  VNH_ASSIGN_OR_RETURN(r.status, enum_column(s, 4, parse_exception_status, "visit_exceptions.status"));
  r.reason_code = s.opt_text(5);
  r.note = s.opt_text(6);
  r.resolved_by = s.opt_text(7);
  r.resolved_at = s.opt_int64(8);
  r.created_at = s.int64(9);
  r.facts = s.text(10);
  return r;
}
}  // namespace

Result<bool> insert_visit_exception(Database& db, std::int64_t ticket_id, VisitExceptionType type,
                                    const std::string& detail, const std::string& facts, TimeMs at) {
  auto st = db.prepare(
      "INSERT INTO visit_exceptions(ticket_id, type, detail, facts, created_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(ticket_id, type) DO NOTHING");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(ticket_id, to_string(type), detail, facts, at).run());
  if (db.changes() == 0) return false;
  auto up = db.prepare("UPDATE tickets SET held_exceptions = held_exceptions + 1 WHERE id = ?");
  if (!up.ok()) return up.status();
  VNH_RETURN_IF_ERROR(up->bind(1, ticket_id).run());
  return true;
}

Result<std::vector<VisitExceptionRow>> list_visit_exceptions(Database& db, std::int64_t ticket_id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM visit_exceptions WHERE ticket_id = ? ORDER BY id", kExcCols));
  if (st.ok()) st->bind(1, ticket_id);
  return query_all<VisitExceptionRow>(std::move(st), read_exc);
}

Result<std::optional<VisitExceptionRow>> get_visit_exception(Database& db, std::int64_t id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM visit_exceptions WHERE id = ?", kExcCols));
  if (st.ok()) st->bind(1, id);
  return query_one<VisitExceptionRow>(std::move(st), read_exc);
}

namespace {
// The WHERE clause of an exceptions query; parameters ?1…?6 are bound by bind_exception_query.
std::string exception_where(const ExceptionQuery& q, bool paged) {
  std::string w = "WHERE v.status = 'open'";
  if (q.type) w += " AND v.type = ?1";
  if (q.firm_id) w += " AND v.firm_id = ?2";
  if (q.street) w += " AND v.street = ?3";
  if (q.before) w += " AND v.created_at < ?4";
  if (paged) w += after_clause(q, "v.created_at", "v.id", 5, 6);
  return w;
}
void bind_exception_query(Statement& st, const ExceptionQuery& q, bool paged) {
  if (q.type) st.bind(1, to_string(*q.type));
  if (q.firm_id) st.bind(2, *q.firm_id);
  if (q.street) st.bind(3, *q.street);
  if (q.before) st.bind(4, *q.before);
  if (paged && q.after) st.bind(5, q.after->first).bind(6, q.after->second);
}
}  // namespace

namespace sql {
// Each exception carries its ticket's firm and its elder's street (schema 22): no join.
std::string open_exceptions(const ExceptionQuery& q, bool count) {
  if (count) return fmt::format("SELECT count(*) FROM visit_exceptions v {}", exception_where(q, false));
  const char* dir = q.newest_first ? " DESC" : "";
  return fmt::format("SELECT {} FROM visit_exceptions v {} ORDER BY v.created_at{}, v.id{} LIMIT ?7", kExcCols,
                     exception_where(q, true), dir, dir);
}
}  // namespace sql

Result<std::vector<VisitExceptionRow>> open_visit_exceptions(Database& db, const ExceptionQuery& q) {
  auto st = db.prepare(sql::open_exceptions(q, false));
  if (st.ok()) {
    bind_exception_query(*st, q, true);
    st->bind(7, q.limit);
  }
  return query_all<VisitExceptionRow>(std::move(st), read_exc);
}

Result<std::int64_t> count_open_visit_exceptions(Database& db, const ExceptionQuery& q) {
  auto st = db.prepare(sql::open_exceptions(q, true));
  if (st.ok()) bind_exception_query(*st, q, false);
  return query_int(std::move(st));
}

Status resolve_visit_exception(Database& db, std::int64_t id, ExceptionStatus decision,
                               const std::string& reason_code, const std::string& note, const std::string& by,
                               TimeMs at) {
  if (decision == ExceptionStatus::kOpen) return internal("an exception is decided cleared or upheld");
  auto st = db.prepare(
      "UPDATE visit_exceptions SET status = ?, reason_code = ?, note = ?, resolved_by = ?, resolved_at = ? "
      "WHERE id = ? AND status = 'open'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(to_string(decision), reason_code, note, by, at, id).run());
  if (db.changes() != 1) return precondition("the exception is not open", reason::kNotOpen);
  if (decision == ExceptionStatus::kCleared) {
    auto up = db.prepare(
        "UPDATE tickets SET held_exceptions = held_exceptions - 1 WHERE id = (SELECT ticket_id FROM "
        "visit_exceptions WHERE id = ?)");
    if (!up.ok()) return up.status();
    VNH_RETURN_IF_ERROR(up->bind(1, id).run());
  }
  return Status::Ok();
}

Result<std::map<std::string, std::int64_t>> count_tickets_by_state(Database& db) {
  std::map<std::string, std::int64_t> out;
  VNH_RETURN_IF_ERROR(for_each_row(db.prepare("SELECT state, count(*) FROM tickets GROUP BY state"),
                                   [&](Statement& st) { out[st.text(0)] = st.int64(1); }));
  return out;
}

// The day's counter, then a read of it (not RETURNING, which costs a temporary B-tree).
Result<std::string> next_ticket_no(Database& db, const std::string& yyyymmdd) {
  auto up = db.prepare("INSERT INTO ticket_counters(day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1");
  if (!up.ok()) return up.status();
  VNH_RETURN_IF_ERROR(up->bind(1, yyyymmdd).run());
  auto read = db.prepare("SELECT last FROM ticket_counters WHERE day = ?");
  if (!read.ok()) return read.status();
  read->bind(1, yyyymmdd);
  auto n = query_int(std::move(read));
  if (!n.ok()) return n.status();
  return fmt::format("T{}{:06}", yyyymmdd, *n);
}

Result<std::optional<IdempotentRequest>> find_idempotency_key(Database& db, std::int64_t user_id,
                                                              const std::string& key) {
  auto st = db.prepare("SELECT request_hash, ticket_id FROM idempotency_keys WHERE user_id = ? AND key = ?");
  if (st.ok()) st->bind_all(user_id, key);
  return query_one<IdempotentRequest>(std::move(st), [](Statement& r) { return IdempotentRequest{r.blob(0), r.int64(1)}; });
}

Status insert_idempotency_key(Database& db, const std::string& key, std::int64_t user_id,
                              const std::string& request_hash, std::int64_t ticket_id, TimeMs at) {
  auto st = db.prepare(
      "INSERT INTO idempotency_keys(key, user_id, request_hash, ticket_id, created_at) VALUES (?, ?, ?, ?, ?)");
  // (user_id, key) is the primary key: the same key from another user is another request.
  if (!st.ok()) return st.status();
  return st->bind_all(key, user_id, Blob{request_hash}, ticket_id, at).run();
}

Result<std::vector<OfferDeadline>> offer_deadlines(Database& db) {
  return query_all<OfferDeadline>(
      db.prepare("SELECT id, offer_seq, offer_expires_at FROM tickets WHERE state = 'offered'"),
      [](Statement& r) { return OfferDeadline{r.int64(0), r.int64(1), r.int64(2)}; });
}

Result<std::optional<LastService>> last_service(Database& db, std::int64_t elder_id, Category category, TimeMs since,
                                                std::int64_t except_id) {
  auto st = db.prepare(
      "SELECT t.firm_id, EXISTS (SELECT 1 FROM complaints c WHERE c.ticket_id = t.id AND c.status = 'substantiated') "
      "FROM tickets t WHERE t.elder_id = ? AND t.category = ? AND t.state = 'completed' AND t.checkout_at >= ? "
      "AND t.id <> ? ORDER BY t.checkout_at DESC, t.closed_at DESC, t.ticket_no DESC LIMIT 1");
  if (st.ok()) st->bind_all(elder_id, to_string(category), since, except_id);
  return query_one<LastService>(std::move(st), [](Statement& r) { return LastService{r.int64(0), r.int64(1) != 0}; });
}

}  // namespace vnh::store
