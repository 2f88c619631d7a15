#include <catch2/catch.hpp>

#include "common/crypto.hpp"
#include "data/embedded.hpp"
#include "hotline/auth.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
using namespace vnh::hotline;

namespace {
struct Fixture : testing::TestStore {
  TimeMs now = 1'800'000'000'000;
  Fixture() : TestStore("a.db") {
    policy.password = PasswordParams{1, 8 * 1024 * 1024};  // fast hashes for tests
    auto h = hash_new_password("correct horse", policy);
    REQUIRE(h.ok());
    REQUIRE(store::run_transaction(store->db(), [&](store::WriteTx& tx) {
              return insert_new_user(tx.db(), {"alice", "Alice", domain::Role::kOperator, *h}, now, "test").status();
            }).ok());
  }
  Result<LoginResult> login(const std::string& pw) {
    auto c = check_password(store->db(), "alice", pw, policy, now);
    REQUIRE(c.ok());
    std::optional<Result<LoginResult>> out;
    REQUIRE(store::run_transaction(store->db(), [&](store::WriteTx& tx) {
              out.emplace(record_login(tx.db(), *c, policy, now, "127.0.0.1"));
              return Status::Ok();
            }).ok());
    return std::move(*out);
  }
};
}  // namespace

TEST_CASE("a session token authenticates until it expires or is revoked", "[auth]") {
  Fixture f;
  auto r = f.login("correct horse");
  REQUIRE(r.ok());
  auto p = authenticate(f.store->db(), r->token, f.now);
  REQUIRE(p.ok());
  CHECK(p->username == "alice");
  CHECK(p->role == domain::Role::kOperator);
  CHECK(authenticate(f.store->db(), r->token, f.now + 480 * kMsPerMinute).status().code() == Code::kUnauthenticated);
  CHECK(authenticate(f.store->db(), "bogus", f.now).status().code() == Code::kUnauthenticated);
  REQUIRE(store::run_transaction(f.store->db(), [&](store::WriteTx& tx) { return logout(tx.db(), *p, f.now); }).ok());
  CHECK_FALSE(authenticate(f.store->db(), r->token, f.now).ok());
}

TEST_CASE("repeated failures lock the account, then it opens again", "[auth]") {
  Fixture f;
  for (int i = 0; i < 4; ++i) CHECK(f.login("wrong").status().code() == Code::kUnauthenticated);
  CHECK(f.login("wrong").status().code() == Code::kUnauthenticated);  // 5th: locks
  auto locked = f.login("correct horse");
  CHECK(locked.status().code() == Code::kPermissionDenied);
  CHECK(locked.status().reason() == "locked");
  f.now += 15 * kMsPerMinute + 1;
  CHECK(f.login("correct horse").ok());
}

TEST_CASE("unknown users and bad passwords get the same answer", "[auth]") {
  Fixture f;
  auto c = check_password(f.store->db(), "nobody", "x", f.policy, f.now);
  REQUIRE(c.ok());
  std::optional<Result<LoginResult>> out;
  REQUIRE(store::run_transaction(f.store->db(), [&](store::WriteTx& tx) {
            out.emplace(record_login(tx.db(), *c, f.policy, f.now, "x"));
            return Status::Ok();
          }).ok());
  CHECK(out->status().message() == f.login("wrong").status().message());
}

TEST_CASE("hashes are rehashed when the policy's parameters change", "[auth]") {
  Fixture f;
  f.policy.password = PasswordParams{2, 8 * 1024 * 1024};
  auto c = check_password(f.store->db(), "alice", "correct horse", f.policy, f.now);
  REQUIRE(c.ok());
  CHECK(c->password_ok);
  CHECK(c->rehash.has_value());
}

TEST_CASE("user names and passwords are validated", "[auth]") {
  CHECK(validate_username("op.zhang-01@hotline").ok());
  CHECK_FALSE(validate_username("张三").ok());
  CHECK_FALSE(validate_username("").ok());
  CHECK_FALSE(validate_password("short").ok());
  CHECK(validate_password("密码是八个字符啊").ok());
  CHECK(validate_password("password-123").ok());
  CHECK(validate_password("1234567890123456").ok());  // digits, but long
  for (const char* weak : {"12345678", "87654321", "00000000", "aaaaaaaa", "abcdefgh", "Password", "1qaz2wsx", "13912345678"}) {
    INFO(weak);
    auto st = validate_password(weak);
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.field() == "password");
  }
}

TEST_CASE("the session cache trusts a check for its ttl, never past expiry, and forgets on logout", "[auth]") {
  const TimeMs now = 1'800'000'000'000;
  FakeClock clock(now);
  SessionCache cache(clock, 200);
  const std::string token = "a-bearer-token";
  Principal p{7, "alice", domain::Role::kOperator, now + kMsPerHour, sha256_raw(token)};
  CHECK_FALSE(cache.find(token, now));
  cache.remember(p, cache.generation());
  auto hit = cache.find(token, now);
  REQUIRE(hit);
  CHECK(hit->username == "alice");
  CHECK(hit->user_id == 7);
  CHECK_FALSE(cache.find("another-token", now));
  CHECK_FALSE(cache.find(token, now + kMsPerHour));  // the session expired: not served, and dropped
  CHECK(cache.size() == 0);
  SECTION("past the ttl the database is asked again") {
    cache.remember(p, cache.generation());
    clock.advance(200);
    CHECK(cache.find(token, now));  // still within the ttl
    clock.advance(50);
    CHECK_FALSE(cache.find(token, now));
  }
  SECTION("forget_all drops everything, and a read begun before it is not kept") {
    cache.remember(p, cache.generation());
    const auto before_read = cache.generation();  // a request starts reading the session …
    cache.forget_all();                            // … a logout commits meanwhile …
    cache.remember(p, before_read);                // … and the stale "valid" is not cached
    CHECK_FALSE(cache.find(token, now));
    CHECK(cache.size() == 0);
  }
}
