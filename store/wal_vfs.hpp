#pragma once
// A VFS shim that turns a commit's WAL writes into one write.
//
// SQLite appends a commit to the WAL one frame at a time, each frame as two pwrite calls (its
// 24-byte header and its page), and then, under synchronous=FULL, syncs the WAL before it
// publishes the commit in the wal-index. A group commit of a few dozen tickets is ~100 frames,
// so ~200 system calls before the one fsync that actually makes it durable; on a virtual
// machine each costs several microseconds, and together they were most of a commit.
//
// This shim wraps the platform's default VFS and, for WAL files only, collects consecutive
// writes in a buffer that goes to the file in one call at the next xSync — the moment SQLite
// needs the bytes on disk — or earlier when the next write is not contiguous, the buffer is
// full, or anything reads, sizes, truncates or closes the file. Every other file, and every
// other method, goes straight to the wrapped VFS (locks, shared memory and mmap included).
//
// Why this is safe only with synchronous=FULL (or EXTRA): other connections read committed
// frames from the file once the wal-index says they are committed, and under FULL SQLite
// always syncs the WAL — so this shim writes it out — before it updates the wal-index. Under
// NORMAL a commit publishes frames without a sync, so Database::open uses this VFS only when
// the connection is opened FULL or EXTRA.
//
// Pipelined syncs (WalSync below). The one write connection (store::Writer) can go further:
// its commit still writes every frame before SQLite publishes it, but the fsync that makes it
// durable is taken off the writer thread. The writer notes how far the WAL was written when its
// COMMIT returned and goes straight on to the next batch; the completer thread fsyncs (one
// fsync covers every commit written by then) and only then answers that batch's requests and
// runs its commit hooks. So the disk's fsync time overlaps the next batch's statements instead
// of adding to them. What this changes, and why it is safe, is in docs/decisions (001).
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/status.hpp"

struct sqlite3;

namespace vnh::store {

// The registered name (registered once, on first use; never the process default).
const char* coalescing_wal_vfs();

// Disk faults, injected the way SQLite's own tests do it (its test_vfs / "fault injection"):
// the N-th write, sync or truncate through this VFS from now — on any file: the WAL, the
// database file at a checkpoint — fails with the given SQLite code (SQLITE_IOERR_WRITE,
// SQLITE_FULL, …), once. A deferred WAL sync (WalSync) counts as a sync and fails like an
// fsync that returned EIO. For tests and the fault sweep (`vnh serve --fake-clock` exposes it
// as POST /api/v1/admin/faults); nothing is armed otherwise.
enum class DiskOp { kWrite, kSync, kTruncate };
void arm_disk_fault(DiskOp op, std::uint64_t nth, int sqlite_rc);
void disarm_disk_fault();
std::uint64_t disk_faults_injected();

// Writes issued and flushed through the shim (process-wide), for tests.
struct WalVfsCounters {
  unsigned long long writes = 0;          // xWrite calls SQLite made on WAL files
  unsigned long long flushes = 0;         // writes that reached the wrapped VFS
  unsigned long long syncs = 0;           // WAL syncs that went to the disk at once
  unsigned long long deferred_syncs = 0;  // WAL syncs left to a WalSync (pipelined)
};
WalVfsCounters wal_vfs_counters();

// The deferred syncs of one connection's WAL (see the top of this file). Owned by the WAL's
// file object; valid while the connection is open. mark() and sync_through() may be called from
// another thread than the connection's; everything else from the connection's.
class WalSync {
 public:
  // How far the WAL has been written: a commit that returned before this call is durable once
  // sync_through() of a mark taken after it has returned ok.
  std::uint64_t mark() const { return written_.load(std::memory_order_acquire); }
  // Makes everything written up to `mark` durable: one fdatasync unless an earlier one already
  // covered it. After a failed fsync the kernel may have dropped the unwritten pages, so every
  // later call fails too: the process must be restarted (and SQLite's recovery then finds the
  // last commit that did reach the disk).
  Status sync_through(std::uint64_t mark);
  // Syncs issued on the connection's thread while this is off go to the disk at once. The
  // Writer turns it off before it closes the connection.
  void set_deferring(bool on) { deferring_.store(on, std::memory_order_release); }
  bool deferring() const { return deferring_.load(std::memory_order_acquire); }
  // The mark the last successful fsync covered.
  std::uint64_t synced() const { return synced_.load(std::memory_order_acquire); }

  // For tests: the next fsync this issues fails as a disk would (EIO).
  static void fail_next_sync_for_tests();

 private:
  friend struct WalSyncAccess;
  std::atomic<bool> deferring_{false};
  std::atomic<std::uint64_t> written_{0};  // flushes that reached the file
  std::atomic<std::uint64_t> synced_{0};   // written_ as of the last fsync that returned
  std::atomic<bool> failed_{false};
  int fd_ = -1;                            // the WAL, opened again for fsync from other threads
};

// Finds the WAL of `db` (its write connection, opened through this VFS under FULL), makes one
// real sync (so the WAL's directory entry is on disk too) and starts deferring its syncs.
// Null when the connection does not go through the shim (NORMAL, read-only, opted out).
Result<WalSync*> start_deferred_wal_syncs(sqlite3* db);

// While one of these lives on a thread, WAL syncs issued on that thread go to the disk at once
// even on a deferring connection. A checkpoint needs that: it must not copy a commit into the
// database file before that commit is durable in the WAL.
class SyncWalNow {
 public:
  SyncWalNow();
  ~SyncWalNow();
  SyncWalNow(const SyncWalNow&) = delete;
  SyncWalNow& operator=(const SyncWalNow&) = delete;
};

}  // namespace vnh::store
