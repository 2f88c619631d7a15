#pragma once
// The monthly settlement batch (SPEC §5–§6): reads a month's tickets, callbacks, complaints
// and inspections, computes each firm's line with settlement/rules, and renders the CSV of
// §6, the printable HTML statement and per-ticket statements for each firm. compute() only
// reads; run() also writes the files (atomically: all or nothing) and records the run in the
// database, refusing months that are approved (locked). Single-threaded; the caller provides
// the connections.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "domain/policy.hpp"
#include "settlement/rules.hpp"
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
  Fen subsidy = 0;
  Fen copay = 0;
};

class StatementSink {
 public:
  virtual ~StatementSink() = default;
  virtual void line(const std::string& firm_code, const StatementLine& l) = 0;
};

// A correction of an approved month, paid (or recovered) in a later month. Approved months are
// never edited; the correction is its own entry, shown in the later month's statement.
struct Adjustment {
  std::int64_t id = 0;
  std::string firm_code;
  Fen amount_fen = 0;  // positive: paid to the firm; negative: recovered
  std::string corrects_month;
  std::string reason;
  std::string created_by;
};

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
};

// Computes the settlement. Fails with kFailedPrecondition naming every firm with eligible
// tickets and no inspection scores.
Result<Settlement> compute(store::Database& db, const domain::Policy& policy, YearMonth month,
                           StatementSink* sink = nullptr);

std::string render_csv(const Settlement& s);
std::string render_html(const Settlement& s);
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
  std::string html;
  std::vector<std::string> files;  // written, relative to out_dir
};

// compute + render + write files + record the run (status draft). An approved month is
// refused (kFailedPrecondition, reason "locked") before anything is computed.
Result<RunResult> run(store::Database& reader, const WriteFn& write, const domain::Policy& policy,
                      const RunOptions& opts);

// Records an adjustment to be paid in `month` (not yet approved) correcting an earlier,
// approved month.
Result<std::int64_t> add_adjustment(store::WriteTx& tx, YearMonth month, const Adjustment& a, TimeMs now);
Result<std::vector<Adjustment>> list_adjustments(store::Database& db, YearMonth month);

// Approves a draft run. The approver must differ from the user who ran it.
Status approve(store::WriteTx& tx, YearMonth month, const std::string& approver, TimeMs now);

struct RunInfo {
  std::string month;
  std::string status;
  std::string policy_digest;
  std::string run_by;
  TimeMs run_at = 0;
  std::optional<std::string> approved_by;
  std::optional<TimeMs> approved_at;
  std::string totals;  // JSON
};
Result<std::optional<RunInfo>> get_run(store::Database& db, YearMonth month);
Result<std::vector<RunInfo>> list_runs(store::Database& db);
// The stored CSV or HTML of a run ("csv" / "html").
Result<std::optional<std::string>> run_document(store::Database& db, YearMonth month, const std::string& which);

}  // namespace vnh::settlement
