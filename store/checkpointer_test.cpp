#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/checkpointer.hpp"
#include "store/writer.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
constexpr std::uintmax_t kPage = 4096;

// One writer with a checkpointer watching it, as Store sets them up.
struct Rig {
  explicit Rig(const std::string& path, CheckpointOptions o) {
    auto db = std::move(*Database::open(path));
    REQUIRE(db->exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB NOT NULL)").ok());
    auto c = Checkpointer::start(path, {}, o);
    REQUIRE(c.ok());
    ck = std::move(*c);
    ck->watch(*db);
    writer = std::make_unique<Writer>(std::move(db));
  }
  ~Rig() {
    writer->stop();
    ck->stop();
  }
  // `n` commits of one ~3 KiB row each: about one new page per commit.
  void commits(int n) {
    for (int i = 0; i < n; ++i) {
      REQUIRE(writer
                  ->run([](WriteTx& tx) {
                    auto st = tx.db().prepare("INSERT INTO t(v) VALUES (zeroblob(3000))");
                    return st->run();
                  })
                  .ok());
    }
  }
  std::unique_ptr<Checkpointer> ck;  // outlives the writer's connection, as in Store
  std::unique_ptr<Writer> writer;
};

using testing::eventually;
}  // namespace

TEST_CASE("past the soft threshold the thread checkpoints and the writer never does", "[checkpoint]") {
  testing::TempDir dir;
  const std::string path = dir.file("c.db");
  Rig rig(path, {.soft_pages = 20, .hard_pages = 1'000'000, .idle = std::chrono::milliseconds(60'000)});
  auto db_size_before = std::filesystem::file_size(path);
  rig.commits(60);
  CHECK(eventually([&] { return rig.ck->background_checkpoints() > 0; }));
  CHECK(rig.ck->inline_checkpoints() == 0);
  // (Not the WAL's current length: once a checkpoint has run, the next commit restarts the WAL,
  // so how long it is at the end depends on when the thread ran.)
  // The rows reached the database file itself, not only the WAL.
  CHECK(eventually([&] { return std::filesystem::file_size(path) >= db_size_before + 20 * kPage; }));
}

TEST_CASE("below the soft threshold nothing is checkpointed until the idle interval", "[checkpoint]") {
  testing::TempDir dir;
  const std::string path = dir.file("c.db");
  // The idle interval is driven by the test (idle_now), not waited for.
  Rig rig(path, {.soft_pages = 1000, .hard_pages = 1'000'000, .idle = std::chrono::hours(1)});
  rig.commits(5);
  CHECK(rig.ck->background_checkpoints() == 0);
  CHECK(rig.ck->wakeups() == 0);
  rig.ck->idle_now();
  CHECK(eventually([&] { return rig.ck->wakeups() == 1; }));
  CHECK(rig.ck->background_checkpoints() == 1);
  // Caught up: further idle intervals with nothing new run no checkpoint.
  for (std::uint64_t i = 2; i <= 4; ++i) {
    rig.ck->idle_now();
    CHECK(eventually([&] { return rig.ck->wakeups() == i; }));
  }
  CHECK(rig.ck->background_checkpoints() == 1);
  SECTION("a commit after that is copied at the next idle interval") {
    rig.commits(1);
    rig.ck->idle_now();
    CHECK(eventually([&] { return rig.ck->wakeups() == 5; }));
    CHECK(rig.ck->background_checkpoints() == 2);
  }
}

TEST_CASE("past the hard threshold the writer checkpoints inline and the WAL stays bounded", "[checkpoint]") {
  testing::TempDir dir;
  const std::string path = dir.file("c.db");
  // A thread that never wakes up in time: only the writer's inline checkpoints keep the WAL short.
  Rig rig(path, {.soft_pages = 1'000'000, .hard_pages = 50, .idle = std::chrono::milliseconds(60'000)});
  rig.commits(400);
  CHECK(rig.ck->inline_checkpoints() > 0);
  CHECK(rig.ck->background_checkpoints() == 0);
  // Without checkpoints 400 commits would leave ~400 pages in the WAL; restarts keep it near 50.
  CHECK(std::filesystem::file_size(path + "-wal") < 80 * (kPage + 24));
}

TEST_CASE("while the WAL cannot restart, a pass runs per soft_pages new frames, not per commit", "[checkpoint]") {
  testing::TempDir dir;
  const std::string path = dir.file("c.db");
  constexpr int kSoft = 40;
  Rig rig(path, {.soft_pages = kSoft, .hard_pages = 1'000'000, .idle = std::chrono::milliseconds(60'000)});
  rig.commits(5);
  // A reader keeps an old snapshot open, as a busy server always has one: no pass can copy
  // everything, so the WAL keeps growing past the threshold and never restarts.
  auto reader = std::move(*Database::open(path));
  REQUIRE(reader->exec("BEGIN").ok());
  {
    auto st = reader->prepare("SELECT count(*) FROM t");
    REQUIRE(*st->step());
    CHECK(st->int64(0) == 5);
  }
  const auto frames_before = rig.ck->frames_written();
  for (int i = 0; i < 300; ++i) {
    rig.commits(1);
    REQUIRE(eventually([&] { return !rig.ck->busy(); }));  // the thread runs between commits
  }
  const auto frames = rig.ck->frames_written() - frames_before;
  REQUIRE(frames >= 300);
  CHECK(eventually([&] { return rig.ck->background_checkpoints() >= 2; }));
  // Waking at every commit past the threshold gave ~one pass per commit (~290 here).
  CHECK(rig.ck->background_checkpoints() <= frames / kSoft + 2);
  REQUIRE(reader->exec("COMMIT").ok());
}
