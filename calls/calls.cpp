#include "calls/calls.hpp"

#include <fmt/format.h>

#include <limits>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/tickets.hpp"

namespace vnh::calls {
using namespace vnh::domain;
using store::CallRow;

namespace {

Status check_call_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return invalid("call_id", "must be 1 to 64 characters");
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return invalid("call_id", "must be printable ASCII without spaces");
  }
  return Status::Ok();
}

bool over(CallState s) { return s == CallState::kEnded || s == CallState::kMissed; }

std::string actor_of(const Requester& by) { return by.pbx ? std::string("pbx") : by.username; }

Status audit(store::Database& db, TimeMs at, const Requester& by, const std::string& action, const CallRow& c,
             std::initializer_list<std::pair<std::string, std::string>> detail = {}) {
  return store::append_audit(db, at, {actor_of(by), action, "call:" + c.call_id, store::json_detail(detail)});
}

}  // namespace

void Calls::lower_hint(TimeMs at) {
  TimeMs cur = earliest_ringing_.load();
  while ((cur == 0 || at < cur) && !earliest_ringing_.compare_exchange_weak(cur, at)) {
  }
}

TimeMs Calls::next_expiry() const {
  const TimeMs e = earliest_ringing_.load();
  return e == 0 ? 0 : e + static_cast<TimeMs>(policy_.ring_timeout_s) * kMsPerSecond;
}

Status Calls::restore(store::Database& db) {
  VNH_ASSIGN_OR_RETURN(auto ringing, store::ringing_before(db, std::numeric_limits<TimeMs>::max()));
  if (!ringing.empty()) lower_hint(ringing.front().received_at);
  return Status::Ok();
}

Result<CallRow> Calls::load(store::Database& db, const std::string& call_id) {
  VNH_RETURN_IF_ERROR(check_call_id(call_id));
  auto c = store::find_call(db, call_id);
  if (!c.ok()) return c.status();
  if (!*c) return not_found(fmt::format("no call {}", call_id), "call_id");
  return std::move(**c);
}

Result<Received> Calls::receive(store::WriteTx& tx, const Incoming& in) {
  auto& db = tx.db();
  const TimeMs now = clock_.now_ms();
  VNH_RETURN_IF_ERROR(check_text(in.line, "line", 40, false, true));
  Received r;
  store::NewCall c;
  if (in.call_id) {
    VNH_RETURN_IF_ERROR(check_call_id(*in.call_id));
    c.call_id = *in.call_id;
  } else {
    c.call_id = fmt::format("C{}-{}", now, random_token().substr(0, 6));
  }
  auto normalized = normalize_phone(in.caller, policy_.default_area_code);
  if (normalized.ok()) {
    r.caller = *normalized;
    VNH_ASSIGN_OR_RETURN(r.elder_ids, store::find_elders_by_phone(db, crypto_, *normalized));
  }
  c.caller = r.caller;
  c.caller_masked = r.caller ? mask_phone(*r.caller) : std::string("unknown");
  c.line = in.line;
  c.received_at = now;
  c.reported_by = in.reported_by;
  c.elders_matched = static_cast<int>(r.elder_ids.size());
  VNH_ASSIGN_OR_RETURN(r.call.id, store::insert_call(db, crypto_, c));
  r.call.call_id = c.call_id;
  r.call.caller_masked = c.caller_masked;
  r.call.caller_known = c.caller.has_value();
  r.call.line = c.line;
  r.call.received_at = now;
  r.call.reported_by = c.reported_by;
  r.call.elders_matched = c.elders_matched;
  VNH_RETURN_IF_ERROR(store::append_audit(db, now, {in.reported_by, "call.receive", "call:" + c.call_id,
                                                    store::json_detail({{"line", in.line}})}));
  ++received_;
  lower_hint(now);  // a rollback leaves an early hint: one sweep that finds nothing
  return r;
}

Result<CallRow> Calls::answer(store::WriteTx& tx, const std::string& call_id, const std::string& agent,
                              const Requester& by) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto c, load(db, call_id));
  auto user = store::find_user(db, agent);
  if (!user.ok()) return user.status();
  if (!*user || !(*user)->active || ((*user)->role != Role::kOperator && (*user)->role != Role::kSupervisor)) {
    return invalid("agent", fmt::format("{} is not an operator of this hotline", agent), reason::kUnknownAgent);
  }
  if (!by.pbx && by.username != agent) {
    return Status(Code::kPermissionDenied, "a console claims a call for its own user", "agent", reason::kForbidden);
  }
  if (c.state == CallState::kAnswered && c.answered_by == agent) return c;  // a repeat
  if (c.state == CallState::kAnswered) {
    return Status(Code::kFailedPrecondition, fmt::format("the call was answered by {}", *c.answered_by), "call_id",
                  reason::kAlreadyAnswered);
  }
  if (over(c.state)) {
    return Status(Code::kFailedPrecondition, fmt::format("the call is over ({})", to_string(c.state)), "call_id",
                  reason::kCallOver);
  }
  const TimeMs now = clock_.now_ms();
  c.state = CallState::kAnswered;
  c.answered_by = agent;
  c.answered_at = now;
  VNH_RETURN_IF_ERROR(store::save_call(db, c));
  VNH_RETURN_IF_ERROR(audit(db, now, by, "call.answer", c, {{"agent", agent}}));
  return c;
}

Result<CallRow> Calls::hangup(store::WriteTx& tx, const std::string& call_id, const Requester& by) {
  auto& db = tx.db();
  VNH_ASSIGN_OR_RETURN(auto c, load(db, call_id));
  if (over(c.state)) return c;  // the other side hung up too
  if (!by.pbx && (c.state != CallState::kAnswered || c.answered_by != by.username)) {
    return Status(Code::kPermissionDenied, "only the operator who answered a call (or the PBX) hangs it up",
                  "call_id", reason::kNotYourCall);
  }
  const TimeMs now = clock_.now_ms();
  c.state = c.state == CallState::kAnswered ? CallState::kEnded : CallState::kMissed;
  c.ended_at = now;
  VNH_RETURN_IF_ERROR(store::save_call(db, c));
  VNH_RETURN_IF_ERROR(audit(db, now, by, "call.hangup", c, {{"state", std::string(to_string(c.state))}}));
  return c;
}

Result<CallRow> Calls::record_outcome(store::WriteTx& tx, const std::string& call_id, CallOutcome outcome,
                                      const std::optional<std::string>& ticket_no, const std::string& note,
                                      const Requester& by) {
  auto& db = tx.db();
  VNH_RETURN_IF_ERROR(check_text(note, "note", 500, false));
  VNH_ASSIGN_OR_RETURN(auto c, load(db, call_id));
  if (!c.answered_by) {
    return Status(Code::kFailedPrecondition, "nobody answered the call", "call_id", reason::kNotAnswered);
  }
  if (!by.pbx && c.answered_by != by.username && by.role != Role::kSupervisor) {
    return Status(Code::kPermissionDenied, fmt::format("the call was answered by {}", *c.answered_by), "call_id",
                  reason::kNotYourCall);
  }
  const TimeMs now = clock_.now_ms();
  if (outcome == CallOutcome::kTicket) {
    if (!ticket_no) return invalid("ticket_no", "is required when the outcome is ticket");
    VNH_ASSIGN_OR_RETURN(auto t, store::find_ticket(db, *ticket_no));
    if (!t) return not_found("no ticket " + *ticket_no, "ticket_no");
    VNH_RETURN_IF_ERROR(store::link_call(db, c.id, "ticket", t->id, now));
  }
  c.outcome = outcome;
  c.outcome_note = note;
  c.outcome_by = actor_of(by);
  VNH_RETURN_IF_ERROR(store::save_call(db, c));
  VNH_RETURN_IF_ERROR(audit(db, now, by, "call.outcome", c, {{"outcome", std::string(to_string(outcome))}}));
  return c;
}

Result<std::vector<CallRow>> Calls::expire_ringing(store::WriteTx& tx) {
  auto& db = tx.db();
  const TimeMs timeout = static_cast<TimeMs>(policy_.ring_timeout_s) * kMsPerSecond;
  const TimeMs now = clock_.now_ms();
  const std::uint64_t seen = received_;
  VNH_ASSIGN_OR_RETURN(auto due, store::ringing_before(db, now - timeout + 1));
  for (auto& c : due) {
    c.state = CallState::kMissed;
    c.ended_at = c.received_at + timeout;  // when it rang out
    VNH_RETURN_IF_ERROR(store::save_call(db, c));
    VNH_RETURN_IF_ERROR(store::append_audit(db, now, {"system", "call.missed", "call:" + c.call_id, "{}"}));
  }
  VNH_ASSIGN_OR_RETURN(auto left, store::ringing_before(db, std::numeric_limits<TimeMs>::max()));
  const TimeMs next = left.empty() ? 0 : left.front().received_at;
  tx.on_commit([this, next, seen] {
    if (received_ == seen) {
      earliest_ringing_ = next;  // no call came in meanwhile: the sweep saw every ringing one
    } else if (next != 0) {
      lower_hint(next);
    }
  });
  return due;
}

Result<std::optional<CallRow>> Calls::link(store::WriteTx& tx, const std::string& username, const std::string& kind,
                                           std::int64_t ref_id, const std::optional<std::string>& call_id) {
  auto& db = tx.db();
  std::optional<CallRow> call;
  if (call_id) {
    VNH_ASSIGN_OR_RETURN(auto c, load(db, *call_id));
    if (c.answered_by != username) {
      return invalid("call_id", fmt::format("{} is not a call you answered", *call_id), reason::kNotYourCall);
    }
    call = std::move(c);
  } else {
    VNH_ASSIGN_OR_RETURN(auto open, store::calls_in_progress(db, username));
    if (open.size() == 1) call = std::move(open.front());
  }
  if (call) VNH_RETURN_IF_ERROR(store::link_call(db, call->id, kind, ref_id, clock_.now_ms()));
  return call;
}

Result<std::string> Calls::number_to_dial(store::WriteTx& tx, const DialFor& what, const std::string& mode,
                                          const std::string& username) {
  auto& db = tx.db();
  std::string target;
  std::optional<std::string> number;
  if (what.ticket_no) {
    VNH_ASSIGN_OR_RETURN(auto t, store::find_ticket(db, *what.ticket_no));
    if (!t) return not_found("no ticket " + *what.ticket_no, "ticket_no");
    VNH_ASSIGN_OR_RETURN(auto secrets, store::decrypt_elder(db, crypto_, t->elder_id));
    if (!secrets.phones.empty()) number = secrets.phones.front();
    target = "ticket:" + t->ticket_no;
  } else if (what.call_id) {
    VNH_ASSIGN_OR_RETURN(auto c, load(db, *what.call_id));
    VNH_ASSIGN_OR_RETURN(number, store::call_caller(db, crypto_, c.id));
    target = "call:" + c.call_id;
  } else {
    return invalid("ticket_no", "give ticket_no (a callback) or call_id (a missed call)");
  }
  if (!number) return precondition("there is no number to call for " + target, reason::kNoNumber);
  VNH_RETURN_IF_ERROR(store::append_audit(db, clock_.now_ms(),
                                          {username, "phone.dial", target, store::json_detail({{"mode", mode}})}));
  return *number;
}

}  // namespace vnh::calls
