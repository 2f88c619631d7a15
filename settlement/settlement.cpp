#include "settlement/settlement.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "common/text.hpp"
#include "store/audit.hpp"
#include "store/policies.hpp"

namespace vnh::settlement {
using namespace vnh::domain;
namespace fs = std::filesystem;

Result<MonthInputs> load_inputs(store::Database& db, const Policy& policy, YearMonth month, bool with_statements) {
  const TimeZone& tz = *policy.tz;
  const TimeMs from = tz.month_start(month);
  const TimeMs to = tz.month_start(month.next());
  MonthInputs in;
  VNH_ASSIGN_OR_RETURN(in.firms, store::list_firms(db));
  VNH_ASSIGN_OR_RETURN(in.elders, store::settlement_elders(db));
  VNH_ASSIGN_OR_RETURN(in.items, store::list_items(db));
  VNH_ASSIGN_OR_RETURN(in.ratings, store::callback_ratings_by_firm(db, from, to));
  VNH_ASSIGN_OR_RETURN(in.complaints, store::complaints_by_firm(db, from, to));
  VNH_ASSIGN_OR_RETURN(in.inspections, store::list_inspections(db, month.to_string()));
  VNH_ASSIGN_OR_RETURN(in.areas, store::list_areas(db));
  VNH_ASSIGN_OR_RETURN(in.adjustments, store::list_adjustments(db, month.to_string()));
  VNH_ASSIGN_OR_RETURN(in.canteens, store::list_canteens(db));
  if (with_statements) {
    VNH_ASSIGN_OR_RETURN(in.exception_types, store::uncleared_exception_types(db, from, to));
  }
  return in;
}

TicketFeed month_tickets(store::Database& db, const Policy& policy, YearMonth month, bool with_numbers) {
  const TimeMs from = policy.tz->month_start(month);
  const TimeMs to = policy.tz->month_start(month.next());
  return [&db, from, to, with_numbers](const std::function<Status(const store::SettledTicket&)>& fn) {
    return store::for_each_settled_ticket(db, from, to, with_numbers, fn);
  };
}

MealFeed month_meals(store::Database& db, const Policy& policy, YearMonth month) {
  const TimeMs from = policy.tz->month_start(month);
  const TimeMs to = policy.tz->month_start(month.next());
  return [&db, from, to](const std::function<Status(const store::SettledMeal&)>& fn) {
    return store::for_each_meal(db, from, to, fn);
  };
}

Result<std::vector<FirmLine>> league(store::Database& db, const Policy& policy, YearMonth month) {
  const TimeZone& tz = *policy.tz;
  const TimeMs from = tz.month_start(month);
  const TimeMs to = tz.month_start(month.next());
  MonthInputs in;
  VNH_ASSIGN_OR_RETURN(in.firms, store::list_firms(db));
  VNH_ASSIGN_OR_RETURN(in.ratings, store::callback_ratings_by_firm(db, from, to));
  VNH_ASSIGN_OR_RETURN(in.complaints, store::complaints_by_firm(db, from, to));
  VNH_ASSIGN_OR_RETURN(in.inspections, store::list_inspections(db, month.to_string()));
  return league(in, month_tickets(db, policy, month, false), policy);
}

Result<Settlement> compute(store::Database& db, const Policy& policy, YearMonth month, StatementSink* sink) {
  auto in = load_inputs(db, policy, month, sink != nullptr);
  if (!in.ok()) return in.status();
  return compute(*in, month_meals(db, policy, month), month_tickets(db, policy, month, sink != nullptr), policy, month,
                 sink);
}

namespace {

// Writes each firm's statement to its own file in a staging folder.
class FileStatements final : public StatementSink {
 public:
  FileStatements(fs::path dir, std::string month, const TimeZone& tz)
      : dir_(std::move(dir)), month_(std::move(month)), tz_(tz) {}
  void line(const std::string& firm, const StatementLine& l) override {
    auto& f = files_[firm];
    if (!f) {
      auto path = dir_ / fmt::format("statement-{}-{}.csv", month_, firm);
      f = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
      *f << statement_csv_header();
      names_.push_back(path.filename().string());
    }
    *f << statement_csv_row(l, tz_);
  }
  void meal(const std::string& canteen, const MealStatementLine& l) override {
    auto& f = files_["meals:" + canteen];
    if (!f) {
      auto path = dir_ / fmt::format("meals-statement-{}-{}.csv", month_, canteen);
      f = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
      *f << meal_statement_csv_header();
      names_.push_back(path.filename().string());
    }
    *f << meal_statement_csv_row(l, tz_);
  }
  Status close() {
    for (auto& [k, f] : files_) {
      f->close();
      if (!*f) return Status(Code::kUnavailable, fmt::format("cannot write the statement of {}", k));
    }
    return Status::Ok();
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  fs::path dir_;
  std::string month_;
  const TimeZone& tz_;
  std::map<std::string, std::unique_ptr<std::ofstream>> files_;
  std::vector<std::string> names_;
};

Status write_file(const fs::path& p, const std::string& data) {
  std::ofstream o(p, std::ios::binary | std::ios::trunc);
  o << data;
  o.close();
  if (!o) return Status(Code::kUnavailable, fmt::format("cannot write {}", p.string()));
  return Status::Ok();
}

std::string totals_json(const Settlement& s) {
  boost::json::object o;
  o["firms"] = s.lines.size();
  o["tickets_completed"] = s.tickets_completed;
  o["tickets_eligible"] = s.tickets_eligible;
  o["subsidy_fen"] = s.subsidy;
  o["copay_fen"] = s.copay;
  o["deductions_fen"] = s.deductions;
  o["payout_fen"] = s.payout;
  o["adjustments_fen"] = s.adjustments_total;
  o["canteens"] = s.canteens.size();
  o["meals_served"] = s.meals_served;
  o["meals_subsidised"] = s.meals_subsidised;
  o["meals_excluded"] = s.meals_excluded;
  o["meals_government_fen"] = s.meals_government;
  o["meals_payout_fen"] = s.meals_payout;
  return boost::json::serialize(o);
}

std::vector<store::SettlementLineRow> line_rows(const Settlement& s) {
  std::vector<store::SettlementLineRow> rows;
  rows.reserve(s.lines.size());
  for (const auto& l : s.lines) {
    rows.push_back({l.code, l.name, l.tickets_completed, l.tickets_eligible, l.subsidy, l.copay, l.score_e, l.score_n,
                    l.score_q, l.score_h, l.score_total, l.coefficient.value_or(0), l.deductions, l.payout,
                    l.exit_review});
  }
  return rows;
}

}  // namespace

Result<std::optional<RunInfo>> get_run(store::Database& db, YearMonth month) {
  return store::get_settlement_run(db, month.to_string());
}

Result<std::vector<RunInfo>> list_runs(store::Database& db) { return store::list_settlement_runs(db); }

Result<std::optional<std::string>> run_document(store::Database& db, YearMonth month, const std::string& which) {
  return store::settlement_document(db, month.to_string(),
                                    which == "html"    ? store::SettlementDocument::kHtml
                                    : which == "meals" ? store::SettlementDocument::kMeals
                                                       : store::SettlementDocument::kCsv);
}

namespace {

// The run's files, written into a hidden folder beside their place and moved there only once
// the run is recorded: all or nothing. The folder is removed whatever happens.
class Staging {
 public:
  Staging(std::string out_dir, std::string month) : dir_(std::move(out_dir)), month_(std::move(month)) {}
  ~Staging() {
    std::error_code ec;
    if (!staging_.empty()) fs::remove_all(staging_, ec);
  }
  Status open(const TimeZone& tz) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return Status(Code::kUnavailable, fmt::format("cannot create {}: {}", dir_.string(), ec.message()));
    staging_ = dir_ / fmt::format(".settlement-{}.partial", month_);
    fs::remove_all(staging_, ec);
    fs::create_directories(staging_ / "statements", ec);
    if (ec) return Status(Code::kUnavailable, fmt::format("cannot create {}: {}", staging_.string(), ec.message()));
    statements_ = std::make_unique<FileStatements>(staging_ / "statements", month_, tz);
    return Status::Ok();
  }
  StatementSink* statements() { return statements_.get(); }
  Status write(const RunResult& r) {
    VNH_RETURN_IF_ERROR(statements_->close());
    VNH_RETURN_IF_ERROR(write_file(staging_ / fmt::format("settlement-{}.csv", month_), r.csv));
    VNH_RETURN_IF_ERROR(write_file(staging_ / fmt::format("meals-{}.csv", month_), r.meals_csv));
    return write_file(staging_ / fmt::format("settlement-{}.html", month_), r.html);
  }
  // Moves the staged files into place (the statements folder replaced whole).
  Status publish(std::vector<std::string>& files) {
    std::error_code ec;
    fs::path stmt_dir = dir_ / fmt::format("statements-{}", month_);
    fs::remove_all(stmt_dir, ec);
    fs::rename(staging_ / "statements", stmt_dir, ec);
    for (const char* pattern : {"settlement-{}.csv", "meals-{}.csv", "settlement-{}.html"}) {
      std::string name = fmt::format(fmt::runtime(pattern), month_);
      if (!ec) fs::rename(staging_ / name, dir_ / name, ec);
      files.push_back(name);
    }
    if (ec) return Status(Code::kUnavailable, fmt::format("cannot publish the files in {}: {}", dir_.string(), ec.message()));
    for (const auto& n : statements_->names()) files.push_back(fmt::format("statements-{}/{}", month_, n));
    return Status::Ok();
  }

 private:
  fs::path dir_;
  std::string month_;
  fs::path staging_;
  std::unique_ptr<FileStatements> statements_;
};

Status refuse_if_locked(store::Database& db, YearMonth month) {
  auto existing = get_run(db, month);
  if (!existing.ok()) return existing.status();
  if (*existing && (*existing)->status == RunStatus::kApproved) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} was approved by {} and is locked; corrections go into a later month as adjustments",
                              month.to_string(), (*existing)->approved_by.value_or("?")),
                  "month", reason::kLocked);
  }
  return Status::Ok();
}

// Records the run as the month's draft (replacing an earlier draft), with the policy it used.
Status record_run(store::WriteTx& tx, const Policy& policy, const RunOptions& opts, const RunResult& out) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(store::record_policy(db, policy, opts.now));
  VNH_RETURN_IF_ERROR(refuse_if_locked(db, opts.month));
  RunInfo info;
  info.month = opts.month.to_string();
  info.policy_digest = policy.digest;
  info.run_by = opts.run_by;
  info.run_at = opts.now;
  info.totals = totals_json(out.settlement);
  VNH_RETURN_IF_ERROR(
      store::replace_settlement_run(db, info, out.csv, out.meals_csv, out.html, line_rows(out.settlement)));
  return store::append_audit(db, opts.now,
                             {opts.run_by, "settlement.run", "settlement:" + info.month,
                              fmt::format("{{\"policy\":\"{}\",\"payout_fen\":{}}}", policy.digest,
                                          out.settlement.payout)});
}

}  // namespace

StatementMeta meta_of(const Policy& policy, const RunInfo& r) {
  return StatementMeta{policy.statement_office, policy.effective_from.to_string(), r.run_by, r.run_at,
                       r.approved_by, r.approved_at, policy.tz};
}

Status refuse_unended(const Policy& policy, YearMonth month, TimeMs now) {
  if (!(month < policy.tz->local_month(now))) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} has not ended (it is {} now in {}): a month is settled once it is over",
                              month.to_string(), policy.tz->local_month(now).to_string(), policy.time_zone_name),
                  "month", reason::kMonthNotEnded);
  }
  return Status::Ok();
}

Result<RunResult> run(store::Database& reader, const WriteFn& write, const Policy& policy, const RunOptions& opts) {
  VNH_RETURN_IF_ERROR(refuse_unended(policy, opts.month, opts.now));
  VNH_RETURN_IF_ERROR(refuse_if_locked(reader, opts.month));
  std::optional<Staging> staging;
  if (!opts.out_dir.empty()) {
    staging.emplace(opts.out_dir, opts.month.to_string());
    VNH_RETURN_IF_ERROR(staging->open(*policy.tz));
  }
  RunResult out;
  VNH_ASSIGN_OR_RETURN(out.settlement, compute(reader, policy, opts.month, staging ? staging->statements() : nullptr));
  const Settlement& st = out.settlement;
  if (st.lines.empty() && st.canteens.empty() && st.adjustments.empty()) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} has no ticket, meal, complaint, inspection or adjustment: there is nothing to settle",
                              opts.month.to_string()),
                  "month", reason::kEmptyMonth);
  }
  out.csv = render_csv(st);
  out.meals_csv = render_meals_csv(st);
  RunInfo info;
  info.run_by = opts.run_by;
  info.run_at = opts.now;
  out.html = render_html(st, meta_of(policy, info));
  if (staging) VNH_RETURN_IF_ERROR(staging->write(out));
  VNH_RETURN_IF_ERROR(write([&](store::WriteTx& tx) { return record_run(tx, policy, opts, out); }));
  if (staging) VNH_RETURN_IF_ERROR(staging->publish(out.files));
  return out;
}

Result<std::vector<Adjustment>> list_adjustments(store::Database& db, YearMonth month) {
  return store::list_adjustments(db, month.to_string());
}

Result<std::int64_t> add_adjustment(store::WriteTx& tx, YearMonth month, const Adjustment& a, TimeMs now) {
  auto& db = tx.db();
  auto corrected = parse_year_month(a.corrects_month);
  if (!corrected.ok()) return invalid("corrects_month", corrected.status().message());
  if (!(*corrected < month)) return invalid("corrects_month", "must be a month before " + month.to_string());
  if (a.amount_fen == 0) return invalid("amount_fen", "must not be zero");
  if (a.reason.empty()) return invalid("reason", "is required");
  auto target = get_run(db, month);
  if (!target.ok()) return target.status();
  if (*target && (*target)->status == RunStatus::kApproved) {
    return Status(Code::kFailedPrecondition, month.to_string() + " is approved and locked", "month", reason::kLocked);
  }
  auto old = get_run(db, *corrected);
  if (!old.ok()) return old.status();
  if (!*old || (*old)->status != RunStatus::kApproved) {
    return Status(Code::kFailedPrecondition,
                  a.corrects_month + " is not approved: re-run it instead of adjusting it", "corrects_month",
                  reason::kNotApproved);
  }
  if (a.payee == "canteen") {
    VNH_ASSIGN_OR_RETURN(auto canteen, store::find_canteen(db, a.firm_code));
    if (!canteen) return not_found("no canteen " + a.firm_code, "canteen_code");
  } else {
    auto firm = store::find_firm(db, a.firm_code);
    if (!firm.ok()) return firm.status();
    if (!*firm) return not_found("no firm " + a.firm_code, "firm_code");
  }
  auto id = store::insert_adjustment(db, month.to_string(), a, now);
  if (!id.ok()) return id.status();
  VNH_RETURN_IF_ERROR(store::append_audit(
      db, now,
      {a.created_by, "settlement.adjust", "settlement:" + month.to_string(),
       fmt::format("{{\"{}\":\"{}\",\"amount_fen\":{},\"corrects\":\"{}\"}}", a.payee, a.firm_code, a.amount_fen,
                   a.corrects_month)}));
  return id;
}

Result<Freshness> freshness(store::Database& reader, const Policy& policy, YearMonth month) {
  Freshness f;
  VNH_ASSIGN_OR_RETURN(auto run, get_run(reader, month));
  if (!run) return not_found(fmt::format("{} has not been settled", month.to_string()), "month");
  f.run_at = run->run_at;
  if (run->policy_digest != policy.digest) f.changed.push_back("policy");
  VNH_ASSIGN_OR_RETURN(auto now, compute(reader, policy, month));
  VNH_ASSIGN_OR_RETURN(auto csv, run_document(reader, month, "csv"));
  VNH_ASSIGN_OR_RETURN(auto meals, run_document(reader, month, "meals"));
  if (!csv || *csv != render_csv(now)) f.changed.push_back("firms");
  if (!meals || *meals != render_meals_csv(now)) f.changed.push_back("canteens");
  f.stale = !f.changed.empty();
  return f;
}

Status approve(store::WriteTx& tx, YearMonth month, const std::string& approver, TimeMs now, const Policy& policy,
               std::optional<TimeMs> expected_run_at) {
  auto& db = tx.db();
  auto r = get_run(db, month);
  if (!r.ok()) return r.status();
  if (!*r) return not_found(fmt::format("{} has not been settled", month.to_string()), "month");
  if (expected_run_at && (*r)->run_at != *expected_run_at) {
    return Status(Code::kFailedPrecondition, fmt::format("{} was re-run meanwhile: review the new run", month.to_string()),
                  "month", reason::kStale);
  }
  if ((*r)->status == RunStatus::kApproved) {
    return Status(Code::kFailedPrecondition, fmt::format("{} is already approved", month.to_string()), "month",
                  reason::kAlreadyApproved);
  }
  if ((*r)->run_by == approver) {
    return Status(Code::kPermissionDenied,
                  fmt::format("{} ran this settlement; another finance user must approve it", approver), "month",
                  reason::kFourEyes);
  }
  VNH_RETURN_IF_ERROR(store::approve_settlement_run(db, month.to_string(), approver, now));
  // The statement now says who approved it and when: its status and signature blocks are
  // rewritten, the rest of its bytes stay as the run made them.
  VNH_ASSIGN_OR_RETURN(auto html, run_document(db, month, "html"));
  if (html) {
    RunInfo approved = **r;
    approved.approved_by = approver;
    approved.approved_at = now;
    VNH_ASSIGN_OR_RETURN(auto stamped, restamp_html(*html, meta_of(policy, approved)));
    VNH_RETURN_IF_ERROR(store::set_settlement_html(db, month.to_string(), stamped));
  }
  return store::append_audit(db, now, {approver, "settlement.approve", "settlement:" + month.to_string(), "{}"});
}

Result<domain::Policy> policy_for_month(store::Database& db, YearMonth month, const domain::Policy& otherwise) {
  auto stored = store::policy_for_month(db, month);
  if (!stored.ok()) return stored.status();
  if (!*stored || (*stored)->digest == otherwise.digest) return otherwise;
  return domain::load_policy((*stored)->body, (*stored)->source);
}

Result<bool> enter_inspection(store::WriteTx& tx, const std::string& firm_code, YearMonth month,
                              const InspectionScores& s, const domain::Actor& actor, TimeMs now) {
  auto& db = tx.db();
  auto f = store::find_firm(db, firm_code);
  if (!f.ok()) return f.status();
  if (!*f) return not_found("no firm " + firm_code, "firm_code");
  auto run = get_run(db, month);
  if (!run.ok()) return run.status();
  if (*run && (*run)->status == RunStatus::kApproved) {
    return Status(Code::kFailedPrecondition, month.to_string() + " is settled and approved; scores are locked",
                  "month", reason::kLocked);
  }
  VNH_ASSIGN_OR_RETURN(auto old, store::get_inspection(db, (*f)->id, month.to_string()));
  if (old && old->enterprise_building == s.enterprise_building && old->service_norms == s.service_norms &&
      old->staff_management == s.staff_management) {
    return false;
  }
  VNH_RETURN_IF_ERROR(store::put_inspection(
      db, {(*f)->id, month.to_string(), s.enterprise_building, s.service_norms, s.staff_management, actor.name, now},
      true));
  boost::json::object detail{{"month", month.to_string()},
                             {"enterprise_building", format_fixed(s.enterprise_building, 2)},
                             {"service_norms", format_fixed(s.service_norms, 2)},
                             {"staff_management", format_fixed(s.staff_management, 2)}};
  VNH_RETURN_IF_ERROR(
      store::append_audit(db, now, {actor.name, "inspection.enter", "firm:" + firm_code, boost::json::serialize(detail)}));
  return true;
}

}  // namespace vnh::settlement
