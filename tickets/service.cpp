#include "tickets/service.hpp"

#include <fmt/format.h>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"
#include "store/care.hpp"
#include "store/elders.hpp"
#include "store/query.hpp"
#include "store/reference.hpp"
#include "tickets/grants.hpp"

namespace vnh::tickets {
using namespace vnh::domain;
using store::TicketRow;

namespace {

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

void clear_offer(TicketRow& t) {
  t.offer_expires_at.reset();
  t.firm_id.reset();
}

}  // namespace

void Service::publish(store::WriteTx& tx, const TicketRow& t, const std::string& event,
                      std::optional<std::string> firm_code) {
  if (observers_.empty()) return;
  TicketChange change{t, event, std::move(firm_code)};
  for (Observer* o : observers_) {
    tx.on_commit([o, change] { o->ticket_changed(change); });
  }
}

Result<bool> Service::worker_seen(store::WriteTx& tx, std::int64_t firm_id, const WorkerSeen& w) {
  VNH_ASSIGN_OR_RETURN(bool known, store::update_staff_location(tx.db(), firm_id, w.staff_code, w.lat, w.lon, w.at));
  if (known) {
    for (Observer* o : observers_) tx.on_commit([o, w] { o->worker_seen(w); });
  }
  return known;
}

Result<TicketRow> Service::load(store::Database& db, const std::string& ticket_no) {
  if (ticket_no.empty() || ticket_no.size() > 40) return invalid("ticket_no", "is not a ticket number");
  auto t = store::find_ticket(db, ticket_no);
  if (!t.ok()) return t.status();
  if (!*t) return not_found(fmt::format("no ticket {}", ticket_no), "ticket_no");
  return std::move(**t);
}

Result<TicketRow> Service::load_for_firm(store::Database& db, std::int64_t firm_id, const std::string& ticket_no) {
  auto t = load(db, ticket_no);
  if (!t.ok()) return t;
  if (t->firm_id != firm_id) {
    return Status(Code::kPermissionDenied, fmt::format("ticket {} is not offered to or held by your firm", ticket_no),
                  "ticket_no", reason::kNotYourTicket);
  }
  return t;
}

Result<std::string> Service::firm_code(store::Database& db, std::int64_t firm_id) {
  auto f = store::firm_by_id(db, firm_id);
  if (!f.ok()) return f.status();
  if (!*f) return internal(fmt::format("firm {} vanished", firm_id));
  return (*f)->code;
}

Result<std::optional<Created>> Service::replay(store::Database& db, std::int64_t user_id,
                                               const std::optional<std::string>& key, const std::string& request_hash) {
  if (!key) return std::optional<Created>();
  VNH_RETURN_IF_ERROR(check_idempotency_key(*key));
  auto seen = store::find_idempotency_key(db, user_id, *key);
  if (!seen.ok()) return seen.status();
  if (!*seen) return std::optional<Created>();
  if ((*seen)->request_hash != request_hash) {
    return Status(Code::kInvalidArgument, "this Idempotency-Key was already used with a different request body",
                  "Idempotency-Key", reason::kIdempotencyKeyReused);
  }
  auto t = store::get_ticket(db, (*seen)->ticket_id);
  if (!t.ok()) return t.status();
  if (!*t) return internal("idempotent ticket vanished");
  return std::optional<Created>(Created{std::move(**t), true, {}, std::nullopt});  // rendered from the current row
}

namespace {

// Who: by ID number or by elder_id (one of them; both must agree when both are given).
Result<store::ElderRow> intake_elder(store::Database& db, const FieldCrypto& crypto, const CreateRequest& req) {
  VNH_ASSIGN_OR_RETURN(auto elder, store::elder_named(db, crypto, req.id_number, req.elder_id));
  VNH_RETURN_IF_ERROR(store::require_active_elder(elder));
  return elder;
}

Result<store::ServiceItem> intake_item(store::Database& db, const std::string& code) {
  if (code.empty()) return invalid("item_code", "is required");
  auto item = store::find_item(db, code);
  if (!item.ok()) return item.status();
  if (!*item) return not_found(fmt::format("no service item {}", code), "item_code");
  if (!(*item)->active) return Status(Code::kFailedPrecondition, "the service item is withdrawn", "item_code", reason::kItemInactive);
  return std::move(**item);
}

// The new row in state created: the request's urgency, channel, window and notes checked.
Result<TicketRow> draft_ticket(const CreateRequest& req, const store::ElderRow& elder, const store::ServiceItem& item,
                               const Actor& actor, TimeMs now) {
  auto urgency = parse_urgency(req.urgency);
  if (!urgency) return invalid("urgency", "must be normal or emergency");
  auto channel = parse_channel(req.channel);
  if (!channel || *channel == Channel::kImport) return invalid("channel", "must be hotline, device or app");
  VNH_RETURN_IF_ERROR(check_text(req.notes, "notes", 1000, false));
  TimeMs ws = req.window_start.value_or(now);
  TimeMs default_len = *urgency == Urgency::kEmergency ? kMsPerHour : 4 * kMsPerHour;
  TimeMs we = req.window_end.value_or(ws + default_len);
  if (we < ws) return invalid("window_end", "is before window_start");
  if (we - ws > 31 * kMsPerDay) return invalid("window_end", "the requested window is longer than 31 days");
  TicketRow t;
  t.elder_id = elder.id;
  t.item_id = item.id;
  t.category = item.category;
  t.channel = *channel;
  t.urgency = *urgency;
  t.window_start = ws;
  t.window_end = we;
  t.notes = req.notes;
  t.state = TicketState::kCreated;
  t.created_at = now;
  t.created_by = actor.name;
  t.updated_at = now;
  return t;
}

std::string offer_detail(const TicketRow& t, const dispatcher::Candidate& c) {
  return json_detail({{"accept_by", format_time_utc(*t.offer_expires_at)},
                      {"round", std::to_string(t.offers_made)},
                      {"distance_m", std::to_string(c.distance_m)}});
}

}  // namespace

Result<Created> Service::create(store::WriteTx& tx, const CreateRequest& req, const Actor& actor, std::int64_t user_id,
                                const std::optional<std::string>& key, const std::string& request_hash) {
  auto& db = tx.db();
  TimeMs now = clock_.now_ms();
  auto replayed = replay(db, user_id, key, request_hash);
  if (!replayed.ok()) return replayed.status();
  if (*replayed) return std::move(**replayed);
  VNH_ASSIGN_OR_RETURN(auto elder, intake_elder(db, crypto_, req));
  VNH_ASSIGN_OR_RETURN(auto item, intake_item(db, req.item_code));
  VNH_ASSIGN_OR_RETURN(TicketRow t, draft_ticket(req, elder, item, actor, now));
  Date today = policy_.tz->local_date(now);
  VNH_ASSIGN_OR_RETURN(t.ticket_no, store::next_ticket_no(db, fmt::format("{:04}{:02}{:02}", today.year, today.month, today.day)));
  // Dispatch decides before the row is written, so a new ticket is inserted once, already
  // offered (or unassigned), instead of inserted and then updated through the same indexes.
  VNH_ASSIGN_OR_RETURN(auto decision, dispatcher_.decide(db, t, {&elder, &item}));
  TicketRow as_created = t;  // what the "created" change shows, before dispatch
  const TicketState from = t.state;
  VNH_ASSIGN_OR_RETURN(t.state, next_state(from, decision.offer_to ? TicketAction::kOffer : TicketAction::kNoCandidate));
  if (decision.offer_to) {
    mark_offered(t, decision, now);
  } else {
    t.unassigned_reason = decision.unassigned_reason;
  }
  VNH_ASSIGN_OR_RETURN(t.id, store::insert_ticket(db, t));
  as_created.id = t.id;
  if (t.urgency == Urgency::kEmergency) {
    VNH_RETURN_IF_ERROR(pull_care_forward(db, t.elder_id, "emergency_ticket", t.ticket_no, now));
  }
  Created out;
  VNH_ASSIGN_OR_RETURN(out.likely_duplicates, store::open_ticket_numbers(db, t.elder_id, t.category, t.id));
  VNH_RETURN_IF_ERROR(note_event(db, t, now, actor, "created",
                                 json_detail({{"item_code", item.code},
                                              {"urgency", std::string(to_string(t.urgency))},
                                              {"channel", std::string(to_string(t.channel))}})));
  if (actor.audit) {
    VNH_RETURN_IF_ERROR(store::append_audit(db, now, {actor.name, "ticket.create", "ticket:" + t.ticket_no,
                                                      fmt::format("{{\"elder\":\"{}\"}}", store::elder_public_id(t.elder_id))}));
  }
  if (key) VNH_RETURN_IF_ERROR(store::insert_idempotency_key(db, *key, user_id, request_hash, t.id, now));
  publish(tx, as_created, "created");
  if (decision.offer_to) {
    const auto& c = *decision.offer_to;
    VNH_RETURN_IF_ERROR(record_transition(db, t, from, now, actor, "offered", offer_detail(t, c), c.code));
    VNH_RETURN_IF_ERROR(announce_offer(tx, t, decision, now));
  } else {
    VNH_RETURN_IF_ERROR(record_transition(db, t, from, now, actor, "unassigned",
                                          json_detail({{"reason", decision.unassigned_reason}})));
    announce_unassigned(tx, t);
  }
  out.names = names_of(t, elder, item);
  out.ticket = std::move(t);
  return out;
}

Status Service::pull_care_forward(store::Database& db, std::int64_t elder_id, const char* kind, const std::string& ref,
                                  TimeMs now) const {
  return store::pull_care_visit_forward(db, elder_id, policy_.care_event_due_at(now), kind, ref, now).status();
}

std::optional<TicketNames> Service::names_of(const TicketRow& t, const store::ElderRow& elder,
                                             const store::ServiceItem& item) const {
  // The response is built from what this transaction wrote, without reading it back.
  TicketNames names{item.code, item.name, elder.name, elder.community_code, std::nullopt, std::nullopt};
  if (t.firm_id) {
    auto firm = dispatcher_.firm_label(*t.firm_id);
    if (!firm) return std::nullopt;  // the response reads them instead
    names.firm_code = firm->first;
    names.firm_name = firm->second;
  }
  return names;
}

void Service::mark_offered(TicketRow& t, const dispatcher::Decision& d, TimeMs now) const {
  t.firm_id = d.offer_to->firm_id;
  t.offers_made += 1;
  t.offer_seq = t.offers_made;
  t.offer_expires_at = d.accept_by;
  t.offered_at = now;
  t.unassigned_reason.reset();
}

Status Service::announce_offer(store::WriteTx& tx, const TicketRow& t, const dispatcher::Decision& d, TimeMs now) {
  const auto& c = *d.offer_to;
  Offer o{t, d.item, d.elder, c.firm_id, c.code, *t.offer_expires_at, static_cast<double>(c.distance_m), {}, {}, 0, {}};
  VNH_ASSIGN_OR_RETURN(auto grants, MonthGrants::load(tx.db(), policy_, d.elder, now));
  o.grants = grants.balances();
  auto funding = grants.funding_of(d.item);
  o.funding = std::move(funding.rule);
  o.covered_fen = funding.covered_fen;
  o.programmes = std::move(funding.programmes);
  VNH_RETURN_IF_ERROR(offers_.offer(tx, o));
  dispatcher_.offered(tx, c.firm_id, now);
  tx.on_commit([this, at = *t.offer_expires_at, id = t.id, round = t.offers_made] {
    timers_.schedule({id, round, at});
  });
  publish(tx, t, "offered", c.code);
  return Status::Ok();
}

void Service::announce_unassigned(store::WriteTx& tx, const TicketRow& t) {
  dispatcher_.left_unassigned(tx);
  publish(tx, t, "unassigned");
}

Status Service::apply(store::WriteTx& tx, TicketRow& t, const dispatcher::Decision& d, const Actor& actor) {
  auto& db = tx.db();
  TimeMs now = clock_.now_ms();
  if (d.offer_to) {
    mark_offered(t, d, now);
    VNH_RETURN_IF_ERROR(transition(db, t, TicketAction::kOffer, now, actor, "offered", offer_detail(t, *d.offer_to),
                                   d.offer_to->code));
    return announce_offer(tx, t, d, now);
  }
  if (t.state == TicketState::kUnassigned) {
    return Status(Code::kFailedPrecondition, "no firm can take this ticket now: " + d.unassigned_reason, "ticket_no",
                  reason::kNoCandidate);
  }
  t.unassigned_reason = d.unassigned_reason;
  VNH_RETURN_IF_ERROR(transition(db, t, TicketAction::kNoCandidate, now, actor, "unassigned",
                                 json_detail({{"reason", d.unassigned_reason}})));
  announce_unassigned(tx, t);
  return Status::Ok();
}

Status Service::dispatch(store::WriteTx& tx, TicketRow& t, const Actor& actor, const dispatcher::DispatchFacts& facts) {
  if (t.state != TicketState::kCreated && t.state != TicketState::kUnassigned) {
    return precondition(fmt::format("cannot dispatch a ticket that is {}", to_string(t.state)), reason::kIllegalTransition);
  }
  auto d = dispatcher_.decide(tx.db(), t, facts);
  if (!d.ok()) return d.status();
  return apply(tx, t, *d, actor);
}

Result<TicketRow> Service::cancel(store::WriteTx& tx, const std::string& ticket_no, const std::string& reason,
                                  const Actor& actor) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(reason, "reason", 500));
  auto t = load(db, ticket_no);
  if (!t.ok()) return t;
  TicketRow before = *t;
  TimeMs now = clock_.now_ms();
  t->cancel_reason = reason;
  t->closed_at = now;
  if (before.state == TicketState::kOffered) clear_offer(*t);
  VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kCancel, now, actor, "cancelled", json_detail({{"reason", reason}}),
                                 std::nullopt));
  if (before.firm_id) {
    if (before.state == TicketState::kOffered) {
      VNH_RETURN_IF_ERROR(offers_.withdrawn(tx, *before.firm_id, *t, "cancelled: " + reason));
    } else {
      if (t->accepted_at) dispatcher_.released(tx, *before.firm_id);  // its capacity of today is free again
      VNH_RETURN_IF_ERROR(offers_.cancelled(tx, *before.firm_id, *t, reason));
    }
  }
  publish(tx, *t, "cancelled");
  return t;
}

Result<TicketRow> Service::accept(store::WriteTx& tx, std::int64_t firm_id, const std::string& ticket_no,
                                  const Actor& actor) {
  auto& db = tx.db();
  auto t = load_for_firm(db, firm_id, ticket_no);
  if (!t.ok()) return t;
  TimeMs now = clock_.now_ms();
  if (t->state == TicketState::kOffered && t->offer_expires_at && now > *t->offer_expires_at) {
    return Status(Code::kFailedPrecondition, fmt::format("the offer of {} expired", ticket_no), "ticket_no",
                  reason::kOfferExpired);
  }
  t->accepted_at = now;
  t->offer_expires_at.reset();
  auto code = firm_code(db, firm_id);
  if (!code.ok()) return code.status();
  VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kAccept, now, actor, "accepted", "{}", *code));
  dispatcher_.accepted(tx, firm_id);
  publish(tx, *t, "accepted", *code);
  return t;
}

Result<TicketRow> Service::decline(store::WriteTx& tx, std::int64_t firm_id, const std::string& ticket_no,
                                   const std::string& reason, const Actor& actor) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(reason, "reason", 200, false));
  auto t = load_for_firm(db, firm_id, ticket_no);
  if (!t.ok()) return t;
  TimeMs now = clock_.now_ms();
  auto code = firm_code(db, firm_id);
  if (!code.ok()) return code.status();
  clear_offer(*t);
  VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kDecline, now, actor, "declined",
                                 json_detail({{"reason", reason}}), *code));
  VNH_RETURN_IF_ERROR(store::record_decline(db, t->id, firm_id, "declined", reason, now));
  publish(tx, *t, "declined", *code);
  VNH_RETURN_IF_ERROR(dispatch(tx, *t, actor.follow_up()));
  return t;
}

Result<TicketRow> Service::assign_staff(store::WriteTx& tx, std::int64_t firm_id, const std::string& ticket_no,
                                        const std::string& staff_code, const Actor& actor) {
  auto& db = tx.db();
  if (staff_code.empty() || staff_code.size() > 32) return invalid("staff_code", "is required");
  auto t = load_for_firm(db, firm_id, ticket_no);
  if (!t.ok()) return t;
  auto staff = store::find_staff(db, firm_id, staff_code);
  if (!staff.ok()) return staff.status();
  if (!*staff || !(*staff)->active) {
    return Status(Code::kNotFound, fmt::format("{} is not an active worker of your firm", staff_code), "staff_code",
                  reason::kUnknownStaff);
  }
  if (std::find((*staff)->skills.begin(), (*staff)->skills.end(), t->category) == (*staff)->skills.end()) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("{} is not registered for {}", staff_code, to_string(t->category)), "staff_code",
                  reason::kMissingSkill);
  }
  auto code = firm_code(db, firm_id);
  if (!code.ok()) return code.status();
  t->staff_code = staff_code;
  VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kAssignStaff, clock_.now_ms(), actor, "staff_assigned",
                                 json_detail({{"staff_code", staff_code}}), *code));
  publish(tx, *t, "staff_assigned", *code);
  return t;
}

Status Service::validate_visit(const VisitReport& r) {
  if (r.staff_code.empty() || r.staff_code.size() > 32) return invalid("staff_code", "is required");
  if (!valid_lat_lon(r.lat, r.lon) || (r.lat == 0 && r.lon == 0)) return invalid("lat", "is not a WGS-84 position");
  if (!is_hex64(r.photo_sha256)) return invalid("photo_sha256", "must be 64 hexadecimal characters (SHA-256)");
  if (r.device_time <= 0) return invalid("time_ms", "is required (device time, Unix ms)");
  return Status::Ok();
}

Result<TicketRow> Service::check_in(store::WriteTx& tx, std::int64_t firm_id, const VisitReport& r,
                                    const Actor& actor) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(validate_visit(r));
  auto t = load_for_firm(db, firm_id, r.ticket_no);
  if (!t.ok()) return t;
  auto elder = store::get_elder_core(db, t->elder_id);
  if (!elder.ok()) return elder.status();
  auto staff = store::find_staff(db, firm_id, r.staff_code);
  if (!staff.ok()) return staff.status();
  auto code = firm_code(db, firm_id);
  if (!code.ok()) return code.status();
  TimeMs now = clock_.now_ms();
  if (!t->staff_code) t->staff_code = r.staff_code;
  t->checkin_at = r.device_time;
  t->checkin_lat = r.lat;
  t->checkin_lon = r.lon;
  t->checkin_photo = r.photo_sha256;
  VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kCheckIn, now, actor, "checked_in",
                                 json_detail({{"staff_code", r.staff_code}, {"device_time", format_time_utc(r.device_time)}}),
                                 *code));
  CheckInFacts facts{{(*elder)->lat, (*elder)->lon}, {r.lat, r.lon}, staff->has_value(), r.device_time, now};
  auto n = record_visit_findings(db, *t, verify_check_in(facts, policy_.visits), now, actor);
  if (!n.ok()) return n.status();
  publish(tx, *t, *n > 0 ? "checked_in_flagged" : "checked_in", *code);
  return t;
}

Result<TicketRow> Service::check_out(store::WriteTx& tx, std::int64_t firm_id, const VisitReport& r,
                                     const Actor& actor) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(validate_visit(r));
  auto t = load_for_firm(db, firm_id, r.ticket_no);
  if (!t.ok()) return t;
  auto item = store::item_by_id(db, t->item_id);
  if (!item.ok()) return item.status();
  auto code = firm_code(db, firm_id);
  if (!code.ok()) return code.status();
  TimeMs now = clock_.now_ms();
  t->checkout_at = r.device_time;
  t->checkout_lat = r.lat;
  t->checkout_lon = r.lon;
  t->checkout_photo = r.photo_sha256;
  t->closed_at = now;
  VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kCheckOut, now, actor, "checked_out",
                                 json_detail({{"staff_code", r.staff_code}, {"device_time", format_time_utc(r.device_time)}}),
                                 *code));
  CheckOutFacts facts{t->checkin_at.value_or(r.device_time), r.device_time, (*item)->duration_min, r.device_time, now};
  auto n = record_visit_findings(db, *t, verify_check_out(facts, policy_.visits), now, actor);
  if (!n.ok()) return n.status();
  publish(tx, *t, t->held_exceptions > 0 ? "completed_flagged" : "completed", *code);
  return t;
}

Result<bool> Service::offer_timed_out(store::WriteTx& tx, std::int64_t ticket_id, std::int64_t offer_seq) {
  auto& db = tx.db();
  auto row = store::get_ticket(db, ticket_id);
  if (!row.ok()) return row.status();
  if (!*row) return false;
  TicketRow t = std::move(**row);
  TimeMs now = clock_.now_ms();
  if (t.state != TicketState::kOffered || t.offer_seq != offer_seq || !t.offer_expires_at || now < *t.offer_expires_at) {
    return false;
  }
  std::int64_t firm_id = *t.firm_id;
  auto code = firm_code(db, firm_id);
  if (!code.ok()) return code.status();
  const Actor system = Actor::system();
  clear_offer(t);
  VNH_RETURN_IF_ERROR(transition(db, t, TicketAction::kTimeout, now, system, "timeout", "{}", *code));
  VNH_RETURN_IF_ERROR(store::record_decline(db, t.id, firm_id, "timeout", "no answer before the deadline", now));
  publish(tx, t, "timeout", *code);
  VNH_RETURN_IF_ERROR(offers_.withdrawn(tx, firm_id, t, "timeout"));
  VNH_RETURN_IF_ERROR(dispatch(tx, t, system));
  return true;
}

Result<TicketRow> Service::reoffer(store::WriteTx& tx, const std::string& ticket_no,
                                   const std::optional<std::string>& firm, const Actor& actor) {
  auto& db = tx.db();
  auto t = load(db, ticket_no);
  if (!t.ok()) return t;
  TimeMs now = clock_.now_ms();
  if (t->state == TicketState::kOffered) {
    std::int64_t held_by = *t->firm_id;
    clear_offer(*t);
    VNH_RETURN_IF_ERROR(transition(db, *t, TicketAction::kWithdraw, now, actor, "withdrawn",
                                   json_detail({{"reason", "re-offered by a supervisor"}})));
    VNH_RETURN_IF_ERROR(offers_.withdrawn(tx, held_by, *t, "reoffered"));
  } else if (t->state != TicketState::kUnassigned && t->state != TicketState::kCreated) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("only unassigned or offered tickets can be re-offered; {} is {}", ticket_no,
                              to_string(t->state)),
                  "ticket_no", reason::kIllegalTransition);
  }
  VNH_RETURN_IF_ERROR(note_event(db, *t, now, actor, "reoffer", json_detail({{"firm_code", firm.value_or("")}})));
  if (firm) {
    // A supervisor's choice: that firm, whatever it or others declined before.
    VNH_ASSIGN_OR_RETURN(auto d, dispatcher_.decide_for_firm(db, *t, *firm));
    VNH_RETURN_IF_ERROR(store::clear_declines(db, t->id));
    VNH_RETURN_IF_ERROR(apply(tx, *t, d, actor));
  } else {
    VNH_RETURN_IF_ERROR(store::clear_declines(db, t->id));
    VNH_RETURN_IF_ERROR(dispatch(tx, *t, actor));
  }
  return t;
}

Result<TicketRow> Service::resolve_exception(store::WriteTx& tx, std::int64_t exception_id, bool clear,
                                             const std::string& reason_code, const std::string& note,
                                             const Actor& actor) {
  auto& db = tx.db();
  if (clear ? !valid_clear_reason(reason_code) : !valid_uphold_reason(reason_code)) {
    return invalid("reason_code", fmt::format("'{}' is not a documented reason code for {}", reason_code,
                                              clear ? "clearing" : "upholding"));
  }
  VNH_RETURN_IF_ERROR(check_text(note, "note", 1000));
  auto ex = store::get_visit_exception(db, exception_id);
  if (!ex.ok()) return ex.status();
  if (!*ex) return not_found(fmt::format("no visit exception {}", exception_id), "exception_id");
  if ((*ex)->status != ExceptionStatus::kOpen) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("exception {} is already {}", exception_id, to_string((*ex)->status)), "exception_id",
                  reason::kNotOpen);
  }
  TimeMs now = clock_.now_ms();
  VNH_RETURN_IF_ERROR(store::resolve_visit_exception(db, exception_id,
                                                     clear ? ExceptionStatus::kCleared : ExceptionStatus::kUpheld,
                                                     reason_code, note, actor.name, now));
  auto t = store::get_ticket(db, (*ex)->ticket_id);
  if (!t.ok()) return t.status();
  TicketRow row = std::move(**t);
  VNH_RETURN_IF_ERROR(note_event(db, row, now, actor, clear ? "exception_cleared" : "exception_upheld",
                                 json_detail({{"exception", std::string(to_string((*ex)->type))},
                                              {"reason_code", reason_code},
                                              {"note", note}})));
  VNH_RETURN_IF_ERROR(store::append_audit(
      db, now,
      {actor.name, clear ? "visit_exception.clear" : "visit_exception.uphold", "ticket:" + row.ticket_no,
       json_detail({{"exception_id", std::to_string(exception_id)}, {"type", std::string(to_string((*ex)->type))},
                    {"reason_code", reason_code}, {"note", note}})}));
  publish(tx, row, clear ? "exception_cleared" : "exception_upheld");
  return row;
}

Result<TicketRow> Service::resolve_dispute(store::WriteTx& tx, const std::string& ticket_no, bool clear,
                                           const std::string& note, const Actor& actor) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(note, "note", 1000));
  auto t = load(db, ticket_no);
  if (!t.ok()) return t;
  if (t->state == TicketState::kDisputed && t->dispute != DisputeStatus::kOpen) {
    return Status(Code::kFailedPrecondition, fmt::format("the dispute of {} was already decided", ticket_no),
                  "ticket_no", reason::kNotOpen);
  }
  t->dispute = clear ? DisputeStatus::kCleared : DisputeStatus::kUpheld;
  VNH_RETURN_IF_ERROR(transition(db, *t, clear ? TicketAction::kClearDispute : TicketAction::kUpholdDispute,
                                 clock_.now_ms(), actor, clear ? "dispute_cleared" : "dispute_upheld",
                                 json_detail({{"note", note}})));
  publish(tx, *t, clear ? "dispute_cleared" : "dispute_upheld");
  return t;
}

Result<TicketRow> Service::callback(store::WriteTx& tx, const std::string& ticket_no, store::CallbackRow cb,
                                    const Actor& actor, bool elder_unwell) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(cb.comment, "comment", 1000, false));
  auto t = load(db, ticket_no);
  if (!t.ok()) return t;
  // A deceased elder is not called back (SPEC §13): the family is not asked to rate a visit.
  VNH_ASSIGN_OR_RETURN(auto elder, store::get_elder_core(db, t->elder_id));
  if (elder && elder->status == ElderStatus::kDeceased) VNH_RETURN_IF_ERROR(store::require_active_elder(*elder));
  cb.called_at = clock_.now_ms();
  cb.operator_name = actor.name;
  // One callback reaches the elder; attempts that did not reach them may be repeated.
  VNH_ASSIGN_OR_RETURN(auto earlier, store::list_callbacks(db, t->id));
  for (const auto& e : earlier) {
    if (e.reached) {
      return Status(Code::kFailedPrecondition,
                    fmt::format("{} was called back already ({} reached the elder)", ticket_no, e.operator_name),
                    "ticket_no", reason::kAlreadyCalledBack);
    }
  }
  auto disputed = record_callback(db, *t, cb, actor);
  if (!disputed.ok()) return disputed.status();
  if (cb.sample_date) {
    VNH_RETURN_IF_ERROR(
        store::record_sample_attempt(db, *cb.sample_date, t->id, cb.reached, policy_.callback_max_attempts));
  }
  if (actor.audit) {
    VNH_RETURN_IF_ERROR(store::append_audit(db, cb.called_at, {actor.name, "callback.record", "ticket:" + ticket_no,
                                                               json_detail({{"reached", cb.reached ? "1" : "0"}})}));
  }
  if (elder_unwell && cb.reached) {
    VNH_RETURN_IF_ERROR(pull_care_forward(db, t->elder_id, "callback_unwell", ticket_no, cb.called_at));
  }
  publish(tx, *t, *disputed ? "disputed" : "callback");
  return t;
}

}  // namespace vnh::tickets
