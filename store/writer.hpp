#pragma once
// Writer: the one serialized path for every database write (STYLE: "SQLite writes go through
// one serialized path"). It owns the write connection and a thread. Jobs submitted from any
// thread are group-committed: the thread takes every queued job (up to a batch limit), runs
// them in one transaction, commits once (one fsync under WAL + synchronous=FULL), and only
// then runs the jobs' commit hooks and completions. A job that fails is rolled back alone; if
// the commit fails every job in the batch fails. So a caller answered "ok" knows its write is
// durable, and throughput is not capped at one fsync per request.
//
// Jobs run without a savepoint each (SAVEPOINT and RELEASE, and the page copies a savepoint
// keeps, were ~13 % of the writer's time per ticket). A job that fails before it wrote
// anything (validation, not found: Database::writes() did not move) leaves nothing to undo
// but its rollback hooks. A job that fails after writing makes the writer undo the pass's
// in-memory changes (every rollback hook, newest first), roll the transaction back and run
// the whole batch again with each job inside its own SAVEPOINT, as it always did before; so
// jobs must tolerate being run twice, which a job that keeps its side effects in hooks does.
//
// Commit hooks and completions run in commit order on a second thread, the completer: the
// writer hands it each committed batch in one step and goes straight on to the next batch, so
// waking sockets, timers and waiting requests (a system call each) costs the writer nothing.
// Keep them short all the same (post elsewhere). Rollback hooks run on the writer thread, at
// once, because the jobs after them must see the in-memory state they restore.
//
// Pipelined syncs (on by default when the connection is FULL through store/wal_vfs): the
// writer's COMMIT writes the batch's WAL frames but leaves the fsync to the completer, which
// takes one fsync for every commit written by then and only after it returns runs the batch's
// hooks and completions. The writer meanwhile runs the next batch, so fsync time and statement
// time overlap instead of adding up. Other connections can read a commit from the moment its
// COMMIT returns, before its fsync (as they could under synchronous=NORMAL); no one is told it
// succeeded, no firm is sent an offer and no timer is armed before it is durable. If an fsync
// fails, the batches waiting for it fail with kUnavailable and so does every later job: the
// server must be restarted (SQLite's recovery then keeps what reached the disk).
#include <atomic>
#include <condition_variable>
#include <optional>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.hpp"
#include "store/sqlite.hpp"
#include "store/wal_vfs.hpp"

namespace vnh::store {

// The transaction a job runs in. Hooks registered by domain code run after the batch commits
// (notify sockets, arm timers) or after this job is rolled back (undo in-memory changes).
class WriteTx {
 public:
  explicit WriteTx(Database& db) : db_(db) {}
  Database& db() { return db_; }
  void on_commit(std::function<void()> f) { commit_hooks_.push_back(std::move(f)); }
  void on_rollback(std::function<void()> f) { rollback_hooks_.push_back(std::move(f)); }
  void run_commit_hooks();
  void run_rollback_hooks();
  // Marks the hooks registered so far; rewind() drops later commit hooks and runs later
  // rollback hooks (for a nested savepoint that was rolled back).
  std::pair<std::size_t, std::size_t> mark() const { return {commit_hooks_.size(), rollback_hooks_.size()}; }
  void rewind(std::pair<std::size_t, std::size_t> m);
  void clear_hooks() {
    commit_hooks_.clear();
    rollback_hooks_.clear();
  }

 private:
  Database& db_;
  std::vector<std::function<void()>> commit_hooks_;
  std::vector<std::function<void()>> rollback_hooks_;
};

// Runs `work` inside a nested SAVEPOINT `name` of `tx`: on failure its writes and the hooks
// it registered are undone and its status returned; the enclosing transaction goes on.
Status savepoint(WriteTx& tx, const std::string& name, const std::function<Status()>& work);

// Runs `work` in one IMMEDIATE transaction on `db` (for single-threaded tools and tests):
// commits and runs commit hooks when it returns ok, rolls back otherwise.
Status run_transaction(Database& db, const std::function<Status(WriteTx&)>& work);

class Writer {
 public:
  using Work = std::function<Status(WriteTx&)>;
  using Done = std::function<void(Status)>;

  Writer(std::unique_ptr<Database> db, std::size_t max_batch = 256, bool pipeline_syncs = true);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a job; `done` gets its status after the commit (or the failure). Thread-safe.
  // After stop(), jobs fail at once with kUnavailable.
  void submit(Work work, Done done);
  // Blocking convenience for callers that are neither the writer thread nor running inside a
  // commit hook or completion (those run on the completer, which this would wait for).
  Status run(Work work);
  template <class T>
  Result<T> call(std::function<Result<T>(WriteTx&)> fn) {
    std::optional<Result<T>> out;
    Status st = run([&](WriteTx& tx) {
      out.emplace(fn(tx));
      return out->status();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }
  // Finishes queued jobs, then stops the thread. Idempotent.
  void stop();
  bool on_writer_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  std::uint64_t batches() const { return batches_; }
  std::uint64_t jobs() const { return jobs_; }
  // Batches run a second time with a savepoint per job, because a job failed after writing.
  std::uint64_t replays() const { return replays_; }
  // Where the writer thread's time goes: running the jobs' statements, and committing (writing
  // the WAL frames, and the fsync unless syncs are pipelined). Microseconds since start.
  std::uint64_t work_us() const { return work_us_; }
  std::uint64_t commit_us() const { return commit_us_; }
  // The writer thread's CPU time for the same (the rest of work + commit is waiting: the disk,
  // or the other threads on these cores).
  std::uint64_t cpu_us() const { return cpu_us_; }
  // Pipelined syncs: whether they are on, and the completer's time in fsync (microseconds).
  bool pipelined_syncs() const { return wal_sync_ != nullptr; }
  std::uint64_t sync_us() const { return sync_us_; }

 private:
  struct Job {
    Work work;
    Done done;
  };
  // A batch after its commit (or its failure): each job's hooks to run and completion to call.
  struct Finished {
    Status status;
    std::unique_ptr<WriteTx> tx;  // null when the job failed: nothing left to run
    Done done;
  };
  struct Committed {
    std::vector<Finished> jobs;
    std::uint64_t wal_mark = 0;  // durable once the WAL is synced through this (pipelined syncs)
  };
  static WalSync* start_syncs(Database& db, bool on);
  void loop();
  void run_batch(std::deque<Job>& batch);
  // One pass over a batch's jobs inside the open transaction, each job's outcome appended.
  // kReplay: without savepoints, a job failed after writing (the pass's in-memory changes are
  // undone; the caller rolls back and runs the batch again with savepoints). kLost: SQLite
  // rolled the transaction back (every outcome is that failure).
  enum class Pass { kDone, kReplay, kLost };
  Pass run_jobs(std::deque<Job>& batch, std::vector<Finished>& outcomes, bool savepoints);
  void complete_loop();

  std::unique_ptr<Database> db_;
  WalSync* wal_sync_;  // null: SQLite syncs inside COMMIT
  std::atomic<bool> sync_failed_{false};
  std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> jobs_{0};
  std::atomic<std::uint64_t> replays_{0};
  std::atomic<std::uint64_t> work_us_{0};
  std::atomic<std::uint64_t> commit_us_{0};
  std::atomic<std::uint64_t> cpu_us_{0};
  std::atomic<std::uint64_t> sync_us_{0};
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::deque<Committed> finished_;
  bool writer_done_ = false;
  std::thread completer_;
  std::thread thread_;
};

}  // namespace vnh::store
