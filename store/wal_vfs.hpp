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
#include <cstddef>

namespace vnh::store {

// The registered name (registered once, on first use; never the process default).
const char* coalescing_wal_vfs();

// Writes issued and flushed through the shim (process-wide), for tests.
struct WalVfsCounters {
  unsigned long long writes = 0;   // xWrite calls SQLite made on WAL files
  unsigned long long flushes = 0;  // writes that reached the wrapped VFS
};
WalVfsCounters wal_vfs_counters();

}  // namespace vnh::store
