#pragma once
// Tickets repository: the ticket row, its append-only event log, the firms that declined
// it, its visit exceptions and the daily ticket-number counter. The state machine itself is
// domain/ticket_state; services load a row, check the transition, change the row, save it
// and append the event in one transaction.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "domain/types.hpp"
#include "domain/visit.hpp"
#include "store/queue.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

// A ticket's column values (after id), as save_ticket compares them.
using TicketColumnValues = std::vector<std::variant<std::monostate, std::int64_t, double, std::string>>;

struct TicketRow {
  std::int64_t id = 0;
  std::string ticket_no;
  std::int64_t elder_id = 0;
  std::int64_t item_id = 0;
  domain::Category category = domain::Category::kLifeCare;
  domain::Channel channel = domain::Channel::kHotline;
  domain::Urgency urgency = domain::Urgency::kNormal;
  TimeMs window_start = 0;
  TimeMs window_end = 0;
  std::string notes;
  domain::TicketState state = domain::TicketState::kCreated;
  std::optional<std::int64_t> firm_id;
  std::optional<std::string> staff_code;
  std::optional<TimeMs> offer_expires_at;
  std::optional<std::int64_t> offer_seq;
  int offers_made = 0;
  TimeMs created_at = 0;
  std::string created_by;
  TimeMs updated_at = 0;
  std::optional<TimeMs> accepted_at;
  std::optional<TimeMs> checkin_at;
  std::optional<double> checkin_lat, checkin_lon;
  std::optional<std::string> checkin_photo;
  std::optional<TimeMs> checkout_at;
  std::optional<double> checkout_lat, checkout_lon;
  std::optional<std::string> checkout_photo;
  std::optional<TimeMs> closed_at;
  std::optional<std::string> cancel_reason;
  std::optional<std::string> unassigned_reason;
  domain::DisputeStatus dispute = domain::DisputeStatus::kNone;
  int held_exceptions = 0;
  std::optional<TimeMs> offered_at;  // when the current (or accepted) offer was made
  // The column values as last read or written, so save_ticket writes only what changed
  // (each indexed column rewritten costs index updates).
  std::shared_ptr<const TicketColumnValues> stored;
};

struct TicketEventRow {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  TimeMs at = 0;
  std::string type;
  std::string actor;
  std::optional<std::string> from_state;
  std::optional<std::string> to_state;
  std::optional<std::string> firm_code;
  std::string detail = "{}";  // JSON object
};

struct VisitExceptionRow {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  domain::VisitExceptionType type = domain::VisitExceptionType::kDistance;
  std::string detail;
  std::string facts = "{}";  // JSON object of the measured values (domain::VisitFinding::facts)
  domain::ExceptionStatus status = domain::ExceptionStatus::kOpen;
  std::optional<std::string> reason_code;
  std::optional<std::string> note;
  std::optional<std::string> resolved_by;
  std::optional<TimeMs> resolved_at;
  TimeMs created_at = 0;
};

// Inserts the row, setting its id.
Result<std::int64_t> insert_ticket(Database& db, TicketRow& t);
// Writes the columns that changed since the row was read or last saved (id identifies it).
Status save_ticket(Database& db, TicketRow& t);
Result<std::optional<TicketRow>> get_ticket(Database& db, std::int64_t id);
Result<std::optional<TicketRow>> find_ticket(Database& db, const std::string& ticket_no);

struct TicketFilter {
  std::optional<domain::TicketState> state;
  std::optional<std::int64_t> firm_id;
  std::optional<std::int64_t> elder_id;
  std::optional<domain::Urgency> urgency;
  std::optional<std::int64_t> item_id;
  std::vector<std::int64_t> elder_ids;  // any of these elders (the ones at a phone number)
  std::optional<TimeMs> created_from, created_to;  // created in [from, to)
  std::optional<std::int64_t> before_id;  // paging: rows with id < before_id (newest first)
  int limit = 50;
};
Result<std::vector<TicketRow>> list_tickets(Database& db, const TicketFilter& f);
// Open tickets (not completed/cancelled/disputed) of an elder, newest first.
Result<std::vector<TicketRow>> open_tickets_of_elder(Database& db, std::int64_t elder_id);
Result<std::vector<TicketRow>> recent_completed_of_elder(Database& db, std::int64_t elder_id, int limit);
// Numbers of the elder's open tickets of a category other than `except_id` (likely duplicates),
// newest first (by number), at most kMaxLikelyDuplicates of them.
inline constexpr int kMaxLikelyDuplicates = 20;
Result<std::vector<std::string>> open_ticket_numbers(Database& db, std::int64_t elder_id, domain::Category category,
                                                     std::int64_t except_id);

// An elder's tickets that draw on the month's grants (SPEC §13): completed (not disputed), no
// uncleared visit exception, checked out in [from, to), in check-out order, ties by number —
// the order settlement draws them in — with what the draw needs of their items.
struct GrantDrawTicket {
  TimeMs checkout_at = 0;
  domain::Category category = domain::Category::kLifeCare;
  std::int64_t standard_price_fen = 0;
  int duration_min = 0;
  bool meal = false;
};
Result<std::vector<GrantDrawTicket>> elder_grant_tickets(Database& db, std::int64_t elder_id, TimeMs from, TimeMs to);

Status append_event(Database& db, const TicketEventRow& e);
Result<std::vector<TicketEventRow>> list_events(Database& db, std::int64_t ticket_id);

// Records that a firm declined (or let time out, or had withdrawn) an offer of this ticket.
Status record_decline(Database& db, std::int64_t ticket_id, std::int64_t firm_id, const std::string& kind,
                      const std::string& reason, TimeMs at);
Result<std::vector<std::int64_t>> declined_firms(Database& db, std::int64_t ticket_id);
Status clear_declines(Database& db, std::int64_t ticket_id);

// Inserts a visit exception (at most one open per type and ticket) and bumps the ticket's
// held_exceptions count when it is new.
Result<bool> insert_visit_exception(Database& db, std::int64_t ticket_id, domain::VisitExceptionType type,
                                    const std::string& detail, const std::string& facts, TimeMs at);
Result<std::vector<VisitExceptionRow>> list_visit_exceptions(Database& db, std::int64_t ticket_id);
Result<std::optional<VisitExceptionRow>> get_visit_exception(Database& db, std::int64_t id);
// The open exceptions queue (SPEC §15, queues at a district's size): filtered by type, the
// ticket's firm, the elder's street and age (raised before a time), in the order raised (or
// newest first), a page at a time after the (created_at, id) of the last row shown.
struct ExceptionQuery : QueuePage {
  std::optional<domain::VisitExceptionType> type;
};
Result<std::vector<VisitExceptionRow>> open_visit_exceptions(Database& db, const ExceptionQuery& q);
// How many open exceptions match the filters (the cursor and the limit aside).
Result<std::int64_t> count_open_visit_exceptions(Database& db, const ExceptionQuery& q);
namespace sql {
// The statement of a page (or of the count) of the exceptions queue, for its plan's test.
std::string open_exceptions(const ExceptionQuery& q, bool count);
}  // namespace sql
// Decides an open exception (cleared or upheld); a cleared one no longer holds its ticket.
Status resolve_visit_exception(Database& db, std::int64_t id, domain::ExceptionStatus decision,
                               const std::string& reason_code, const std::string& note, const std::string& by,
                               TimeMs at);

// How many tickets are in each state (states with none are absent).
Result<std::map<std::string, std::int64_t>> count_tickets_by_state(Database& db);

// Next ticket number of a business day: T + YYYYMMDD + 6-digit sequence.
Result<std::string> next_ticket_no(Database& db, const std::string& yyyymmdd);

// Idempotency keys of ticket creation (SPEC §8), per user: the request's hash and the ticket it
// made.
struct IdempotentRequest {
  std::string request_hash;  // SHA-256 of the body's canonical JSON (hotline/request.hpp)
  std::int64_t ticket_id = 0;
};
Result<std::optional<IdempotentRequest>> find_idempotency_key(Database& db, std::int64_t user_id,
                                                              const std::string& key);
Status insert_idempotency_key(Database& db, const std::string& key, std::int64_t user_id,
                              const std::string& request_hash, std::int64_t ticket_id, TimeMs at);

// Every offer waiting for an answer, with its round and deadline (re-armed at start-up).
struct OfferDeadline {
  std::int64_t ticket_id = 0;
  std::int64_t round = 0;
  TimeMs at = 0;
};
Result<std::vector<OfferDeadline>> offer_deadlines(Database& db);

// The elder's last completed ticket of `category` checked out since `since` (other than
// `except_id`): its firm, and whether a substantiated complaint names it — dispatch's
// continuity rule (SPEC §4.6). Ties in check-out time follow tickets_elder's own order.
struct LastService {
  std::int64_t firm_id = 0;
  bool complained = false;
};
Result<std::optional<LastService>> last_service(Database& db, std::int64_t elder_id, domain::Category category,
                                                TimeMs since, std::int64_t except_id);

}  // namespace vnh::store
