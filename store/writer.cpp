#include "store/writer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <future>

#include <pthread.h>

#include "common/log.hpp"

namespace vnh::store {

void WriteTx::run_commit_hooks() {
  auto hooks = std::move(commit_hooks_);
  rollback_hooks_.clear();
  for (auto& h : hooks) h();
}

void WriteTx::run_rollback_hooks() {
  auto hooks = std::move(rollback_hooks_);
  commit_hooks_.clear();
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();
}

void WriteTx::rewind(std::pair<std::size_t, std::size_t> m) {
  commit_hooks_.resize(std::min(m.first, commit_hooks_.size()));
  while (rollback_hooks_.size() > m.second) {
    auto h = std::move(rollback_hooks_.back());
    rollback_hooks_.pop_back();
    h();
  }
}

Status savepoint(WriteTx& tx, const std::string& name, const std::function<Status()>& work) {
  VNH_RETURN_IF_ERROR(tx.db().exec("SAVEPOINT " + name));
  auto m = tx.mark();
  Status st;
  try {
    st = work();
  } catch (const std::exception& e) {
    st = internal(e.what());
  }
  if (st.ok()) {
    Status rel = tx.db().exec("RELEASE " + name);
    if (rel.ok()) return st;
    st = rel;
  }
  (void)tx.db().exec("ROLLBACK TO " + name);
  (void)tx.db().exec("RELEASE " + name);
  tx.rewind(m);
  return st;
}

namespace {
std::uint64_t micros_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(b - a).count());
}
Status guarded(const std::function<Status(WriteTx&)>& work, WriteTx& tx) {
  try {
    return work(tx);
  } catch (const std::exception& e) {
    return internal(fmt::format("write failed: {}", e.what()));
  }
}
}  // namespace

Status run_transaction(Database& db, const std::function<Status(WriteTx&)>& work) {
  auto t = Transaction::begin(db);
  if (!t.ok()) return t.status();
  WriteTx tx(db);
  Status st = guarded(work, tx);
  if (!st.ok()) {
    (void)t->rollback();
    tx.run_rollback_hooks();
    return st;
  }
  st = t->commit();
  if (!st.ok()) {
    tx.run_rollback_hooks();
    return st;
  }
  tx.run_commit_hooks();
  return Status::Ok();
}

WalSync* Writer::start_syncs(Database& db, bool on) {
  if (!on) return nullptr;
  // The WAL is open once the connection has read the database.
  if (!db.exec("SELECT count(*) FROM sqlite_schema").ok()) return nullptr;
  auto ws = start_deferred_wal_syncs(db.handle());
  if (!ws.ok()) {
    log::warn("msg=\"pipelined WAL syncs unavailable; syncing inside each commit\" error={}", log::q(ws.status().message()));
    return nullptr;
  }
  return *ws;
}

Writer::Writer(std::unique_ptr<Database> db, std::size_t max_batch, bool pipeline_syncs)
    : db_(std::move(db)),
      wal_sync_(start_syncs(*db_, pipeline_syncs)),
      max_batch_(max_batch),
      completer_([this] { complete_loop(); }),
      thread_([this] { loop(); }) {}

Writer::~Writer() { stop(); }

void Writer::submit(Work work, Done done) {
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(work), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(Status(Code::kUnavailable, "the server is shutting down"));
}

Status Writer::run(Work work) {
  std::promise<Status> p;
  auto f = p.get_future();
  submit(std::move(work), [&p](Status st) { p.set_value(std::move(st)); });
  return f.get();
}

void Writer::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && !on_writer_thread()) thread_.join();
  if (!thread_.joinable()) {  // the writer has finished: the completer drains what it was handed
    {
      std::lock_guard lk(done_mu_);
      writer_done_ = true;
    }
    done_cv_.notify_all();
    if (completer_.joinable() && std::this_thread::get_id() != completer_.get_id()) completer_.join();
    // Both threads are done and every handed-over batch was synced: SQLite syncs for itself
    // again (closing the connection checkpoints).
    if (!completer_.joinable() && wal_sync_) wal_sync_->set_deferring(false);
  }
}

void Writer::complete_loop() {
  pthread_setname_np(pthread_self(), "vnh-completer");
  while (true) {
    Committed batch;
    {
      std::unique_lock lk(done_mu_);
      done_cv_.wait(lk, [this] { return writer_done_ || !finished_.empty(); });
      if (finished_.empty()) return;
      batch = std::move(finished_.front());
      finished_.pop_front();
    }
    if (wal_sync_ && batch.wal_mark > 0) {
      auto t0 = std::chrono::steady_clock::now();
      Status synced = wal_sync_->sync_through(batch.wal_mark);
      sync_us_ += micros_between(t0, std::chrono::steady_clock::now());
      if (!synced.ok()) {
        if (!sync_failed_.exchange(true)) {
          log::error("msg=\"WAL fsync failed: no further writes are accepted; restart the server\" error={}",
                     log::q(synced.message()));
        }
        for (auto& f : batch.jobs) {
          if (!f.tx) continue;  // failed on its own: its error stands
          f.tx.reset();         // not durable: no hooks (no offers sent, no timers armed)
          f.status = Status(Code::kUnavailable, fmt::format("storage sync failed: {}", synced.message()), {}, reason::kStorage);
        }
      }
    }
    for (auto& f : batch.jobs) {
      if (f.tx) f.tx->run_commit_hooks();
      if (f.done) f.done(std::move(f.status));
    }
  }
}

void Writer::loop() {
  pthread_setname_np(pthread_self(), "vnh-writer");
  while (true) {
    std::deque<Job> batch;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (sync_failed_) {  // what the disk holds is unknown until a restart recovers the WAL
      for (auto& j : batch) {
        if (j.done) j.done(Status(Code::kUnavailable, "storage sync failed earlier; the server must be restarted", {}, reason::kStorage));
      }
      continue;
    }
    run_batch(batch);
  }
}

namespace {
std::uint64_t thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}
}  // namespace

Writer::Pass Writer::run_jobs(std::deque<Job>& batch, std::vector<Finished>& outcomes, bool savepoints) {
  auto run = [this](const char* sql) {
    auto st = db_->prepare(sql);  // cached: no SQL compile per job
    return st.ok() ? st->run() : st.status();
  };
  // Undoes the in-memory side of every job this pass ran, newest first.
  auto undo_all = [&outcomes] {
    for (auto it = outcomes.rbegin(); it != outcomes.rend(); ++it) {
      if (it->tx) it->tx->run_rollback_hooks();
    }
  };
  for (auto& job : batch) {
    auto tx = std::make_unique<WriteTx>(*db_);
    Status st;
    if (savepoints) {
      st = run("SAVEPOINT job");
      if (st.ok()) {
        st = guarded(job.work, *tx);
        if (st.ok()) st = run("RELEASE job");
        if (!st.ok()) {
          (void)run("ROLLBACK TO job");
          (void)run("RELEASE job");
          tx->run_rollback_hooks();
        }
      }
    } else {
      const std::uint64_t writes_before = db_->writes();
      st = guarded(job.work, *tx);
      if (!st.ok()) {
        tx->run_rollback_hooks();
        if (db_->writes() != writes_before) {  // it wrote before it failed: only a rollback undoes that
          undo_all();
          outcomes.clear();
          return Pass::kReplay;
        }
      }
    }
    if (sqlite3_get_autocommit(db_->handle())) {
      // SQLite rolled the whole transaction back under this job (an I/O error, a full disk):
      // every job of the batch is lost, this one included.
      if (st.ok()) tx->run_rollback_hooks();
      undo_all();
      outcomes.clear();
      Status lost(Code::kUnavailable,
                  fmt::format("the batch's transaction was rolled back: {}", st.ok() ? "by SQLite" : st.message()),
                  {}, reason::kStorage);
      for (std::size_t i = 0; i < batch.size(); ++i) outcomes.push_back({lost, nullptr, nullptr});
      return Pass::kLost;
    }
    if (!st.ok()) tx.reset();
    outcomes.push_back({std::move(st), std::move(tx), nullptr});
  }
  return Pass::kDone;
}

void Writer::run_batch(std::deque<Job>& batch) {
  auto started = std::chrono::steady_clock::now();
  const std::uint64_t cpu_started = thread_cpu_us();
  ++batches_;
  jobs_ += batch.size();
  std::vector<Finished> outcomes;
  outcomes.reserve(batch.size());
  auto hand_over = [&](std::uint64_t wal_mark) {
    for (std::size_t i = 0; i < batch.size(); ++i) outcomes[i].done = std::move(batch[i].done);
    {
      std::lock_guard lk(done_mu_);
      finished_.push_back({std::move(outcomes), wal_mark});
    }
    done_cv_.notify_one();
  };
  auto fail_all = [&](const Status& st) {
    outcomes.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) outcomes.push_back({st, nullptr, nullptr});
    hand_over(0);
  };
  auto begun = Transaction::begin(*db_);
  if (!begun.ok()) return fail_all(begun.status());
  std::optional<Transaction> open(std::move(*begun));
  // First without savepoints: a job that fails before writing anything leaves nothing to undo,
  // and the rest commit with it. Only a job that fails after writing makes the batch run
  // again from the start, each job inside its own savepoint.
  Pass pass = run_jobs(batch, outcomes, false);
  if (pass == Pass::kReplay) {
    ++replays_;
    (void)open->rollback();
    open.reset();
    auto again = Transaction::begin(*db_);
    if (!again.ok()) return fail_all(again.status());
    open.emplace(std::move(*again));
    pass = run_jobs(batch, outcomes, true);
  }
  auto worked = std::chrono::steady_clock::now();
  Status commit = pass == Pass::kLost ? Status(Code::kUnavailable, "transaction lost") : open->commit();
  work_us_ += micros_between(started, worked);
  commit_us_ += micros_between(worked, std::chrono::steady_clock::now());
  cpu_us_ += thread_cpu_us() - cpu_started;
  if (pass == Pass::kLost) {
    log::error("msg=\"batch transaction lost\" jobs={} error={}", batch.size(), log::q(outcomes.front().status.message()));
    (void)open->rollback();
  } else if (!commit.ok()) {
    log::error("msg=\"batch commit failed\" jobs={} error={}", batch.size(), log::q(commit.message()));
    (void)open->rollback();
    for (auto& o : outcomes) {
      if (o.tx) o.tx->run_rollback_hooks();
      o.tx.reset();
      o.status = Status(Code::kUnavailable, fmt::format("storage commit failed: {}", commit.message()), {}, reason::kStorage);
    }
  }
  // With pipelined syncs the commit's frames are written, not yet synced: the completer syncs
  // through this mark before it answers anyone.
  hand_over(wal_sync_ && commit.ok() ? wal_sync_->mark() : 0);
}

}  // namespace vnh::store
