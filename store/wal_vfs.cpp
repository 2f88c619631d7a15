#include "store/wal_vfs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

namespace vnh::store {
namespace {

// A WAL write larger than this goes straight through; a buffer that would grow past it is
// written out first. A group commit is typically a few hundred KiB.
constexpr std::size_t kMaxBuffer = 8u << 20;

std::atomic<unsigned long long> g_writes{0};
std::atomic<unsigned long long> g_flushes{0};
std::atomic<unsigned long long> g_syncs{0};
std::atomic<unsigned long long> g_deferred_syncs{0};
std::atomic<bool> g_fail_next_sync{false};
thread_local int t_sync_now = 0;  // SyncWalNow scopes alive on this thread

sqlite3_vfs* g_root = nullptr;  // the wrapped (default) VFS

struct ShimFile {
  sqlite3_file base;    // must be first: SQLite sees this
  sqlite3_file* real;   // the wrapped VFS's file, in the same allocation, after this struct
  sqlite3_int64 buf_at;  // file offset of buf[0]
  std::string* buf;      // pending contiguous WAL bytes (WAL files only)
  const char* name;      // SQLite's, valid until xClose
  WalSync* sync;         // set by start_deferred_wal_syncs (WAL files only)
};

void raise_to(std::atomic<std::uint64_t>& a, std::uint64_t v) {
  std::uint64_t cur = a.load(std::memory_order_relaxed);
  while (cur < v && !a.compare_exchange_weak(cur, v, std::memory_order_release, std::memory_order_relaxed)) {
  }
}

ShimFile* shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }

// The armed disk fault: which operation, how many more of it go through, the code to fail with.
std::atomic<int> g_fault_op{-1};
std::atomic<std::int64_t> g_fault_left{0};
std::atomic<int> g_fault_rc{SQLITE_OK};
std::atomic<std::uint64_t> g_faults_injected{0};

// SQLITE_OK, or the injected code when this operation is the armed one's N-th.
int injected(DiskOp op) {
  if (g_fault_op.load(std::memory_order_acquire) != static_cast<int>(op)) return SQLITE_OK;
  if (g_fault_left.fetch_sub(1) != 1) return SQLITE_OK;
  g_fault_op.store(-1);
  ++g_faults_injected;
  return g_fault_rc.load();
}
sqlite3_file* real(sqlite3_file* f) { return shim(f)->real; }

// The unix VFS writes at most 128 KiB - 1 per call (it masks the length to 17 bits: SQLite
// itself never writes more than a page), so the buffer goes out in pieces just under that.
constexpr std::size_t kMaxWrite = 0x1F000;  // 124 KiB

int write_through(sqlite3_file* real, const char* p, std::size_t n, sqlite3_int64 at) {
  while (n > 0) {
    std::size_t piece = n < kMaxWrite ? n : kMaxWrite;
    ++g_flushes;
    int rc = injected(DiskOp::kWrite);
    if (rc == SQLITE_OK) rc = real->pMethods->xWrite(real, p, static_cast<int>(piece), at);
    if (rc != SQLITE_OK) return rc;
    p += piece;
    n -= piece;
    at += static_cast<sqlite3_int64>(piece);
  }
  return SQLITE_OK;
}

}  // namespace

// The shim's access to a WalSync's counters.
struct WalSyncAccess {
  static void written(WalSync& w) { w.written_.fetch_add(1, std::memory_order_release); }
  static void synced(WalSync& w, std::uint64_t mark) { raise_to(w.synced_, mark); }
  static bool behind(const WalSync& w) { return w.synced_.load() < w.written_.load(); }
  static WalSync* create(const char* path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    auto* w = new (std::nothrow) WalSync();
    if (!w) {
      ::close(fd);
      return nullptr;
    }
    w->fd_ = fd;
    return w;
  }
  static void destroy(WalSync* w) {
    if (!w) return;
    if (w->fd_ >= 0) ::close(w->fd_);
    delete w;
  }
};

namespace {

int flush(ShimFile* f) {
  if (!f->buf || f->buf->empty()) return SQLITE_OK;
  int rc = write_through(f->real, f->buf->data(), f->buf->size(), f->buf_at);
  f->buf->clear();
  if (rc == SQLITE_OK && f->sync) WalSyncAccess::written(*f->sync);
  return rc;
}

// ---- methods shared by both kinds of file: straight through ---------------------------------
int x_lock(sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); }
int x_unlock(sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); }
int x_check_reserved(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_chars(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int pg, int sz, int extend, void volatile** pp) {
  if (real(f)->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return real(f)->pMethods->xShmMap(real(f), pg, sz, extend, pp);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** pp) {
  if (real(f)->pMethods->iVersion < 3) {
    *pp = nullptr;
    return SQLITE_OK;
  }
  return real(f)->pMethods->xFetch(real(f), off, amt, pp);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  if (real(f)->pMethods->iVersion < 3) return SQLITE_OK;
  return real(f)->pMethods->xUnfetch(real(f), off, p);
}

// ---- every other file ------------------------------------------------------------------------
int p_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
int p_read(sqlite3_file* f, void* p, int amt, sqlite3_int64 off) { return real(f)->pMethods->xRead(real(f), p, amt, off); }
int p_write(sqlite3_file* f, const void* p, int amt, sqlite3_int64 off) {
  if (int rc = injected(DiskOp::kWrite)) return rc;
  return real(f)->pMethods->xWrite(real(f), p, amt, off);
}
int p_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = injected(DiskOp::kTruncate)) return rc;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int p_sync(sqlite3_file* f, int flags) {
  if (int rc = injected(DiskOp::kSync)) return rc;
  return real(f)->pMethods->xSync(real(f), flags);
}
int p_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int p_file_control(sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); }

// ---- WAL files: writes collected until SQLite needs them -------------------------------------
int w_close(sqlite3_file* f) {
  ShimFile* s = shim(f);
  int rc = flush(s);
  // Commits whose sync was deferred and never taken (a Writer stopped without draining).
  if (rc == SQLITE_OK && s->sync && WalSyncAccess::behind(*s->sync)) rc = p_sync(f, SQLITE_SYNC_NORMAL);
  int rc2 = s->real->pMethods->xClose(s->real);
  delete s->buf;
  s->buf = nullptr;
  WalSyncAccess::destroy(s->sync);
  s->sync = nullptr;
  return rc != SQLITE_OK ? rc : rc2;
}
int w_read(sqlite3_file* f, void* p, int amt, sqlite3_int64 off) {
  int rc = flush(shim(f));
  return rc != SQLITE_OK ? rc : p_read(f, p, amt, off);
}
int w_write(sqlite3_file* f, const void* p, int amt, sqlite3_int64 off) {
  ShimFile* s = shim(f);
  ++g_writes;
  auto n = static_cast<std::size_t>(amt);
  if (!s->buf->empty() && off == s->buf_at + static_cast<sqlite3_int64>(s->buf->size()) &&
      s->buf->size() + n <= kMaxBuffer) {
    s->buf->append(static_cast<const char*>(p), n);
    return SQLITE_OK;
  }
  // Not contiguous (SQLite rewriting a frame, or the WAL restarting): what is pending goes first.
  int rc = flush(s);
  if (rc != SQLITE_OK) return rc;
  if (n >= kMaxBuffer) return write_through(s->real, static_cast<const char*>(p), n, off);
  s->buf_at = off;
  s->buf->assign(static_cast<const char*>(p), n);
  return SQLITE_OK;
}
int w_truncate(sqlite3_file* f, sqlite3_int64 size) {
  int rc = flush(shim(f));
  return rc != SQLITE_OK ? rc : p_truncate(f, size);
}
int w_sync(sqlite3_file* f, int flags) {
  ShimFile* s = shim(f);
  int rc = flush(s);
  if (rc != SQLITE_OK) return rc;
  WalSync* ws = s->sync;
  if (ws && ws->deferring() && t_sync_now == 0) {  // the completer takes it (WalSync::sync_through)
    ++g_deferred_syncs;
    return SQLITE_OK;
  }
  const std::uint64_t mark = ws ? ws->mark() : 0;
  ++g_syncs;
  rc = p_sync(f, flags);
  if (rc == SQLITE_OK && ws) WalSyncAccess::synced(*ws, mark);
  return rc;
}
int w_file_size(sqlite3_file* f, sqlite3_int64* size) {
  int rc = flush(shim(f));
  return rc != SQLITE_OK ? rc : p_file_size(f, size);
}
int w_file_control(sqlite3_file* f, int op, void* arg) {
  int rc = flush(shim(f));  // rare on a WAL file (size hints); nothing pending may be reordered
  return rc != SQLITE_OK ? rc : p_file_control(f, op, arg);
}

const sqlite3_io_methods kPassThrough = {
    3,           p_close,         p_read,         p_write,        p_truncate,   p_sync,     p_file_size,
    x_lock,      x_unlock,        x_check_reserved, p_file_control, x_sector_size, x_device_chars,
    x_shm_map,   x_shm_lock,      x_shm_barrier,  x_shm_unmap,    x_fetch,      x_unfetch};

const sqlite3_io_methods kWal = {
    3,           w_close,         w_read,         w_write,        w_truncate,   w_sync,     w_file_size,
    x_lock,      x_unlock,        x_check_reserved, w_file_control, x_sector_size, x_device_chars,
    x_shm_map,   x_shm_lock,      x_shm_barrier,  x_shm_unmap,    x_fetch,      x_unfetch};

int v_open(sqlite3_vfs* /*vfs*/, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  ShimFile* s = shim(f);
  s->base.pMethods = nullptr;
  s->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(ShimFile));
  s->buf_at = 0;
  s->buf = nullptr;
  s->name = name;
  s->sync = nullptr;
  int rc = g_root->xOpen(g_root, name, s->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls xClose only when pMethods is set; the wrapped VFS may have set its own.
    if (s->real->pMethods) s->real->pMethods->xClose(s->real);
    return rc;
  }
  if ((flags & SQLITE_OPEN_WAL) != 0) {
    s->buf = new (std::nothrow) std::string();
    if (!s->buf) {
      s->real->pMethods->xClose(s->real);
      return SQLITE_NOMEM;
    }
    s->base.pMethods = &kWal;
  } else {
    s->base.pMethods = &kPassThrough;
  }
  return SQLITE_OK;
}

int v_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_root->xDelete(g_root, name, sync_dir); }
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_root->xAccess(g_root, name, flags, out); }
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_root->xFullPathname(g_root, name, n, out);
}
void* v_dl_open(sqlite3_vfs*, const char* name) { return g_root->xDlOpen(g_root, name); }
void v_dl_error(sqlite3_vfs*, int n, char* msg) { g_root->xDlError(g_root, n, msg); }
void (*v_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_root->xDlSym(g_root, h, sym); }
void v_dl_close(sqlite3_vfs*, void* h) { g_root->xDlClose(g_root, h); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return g_root->xRandomness(g_root, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return g_root->xSleep(g_root, us); }
int v_current_time(sqlite3_vfs*, double* t) { return g_root->xCurrentTime(g_root, t); }
int v_last_error(sqlite3_vfs*, int n, char* msg) { return g_root->xGetLastError(g_root, n, msg); }
int v_current_time64(sqlite3_vfs*, sqlite3_int64* t) {
  if (g_root->iVersion >= 2 && g_root->xCurrentTimeInt64) return g_root->xCurrentTimeInt64(g_root, t);
  double d = 0;
  int rc = g_root->xCurrentTime(g_root, &d);
  *t = static_cast<sqlite3_int64>(d * 86400000.0);
  return rc;
}

sqlite3_vfs g_vfs;

}  // namespace

const char* coalescing_wal_vfs() {
  static const char* name = [] {
    g_root = sqlite3_vfs_find(nullptr);
    std::memset(&g_vfs, 0, sizeof g_vfs);
    g_vfs.iVersion = 2;  // no system-call overrides: those belong to the wrapped VFS
    g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_root->szOsFile;
    g_vfs.mxPathname = g_root->mxPathname;
    g_vfs.zName = "vnh-wal-coalesce";
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.xAccess = v_access;
    g_vfs.xFullPathname = v_full_pathname;
    g_vfs.xDlOpen = v_dl_open;
    g_vfs.xDlError = v_dl_error;
    g_vfs.xDlSym = v_dl_sym;
    g_vfs.xDlClose = v_dl_close;
    g_vfs.xRandomness = v_randomness;
    g_vfs.xSleep = v_sleep;
    g_vfs.xCurrentTime = v_current_time;
    g_vfs.xGetLastError = v_last_error;
    g_vfs.xCurrentTimeInt64 = v_current_time64;
    sqlite3_vfs_register(&g_vfs, 0);
    return g_vfs.zName;
  }();
  return name;
}

WalVfsCounters wal_vfs_counters() {
  return {g_writes.load(), g_flushes.load(), g_syncs.load(), g_deferred_syncs.load()};
}

Status WalSync::sync_through(std::uint64_t mark) {
  if (failed_.load()) return Status(Code::kUnavailable, "an earlier fsync of the WAL failed; restart the server");
  if (synced_.load(std::memory_order_acquire) >= mark) return Status::Ok();
  const std::uint64_t written = written_.load(std::memory_order_acquire);
  int rc = 0;
  if (g_fail_next_sync.exchange(false) || injected(DiskOp::kSync) != SQLITE_OK) {
    rc = -1;
    errno = EIO;
  } else {
    rc = ::fdatasync(fd_);
  }
  if (rc != 0) {
    failed_ = true;
    return Status(Code::kUnavailable, fmt::format("fsync of the WAL failed: {}", std::strerror(errno)));
  }
  ++g_syncs;
  raise_to(synced_, written);
  return Status::Ok();
}

void WalSync::fail_next_sync_for_tests() { g_fail_next_sync = true; }

void arm_disk_fault(DiskOp op, std::uint64_t nth, int sqlite_rc) {
  g_fault_op.store(-1);
  g_fault_rc.store(sqlite_rc);
  g_fault_left.store(static_cast<std::int64_t>(nth < 1 ? 1 : nth));
  g_fault_op.store(static_cast<int>(op), std::memory_order_release);
}
void disarm_disk_fault() { g_fault_op.store(-1); }
std::uint64_t disk_faults_injected() { return g_faults_injected.load(); }

Result<WalSync*> start_deferred_wal_syncs(sqlite3* db) {
  sqlite3_file* f = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || !f || f->pMethods != &kWal) {
    return static_cast<WalSync*>(nullptr);
  }
  ShimFile* s = shim(f);
  if (!s->sync) {
    s->sync = WalSyncAccess::create(s->name);
    if (!s->sync) return Status(Code::kInternal, fmt::format("cannot open {}: {}", s->name, std::strerror(errno)));
  }
  s->sync->set_deferring(false);
  int rc = w_sync(f, SQLITE_SYNC_NORMAL);  // real: the WAL's directory entry goes to disk with it
  if (rc != SQLITE_OK) return Status(Code::kUnavailable, fmt::format("sync of {} failed ({})", s->name, rc));
  s->sync->set_deferring(true);
  return s->sync;
}

SyncWalNow::SyncWalNow() { ++t_sync_now; }
SyncWalNow::~SyncWalNow() { --t_sync_now; }

}  // namespace vnh::store
