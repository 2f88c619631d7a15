// Settlements: run a month (on the blocking pool: a long read, recorded through the Writer),
// list and read runs, adjust and approve, the CSV and HTML documents, a firm's statement.
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/text.hpp"
#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "hotline/views.hpp"
#include "settlement/recoveries.hpp"
#include "settlement/settlement.hpp"
#include "store/meals.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

json::object run_json(const settlement::RunInfo& r, const TimeZone& tz) {
  boost::system::error_code ec;
  auto totals = json::parse(r.totals, ec);
  json::object o{{"month", r.month},
                 {"status", std::string(domain::to_string(r.status))},
                 {"policy_digest", r.policy_digest},
                 {"run_by", r.run_by},
                 {"run_at", format_time(r.run_at, tz)},
                 {"totals", ec ? json::value(json::object()) : totals}};
  o["approved_by"] = r.approved_by ? json::value(*r.approved_by) : json::value(nullptr);
  o["approved_at"] = time_or_null(r.approved_at, tz);
  return o;
}

json::object adjustment_json(const settlement::Adjustment& a) {
  return json::object{{"adjustment_id", a.id},         {"firm_code", a.firm_code}, {"amount_fen", a.amount_fen},
                      {"corrects_month", a.corrects_month}, {"reason", a.reason},   {"created_by", a.created_by},
                      {"payee", a.payee}};
}

// A month's list of money rows (adjustments, recoveries) with their total.
template <typename Rows, typename ToJson>
net::Response month_list(YearMonth month, const char* key, const Rows& rows, ToJson to_json) {
  json::array a;
  std::int64_t total = 0;
  for (const auto& r : rows) {
    total += r.amount_fen;
    a.push_back(to_json(r));
  }
  return json_response(200, json::object{{"month", month.to_string()}, {key, std::move(a)}, {"total_fen", total}});
}

// GET /api/v1/settlements/{month}/adjustments — the corrections paid (or recovered) in a month,
// before its run as well as after.
void list_month_adjustments(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto month, month_param(call.req));
    VNH_ASSIGN_OR_RETURN(auto list, settlement::list_adjustments(db, month));
    return month_list(month, "adjustments", list, adjustment_json);
  });
}

json::array lines_json(const std::vector<store::SettlementLineRow>& lines) {
  auto fixed = [](const std::optional<std::int64_t>& v) {
    return v ? json::value(format_fixed(*v, 2)) : json::value(nullptr);
  };
  json::array a;
  for (const auto& l : lines) {
    a.push_back(json::object{{"firm_code", l.firm_code},       {"firm_name", l.firm_name},
                             {"tickets_completed", l.tickets_completed}, {"tickets_eligible", l.tickets_eligible},
                             {"subsidy_fen", l.subsidy_fen},   {"copay_fen", l.copay_fen},
                             {"score_e", fixed(l.score_e)},    {"score_n", fixed(l.score_n)},
                             {"score_q", fixed(l.score_q)},    {"score_h", fixed(l.score_h)},
                             {"score_total", fixed(l.score_total)}, {"coefficient", fixed(l.coefficient)},
                             {"deductions_fen", l.deductions_fen}, {"payout_fen", l.payout_fen},
                             {"exit_review", l.exit_review}});
  }
  return a;
}

// The run of `month` with its lines (and, with `adjustments`, the adjustments paid in it).
Result<json::object> run_with_lines(store::Database& db, const TimeZone& tz, YearMonth month, bool adjustments) {
  VNH_ASSIGN_OR_RETURN(auto info, settlement::get_run(db, month));
  if (!info) return not_found(month.to_string() + " has not been settled", "month");
  auto o = run_json(*info, tz);
  VNH_ASSIGN_OR_RETURN(auto lines, store::list_settlement_lines(db, month.to_string()));
  o["lines"] = lines_json(lines);
  if (adjustments) {
    VNH_ASSIGN_OR_RETURN(auto list, settlement::list_adjustments(db, month));
    json::array adj;
    for (const auto& a : list) adj.push_back(adjustment_json(a));
    o["adjustments"] = std::move(adj);
  }
  return o;
}

// Runs the month under the policy in force then (SPEC §6) and answers with the new draft.
void run_month(Api& api, YearMonth month, const Principal& who, const net::Respond& respond) {
  const auto& c = api.ctx();
  auto db = c.store.read();
  if (!db.ok()) return respond(error_response(db.status()));
  auto policy = settlement::policy_for_month(**db, month, c.policy);
  if (!policy.ok()) return respond(error_response(policy.status()));
  settlement::RunOptions opts{month, "", who.username, c.clock.now_ms()};
  auto run = settlement::run(
      **db, [&c](const auto& w) { return c.store.writer().run(w); }, *policy, opts);
  if (!run.ok()) return respond(error_response(run.status()));
  if (c.firms_changed) c.firms_changed();
  db->refresh();  // read back what the writer just committed
  auto o = run_with_lines(**db, *c.policy.tz, month, false);
  if (!o.ok()) return respond(error_response(internal("settlement vanished")));
  respond(json_response(201, *o));
}

void start_run(Api& api, Api::Call&& call) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  boost::asio::post(api.ctx().blocking, [&api, month = *month, who = call.who, respond = std::move(call.respond)] {
    run_month(api, month, who, respond);
  });
}

void list_runs(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto runs, settlement::list_runs(db));
    json::array a;
    for (const auto& r : runs) a.push_back(run_json(r, *api.ctx().policy.tz));
    return json_response(200, json::object{{"settlements", std::move(a)}});
  });
}

void get_run(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto month, month_param(call.req));
    VNH_ASSIGN_OR_RETURN(auto o, run_with_lines(db, *api.ctx().policy.tz, month, true));
    return json_response(200, o);
  });
}

void add_adjustment(Api& api, Api::Call&& call) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto firm = req_string(*body, "firm_code", 32);
  auto amount = opt_int(*body, "amount_fen");
  auto corrects = req_string(*body, "corrects_month", 7);
  auto reason = req_string(*body, "reason", 500);
  for (const Status* s : {&firm.status(), &amount.status(), &corrects.status(), &reason.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  if (!*amount) return call.respond(error_response(invalid("amount_fen", "is required (integer fen)")));
  auto payee = opt_string(*body, "payee", 16);
  if (!payee.ok()) return call.respond(error_response(payee.status()));
  if (*payee && **payee != "firm" && **payee != "canteen") {
    return call.respond(error_response(invalid("payee", "must be firm or canteen")));
  }
  settlement::Adjustment a{0, *firm, **amount, *corrects, *reason, call.who.username, payee->value_or("firm")};
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, month = *month, a](store::WriteTx& tx) {
        return settlement::add_adjustment(tx, month, a, api.ctx().clock.now_ms());
      },
      [month = *month, a](store::Database&, std::int64_t& id) -> Result<net::Response> {
        // Adjustments are never edited: the committed entry is what was sent, with its id.
        auto entry = a;
        entry.id = id;
        auto o = adjustment_json(entry);
        o["month"] = month.to_string();
        return json_response(201, o);
      });
}

// Freshness (on the blocking pool: it recomputes the month) and then the approval in the
// Writer, which refuses a run replaced since. With "confirm_payout_fen" in the body (what the
// approver was shown), a run whose total is something else is refused.
void approve_run(Api& api, Api::Call&& call) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto confirm = opt_int(*body, "confirm_payout_fen");
  if (!confirm.ok()) return call.respond(error_response(confirm.status()));
  boost::asio::post(api.ctx().blocking, [&api, month = *month, who = call.who, confirm = *confirm,
                                         respond = std::move(call.respond)]() mutable {
    const auto& c = api.ctx();
    auto db = c.store.read();
    if (!db.ok()) return respond(error_response(db.status()));
    auto policy = settlement::policy_for_month(**db, month, c.policy);
    if (!policy.ok()) return respond(error_response(policy.status()));
    auto fresh = settlement::freshness(**db, *policy, month);
    if (!fresh.ok()) return respond(error_response(fresh.status()));
    if (fresh->stale) {
      return respond(error_response(Status(
          Code::kFailedPrecondition,
          fmt::format("{} changed since it was run ({}): re-run it before approving", month.to_string(),
                      fmt::join(fresh->changed, ", ")),
          "month", reason::kStale)));
    }
    if (confirm) {
      auto run = settlement::get_run(**db, month);
      if (!run.ok()) return respond(error_response(run.status()));
      auto totals = json::parse((*run)->totals).as_object();
      std::int64_t total = totals["payout_fen"].to_number<std::int64_t>() + totals["meals_payout_fen"].to_number<std::int64_t>() +
                           totals["adjustments_fen"].to_number<std::int64_t>();
      if (total != *confirm) {
        return respond(error_response(Status(Code::kFailedPrecondition,
                                             fmt::format("the run's total is {} fen, not the {} fen confirmed", total, *confirm),
                                             "confirm_payout_fen", reason::kStale)));
      }
    }
    api.write<YearMonth>(
        std::move(respond),
        [&api, month, who, policy = *policy, run_at = fresh->run_at](store::WriteTx& tx) -> Result<YearMonth> {
          VNH_RETURN_IF_ERROR(settlement::approve(tx, month, who.username, api.ctx().clock.now_ms(), policy, run_at));
          return month;
        },
        [&api](store::Database& db, YearMonth& m) -> Result<net::Response> {
          VNH_ASSIGN_OR_RETURN(auto info, settlement::get_run(db, m));
          if (!info) return internal("approved run vanished");
          return json_response(200, run_json(*info, *api.ctx().policy.tz));
        });
  });
}

// GET /api/v1/settlements/{month}/freshness — whether the run still matches its inputs.
void run_freshness(Api& api, Api::Call&& call) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  boost::asio::post(api.ctx().blocking, [&api, month = *month, respond = std::move(call.respond)] {
    api.read(respond, [&](store::Database& db) -> Result<net::Response> {
      VNH_ASSIGN_OR_RETURN(auto policy, settlement::policy_for_month(db, month, api.ctx().policy));
      VNH_ASSIGN_OR_RETURN(auto f, settlement::freshness(db, policy, month));
      json::array changed;
      for (const auto& x : f.changed) changed.push_back(json::value(x));
      return json_response(200, json::object{{"month", month.to_string()}, {"stale", f.stale}, {"changed", std::move(changed)}});
    });
  });
}

void document(Api& api, Api::Call&& call, const std::string& kind) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto month, month_param(call.req));
    VNH_ASSIGN_OR_RETURN(auto doc, settlement::run_document(db, month, kind));
    if (!doc) return not_found(month.to_string() + " has not been settled", "month");
    net::Response res;
    res.content_type = kind == "html" ? "text/html; charset=utf-8" : "text/csv; charset=utf-8";
    res.body = std::move(*doc);
    res.headers.emplace_back(
        "Content-Disposition",
        kind == "meals" ? fmt::format("attachment; filename=\"meals-{}.csv\"", month.to_string())
                        : fmt::format("{}; filename=\"settlement-{}.{}\"", kind == "csv" ? "attachment" : "inline",
                                      month.to_string(), kind));
    return res;
  });
}
void csv_document(Api& api, Api::Call&& call) { document(api, std::move(call), "csv"); }
void meals_document(Api& api, Api::Call&& call) { document(api, std::move(call), "meals"); }
void html_document(Api& api, Api::Call&& call) { document(api, std::move(call), "html"); }

// Collects one firm's (or one canteen's) statement lines during a compute.
class CollectStatement final : public settlement::StatementSink {
 public:
  CollectStatement(std::string code, bool canteen, const TimeZone& tz)
      : csv(canteen ? settlement::meal_statement_csv_header() : settlement::statement_csv_header()),
        code_(std::move(code)),
        tz_(tz) {}
  void line(const std::string& firm, const settlement::StatementLine& l) override {
    if (firm == code_) csv += settlement::statement_csv_row(l, tz_);
  }
  void meal(const std::string& canteen, const settlement::MealStatementLine& l) override {
    if (canteen == code_) csv += settlement::meal_statement_csv_row(l, tz_);
  }
  std::string csv;

 private:
  std::string code_;
  const TimeZone& tz_;
};

Result<net::Response> statement(store::Database& db, const ApiContext& c, YearMonth month, const std::string& code,
                                bool canteen) {
  if (canteen) {
    VNH_ASSIGN_OR_RETURN(auto k, store::find_canteen(db, code));
    if (!k) return not_found("no canteen " + code, "canteen_code");
  } else {
    VNH_ASSIGN_OR_RETURN(auto f, store::find_firm(db, code));
    if (!f) return not_found("no firm " + code, "firm_code");
  }
  CollectStatement sink(code, canteen, *c.policy.tz);
  VNH_RETURN_IF_ERROR(settlement::compute(db, c.policy, month, &sink));
  return csv_response(std::move(sink.csv),
                      fmt::format("{}statement-{}-{}.csv", canteen ? "meals-" : "", month.to_string(), code));
}

// Computed afresh (a month's full read) on the blocking pool.
void statement_of(Api& api, Api::Call&& call, bool canteen) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  std::string code = call.req.params[canteen ? "canteen_code" : "firm_code"];
  boost::asio::post(api.ctx().blocking, [&api, month = *month, code = std::move(code), canteen,
                                         respond = std::move(call.respond)] {
    api.read(respond, [&](store::Database& db) { return statement(db, api.ctx(), month, code, canteen); });
  });
}
void firm_statement(Api& api, Api::Call&& call) { statement_of(api, std::move(call), false); }
void canteen_statement(Api& api, Api::Call&& call) { statement_of(api, std::move(call), true); }

// Recoveries (SPEC §13): what approved months paid for days after an elder's death, for the
// open month to take as adjustments.
json::object recovery_json(const store::RecoveryRow& r) {
  return json::object{{"recovery_id", r.id},
                      {"elder_id", store::elder_public_id(r.elder_id)},
                      {"paid_month", r.paid_month},
                      {"kind", r.kind},
                      {"ref", r.ref},
                      {"payee", r.kind == "meal" ? "canteen" : "firm"},
                      {"payee_code", r.payee_code},
                      {"service_day", r.service_day},
                      {"amount_fen", r.amount_fen},
                      {"state", r.state},
                      {"adjustment_id", r.adjustment_id ? json::value(*r.adjustment_id) : json::value(nullptr)},
                      {"note", r.note}};
}

void list_recoveries(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto month, month_param(call.req));
    VNH_ASSIGN_OR_RETURN(auto rows, settlement::open_recoveries(db, month));
    return month_list(month, "recoveries", rows, recovery_json);
  });
}

void apply_recoveries(Api& api, Api::Call&& call) {
  auto month = month_param(call.req);
  if (!month.ok()) return call.respond(error_response(month.status()));
  auto body = parse_optional_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  std::vector<std::int64_t> ids;
  if (const json::value* v = body->if_contains("ids"); v && !v->is_null()) {
    if (!v->is_array()) return call.respond(error_response(invalid("ids", "must be an array of recovery ids")));
    for (const auto& e : v->as_array()) {
      if (!e.is_int64()) return call.respond(error_response(invalid("ids", "must be an array of recovery ids")));
      ids.push_back(e.as_int64());
    }
  }
  api.write<std::vector<std::int64_t>>(
      std::move(call.respond),
      [&api, month = *month, ids, who = call.who](store::WriteTx& tx) {
        return settlement::apply_recoveries(tx, month, ids, who.username, api.ctx().clock.now_ms());
      },
      [month = *month](store::Database&, std::vector<std::int64_t>& adj) -> Result<net::Response> {
        json::array a;
        for (auto id : adj) a.push_back(id);
        return json_response(200, json::object{{"month", month.to_string()}, {"adjustments", std::move(a)}});
      });
}

void waive_recovery(Api& api, Api::Call&& call) {
  auto id = id_param(call.req, "recovery");
  if (!id.ok()) return call.respond(error_response(id.status()));
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto note = req_string(*body, "note", 500);
  if (!note.ok()) return call.respond(error_response(note.status()));
  api.write<std::int64_t>(
      std::move(call.respond),
      [&api, id = *id, note = *note, who = call.who](store::WriteTx& tx) -> Result<std::int64_t> {
        VNH_RETURN_IF_ERROR(settlement::waive_recovery(tx, id, note, who.username, api.ctx().clock.now_ms()));
        return id;
      },
      [](store::Database& db, std::int64_t& id) -> Result<net::Response> {
        VNH_ASSIGN_OR_RETURN(auto r, store::get_recovery(db, id));
        if (!r) return not_found(fmt::format("no recovery {}", id), "recovery_id");
        return json_response(200, recovery_json(*r));
      });
}

}  // namespace

std::vector<Api::Route> settlement_routes() {
  return {
      {"POST", "/api/v1/settlements/{month}", roles::kFinance, start_run},
      {"GET", "/api/v1/settlements", roles::kFinanceDesk, list_runs},
      {"GET", "/api/v1/settlements/{month}", roles::kFinanceDesk, get_run},
      {"GET", "/api/v1/settlements/{month}/adjustments", roles::kFinanceDesk, list_month_adjustments},
      {"POST", "/api/v1/settlements/{month}/adjustments", roles::kFinance, add_adjustment},
      {"POST", "/api/v1/settlements/{month}/approve", roles::kFinance, approve_run},
      {"GET", "/api/v1/settlements/{month}/freshness", roles::kFinanceDesk, run_freshness},
      {"GET", "/api/v1/settlements/{month}/recoveries", roles::kFinanceDesk, list_recoveries},
      {"POST", "/api/v1/settlements/{month}/recoveries/apply", roles::kFinance, apply_recoveries},
      {"POST", "/api/v1/recoveries/{id}/waive", roles::kFinance, waive_recovery},
      {"GET", "/api/v1/settlements/{month}/csv", roles::kFinanceDesk, csv_document},
      {"GET", "/api/v1/settlements/{month}/html", roles::kFinanceDesk, html_document},
      {"GET", "/api/v1/settlements/{month}/meals-csv", roles::kFinanceDesk, meals_document},
      {"GET", "/api/v1/settlements/{month}/statements/{firm_code}", roles::kFinanceDesk, firm_statement},
      {"GET", "/api/v1/settlements/{month}/canteen-statements/{canteen_code}", roles::kFinanceDesk, canteen_statement},
  };
}

}  // namespace vnh::hotline
