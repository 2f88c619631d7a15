#include <catch2/catch.hpp>

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
