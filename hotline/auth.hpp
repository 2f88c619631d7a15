#pragma once
// Accounts and sessions: user creation rules, argon2id password checks with lockout after
// repeated failures (rehashing when the policy's parameters change), bearer session tokens
// (random, stored as SHA-256, expiring), logout. Password hashing is slow on purpose: callers
// run hash/verify off the I/O threads and outside write transactions, then write the result.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "domain/policy.hpp"
#include "domain/types.hpp"
#include "store/accounts.hpp"
#include "store/sqlite.hpp"

namespace vnh::hotline {

struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  domain::Role role = domain::Role::kOperator;
  TimeMs expires_at = 0;
  std::string token_hash;
  std::optional<std::int64_t> canteen_id;  // a canteen user's canteen
};

Status validate_username(const std::string& username);
Status validate_password(const std::string& password);

// Validates and hashes (slow), then inserts the user and an audit entry in `db`'s transaction.
struct NewUser {
  std::string username;
  std::string display_name;
  domain::Role role = domain::Role::kOperator;
  std::string password_hash;  // from hash_new_password
  std::optional<std::int64_t> canteen_id;  // required for (and only for) a canteen user
};
Result<std::string> hash_new_password(const std::string& password, const domain::Policy& policy);
Result<std::int64_t> insert_new_user(store::Database& db, const NewUser& u, TimeMs now, const std::string& actor);

// Login in two steps so the slow verify runs outside the writer:
//  1. check_password() reads the user and verifies (no writes);
//  2. record_login() writes the outcome: a session on success (and a rehash when needed), the
//     failure count otherwise, with an audit entry either way — for an unknown name too.
// Throttling comes before both, in the LoginGuard (hotline/login_guard.hpp).
struct LoginCheck {
  std::string username;  // as typed
  std::optional<store::UserRow> user;
  bool password_ok = false;
  std::optional<std::string> rehash;  // new hash when parameters changed
};
Result<LoginCheck> check_password(store::Database& db, const std::string& username, const std::string& password,
                                  const domain::Policy& policy);
struct LoginResult {
  std::string token;  // returned once to the client
  Principal principal;
};
// Returns kUnauthenticated (bad credentials, no detail on which: unknown names answer alike).
Result<LoginResult> record_login(store::Database& db, const LoginCheck& check, const domain::Policy& policy,
                                 TimeMs now, const std::string& remote);

// Resolves a bearer token to its principal; kUnauthenticated when unknown, expired or revoked.
Result<Principal> authenticate(store::Database& db, const std::string& token, TimeMs now);
Status logout(store::Database& db, const Principal& p, TimeMs now);
// Disables a user and revokes every session of theirs (audited as `actor`).
Status disable_user(store::Database& db, const std::string& username, const std::string& actor, TimeMs now);

// Sessions recently checked against the database, so that a console's or a device gateway's
// requests (thousands a second under intake) do not each open a read transaction to read the
// session and its user. An entry is trusted for at most `ttl` on `clock` (the platform's:
// under --fake-clock it is the test's to move), and never past the session's expiry. Logout
// and disabling a user on this server call forget_all() when their transaction commits
// (before they are answered); a change made by another process on the same database
// (`vnh user disable`) takes effect within `ttl`. Thread-safe.
class SessionCache {
 public:
  explicit SessionCache(const Clock& clock, TimeMs ttl_ms = 1000) : clock_(clock), ttl_ms_(ttl_ms) {}
  // The principal for this token if it was checked within ttl and has not expired at `now`.
  std::optional<Principal> find(const std::string& token, TimeMs now);
  // Call before reading the session; pass it to remember(), which then keeps nothing if
  // forget_all() ran in between (the read may predate a logout).
  std::uint64_t generation();
  void remember(const Principal& p, std::uint64_t generation_before_read);
  void forget_all();
  std::size_t size();

 private:
  struct Entry {
    Principal principal;
    TimeMs checked_at = 0;
  };
  static constexpr std::size_t kMaxEntries = 10000;
  const Clock& clock_;
  TimeMs ttl_ms_;
  std::mutex mu_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;  // by token hash
};

}  // namespace vnh::hotline
