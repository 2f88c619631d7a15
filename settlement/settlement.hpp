#pragma once
// The monthly settlement batch (SPEC §5–§6): a month's tickets, callbacks, complaints and
// inspections (MonthInputs, loaded through store/settlement) go into compute(), a pure
// function that gives each firm's line with settlement/rules; render the CSV of §6, the
// printable HTML statement and per-ticket statements for each firm. run() also writes the
// files (atomically: all or nothing) and records the run in the database, refusing months
// that are approved (locked). Single-threaded; the caller provides the connections.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"
#include "domain/actor.hpp"
#include "domain/policy.hpp"
#include "settlement/rules.hpp"
#include "store/meals.hpp"
#include "store/quality.hpp"
#include "store/reference.hpp"
#include "store/settlement.hpp"
#include "store/sqlite.hpp"
#include "store/writer.hpp"

namespace vnh::settlement {

struct FirmLine {
  std::int64_t firm_id = 0;
  std::string code;
  std::string name;
  std::int64_t tickets_completed = 0;
  std::int64_t tickets_eligible = 0;
  Fen subsidy = 0;
  Fen copay = 0;
  std::optional<std::int64_t> score_e, score_n, score_h, score_total, coefficient;  // hundredths
  std::int64_t score_q = 0;
  Fen deductions = 0;
  Fen payout = 0;
  bool exit_review = false;
  QualityInputs quality;
  std::int64_t complaints_filed = 0;
  std::int64_t complaints_substantiated = 0;
};

struct Breakdown {
  std::string key;    // category name or street code
  std::string label;  // display name
  std::int64_t tickets = 0;
  std::int64_t eligible = 0;
  Fen subsidy = 0;
  Fen copay = 0;
};

// One ticket of M as it appears on its firm's statement.
struct StatementLine {
  std::string ticket_no;
  TimeMs checkout_at = 0;
  std::string item_code;
  std::string elder_id;
  std::string elder_category;
  int age = 0;
  Fen standard_price = 0;
  bool eligible = false;
  std::string reason;  // why excluded, or the subsidy rule applied
  std::string programmes;  // the programmes that paid it (SPEC §13), joined by '+'
  Fen subsidy = 0;
  Fen copay = 0;
};

// One canteen meal of M as it appears on its canteen's statement (SPEC §12).
struct MealStatementLine {
  TimeMs served_at = 0;
  std::string elder_id;
  std::string elder_category;
  std::string slot;
  std::string mode;
  std::string identified_by;
  Fen price = 0;
  bool excluded = false;
  std::string reason;  // the rule it was recorded under, or why it is excluded
  Fen government = 0;
  Fen elder = 0;
};

class StatementSink {
 public:
  virtual ~StatementSink() = default;
  virtual void line(const std::string& firm_code, const StatementLine& l) = 0;
  virtual void meal(const std::string& canteen_code, const MealStatementLine& l) { (void)canteen_code, (void)l; }
};

// A canteen's line of the month (SPEC §12, meals-YYYY-MM.csv).
struct CanteenLine {
  std::int64_t canteen_id = 0;
  std::string code;
  std::string name;
  std::int64_t meals_served = 0;
  std::int64_t meals_subsidised = 0;
  Fen government = 0;
  Fen elder = 0;
  std::int64_t override_meals = 0;
  std::int64_t excluded_meals = 0;
  Fen operating_subsidy = 0;
  Fen payout = 0;
  bool inspection = false;  // its override share passed meals.override_alert_share
};

// A correction of an approved month, paid (or recovered) in a later month. Approved months are
// never edited; the correction is its own entry, shown in the later month's statement.
using Adjustment = store::AdjustmentRow;
// A recorded run: draft until approved, then locked.
using RunInfo = store::SettlementRunRow;

struct Settlement {
  YearMonth month;
  std::string policy_digest;
  std::string time_zone;
  std::vector<FirmLine> lines;  // by firm code
  std::vector<Breakdown> by_category;
  std::vector<Breakdown> by_street;
  std::int64_t tickets_completed = 0;
  std::int64_t tickets_eligible = 0;
  Fen subsidy = 0;
  Fen copay = 0;
  Fen deductions = 0;
  Fen payout = 0;
  std::vector<Adjustment> adjustments;  // entered for this month
  Fen adjustments_total = 0;
  // Canteens (SPEC §12): one line per canteen with any meal in M, by code.
  std::vector<CanteenLine> canteens;
  std::int64_t meals_served = 0;
  std::int64_t meals_subsidised = 0;
  std::int64_t meals_excluded = 0;
  std::int64_t meals_override = 0;
  Fen meals_government = 0;
  Fen meals_elder = 0;
  Fen meals_payout = 0;
  int override_alert_share = 0;  // ten-thousandths, from the policy
};

// Everything of a month the settlement depends on besides its tickets, as loaded from the
// store (load_inputs) or built by a test.
struct MonthInputs {
  std::vector<store::Firm> firms;
  std::vector<store::SettlementElder> elders;
  std::vector<store::ServiceItem> items;
  std::vector<store::FirmRatings> ratings;       // reached callbacks about the tickets of M
  std::vector<store::FirmComplaints> complaints;  // filed in M
  std::vector<store::InspectionRow> inspections;  // of M
  std::vector<store::Area> areas;                 // for the streets' names
  std::vector<Adjustment> adjustments;            // to be paid in M
  std::vector<store::Canteen> canteens;
  // Uncleared visit exception types by ticket, for the statements' reasons (only loaded when
  // statements are wanted).
  std::unordered_map<std::int64_t, std::string> exception_types;
};
// The tickets of M in check-out order (ties by ticket number): calls its argument for each
// and stops at the first error. A month of a large district is millions of tickets, so they
// are streamed rather than held.
using TicketFeed = std::function<Status(const std::function<Status(const store::SettledTicket&)>&)>;
// The canteen meals served in M, in time order; streamed like the tickets.
using MealFeed = std::function<Status(const std::function<Status(const store::SettledMeal&)>&)>;

// Computes the settlement from its inputs alone: pure, no I/O. Fails with
// kFailedPrecondition naming every firm with eligible tickets and no inspection scores, and
// with kInternal when a ticket refers to a firm, item or elder the inputs do not hold.
Result<Settlement> compute(const MonthInputs& in, const TicketFeed& tickets, const domain::Policy& policy,
                           YearMonth month, StatementSink* sink = nullptr);
// With the month's canteen meals: they are read first, so that the meal places they hold are
// taken before the meal tickets are priced (SPEC §12).
Result<Settlement> compute(const MonthInputs& in, const MealFeed& meals, const TicketFeed& tickets,
                           const domain::Policy& policy, YearMonth month, StatementSink* sink = nullptr);
// The same for tickets already in memory (in check-out order).
Result<Settlement> compute(const MonthInputs& in, const std::vector<store::SettledTicket>& tickets,
                           const domain::Policy& policy, YearMonth month, StatementSink* sink = nullptr);

// The firms' league of a month (SPEC §15): each firm with a ticket, complaint or inspection in
// M, its tickets of M, Q's inputs and Q, and T with its band where the inspectors have scored
// it — the arithmetic of §5 as the settlement does it, without pricing any ticket (only firms,
// ratings, complaints and inspections of `in` are read). Pure.
Result<std::vector<FirmLine>> league(const MonthInputs& in, const TicketFeed& tickets, const domain::Policy& policy);
// The same from `db` (reads no elder: fast enough for a screen).
Result<std::vector<FirmLine>> league(store::Database& db, const domain::Policy& policy, YearMonth month);

// Loads a month's inputs from `db`; exception types only `with_statements`.
Result<MonthInputs> load_inputs(store::Database& db, const domain::Policy& policy, YearMonth month,
                                bool with_statements);
// The month's tickets, streamed from `db` (valid while `db` is); with their numbers only
// `with_numbers` (for statements).
TicketFeed month_tickets(store::Database& db, const domain::Policy& policy, YearMonth month, bool with_numbers);
MealFeed month_meals(store::Database& db, const domain::Policy& policy, YearMonth month);
// load_inputs + compute over month_tickets.
Result<Settlement> compute(store::Database& db, const domain::Policy& policy, YearMonth month,
                           StatementSink* sink = nullptr);

std::string render_csv(const Settlement& s);
// meals-YYYY-MM.csv (SPEC §12).
std::string render_meals_csv(const Settlement& s);
std::string meal_statement_csv_header();
std::string meal_statement_csv_row(const MealStatementLine& l, const TimeZone& tz);
// What the printable statement says about itself: who issued it, under which policy, who ran
// and approved it. Rendering is deterministic: the same run gives the same bytes.
struct StatementMeta {
  std::string office;                 // the policy's statement.office
  std::string policy_effective_from;  // YYYY-MM
  std::string run_by;
  TimeMs run_at = 0;
  std::optional<std::string> approved_by;
  std::optional<TimeMs> approved_at;
  std::shared_ptr<const TimeZone> tz;
};
std::string render_html(const Settlement& s, const StatementMeta& meta);
// The stored statement with its status and signature blocks rewritten for `meta` (a draft
// becomes approved); the rest of the bytes stay as they were.
Result<std::string> restamp_html(const std::string& html, const StatementMeta& meta);
std::string statement_csv_header();
std::string statement_csv_row(const StatementLine& l, const TimeZone& tz);

using WriteFn = std::function<Status(const std::function<Status(store::WriteTx&)>&)>;

struct RunOptions {
  YearMonth month;
  std::string out_dir;  // empty: record in the database only
  std::string run_by;
  TimeMs now = 0;
};

struct RunResult {
  Settlement settlement;
  std::string csv;
  std::string meals_csv;
  std::string html;
  std::vector<std::string> files;  // written, relative to out_dir
};

// compute + render + write files + record the run (status draft). Refused before anything
// is written (kFailedPrecondition): a month that has not ended at opts.now (month_not_ended),
// an approved month (locked), a month with nothing in it (empty_month).
Result<RunResult> run(store::Database& reader, const WriteFn& write, const domain::Policy& policy,
                      const RunOptions& opts);

// Records an adjustment to be paid in `month` (not yet approved) correcting an earlier,
// approved month.
Result<std::int64_t> add_adjustment(store::WriteTx& tx, YearMonth month, const Adjustment& a, TimeMs now);
Result<std::vector<Adjustment>> list_adjustments(store::Database& db, YearMonth month);

// Whether a recorded run still says what its inputs give (SPEC §6, issue 20): the month
// recomputed now against the stored CSVs and the policy's digest. `changed` names what
// differs: "policy", "firms", "canteens".
struct Freshness {
  bool stale = false;
  std::vector<std::string> changed;
  TimeMs run_at = 0;
};
Result<Freshness> freshness(store::Database& reader, const domain::Policy& policy, YearMonth month);

// Approves a draft run and stamps its statement approved. The approver must differ from the
// user who ran it; with `expected_run_at`, a run replaced meanwhile is refused (stale).
Status approve(store::WriteTx& tx, YearMonth month, const std::string& approver, TimeMs now,
               const domain::Policy& policy, std::optional<TimeMs> expected_run_at = std::nullopt);

// The policy a month is settled under: the one recorded as in force that month, else
// `otherwise` (the policy the caller runs with). One rule for the CLI and the API.
Result<domain::Policy> policy_for_month(store::Database& db, YearMonth month, const domain::Policy& otherwise);

// An inspector's E, N and H scores (hundredths) of a firm for a month; refused once the
// month is approved (locked). Audited. False (nothing written, nothing audited) when the month
// already holds exactly these scores.
struct InspectionScores {
  std::int64_t enterprise_building = 0;
  std::int64_t service_norms = 0;
  std::int64_t staff_management = 0;
};
Result<bool> enter_inspection(store::WriteTx& tx, const std::string& firm_code, YearMonth month,
                              const InspectionScores& s, const domain::Actor& actor, TimeMs now);

Result<std::optional<RunInfo>> get_run(store::Database& db, YearMonth month);
Result<std::vector<RunInfo>> list_runs(store::Database& db);
// The stored documents of a run: "csv" (the firms'), "meals" (the canteens'), "html".
Result<std::optional<std::string>> run_document(store::Database& db, YearMonth month, const std::string& which);

}  // namespace vnh::settlement
