#include "settlement/settlement.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <unordered_map>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/policies.hpp"
#include "store/query.hpp"
#include "store/reference.hpp"

namespace vnh::settlement {
using namespace vnh::domain;
namespace fs = std::filesystem;

namespace {

struct ElderInfo {
  ElderCategory category = ElderCategory::kC;
  Date birth;
  std::uint32_t street = 0;  // index into the street codes
  bool known = false;
};

struct ItemInfo {
  std::string code;
  Fen price = 0;
  bool meal = false;
  Category category = Category::kLifeCare;
};

std::string fixed2(std::optional<std::int64_t> v) { return v ? format_fixed(*v, 2) : std::string(); }

Status load_elders(store::Database& db, std::vector<ElderInfo>& out, std::vector<std::string>& streets) {
  std::unordered_map<std::string, std::uint32_t> street_index;
  auto max_id = store::query_int(db.prepare("SELECT max(id) FROM elders"));
  if (!max_id.ok()) return max_id.status();
  out.assign(static_cast<size_t>(*max_id + 1), ElderInfo{});
  return store::for_each_row(
      db.prepare("SELECT id, category, birth_date, community_code FROM elders"), [&](store::Statement& st) -> Status {
        ElderInfo& e = out[static_cast<size_t>(st.int64(0))];
        e.category = parse_elder_category(st.text(1)).value_or(ElderCategory::kC);
        auto d = parse_date(st.text(2));
        if (!d.ok()) return internal(fmt::format("elder {} has a bad birth date", st.int64(0)));
        e.birth = *d;
        std::string street = st.text(3).substr(0, 9);
        auto [it, fresh] = street_index.emplace(street, static_cast<std::uint32_t>(streets.size()));
        if (fresh) streets.push_back(street);
        e.street = it->second;
        e.known = true;
        return Status::Ok();
      });
}

Status load_items(store::Database& db, std::unordered_map<std::int64_t, ItemInfo>& out) {
  return store::for_each_row(db.prepare("SELECT id, code, standard_price_fen, meal, category FROM catalog_items"),
                             [&](store::Statement& st) {
                               out[st.int64(0)] = ItemInfo{st.text(1), st.int64(2), st.int32(3) != 0,
                                                           parse_category(st.text(4)).value_or(Category::kLifeCare)};
                             });
}

std::string category_label(const std::string& c) {
  if (c == "life_care") return "生活照料 life care";
  if (c == "medical_care") return "医疗护理 medical care";
  if (c == "emotional_comfort") return "精神慰藉 emotional comfort";
  if (c == "emergency_aid") return "紧急援助 emergency aid";
  return c;
}

}  // namespace

Result<Settlement> compute(store::Database& db, const Policy& policy, YearMonth month, StatementSink* sink) {
  const TimeZone& tz = *policy.tz;
  const TimeMs from = tz.month_start(month);
  const TimeMs to = tz.month_start(month.next());
  Settlement s;
  s.month = month;
  s.policy_digest = policy.digest;
  s.time_zone = policy.time_zone_name;

  std::map<std::int64_t, FirmLine> firms;  // by firm id
  std::map<std::string, std::int64_t> firm_by_code;
  {
    auto all = store::query_all<FirmLine>(db.prepare("SELECT id, code, name FROM firms"), [](store::Statement& st) {
      FirmLine l;
      l.firm_id = st.int64(0);
      l.code = st.text(1);
      l.name = st.text(2);
      return l;
    });
    if (!all.ok()) return all.status();
    for (auto& l : *all) firms[l.firm_id] = l;
  }
  std::set<std::int64_t> included;

  std::vector<ElderInfo> elders;
  std::vector<std::string> street_codes;
  VNH_RETURN_IF_ERROR(load_elders(db, elders, street_codes));
  std::unordered_map<std::int64_t, ItemInfo> items;
  VNH_RETURN_IF_ERROR(load_items(db, items));

  // Uncleared exception types of the month's tickets, for the statements' reasons.
  std::unordered_map<std::int64_t, std::string> exception_types;
  if (sink) {
    auto st = db.prepare(
        "SELECT v.ticket_id, group_concat(v.type, '|') FROM visit_exceptions v JOIN tickets t ON t.id = v.ticket_id "
        "WHERE t.checkout_at >= ? AND t.checkout_at < ? AND v.status <> 'cleared' GROUP BY v.ticket_id");
    if (st.ok()) st->bind_all(from, to);
    VNH_RETURN_IF_ERROR(store::for_each_row(std::move(st), [&](store::Statement& r) {
      exception_types[r.int64(0)] = r.text(1);
    }));
  }

  std::vector<Breakdown> cat_totals(4), street_totals(street_codes.size());
  CreditLedger credit(policy.monthly_credit_fen);
  // Every ticket checked out in M, in check-out order, ties by ticket number (SPEC §6.2).
  auto st = db.prepare(
      "SELECT id, ticket_no, firm_id, state, checkout_at, checkin_at, window_start, window_end, held_exceptions, "
      "elder_id, item_id FROM tickets INDEXED BY tickets_checkout WHERE checkout_at >= ? AND checkout_at < ? "
      "AND state IN ('completed', 'disputed') ORDER BY checkout_at, ticket_no");
  if (!st.ok()) return st.status();
  st->bind_all(from, to);
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::int64_t ticket_id = st->int64(0);
    std::int64_t firm_id = st->int64(2);
    bool disputed = st->text(3) == "disputed";
    TimeMs checkout = st->int64(4);
    TimeMs checkin = st->int64(5);
    bool on_time = checkin >= st->int64(6) && checkin <= st->int64(7);
    bool held = st->int64(8) > 0;
    std::int64_t elder_id = st->int64(9);
    auto firm = firms.find(firm_id);
    auto item = items.find(st->int64(10));
    if (firm == firms.end() || item == items.end() || elder_id < 0 ||
        static_cast<size_t>(elder_id) >= elders.size() || !elders[static_cast<size_t>(elder_id)].known) {
      return internal(fmt::format("ticket {} refers to a missing firm, item or elder", st->text(1)));
    }
    const ElderInfo& elder = elders[static_cast<size_t>(elder_id)];
    FirmLine& line = firm->second;
    included.insert(firm_id);
    ++line.tickets_completed;
    ++line.quality.tickets;
    if (on_time) ++line.quality.on_time;
    if (!held) ++line.quality.verified;

    Date day = tz.local_date(checkout);
    bool eligible = !disputed && !held;
    Breakdown& bc = cat_totals[static_cast<size_t>(item->second.category)];
    Breakdown& bs = street_totals[elder.street];
    ++bc.tickets;
    ++bs.tickets;
    Share share;
    if (eligible) {
      TicketFacts facts{elder_id, elder.category, elder.birth, day, item->second.price, item->second.meal};
      share = government_share(facts, policy, credit);
      ++line.tickets_eligible;
      line.subsidy += share.government;
      line.copay += share.copay;
      ++bc.eligible;
      ++bs.eligible;
      bc.subsidy += share.government;
      bs.subsidy += share.government;
      bc.copay += share.copay;
      bs.copay += share.copay;
    }
    if (sink) {
      // The statement line, built only when someone reads it.
      StatementLine sl;
      sl.ticket_no = st->text(1);
      sl.checkout_at = checkout;
      sl.item_code = item->second.code;
      sl.elder_id = store::elder_public_id(elder_id);
      sl.elder_category = std::string(to_string(elder.category));
      sl.age = age_on(elder.birth, day);
      sl.standard_price = item->second.price;
      sl.eligible = eligible;
      if (eligible) {
        sl.subsidy = share.government;
        sl.copay = share.copay;
        sl.reason = share.rule;
      } else {
        std::string why;
        if (disputed) why = "excluded:disputed";
        if (held) {
          auto ex = exception_types.find(ticket_id);
          why += (why.empty() ? "" : ";") + std::string("excluded:visit_exception:") +
                 (ex == exception_types.end() ? "?" : ex->second);
        }
        sl.reason = why;
      }
      sink->line(line.code, sl);
    }
  }

  // Callbacks about the firms' tickets of M (reached ones carry a rating).
  {
    auto cb = db.prepare(
        "SELECT t.firm_id, sum(c.rating), count(*) FROM callbacks c JOIN tickets t ON t.id = c.ticket_id "
        "WHERE c.reached = 1 AND t.checkout_at >= ? AND t.checkout_at < ? AND t.state IN ('completed', 'disputed') "
        "GROUP BY t.firm_id");
    if (cb.ok()) cb->bind_all(from, to);
    VNH_RETURN_IF_ERROR(store::for_each_row(std::move(cb), [&](store::Statement& r) {
      auto it = firms.find(r.int64(0));
      if (it == firms.end()) return;
      it->second.quality.rating_sum = r.int64(1);
      it->second.quality.rating_count = r.int64(2);
    }));
  }
  // Complaints filed in M against the firms' tickets.
  {
    auto cp = db.prepare(
        "SELECT t.firm_id, count(*), sum(c.status = 'substantiated') FROM complaints c JOIN tickets t ON t.id = "
        "c.ticket_id WHERE c.filed_at >= ? AND c.filed_at < ? AND t.firm_id IS NOT NULL GROUP BY t.firm_id");
    if (cp.ok()) cp->bind_all(from, to);
    VNH_RETURN_IF_ERROR(store::for_each_row(std::move(cp), [&](store::Statement& r) {
      auto it = firms.find(r.int64(0));
      if (it == firms.end()) return;
      it->second.complaints_filed = r.int64(1);
      it->second.complaints_substantiated = r.int64(2);
      included.insert(it->first);
    }));
  }
  // Inspections of M.
  {
    auto in = db.prepare(
        "SELECT firm_id, enterprise_building, service_norms, staff_management FROM inspections WHERE month = ?");
    if (in.ok()) in->bind(1, month.to_string());
    VNH_RETURN_IF_ERROR(store::for_each_row(std::move(in), [&](store::Statement& r) {
      auto it = firms.find(r.int64(0));
      if (it == firms.end()) return;
      it->second.score_e = r.int64(1);
      it->second.score_n = r.int64(2);
      it->second.score_h = r.int64(3);
      included.insert(it->first);
    }));
  }

  std::vector<std::string> missing;
  for (auto id : included) {
    FirmLine& l = firms[id];
    l.score_q = quality_hundredths(l.quality, policy);
    l.deductions = l.complaints_substantiated * policy.complaint_deduction_fen;
    if (l.score_e) {
      l.score_total = total_hundredths(*l.score_e, *l.score_n, l.score_q, *l.score_h, policy);
      const ScoreBand& band = policy.band_for(*l.score_total);
      l.coefficient = band.coefficient;
      l.exit_review = band.exit_review;
      l.payout = payout_fen(l.subsidy, *l.coefficient, l.deductions);
    } else {
      if (l.tickets_eligible > 0) missing.push_back(fmt::format("{} {}", l.code, l.name));
      l.payout = 0;  // no eligible ticket: nothing to pay, whatever the score
    }
    s.lines.push_back(l);
  }
  if (!missing.empty()) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("missing inspector scores for {} (firms with eligible tickets): {}", month.to_string(),
                              fmt::join(missing, ", ")),
                  "inspections", "missing_inspections");
  }
  std::sort(s.lines.begin(), s.lines.end(), [](const FirmLine& a, const FirmLine& b) { return a.code < b.code; });
  auto adj = list_adjustments(db, month);
  if (!adj.ok()) return adj.status();
  s.adjustments = std::move(*adj);
  for (const auto& a : s.adjustments) s.adjustments_total += a.amount_fen;
  for (const auto& l : s.lines) {
    s.tickets_completed += l.tickets_completed;
    s.tickets_eligible += l.tickets_eligible;
    s.subsidy += l.subsidy;
    s.copay += l.copay;
    s.deductions += l.deductions;
    s.payout += l.payout;
  }
  for (size_t c = 0; c < cat_totals.size(); ++c) {
    if (cat_totals[c].tickets == 0) continue;
    Breakdown b = cat_totals[c];
    b.key = std::string(to_string(static_cast<Category>(c)));
    b.label = category_label(b.key);
    s.by_category.push_back(b);
  }
  {
    auto names = store::query_all<std::pair<std::string, std::string>>(
        db.prepare("SELECT code, name FROM areas WHERE level = 'street'"),
        [](store::Statement& r) { return std::make_pair(r.text(0), r.text(1)); });
    if (!names.ok()) return names.status();
    std::map<std::string, std::string> street_names(names->begin(), names->end());
    for (size_t i = 0; i < street_totals.size(); ++i) {
      if (street_totals[i].tickets == 0) continue;
      Breakdown b = street_totals[i];
      b.key = street_codes[i];
      auto n = street_names.find(b.key);
      b.label = n == street_names.end() ? b.key : n->second;
      s.by_street.push_back(b);
    }
    std::sort(s.by_street.begin(), s.by_street.end(), [](const Breakdown& a, const Breakdown& b) { return a.key < b.key; });
  }
  return s;
}

std::string render_csv(const Settlement& s) {
  std::string out;
  csv_append_row(out, {"firm_code", "firm_name", "tickets_completed", "tickets_eligible", "subsidy_fen", "copay_fen",
                       "score_e", "score_n", "score_q", "score_h", "score_total", "coefficient", "deductions_fen",
                       "payout_fen"});
  for (const auto& l : s.lines) {
    csv_append_row(out, {l.code, l.name, std::to_string(l.tickets_completed), std::to_string(l.tickets_eligible),
                         std::to_string(l.subsidy), std::to_string(l.copay), fixed2(l.score_e), fixed2(l.score_n),
                         format_fixed(l.score_q, 2), fixed2(l.score_h), fixed2(l.score_total), fixed2(l.coefficient),
                         std::to_string(l.deductions), std::to_string(l.payout)});
  }
  return out;
}

std::string statement_csv_header() {
  std::string out;
  csv_append_row(out, {"ticket_no", "checkout_at", "item_code", "elder_id", "elder_category", "age_on_checkout",
                       "standard_price_fen", "eligible", "reason", "subsidy_fen", "copay_fen"});
  return out;
}

std::string statement_csv_row(const StatementLine& l, const TimeZone& tz) {
  std::string out;
  csv_append_row(out, {l.ticket_no, format_time(l.checkout_at, tz), l.item_code, l.elder_id, l.elder_category,
                       std::to_string(l.age), std::to_string(l.standard_price), l.eligible ? "1" : "0", l.reason,
                       std::to_string(l.subsidy), std::to_string(l.copay)});
  return out;
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
  return boost::json::serialize(o);
}

}  // namespace

Result<std::optional<RunInfo>> get_run(store::Database& db, YearMonth month) {
  auto st = db.prepare(
      "SELECT month, status, policy_digest, run_by, run_at, approved_by, approved_at, totals FROM settlement_runs "
      "WHERE month = ?");
  if (st.ok()) st->bind(1, month.to_string());
  return store::query_one<RunInfo>(std::move(st), [](store::Statement& r) {
    return RunInfo{r.text(0), r.text(1), r.text(2), r.text(3), r.int64(4), r.opt_text(5), r.opt_int64(6), r.text(7)};
  });
}

Result<std::vector<RunInfo>> list_runs(store::Database& db) {
  return store::query_all<RunInfo>(
      db.prepare("SELECT month, status, policy_digest, run_by, run_at, approved_by, approved_at, totals FROM "
                 "settlement_runs ORDER BY month DESC"),
      [](store::Statement& r) {
        return RunInfo{r.text(0), r.text(1), r.text(2), r.text(3), r.int64(4), r.opt_text(5), r.opt_int64(6), r.text(7)};
      });
}

Result<std::optional<std::string>> run_document(store::Database& db, YearMonth month, const std::string& which) {
  auto st = db.prepare(which == "html" ? "SELECT html FROM settlement_runs WHERE month = ?"
                                       : "SELECT csv FROM settlement_runs WHERE month = ?");
  if (st.ok()) st->bind(1, month.to_string());
  return store::query_one<std::string>(std::move(st), [](store::Statement& r) { return r.blob(0); });
}

Result<RunResult> run(store::Database& reader, const WriteFn& write, const Policy& policy, const RunOptions& opts) {
  auto existing = get_run(reader, opts.month);
  if (!existing.ok()) return existing.status();
  if (*existing && (*existing)->status == "approved") {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} was approved by {} and is locked; corrections go into a later month as adjustments",
                              opts.month.to_string(), (*existing)->approved_by.value_or("?")),
                  "month", "locked");
  }
  RunResult out;
  std::string month = opts.month.to_string();
  std::unique_ptr<FileStatements> files;
  fs::path staging;
  if (!opts.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(opts.out_dir, ec);
    if (ec) return Status(Code::kUnavailable, fmt::format("cannot create {}: {}", opts.out_dir, ec.message()));
    staging = fs::path(opts.out_dir) / fmt::format(".settlement-{}.partial", month);
    fs::remove_all(staging, ec);
    fs::create_directories(staging / "statements", ec);
    if (ec) return Status(Code::kUnavailable, fmt::format("cannot create {}: {}", staging.string(), ec.message()));
    files = std::make_unique<FileStatements>(staging / "statements", month, *policy.tz);
  }
  auto cleanup = [&] {
    std::error_code ec;
    if (!staging.empty()) fs::remove_all(staging, ec);
  };
  auto s = compute(reader, policy, opts.month, files.get());
  if (!s.ok()) {
    files.reset();
    cleanup();
    return s.status();
  }
  out.settlement = std::move(*s);
  out.csv = render_csv(out.settlement);
  out.html = render_html(out.settlement);
  if (files) {
    Status st = files->close();
    if (st.ok()) st = write_file(staging / fmt::format("settlement-{}.csv", month), out.csv);
    if (st.ok()) st = write_file(staging / fmt::format("settlement-{}.html", month), out.html);
    if (!st.ok()) {
      cleanup();
      return st;
    }
  }
  Status recorded = write([&](store::WriteTx& tx) -> Status {
    auto& db = tx.db();
    VNH_RETURN_IF_ERROR(store::record_policy(db, policy, opts.now));
    auto again = get_run(db, opts.month);
    if (!again.ok()) return again.status();
    if (*again && (*again)->status == "approved") {
      return Status(Code::kFailedPrecondition, fmt::format("{} is approved and locked", month), "month", "locked");
    }
    auto del = db.prepare("DELETE FROM settlement_runs WHERE month = ?");
    if (!del.ok()) return del.status();
    VNH_RETURN_IF_ERROR(del->bind(1, month).run());
    auto ins = db.prepare(
        "INSERT INTO settlement_runs(month, status, policy_digest, run_by, run_at, csv, html, totals) "
        "VALUES (?, 'draft', ?, ?, ?, ?, ?, ?)");
    if (!ins.ok()) return ins.status();
    VNH_RETURN_IF_ERROR(ins->bind_all(month, policy.digest, opts.run_by, opts.now, store::Blob{out.csv},
                                      store::Blob{out.html}, totals_json(out.settlement))
                            .run());
    for (const auto& l : out.settlement.lines) {
      auto li = db.prepare(
          "INSERT INTO settlement_lines(month, firm_code, firm_name, tickets_completed, tickets_eligible, "
          "subsidy_fen, copay_fen, score_e, score_n, score_q, score_h, score_total, coefficient, deductions_fen, "
          "payout_fen, exit_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!li.ok()) return li.status();
      VNH_RETURN_IF_ERROR(li->bind_all(month, l.code, l.name, l.tickets_completed, l.tickets_eligible, l.subsidy,
                                       l.copay, l.score_e, l.score_n, l.score_q, l.score_h, l.score_total,
                                       l.coefficient.value_or(0), l.deductions, l.payout, l.exit_review ? 1 : 0)
                              .run());
    }
    return store::append_audit(db, opts.now,
                               {opts.run_by, "settlement.run", "settlement:" + month,
                                fmt::format("{{\"policy\":\"{}\",\"payout_fen\":{}}}", policy.digest,
                                            out.settlement.payout)});
  });
  if (!recorded.ok()) {
    cleanup();
    return recorded;
  }
  if (files) {
    // Publish: move the staged files into place (statements folder replaced whole).
    fs::path dir(opts.out_dir);
    std::error_code ec;
    fs::path stmt_dir = dir / fmt::format("statements-{}", month);
    fs::remove_all(stmt_dir, ec);
    fs::rename(staging / "statements", stmt_dir, ec);
    for (const char* ext : {"csv", "html"}) {
      std::string name = fmt::format("settlement-{}.{}", month, ext);
      if (!ec) fs::rename(staging / name, dir / name, ec);
      out.files.push_back(name);
    }
    if (ec) {
      cleanup();
      return Status(Code::kUnavailable, fmt::format("cannot publish the files in {}: {}", opts.out_dir, ec.message()));
    }
    for (const auto& n : files->names()) out.files.push_back(fmt::format("statements-{}/{}", month, n));
    cleanup();
  }
  return out;
}

Result<std::vector<Adjustment>> list_adjustments(store::Database& db, YearMonth month) {
  auto st = db.prepare(
      "SELECT id, firm_code, amount_fen, corrects_month, reason, created_by FROM settlement_adjustments "
      "WHERE month = ? ORDER BY firm_code, id");
  if (st.ok()) st->bind(1, month.to_string());
  return store::query_all<Adjustment>(std::move(st), [](store::Statement& r) {
    return Adjustment{r.int64(0), r.text(1), r.int64(2), r.text(3), r.text(4), r.text(5)};
  });
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
  if (*target && (*target)->status == "approved") {
    return Status(Code::kFailedPrecondition, month.to_string() + " is approved and locked", "month", "locked");
  }
  auto old = get_run(db, *corrected);
  if (!old.ok()) return old.status();
  if (!*old || (*old)->status != "approved") {
    return Status(Code::kFailedPrecondition,
                  a.corrects_month + " is not approved: re-run it instead of adjusting it", "corrects_month",
                  "not_approved");
  }
  auto firm = store::find_firm(db, a.firm_code);
  if (!firm.ok()) return firm.status();
  if (!*firm) return not_found("no firm " + a.firm_code, "firm_code");
  auto st = db.prepare(
      "INSERT INTO settlement_adjustments(month, firm_code, amount_fen, corrects_month, reason, created_by, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(month.to_string(), a.firm_code, a.amount_fen, a.corrects_month, a.reason,
                                   a.created_by, now)
                          .run());
  std::int64_t id = db.last_insert_rowid();
  VNH_RETURN_IF_ERROR(store::append_audit(
      db, now,
      {a.created_by, "settlement.adjust", "settlement:" + month.to_string(),
       fmt::format("{{\"firm\":\"{}\",\"amount_fen\":{},\"corrects\":\"{}\"}}", a.firm_code, a.amount_fen,
                   a.corrects_month)}));
  return id;
}

Status approve(store::WriteTx& tx, YearMonth month, const std::string& approver, TimeMs now) {
  auto& db = tx.db();
  auto r = get_run(db, month);
  if (!r.ok()) return r.status();
  if (!*r) return not_found(fmt::format("{} has not been settled", month.to_string()), "month");
  if ((*r)->status == "approved") {
    return Status(Code::kFailedPrecondition, fmt::format("{} is already approved", month.to_string()), "month",
                  "already_approved");
  }
  if ((*r)->run_by == approver) {
    return Status(Code::kPermissionDenied,
                  fmt::format("{} ran this settlement; another finance user must approve it", approver), "month",
                  "four_eyes");
  }
  auto st = db.prepare("UPDATE settlement_runs SET status = 'approved', approved_by = ?, approved_at = ? WHERE month = ?");
  if (!st.ok()) return st.status();
  VNH_RETURN_IF_ERROR(st->bind_all(approver, now, month.to_string()).run());
  return store::append_audit(db, now, {approver, "settlement.approve", "settlement:" + month.to_string(), "{}"});
}

}  // namespace vnh::settlement
