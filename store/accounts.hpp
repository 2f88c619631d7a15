#pragma once
// Users (operators, supervisors, inspectors, finance, admins) and their login sessions.
// Passwords are argon2id hashes; session tokens are stored as SHA-256 hashes only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "domain/types.hpp"
#include "store/sqlite.hpp"

namespace vnh::store {

struct UserRow {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  domain::Role role = domain::Role::kOperator;
  std::string password_hash;
  bool active = true;
  int failed_logins = 0;  // since the last success, for the record (throttling: hotline/login_guard.hpp)
  TimeMs created_at = 0;
  std::optional<std::int64_t> canteen_id;  // a canteen user's canteen (SPEC §3)
};

struct SessionRow {
  std::string token_hash;
  std::int64_t user_id = 0;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  bool revoked = false;
};

Result<std::int64_t> insert_user(Database& db, const UserRow& u);
Result<std::optional<UserRow>> find_user(Database& db, const std::string& username);
Result<std::optional<UserRow>> user_by_id(Database& db, std::int64_t id);
Result<std::vector<UserRow>> list_users(Database& db);
// Counts one more failed login (the users.locked_until column of older versions is no longer read).
Status record_login_failure(Database& db, std::int64_t user_id);
Status record_login_success(Database& db, std::int64_t user_id);
Status set_password_hash(Database& db, std::int64_t user_id, const std::string& hash, TimeMs now);
Status set_user_active(Database& db, std::int64_t user_id, bool active);

Status insert_session(Database& db, const SessionRow& s);
Result<std::optional<SessionRow>> find_session(Database& db, const std::string& token_hash);
Status revoke_session(Database& db, const std::string& token_hash);
Status revoke_user_sessions(Database& db, std::int64_t user_id);

}  // namespace vnh::store
