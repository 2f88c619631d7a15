// Administration: the supervisors' headline statistics, the audit log and its verification,
// the consistency check, CSV import.
#include <fmt/format.h>

#include "hotline/api.hpp"
#include "hotline/roles.hpp"
#include "importer/importer.hpp"
#include "store/audit.hpp"
#include "store/consistency.hpp"
#include "store/policies.hpp"
#include "store/stats.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

void stats(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto by_state, store::count_tickets_by_state(db));
    json::object states;
    for (const auto& [state, n] : by_state) states[state] = n;
    const TimeMs day = c.policy.tz->day_start(c.policy.tz->local_date(c.clock.now_ms()));
    VNH_ASSIGN_OR_RETURN(auto h, store::headline(db, day));
    return json_response(200, json::object{{"tickets_by_state", std::move(states)},
                                           {"tickets_created_today", h.tickets_created_since},
                                           {"open_exceptions", h.open_exceptions},
                                           {"active_elders", h.active_elders},
                                           {"consoles", c.live.connected()}});
  });
}

void audit_log(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(int limit, limit_param(call.req, 100));
    VNH_ASSIGN_OR_RETURN(auto rows, store::list_audit(db, call.req.query_param("subject").value_or(""), limit));
    json::array a;
    for (const auto& e : rows) {
      boost::system::error_code ec;
      auto d = json::parse(e.entry.detail, ec);
      a.push_back(json::object{{"id", e.id},
                               {"at", format_time(e.at, *api.ctx().policy.tz)},
                               {"actor", e.entry.actor},
                               {"action", e.entry.action},
                               {"subject", e.entry.subject},
                               {"detail", ec ? json::value(e.entry.detail) : d},
                               {"hash", e.hash_hex}});
    }
    return json_response(200, json::object{{"entries", std::move(a)}});
  });
}

void verify_audit(Api& api, Api::Call&& call) {
  api.read(call.respond, [tz = api.ctx().policy.tz](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto rep, store::verify_audit(db));
    json::object o{
        {"intact", rep.intact}, {"entries", rep.entries}, {"head", rep.head_hash_hex}, {"head_id", rep.head_id}};
    if (!rep.intact) {
      o["first_bad_id"] = *rep.first_bad_id;
      o["problem"] = rep.problem;
      if (rep.first_bad) {
        o["first_bad"] = json::object{{"id", rep.first_bad->id},
                                      {"at", format_time(rep.first_bad->at, *tz)},
                                      {"actor", rep.first_bad->entry.actor},
                                      {"action", rep.first_bad->entry.action},
                                      {"subject", rep.first_bad->entry.subject}};
      }
    }
    return json_response(200, o);
  });
}

void consistency(Api& api, Api::Call&& call) {
  api.read(call.respond, [](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto c, store::check_consistency(db));
    json::object states;
    for (const auto& [k, v] : c.by_state) states[k] = v;
    return json_response(200, json::object{{"ok", c.ok()},
                                           {"tickets", c.tickets},
                                           {"by_state", std::move(states)},
                                           {"double_accepted", c.double_accepted},
                                           {"accepted_by_other", c.accepted_by_other},
                                           {"acked_unanswered", c.acked_unanswered},
                                           {"offered_without_frame", c.offered_without_frame},
                                           {"frames_out_of_sequence", c.frames_out_of_sequence},
                                           {"frames_unacked", c.frames_unacked},
                                           {"escalated", c.escalated}});
  });
}

// The policy the server runs under and every one stored (each with the months settled under it).
void policies(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    VNH_ASSIGN_OR_RETURN(auto all, store::list_policies(db));
    json::array history;
    for (const auto& p : all) {
      json::array months;
      for (const auto& m : p.months) months.push_back(json::value(m));
      history.push_back(json::object{{"digest", p.digest},
                                     {"effective_month", p.effective_month},
                                     {"source", p.source},
                                     {"loaded_at", format_time(p.loaded_at, *c.policy.tz)},
                                     {"in_force", p.digest == c.policy.digest},
                                     {"settled_months", std::move(months)},
                                     {"body", p.body}});
    }
    return json_response(200, json::object{{"in_force",
                                            json::object{{"digest", c.policy.digest},
                                                         {"effective_month", c.policy.effective_from.to_string()},
                                                         {"source", c.policy.source},
                                                         {"body", c.policy.text}}},
                                           {"history", std::move(history)}});
  });
}

// One CSV kind of SPEC §7, all or nothing; 422 with every error by line when refused.
void import_csv(Api& api, Api::Call&& call) {
  auto kind = importer::parse_kind(call.req.params["kind"]);
  if (!kind) return call.respond(error_response(not_found("no import kind " + call.req.params["kind"], "kind")));
  const auto& c = api.ctx();
  auto report = std::make_shared<importer::ImportReport>();
  std::string name = call.req.query_param("file").value_or(std::string(importer::to_string(*kind)) + ".csv");
  auto data = std::make_shared<std::string>(std::move(call.req.body));
  c.store.writer().submit(
      [&c, kind = *kind, data, report, name, who = call.who](store::WriteTx& tx) {
        importer::ImportContext ctx{c.policy, c.store.crypto(), c.clock.now_ms(), who.username, name, &c.tickets};
        Status st = importer::import_csv_in(tx, kind, *data, ctx, *report);
        if (st.ok() && (kind == importer::Kind::kFirms || kind == importer::Kind::kFirmAreas) && c.firms_changed) {
          tx.on_commit(c.firms_changed);
        }
        return st;
      },
      [report, respond = std::move(call.respond), name](Status st) {
        if (st.code() == Code::kAborted) return respond(rows_rejected(*report, name));
        if (!st.ok()) return respond(error_response(st));
        json::object derived;
        for (const auto& [k, n] : report->derived) derived[k] = n;
        respond(json_response(200, json::object{{"rows", report->rows}, {"derived", derived}}));
      });
}

}  // namespace

std::vector<Api::Route> admin_routes() {
  return {
      {"GET", "/api/v1/stats", {Role::kSupervisor, Role::kAdmin, Role::kOperator}, stats},
      {"GET", "/api/v1/audit", roles::kAdmin, audit_log},
      {"GET", "/api/v1/audit/verify", roles::kAdmin, verify_audit},
      {"GET", "/api/v1/admin/consistency", roles::kSupervision, consistency},
      {"POST", "/api/v1/import/{kind}", roles::kAdmin, import_csv},
      {"GET", "/api/v1/policies", roles::kFinanceDesk, policies},
  };
}

}  // namespace vnh::hotline
