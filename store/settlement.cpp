#include "store/settlement.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

Result<std::vector<SettlementElder>> settlement_elders(Database& db) {
  return query_all<SettlementElder>(
      db.prepare("SELECT e.id, e.category, vnh_birth_date(e.id_number_enc), e.community_code, e.died_on, c.flags "
                 "FROM elders e LEFT JOIN care_targets c ON c.elder_id = e.id"),
      [](Statement& st) -> Result<SettlementElder> {
        SettlementElder e;
        e.id = st.int64(0);
        VNH_ASSIGN_OR_RETURN(e.category, enum_column(st, 1, parse_elder_category, "elders.category"));
        auto d = parse_date(st.text(2));
        if (!d.ok()) return internal(fmt::format("elder {} has a bad birth date", e.id));
        e.birth_date = *d;
        e.community_code = st.text(3);
        if (!st.is_null(4)) {
          auto died = parse_date(st.text(4));
          if (!died.ok()) return internal(fmt::format("elder {} has a bad date of death", e.id));
          e.died_on = *died;
        }
        auto flags = domain::parse_care_flags(st.text_view(5));
        if (!flags) return internal(fmt::format("elder {} has bad care flags", e.id));
        e.care_flags = *flags;
        return e;
      });
}

Status for_each_settled_ticket(Database& db, TimeMs from, TimeMs to, bool with_numbers,
                               const std::function<Status(const SettledTicket&)>& fn) {
  auto st = db.prepare(
      "SELECT id, ticket_no, firm_id, state, checkout_at, checkin_at, window_start, window_end, held_exceptions, "
      "elder_id, item_id FROM tickets INDEXED BY tickets_checkout WHERE checkout_at >= ? AND checkout_at < ? "
      "AND state IN ('completed', 'disputed') ORDER BY checkout_at, ticket_no");
  if (st.ok()) st->bind_all(from, to);
  SettledTicket t;  // one row's buffers reused for the next
  return for_each_row(std::move(st), [&](Statement& r) {
    t.id = r.int64(0);
    if (with_numbers) t.ticket_no.assign(r.text_view(1));  // into the buffer the last row left
    t.firm_id = r.int64(2);
    t.disputed = r.text_view(3) == "disputed";
    t.checkout_at = r.int64(4);
    t.checkin_at = r.int64(5);
    t.window_start = r.int64(6);
    t.window_end = r.int64(7);
    t.held_exceptions = r.int32(8);
    t.elder_id = r.int64(9);
    t.item_id = r.int64(10);
    return fn(t);
  });
}

Result<std::unordered_map<std::int64_t, std::string>> uncleared_exception_types(Database& db, TimeMs from, TimeMs to) {
  auto st = db.prepare(
      "SELECT v.ticket_id, group_concat(v.type, '|') FROM visit_exceptions v JOIN tickets t ON t.id = v.ticket_id "
      "WHERE t.checkout_at >= ? AND t.checkout_at < ? AND v.status <> 'cleared' GROUP BY v.ticket_id");
  if (st.ok()) st->bind_all(from, to);
  std::unordered_map<std::int64_t, std::string> out;
  VNH_RETURN_IF_ERROR(for_each_row(std::move(st), [&](Statement& r) { out[r.int64(0)] = r.text(1); }));
  return out;
}

namespace sql {
// The month's tickets through their check-out index: the planner, left to itself, took
// tickets_state and read every completed ticket of the history (2.8 s on seven years).
const char kCallbackRatingsByFirm[] =
    "SELECT t.firm_id, sum(c.rating), count(*) FROM tickets t INDEXED BY tickets_checkout "
    "JOIN callbacks c ON c.ticket_id = t.id "
    "WHERE c.reached = 1 AND t.checkout_at >= ? AND t.checkout_at < ? AND t.state IN ('completed', 'disputed') "
    "GROUP BY t.firm_id";
}  // namespace sql

Result<std::vector<FirmRatings>> callback_ratings_by_firm(Database& db, TimeMs from, TimeMs to) {
  auto st = db.prepare(sql::kCallbackRatingsByFirm);
  if (st.ok()) st->bind_all(from, to);
  return query_all<FirmRatings>(std::move(st),
                                [](Statement& r) { return FirmRatings{r.int64(0), r.int64(1), r.int64(2)}; });
}

Result<std::vector<FirmComplaints>> complaints_by_firm(Database& db, TimeMs from, TimeMs to) {
  auto st = db.prepare(
      "SELECT t.firm_id, count(*), sum(c.status = 'substantiated') FROM complaints c JOIN tickets t ON t.id = "
      "c.ticket_id WHERE c.filed_at >= ? AND c.filed_at < ? AND t.firm_id IS NOT NULL GROUP BY t.firm_id");
  if (st.ok()) st->bind_all(from, to);
  return query_all<FirmComplaints>(std::move(st),
                                   [](Statement& r) { return FirmComplaints{r.int64(0), r.int64(1), r.int64(2)}; });
}

namespace {
constexpr const char* kRunCols = "month, status, policy_digest, run_by, run_at, approved_by, approved_at, totals";

Result<SettlementRunRow> read_run(Statement& r) {
  SettlementRunRow run;
  run.month = r.text(0);
  VNH_ASSIGN_OR_RETURN(run.status, enum_column(r, 1, parse_run_status, "settlement_runs.status"));
  run.policy_digest = r.text(2);
  run.run_by = r.text(3);
  run.run_at = r.int64(4);
  run.approved_by = r.opt_text(5);
  run.approved_at = r.opt_int64(6);
  run.totals = r.text(7);
  return run;
}
}  // namespace

Result<std::optional<SettlementRunRow>> get_settlement_run(Database& db, const std::string& month) {
  auto st = db.prepare(fmt::format("SELECT {} FROM settlement_runs WHERE month = ?", kRunCols));
  if (st.ok()) st->bind(1, month);
  return query_one<SettlementRunRow>(std::move(st), read_run);
}

Result<std::vector<SettlementRunRow>> list_settlement_runs(Database& db) {
  return query_all<SettlementRunRow>(db.prepare(fmt::format("SELECT {} FROM settlement_runs ORDER BY month DESC", kRunCols)),
                                     read_run);
}

Result<std::optional<std::string>> settlement_document(Database& db, const std::string& month, SettlementDocument which) {
  auto st = db.prepare(which == SettlementDocument::kHtml    ? "SELECT html FROM settlement_runs WHERE month = ?"
                       : which == SettlementDocument::kMeals ? "SELECT meals_csv FROM settlement_runs WHERE month = ?"
                                                             : "SELECT csv FROM settlement_runs WHERE month = ?");
  if (st.ok()) st->bind(1, month);
  return query_one<std::string>(std::move(st), [](Statement& r) { return r.blob(0); });
}

Result<std::vector<SettlementLineRow>> list_settlement_lines(Database& db, const std::string& month) {
  auto st = db.prepare(
      "SELECT firm_code, firm_name, tickets_completed, tickets_eligible, subsidy_fen, copay_fen, score_e, score_n, "
      "score_q, score_h, score_total, coefficient, deductions_fen, payout_fen, exit_review FROM settlement_lines "
      "WHERE month = ? ORDER BY firm_code");
  if (st.ok()) st->bind(1, month);
  return query_all<SettlementLineRow>(std::move(st), [](Statement& r) {
    return SettlementLineRow{r.text(0),        r.text(1),        r.int64(2),       r.int64(3),  r.int64(4),
                             r.int64(5),       r.opt_int64(6),   r.opt_int64(7),   r.int64(8),  r.opt_int64(9),
                             r.opt_int64(10),  r.int64(11),      r.int64(12),      r.int64(13), r.int64(14) != 0};
  });
}

Status set_settlement_html(Database& db, const std::string& month, const std::string& html) {
  auto st = db.prepare("UPDATE settlement_runs SET html = ? WHERE month = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(Blob{html}, month).run();
}

Status replace_settlement_run(Database& db, const SettlementRunRow& run, const std::string& csv,
                              const std::string& meals_csv, const std::string& html,
                              const std::vector<SettlementLineRow>& lines) {
  auto del = db.prepare("DELETE FROM settlement_runs WHERE month = ?");
  if (!del.ok()) return del.status();
  VNH_RETURN_IF_ERROR(del->bind(1, run.month).run());
  auto ins = db.prepare(
      "INSERT INTO settlement_runs(month, status, policy_digest, run_by, run_at, csv, meals_csv, html, totals) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  VNH_RETURN_IF_ERROR(ins->bind_all(run.month, to_string(run.status), run.policy_digest, run.run_by, run.run_at,
                                    Blob{csv}, Blob{meals_csv}, Blob{html}, run.totals)
                          .run());
  for (const auto& l : lines) {
    auto li = db.prepare(
        "INSERT INTO settlement_lines(month, firm_code, firm_name, tickets_completed, tickets_eligible, "
        "subsidy_fen, copay_fen, score_e, score_n, score_q, score_h, score_total, coefficient, deductions_fen, "
        "payout_fen, exit_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!li.ok()) return li.status();
    VNH_RETURN_IF_ERROR(li->bind_all(run.month, l.firm_code, l.firm_name, l.tickets_completed, l.tickets_eligible,
                                     l.subsidy_fen, l.copay_fen, l.score_e, l.score_n, l.score_q, l.score_h,
                                     l.score_total, l.coefficient, l.deductions_fen, l.payout_fen,
                                     l.exit_review ? 1 : 0)
                            .run());
  }
  return Status::Ok();
}

Status approve_settlement_run(Database& db, const std::string& month, const std::string& approver, TimeMs at) {
  auto st = db.prepare("UPDATE settlement_runs SET status = 'approved', approved_by = ?, approved_at = ? WHERE month = ?");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(approver, at, month).run());
  if (db.changes() != 1) return not_found(fmt::format("{} has not been settled", month), "month");
  return Status::Ok();
}

Result<std::vector<AdjustmentRow>> list_adjustments(Database& db, const std::string& month) {
  auto st = db.prepare(
      "SELECT id, firm_code, amount_fen, corrects_month, reason, created_by, payee FROM settlement_adjustments "
      "WHERE month = ? ORDER BY payee DESC, firm_code, id");
  if (st.ok()) st->bind(1, month);
  return query_all<AdjustmentRow>(std::move(st), [](Statement& r) {
    return AdjustmentRow{r.int64(0), r.text(1), r.int64(2), r.text(3), r.text(4), r.text(5), r.text(6)};
  });
}

Result<std::int64_t> insert_adjustment(Database& db, const std::string& month, const AdjustmentRow& a, TimeMs at) {
  auto st = db.prepare(
      "INSERT INTO settlement_adjustments(month, firm_code, amount_fen, corrects_month, reason, created_by, "
      "created_at, payee) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(
      st->bind_all(month, a.firm_code, a.amount_fen, a.corrects_month, a.reason, a.created_by, at, a.payee).run());
  return db.last_insert_rowid();
}

Result<std::vector<YearMonth>> approved_months_from(Database& db, YearMonth from) {
  auto st = db.prepare("SELECT month FROM settlement_runs WHERE status = 'approved' AND month >= ? ORDER BY month");
  if (st.ok()) st->bind(1, from.to_string());
  return query_all<YearMonth>(std::move(st), [](Statement& r) { return parse_year_month(r.text_view(0)); });
}

Result<std::optional<std::int64_t>> line_coefficient(Database& db, const std::string& month, const std::string& firm_code) {
  auto st = db.prepare("SELECT coefficient FROM settlement_lines WHERE month = ? AND firm_code = ?");
  if (!st.ok()) return st.status();
  st->bind_all(month, firm_code);
  VNH_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(st->int64(0));
}

Result<std::vector<ElderSettledTicket>> elder_settled_tickets(Database& db, std::int64_t elder_id, TimeMs from, TimeMs to) {
  auto st = db.prepare(
      "SELECT t.id, t.ticket_no, f.code, t.state = 'completed' AND t.held_exceptions = 0, t.checkout_at, t.item_id "
      "FROM tickets t INDEXED BY tickets_elder JOIN firms f ON f.id = t.firm_id WHERE t.elder_id = ? "
      "AND t.checkout_at >= ? AND t.checkout_at < ? AND t.state IN ('completed', 'disputed') "
      "ORDER BY t.checkout_at, t.ticket_no");
  if (st.ok()) st->bind_all(elder_id, from, to);
  return query_all<ElderSettledTicket>(std::move(st), [](Statement& r) {
    return ElderSettledTicket{r.int64(0), r.text(1), r.text(2), r.int64(3) != 0, r.int64(4), r.int64(5)};
  });
}

namespace {
constexpr const char* kRecoveryColumns =
    "r.id, r.elder_id, r.paid_month, r.kind, r.ticket_id, r.meal_id, coalesce(t.ticket_no, 'M' || r.meal_id), "
    "r.payee_code, r.service_day, r.amount_fen, r.state, r.adjustment_id, r.decided_by, r.note "
    "FROM recoveries r LEFT JOIN tickets t ON t.id = r.ticket_id ";
RecoveryRow read_recovery(Statement& r) {
  RecoveryRow o;
  o.id = r.int64(0);
  o.elder_id = r.int64(1);
  o.paid_month = r.text(2);
  o.kind = r.text(3);
  o.ticket_id = r.opt_int64(4);
  o.meal_id = r.opt_int64(5);
  o.ref = r.text(6);
  o.payee_code = r.text(7);
  o.service_day = r.text(8);
  o.amount_fen = r.int64(9);
  o.state = r.text(10);
  o.adjustment_id = r.opt_int64(11);
  o.decided_by = r.opt_text(12);
  o.note = r.text(13);
  return o;
}
}  // namespace

Result<bool> insert_recovery(Database& db, const RecoveryRow& r, TimeMs now) {
  auto st = db.prepare(
      "INSERT OR IGNORE INTO recoveries(elder_id, paid_month, kind, ticket_id, meal_id, payee_code, service_day, "
      "amount_fen, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(r.elder_id, r.paid_month, r.kind, r.ticket_id, r.meal_id, r.payee_code,
                                   r.service_day, r.amount_fen, now)
                          .run());
  return db.changes() == 1;
}

Status delete_proposed_recoveries(Database& db, std::int64_t elder_id) {
  auto st = db.prepare("DELETE FROM recoveries WHERE elder_id = ? AND state = 'proposed'");
  if (!st.ok()) return st.status();
  return st->bind_all(elder_id).run();
}

Result<std::vector<RecoveryRow>> list_recoveries(Database& db, const std::string& state, const std::string& before) {
  auto st = db.prepare(std::string("SELECT ") + kRecoveryColumns +
                       "WHERE r.state = ? AND (? = '' OR r.paid_month < ?) ORDER BY r.paid_month, r.payee_code, r.id");
  if (st.ok()) st->bind_all(state, before, before);
  return query_all<RecoveryRow>(std::move(st), read_recovery);
}

Result<std::optional<RecoveryRow>> get_recovery(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string("SELECT ") + kRecoveryColumns + "WHERE r.id = ?");
  if (st.ok()) st->bind_all(id);
  return query_one<RecoveryRow>(std::move(st), read_recovery);
}

Status decide_recovery(Database& db, std::int64_t id, const std::string& state, std::optional<std::int64_t> adjustment_id,
                       const std::string& by, const std::string& note, TimeMs at) {
  auto st = db.prepare(
      "UPDATE recoveries SET state = ?, adjustment_id = ?, decided_by = ?, decided_at = ?, note = ? "
      "WHERE id = ? AND state = 'proposed'");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(state, adjustment_id, by, at, note, id).run());
  if (db.changes() != 1) return Status(Code::kFailedPrecondition, fmt::format("recovery {} was decided already", id), "recovery_id");
  return Status::Ok();
}

}  // namespace vnh::store
