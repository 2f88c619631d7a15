#pragma once
// RAII over SQLite 3: Database (one connection), Statement (a prepared statement with typed
// binds and columns), Transaction (BEGIN IMMEDIATE … COMMIT, rolled back if not committed) and
// Savepoint. Every SQLite return code is checked and turned into a Status. A Database is not
// thread-safe: one thread uses it at a time (the Writer owns the write connection; readers
// take connections from a ReaderPool).
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto.hpp"
#include "common/status.hpp"

namespace vnh::store {

// A byte string bound as BLOB (plain strings bind as TEXT).
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* st, bool owned, bool* in_use = nullptr, std::uint64_t* writes = nullptr)
      : db_(db), st_(st), owned_(owned), in_use_(in_use), writes_(writes) {}
  Statement(Statement&& o) noexcept { *this = std::move(o); }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds are 1-based like SQLite's.
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, Blob v);
  Statement& bind(int i, std::nullopt_t);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind(i, std::nullopt);
  }
  // Binds all arguments from index 1.
  template <class... Args>
  Statement& bind_all(Args&&... args) {
    int i = 0;
    (bind(++i, std::forward<Args>(args)), ...);
    return *this;
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for INSERT/UPDATE/DELETE), then resets.
  Status run();
  void reset();

  bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(st_, col); }
  int int32(int col) const { return sqlite3_column_int(st_, col); }
  double real(int col) const { return sqlite3_column_double(st_, col); }
  std::string text(int col) const;
  // The column's text without a copy, valid until the next step() or reset().
  std::string_view text_view(int col) const;
  std::string blob(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::int64_t>(int64(col));
  }
  std::optional<std::string> opt_text(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::string>(text(col));
  }
  std::optional<double> opt_real(int col) const {
    return is_null(col) ? std::nullopt : std::optional<double>(real(col));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
  bool owned_ = true;       // cached statements are reset, not finalised
  bool* in_use_ = nullptr;  // the cache entry's checked-out flag
  std::uint64_t* writes_ = nullptr;  // the connection's Database::writes()
  Status bind_error_;
};

struct OpenOptions {
  bool read_only = false;
  bool create = true;
  // synchronous=FULL by default (SPEC §9); tests and bulk generators may lower it.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 10000;
  std::int64_t cache_kib = 64 * 1024;
  // WAL pages before the committing connection checkpoints by itself (SQLite's default is
  // 1,000, which bulk tools crossed every few commits, each time with an fsync of the database
  // file). The Store's writer does not use this: its WAL hook hands checkpoints to the
  // Checkpointer thread (store/checkpointer.hpp).
  int wal_autocheckpoint_pages = 10000;
  // Under synchronous=FULL or EXTRA, write each commit's WAL frames in one go (store/wal_vfs.hpp).
  // Off gives SQLite's own unix VFS, as the raw-insert baseline of the intake bench needs.
  bool coalesce_wal_writes = true;
  // The data key (the Store's). A connection that has it can derive the personal facts the
  // file does not hold in clear, through SQL functions (store/personal.hpp), and write and
  // verify the keyed audit chain. Must outlive the connection.
  const FieldCrypto* keys = nullptr;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> open(const std::string& path, const OpenOptions& opts = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }
  Status exec(std::string_view sql);
  // A prepared statement, reset when the handle goes out of scope. Statements are cached
  // per connection by their SQL text (compiling is the expensive part); a statement already
  // checked out (nested use of the same SQL) is prepared afresh instead.
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_rowid() { return sqlite3_last_insert_rowid(db_); }
  int changes() { return sqlite3_changes(db_); }
  // Counts statements run on this connection that may have changed the database: every
  // exec() and every step of a prepared statement that is not read-only (whatever its
  // outcome). Unchanged across a piece of work ⇒ that work wrote nothing (the Writer then has
  // nothing to undo when a job fails).
  std::uint64_t writes() const { return writes_; }
  Status error(int rc, std::string_view what);
  // The data key this connection was opened with, or nullptr.
  const FieldCrypto* keys() const { return keys_; }

 private:
  Database() = default;
  sqlite3* db_ = nullptr;
  const FieldCrypto* keys_ = nullptr;
  std::string path_;
  std::uint64_t writes_ = 0;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::map<std::string, Cached, std::less<>> cache_;
};

// BEGIN IMMEDIATE on construction; rolls back unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_), open_(o.open_) { o.open_ = false; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();
  Status rollback();

 private:
  explicit Transaction(Database& db) : db_(&db), open_(true) {}
  Database* db_;
  bool open_;
};

// Maps a failed SQLite call to a Status: constraint violations to kAlreadyExists or
// kFailedPrecondition, busy to kUnavailable, the rest to kInternal.
Status sqlite_status(sqlite3* db, int rc, std::string_view what);
// How many I/O errors and disk-full errors SQLite has reported (process-wide; /metrics).
std::uint64_t storage_errors();

}  // namespace vnh::store
