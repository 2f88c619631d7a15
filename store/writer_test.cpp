#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "store/writer.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
std::unique_ptr<Database> make_db(const std::string& path) {
  auto db = std::move(*Database::open(path));
  REQUIRE(db->exec("CREATE TABLE t(k INTEGER PRIMARY KEY)").ok());
  return db;
}
std::int64_t count(const std::string& path) {
  auto db = std::move(*Database::open(path, OpenOptions{true}));
  auto st = db->prepare("SELECT count(*) FROM t");
  REQUIRE(*st->step());
  return st->int64(0);
}
// Holds the writer on a job until release(), so the jobs submitted meanwhile share one batch.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  explicit Gate(Writer& w) {
    w.submit([f = opened](WriteTx&) {
      f.wait();
      return Status::Ok();
    }, nullptr);
  }
  void release() { open.set_value(); }
};
}  // namespace

TEST_CASE("concurrent writes are group-committed, each answered after its commit", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  constexpr int kThreads = 8, kPer = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        Status st = w.run([k = t * 1000 + i](WriteTx& tx) {
          auto s = tx.db().prepare("INSERT INTO t VALUES (?)");
          return s->bind(1, k).run();
        });
        if (st.ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == kThreads * kPer);
  CHECK(w.jobs() == static_cast<std::uint64_t>(kThreads * kPer));
  CHECK(w.batches() < w.jobs());  // at least some requests shared a commit
  CHECK(count(path) == kThreads * kPer);
}

TEST_CASE("a failing job is rolled back alone and its rollback hooks run", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  Gate gate(w);  // the next three jobs land in one batch
  std::promise<Status> a, b, c;
  bool rolled_back = false, committed_a = false, committed_b = false;
  w.submit([&](WriteTx& tx) {
    tx.on_commit([&] { committed_a = true; });
    return tx.db().exec("INSERT INTO t VALUES (1)");
  }, [&](Status s) { a.set_value(s); });
  w.submit([&](WriteTx& tx) {
    tx.on_rollback([&] { rolled_back = true; });
    tx.on_commit([&] { committed_b = true; });
    (void)tx.db().exec("INSERT INTO t VALUES (2)");
    return tx.db().exec("INSERT INTO t VALUES (1)");  // duplicate key
  }, [&](Status s) { b.set_value(s); });
  w.submit([&](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (3)"); }, [&](Status s) { c.set_value(s); });
  gate.release();
  CHECK(a.get_future().get().ok());
  CHECK(b.get_future().get().code() == Code::kAlreadyExists);
  CHECK(c.get_future().get().ok());
  w.stop();
  CHECK(rolled_back);
  CHECK(committed_a);
  CHECK_FALSE(committed_b);
  CHECK(count(path) == 2);  // rows 1 and 3; job b's row 2 is gone
  CHECK(w.replays() == 1);  // b wrote row 2 before failing: the batch ran again with savepoints
}

TEST_CASE("a job that fails before writing costs the batch nothing: no replay, the others run once", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  Gate gate(w);
  int runs_a = 0, memory = 0;
  std::promise<Status> a, b, c;
  w.submit([&](WriteTx& tx) {
    ++runs_a;
    ++memory;
    tx.on_rollback([&] { --memory; });
    return tx.db().prepare("INSERT INTO t VALUES (?)")->bind(1, 1).run();
  }, [&](Status s) { a.set_value(s); });
  w.submit([&](WriteTx& tx) {
    auto st = tx.db().prepare("SELECT count(*) FROM t");  // reads only, then refuses
    REQUIRE(*st->step());
    return invalid("k", fmt::format("{} rows already", st->int64(0)));
  }, [&](Status s) { b.set_value(s); });
  w.submit([&](WriteTx& tx) { return tx.db().prepare("INSERT INTO t VALUES (?)")->bind(1, 3).run(); },
           [&](Status s) { c.set_value(s); });
  gate.release();
  CHECK(a.get_future().get().ok());
  Status refused = b.get_future().get();
  CHECK(refused.code() == Code::kInvalidArgument);
  CHECK(refused.message() == "1 rows already");  // it saw job a's row: same transaction
  CHECK(c.get_future().get().ok());
  CHECK(w.replays() == 0);
  CHECK(runs_a == 1);
  CHECK(memory == 1);
  CHECK(count(path) == 2);
}

TEST_CASE("a job that fails after writing replays the batch: in-memory changes undone once and redone", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  Gate gate(w);
  int runs_a = 0, memory = 0, commits_a = 0;
  std::promise<Status> a, b;
  w.submit([&](WriteTx& tx) {
    ++runs_a;
    ++memory;
    tx.on_rollback([&] { --memory; });
    tx.on_commit([&] { ++commits_a; });
    return tx.db().prepare("INSERT INTO t VALUES (?)")->bind(1, 1).run();
  }, [&](Status s) { a.set_value(s); });
  w.submit([&](WriteTx& tx) {
    REQUIRE(tx.db().prepare("INSERT INTO t VALUES (?)")->bind(1, 2).run().ok());
    return Status(Code::kFailedPrecondition, "changed its mind after writing");
  }, [&](Status s) { b.set_value(s); });
  gate.release();
  CHECK(a.get_future().get().ok());
  CHECK(b.get_future().get().code() == Code::kFailedPrecondition);
  w.stop();
  CHECK(w.replays() == 1);
  CHECK(runs_a == 2);     // once optimistically, once inside its savepoint
  CHECK(memory == 1);     // the first run's change was undone by its rollback hook
  CHECK(commits_a == 1);  // only the run that committed has its hooks run
  CHECK(count(path) == 1);
}

TEST_CASE("a transaction rolled back under a job fails the whole batch, and the writer goes on", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  Gate gate(w);
  int memory = 0;
  bool c_ran = false;
  std::promise<Status> a, b, c;
  w.submit([&](WriteTx& tx) {
    ++memory;
    tx.on_rollback([&] { --memory; });
    return tx.db().exec("INSERT INTO t VALUES (1)");
  }, [&](Status s) { a.set_value(s); });
  // As SQLite does after an I/O error or a full disk: the transaction is gone.
  w.submit([&](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (2); ROLLBACK"); },
           [&](Status s) { b.set_value(s); });
  w.submit([&](WriteTx& tx) {
    c_ran = true;
    return tx.db().exec("INSERT INTO t VALUES (3)");
  }, [&](Status s) { c.set_value(s); });
  gate.release();
  for (auto* p : {&a, &b, &c}) {
    Status st = p->get_future().get();
    CHECK(st.code() == Code::kUnavailable);
    CHECK(st.message().find("rolled back") != std::string::npos);
  }
  CHECK_FALSE(c_ran);
  CHECK(memory == 0);
  CHECK(w.run([](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (4)"); }).ok());
  w.stop();
  CHECK(count(path) == 1);  // only row 4
}

TEST_CASE("an exception inside a job becomes an internal error", "[writer]") {
  testing::TempDir dir;
  Writer w(make_db(dir.file("w.db")));
  Status st = w.run([](WriteTx&) -> Status { throw std::runtime_error("boom"); });
  CHECK(st.code() == Code::kInternal);
  CHECK(st.message().find("boom") != std::string::npos);
  CHECK(w.run([](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (9)"); }).ok());
}

TEST_CASE("after stop, submissions fail fast", "[writer]") {
  testing::TempDir dir;
  Writer w(make_db(dir.file("w.db")));
  w.stop();
  CHECK(w.run([](WriteTx&) { return Status::Ok(); }).code() == Code::kUnavailable);
}

TEST_CASE("commit hooks and completions run off the writer thread, in commit order", "[writer]") {
  testing::TempDir dir;
  Writer w(make_db(dir.file("w.db")));
  std::mutex mu;
  std::vector<int> order;
  std::atomic<bool> on_writer{false};
  std::vector<std::promise<void>> answered(20);
  for (int i = 0; i < 20; ++i) {
    w.submit([&, i](WriteTx& tx) {
      tx.on_commit([&, i] {
        if (w.on_writer_thread()) on_writer = true;
        std::lock_guard lk(mu);
        order.push_back(i);
      });
      return tx.db().exec(fmt::format("INSERT INTO t VALUES ({})", i));
    }, [&, i](Status st) {
      REQUIRE(st.ok());
      {
        std::lock_guard lk(mu);
        order.push_back(100 + i);  // each completion right after its own hooks
      }
      answered[static_cast<size_t>(i)].set_value();
    });
  }
  for (auto& a : answered) a.get_future().wait();
  CHECK_FALSE(on_writer);
  std::vector<int> expected;
  for (int i = 0; i < 20; ++i) {
    expected.push_back(i);
    expected.push_back(100 + i);
  }
  CHECK(order == expected);
  // run() returns only once its job's hooks have run.
  bool hooked = false;
  REQUIRE(w.run([&](WriteTx& tx) {
    tx.on_commit([&] { hooked = true; });
    return Status::Ok();
  }).ok());
  CHECK(hooked);
}

TEST_CASE("with pipelined syncs a job is answered only after an fsync that covers its commit", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  REQUIRE(w.pipelined_syncs());
  for (int i = 0; i < 5; ++i) {
    auto before = wal_vfs_counters();
    std::atomic<bool> hooked{false};
    REQUIRE(w.run([&, i](WriteTx& tx) {
                tx.on_commit([&] { hooked = true; });
                return tx.db().prepare("INSERT INTO t VALUES (?)")->bind(1, i).run();
              }).ok());
    auto after = wal_vfs_counters();
    CHECK(after.deferred_syncs == before.deferred_syncs + 1);  // COMMIT did not wait for the disk
    CHECK(after.syncs == before.syncs + 1);                    // ... the answer did
    CHECK(hooked);
  }
  CHECK(w.sync_us() > 0);
  CHECK(count(path) == 5);
}

TEST_CASE("with pipelined syncs a failed fsync fails its batch, without hooks, and every job after it", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path));
  REQUIRE(w.pipelined_syncs());
  REQUIRE(w.run([](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (1)"); }).ok());
  WalSync::fail_next_sync_for_tests();
  std::atomic<bool> hooked{false};
  Status st = w.run([&](WriteTx& tx) {
    tx.on_commit([&] { hooked = true; });
    return tx.db().exec("INSERT INTO t VALUES (2)");
  });
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message().find("fsync") != std::string::npos);
  CHECK_FALSE(hooked);  // no offer sent, no timer armed for a commit that may not be on disk
  Status later = w.run([](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (3)"); });
  CHECK(later.code() == Code::kUnavailable);
  CHECK(later.message().find("restart") != std::string::npos);
  w.stop();
  CHECK(count(path) == 2);  // 3 never ran
}

TEST_CASE("without pipelining SQLite syncs inside each commit", "[writer]") {
  testing::TempDir dir;
  std::string path = dir.file("w.db");
  Writer w(make_db(path), 256, false);
  CHECK_FALSE(w.pipelined_syncs());
  auto before = wal_vfs_counters();
  REQUIRE(w.run([](WriteTx& tx) { return tx.db().exec("INSERT INTO t VALUES (1)"); }).ok());
  CHECK(wal_vfs_counters().deferred_syncs == before.deferred_syncs);
  CHECK(wal_vfs_counters().syncs == before.syncs + 1);
}
