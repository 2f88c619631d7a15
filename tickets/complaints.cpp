// Complaints (SPEC §4.8): filed about a ticket, investigated, closed with an outcome.
#include <fmt/format.h>

#include "common/text.hpp"
#include "store/audit.hpp"
#include "tickets/service.hpp"

namespace vnh::tickets {
using namespace vnh::domain;

Result<store::ComplaintRow> Service::file_complaint(store::WriteTx& tx, const std::string& ticket_no,
                                                    const std::string& description, const Actor& actor) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(description, "description", 2000));
  auto t = store::find_ticket(db, ticket_no);
  if (!t.ok()) return t.status();
  if (!*t) return not_found("no ticket " + ticket_no, "ticket_no");
  if (!(*t)->firm_id) return precondition("the ticket never reached a firm; nothing to complain about", reason::kNoFirm);
  store::ComplaintRow c;
  c.ticket_id = (*t)->id;
  c.filed_at = clock_.now_ms();
  c.status = ComplaintStatus::kOpen;
  c.description = description;
  c.filed_by = actor.name;
  VNH_ASSIGN_OR_RETURN(c.id, store::insert_complaint(db, c));
  VNH_RETURN_IF_ERROR(note_event(db, **t, c.filed_at, actor, "complaint",
                                 json_detail({{"complaint_id", std::to_string(c.id)}, {"status", "open"}})));
  VNH_RETURN_IF_ERROR(store::append_audit(db, c.filed_at, {actor.name, "complaint.open", "ticket:" + ticket_no,
                                                           json_detail({{"complaint_id", std::to_string(c.id)}})}));
  return c;
}

namespace {
// The complaint to move on: it exists and is not closed yet.
Result<store::ComplaintRow> open_complaint(store::Database& db, std::int64_t id) {
  auto c = store::get_complaint(db, id);
  if (!c.ok()) return c.status();
  if (!*c) return not_found(fmt::format("no complaint {}", id), "id");
  if (is_closed((*c)->status)) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("the complaint is already closed as {}", to_string((*c)->status)), "id", reason::kClosed);
  }
  return std::move(**c);
}
}  // namespace

// Saves the complaint and records the step on its ticket: an event and an audit entry.
Status Service::complaint_step(store::WriteTx& tx, const store::ComplaintRow& c, const Actor& actor, const char* action) {
  auto& db = tx.db();
  const TimeMs now = clock_.now_ms();
  VNH_RETURN_IF_ERROR(store::save_complaint(db, c));
  auto t = store::get_ticket(db, c.ticket_id);
  if (!t.ok()) return t.status();
  if (!*t) return internal(fmt::format("complaint {} names a missing ticket", c.id));
  const std::string detail =
      json_detail({{"complaint_id", std::to_string(c.id)}, {"status", std::string(to_string(c.status))}});
  VNH_RETURN_IF_ERROR(note_event(db, **t, now, actor, "complaint", detail));
  return store::append_audit(db, now, {actor.name, action, "ticket:" + (*t)->ticket_no, detail});
}

Result<store::ComplaintRow> Service::investigate_complaint(store::WriteTx& tx, std::int64_t complaint_id,
                                                           const std::optional<std::string>& finding, const Actor& actor) {
  if (finding) VNH_RETURN_IF_ERROR(check_text(*finding, "finding", 2000, false));
  VNH_ASSIGN_OR_RETURN(auto c, open_complaint(tx.db(), complaint_id));
  if (c.status == ComplaintStatus::kInvestigating) {
    return Status(Code::kFailedPrecondition, "already under investigation", "id", reason::kIllegalTransition);
  }
  c.status = ComplaintStatus::kInvestigating;
  c.investigator = actor.name;
  if (finding) c.finding = *finding;
  VNH_RETURN_IF_ERROR(complaint_step(tx, c, actor, "complaint.investigate"));
  return c;
}

Result<store::ComplaintRow> Service::close_complaint(store::WriteTx& tx, std::int64_t complaint_id,
                                                     ComplaintStatus outcome, const std::string& finding,
                                                     const Actor& actor) {
  if (!is_closed(outcome)) return invalid("outcome", "must be substantiated or rejected");
  if (trim(finding).empty()) return invalid("finding", "is required to close a complaint");
  VNH_RETURN_IF_ERROR(check_text(finding, "finding", 2000));
  VNH_ASSIGN_OR_RETURN(auto c, open_complaint(tx.db(), complaint_id));
  c.status = outcome;
  c.closed_at = clock_.now_ms();
  c.closed_by = actor.name;
  c.finding = finding;
  if (!c.investigator) c.investigator = actor.name;
  VNH_RETURN_IF_ERROR(complaint_step(tx, c, actor, "complaint.close"));
  if (outcome == ComplaintStatus::kSubstantiated) {
    VNH_ASSIGN_OR_RETURN(auto t, store::get_ticket(tx.db(), c.ticket_id));
    if (!t) return internal(fmt::format("complaint {} names a missing ticket", c.id));
    VNH_RETURN_IF_ERROR(pull_care_forward(tx.db(), t->elder_id, "complaint_substantiated", t->ticket_no, *c.closed_at));
  }
  return c;
}

}  // namespace vnh::tickets
