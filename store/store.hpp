#pragma once
// Store: one database file with its data key. Opens (creating if asked) and migrates the
// file, and hands out the Writer (the single write path) and read connections from a small
// pool (WAL lets readers run beside the writer). Thread-safe.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "store/checkpointer.hpp"
#include "store/sqlite.hpp"
#include "store/writer.hpp"

namespace vnh::store {

struct StoreOptions {
  std::string path;
  std::string key_file;  // default: path + ".key"
  bool create = true;
  OpenOptions open;
  std::size_t readers = 4;
  // Each reader's page cache (KiB). The writer keeps open.cache_kib (64 MiB): it touches the
  // indexes every commit. Readers share the OS page cache and mostly read a few pages per
  // request; bounding them keeps the process's memory level however long it runs
  // (8 readers × 64 MiB would be half a gigabyte of cache that only ever grows).
  std::int64_t reader_cache_kib = 16 * 1024;
  bool start_writer = true;  // false for single-threaded tools that write through db()
  // With the writer: WAL checkpoints on a thread of their own (store/checkpointer.hpp).
  CheckpointOptions checkpoints;
  // With the writer under synchronous=FULL: fsyncs off the writer thread, requests still
  // answered only after theirs (store/writer.hpp).
  bool pipeline_wal_syncs = true;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> open(const StoreOptions& opts);
  ~Store();

  // A read connection, returned to the pool when the lease ends. Its reads form one read
  // transaction: one snapshot for everything read under the lease, and one WAL read lock and
  // page-cache check instead of one per statement (a connection drops its page cache at every
  // read transaction that finds a newer commit, which under intake is every one). Keep leases
  // short: a checkpoint cannot restart the WAL past an open snapshot.
  class Lease {
   public:
    Lease(Store* s, std::unique_ptr<Database> db);
    Lease(Lease&&) = default;
    ~Lease();
    // Ends the snapshot: the next read sees what was committed since (after a write through
    // the writer that this lease's holder wants to read back).
    void refresh();
    Database& operator*() { return *db_; }
    Database* operator->() { return db_.get(); }

   private:
    Store* s_;
    std::unique_ptr<Database> db_;
  };

  Result<Lease> read();
  Writer& writer() { return *writer_; }
  // The background checkpointer (null for single-threaded tools).
  const Checkpointer* checkpointer() const { return checkpointer_.get(); }
  // The write connection for single-threaded tools (only when start_writer was false).
  Database& db() { return *direct_; }
  const FieldCrypto& crypto() const { return crypto_; }
  const std::string& path() const { return opts_.path; }

 private:
  Store(StoreOptions o, FieldCrypto c) : opts_(std::move(o)), crypto_(c) {}
  StoreOptions opts_;
  FieldCrypto crypto_;
  std::unique_ptr<Database> direct_;
  std::unique_ptr<Checkpointer> checkpointer_;  // declared before writer_: outlives its hook
  std::unique_ptr<Writer> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::size_t open_readers_ = 0;
};

}  // namespace vnh::store
