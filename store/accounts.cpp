#include "store/accounts.hpp"

#include "store/query.hpp"

namespace vnh::store {
using namespace vnh::domain;

namespace {
constexpr const char* kUserCols =
    "SELECT id, username, display_name, role, password_hash, active, failed_logins, created_at, canteen_id FROM users ";
Result<UserRow> read_user(Statement& s) {
  UserRow u;
  u.id = s.int64(0);
  u.username = s.text(1);
  u.display_name = s.text(2);
  VNH_ASSIGN_OR_RETURN(u.role, enum_column(s, 3, parse_role, "users.role"));
  u.password_hash = s.text(4);
  u.active = s.int32(5) != 0;
  u.failed_logins = s.int32(6);
  u.created_at = s.int64(7);
  u.canteen_id = s.opt_int64(8);
  return u;
}
}  // namespace

Result<std::int64_t> insert_user(Database& db, const UserRow& u) {
  auto st = db.prepare(
      "INSERT INTO users(username, display_name, role, password_hash, active, created_at, password_changed_at, "
      "canteen_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  Status r = st->bind_all(u.username, u.display_name, to_string(u.role), u.password_hash, u.active ? 1 : 0,
                          u.created_at, u.created_at, u.canteen_id)
                 .run();
  if (r.code() == Code::kAlreadyExists) {
    return Status(Code::kAlreadyExists, "user '" + u.username + "' already exists", "username", reason::kDuplicate);
  }
  VNH_RETURN_IF_ERROR(r);
  return db.last_insert_rowid();
}

Result<std::optional<UserRow>> find_user(Database& db, const std::string& username) {
  auto st = db.prepare(std::string(kUserCols) + "WHERE username = ?");
  if (st.ok()) st->bind(1, username);
  return query_one<UserRow>(std::move(st), read_user);
}

Result<std::optional<UserRow>> user_by_id(Database& db, std::int64_t id) {
  auto st = db.prepare(std::string(kUserCols) + "WHERE id = ?");
  if (st.ok()) st->bind(1, id);
  return query_one<UserRow>(std::move(st), read_user);
}

Result<std::vector<UserRow>> list_users(Database& db) {
  return query_all<UserRow>(db.prepare(std::string(kUserCols) + "ORDER BY username"), read_user);
}

Status record_login_failure(Database& db, std::int64_t user_id) {
  auto st = db.prepare("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind(1, user_id).run();
}

Status record_login_success(Database& db, std::int64_t user_id) {
  auto st = db.prepare("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind(1, user_id).run();
}

Status set_password_hash(Database& db, std::int64_t user_id, const std::string& hash, TimeMs now) {
  auto st = db.prepare("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(hash, now, user_id).run();
}

Status set_user_active(Database& db, std::int64_t user_id, bool active) {
  auto st = db.prepare("UPDATE users SET active = ? WHERE id = ?");
  if (!st.ok()) return st.status();
  return st->bind_all(active ? 1 : 0, user_id).run();
}

Status insert_session(Database& db, const SessionRow& s) {
  auto st = db.prepare("INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return st->bind_all(Blob{s.token_hash}, s.user_id, s.created_at, s.expires_at).run();
}

Result<std::optional<SessionRow>> find_session(Database& db, const std::string& token_hash) {
  auto st = db.prepare("SELECT token_hash, user_id, created_at, expires_at, revoked FROM sessions WHERE token_hash = ?");
  if (st.ok()) st->bind(1, Blob{token_hash});
  return query_one<SessionRow>(std::move(st), [](Statement& s) {
    return SessionRow{s.blob(0), s.int64(1), s.int64(2), s.int64(3), s.int32(4) != 0};
  });
}

Status revoke_session(Database& db, const std::string& token_hash) {
  auto st = db.prepare("UPDATE sessions SET revoked = 1 WHERE token_hash = ?");
  if (!st.ok()) return st.status();
  return st->bind(1, Blob{token_hash}).run();
}

Status revoke_user_sessions(Database& db, std::int64_t user_id) {
  auto st = db.prepare("UPDATE sessions SET revoked = 1 WHERE user_id = ?");
  if (!st.ok()) return st.status();
  return st->bind(1, user_id).run();
}

}  // namespace vnh::store
