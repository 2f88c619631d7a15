#include "store/tickets.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
constexpr const char* kTicketCols =
    "id, ticket_no, elder_id, item_id, category, channel, urgency, window_start, window_end, notes, state, firm_id, "
    "staff_code, offer_expires_at, offer_seq, offers_made, created_at, created_by, updated_at, accepted_at, "
    "checkin_at, checkin_lat, checkin_lon, checkin_photo, checkout_at, checkout_lat, checkout_lon, checkout_photo, "
    "closed_at, cancel_reason, unassigned_reason, dispute, held_exceptions";

TicketRow read_ticket(Statement& s) {
  TicketRow t;
  t.id = s.int64(0);
  t.ticket_no = s.text(1);
  t.elder_id = s.int64(2);
  t.item_id = s.int64(3);
  t.category = parse_category(s.text(4)).value_or(Category::kLifeCare);
  t.channel = parse_channel(s.text(5)).value_or(Channel::kHotline);
  t.urgency = parse_urgency(s.text(6)).value_or(Urgency::kNormal);
  t.window_start = s.int64(7);
  t.window_end = s.int64(8);
  t.notes = s.text(9);
  t.state = parse_ticket_state(s.text(10)).value_or(TicketState::kCreated);
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
  t.dispute = s.text(31);
  t.held_exceptions = s.int32(32);
  return t;
}

// Binds every column after id in kTicketCols order, starting at parameter `first`.
void bind_ticket(Statement& st, const TicketRow& t, int first) {
  int i = first;
  auto b = [&](const auto& v) { st.bind(i++, v); };
  b(t.ticket_no);
  b(t.elder_id);
  b(t.item_id);
  b(to_string(t.category));
  b(to_string(t.channel));
  b(to_string(t.urgency));
  b(t.window_start);
  b(t.window_end);
  b(t.notes);
  b(to_string(t.state));
  b(t.firm_id);
  b(t.staff_code);
  b(t.offer_expires_at);
  b(t.offer_seq);
  b(t.offers_made);
  b(t.created_at);
  b(t.created_by);
  b(t.updated_at);
  b(t.accepted_at);
  b(t.checkin_at);
  b(t.checkin_lat);
  b(t.checkin_lon);
  b(t.checkin_photo);
  b(t.checkout_at);
  b(t.checkout_lat);
  b(t.checkout_lon);
  b(t.checkout_photo);
  b(t.closed_at);
  b(t.cancel_reason);
  b(t.unassigned_reason);
  b(t.dispute);
  b(t.held_exceptions);
}

std::string select_tickets(const char* where) { return fmt::format("SELECT {} FROM tickets {}", kTicketCols, where); }
}  // namespace

Result<std::int64_t> insert_ticket(Database& db, const TicketRow& t) {
  auto st = db.cached(
      "INSERT INTO tickets(ticket_no, elder_id, item_id, category, channel, urgency, window_start, window_end, notes, "
      "state, firm_id, staff_code, offer_expires_at, offer_seq, offers_made, created_at, created_by, updated_at, "
      "accepted_at, checkin_at, checkin_lat, checkin_lon, checkin_photo, checkout_at, checkout_lat, checkout_lon, "
      "checkout_photo, closed_at, cancel_reason, unassigned_reason, dispute, held_exceptions) VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  bind_ticket(*st, t, 1);
  Status r = st->run();
  if (!r.ok()) {
    if (r.code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists, fmt::format("ticket {} already exists", t.ticket_no), "ticket_no",
                    "duplicate");
    }
    return r;
  }
  return db.last_insert_rowid();
}

Status save_ticket(Database& db, const TicketRow& t) {
  auto st = db.cached(
      "UPDATE tickets SET ticket_no = ?1, elder_id = ?2, item_id = ?3, category = ?4, channel = ?5, urgency = ?6, "
      "window_start = ?7, window_end = ?8, notes = ?9, state = ?10, firm_id = ?11, staff_code = ?12, "
      "offer_expires_at = ?13, offer_seq = ?14, offers_made = ?15, created_at = ?16, created_by = ?17, "
      "updated_at = ?18, accepted_at = ?19, checkin_at = ?20, checkin_lat = ?21, checkin_lon = ?22, "
      "checkin_photo = ?23, checkout_at = ?24, checkout_lat = ?25, checkout_lon = ?26, checkout_photo = ?27, "
      "closed_at = ?28, cancel_reason = ?29, unassigned_reason = ?30, dispute = ?31, held_exceptions = ?32 "
      "WHERE id = ?33");
  if (!st.ok()) return st.status();
  bind_ticket(*st, t, 1);
  st->bind(33, t.id);
  VNH_RETURN_IF_ERROR(st->run());
  if (db.changes() != 1) return not_found(fmt::format("ticket {} vanished", t.ticket_no));
  return Status::Ok();
}

Result<std::optional<TicketRow>> get_ticket(Database& db, std::int64_t id) {
  static const std::string sql = select_tickets("WHERE id = ?");
  auto st = db.cached(sql.c_str());
  if (st.ok()) st->bind(1, id);
  return query_one<TicketRow>(std::move(st), read_ticket);
}

Result<std::optional<TicketRow>> find_ticket(Database& db, const std::string& ticket_no) {
  static const std::string sql = select_tickets("WHERE ticket_no = ?");
  auto st = db.cached(sql.c_str());
  if (st.ok()) st->bind(1, ticket_no);
  return query_one<TicketRow>(std::move(st), read_ticket);
}

Result<std::vector<TicketRow>> list_tickets(Database& db, const TicketFilter& f) {
  std::string where = "WHERE 1=1";
  if (f.state) where += " AND state = ?1";
  if (f.firm_id) where += " AND firm_id = ?2";
  if (f.elder_id) where += " AND elder_id = ?3";
  if (f.urgency) where += " AND urgency = ?4";
  if (f.before_id) where += " AND id < ?5";
  where += " ORDER BY id DESC LIMIT ?6";
  auto st = db.prepare(select_tickets(where.c_str()));
  if (!st.ok()) return st.status();
  if (f.state) st->bind(1, to_string(*f.state));
  if (f.firm_id) st->bind(2, *f.firm_id);
  if (f.elder_id) st->bind(3, *f.elder_id);
  if (f.urgency) st->bind(4, to_string(*f.urgency));
  if (f.before_id) st->bind(5, *f.before_id);
  st->bind(6, f.limit);
  return query_all<TicketRow>(std::move(st), read_ticket);
}

Result<std::vector<TicketRow>> open_tickets_of_elder(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(select_tickets(
      "WHERE elder_id = ? AND state IN ('created','offered','accepted','in_service','unassigned') ORDER BY id DESC"));
  if (st.ok()) st->bind(1, elder_id);
  return query_all<TicketRow>(std::move(st), read_ticket);
}

Result<std::vector<TicketRow>> recent_completed_of_elder(Database& db, std::int64_t elder_id, int limit) {
  auto st = db.prepare(select_tickets(
      "WHERE elder_id = ? AND state IN ('completed','disputed') ORDER BY checkout_at DESC, id DESC LIMIT ?"));
  if (st.ok()) st->bind_all(elder_id, limit);
  return query_all<TicketRow>(std::move(st), read_ticket);
}

Status append_event(Database& db, const TicketEventRow& e) {
  auto st = db.cached(
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
  auto st = db.cached(
      "INSERT INTO ticket_declines(ticket_id, firm_id, kind, reason, at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(ticket_id, firm_id) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, at = excluded.at");
  if (!st.ok()) return st.status();
  return st->bind_all(ticket_id, firm_id, kind, reason, at).run();
}

Result<std::vector<std::int64_t>> declined_firms(Database& db, std::int64_t ticket_id) {
  auto st = db.cached("SELECT firm_id FROM ticket_declines WHERE ticket_id = ? ORDER BY firm_id");
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
    "id, ticket_id, type, detail, status, reason_code, note, resolved_by, resolved_at, created_at";
VisitExceptionRow read_exc(Statement& s) {
  return VisitExceptionRow{s.int64(0),    s.int64(1),    s.text(2),      s.text(3),      s.text(4),
                           s.opt_text(5), s.opt_text(6), s.opt_text(7), s.opt_int64(8), s.int64(9)};
}
}  // namespace

Result<bool> insert_visit_exception(Database& db, std::int64_t ticket_id, VisitExceptionType type,
                                    const std::string& detail, TimeMs at) {
  auto st = db.cached(
      "INSERT INTO visit_exceptions(ticket_id, type, detail, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(ticket_id, type) DO NOTHING");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(ticket_id, to_string(type), detail, at).run());
  if (db.changes() == 0) return false;
  auto up = db.cached("UPDATE tickets SET held_exceptions = held_exceptions + 1 WHERE id = ?");
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

Result<std::vector<VisitExceptionRow>> open_visit_exceptions(Database& db, int limit) {
  auto st = db.prepare(
      fmt::format("SELECT {} FROM visit_exceptions WHERE status = 'open' ORDER BY created_at, id LIMIT ?", kExcCols));
  if (st.ok()) st->bind(1, limit);
  return query_all<VisitExceptionRow>(std::move(st), read_exc);
}

Status resolve_visit_exception(Database& db, std::int64_t id, const std::string& status,
                               const std::string& reason_code, const std::string& note, const std::string& by,
                               TimeMs at) {
  auto st = db.prepare(
      "UPDATE visit_exceptions SET status = ?, reason_code = ?, note = ?, resolved_by = ?, resolved_at = ? "
      "WHERE id = ? AND status = 'open'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(status, reason_code, note, by, at, id).run());
  if (db.changes() != 1) return precondition("the exception is not open", "not_open");
  if (status == "cleared") {
    auto up = db.prepare(
        "UPDATE tickets SET held_exceptions = held_exceptions - 1 WHERE id = (SELECT ticket_id FROM "
        "visit_exceptions WHERE id = ?)");
    if (!up.ok()) return up.status();
    VNH_RETURN_IF_ERROR(up->bind(1, id).run());
  }
  return Status::Ok();
}

Result<std::string> next_ticket_no(Database& db, const std::string& yyyymmdd) {
  auto st = db.cached(
      "INSERT INTO ticket_counters(day, last) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET last = last + 1 "
      "RETURNING last");
  if (!st.ok()) return st.status();
  st->bind(1, yyyymmdd);
  auto row = st->step();
  if (!row.ok()) return row.status();
  std::int64_t n = st->int64(0);
  st->reset();
  return fmt::format("T{}{:06}", yyyymmdd, n);
}

}  // namespace vnh::store
