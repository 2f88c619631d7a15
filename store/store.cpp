#include "store/store.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.hpp"
#include "store/migrations.hpp"

namespace vnh::store {

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& in) {
  StoreOptions opts = in;
  if (opts.key_file.empty()) opts.key_file = opts.path + ".key";
  struct stat sb{};
  bool exists = ::stat(opts.path.c_str(), &sb) == 0;
  if (!exists && !opts.create) return not_found(fmt::format("database {} does not exist", opts.path), "db");
  // A new database gets a new key; an existing one must come with its key.
  auto crypto = FieldCrypto::from_key_file(opts.key_file, !exists);
  if (!crypto.ok()) {
    if (crypto.status().code() == Code::kNotFound) {
      return Status(Code::kFailedPrecondition,
                    fmt::format("database {} exists but its data key {} is missing (or set VNH_DATA_KEY)", opts.path,
                                opts.key_file));
    }
    return crypto.status();
  }
  if (!exists) {
    // Readable by its owner only (SPEC §9); SQLite gives the -wal and -shm files the same mode.
    int fd = ::open(opts.path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return Status(Code::kUnavailable, fmt::format("cannot create database {}: {}", opts.path, std::strerror(errno)));
    ::close(fd);
  } else if ((sb.st_mode & 077) != 0) {
    log::warn("msg=\"the database file can be read by others than its owner; chmod 600 it\" path={}", log::q(opts.path));
  }
  std::unique_ptr<Store> s(new Store(opts, *crypto));
  s->opts_.open.keys = &s->crypto_;  // every connection of the Store, readers too
  OpenOptions wo = s->opts_.open;
  wo.read_only = false;
  auto db = Database::open(opts.path, wo);
  if (!db.ok()) return db.status();
  VNH_RETURN_IF_ERROR(migrate(**db));
  if (opts.start_writer) {
    auto ck = Checkpointer::start(opts.path, wo, opts.checkpoints);  // (it never reads personal data)
    if (!ck.ok()) return ck.status();
    s->checkpointer_ = std::move(*ck);
    s->checkpointer_->watch(**db);
    s->writer_ = std::make_unique<Writer>(std::move(*db), 256, opts.pipeline_wal_syncs);
  } else {
    s->direct_ = std::move(*db);
  }
  return s;
}

Store::~Store() {
  if (writer_) writer_->stop();
  if (checkpointer_) checkpointer_->stop();
}

namespace {
// Ends a lease's read transaction; false when it could not be ended.
bool end_read(Database& db) {
  if (sqlite3_get_autocommit(db.handle())) return true;  // no transaction (its BEGIN failed)
  auto end = db.prepare("COMMIT");
  if (!end.ok() || !end->run().ok()) return false;
  // COMMIT succeeds beside a statement still stepping, but the snapshot lives on until that
  // statement is reset: find it only then (the walk covers every cached statement).
  if (sqlite3_txn_state(db.handle(), nullptr) != SQLITE_TXN_NONE) {
    for (sqlite3_stmt* st = sqlite3_next_stmt(db.handle(), nullptr); st; st = sqlite3_next_stmt(db.handle(), st)) {
      if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
    }
  }
  return sqlite3_txn_state(db.handle(), nullptr) == SQLITE_TXN_NONE;
}

void begin_read(Database& db) {
  auto begin = db.prepare("BEGIN");  // deferred: the snapshot starts at the first read
  if (begin.ok()) (void)begin->run();
}
}  // namespace

Store::Lease::Lease(Store* s, std::unique_ptr<Database> db) : s_(s), db_(std::move(db)) { begin_read(*db_); }

void Store::Lease::refresh() {
  if (db_ && end_read(*db_)) begin_read(*db_);
}

Store::Lease::~Lease() {
  if (!db_ || !s_) return;
  bool reusable = end_read(*db_);
  std::lock_guard lk(s_->mu_);
  if (reusable) {
    s_->idle_.push_back(std::move(db_));
  } else {
    --s_->open_readers_;  // closed below, outside the pool; the next read() opens another
  }
  s_->cv_.notify_one();
}

Result<Store::Lease> Store::read() {
  std::unique_lock lk(mu_);
  while (idle_.empty() && open_readers_ >= opts_.readers) cv_.wait(lk);
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(db));
  }
  ++open_readers_;
  lk.unlock();
  OpenOptions ro = opts_.open;
  ro.read_only = true;
  ro.cache_kib = opts_.reader_cache_kib;
  auto db = Database::open(opts_.path, ro);
  if (!db.ok()) {
    std::lock_guard g(mu_);
    --open_readers_;
    cv_.notify_one();
    return db.status();
  }
  return Lease(this, std::move(*db));
}

}  // namespace vnh::store
