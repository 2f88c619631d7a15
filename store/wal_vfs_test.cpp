#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite.hpp"
#include "store/wal_vfs.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
std::int64_t scalar(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  std::int64_t v = st->int64(0);
  st->reset();
  return v;
}
std::string text(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  std::string v = st->text(0);
  st->reset();
  return v;
}
}  // namespace

TEST_CASE("under FULL a commit's WAL frames reach the file in a few writes, readable at once", "[sqlite][wal_vfs]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)").ok());
  auto before = wal_vfs_counters();
  REQUIRE(db->exec("BEGIN IMMEDIATE").ok());
  for (int i = 0; i < 500; ++i) REQUIRE(db->exec("INSERT INTO t(v) VALUES (randomblob(600))").ok());
  REQUIRE(db->exec("COMMIT").ok());
  auto after = wal_vfs_counters();
  const auto writes = after.writes - before.writes, flushes = after.flushes - before.flushes;
  CHECK(writes > 150);          // SQLite wrote ~2 pieces per frame of ~80 pages
  CHECK(flushes * 20 < writes);  // ... and the file saw a handful of writes
  // Another connection (SQLite's own VFS, read-only) sees the commit as soon as it returns.
  auto reader = std::move(*Database::open(dir.file("a.db"), OpenOptions{true}));
  CHECK(scalar(*reader, "SELECT count(*) FROM t") == 500);
  CHECK(scalar(*reader, "SELECT sum(length(v)) FROM t") == 500 * 600);
}

TEST_CASE("spilled and rewritten frames, and commits beyond the buffer, stay intact", "[sqlite][wal_vfs]") {
  testing::TempDir dir;
  std::string path = dir.file("a.db");
  std::string digest;
  {
    OpenOptions o;
    o.cache_kib = 256;  // a small cache spills pages to the WAL mid-transaction and rewrites them
    auto db = std::move(*Database::open(path, o));
    REQUIRE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)").ok());
    REQUIRE(db->exec("BEGIN IMMEDIATE").ok());
    // ~12 MiB in one transaction: more than the shim's 8 MiB buffer.
    REQUIRE(db->exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
                     "INSERT INTO t(v) SELECT randomblob(2000) FROM n").ok());
    REQUIRE(db->exec("UPDATE t SET v = zeroblob(1500) WHERE id % 3 = 0").ok());
    REQUIRE(db->exec("COMMIT").ok());
    REQUIRE(db->exec("UPDATE t SET v = x'0102' WHERE id % 7 = 0").ok());
    digest = text(*db, "SELECT group_concat(length(v), ',') FROM (SELECT v FROM t WHERE id % 97 = 0 ORDER BY id)");
    CHECK(scalar(*db, "SELECT count(*) FROM t") == 6000);
  }
  // Closed cleanly: reopened, everything is there and the file is sound.
  auto db = std::move(*Database::open(path));
  CHECK(text(*db, "PRAGMA integrity_check") == "ok");
  CHECK(scalar(*db, "SELECT count(*) FROM t") == 6000);
  CHECK(text(*db, "SELECT group_concat(length(v), ',') FROM (SELECT v FROM t WHERE id % 97 = 0 ORDER BY id)") == digest);
}

TEST_CASE("a committed transaction survives the process dying without closing", "[sqlite][wal_vfs]") {
  testing::TempDir dir;
  std::string path = dir.file("a.db");
  {
    auto db = std::move(*Database::open(path));
    REQUIRE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  }
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto db = Database::open(path);
    if (!db.ok()) _exit(3);
    bool ok = (*db)->exec("BEGIN IMMEDIATE; INSERT INTO t(v) VALUES ('one'), ('two'), ('three'); COMMIT").ok();
    _exit(ok ? 0 : 4);  // no close: nothing flushed at exit but what COMMIT wrote
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto db = std::move(*Database::open(path));
  CHECK(scalar(*db, "SELECT count(*) FROM t") == 3);
  CHECK(text(*db, "SELECT group_concat(v, ',') FROM t") == "one,two,three");
}

TEST_CASE("NORMAL and read-only connections use SQLite's own VFS", "[sqlite][wal_vfs]") {
  testing::TempDir dir;
  OpenOptions normal;
  normal.synchronous = "NORMAL";
  auto db = std::move(*Database::open(dir.file("a.db"), normal));
  auto before = wal_vfs_counters();
  REQUIRE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY)").ok());
  REQUIRE(db->exec("INSERT INTO t VALUES (1), (2)").ok());
  CHECK(wal_vfs_counters().writes == before.writes);
  auto ws = start_deferred_wal_syncs(db->handle());  // nor can they defer their syncs
  REQUIRE(ws.ok());
  CHECK(*ws == nullptr);
  OpenOptions plain;
  plain.coalesce_wal_writes = false;
  auto db2 = std::move(*Database::open(dir.file("b.db"), plain));
  REQUIRE(db2->exec("CREATE TABLE t(id INTEGER PRIMARY KEY)").ok());
  CHECK(wal_vfs_counters().writes == before.writes);
}

TEST_CASE("deferred WAL syncs: commits leave the fsync to sync_through, checkpoints sync at once", "[sqlite][wal_vfs]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)").ok());
  auto ws = start_deferred_wal_syncs(db->handle());
  REQUIRE(ws.ok());
  REQUIRE(*ws != nullptr);
  WalSync& sync = **ws;
  CHECK(sync.deferring());
  CHECK(sync.synced() == sync.mark());  // starting it took one real sync

  auto before = wal_vfs_counters();
  REQUIRE(db->exec("INSERT INTO t(v) VALUES ('a')").ok());
  auto after = wal_vfs_counters();
  CHECK(after.deferred_syncs == before.deferred_syncs + 1);
  CHECK(after.syncs == before.syncs);
  const auto mark = sync.mark();
  CHECK(mark > sync.synced());  // written, not yet durable
  REQUIRE(sync.sync_through(mark).ok());
  CHECK(sync.synced() >= mark);
  CHECK(wal_vfs_counters().syncs == after.syncs + 1);
  REQUIRE(sync.sync_through(mark).ok());  // already covered: no second fsync
  CHECK(wal_vfs_counters().syncs == after.syncs + 1);

  // A committed but not yet synced transaction is visible to other connections at once.
  REQUIRE(db->exec("INSERT INTO t(v) VALUES ('b')").ok());
  auto reader = std::move(*Database::open(dir.file("a.db"), OpenOptions{true}));
  CHECK(scalar(*reader, "SELECT count(*) FROM t") == 2);

  // Inside SyncWalNow (as a checkpoint on this thread is) SQLite's syncs are real again, and
  // they cover what was deferred before.
  before = wal_vfs_counters();
  {
    SyncWalNow now;
    REQUIRE(db->exec("INSERT INTO t(v) VALUES ('c')").ok());
    REQUIRE(db->exec("PRAGMA wal_checkpoint(PASSIVE)").ok());
  }
  after = wal_vfs_counters();
  CHECK(after.deferred_syncs == before.deferred_syncs);
  CHECK(after.syncs > before.syncs);
  CHECK(sync.synced() == sync.mark());

  // Off again: SQLite syncs inside COMMIT.
  sync.set_deferring(false);
  before = wal_vfs_counters();
  REQUIRE(db->exec("INSERT INTO t(v) VALUES ('d')").ok());
  CHECK(wal_vfs_counters().deferred_syncs == before.deferred_syncs);
  CHECK(wal_vfs_counters().syncs > before.syncs);  // (two if the WAL restarted: its header too)
  db.reset();
  auto again = std::move(*Database::open(dir.file("a.db")));
  CHECK(text(*again, "SELECT group_concat(v, '') FROM t") == "abcd");
  CHECK(text(*again, "PRAGMA integrity_check") == "ok");
}
