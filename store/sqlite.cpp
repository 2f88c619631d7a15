#include "store/sqlite.hpp"

#include <atomic>
#include <cctype>

#include "common/log.hpp"
#include "store/page_cache.hpp"
#include "store/personal.hpp"
#include "store/wal_vfs.hpp"

#include <fmt/format.h>

namespace vnh::store {

namespace {
std::atomic<std::uint64_t> g_storage_errors{0};
}  // namespace

std::uint64_t storage_errors() { return g_storage_errors.load(std::memory_order_relaxed); }

Status sqlite_status(sqlite3* db, int rc, std::string_view what) {
  std::string msg = fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status(Code::kAlreadyExists, msg, {}, reason::kDuplicate);
      }
      return Status(Code::kFailedPrecondition, msg, {}, reason::kConstraint);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(Code::kUnavailable, msg);
    case SQLITE_FULL:
    case SQLITE_IOERR:
      g_storage_errors.fetch_add(1, std::memory_order_relaxed);
      return Status(Code::kUnavailable, msg, {}, reason::kStorage);
    default:
      return Status(Code::kInternal, msg);
  }
}

namespace {
void release(sqlite3_stmt* st, bool owned, bool* in_use) {
  if (!st) return;
  if (owned) {
    sqlite3_finalize(st);
  } else {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (in_use) *in_use = false;
  }
}
}  // namespace

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    release(st_, owned_, in_use_);
    db_ = o.db_;
    st_ = o.st_;
    owned_ = o.owned_;
    in_use_ = o.in_use_;
    writes_ = o.writes_;
    bind_error_ = std::move(o.bind_error_);
    o.st_ = nullptr;
    o.in_use_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { release(st_, owned_, in_use_); }

namespace {
void note(Status& slot, sqlite3* db, int rc, int i) {
  if (rc != SQLITE_OK && slot.ok()) slot = sqlite_status(db, rc, fmt::format("bind parameter {}", i));
}
}  // namespace

Statement& Statement::bind(int i, std::int64_t v) {
  note(bind_error_, db_, sqlite3_bind_int64(st_, i, v), i);
  return *this;
}
Statement& Statement::bind(int i, double v) {
  note(bind_error_, db_, sqlite3_bind_double(st_, i, v), i);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  note(bind_error_, db_, sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), i);
  return *this;
}
Statement& Statement::bind(int i, Blob v) {
  note(bind_error_, db_, sqlite3_bind_blob64(st_, i, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT), i);
  return *this;
}
Statement& Statement::bind(int i, std::nullopt_t) {
  note(bind_error_, db_, sqlite3_bind_null(st_, i), i);
  return *this;
}

Result<bool> Statement::step() {
  if (!bind_error_.ok()) return bind_error_;
  if (writes_ && !sqlite3_stmt_readonly(st_)) ++*writes_;
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status st = sqlite_status(db_, rc, fmt::format("step '{:.60}'", sqlite3_sql(st_)));
  sqlite3_reset(st_);
  return st;
}

Status Statement::run() {
  while (true) {
    auto r = step();
    if (!r.ok()) return r.status();
    if (!*r) break;
  }
  reset();
  return Status::Ok();
}

void Statement::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
  bind_error_ = Status::Ok();
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}

std::string_view Statement::text_view(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string_view();
}

std::string Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, const OpenOptions& opts) {
  // No global memory statistics: they cost a process-wide mutex on every allocation. The page
  // cache layer spares each commit a walk of the whole cache (store/page_cache.hpp).
  static const int kConfigured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (int rc = install_page_cache_layer(); rc != SQLITE_OK) {
      log::warn("msg=\"SQLite page cache layer not installed; the default cache is used\" error={}",
                log::q(sqlite3_errstr(rc)));
    }
    return sqlite3_initialize();
  }();
  (void)kConfigured;
  std::unique_ptr<Database> db(new Database());
  db->path_ = path;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= opts.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (!opts.read_only && opts.create) flags |= SQLITE_OPEN_CREATE;
  // Under synchronous=FULL a commit's WAL frames go to the file in one write (store/wal_vfs.hpp);
  // only then: under NORMAL, SQLite publishes a commit without syncing, and the shim needs the sync.
  std::string sync = opts.synchronous;
  for (auto& c : sync) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  bool coalesce = opts.coalesce_wal_writes && !opts.read_only && (sync == "FULL" || sync == "EXTRA" || sync == "2" || sync == "3");
  int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, coalesce ? coalescing_wal_vfs() : nullptr);
  if (rc != SQLITE_OK) {
    Status st(Code::kUnavailable, fmt::format("cannot open database {}: {}", path,
                                              db->db_ ? sqlite3_errmsg(db->db_) : sqlite3_errstr(rc)));
    return st;
  }
  sqlite3_extended_result_codes(db->db_, 1);
  sqlite3_busy_timeout(db->db_, opts.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
  // No memory-mapped reads: while the server runs the file grows at every checkpoint and each
  // connection remapped it at its next read, the page faults and TLB shootdowns costing the
  // I/O threads and the writer more than the copies save (bench/notes.md).
  pragmas += fmt::format("PRAGMA cache_size=-{}; PRAGMA mmap_size=0;", opts.cache_kib);
  if (!opts.read_only) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += fmt::format("PRAGMA synchronous={};", opts.synchronous);
    pragmas += fmt::format("PRAGMA wal_autocheckpoint={};", opts.wal_autocheckpoint_pages);
  }
  VNH_RETURN_IF_ERROR(db->exec(pragmas));
  if (opts.keys) {
    db->keys_ = opts.keys;
    VNH_RETURN_IF_ERROR(register_personal_functions(*db));
  }
  return db;
}

Database::~Database() {
  for (auto& [k, c] : cache_) sqlite3_finalize(c.stmt);
  if (db_) sqlite3_close_v2(db_);
}

Status Database::error(int rc, std::string_view what) { return sqlite_status(db_, rc, what); }

Status Database::exec(std::string_view sql) {
  char* err = nullptr;
  ++writes_;
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Status st = sqlite_status(db_, rc, fmt::format("exec '{:.80}'", s));
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  constexpr std::size_t kMaxCached = 512;
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(db_, it->second.stmt, false, &it->second.in_use, &writes_);
  }
  bool cache = it == cache_.end() && cache_.size() < kMaxCached;
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), cache ? SQLITE_PREPARE_PERSISTENT : 0,
                              &st, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db_, rc, fmt::format("prepare '{:.80}'", sql));
  if (!cache) return Statement(db_, st, true, nullptr, &writes_);
  auto& c = cache_.emplace(std::string(sql), Cached{st, true}).first->second;
  return Statement(db_, st, false, &c.in_use, &writes_);
}

Result<Transaction> Transaction::begin(Database& db) {
  VNH_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (open_) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (!open_) return internal("transaction already finished");
  Status st = db_->exec("COMMIT");
  if (st.ok()) open_ = false;
  return st;
}

Status Transaction::rollback() {
  if (!open_) return Status::Ok();
  open_ = false;
  return db_->exec("ROLLBACK");
}

}  // namespace vnh::store
