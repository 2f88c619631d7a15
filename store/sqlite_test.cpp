#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "store/page_cache.hpp"
#include "store/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

TEST_CASE("a database opens in WAL mode with foreign keys on", "[sqlite]") {
  testing::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  REQUIRE(db.ok());
  auto mode = (*db)->prepare("PRAGMA journal_mode");
  REQUIRE(*mode->step());
  CHECK(mode->text(0) == "wal");
  auto fk = (*db)->prepare("PRAGMA foreign_keys");
  REQUIRE(*fk->step());
  CHECK(fk->int64(0) == 1);
  auto sync = (*db)->prepare("PRAGMA synchronous");
  REQUIRE(*sync->step());
  CHECK(sync->int64(0) == 2);  // FULL
}

TEST_CASE("statements bind and read every type", "[sqlite]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)").ok());
  auto ins = db->prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
  std::string bytes("a\0b", 3);
  REQUIRE(ins->bind_all(std::int64_t{1} << 40, 2.5, "张三", Blob{bytes}, std::nullopt).run().ok());
  auto sel = db->prepare("SELECT i, r, s, b, n FROM t");
  REQUIRE(*sel->step());
  CHECK(sel->int64(0) == (std::int64_t{1} << 40));
  CHECK(sel->real(1) == 2.5);
  CHECK(sel->text(2) == "张三");
  CHECK(sel->blob(3) == bytes);
  CHECK(sel->is_null(4));
  CHECK_FALSE(sel->opt_text(4).has_value());
  CHECK_FALSE(*sel->step());
}

TEST_CASE("SQLite errors map to canonical codes", "[sqlite]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER NOT NULL CHECK (v > 0))").ok());
  REQUIRE(db->exec("INSERT INTO t VALUES ('a', 1)").ok());
  CHECK(db->exec("INSERT INTO t VALUES ('a', 2)").code() == Code::kAlreadyExists);
  CHECK(db->exec("INSERT INTO t VALUES ('b', 0)").code() == Code::kFailedPrecondition);
  CHECK(db->exec("SELEKT 1").code() == Code::kInternal);
  CHECK_FALSE(db->prepare("SELECT nope FROM t").ok());
}

TEST_CASE("a transaction not committed is rolled back", "[sqlite]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("CREATE TABLE t(v INTEGER)").ok());
  {
    auto tx = Transaction::begin(*db);
    REQUIRE(tx.ok());
    REQUIRE(db->exec("INSERT INTO t VALUES (1)").ok());
  }
  {
    auto tx = Transaction::begin(*db);
    REQUIRE(db->exec("INSERT INTO t VALUES (2)").ok());
    REQUIRE(tx->commit().ok());
  }
  auto sel = db->prepare("SELECT group_concat(v) FROM t");
  REQUIRE(*sel->step());
  CHECK(sel->text(0) == "2");
}

TEST_CASE("cached statements are reused and reset", "[sqlite]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("CREATE TABLE t(v INTEGER)").ok());
  for (int i = 0; i < 3; ++i) {
    auto st = db->prepare("INSERT INTO t VALUES (?)");
    REQUIRE(st.ok());
    REQUIRE(st->bind(1, i).run().ok());
  }
  auto n = db->prepare("SELECT sum(v) FROM t");
  REQUIRE(*n->step());
  CHECK(n->int64(0) == 3);
}

TEST_CASE("the page cache layer spares commits the cache walk and still drops pages a rollback leaves", "[sqlite]") {
  testing::TempDir dir;
  auto db = std::move(*Database::open(dir.file("a.db")));
  REQUIRE(db->exec("PRAGMA cache_size=-65536").ok());
  REQUIRE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, k BLOB NOT NULL, v TEXT NOT NULL)").ok());
  REQUIRE(db->exec("CREATE INDEX t_k ON t(k)").ok());
  // One row per statement: a multi-row INSERT … SELECT would add caches of its own (temporary
  // tables) to the counts.
  auto insert_rows = [&](int n) {
    auto st = db->prepare("INSERT INTO t(k, v) VALUES (randomblob(16), ?)");
    for (int i = 0; i < n; ++i) {
      VNH_RETURN_IF_ERROR(st->bind(1, fmt::format("row {} of a batch", i)).run());
    }
    return Status::Ok();
  };
  // Random keys split index leaves out of order: B-tree rebalancing swaps page numbers through
  // its scratch number (page 262,145 at 4 KiB pages), so without the layer each of these
  // commits would end with a walk of the whole cache.
  const auto before = page_cache_counts();
  constexpr int kCommits = 30;
  for (int i = 0; i < kCommits; ++i) {
    REQUIRE(db->exec("BEGIN").ok());
    REQUIRE(insert_rows(400).ok());
    REQUIRE(db->exec("COMMIT").ok());
  }
  const auto after = page_cache_counts();
  CHECK(after.truncations_skipped - before.truncations_skipped == kCommits);
  CHECK(after.truncations_passed == before.truncations_passed);

  // A rolled-back transaction that grew the file leaves cached pages past the database's end:
  // those truncations must reach SQLite's cache, and the pages must not come back.
  auto count = [&] {
    auto st = db->prepare("SELECT count(*), count(DISTINCT k) FROM t");
    REQUIRE(*st->step());
    return std::pair{st->int64(0), st->int64(1)};
  };
  REQUIRE(db->exec("BEGIN").ok());
  REQUIRE(insert_rows(5000).ok());
  REQUIRE(db->exec("ROLLBACK").ok());
  CHECK(page_cache_counts().truncations_passed > after.truncations_passed);
  CHECK(count() == std::pair<std::int64_t, std::int64_t>{kCommits * 400, kCommits * 400});
  REQUIRE(db->exec("BEGIN").ok());
  REQUIRE(insert_rows(3000).ok());
  REQUIRE(db->exec("COMMIT").ok());
  CHECK(count() == std::pair<std::int64_t, std::int64_t>{kCommits * 400 + 3000, kCommits * 400 + 3000});
  auto check = db->prepare("PRAGMA integrity_check");
  REQUIRE(*check->step());
  CHECK(check->text(0) == "ok");
}
