#include "store/recurrences.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
constexpr const char* kColumns =
    "SELECT r.id, r.elder_id, r.item_id, r.canteen_id, r.slot, r.mode, r.rule, r.window_start, r.window_end, "
    "r.starts_on, r.notes, r.state, r.paused_until, r.ended_at, r.end_reason, r.occurrences_made, r.created_by, "
    "r.created_at, r.updated_at, coalesce(i.code, ''), coalesce(i.name, ''), coalesce(k.code, ''), coalesce(k.name, '') "
    "FROM recurrences r LEFT JOIN catalog_items i ON i.id = r.item_id LEFT JOIN canteens k ON k.id = r.canteen_id ";

Result<RecurrenceRow> read(Statement& s) {
  RecurrenceRow r;
  r.id = s.int64(0);
  r.elder_id = s.int64(1);
  r.item_id = s.opt_int64(2);
  r.canteen_id = s.opt_int64(3);
  if (!s.is_null(4)) {
    VNH_ASSIGN_OR_RETURN(r.slot, enum_column(s, 4, parse_meal_slot, "recurrences.slot"));
  }
  if (!s.is_null(5)) {
    VNH_ASSIGN_OR_RETURN(r.mode, enum_column(s, 5, parse_meal_mode, "recurrences.mode"));
  }
  r.rule = s.text(6);
  r.window_start = s.text(7);
  r.window_end = s.text(8);
  r.starts_on = s.text(9);
  r.notes = s.text(10);
  r.state = s.text(11);
  r.paused_until = s.opt_text(12);
  r.ended_at = s.opt_int64(13);
  r.end_reason = s.opt_text(14);
  r.occurrences_made = s.int64(15);
  r.created_by = s.text(16);
  r.created_at = s.int64(17);
  r.updated_at = s.int64(18);
  r.item_code = s.text(19);
  r.item_name = s.text(20);
  r.canteen_code = s.text(21);
  r.canteen_name = s.text(22);
  return r;
}

std::optional<std::string> slot_text(const std::optional<MealSlot>& s) {
  return s ? std::optional<std::string>(std::string(to_string(*s))) : std::nullopt;
}
std::optional<std::string> mode_text(const std::optional<MealMode>& m) {
  return m ? std::optional<std::string>(std::string(to_string(*m))) : std::nullopt;
}
}  // namespace

Result<std::int64_t> insert_recurrence(Database& db, const RecurrenceRow& r) {
  auto st = db.prepare(
      "INSERT INTO recurrences(elder_id, item_id, canteen_id, slot, mode, rule, window_start, window_end, starts_on, "
      "notes, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(r.elder_id, r.item_id, r.canteen_id, slot_text(r.slot), mode_text(r.mode), r.rule,
                                   r.window_start, r.window_end, r.starts_on, r.notes, r.created_by, r.created_at,
                                   r.created_at)
                          .run());
  return db.last_insert_rowid();
}

Result<std::optional<RecurrenceRow>> get_recurrence(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string(kColumns) + "WHERE r.id = ?");
  if (st.ok()) st->bind_all(id);
  return query_one<RecurrenceRow>(std::move(st), read);
}

Result<std::vector<RecurrenceRow>> recurrences_of(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(std::string(kColumns) + "WHERE r.elder_id = ? ORDER BY r.state = 'ended', r.id DESC");
  if (st.ok()) st->bind_all(elder_id);
  return query_all<RecurrenceRow>(std::move(st), read);
}

Result<std::vector<RecurrenceRow>> live_recurrences(Database& db) {
  auto st = db.prepare(std::string(kColumns) + "WHERE r.state <> 'ended' ORDER BY r.id");
  return query_all<RecurrenceRow>(std::move(st), read);
}

Status update_recurrence_state(Database& db, std::int64_t id, const std::string& state,
                               const std::optional<std::string>& paused_until, TimeMs now) {
  auto st = db.prepare("UPDATE recurrences SET state = ?, paused_until = ?, updated_at = ? WHERE id = ? AND state <> 'ended'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(state, paused_until, now, id).run());
  if (db.changes() != 1) return not_found(fmt::format("no live recurrence R{}", id), "recurrence_id");
  return Status::Ok();
}

Status end_recurrence(Database& db, std::int64_t id, const std::string& reason, TimeMs now) {
  auto st = db.prepare(
      "UPDATE recurrences SET state = 'ended', paused_until = NULL, ended_at = ?, end_reason = ?, updated_at = ? "
      "WHERE id = ? AND state <> 'ended'");
  if (!st.ok()) return st.status();
  return st->bind_all(now, reason, now, id).run();
}

Result<int> end_recurrences_of(Database& db, std::int64_t elder_id, const std::string& reason, TimeMs now) {
  auto st = db.prepare(
      "UPDATE recurrences SET state = 'ended', paused_until = NULL, ended_at = ?, end_reason = ?, updated_at = ? "
      "WHERE elder_id = ? AND state <> 'ended'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(now, reason, now, elder_id).run());
  return db.changes();
}

Result<bool> occurrence_exists(Database& db, std::int64_t recurrence_id, const std::string& day) {
  auto st = db.prepare("SELECT 1 FROM recurrence_occurrences WHERE recurrence_id = ? AND day = ?");
  if (!st.ok()) return st.status();
  st->bind_all(recurrence_id, day);
  return st->step();
}

Status insert_occurrence(Database& db, const OccurrenceRow& o) {
  auto st = db.prepare(
      "INSERT INTO recurrence_occurrences(recurrence_id, day, outcome, ticket_id, meal_order_id, detail, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(
      st->bind_all(o.recurrence_id, o.day, o.outcome, o.ticket_id, o.meal_order_id, o.detail, o.created_at).run());
  auto up = db.prepare("UPDATE recurrences SET occurrences_made = occurrences_made + 1 WHERE id = ?");
  if (!up.ok()) return up.status();
  return up->bind_all(o.recurrence_id).run();
}

Result<std::vector<OccurrenceRow>> occurrences_of(Database& db, std::int64_t recurrence_id, int limit) {
  auto st = db.prepare(
      "SELECT o.recurrence_id, o.day, o.outcome, o.ticket_id, o.meal_order_id, o.detail, o.created_at, "
      "coalesce(t.ticket_no, '') FROM recurrence_occurrences o LEFT JOIN tickets t ON t.id = o.ticket_id "
      "WHERE o.recurrence_id = ? ORDER BY o.day DESC LIMIT ?");
  if (st.ok()) st->bind_all(recurrence_id, limit);
  return query_all<OccurrenceRow>(std::move(st), [](Statement& r) {
    return OccurrenceRow{r.int64(0), r.text(1), r.text(2), r.opt_int64(3), r.opt_int64(4), r.text(5), r.int64(6), r.text(7)};
  });
}

}  // namespace vnh::store
