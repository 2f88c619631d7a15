#include "store/checkpointer.hpp"

#include <pthread.h>

#include "common/log.hpp"
#include "store/wal_vfs.hpp"

namespace vnh::store {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::string& path, const OpenOptions& open,
                                                          CheckpointOptions opts) {
  OpenOptions o = open;
  o.read_only = false;
  o.create = false;
  o.cache_kib = 2 * 1024;  // it only copies pages; SQLite reads them from the WAL
  auto db = Database::open(path, o);
  if (!db.ok()) return db.status();
  std::unique_ptr<Checkpointer> c(new Checkpointer(std::move(*db), opts));
  c->thread_ = std::thread([p = c.get()] { p->loop(); });
  return c;
}

Checkpointer::~Checkpointer() { stop(); }

void Checkpointer::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::watch(Database& writer_db) { sqlite3_wal_hook(writer_db.handle(), &Checkpointer::on_commit, this); }

int Checkpointer::on_commit(void* self, sqlite3* db, const char* /*schema*/, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  int before = c->wal_pages_.exchange(pages);
  if (pages > before) {
    c->frames_ += static_cast<std::uint64_t>(pages - before);
  } else {  // the WAL restarted from its beginning
    c->frames_ += static_cast<std::uint64_t>(pages);
    c->passed_ = 0;
    ++c->restarts_;
  }
  if (pages >= c->opts_.hard_pages) {
    int log = 0, done = 0;
    SyncWalNow now;  // the WAL must be durable before its pages are copied into the database
    c->checkpoint(db, c->inline_, &log, &done);  // on the writer's thread, inside its COMMIT
  } else if (pages >= c->opts_.soft_pages &&
             (pages - c->passed_ >= c->opts_.soft_pages || pages >= c->opts_.hard_pages - c->opts_.soft_pages)) {
    // A pass per soft_pages new frames; in the last stretch before hard_pages one per commit,
    // so that the writer's own checkpoint there finds next to nothing left to copy.
    {
      std::lock_guard lk(c->mu_);
      c->wanted_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

bool Checkpointer::checkpoint(sqlite3* db, std::atomic<std::uint64_t>& counter, int* log, int* done) {
  int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, log, done);
  if (rc == SQLITE_OK) {
    ++counter;
    return true;
  }
  if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {  // busy: the other side is at it already
    log::warn("msg=\"WAL checkpoint failed\" error={}", log::q(sqlite3_errmsg(db)));
  }
  return false;
}

void Checkpointer::loop() {
  pthread_setname_np(pthread_self(), "vnh-checkpoint");
  std::unique_lock lk(mu_);
  while (!stopping_) {
    cv_.wait_for(lk, opts_.idle, [this] { return stopping_ || wanted_ || idle_now_; });
    if (stopping_) break;
    wanted_ = false;
    idle_now_ = false;
    int pages = wal_pages_;
    if (pages == 0 || pages == caught_up_at_) {  // nothing new since the last full copy
      ++wakeups_;
      continue;
    }
    in_pass_ = true;
    lk.unlock();
    int log = 0, done = 0;
    const std::uint64_t generation = restarts_;
    if (checkpoint(db_->handle(), background_, &log, &done)) {
      if (log == done) caught_up_at_ = pages;
      if (restarts_ == generation) passed_ = log;  // else that WAL is gone and counting starts at 0
    }
    lk.lock();
    in_pass_ = false;
    ++wakeups_;
  }
}

bool Checkpointer::busy() {
  std::lock_guard lk(mu_);
  return wanted_ || idle_now_ || in_pass_;
}

void Checkpointer::idle_now() {
  {
    std::lock_guard lk(mu_);
    idle_now_ = true;
  }
  cv_.notify_one();
}

}  // namespace vnh::store
