#include "hotline/auth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/crypto.hpp"
#include "common/text.hpp"
#include "store/audit.hpp"

namespace vnh::hotline {
using namespace vnh::domain;

Status validate_username(const std::string& u) {
  if (u.empty() || u.size() > 64) return invalid("username", "must be 1 to 64 characters");
  for (char c : u) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '@';
    if (!ok) return invalid("username", "may use letters, digits and . _ - @ only");
  }
  return Status::Ok();
}

// At least 8 characters (a Chinese passphrase counts its characters), and not one a guesser
// tries first: digits only, one character repeated, a run like 12345678 or abcdefgh, or a
// password on every list of the most common ones.
Status validate_password(const std::string& p) {
  if (!valid_utf8(p)) return invalid("password", "is not valid UTF-8");
  const auto cps = code_points(p);
  if (cps.size() < 8) return invalid("password", "must be at least 8 characters");
  if (p.size() > 256) return invalid("password", "must be at most 256 bytes");
  const bool digits = std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && cps.size() < 16) return invalid("password", "must not be digits only (unless 16 or more)");
  bool same = true, up = true, down = true;
  for (std::size_t i = 1; i < cps.size(); ++i) {
    same = same && cps[i] == cps[0];
    up = up && cps[i] == cps[i - 1] + 1;
    down = down && cps[i] + 1 == cps[i - 1];
  }
  if (same || up || down) return invalid("password", "must not be one character repeated or a run like abcdefgh");
  std::string lower = p;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::string_view kCommon[] = {"password", "password1", "password123", "passw0rd", "qwertyui", "qwerty123",
                                                 "1qaz2wsx", "1q2w3e4r", "a1b2c3d4", "abc12345", "abcd1234", "iloveyou",
                                                 "admin123", "admin888", "woaini1314", "aa123456", "zxcvbnm1", "88888888a"};
  for (auto c : kCommon) {
    if (lower == c) return invalid("password", "is one of the most common passwords");
  }
  return Status::Ok();
}

Result<std::string> hash_new_password(const std::string& password, const Policy& policy) {
  VNH_RETURN_IF_ERROR(validate_password(password));
  return hash_password(password, policy.password);
}

Result<std::int64_t> insert_new_user(store::Database& db, const NewUser& u, TimeMs now, const std::string& actor) {
  VNH_RETURN_IF_ERROR(validate_username(u.username));
  store::UserRow row;
  row.username = u.username;
  row.display_name = u.display_name;
  row.role = u.role;
  row.password_hash = u.password_hash;
  row.created_at = now;
  if ((u.role == domain::Role::kCanteen) != u.canteen_id.has_value()) {
    return invalid("canteen_code", u.role == domain::Role::kCanteen ? "a canteen user needs the canteen it works at"
                                                                    : "only a canteen user is bound to a canteen");
  }
  row.canteen_id = u.canteen_id;
  auto id = store::insert_user(db, row);
  if (!id.ok()) return id.status();
  VNH_RETURN_IF_ERROR(store::append_audit(db, now,
                                          {actor, "user.create", "user:" + u.username,
                                           fmt::format("{{\"role\":\"{}\"}}", to_string(u.role))}));
  return id;
}

Result<LoginCheck> check_password(store::Database& db, const std::string& username, const std::string& password,
                                  const Policy& policy) {
  LoginCheck c;
  c.username = username;
  auto u = store::find_user(db, username);
  if (!u.ok()) return u.status();
  c.user = *u;
  if (!c.user || !c.user->active) {
    // Spend the same time as a real check so user names cannot be probed by timing.
    static const std::string kDummy = *hash_password("not-a-real-password", policy.password);
    (void)verify_password(kDummy, password);
    return c;
  }
  c.password_ok = verify_password(c.user->password_hash, password);
  if (c.password_ok && password_needs_rehash(c.user->password_hash, policy.password)) {
    auto h = hash_password(password, policy.password);
    if (h.ok()) c.rehash = *h;
  }
  return c;
}

Result<LoginResult> record_login(store::Database& db, const LoginCheck& c, const Policy& policy, TimeMs now,
                                 const std::string& remote) {
  const Status wrong(Code::kUnauthenticated, "wrong user name or password", "password", reason::kBadCredentials);
  std::string detail = store::json_detail({{"remote", remote}});
  if (!c.user || !c.user->active) {
    // The same work as a known name's failure (a commit with an audit entry), so neither the
    // answer nor its time tells the two apart; the log shows who is being guessed at.
    VNH_RETURN_IF_ERROR(store::append_audit(db, now, {"anonymous", "login.failed", "user:" + c.username, detail}));
    return wrong;
  }
  // Re-read inside the write: a user disabled since the check gets no session.
  auto fresh = store::user_by_id(db, c.user->id);
  if (!fresh.ok()) return fresh.status();
  if (!*fresh || !(*fresh)->active) return wrong;
  const store::UserRow& u = **fresh;
  std::string who = "user:" + u.username;
  if (!c.password_ok) {
    // Throttling is the LoginGuard's (per source and account, in memory, before hashing); the
    // row keeps the count of failures since the last success for the record.
    VNH_RETURN_IF_ERROR(store::record_login_failure(db, u.id));
    VNH_RETURN_IF_ERROR(store::append_audit(db, now, {u.username, "login.failed", who, detail}));
    // Committed even though the request fails: the caller commits this job, then answers 401.
    return wrong;
  }
  VNH_RETURN_IF_ERROR(store::record_login_success(db, u.id));
  if (c.rehash) VNH_RETURN_IF_ERROR(store::set_password_hash(db, u.id, *c.rehash, now));
  LoginResult r;
  r.token = random_token();
  r.principal = Principal{u.id, u.username, u.role,
                          now + static_cast<TimeMs>(policy.session_ttl_minutes) * kMsPerMinute, sha256_raw(r.token),
                          u.canteen_id};
  VNH_RETURN_IF_ERROR(store::insert_session(db, {r.principal.token_hash, u.id, now, r.principal.expires_at, false}));
  VNH_RETURN_IF_ERROR(store::append_audit(db, now, {u.username, "login", who, detail}));
  return r;
}

Result<Principal> authenticate(store::Database& db, const std::string& token, TimeMs now) {
  auto bad = [] { return Status(Code::kUnauthenticated, "missing, expired or revoked session token", "", reason::kBadToken); };
  if (token.empty() || token.size() > 128) return bad();
  std::string h = sha256_raw(token);
  auto s = store::find_session(db, h);
  if (!s.ok()) return s.status();
  if (!*s || (*s)->revoked || (*s)->expires_at <= now) return bad();
  auto u = store::user_by_id(db, (*s)->user_id);
  if (!u.ok()) return u.status();
  if (!*u || !(*u)->active) return bad();
  return Principal{(*u)->id, (*u)->username, (*u)->role, (*s)->expires_at, h, (*u)->canteen_id};
}

std::optional<Principal> SessionCache::find(const std::string& token, TimeMs now) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  const std::string h = sha256_raw(token);
  std::lock_guard lk(mu_);
  auto it = entries_.find(h);
  if (it == entries_.end()) return std::nullopt;
  if (clock_.now_ms() - it->second.checked_at > ttl_ms_ || it->second.principal.expires_at <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

std::uint64_t SessionCache::generation() {
  std::lock_guard lk(mu_);
  return generation_;
}

void SessionCache::remember(const Principal& p, std::uint64_t generation_before_read) {
  const TimeMs at = clock_.now_ms();
  std::lock_guard lk(mu_);
  if (generation_ != generation_before_read) return;
  if (entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [&](const auto& e) { return at - e.second.checked_at > ttl_ms_; });
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  entries_.insert_or_assign(p.token_hash, Entry{p, at});
}

void SessionCache::forget_all() {
  std::lock_guard lk(mu_);
  ++generation_;
  entries_.clear();
}

std::size_t SessionCache::size() {
  std::lock_guard lk(mu_);
  return entries_.size();
}

Status logout(store::Database& db, const Principal& p, TimeMs now) {
  VNH_RETURN_IF_ERROR(store::revoke_session(db, p.token_hash));
  return store::append_audit(db, now, {p.username, "logout", "user:" + p.username, "{}"});
}

Status disable_user(store::Database& db, const std::string& username, const std::string& actor, TimeMs now) {
  auto u = store::find_user(db, username);
  if (!u.ok()) return u.status();
  if (!*u) return not_found("no user " + username, "username");
  VNH_RETURN_IF_ERROR(store::set_user_active(db, (*u)->id, false));
  VNH_RETURN_IF_ERROR(store::revoke_user_sessions(db, (*u)->id));
  return store::append_audit(db, now, {actor, "user.disable", "user:" + username, "{}"});
}

}  // namespace vnh::hotline
