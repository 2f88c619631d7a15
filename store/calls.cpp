#include "store/calls.hpp"

#include <fmt/format.h>

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
constexpr const char* kCallCols =
    "id, call_id, caller_masked, caller_enc IS NOT NULL, line, received_at, reported_by, elders_matched, state, "
    "answered_by, answered_at, ended_at, outcome, outcome_note, outcome_by";

Result<CallRow> read_call(Statement& s) {
  CallRow c;
  c.id = s.int64(0);
  c.call_id = s.text(1);
  c.caller_masked = s.text(2);
  c.caller_known = s.int32(3) != 0;
  c.line = s.text(4);
  c.received_at = s.int64(5);
  c.reported_by = s.text(6);
  c.elders_matched = s.int32(7);
  VNH_ASSIGN_OR_RETURN(c.state, enum_column(s, 8, parse_call_state, "calls.state"));
  c.answered_by = s.opt_text(9);
  c.answered_at = s.opt_int64(10);
  c.ended_at = s.opt_int64(11);
  if (!s.is_null(12)) {
    VNH_ASSIGN_OR_RETURN(c.outcome, enum_column(s, 12, parse_call_outcome, "calls.outcome"));
  }
  c.outcome_note = s.text(13);
  c.outcome_by = s.opt_text(14);
  return c;
}

std::string select_calls(const std::string& where) { return fmt::format("SELECT {} FROM calls {}", kCallCols, where); }
}  // namespace

Result<std::int64_t> insert_call(Database& db, const FieldCrypto& crypto, const NewCall& c) {
  auto st = db.prepare(
      "INSERT INTO calls(call_id, caller_enc, caller_bidx, caller_masked, line, received_at, reported_by, "
      "elders_matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  st->bind(1, c.call_id);
  if (c.caller) {
    st->bind(2, Blob{crypto.encrypt("calls.caller", *c.caller)}).bind(3, Blob{crypto.blind_index("phone", *c.caller)});
  } else {
    st->bind(2, std::nullopt).bind(3, std::nullopt);
  }
  st->bind(4, c.caller_masked).bind(5, c.line).bind(6, c.received_at).bind(7, c.reported_by).bind(8, c.elders_matched);
  Status r = st->run();
  if (r.code() == Code::kAlreadyExists) {
    return Status(Code::kAlreadyExists, fmt::format("call {} was reported already", c.call_id), "call_id", reason::kDuplicate);
  }
  VNH_RETURN_IF_ERROR(r);
  return db.last_insert_rowid();
}

Result<std::optional<CallRow>> find_call(Database& db, const std::string& call_id) {
  auto st = db.prepare(select_calls("WHERE call_id = ?"));
  if (st.ok()) st->bind(1, call_id);
  return query_one<CallRow>(std::move(st), read_call);
}

Status save_call(Database& db, const CallRow& c) {
  auto st = db.prepare(
      "UPDATE calls SET state = ?, answered_by = ?, answered_at = ?, ended_at = ?, outcome = ?, outcome_note = ?, "
      "outcome_by = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  std::optional<std::string> outcome;
  if (c.outcome) outcome = std::string(to_string(*c.outcome));
  VNH_RETURN_IF_ERROR(st->bind_all(to_string(c.state), c.answered_by, c.answered_at, c.ended_at, outcome,
                                   c.outcome_note, c.outcome_by, c.id)
                          .run());
  if (db.changes() != 1) return not_found(fmt::format("call {} vanished", c.call_id));
  return Status::Ok();
}

Result<std::optional<std::string>> call_caller(Database& db, const FieldCrypto& crypto, std::int64_t call_row) {
  auto st = db.prepare("SELECT caller_enc FROM calls WHERE id = ? AND caller_enc IS NOT NULL");
  if (st.ok()) st->bind(1, call_row);
  VNH_ASSIGN_OR_RETURN(auto enc, query_one<std::string>(std::move(st), [](Statement& r) { return r.blob(0); }));
  if (!enc) return std::optional<std::string>();
  VNH_ASSIGN_OR_RETURN(auto plain, crypto.decrypt("calls.caller", *enc));
  return std::optional<std::string>(std::move(plain));
}

Result<std::vector<CallRow>> list_calls(Database& db, const CallFilter& f) {
  std::string where = "WHERE 1=1";
  if (f.state) where += " AND state = ?1";
  if (f.since) where += " AND received_at >= ?2";
  if (f.before_id) where += " AND id < ?3";
  auto st = db.prepare(select_calls(where + " ORDER BY id DESC LIMIT ?4"));
  if (!st.ok()) return st.status();
  if (f.state) st->bind(1, to_string(*f.state));
  if (f.since) st->bind(2, *f.since);
  if (f.before_id) st->bind(3, *f.before_id);
  st->bind(4, f.limit);
  return query_all<CallRow>(std::move(st), read_call);
}

Result<std::vector<CallRow>> ringing_before(Database& db, TimeMs cutoff) {
  auto st = db.prepare(select_calls("WHERE state = 'ringing' AND received_at < ? ORDER BY received_at"));
  if (st.ok()) st->bind(1, cutoff);
  return query_all<CallRow>(std::move(st), read_call);
}

Result<std::vector<CallRow>> calls_in_progress(Database& db, const std::string& username) {
  auto st = db.prepare(select_calls("WHERE answered_by = ? AND state = 'answered' ORDER BY id DESC"));
  if (st.ok()) st->bind(1, username);
  return query_all<CallRow>(std::move(st), read_call);
}

Status link_call(Database& db, std::int64_t call_row, const std::string& kind, std::int64_t ref_id, TimeMs at) {
  auto st = db.prepare(
      "INSERT INTO call_links(call_row, kind, ref_id, linked_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(call_row, kind, ref_id) DO NOTHING");
  if (!st.ok()) return st.status();
  return st->bind_all(call_row, kind, ref_id, at).run();
}

Result<std::vector<CallLink>> call_links(Database& db, std::int64_t call_row) {
  auto st = db.prepare("SELECT kind, ref_id FROM call_links WHERE call_row = ? ORDER BY linked_at, kind, ref_id");
  if (st.ok()) st->bind(1, call_row);
  return query_all<CallLink>(std::move(st), [](Statement& r) { return CallLink{r.text(0), r.int64(1)}; });
}

Result<std::optional<CallRow>> call_of(Database& db, const std::string& kind, std::int64_t ref_id) {
  auto st = db.prepare(fmt::format(
      "SELECT {} FROM calls WHERE id = (SELECT call_row FROM call_links WHERE kind = ? AND ref_id = ? LIMIT 1)",
      kCallCols));
  if (st.ok()) st->bind_all(kind, ref_id);
  return query_one<CallRow>(std::move(st), read_call);
}

}  // namespace vnh::store
