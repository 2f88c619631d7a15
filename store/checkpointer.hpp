#pragma once
// Checkpointer: copies the WAL back into the database file on its own thread and its own
// connection, so that no commit waits for a checkpoint.
//
// SQLite checkpoints on the committing connection by default: the COMMIT that crosses the
// threshold also copies the WAL's pages into the database and fsyncs it before it returns, and
// every request in that group commit waits for it. Watching the write connection instead
// (a WAL hook; it replaces SQLite's own autocheckpoint there), this wakes a thread that runs
// PASSIVE checkpoints — they never block the writer or the readers — each time the WAL holds
// `soft_pages` frames that no pass has copied yet, and every `idle` while anything is left.
// Waking it at every commit past the threshold instead made it copy each group commit's pages
// right after it, so a page every commit touches (the tables' last pages, the counters, each
// busy firm's index pages) was copied once per commit rather than once per pass. Under
// sustained writes a passive checkpoint can never quite catch up with the end of the WAL, so
// the WAL could not restart from its beginning; past `hard_pages` the writer therefore
// checkpoints inline, as SQLite would have. In the last `soft_pages` before that the thread is
// woken at every commit again, so the writer's own checkpoint finds next to nothing to copy.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct CheckpointOptions {
  int soft_pages = 4000;    // wake the thread when this many frames wait (~16 MiB of WAL)
  int hard_pages = 40000;   // the writer checkpoints inline (~160 MiB)
  std::chrono::milliseconds idle{2000};
};

class Checkpointer {
 public:
  // Opens its own connection to `path` (with `open`'s settings, so a FULL database fsyncs its
  // checkpoints too) and starts the thread.
  static Result<std::unique_ptr<Checkpointer>> start(const std::string& path, const OpenOptions& open,
                                                      CheckpointOptions opts = {});
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the WAL hook on the write connection. Call before that connection is used from
  // another thread, and keep this object alive as long as that connection.
  void watch(Database& writer_db);
  // Stops the thread (idempotent). The write connection must not commit afterwards.
  void stop();

  std::uint64_t background_checkpoints() const { return background_; }
  std::uint64_t inline_checkpoints() const { return inline_; }
  int wal_pages() const { return wal_pages_; }
  // Frames (pages) appended to the WAL by the watched connection's commits, in all.
  std::uint64_t frames_written() const { return frames_; }
  // The test seam for the idle interval: the thread wakes now as if `idle` had passed.
  void idle_now();
  // Times the thread woke and decided whether to checkpoint (tests wait on it).
  std::uint64_t wakeups() const { return wakeups_; }
  // True while the thread has been woken and has not finished the pass (tests wait on it).
  bool busy();

 private:
  Checkpointer(std::unique_ptr<Database> db, CheckpointOptions opts) : db_(std::move(db)), opts_(opts) {}
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void loop();
  // One PASSIVE checkpoint; *log and *done are the WAL's frames and those now in the database.
  bool checkpoint(sqlite3* db, std::atomic<std::uint64_t>& counter, int* log, int* done);

  std::unique_ptr<Database> db_;
  CheckpointOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool idle_now_ = false;
  bool in_pass_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> wakeups_{0};
  std::atomic<int> wal_pages_{0};
  std::atomic<int> passed_{0};  // the WAL's frames when the last background pass started copying
  std::atomic<std::uint64_t> restarts_{0};  // WAL restarts seen by the hook: a pass that raced one
                                             // must not set passed_ from the WAL that is gone
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::uint64_t> background_{0};
  std::atomic<std::uint64_t> inline_{0};
  int caught_up_at_ = -1;  // the WAL size at the last checkpoint that copied all of it
  std::thread thread_;
};

}  // namespace vnh::store
