#include "store/audit.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "store/query.hpp"

namespace vnh::store {

namespace {
std::string entry_hash(const std::string& prev, std::int64_t id, TimeMs at, const AuditEntry& e) {
  std::string buf = prev;
  auto field = [&](const std::string& v) { buf += fmt::format("{}:{};", v.size(), v); };
  field(std::to_string(id));
  field(std::to_string(at));
  field(e.actor);
  field(e.action);
  field(e.subject);
  field(e.detail);
  return sha256_raw(buf);
}
}  // namespace

Status append_audit(Database& db, TimeMs at, const AuditEntry& e) {
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
  std::string h = entry_hash(prev, id, at, e);
  auto st = db.prepare(
      "INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(id, at, e.actor, e.action, e.subject, e.detail, Blob{prev}, Blob{h}).run();
}

Result<AuditReport> verify_audit(Database& db) {
  AuditReport rep;
  auto st = db.prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id");
  if (!st.ok()) return st.status();
  std::string prev(32, '\0');
  std::int64_t expect_id = 1;
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ++rep.entries;
    std::int64_t id = st->int64(0);
    AuditEntry e{st->text(2), st->text(3), st->text(4), st->text(5)};
    std::string stored_prev = st->blob(6), stored = st->blob(7);
    auto fail = [&](std::string why) {
      rep.intact = false;
      rep.first_bad_id = id;
      rep.problem = std::move(why);
    };
    if (id != expect_id) {
      fail(fmt::format("entry {} follows entry {}: entries are missing", id, expect_id - 1));
    } else if (stored_prev != prev) {
      fail(fmt::format("entry {} does not link to the entry before it", id));
    } else if (entry_hash(prev, id, st->int64(1), e) != stored) {
      fail(fmt::format("entry {} was changed after it was written", id));
    }
    if (!rep.intact) break;
    prev = stored;
    expect_id = id + 1;
  }
  rep.head_hash_hex = to_hex(prev);
  return rep;
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
