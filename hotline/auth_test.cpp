#include <catch2/catch.hpp>

#include "common/crypto.hpp"
#include "data/embedded.hpp"
#include "hotline/auth.hpp"
#include "hotline/login_guard.hpp"
#include "hotline/request.hpp"
#include "store/audit.hpp"
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
              return insert_new_user(tx.db(), {"alice", "Alice", domain::Role::kOperator, *h, std::nullopt}, now, "test").status();
            }).ok());
  }
  Result<LoginResult> login(const std::string& pw) {
    auto c = check_password(store->db(), "alice", pw, policy);
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

TEST_CASE("the login guard: five failures from one desk refuse that name there until the window ends; other desks "
          "and names go on", "[auth][throttle]") {
  LoginGuard g(LoginLimits{});  // 5 per name and source, 30 per source, 20 per name, 15 min
  const TimeMs t0 = 1'800'000'000'000;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(g.admit("admin", "10.0.0.9", t0 + i) == 0);
    g.done("admin", "10.0.0.9", LoginGuard::Outcome::kFailed, t0 + i);
  }
  TimeMs wait = g.admit("admin", "10.0.0.9", t0 + 10);
  CHECK(wait == 15 * kMsPerMinute - 10);  // from the first failure
  CHECK(g.admit("admin", "10.0.0.7", t0 + 10) == 0);   // the admin's own desk is not locked out
  CHECK(g.admit("alice", "10.0.0.9", t0 + 10) == 0);   // nor another name from the guessing desk
  CHECK(g.admit("admin", "10.0.0.9", t0 + 15 * kMsPerMinute) == 0);  // the window is over
}

TEST_CASE("the login guard counts attempts still being checked: concurrent guesses cannot pass the limit together",
          "[auth][throttle]") {
  LoginGuard g(LoginLimits{});
  const TimeMs t0 = 1'800'000'000'000;
  int admitted = 0;
  for (int i = 0; i < 8; ++i) admitted += g.admit("alice", "10.0.0.9", t0) == 0;  // a desk's eight tabs at once
  CHECK(admitted == 8);  // no failure yet: concurrency alone is never refused
  for (int i = 0; i < 8; ++i) g.done("alice", "10.0.0.9", LoginGuard::Outcome::kAbandoned, t0);
  REQUIRE(g.admit("alice", "10.0.0.9", t0) == 0);
  g.done("alice", "10.0.0.9", LoginGuard::Outcome::kFailed, t0);  // one failure seen
  admitted = 0;
  for (int i = 0; i < 8; ++i) admitted += g.admit("alice", "10.0.0.9", t0 + 1) == 0;
  CHECK(admitted == 4);  // 1 failure + 4 being checked = the limit of 5
  for (int i = 0; i < 4; ++i) g.done("alice", "10.0.0.9", LoginGuard::Outcome::kAbandoned, t0 + 1);  // server errors
  CHECK(g.admit("alice", "10.0.0.9", t0 + 2) == 0);  // abandoned attempts count as nothing
}

TEST_CASE("the login guard counts unknown and known names alike and refuses a source that guesses many names",
          "[auth][throttle]") {
  LoginGuard g(LoginLimits{});
  const TimeMs t0 = 1'800'000'000'000;
  for (int i = 0; i < 30; ++i) {
    std::string name = "nobody" + std::to_string(i);  // each name only once: no pair reaches 5
    REQUIRE(g.admit(name, "10.0.0.9", t0 + i) == 0);
    g.done(name, "10.0.0.9", LoginGuard::Outcome::kFailed, t0 + i);
  }
  CHECK(g.admit("operator1", "10.0.0.9", t0 + 100) > 0);  // the address is refused, whatever the name
  CHECK(g.admit("operator1", "10.0.0.8", t0 + 100) == 0);
}

TEST_CASE("the login guard forgives a name an administrator reset, and only that name", "[auth][throttle]") {
  LoginGuard g(LoginLimits{});
  const TimeMs t0 = 1'800'000'000'000;
  for (const char* name : {"ann", "annie"}) {
    for (int i = 0; i < 5; ++i) {
      REQUIRE(g.admit(name, "10.0.0.9", t0 + i) == 0);
      g.done(name, "10.0.0.9", LoginGuard::Outcome::kFailed, t0 + i);
    }
  }
  REQUIRE(g.admit("ann", "10.0.0.9", t0 + 10) > 0);
  g.forgive("ann");
  CHECK(g.admit("ann", "10.0.0.9", t0 + 10) == 0);
  g.done("ann", "10.0.0.9", LoginGuard::Outcome::kSucceeded, t0 + 10);
  CHECK(g.admit("annie", "10.0.0.9", t0 + 10) == 15 * kMsPerMinute - 10);  // a name it merely begins
}

TEST_CASE("the login guard slows a name guessed at from many places instead of locking it", "[auth][throttle]") {
  LoginGuard g(LoginLimits{});
  const TimeMs t0 = 1'800'000'000'000;
  for (int i = 0; i < 20; ++i) {
    std::string src = "10.0.1." + std::to_string(i);
    REQUIRE(g.admit("admin", src, t0 + i) == 0);
    g.done("admin", src, LoginGuard::Outcome::kFailed, t0 + i);
  }
  CHECK(g.admit("admin", "10.0.2.1", t0 + 100) == 0);        // one attempt goes ahead …
  CHECK(g.admit("admin", "10.0.2.2", t0 + 200) == 10'000 - 100);  // … the next waits its turn
  CHECK(g.admit("admin", "10.0.2.2", t0 + 100 + 10'000) == 0);
}

TEST_CASE("the login guard's tables stay bounded under a flood of distinct names", "[auth][throttle]") {
  LoginLimits l;
  l.max_entries = 100;
  LoginGuard g(l);
  const TimeMs t0 = 1'800'000'000'000;
  using O = LoginGuard::Outcome;
  for (int i = 0; i < 10'000; ++i) g.done("n" + std::to_string(i), "10.0.0." + std::to_string(i % 250), O::kFailed, t0 + i);
  // The newest entries are kept, so the latest guessing still counts.
  for (int i = 0; i < 5; ++i) g.done("target", "10.9.9.9", O::kFailed, t0 + 20'000 + i);
  CHECK(g.admit("target", "10.9.9.9", t0 + 30'000) > 0);
}

TEST_CASE("unknown users and bad passwords get the same answer", "[auth]") {
  Fixture f;
  auto c = check_password(f.store->db(), "nobody", "x", f.policy);
  REQUIRE(c.ok());
  std::optional<Result<LoginResult>> out;
  REQUIRE(store::run_transaction(f.store->db(), [&](store::WriteTx& tx) {
            out.emplace(record_login(tx.db(), *c, f.policy, f.now, "x"));
            return Status::Ok();
          }).ok());
  auto known = f.login("wrong");
  CHECK(out->status().message() == known.status().message());
  CHECK(out->status().code() == known.status().code());
  CHECK(out->status().reason() == known.status().reason());
  // Both were written down (the same work, so the same time): who is being guessed at shows.
  auto log = store::list_audit(f.store->db(), "user:", 10);
  REQUIRE(log.ok());
  int failed = 0;
  for (const auto& e : *log) failed += e.entry.action == "login.failed";
  CHECK(failed == 2);
}

TEST_CASE("hashes are rehashed when the policy's parameters change", "[auth]") {
  Fixture f;
  f.policy.password = PasswordParams{2, 8 * 1024 * 1024};
  auto c = check_password(f.store->db(), "alice", "correct horse", f.policy);
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
  Principal p{7, "alice", domain::Role::kOperator, now + kMsPerHour, sha256_raw(token), std::nullopt};
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

TEST_CASE("canonical JSON is stable: parsing what it wrote gives it again (a fuzz finding: a 50-digit number)",
          "[request][fuzz]") {
  const std::string input = R"({"55,5555555555a":55555555555555555555555555555555555555555555555551,"a":2})";
  auto o = parse_object(input);
  REQUIRE(o.ok());
  const std::string canon = canonical_json(*o);
  INFO(canon);
  auto again = parse_object(canon);
  REQUIRE(again.ok());
  CHECK(canonical_json(*again) == canon);
  CHECK(canonical_json(*parse_object(R"({"b":[{"z":1,"y":2}],"a":null})")) == R"({"a":null,"b":[{"y":2,"z":1}]})");
  // Another: a number no double holds is refused, not read as infinity.
  auto huge = parse_object(R"({"a":-5.8e4032})");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.status().reason() == "malformed_json");
  CHECK(huge.status().message().find("-5.8e4032") != std::string::npos);
  auto tiny = parse_object(R"({"a":1e-400})");
  REQUIRE(tiny.ok());
  CHECK(tiny->at("a").as_double() == 0.0);
}
