#include "store/care.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
constexpr const char* kTargetColumns =
    "c.elder_id, c.flags, c.tier, c.care_worker_id, c.since, c.last_visit_at, c.due_at, c.event_at, c.event_kind, "
    "c.event_ref, c.updated_at, coalesce(u.username, '')";

Result<CareTargetRow> read_target(Statement& s, int at = 0) {
  CareTargetRow t;
  t.elder_id = s.int64(at + 0);
  auto flags = parse_care_flags(s.text_view(at + 1));
  if (!flags) return internal(fmt::format("care target {} has bad flags", t.elder_id));
  t.flags = *flags;
  VNH_ASSIGN_OR_RETURN(t.tier, enum_column(s, at + 2, parse_care_tier, "care_targets.tier"));
  t.care_worker_id = s.opt_int64(at + 3);
  t.since = s.int64(at + 4);
  t.last_visit_at = s.opt_int64(at + 5);
  t.due_at = s.int64(at + 6);
  t.event_at = s.opt_int64(at + 7);
  t.event_kind = s.opt_text(at + 8);
  t.event_ref = s.opt_text(at + 9);
  t.updated_at = s.int64(at + 10);
  t.care_worker = s.text(at + 11);
  return t;
}

Result<CareVisitRow> read_visit(Statement& s) {
  CareVisitRow v;
  v.id = s.int64(0);
  v.elder_id = s.int64(1);
  v.visited_at = s.int64(2);
  VNH_ASSIGN_OR_RETURN(v.method, enum_column(s, 3, parse_visit_method, "care_visits.method"));
  VNH_ASSIGN_OR_RETURN(v.living, enum_column(s, 4, parse_finding, "care_visits.living"));
  VNH_ASSIGN_OR_RETURN(v.safety, enum_column(s, 5, parse_finding, "care_visits.safety"));
  VNH_ASSIGN_OR_RETURN(v.health, enum_column(s, 6, parse_finding, "care_visits.health"));
  v.needs = s.text(7);
  v.note = s.text(8);
  v.ticket_id = s.opt_int64(9);
  v.recorded_by = s.text(10);
  v.recorded_at = s.int64(11);
  v.ticket_no = s.text(12);
  return v;
}
}  // namespace

Result<std::optional<CareTargetRow>> get_care_target(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM care_targets c LEFT JOIN users u ON u.id = c.care_worker_id "
                                   "WHERE c.elder_id = ?",
                                   kTargetColumns));
  if (st.ok()) st->bind_all(elder_id);
  return query_one<CareTargetRow>(std::move(st), [](Statement& s) { return read_target(s); });
}

Status put_care_target(Database& db, const CareTargetRow& t) {
  auto st = db.prepare(
      "INSERT OR REPLACE INTO care_targets(elder_id, flags, tier, care_worker_id, since, last_visit_at, due_at, "
      "event_at, event_kind, event_ref, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(t.elder_id, format_care_flags(t.flags), to_string(t.tier), t.care_worker_id, t.since,
                      t.last_visit_at, t.due_at, t.event_at, t.event_kind, t.event_ref, t.updated_at)
      .run();
}

Status delete_care_target(Database& db, std::int64_t elder_id) {
  auto st = db.prepare("DELETE FROM care_targets WHERE elder_id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(elder_id).run();
}

Result<bool> pull_care_visit_forward(Database& db, std::int64_t elder_id, TimeMs due_at, const std::string& kind,
                                     const std::string& ref, TimeMs now) {
  auto st = db.prepare(
      "UPDATE care_targets SET due_at = min(due_at, ?), event_at = ?, event_kind = ?, event_ref = ?, updated_at = ? "
      "WHERE elder_id = ?");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(due_at, now, kind, ref, now, elder_id).run());
  return db.changes() == 1;
}

Result<std::vector<CareDueRow>> care_due(Database& db, const std::string& community_prefix,
                                         std::optional<std::int64_t> care_worker_id, std::optional<TimeMs> due_by,
                                         int limit) {
  auto st = db.prepare(fmt::format(
      "SELECT {}, e.name, e.community_code, coalesce(a.name, '') FROM care_targets c INDEXED BY care_targets_due "
      "JOIN elders e ON e.id = c.elder_id LEFT JOIN users u ON u.id = c.care_worker_id "
      "LEFT JOIN areas a ON a.code = e.community_code "
      "WHERE e.status <> 'deceased' AND (? = '' OR substr(e.community_code, 1, length(?)) = ?) "
      "AND (? IS NULL OR c.care_worker_id = ?) AND (? IS NULL OR c.due_at <= ?) ORDER BY c.due_at, c.elder_id LIMIT ?",
      kTargetColumns));
  if (st.ok()) {
    st->bind_all(community_prefix, community_prefix, community_prefix, care_worker_id, care_worker_id, due_by, due_by,
                 limit);
  }
  return query_all<CareDueRow>(std::move(st), [](Statement& s) -> Result<CareDueRow> {
    CareDueRow r;
    VNH_ASSIGN_OR_RETURN(r.target, read_target(s));
    r.elder_name = s.text(12);
    r.community_code = s.text(13);
    r.community_name = s.text(14);
    return r;
  });
}

Result<std::int64_t> insert_care_visit(Database& db, const CareVisitRow& v) {
  auto st = db.prepare(
      "INSERT INTO care_visits(elder_id, visited_at, method, living, safety, health, needs, note, recorded_by, "
      "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(v.elder_id, v.visited_at, to_string(v.method), to_string(v.living),
                                   to_string(v.safety), to_string(v.health), v.needs, v.note, v.recorded_by,
                                   v.recorded_at)
                          .run());
  return db.last_insert_rowid();
}

Status set_care_visit_ticket(Database& db, std::int64_t visit_id, std::int64_t ticket_id) {
  auto st = db.prepare("UPDATE care_visits SET ticket_id = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(ticket_id, visit_id).run();
}

Result<std::vector<CareVisitRow>> care_visits_of(Database& db, std::int64_t elder_id, int limit) {
  auto st = db.prepare(
      "SELECT v.id, v.elder_id, v.visited_at, v.method, v.living, v.safety, v.health, v.needs, v.note, v.ticket_id, "
      "v.recorded_by, v.recorded_at, coalesce(t.ticket_no, '') FROM care_visits v "
      "LEFT JOIN tickets t ON t.id = v.ticket_id WHERE v.elder_id = ? ORDER BY v.visited_at DESC LIMIT ?");
  if (st.ok()) st->bind_all(elder_id, limit);
  return query_all<CareVisitRow>(std::move(st), read_visit);
}

Result<std::vector<CareReportRow>> care_report(Database& db, TimeMs from, TimeMs to, const std::string& from_day) {
  auto st = db.prepare(
      "SELECT e.community_code, coalesce(a.name, ''), count(*), "
      "sum(EXISTS (SELECT 1 FROM care_visits v WHERE v.elder_id = c.elder_id AND v.visited_at >= ?1 AND v.visited_at < ?2)), "
      "sum((SELECT count(*) FROM care_visits v WHERE v.elder_id = c.elder_id AND v.visited_at >= ?1 AND v.visited_at < ?2)), "
      "sum(c.tier = 'high'), "
      "sum(c.tier = 'high' AND EXISTS (SELECT 1 FROM care_visits v WHERE v.elder_id = c.elder_id AND v.visited_at >= ?1 "
      "AND v.visited_at < ?2)) "
      "FROM care_targets c JOIN elders e ON e.id = c.elder_id LEFT JOIN areas a ON a.code = e.community_code "
      "WHERE c.since < ?2 AND (e.died_on IS NULL OR e.died_on >= ?3) GROUP BY e.community_code ORDER BY e.community_code");
  if (st.ok()) st->bind_all(from, to, from_day);
  return query_all<CareReportRow>(std::move(st), [](Statement& s) {
    return CareReportRow{s.text(0), s.text(1), s.int64(2), s.int64(3), s.int64(4), s.int64(5), s.int64(6)};
  });
}

}  // namespace vnh::store
