#include "care/care.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "common/reasons.hpp"
#include "common/text.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"

namespace vnh::care {
using namespace vnh::domain;

namespace {
constexpr TimeMs kDay = 86'400'000;

Result<store::ElderRow> living_elder(store::Database& db, std::int64_t elder_id) {
  VNH_ASSIGN_OR_RETURN(auto e, store::get_elder_core(db, elder_id));
  const std::string who = store::elder_public_id(elder_id);
  if (!e) return not_found("no elder " + who, "elder_id");
  if (e->status == ElderStatus::kDeceased) {
    return Status(Code::kFailedPrecondition, fmt::format("{} died on {}", who, e->died_on.value_or("?")), "elder_id",
                  reason::kElderDeceased);
  }
  return *e;
}
}  // namespace

TimeMs scheduled_due(const Policy& policy, const store::CareTargetRow& t) {
  return t.last_visit_at.value_or(t.since) + static_cast<TimeMs>(policy.care_interval(t.tier)) * kDay;
}

Result<store::CareTargetRow> set_target(store::WriteTx& tx, const Policy& policy, const TargetInput& in,
                                        const Actor& actor, TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(living_elder(db, in.elder_id).status());
  std::optional<std::int64_t> worker;
  if (in.care_worker && !in.care_worker->empty()) {
    VNH_ASSIGN_OR_RETURN(auto u, store::find_user(db, *in.care_worker));
    if (!u) return not_found("no user " + *in.care_worker, "care_worker");
    if (u->role != Role::kCare) return invalid("care_worker", *in.care_worker + " is not a care worker (role care)");
    if (!u->active) return invalid("care_worker", *in.care_worker + " is disabled");
    worker = u->id;
  }
  VNH_ASSIGN_OR_RETURN(auto cur, store::get_care_target(db, in.elder_id));
  store::CareTargetRow t = cur.value_or(store::CareTargetRow{});
  if (!cur) {
    t.elder_id = in.elder_id;
    t.since = now;
  }
  t.flags = in.flags;
  t.tier = in.tier;
  t.care_worker_id = worker;
  t.due_at = scheduled_due(policy, t);
  if (t.event_at) t.due_at = std::min<TimeMs>(t.due_at, policy.care_event_due_at(*t.event_at));
  t.updated_at = now;
  VNH_RETURN_IF_ERROR(store::put_care_target(db, t));
  if (actor.audit) {
    VNH_RETURN_IF_ERROR(store::append_audit(
        db, now,
        {actor.name, cur ? "care.target.update" : "care.target.add", "elder:" + store::elder_public_id(in.elder_id),
         boost::json::serialize(boost::json::object{{"flags", format_care_flags(t.flags)},
                                                    {"tier", std::string(to_string(t.tier))},
                                                    {"care_worker", in.care_worker.value_or("")}})}));
  }
  VNH_ASSIGN_OR_RETURN(auto back, store::get_care_target(db, in.elder_id));
  return *back;
}

Status remove_target(store::WriteTx& tx, std::int64_t elder_id, const Actor& actor, TimeMs now) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto cur, store::get_care_target(db, elder_id));
  if (!cur) {
    return Status(Code::kNotFound, store::elder_public_id(elder_id) + " is not a care target", "elder_id",
                  reason::kNotCareTarget);
  }
  VNH_RETURN_IF_ERROR(store::delete_care_target(db, elder_id));
  return store::append_audit(db, now, {actor.name, "care.target.remove", "elder:" + store::elder_public_id(elder_id), "{}"});
}

Result<VisitRecorded> record_visit(store::WriteTx& tx, const Policy& policy, tickets::Service& tickets,
                                   const VisitInput& in, const Actor& actor, std::optional<std::int64_t> only_worker,
                                   TimeMs now) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(in.needs, "findings.needs", 500, false));
  VNH_RETURN_IF_ERROR(check_text(in.note, "note", 1000, false));
  VNH_RETURN_IF_ERROR(check_text(in.ticket_notes, "ticket.notes", 500, false));
  VNH_ASSIGN_OR_RETURN(auto elder, living_elder(db, in.elder_id));
  VNH_ASSIGN_OR_RETURN(auto target, store::get_care_target(db, in.elder_id));
  const std::string who = store::elder_public_id(in.elder_id);
  if (!target) {
    return Status(Code::kFailedPrecondition, who + " is not a care target", "elder_id", reason::kNotCareTarget);
  }
  if (only_worker && target->care_worker_id != only_worker) {
    return Status(Code::kPermissionDenied, who + " is not one of your elders", "elder_id");
  }
  if (in.visited_at > now + 5 * 60'000) return invalid("visited_at", "is in the future");
  if (in.visited_at < now - 7 * kDay) return invalid("visited_at", "is more than 7 days ago: record visits the week they are made");

  store::CareVisitRow v;
  v.elder_id = in.elder_id;
  v.visited_at = in.visited_at;
  v.method = in.method;
  v.living = in.living;
  v.safety = in.safety;
  v.health = in.health;
  v.needs = in.needs;
  v.note = in.note;
  v.recorded_by = actor.name;
  v.recorded_at = now;
  VNH_ASSIGN_OR_RETURN(v.id, store::insert_care_visit(db, v));

  VisitRecorded out;
  if (in.ticket_item) {
    tickets::CreateRequest req;
    req.elder_id = who;
    req.item_code = *in.ticket_item;
    req.urgency = in.ticket_urgency;
    req.notes = in.ticket_notes.empty() ? fmt::format("关爱探访发现 care visit finding: {}", in.needs) : in.ticket_notes;
    req.channel = "app";
    auto created = tickets.create(tx, req, actor, 0, std::nullopt, "");
    if (!created.ok()) {
      // The ticket's fields are named as the visit's request names them.
      const Status& s = created.status();
      return Status(s.code(), s.message(), s.field().empty() ? "ticket" : "ticket." + s.field(), Reason(s.reason()));
    }
    VNH_RETURN_IF_ERROR(store::set_care_visit_ticket(db, v.id, created->ticket.id));
    v.ticket_id = created->ticket.id;
    v.ticket_no = created->ticket.ticket_no;
    out.ticket = created->ticket;
  }
  // The newest visit sets the next due date; one recorded late for an earlier day does not
  // move it back.
  store::CareTargetRow t = *target;
  if (!t.last_visit_at || in.visited_at >= *t.last_visit_at) {
    t.last_visit_at = in.visited_at;
    t.event_at.reset();
    t.event_kind.reset();
    t.event_ref.reset();
    t.due_at = scheduled_due(policy, t);
  }
  t.updated_at = now;
  VNH_RETURN_IF_ERROR(store::put_care_target(db, t));
  VNH_RETURN_IF_ERROR(store::append_audit(
      db, now,
      {actor.name, "care.visit", "elder:" + who,
       boost::json::serialize(boost::json::object{{"visit_id", v.id},
                                                  {"method", std::string(to_string(v.method))},
                                                  {"ticket", v.ticket_no}})}));
  VNH_ASSIGN_OR_RETURN(auto back, store::get_care_target(db, in.elder_id));
  out.visit = std::move(v);
  out.target = *back;
  return out;
}

Status pull_forward(store::Database& db, const Policy& policy, std::int64_t elder_id, const std::string& kind,
                    const std::string& ref, TimeMs now) {
  return store::pull_care_visit_forward(db, elder_id, policy.care_event_due_at(now), kind, ref, now)
      .status();
}

Result<std::vector<DueEntry>> due(store::Database& db, const DueQuery& q, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(auto rows, store::care_due(db, q.community, q.care_worker_id,
                                                  q.overdue ? now : now + q.within_ms, q.limit));
  std::vector<DueEntry> out;
  out.reserve(rows.size());
  for (auto& r : rows) {
    DueEntry e;
    e.overdue = r.target.due_at < now;
    e.overdue_days = e.overdue ? (now - r.target.due_at) / kDay : 0;
    e.row = std::move(r);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<ReportRow>> report(store::Database& db, const Policy& policy, YearMonth month) {
  const TimeZone& tz = *policy.tz;
  VNH_ASSIGN_OR_RETURN(auto rows, store::care_report(db, tz.month_start(month), tz.month_start(month.next()),
                                                     format_date(Date{month.year, month.month, 1})));
  std::vector<ReportRow> out;
  for (auto& r : rows) {
    ReportRow o;
    o.rate_permille = r.targets > 0 ? (r.visited * 2000 + r.targets) / (2 * r.targets) : 0;
    o.row = std::move(r);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace vnh::care
