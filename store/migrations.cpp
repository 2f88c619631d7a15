#include "store/migrations.hpp"

#include <fmt/format.h>

#include "common/clock.hpp"
#include "store/audit.hpp"

namespace vnh::store {

int latest_schema_version() { return static_cast<int>(migrations::files().size()); }

namespace {

Result<std::int64_t> pragma_value(Database& db, const char* sql) {
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::kInternal, fmt::format("{} returned no row", sql));
  return st->int64(0);
}

// A migration that edits table definitions in sqlite_schema directly (only ever to restate a
// CHECK constraint without changing what it accepts, as SQLite's ALTER TABLE documentation
// describes) must tell other connections the schema changed and prove the file still reads.
Status after_schema_edit(Database& db) {
  auto cookie = pragma_value(db, "PRAGMA schema_version");
  if (!cookie.ok()) return cookie.status();
  VNH_RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA schema_version={}", *cookie + 1)));
  auto st = db.prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.status();
  std::string problems;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string line = st->text(0);
    if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
  }
  if (!problems.empty()) return Status(Code::kInternal, "integrity check after the schema edit: " + problems);
  return Status::Ok();
}

// Work a migration needs beyond its SQL, run after it in the same transaction.
Status code_step(Database& db, int version) {
  if (version == 14) {
    VNH_RETURN_IF_ERROR(rechain_audit_under_key(db, SystemClock().now_ms()).status());
    return db.exec(
        "CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;");
  }
  return Status::Ok();
}

// Applies every migration after `current`, each in its own transaction with the version it
// brings the file to.
Status apply_from(Database& db, int current) {
  int version = 0;
  for (const auto& [name, sql] : migrations::files()) {  // std::map: sorted by NNNN_ prefix
    ++version;
    if (version <= current) continue;
    auto tx = Transaction::begin(db);
    if (!tx.ok()) return tx.status();
    Status s = db.exec(sql);
    if (s.ok()) s = code_step(db, version);
    if (!s.ok()) return Status(s.code(), fmt::format("migration {} failed: {}", name, s.message()));
    if (sql.find("writable_schema") != std::string::npos) {
      s = after_schema_edit(db);
      if (!s.ok()) return Status(s.code(), fmt::format("migration {} failed: {}", name, s.message()));
    }
    VNH_RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA user_version={}", version)));
    VNH_RETURN_IF_ERROR(tx->commit());
  }
  return Status::Ok();
}

}  // namespace

Status migrate(Database& db) {
  int current = 0;
  {
    // Scoped: an open statement would lock the schema against the migrations below.
    auto st = db.prepare("PRAGMA user_version");
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    current = static_cast<int>(st->int64(0));
  }
  const auto& files = migrations::files();
  if (current > static_cast<int>(files.size())) {
    return Status(Code::kFailedPrecondition,
                  fmt::format("database schema version {} is newer than this vnh ({}); upgrade vnh", current,
                              files.size()));
  }
  if (current == static_cast<int>(files.size())) return Status::Ok();
  // From version 13 on, migrations move personal data under the data key and key the audit
  // chain: they need a connection that has it (an empty file too: its first entries are keyed).
  if (!db.keys()) return precondition("migrating the database needs its data key (open it through the Store)");
  // A migration that rebuilds a table copies its rows verbatim into a new one, drops the old
  // and renames the new, the procedure SQLite documents for schema changes ALTER TABLE cannot
  // make. With foreign keys enforced the copy would re-check every row's references and the
  // DROP would count as deleting them, so as that procedure says they are off while
  // migrations run (the setting applies between transactions) and restored afterwards.
  auto fks = pragma_value(db, "PRAGMA foreign_keys");
  if (!fks.ok()) return fks.status();
  VNH_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys=OFF"));
  // Values a migration replaces (the clear birth dates and homes of version 13) are overwritten
  // in the file, not left in its free space.
  auto secure = pragma_value(db, "PRAGMA secure_delete");
  if (!secure.ok()) return secure.status();
  VNH_RETURN_IF_ERROR(db.exec("PRAGMA secure_delete=ON"));
  Status applied = apply_from(db, current);
  if (*fks) {
    Status back = db.exec("PRAGMA foreign_keys=ON");
    if (applied.ok()) applied = back;
  }
  Status back = db.exec(fmt::format("PRAGMA secure_delete={}", *secure));
  if (applied.ok()) applied = back;
  // … nor in the WAL: the old pages go into the file and the log is emptied.
  if (applied.ok() && current < 13) applied = db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return applied;
}

}  // namespace vnh::store
