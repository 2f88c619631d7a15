#pragma once
// The keyed, hash-chained audit log (SPEC §9): every state change and every whole view of
// personal data. Each entry's hash is HMAC-SHA256, under a subkey of the data key, over the
// previous entry's hash and the entry's own fields (length-prefixed), so an edited, inserted
// or deleted entry breaks the chain and one forged by someone without the key cannot be given
// a hash that fits; verify_audit() finds the first break. Removing entries from the end is
// found against an anchor: a head recorded outside the file (`vnh audit anchor`). The
// connection must carry the key (OpenOptions::keys). Appends must be serialized (the Writer
// does that).
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
  std::int64_t entries = 0;  // entries that verified, in order from the first
  bool intact = true;
  std::optional<std::int64_t> first_bad_id;
  std::optional<AuditRow> first_bad;  // the entry where the chain broke, as stored
  std::string problem;
  std::int64_t head_id = 0;   // the last entry that verified
  std::string head_hash_hex;  // its hash: anchor it elsewhere to detect truncation later
};
Result<AuditReport> verify_audit(Database& db);
// The stored hash (hex) of entry `id`, if there is one.
Result<std::optional<std::string>> audit_hash_of(Database& db, std::int64_t id);

// The entry whose stored hash is `hash_hex`, if any (one pass over the table in SQLite: the
// hash has no index, and this runs only when an operator checks a head).
Result<std::optional<std::int64_t>> audit_id_of_hash(Database& db, const std::string& hash_hex);

// Schema version 14's step: verifies the unkeyed chain of older files (SHA-256, the same
// bytes), refuses if it is broken, re-chains every entry under the key and appends an
// `audit.rechain` entry with the old head. Returns the entries re-chained.
Result<std::int64_t> rechain_audit_under_key(Database& db, TimeMs now);
// The unkeyed hash of schema versions before 14 (for the migration and its tests).
std::string legacy_audit_hash(const std::string& prev, std::int64_t id, TimeMs at, const AuditEntry& e);

Result<std::vector<AuditRow>> list_audit(Database& db, const std::string& subject_prefix, int limit);

}  // namespace vnh::store
