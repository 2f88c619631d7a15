#include "store/audit.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "store/query.hpp"

namespace vnh::store {

namespace {
// The entry as the chain covers it: the previous hash and each field, length-prefixed.
std::string chained_bytes(const std::string& prev, std::int64_t id, TimeMs at, const AuditEntry& e) {
  std::string buf = prev;
  auto field = [&](const std::string& v) { buf += fmt::format("{}:{};", v.size(), v); };
  field(std::to_string(id));
  field(std::to_string(at));
  field(e.actor);
  field(e.action);
  field(e.subject);
  field(e.detail);
  return buf;
}

Result<const FieldCrypto*> audit_keys(Database& db) {
  if (!db.keys()) return precondition("the audit log is keyed: open the database with its data key");
  return db.keys();
}

std::string entry_hash(const FieldCrypto& keys, const std::string& prev, std::int64_t id, TimeMs at,
                       const AuditEntry& e) {
  return keys.audit_mac(chained_bytes(prev, id, at, e));
}
}  // namespace

std::string legacy_audit_hash(const std::string& prev, std::int64_t id, TimeMs at, const AuditEntry& e) {
  return sha256_raw(chained_bytes(prev, id, at, e));
}

Status append_audit(Database& db, TimeMs at, const AuditEntry& e) {
  VNH_ASSIGN_OR_RETURN(const FieldCrypto* keys, audit_keys(db));
  auto last = db.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
  if (!last.ok()) return last.status();
  auto row = last->step();
  if (!row.ok()) return row.status();
  std::int64_t id = 1;
  std::string prev(32, '\0');
  if (*row) {
    id = last->int64(0) + 1;
    prev = last->blob(1);
  }
  last->reset();
  std::string h = entry_hash(*keys, prev, id, at, e);
  auto st = db.prepare(
      "INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(id, at, e.actor, e.action, e.subject, e.detail, Blob{prev}, Blob{h}).run();
}

namespace {
// Walks the chain in id order with `hash_of` and stops at the first entry that does not hold.
template <typename HashOf>
Result<AuditReport> walk_chain(Database& db, HashOf&& hash_of) {
  AuditReport rep;
  auto st = db.prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id");
  if (!st.ok()) return st.status();
  std::string prev(32, '\0');
  std::int64_t expect_id = 1;
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::int64_t id = st->int64(0);
    AuditRow r{id, st->int64(1), AuditEntry{st->text(2), st->text(3), st->text(4), st->text(5)}, ""};
    std::string stored_prev = st->blob(6), stored = st->blob(7);
    auto fail = [&](std::string why) {
      rep.intact = false;
      rep.first_bad_id = id;
      rep.first_bad = r;
      rep.problem = std::move(why);
    };
    if (id != expect_id) {
      fail(fmt::format("entry {} follows entry {}: {} entries are missing", id, expect_id - 1, id - expect_id));
    } else if (stored_prev != prev) {
      fail(fmt::format("entry {} does not link to the entry before it (one was removed, replaced or reordered)", id));
    } else if (hash_of(prev, id, r.at, r.entry) != stored) {
      fail(fmt::format("entry {} was changed after it was written, or written without the key", id));
    }
    if (!rep.intact) break;
    ++rep.entries;
    prev = stored;
    rep.head_id = id;
    expect_id = id + 1;
  }
  rep.head_hash_hex = to_hex(prev);
  return rep;
}
}  // namespace

Result<AuditReport> verify_audit(Database& db) {
  VNH_ASSIGN_OR_RETURN(const FieldCrypto* keys, audit_keys(db));
  return walk_chain(db, [&](const std::string& prev, std::int64_t id, TimeMs at, const AuditEntry& e) {
    return entry_hash(*keys, prev, id, at, e);
  });
}

Result<std::optional<std::string>> audit_hash_of(Database& db, std::int64_t id) {
  auto st = db.prepare("SELECT hash FROM audit_log WHERE id = ?");
  if (!st.ok()) return st.status();
  st->bind(1, id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(to_hex(st->blob(0)));
}

Result<std::optional<std::int64_t>> audit_id_of_hash(Database& db, const std::string& hash_hex) {
  auto st = db.prepare("SELECT id FROM audit_log WHERE hex(hash) = upper(?) ORDER BY id LIMIT 1");
  if (!st.ok()) return st.status();
  st->bind(1, hash_hex);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(st->int64(0));
}

Result<std::int64_t> rechain_audit_under_key(Database& db, TimeMs now) {
  VNH_ASSIGN_OR_RETURN(const FieldCrypto* keys, audit_keys(db));
  VNH_ASSIGN_OR_RETURN(auto old, walk_chain(db, legacy_audit_hash));
  if (!old.intact) {
    return precondition(fmt::format(
        "the audit log was already broken before it was keyed: {}; it is not re-chained (that would hide the "
        "break). Keep this file, restore a copy whose `vnh audit verify` passed, or ask for help",
        old.problem));
  }
  // Bounded batches by id: the update never runs beside a statement still reading the table.
  std::string prev(32, '\0');
  std::int64_t after = 0;
  for (;;) {
    std::vector<AuditRow> batch;
    {
      auto st = db.prepare(
          "SELECT id, at, actor, action, subject, detail FROM audit_log WHERE id > ? ORDER BY id LIMIT 10000");
      if (st.ok()) st->bind(1, after);
      VNH_ASSIGN_OR_RETURN(batch, query_all<AuditRow>(std::move(st), [](Statement& s) {
        return AuditRow{s.int64(0), s.int64(1), AuditEntry{s.text(2), s.text(3), s.text(4), s.text(5)}, ""};
      }));
    }
    if (batch.empty()) break;
    for (const auto& r : batch) {
      std::string h = entry_hash(*keys, prev, r.id, r.at, r.entry);
      auto up = db.prepare("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?");
      if (!up.ok()) return up.status();
      VNH_RETURN_IF_ERROR(up->bind_all(Blob{prev}, Blob{h}, r.id).run());
      prev = std::move(h);
      after = r.id;
    }
  }
  if (old.entries == 0) return 0;  // a new file: nothing to re-chain or to record
  VNH_RETURN_IF_ERROR(append_audit(
      db, now,
      {"system", "audit.rechain", "audit_log",
       json_detail({{"entries", std::to_string(old.entries)}, {"unkeyed_head", old.head_hash_hex}})}));
  return old.entries;
}

Result<std::vector<AuditRow>> list_audit(Database& db, const std::string& subject_prefix, int limit) {
  auto st = db.prepare(
      "SELECT id, at, actor, action, subject, detail, hash FROM audit_log WHERE subject >= ?1 AND subject < ?1 || "
      "x'f48fbfbf' ORDER BY id DESC LIMIT ?2");
  if (st.ok()) st->bind(1, subject_prefix).bind(2, limit);
  return query_all<AuditRow>(std::move(st), [](Statement& s) {
    return AuditRow{s.int64(0), s.int64(1), AuditEntry{s.text(2), s.text(3), s.text(4), s.text(5)}, to_hex(s.blob(6))};
  });
}

std::string json_detail(std::initializer_list<std::pair<std::string, std::string>> kv) {
  boost::json::object o;
  for (const auto& [k, v] : kv) o[k] = v;
  return boost::json::serialize(o);
}

}  // namespace vnh::store
