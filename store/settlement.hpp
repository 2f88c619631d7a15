#pragma once
// Settlement repository: what a month's settlement reads (SPEC §5–§6) — the elders' facts,
// the tickets checked out in the month, callbacks, complaints and the visit exceptions behind
// them — and what it records: runs with their documents and per-firm lines, approvals and
// adjustments. The arithmetic lives in settlement/ and never sees SQL.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

// --- Inputs -------------------------------------------------------------------------------

// What settlement needs of an elder: the category, birth date and care flags behind the share,
// the date of death, the community (its first 9 digits are the street of the by-street breakdown).
struct SettlementElder {
  std::int64_t id = 0;
  domain::ElderCategory category = domain::ElderCategory::kC;
  Date birth_date;
  std::string community_code;
  std::optional<Date> died_on;  // SPEC §13: what is dated after it is excluded
  domain::CareFlags care_flags = 0;  // a programme's care_flags (SPEC §13–§14)
};
Result<std::vector<SettlementElder>> settlement_elders(Database& db);

// A ticket checked out in the month, `completed` or `disputed` (SPEC §5 "the firm's tickets
// of M"), with what its share and its firm's quality score depend on.
struct SettledTicket {
  std::int64_t id = 0;
  std::string ticket_no;  // empty unless asked for (only statements show it)
  std::int64_t firm_id = 0;
  bool disputed = false;
  TimeMs checkout_at = 0;
  TimeMs checkin_at = 0;
  TimeMs window_start = 0;
  TimeMs window_end = 0;
  int held_exceptions = 0;  // uncleared visit exceptions
  std::int64_t elder_id = 0;
  std::int64_t item_id = 0;
};
// Calls `fn` for every ticket checked out in [from, to), in check-out order, ties by ticket
// number (SPEC §6.2: the order the monthly credit is drawn in), with the ticket numbers when
// `with_numbers` (reading them is a tenth of the month's time). Streams: a month of a large
// district is millions of rows.
Status for_each_settled_ticket(Database& db, TimeMs from, TimeMs to, bool with_numbers,
                               const std::function<Status(const SettledTicket&)>& fn);

// The uncleared visit exception types of each ticket checked out in [from, to), joined by
// '|', for the statements' reasons.
Result<std::unordered_map<std::int64_t, std::string>> uncleared_exception_types(Database& db, TimeMs from, TimeMs to);

// Reached callbacks about each firm's tickets checked out in [from, to).
struct FirmRatings {
  std::int64_t firm_id = 0;
  std::int64_t rating_sum = 0;
  std::int64_t rating_count = 0;
};
namespace sql {
extern const char kCallbackRatingsByFirm[];
}  // namespace sql
Result<std::vector<FirmRatings>> callback_ratings_by_firm(Database& db, TimeMs from, TimeMs to);

// Complaints filed in [from, to) against each firm's tickets.
struct FirmComplaints {
  std::int64_t firm_id = 0;
  std::int64_t filed = 0;
  std::int64_t substantiated = 0;
};
Result<std::vector<FirmComplaints>> complaints_by_firm(Database& db, TimeMs from, TimeMs to);

// --- Runs, lines, adjustments ---------------------------------------------------------------

struct SettlementRunRow {
  std::string month;  // YYYY-MM
  domain::RunStatus status = domain::RunStatus::kDraft;
  std::string policy_digest;
  std::string run_by;
  TimeMs run_at = 0;
  std::optional<std::string> approved_by;
  std::optional<TimeMs> approved_at;
  std::string totals;  // JSON object
};
Result<std::optional<SettlementRunRow>> get_settlement_run(Database& db, const std::string& month);
// Newest month first.
Result<std::vector<SettlementRunRow>> list_settlement_runs(Database& db);

enum class SettlementDocument { kCsv, kHtml, kMeals };  // kMeals: meals-YYYY-MM.csv
Result<std::optional<std::string>> settlement_document(Database& db, const std::string& month, SettlementDocument which);

// One firm's line as recorded with its run (scores in hundredths; absent ones NULL).
struct SettlementLineRow {
  std::string firm_code;
  std::string firm_name;
  std::int64_t tickets_completed = 0;
  std::int64_t tickets_eligible = 0;
  std::int64_t subsidy_fen = 0;
  std::int64_t copay_fen = 0;
  std::optional<std::int64_t> score_e, score_n;
  std::int64_t score_q = 0;
  std::optional<std::int64_t> score_h, score_total;
  std::int64_t coefficient = 0;
  std::int64_t deductions_fen = 0;
  std::int64_t payout_fen = 0;
  bool exit_review = false;
};
Result<std::vector<SettlementLineRow>> list_settlement_lines(Database& db, const std::string& month);

// Replaces the month's run (and its lines) with a new draft.
Status replace_settlement_run(Database& db, const SettlementRunRow& run, const std::string& csv,
                              const std::string& meals_csv, const std::string& html,
                              const std::vector<SettlementLineRow>& lines);
// Replaces the stored statement (HTML) of the month's run.
Status set_settlement_html(Database& db, const std::string& month, const std::string& html);
// Marks the month's run approved by `approver`.
Status approve_settlement_run(Database& db, const std::string& month, const std::string& approver, TimeMs at);

// A correction of an approved month, paid (or recovered) in a later month.
struct AdjustmentRow {
  std::int64_t id = 0;
  std::string firm_code;
  std::int64_t amount_fen = 0;  // positive: paid to the firm; negative: recovered
  std::string corrects_month;
  std::string reason;
  std::string created_by;
  std::string payee = "firm";  // firm, or canteen (firm_code then holds the canteen's code)
};
Result<std::vector<AdjustmentRow>> list_adjustments(Database& db, const std::string& month);
Result<std::int64_t> insert_adjustment(Database& db, const std::string& month, const AdjustmentRow& a, TimeMs at);

// --- Recoveries (SPEC §13) ------------------------------------------------------------------

// The approved months from `from` on, oldest first.
Result<std::vector<YearMonth>> approved_months_from(Database& db, YearMonth from);
// The coefficient (hundredths) a firm's line of a month's run was paid with.
Result<std::optional<std::int64_t>> line_coefficient(Database& db, const std::string& month, const std::string& firm_code);

// An elder's tickets checked out in [from, to), completed or disputed, in check-out order (ties
// by ticket number), with the firm's code: one elder's share of a month replayed.
struct ElderSettledTicket {
  std::int64_t id = 0;
  std::string ticket_no;
  std::string firm_code;
  bool eligible = false;  // completed, not disputed, no uncleared visit exception
  TimeMs checkout_at = 0;
  std::int64_t item_id = 0;
};
Result<std::vector<ElderSettledTicket>> elder_settled_tickets(Database& db, std::int64_t elder_id, TimeMs from, TimeMs to);

struct RecoveryRow {
  std::int64_t id = 0;
  std::int64_t elder_id = 0;
  std::string paid_month;
  std::string kind;  // ticket, meal
  std::optional<std::int64_t> ticket_id, meal_id;
  std::string ref;         // the ticket's number, or "meal M<id>"
  std::string payee_code;  // the firm's or the canteen's
  std::string service_day;
  std::int64_t amount_fen = 0;
  std::string state = "proposed";  // proposed adjusted waived
  std::optional<std::int64_t> adjustment_id;
  std::optional<std::string> decided_by;
  std::string note;
};
// Inserts a proposed recovery unless its ticket or meal has one already (false then).
Result<bool> insert_recovery(Database& db, const RecoveryRow& r, TimeMs now);
// Removes the proposed (undecided) recoveries of an elder (a corrected date of death).
Status delete_proposed_recoveries(Database& db, std::int64_t elder_id);
// Proposed recoveries of months before `before` (all when empty), oldest first; or, with
// `ids`, exactly those.
Result<std::vector<RecoveryRow>> list_recoveries(Database& db, const std::string& state, const std::string& before);
Result<std::optional<RecoveryRow>> get_recovery(Database& db, std::int64_t id);
Status decide_recovery(Database& db, std::int64_t id, const std::string& state, std::optional<std::int64_t> adjustment_id,
                       const std::string& by, const std::string& note, TimeMs at);

}  // namespace vnh::store
