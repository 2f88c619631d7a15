// Visit exceptions, inspections, firms, settlements, audit, catalog, areas, statistics, data
// import and (with --fake-clock) the test clock.
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "common/text.hpp"
#include "domain/visit.hpp"
#include "hotline/api_internal.hpp"
#include "hotline/views.hpp"
#include "importer/importer.hpp"
#include "settlement/settlement.hpp"
#include "store/audit.hpp"
#include "store/consistency.hpp"
#include "common/crypto.hpp"
#include "store/policies.hpp"
#include "store/quality.hpp"
#include "store/query.hpp"
#include "store/reference.hpp"
#include "tickets/lifecycle.hpp"
#include "data/embedded.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

const std::vector<Role> kAllRoles = {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kFinance, Role::kAdmin};

Result<std::int64_t> score_field(const json::object& o, const char* field) {
  auto* v = o.if_contains(field);
  if (!v || v->is_null()) return invalid(field, "is required (0 to 100, two decimals)");
  std::string text;
  if (v->is_string()) {
    text = std::string(v->as_string());
  } else if (v->is_int64()) {
    text = std::to_string(v->as_int64());
  } else if (v->is_double()) {
    text = fmt::format("{:.6f}", v->as_double());
    while (!text.empty() && text.back() == '0') text.pop_back();
    if (!text.empty() && text.back() == '.') text.pop_back();
  } else {
    return invalid(field, "must be a number");
  }
  auto h = parse_fixed(text, 2);
  if (!h.ok()) return invalid(field, h.status().message());
  if (*h < 0 || *h > 10000) return invalid(field, "must be between 0 and 100");
  return *h;
}

Result<YearMonth> month_param(const net::Request& req) {
  auto m = parse_year_month(req.params.at("month"));
  if (!m.ok()) return invalid("month", m.status().message());
  return *m;
}

json::object run_json(const settlement::RunInfo& r, const TimeZone& tz) {
  boost::system::error_code ec;
  auto totals = json::parse(r.totals, ec);
  json::object o{{"month", r.month},         {"status", r.status},
                 {"policy_digest", r.policy_digest}, {"run_by", r.run_by},
                 {"run_at", format_time(r.run_at, tz)}, {"totals", ec ? json::value(json::object()) : totals}};
  o["approved_by"] = r.approved_by ? json::value(*r.approved_by) : json::value(nullptr);
  o["approved_at"] = time_or_null(r.approved_at, tz);
  return o;
}

json::object adjustment_json(const settlement::Adjustment& a) {
  return json::object{{"adjustment_id", a.id},         {"firm_code", a.firm_code}, {"amount_fen", a.amount_fen},
                      {"corrects_month", a.corrects_month}, {"reason", a.reason},   {"created_by", a.created_by}};
}

Result<json::array> lines_json(store::Database& db, const std::string& month) {
  auto st = db.prepare(
      "SELECT firm_code, firm_name, tickets_completed, tickets_eligible, subsidy_fen, copay_fen, score_e, score_n, "
      "score_q, score_h, score_total, coefficient, deductions_fen, payout_fen, exit_review FROM settlement_lines "
      "WHERE month = ? ORDER BY firm_code");
  if (!st.ok()) return st.status();
  st->bind(1, month);
  json::array a;
  VNH_RETURN_IF_ERROR(store::for_each_row(std::move(st), [&](store::Statement& row) {
    auto fixed = [&](int col) { return row.is_null(col) ? json::value(nullptr) : json::value(format_fixed(row.int64(col), 2)); };
    a.push_back(json::object{{"firm_code", row.text(0)},       {"firm_name", row.text(1)},
                             {"tickets_completed", row.int64(2)}, {"tickets_eligible", row.int64(3)},
                             {"subsidy_fen", row.int64(4)},     {"copay_fen", row.int64(5)},
                             {"score_e", fixed(6)},             {"score_n", fixed(7)},
                             {"score_q", fixed(8)},             {"score_h", fixed(9)},
                             {"score_total", fixed(10)},        {"coefficient", fixed(11)},
                             {"deductions_fen", row.int64(12)}, {"payout_fen", row.int64(13)},
                             {"exit_review", row.int64(14) != 0}});
  }));
  return a;
}

// Collects one firm's statement lines during a compute.
class CollectStatement final : public settlement::StatementSink {
 public:
  CollectStatement(std::string firm, const TimeZone& tz) : firm_(std::move(firm)), tz_(tz) {}
  void line(const std::string& firm, const settlement::StatementLine& l) override {
    if (firm == firm_) csv += settlement::statement_csv_row(l, tz_);
  }
  std::string csv = settlement::statement_csv_header();

 private:
  std::string firm_;
  const TimeZone& tz_;
};

}  // namespace

void Api::install_quality(net::Router& r) {
  route(r, "GET", "/api/v1/exceptions", {Role::kSupervisor, Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      VNH_ASSIGN_OR_RETURN(int limit, limit_param(call.req, 100));
      auto rows = store::open_visit_exceptions(db, limit);
      if (!rows.ok()) return rows.status();
      json::array a;
      for (const auto& e : *rows) {
        auto t = store::get_ticket(db, e.ticket_id);
        if (!t.ok()) return t.status();
        auto v = ticket_json(db, **t, call.who.role, *c_.policy.tz, false);
        if (!v.ok()) return v.status();
        a.push_back(json::object{{"exception_id", e.id},
                                 {"type", e.type},
                                 {"detail", e.detail},
                                 {"status", e.status},
                                 {"created_at", format_time(e.created_at, *c_.policy.tz)},
                                 {"ticket", std::move(*v)}});
      }
      return json_response(200, json::object{{"exceptions", std::move(a)}});
    });
  });

  route(r, "GET", "/api/v1/exceptions/reason-codes", {Role::kSupervisor, Role::kAdmin}, [](Call&& call) {
    auto list = [](const std::vector<domain::ReasonCode>& codes) {
      json::array a;
      for (const auto& c : codes) {
        a.push_back(json::object{{"code", c.code}, {"label_zh", c.label_zh}, {"label_en", c.label_en}});
      }
      return a;
    };
    call.respond(json_response(200, json::object{{"clear", list(domain::clear_reason_codes())},
                                                 {"uphold", list(domain::uphold_reason_codes())}}));
  });

  for (bool clear : {true, false}) {
    route(r, "POST", clear ? "/api/v1/exceptions/{id}/clear" : "/api/v1/exceptions/{id}/uphold", {Role::kSupervisor},
          [this, clear](Call&& call) {
            auto id = parse_int(call.req.params["id"]);
            if (!id.ok()) return call.respond(error_response(invalid("id", "is not an exception id")));
            auto body = parse_object(call.req.body);
            if (!body.ok()) return call.respond(error_response(body.status()));
            auto code = req_string(*body, "reason_code", 64);
            auto note = req_string(*body, "note", 1000);
            for (const Status* s : {&code.status(), &note.status()}) {
              if (!s->ok()) return call.respond(error_response(*s));
            }
            write<std::string>(
                std::move(call.respond),
                [this, clear, id = *id, code = *code, note = *note, who = call.who](store::WriteTx& tx) -> Result<std::string> {
                  auto t = c_.tickets.resolve_exception(tx, id, clear, code, note, {who.username, true});
                  if (!t.ok()) return t.status();
                  return t->ticket_no;
                },
                [this, role = call.who.role](store::Database& db, std::string& no) -> Result<net::Response> {
                  auto t = store::find_ticket(db, no);
                  if (!t.ok()) return t.status();
                  auto v = ticket_json(db, **t, role, *c_.policy.tz, true);
                  if (!v.ok()) return v.status();
                  return json_response(200, *v);
                });
          });
  }

  route(r, "POST", "/api/v1/inspections", {Role::kInspector, Role::kAdmin}, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto firm = req_string(*body, "firm_code", 32);
    auto month_text = req_string(*body, "month", 7);
    auto e = score_field(*body, "enterprise_building");
    auto n = score_field(*body, "service_norms");
    auto h = score_field(*body, "staff_management");
    for (const Status* s : {&firm.status(), &month_text.status(), &e.status(), &n.status(), &h.status()}) {
      if (!s->ok()) return call.respond(error_response(*s));
    }
    auto month = parse_year_month(*month_text);
    if (!month.ok()) return call.respond(error_response(invalid("month", month.status().message())));
    write<std::string>(
        std::move(call.respond),
        [this, firm = *firm, month = *month, e = *e, n = *n, h = *h, who = call.who](store::WriteTx& tx) -> Result<std::string> {
          auto& db = tx.db();
          auto f = store::find_firm(db, firm);
          if (!f.ok()) return f.status();
          if (!*f) return not_found("no firm " + firm, "firm_code");
          auto run = settlement::get_run(db, month);
          if (!run.ok()) return run.status();
          if (*run && (*run)->status == "approved") {
            return Status(Code::kFailedPrecondition, month.to_string() + " is settled and approved; scores are locked",
                          "month", "locked");
          }
          TimeMs now = c_.clock.now_ms();
          VNH_RETURN_IF_ERROR(store::put_inspection(db, {(*f)->id, month.to_string(), e, n, h, who.username, now}, true));
          VNH_RETURN_IF_ERROR(store::append_audit(
              db, now,
              {who.username, "inspection.enter", "firm:" + firm,
               tickets::json_detail({{"month", month.to_string()}, {"enterprise_building", format_fixed(e, 2)},
                                     {"service_norms", format_fixed(n, 2)}, {"staff_management", format_fixed(h, 2)}})}));
          return firm;
        },
        [this, month = *month](store::Database& db, std::string& firm) -> Result<net::Response> {
          auto f = store::find_firm(db, firm);
          if (!f.ok()) return f.status();
          auto i = store::get_inspection(db, (*f)->id, month.to_string());
          if (!i.ok()) return i.status();
          return json_response(201, json::object{{"firm_code", firm},
                                                 {"month", (*i)->month},
                                                 {"enterprise_building", format_fixed((*i)->enterprise_building, 2)},
                                                 {"service_norms", format_fixed((*i)->service_norms, 2)},
                                                 {"staff_management", format_fixed((*i)->staff_management, 2)},
                                                 {"entered_by", (*i)->entered_by},
                                                 {"entered_at", format_time((*i)->entered_at, *c_.policy.tz)}});
        });
  });

  route(r, "GET", "/api/v1/inspections", {Role::kInspector, Role::kSupervisor, Role::kFinance, Role::kAdmin},
        [this](Call&& call) {
          read(call.respond, [&](store::Database& db) -> Result<net::Response> {
            auto m = call.req.query_param("month");
            if (!m) return invalid("month", "is required (YYYY-MM)");
            auto month = parse_year_month(*m);
            if (!month.ok()) return invalid("month", month.status().message());
            auto rows = store::list_inspections(db, month->to_string());
            if (!rows.ok()) return rows.status();
            json::array a;
            for (const auto& i : *rows) {
              auto f = store::firm_by_id(db, i.firm_id);
              if (!f.ok()) return f.status();
              a.push_back(json::object{{"firm_code", (*f)->code},
                                       {"firm_name", (*f)->name},
                                       {"month", i.month},
                                       {"enterprise_building", format_fixed(i.enterprise_building, 2)},
                                       {"service_norms", format_fixed(i.service_norms, 2)},
                                       {"staff_management", format_fixed(i.staff_management, 2)},
                                       {"entered_by", i.entered_by}});
            }
            return json_response(200, json::object{{"month", month->to_string()}, {"inspections", std::move(a)}});
          });
        });
}

void Api::install_admin(net::Router& r) {
  route(r, "GET", "/api/v1/firms", kAllRoles, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto firms = store::list_firms(db);
      if (!firms.ok()) return firms.status();
      auto scores = store::latest_firm_scores(db, c_.policy.tz->local_month(c_.clock.now_ms()));
      if (!scores.ok()) return scores.status();
      TimeMs day = c_.policy.tz->day_start(c_.policy.tz->local_date(c_.clock.now_ms()));
      auto counts = store::query_all<std::pair<std::int64_t, std::int64_t>>(
          [&] {
            auto st = db.prepare("SELECT firm_id, count(*) FROM tickets WHERE accepted_at >= ? AND firm_id IS NOT NULL "
                                 "GROUP BY firm_id");
            if (st.ok()) st->bind(1, day);
            return st;
          }(),
          [](store::Statement& s) { return std::make_pair(s.int64(0), s.int64(1)); });
      if (!counts.ok()) return counts.status();
      std::map<std::int64_t, std::int64_t> today(counts->begin(), counts->end());
      json::array a;
      for (const auto& f : *firms) {
        json::object o{{"code", f.code},
                       {"name", f.name},
                       {"status", std::string(domain::to_string(f.status))},
                       {"daily_capacity", f.daily_capacity},
                       {"accepted_today", today.count(f.id) ? today[f.id] : 0},
                       {"base_lat", f.base_lat},
                       {"base_lon", f.base_lon},
                       {"presence", c_.presence_of ? c_.presence_of(f.id) : std::string("offline")},
                       {"outbox_unacked", static_cast<std::int64_t>(f.next_seq - 1 - f.acked_seq)}};
        auto s = scores->find(f.id);
        o["last_score"] = s == scores->end() ? json::value(nullptr) : json::value(format_fixed(s->second, 2));
        a.push_back(std::move(o));
      }
      return json_response(200, json::object{{"firms", std::move(a)}});
    });
  });

  route(r, "POST", "/api/v1/firms/{code}/status", {Role::kSupervisor, Role::kAdmin}, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto status = req_string(*body, "status", 16);
    auto reason = req_string(*body, "reason", 200);
    for (const Status* s : {&status.status(), &reason.status()}) {
      if (!s->ok()) return call.respond(error_response(*s));
    }
    auto st = domain::parse_firm_status(*status);
    if (!st) return call.respond(error_response(invalid("status", "must be active, suspended or exited")));
    write<std::string>(
        std::move(call.respond),
        [this, code = call.req.params["code"], st = *st, reason = *reason, who = call.who](store::WriteTx& tx) -> Result<std::string> {
          auto f = store::find_firm(tx.db(), code);
          if (!f.ok()) return f.status();
          if (!*f) return not_found("no firm " + code, "code");
          VNH_RETURN_IF_ERROR(store::set_firm_status(tx.db(), (*f)->id, st));
          VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), c_.clock.now_ms(),
                                                  {who.username, "firm.status", "firm:" + code,
                                                   tickets::json_detail({{"status", std::string(domain::to_string(st))}, {"reason", reason}})}));
          if (c_.firms_changed) tx.on_commit(c_.firms_changed);
          return code;
        },
        [](store::Database& db, std::string& code) -> Result<net::Response> {
          auto f = store::find_firm(db, code);
          if (!f.ok()) return f.status();
          return json_response(200, json::object{{"code", code}, {"status", std::string(domain::to_string((*f)->status))}});
        });
  });

  route(r, "GET", "/api/v1/firms/{code}", {Role::kSupervisor, Role::kInspector, Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto f = store::find_firm(db, call.req.params["code"]);
      if (!f.ok()) return f.status();
      if (!*f) return not_found("no firm " + call.req.params["code"], "code");
      auto staff = store::list_staff(db, (*f)->id);
      if (!staff.ok()) return staff.status();
      json::array sa, aa;
      for (const auto& s : *staff) {
        json::array skills;
        for (auto c : s.skills) skills.push_back(json::value(std::string(domain::to_string(c))));
        sa.push_back(json::object{{"code", s.code}, {"name", s.name}, {"phone", s.phone_masked}, {"skills", skills}, {"active", s.active}});
      }
      auto areas = store::list_firm_areas(db);
      if (!areas.ok()) return areas.status();
      for (const auto& a : *areas) {
        if (a.firm_id == (*f)->id) {
          aa.push_back(json::object{{"area_code", a.area_code}, {"category", std::string(domain::to_string(a.category))}});
        }
      }
      return json_response(200, json::object{{"code", (*f)->code},
                                             {"name", (*f)->name},
                                             {"status", std::string(domain::to_string((*f)->status))},
                                             {"daily_capacity", (*f)->daily_capacity},
                                             {"presence", c_.presence_of ? c_.presence_of((*f)->id) : "offline"},
                                             {"staff", std::move(sa)},
                                             {"areas", std::move(aa)}});
    });
  });

  // Settlements: run on the blocking pool (a long read), recorded through the Writer.
  route(r, "POST", "/api/v1/settlements/{month}", {Role::kFinance}, [this](Call&& call) {
    auto month = month_param(call.req);
    if (!month.ok()) return call.respond(error_response(month.status()));
    boost::asio::post(c_.blocking, [this, month = *month, who = call.who, respond = std::move(call.respond)] {
      auto db = c_.store.read();
      if (!db.ok()) return respond(error_response(db.status()));
      auto stored = store::policy_for_month(**db, month);
      if (!stored.ok()) return respond(error_response(stored.status()));
      Result<domain::Policy> policy = c_.policy;
      if (*stored && (*stored)->digest != c_.policy.digest) policy = domain::load_policy((*stored)->body, (*stored)->source);
      if (!policy.ok()) return respond(error_response(policy.status()));
      settlement::RunOptions opts{month, "", who.username, c_.clock.now_ms()};
      auto run = settlement::run(
          **db, [this](const auto& w) { return c_.store.writer().run(w); }, *policy, opts);
      if (!run.ok()) return respond(error_response(run.status()));
      if (c_.firms_changed) c_.firms_changed();
      db->refresh();  // read back what the writer just committed
      auto info = settlement::get_run(**db, month);
      auto lines = lines_json(**db, month.to_string());
      if (!info.ok() || !*info || !lines.ok()) return respond(error_response(internal("settlement vanished")));
      auto o = run_json(**info, *c_.policy.tz);
      o["lines"] = std::move(*lines);
      respond(json_response(201, o));
    });
  });

  route(r, "GET", "/api/v1/settlements", {Role::kFinance, Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto runs = settlement::list_runs(db);
      if (!runs.ok()) return runs.status();
      json::array a;
      for (const auto& r : *runs) a.push_back(run_json(r, *c_.policy.tz));
      return json_response(200, json::object{{"settlements", std::move(a)}});
    });
  });

  route(r, "GET", "/api/v1/settlements/{month}", {Role::kFinance, Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      VNH_ASSIGN_OR_RETURN(auto month, month_param(call.req));
      auto info = settlement::get_run(db, month);
      if (!info.ok()) return info.status();
      if (!*info) return not_found(month.to_string() + " has not been settled", "month");
      auto o = run_json(**info, *c_.policy.tz);
      VNH_ASSIGN_OR_RETURN(auto lines, lines_json(db, month.to_string()));
      o["lines"] = std::move(lines);
      VNH_ASSIGN_OR_RETURN(auto adjustments, settlement::list_adjustments(db, month));
      json::array adj;
      for (const auto& a : adjustments) adj.push_back(adjustment_json(a));
      o["adjustments"] = std::move(adj);
      return json_response(200, o);
    });
  });

  route(r, "POST", "/api/v1/settlements/{month}/adjustments", {Role::kFinance}, [this](Call&& call) {
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
    settlement::Adjustment a{0, *firm, **amount, *corrects, *reason, call.who.username};
    write<std::int64_t>(
        std::move(call.respond),
        [this, month = *month, a](store::WriteTx& tx) { return settlement::add_adjustment(tx, month, a, c_.clock.now_ms()); },
        [month = *month, a](store::Database&, std::int64_t& id) -> Result<net::Response> {
          // Adjustments are never edited: the committed entry is what was sent, with its id.
          auto entry = a;
          entry.id = id;
          auto o = adjustment_json(entry);
          o["month"] = month.to_string();
          return json_response(201, o);
        });
  });

  route(r, "POST", "/api/v1/settlements/{month}/approve", {Role::kFinance}, [this](Call&& call) {
    auto month = month_param(call.req);
    if (!month.ok()) return call.respond(error_response(month.status()));
    write<YearMonth>(
        std::move(call.respond),
        [this, month = *month, who = call.who](store::WriteTx& tx) -> Result<YearMonth> {
          VNH_RETURN_IF_ERROR(settlement::approve(tx, month, who.username, c_.clock.now_ms()));
          return month;
        },
        [this](store::Database& db, YearMonth& m) -> Result<net::Response> {
          auto info = settlement::get_run(db, m);
          if (!info.ok()) return info.status();
          return json_response(200, run_json(**info, *c_.policy.tz));
        });
  });

  for (const char* kind : {"csv", "html"}) {
    route(r, "GET", std::string("/api/v1/settlements/{month}/") + kind, {Role::kFinance, Role::kAdmin},
          [this, kind = std::string(kind)](Call&& call) {
            read(call.respond, [&](store::Database& db) -> Result<net::Response> {
              VNH_ASSIGN_OR_RETURN(auto month, month_param(call.req));
              auto doc = settlement::run_document(db, month, kind);
              if (!doc.ok()) return doc.status();
              if (!*doc) return not_found(month.to_string() + " has not been settled", "month");
              net::Response res;
              res.content_type = kind == "csv" ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
              res.body = **doc;
              res.headers.emplace_back("Content-Disposition",
                                       fmt::format("{}; filename=\"settlement-{}.{}\"", kind == "csv" ? "attachment" : "inline",
                                                   month.to_string(), kind));
              return res;
            });
          });
  }

  route(r, "GET", "/api/v1/settlements/{month}/statements/{firm_code}", {Role::kFinance, Role::kAdmin},
        [this](Call&& call) {
          auto month = month_param(call.req);
          if (!month.ok()) return call.respond(error_response(month.status()));
          boost::asio::post(c_.blocking, [this, month = *month, firm = call.req.params["firm_code"],
                                          respond = std::move(call.respond)] {
            read(respond, [&](store::Database& db) -> Result<net::Response> {
              auto f = store::find_firm(db, firm);
              if (!f.ok()) return f.status();
              if (!*f) return not_found("no firm " + firm, "firm_code");
              CollectStatement sink(firm, *c_.policy.tz);
              auto s = settlement::compute(db, c_.policy, month, &sink);
              if (!s.ok()) return s.status();
              net::Response res;
              res.content_type = "text/csv; charset=utf-8";
              res.body = sink.csv;
              res.headers.emplace_back("Content-Disposition",
                                       fmt::format("attachment; filename=\"statement-{}-{}.csv\"", month.to_string(), firm));
              return res;
            });
          });
        });

  route(r, "GET", "/api/v1/audit", {Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      VNH_ASSIGN_OR_RETURN(int limit, limit_param(call.req, 100));
      auto rows = store::list_audit(db, call.req.query_param("subject").value_or(""), limit);
      if (!rows.ok()) return rows.status();
      json::array a;
      for (const auto& e : *rows) {
        boost::system::error_code ec;
        auto d = json::parse(e.entry.detail, ec);
        a.push_back(json::object{{"id", e.id},
                                 {"at", format_time(e.at, *c_.policy.tz)},
                                 {"actor", e.entry.actor},
                                 {"action", e.entry.action},
                                 {"subject", e.entry.subject},
                                 {"detail", ec ? json::value(e.entry.detail) : d},
                                 {"hash", e.hash_hex}});
      }
      return json_response(200, json::object{{"entries", std::move(a)}});
    });
  });

  route(r, "GET", "/api/v1/audit/verify", {Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [](store::Database& db) -> Result<net::Response> {
      auto rep = store::verify_audit(db);
      if (!rep.ok()) return rep.status();
      json::object o{{"intact", rep->intact}, {"entries", rep->entries}, {"head", rep->head_hash_hex}};
      if (!rep->intact) {
        o["first_bad_id"] = *rep->first_bad_id;
        o["problem"] = rep->problem;
      }
      return json_response(200, o);
    });
  });

  route(r, "GET", "/api/v1/catalog", kAllRoles, [this](Call&& call) {
    read(call.respond, [](store::Database& db) -> Result<net::Response> {
      auto items = store::list_items(db);
      if (!items.ok()) return items.status();
      json::array a;
      for (const auto& i : *items) a.push_back(item_json(i));
      return json_response(200, json::object{{"items", std::move(a)}});
    });
  });

  route(r, "GET", "/api/v1/areas", kAllRoles, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto parent = call.req.query_param("parent");
      auto st = db.prepare(parent ? "SELECT code, name, parent_code, level FROM areas WHERE parent_code = ? ORDER BY code"
                                  : "SELECT code, name, parent_code, level FROM areas WHERE parent_code IS NULL ORDER BY code");
      if (!st.ok()) return st.status();
      if (parent) st->bind(1, *parent);
      json::array a;
      VNH_RETURN_IF_ERROR(store::for_each_row(std::move(st), [&](store::Statement& row) {
        a.push_back(json::object{{"code", row.text(0)},
                                 {"name", row.text(1)},
                                 {"parent_code", row.is_null(2) ? json::value(nullptr) : json::value(row.text(2))},
                                 {"level", row.text(3)}});
      }));
      return json_response(200, json::object{{"areas", std::move(a)}});
    });
  });

  route(r, "GET", "/api/v1/stats", {Role::kSupervisor, Role::kAdmin, Role::kOperator}, [this](Call&& call) {
    read(call.respond, [&](store::Database& db) -> Result<net::Response> {
      auto by_state = store::count_tickets_by_state(db);
      if (!by_state.ok()) return by_state.status();
      json::object states;
      for (const auto& [state, n] : *by_state) states[state] = n;
      TimeMs day = c_.policy.tz->day_start(c_.policy.tz->local_date(c_.clock.now_ms()));
      auto today_created = store::query_int([&] {
        auto s = db.prepare("SELECT count(*) FROM tickets WHERE created_at >= ?");
        if (s.ok()) s->bind(1, day);
        return s;
      }());
      auto open_exc = store::query_int(db.prepare("SELECT count(*) FROM visit_exceptions WHERE status = 'open'"));
      auto elders = store::query_int(db.prepare("SELECT count(*) FROM elders WHERE status = 'active'"));
      if (!today_created.ok() || !open_exc.ok() || !elders.ok()) return internal("stats query failed");
      return json_response(200, json::object{{"tickets_by_state", std::move(states)},
                                             {"tickets_created_today", *today_created},
                                             {"open_exceptions", *open_exc},
                                             {"active_elders", *elders},
                                             {"consoles", c_.live.connected()}});
    });
  });

  route(r, "POST", "/api/v1/import/{kind}", {Role::kAdmin}, [this](Call&& call) {
    auto kind = importer::parse_kind(call.req.params["kind"]);
    if (!kind) return call.respond(error_response(not_found("no import kind " + call.req.params["kind"], "kind")));
    auto report = std::make_shared<importer::ImportReport>();
    std::string name = call.req.query_param("file").value_or(std::string(importer::to_string(*kind)) + ".csv");
    auto data = std::make_shared<std::string>(std::move(call.req.body));
    auto respond = call.respond;
    c_.store.writer().submit(
        [this, kind = *kind, data, report, name, who = call.who](store::WriteTx& tx) {
          importer::ImportContext ctx{c_.policy, c_.store.crypto(), c_.clock.now_ms(), who.username, name};
          Status st = importer::import_csv_in(tx, kind, *data, ctx, *report);
          if (st.ok() && (kind == importer::Kind::kFirms || kind == importer::Kind::kFirmAreas) && c_.firms_changed) {
            tx.on_commit(c_.firms_changed);
          }
          return st;
        },
        [report, respond, name](Status st) {
          if (st.code() == Code::kAborted) {
            json::array errs;
            for (const auto& e : report->errors) {
              errs.push_back(json::object{{"line", e.line}, {"column", e.column}, {"reason", e.reason},
                                          {"text", fmt::format("{}:{}: {}: {}", name, e.line, e.column, e.reason)}});
            }
            auto res = net::json_error(422, "rows_rejected",
                                       fmt::format("{} rejected ({} errors); nothing was written", name, report->errors.size()),
                                       "body");
            auto o = json::parse(res.body).as_object();
            o["errors"] = std::move(errs);
            res.body = json::serialize(o);
            return respond(res);
          }
          if (!st.ok()) return respond(error_response(st));
          json::object derived;
          for (const auto& [k, n] : report->derived) derived[k] = n;
          respond(json_response(200, json::object{{"rows", report->rows}, {"derived", derived}}));
        });
  });

  // A new partner token for a firm (shown once; the old one stops working).
  route(r, "POST", "/api/v1/firms/{code}/token", {Role::kAdmin}, [this](Call&& call) {
    write<std::string>(
        std::move(call.respond),
        [this, code = call.req.params["code"], who = call.who](store::WriteTx& tx) -> Result<std::string> {
          auto f = store::find_firm(tx.db(), code);
          if (!f.ok()) return f.status();
          if (!*f) return not_found("no firm " + code, "code");
          return store::issue_firm_token(tx.db(), **f, who.username, c_.clock.now_ms());
        },
        [code = call.req.params["code"]](store::Database&, std::string& token) -> Result<net::Response> {
          return json_response(201, json::object{{"firm_code", code}, {"token", token}});
        });
  });

  route(r, "GET", "/api/v1/admin/consistency", {Role::kAdmin, Role::kSupervisor}, [this](Call&& call) {
    read(call.respond, [](store::Database& db) -> Result<net::Response> {
      auto c = store::check_consistency(db);
      if (!c.ok()) return c.status();
      json::object states;
      for (const auto& [k, v] : c->by_state) states[k] = v;
      return json_response(200, json::object{{"ok", c->ok()},
                                             {"tickets", c->tickets},
                                             {"by_state", std::move(states)},
                                             {"double_accepted", c->double_accepted},
                                             {"accepted_by_other", c->accepted_by_other},
                                             {"acked_unanswered", c->acked_unanswered},
                                             {"offered_without_frame", c->offered_without_frame},
                                             {"frames_out_of_sequence", c->frames_out_of_sequence},
                                             {"frames_unacked", c->frames_unacked},
                                             {"escalated", c->escalated}});
    });
  });

  route(r, "POST", "/api/v1/admin/clock", {Role::kAdmin}, [this](Call&& call) {
    if (!c_.fake_clock) {
      return call.respond(error_response(not_found("the clock can only be moved when serving with --fake-clock")));
    }
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto adv = opt_int(*body, "advance_ms");
    auto set = opt_time(*body, "set");
    for (const Status* s : {&adv.status(), &set.status()}) {
      if (!s->ok()) return call.respond(error_response(*s));
    }
    if (*adv) {
      if (**adv < 0) return call.respond(error_response(invalid("advance_ms", "the clock only moves forward")));
      c_.fake_clock->advance(**adv);
    }
    if (*set) c_.fake_clock->set(**set);
    if (c_.clock_moved) c_.clock_moved();
    call.respond(json_response(200, json::object{{"now", format_time(c_.clock.now_ms(), *c_.policy.tz)},
                                                 {"now_ms", c_.clock.now_ms()}}));
  });
}

}  // namespace vnh::hotline
