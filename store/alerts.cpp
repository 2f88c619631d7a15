#include "store/alerts.hpp"

#include <fmt/format.h>

#include "common/reasons.hpp"
#include "store/query.hpp"

namespace vnh::store {

namespace {
constexpr const char* kCols = "id, kind, ticket_no, firm_code, detail, raised_at, acknowledged_by, acknowledged_at";
AlertRow read_alert(Statement& s) {
  return AlertRow{s.int64(0), s.text(1), s.opt_text(2), s.opt_text(3), s.text(4), s.int64(5), s.opt_text(6), s.opt_int64(7)};
}
}  // namespace

Result<std::int64_t> insert_alert(Database& db, const AlertRow& a) {
  auto st = db.prepare("INSERT INTO alerts(kind, ticket_no, firm_code, detail, raised_at) VALUES (?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(a.kind, a.ticket_no, a.firm_code, a.detail, a.raised_at).run());
  return db.last_insert_rowid();
}

Result<std::vector<AlertRow>> list_alerts(Database& db, bool open_only, std::optional<std::int64_t> before_id, int limit) {
  auto st = db.prepare(fmt::format("SELECT {} FROM alerts WHERE id < ?1 {} ORDER BY id DESC LIMIT ?2", kCols,
                                   open_only ? "AND acknowledged_at IS NULL" : ""));
  if (st.ok()) st->bind(1, before_id.value_or(INT64_MAX)).bind(2, limit);
  return query_all<AlertRow>(std::move(st), read_alert);
}

Result<std::int64_t> count_open_alerts(Database& db) {
  return query_int(db.prepare("SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL"));
}

Result<std::optional<AlertRow>> get_alert(Database& db, std::int64_t id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM alerts WHERE id = ?", kCols));
  if (st.ok()) st->bind(1, id);
  return query_one<AlertRow>(std::move(st), read_alert);
}

Status acknowledge_alert(Database& db, std::int64_t id, const std::string& by, TimeMs at) {
  auto st = db.prepare("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(by, at, id).run());
  if (db.changes() == 1) return Status::Ok();
  VNH_ASSIGN_OR_RETURN(auto a, get_alert(db, id));
  if (!a) return Status(Code::kNotFound, fmt::format("no alert {}", id), "ids");
  return Status(Code::kFailedPrecondition, fmt::format("alert {} was already acknowledged by {}", id, *a->acknowledged_by),
                "ids", reason::kNotOpen);
}

}  // namespace vnh::store
