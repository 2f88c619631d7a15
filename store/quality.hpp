#pragma once
// Quality records: callbacks (回访) with the daily sample, complaints (投诉) and monthly
// inspections (考核). Scores are stored as integer hundredths.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "domain/types.hpp"
#include "store/queue.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct CallbackRow {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  TimeMs called_at = 0;
  bool reached = false;
  std::optional<int> rating;
  std::optional<bool> service_received;
  std::string comment;
  std::string operator_name;
  std::optional<std::string> sample_date;
};

struct SampleRow {
  std::string sample_date;
  std::int64_t ticket_id = 0;
  std::int64_t firm_id = 0;
  std::string reasons;
  bool done = false;
  int attempts = 0;  // calls that did not reach the elder
};

struct ComplaintRow {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  TimeMs filed_at = 0;
  domain::ComplaintStatus status = domain::ComplaintStatus::kOpen;
  std::string description;
  std::string filed_by;
  std::optional<std::string> investigator;
  std::string finding;
  std::optional<TimeMs> closed_at;
  std::optional<std::string> closed_by;
};

struct InspectionRow {
  std::int64_t firm_id = 0;
  std::string month;  // YYYY-MM
  std::int64_t enterprise_building = 0;  // hundredths
  std::int64_t service_norms = 0;
  std::int64_t staff_management = 0;
  std::string entered_by;
  TimeMs entered_at = 0;
};

Result<std::int64_t> insert_callback(Database& db, const CallbackRow& c);
Result<std::vector<CallbackRow>> list_callbacks(Database& db, std::int64_t ticket_id);

Status insert_sample(Database& db, const SampleRow& s);
// A call about a sampled ticket: it is done when it reached the elder or was the last
// allowed attempt.
Status record_sample_attempt(Database& db, const std::string& date, std::int64_t ticket_id, bool reached,
                             int max_attempts);
// What a day's draw found and what its cap left out.
struct SampleDay {
  std::string sample_date;
  int capacity = 0;
  int risky_total = 0;
  int risky_left_out = 0;
  int random_total = 0;
  int random_left_out = 0;
  TimeMs drawn_at = 0;
};
Status insert_sample_day(Database& db, const SampleDay& d);
Result<std::optional<SampleDay>> get_sample_day(Database& db, const std::string& date);
// One page of a day's queue: pending first, then by ticket; filtered by a reason and a firm.
struct SampleKey {
  bool done = false;
  std::int64_t ticket_id = 0;
};
struct SampleFilter {
  std::optional<std::string> reason;  // one of the reasons (a risk, or "random")
  std::optional<std::int64_t> firm_id;
  std::optional<bool> done;
  std::optional<SampleKey> after;  // paging: the last row of the previous page
  int limit = 50;
};
Result<std::vector<SampleRow>> list_samples(Database& db, const std::string& date, const SampleFilter& f);
// Takes a deceased elder's tickets out of every callback queue still pending (SPEC §13: a
// deceased elder is not called back); returns how many calls were dropped.
Result<std::int64_t> drop_pending_samples_of_elder(Database& db, std::int64_t elder_id);
struct SampleCounts {
  int total = 0;
  int pending = 0;
};
Result<SampleCounts> count_samples(Database& db, const std::string& date);
// The tickets checked out in [from, to) with the risk flags of the callback sample (SPEC
// §4.8): a visit exception, the firm's first visit to the elder, a worker whose first
// check-in is less than `new_worker_ms` old, an elder with a complaint in the last
// `lookback_ms`. By ticket id.
struct CallbackCandidateRow {
  std::int64_t ticket_id = 0;
  std::string ticket_no;
  std::int64_t firm_id = 0;
  bool visit_exception = false;
  bool first_visit = false;
  bool new_worker = false;
  bool recent_complaint = false;
};
Result<std::vector<CallbackCandidateRow>> callback_candidates(Database& db, TimeMs from, TimeMs to,
                                                              TimeMs new_worker_ms, TimeMs lookback_ms);

Result<std::int64_t> insert_complaint(Database& db, const ComplaintRow& c);
Status save_complaint(Database& db, const ComplaintRow& c);
Result<std::optional<ComplaintRow>> get_complaint(Database& db, std::int64_t id);
// A ticket's complaints, oldest first.
Result<std::vector<ComplaintRow>> complaints_of_ticket(Database& db, std::int64_t ticket_id);
// The complaints queue: by status (or every pending one: open or investigating), the ticket's
// firm, the elder's street, filed before; a page after the cursor (filed_at, id).
struct ComplaintQuery : QueuePage {
  std::optional<domain::ComplaintStatus> status;
  bool pending = false;
};
Result<std::vector<ComplaintRow>> list_complaints(Database& db, const ComplaintQuery& q);
// How many complaints match (the cursor and the limit aside).
Result<std::int64_t> count_complaints(Database& db, const ComplaintQuery& q);

// Inserts or, with replace, overwrites a firm's inspection of a month.
Status put_inspection(Database& db, const InspectionRow& r, bool replace);
Result<std::optional<InspectionRow>> get_inspection(Database& db, std::int64_t firm_id, const std::string& month);
Result<std::vector<InspectionRow>> list_inspections(Database& db, const std::string& month);

}  // namespace vnh::store
