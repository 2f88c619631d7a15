#include "store/quality.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {

Result<std::int64_t> insert_callback(Database& db, const CallbackRow& c) {
  auto st = db.prepare(
      "INSERT INTO callbacks(ticket_id, called_at, reached, rating, service_received, comment, operator, "
      "sample_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  std::optional<int> received;
  if (c.service_received) received = *c.service_received ? 1 : 0;
  VNH_RETURN_IF_ERROR(st->bind_all(c.ticket_id, c.called_at, c.reached ? 1 : 0, c.rating, received, c.comment,
                                   c.operator_name, c.sample_date)
                          .run());
  return db.last_insert_rowid();
}

Result<std::vector<CallbackRow>> list_callbacks(Database& db, std::int64_t ticket_id) {
  auto st = db.prepare(
      "SELECT id, ticket_id, called_at, reached, rating, service_received, comment, operator, sample_date "
      "FROM callbacks WHERE ticket_id = ? ORDER BY called_at, id");
  if (st.ok()) st->bind(1, ticket_id);
  return query_all<CallbackRow>(std::move(st), [](Statement& s) {
    CallbackRow c;
    c.id = s.int64(0);
    c.ticket_id = s.int64(1);
    c.called_at = s.int64(2);
    c.reached = s.int32(3) != 0;
    if (!s.is_null(4)) c.rating = s.int32(4);
    if (!s.is_null(5)) c.service_received = s.int32(5) != 0;
    c.comment = s.text(6);
    c.operator_name = s.text(7);
    c.sample_date = s.opt_text(8);
    return c;
  });
}

Status insert_sample(Database& db, const SampleRow& r) {
  auto st = db.prepare(
      "INSERT INTO callback_samples(sample_date, ticket_id, firm_id, reasons, done) VALUES (?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(r.sample_date, r.ticket_id, r.firm_id, r.reasons, r.done ? 1 : 0).run();
}

Status insert_sample_day(Database& db, const SampleDay& d) {
  auto st = db.prepare(
      "INSERT INTO callback_sample_days(sample_date, capacity, risky_total, risky_left_out, random_total, "
      "random_left_out, drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(d.sample_date, d.capacity, d.risky_total, d.risky_left_out, d.random_total, d.random_left_out,
                      d.drawn_at)
      .run();
}

Result<std::optional<SampleDay>> get_sample_day(Database& db, const std::string& date) {
  auto st = db.prepare(
      "SELECT sample_date, capacity, risky_total, risky_left_out, random_total, random_left_out, drawn_at "
      "FROM callback_sample_days WHERE sample_date = ?");
  if (st.ok()) st->bind(1, date);
  return query_one<SampleDay>(std::move(st), [](Statement& s) {
    return SampleDay{s.text(0), s.int32(1), s.int32(2), s.int32(3), s.int32(4), s.int32(5), s.int64(6)};
  });
}

Result<std::vector<SampleRow>> list_samples(Database& db, const std::string& date, const SampleFilter& f) {
  std::string sql =
      "SELECT sample_date, ticket_id, firm_id, reasons, done, attempts FROM callback_samples WHERE sample_date = ?1";
  if (f.reason) sql += " AND (',' || reasons || ',') LIKE ('%,' || ?2 || ',%')";
  if (f.firm_id) sql += " AND firm_id = ?3";
  if (f.done) sql += " AND done = ?4";
  if (f.after) sql += " AND (done, ticket_id) > (?5, ?6)";
  sql += " ORDER BY done, ticket_id LIMIT ?7";
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  st->bind(1, date);
  if (f.reason) st->bind(2, *f.reason);
  if (f.firm_id) st->bind(3, *f.firm_id);
  if (f.done) st->bind(4, *f.done ? 1 : 0);
  if (f.after) {
    st->bind(5, f.after->done ? 1 : 0);
    st->bind(6, f.after->ticket_id);
  }
  st->bind(7, f.limit);
  return query_all<SampleRow>(std::move(st), [](Statement& s) {
    return SampleRow{s.text(0), s.int64(1), s.int64(2), s.text(3), s.int32(4) != 0, s.int32(5)};
  });
}

Result<std::int64_t> drop_pending_samples_of_elder(Database& db, std::int64_t elder_id) {
  auto st = db.prepare(
      "DELETE FROM callback_samples WHERE done = 0 AND ticket_id IN (SELECT id FROM tickets WHERE elder_id = ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind(1, elder_id).run());
  return db.changes();
}

Result<SampleCounts> count_samples(Database& db, const std::string& date) {
  auto st = db.prepare("SELECT count(*), coalesce(sum(done = 0), 0) FROM callback_samples WHERE sample_date = ?");
  if (st.ok()) st->bind(1, date);
  auto r = query_one<SampleCounts>(std::move(st), [](Statement& s) { return SampleCounts{s.int32(0), s.int32(1)}; });
  if (!r.ok()) return r.status();
  return r->value_or(SampleCounts{});
}

Status record_sample_attempt(Database& db, const std::string& date, std::int64_t ticket_id, bool reached,
                             int max_attempts) {
  auto st = db.prepare(
      "UPDATE callback_samples SET attempts = attempts + (1 - ?3), done = (?3 OR attempts + 1 >= ?4) "
      "WHERE sample_date = ?1 AND ticket_id = ?2");
  if (!st.ok()) return st.status();
  return st->bind_all(date, ticket_id, reached ? 1 : 0, max_attempts).run();
}

Result<std::vector<CallbackCandidateRow>> callback_candidates(Database& db, TimeMs from, TimeMs to,
                                                              TimeMs new_worker_ms, TimeMs lookback_ms) {
  auto st = db.prepare(R"(
    SELECT t.id, t.ticket_no, t.firm_id,
      EXISTS (SELECT 1 FROM visit_exceptions v WHERE v.ticket_id = t.id),
      NOT EXISTS (SELECT 1 FROM tickets p WHERE p.elder_id = t.elder_id AND p.firm_id = t.firm_id
                  AND p.state IN ('completed', 'disputed') AND p.checkout_at < t.checkout_at),
      (SELECT min(w.checkin_at) FROM tickets w WHERE w.firm_id = t.firm_id AND w.staff_code = t.staff_code
         AND w.checkin_at IS NOT NULL) > t.checkout_at - ?3,
      EXISTS (SELECT 1 FROM complaints c JOIN tickets ct ON ct.id = c.ticket_id
              WHERE ct.elder_id = t.elder_id AND c.filed_at >= t.checkout_at - ?4 AND c.filed_at <= t.checkout_at)
    FROM tickets t
    WHERE t.checkout_at >= ?1 AND t.checkout_at < ?2 AND t.state IN ('completed', 'disputed')
      AND NOT EXISTS (SELECT 1 FROM elders d WHERE d.id = t.elder_id AND d.status = 'deceased')
    ORDER BY t.id)");
  if (st.ok()) st->bind(1, from).bind(2, to).bind(3, new_worker_ms).bind(4, lookback_ms);
  return query_all<CallbackCandidateRow>(std::move(st), [](Statement& r) {
    return CallbackCandidateRow{r.int64(0),      r.text(1),       r.int64(2),     r.int32(3) != 0,
                                r.int32(4) != 0, r.int32(5) != 0, r.int32(6) != 0};
  });
}

namespace {
constexpr const char* kComplaintCols =
    "id, ticket_id, filed_at, status, description, filed_by, investigator, finding, closed_at, closed_by";
// The same of `complaints c` beside a joined ticket.
constexpr const char* kComplaintColsC =
    "c.id, c.ticket_id, c.filed_at, c.status, c.description, c.filed_by, c.investigator, c.finding, c.closed_at, "
    "c.closed_by";
Result<ComplaintRow> read_complaint(Statement& s) {
  VNH_ASSIGN_OR_RETURN(auto status, enum_column(s, 3, domain::parse_complaint_status, "complaints.status"));
  return ComplaintRow{s.int64(0), s.int64(1), s.int64(2),    status,         s.text(4),
                      s.text(5),  s.opt_text(6), s.text(7), s.opt_int64(8), s.opt_text(9)};
}
}  // namespace

Result<std::int64_t> insert_complaint(Database& db, const ComplaintRow& c) {
  auto st = db.prepare(
      "INSERT INTO complaints(ticket_id, filed_at, status, description, filed_by, investigator, finding, closed_at, "
      "closed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(c.ticket_id, c.filed_at, domain::to_string(c.status), c.description, c.filed_by, c.investigator,
                                   c.finding, c.closed_at, c.closed_by)
                          .run());
  return db.last_insert_rowid();
}

Status save_complaint(Database& db, const ComplaintRow& c) {
  auto st = db.prepare(
      "UPDATE complaints SET status = ?, description = ?, investigator = ?, finding = ?, closed_at = ?, "
      "closed_by = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(domain::to_string(c.status), c.description, c.investigator, c.finding, c.closed_at, c.closed_by, c.id).run();
}

Result<std::optional<ComplaintRow>> get_complaint(Database& db, std::int64_t id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM complaints WHERE id = ?", kComplaintCols));
  if (st.ok()) st->bind(1, id);
  return query_one<ComplaintRow>(std::move(st), read_complaint);
}

Result<std::vector<ComplaintRow>> complaints_of_ticket(Database& db, std::int64_t ticket_id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM complaints WHERE ticket_id = ? ORDER BY id", kComplaintCols));
  if (st.ok()) st->bind(1, ticket_id);
  return query_all<ComplaintRow>(std::move(st), read_complaint);
}

namespace {
// FROM and WHERE of a complaints query (a district files a few thousand a year: the firm and
// street filters join the ticket and the elder); parameters ?1…?6.
std::string complaint_from(const ComplaintQuery& q, bool paged) {
  std::string w = "FROM complaints c";
  if (q.firm_id || q.street) w += " JOIN tickets t ON t.id = c.ticket_id";
  if (q.street) w += " JOIN elders e ON e.id = t.elder_id";
  w += " WHERE 1";
  if (q.status) w += " AND c.status = ?1";
  if (q.pending) w += " AND (c.status = 'open' OR c.status = 'investigating')";
  if (q.firm_id) w += " AND t.firm_id = ?2";
  if (q.street) w += " AND substr(e.community_code, 1, 9) = ?3";
  if (q.before) w += " AND c.filed_at < ?4";
  if (paged) w += after_clause(q, "c.filed_at", "c.id", 5, 6);
  return w;
}
void bind_complaint_query(Statement& st, const ComplaintQuery& q, bool paged) {
  if (q.status) st.bind(1, std::string(domain::to_string(*q.status)));
  if (q.firm_id) st.bind(2, *q.firm_id);
  if (q.street) st.bind(3, *q.street);
  if (q.before) st.bind(4, *q.before);
  if (paged && q.after) st.bind(5, q.after->first).bind(6, q.after->second);
}
}  // namespace

Result<std::vector<ComplaintRow>> list_complaints(Database& db, const ComplaintQuery& q) {
  const char* dir = q.newest_first ? " DESC" : "";
  auto st = db.prepare(
      fmt::format("SELECT {} {} ORDER BY c.filed_at{}, c.id{} LIMIT ?7", kComplaintColsC, complaint_from(q, true), dir, dir));
  if (st.ok()) {
    bind_complaint_query(*st, q, true);
    st->bind(7, q.limit);
  }
  return query_all<ComplaintRow>(std::move(st), read_complaint);
}

Result<std::int64_t> count_complaints(Database& db, const ComplaintQuery& q) {
  auto st = db.prepare("SELECT count(*) " + complaint_from(q, false));
  if (st.ok()) bind_complaint_query(*st, q, false);
  return query_int(std::move(st));
}

Status put_inspection(Database& db, const InspectionRow& r, bool replace) {
  std::string sql = fmt::format(
      "INSERT {} INTO inspections(firm_id, month, enterprise_building, service_norms, staff_management, entered_by, "
      "entered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      replace ? "OR REPLACE" : "");
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  return st->bind_all(r.firm_id, r.month, r.enterprise_building, r.service_norms, r.staff_management, r.entered_by,
                      r.entered_at)
      .run();
}

namespace {
InspectionRow read_inspection(Statement& s) {
  return InspectionRow{s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4), s.text(5), s.int64(6)};
}
}  // namespace

Result<std::optional<InspectionRow>> get_inspection(Database& db, std::int64_t firm_id, const std::string& month) {
  auto st = db.prepare(
      "SELECT firm_id, month, enterprise_building, service_norms, staff_management, entered_by, entered_at "
      "FROM inspections WHERE firm_id = ? AND month = ?");
  if (st.ok()) st->bind_all(firm_id, month);
  return query_one<InspectionRow>(std::move(st), read_inspection);
}

Result<std::vector<InspectionRow>> list_inspections(Database& db, const std::string& month) {
  auto st = db.prepare(
      "SELECT firm_id, month, enterprise_building, service_norms, staff_management, entered_by, entered_at "
      "FROM inspections WHERE month = ? ORDER BY firm_id");
  if (st.ok()) st->bind(1, month);
  return query_all<InspectionRow>(std::move(st), read_inspection);
}

}  // namespace vnh::store
