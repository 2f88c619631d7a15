#pragma once
// The hash-chained audit log (SPEC §9): every state change and every whole view of personal
// data. Each entry's hash is SHA-256 over the previous entry's hash and the entry's own
// fields (length-prefixed), so an edited, inserted or deleted entry breaks the chain;
// verify_audit() finds the first break. Appends must be serialized (the Writer does that).
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct AuditEntry {
  std::string actor;    // user name, "firm:F001", "system" or "cli:<user>"
  std::string action;   // "ticket.create", "elder.view_whole", …
  std::string subject;  // "ticket:T20261123000001", "elder:E12"
  std::string detail = "{}";  // JSON object
};

struct AuditRow {
  std::int64_t id = 0;
  TimeMs at = 0;
  AuditEntry entry;
  std::string hash_hex;
};

Status append_audit(Database& db, TimeMs at, const AuditEntry& e);

// A JSON object of string values, in the given order: the detail of an audit entry or of a
// ticket event ({"reason":"…"}).
std::string json_detail(std::initializer_list<std::pair<std::string, std::string>> kv);

struct AuditReport {
  std::int64_t entries = 0;
  bool intact = true;
  std::optional<std::int64_t> first_bad_id;
  std::string problem;
  std::string head_hash_hex;  // record this elsewhere to detect truncation later
};
Result<AuditReport> verify_audit(Database& db);

Result<std::vector<AuditRow>> list_audit(Database& db, const std::string& subject_prefix, int limit);

}  // namespace vnh::store
