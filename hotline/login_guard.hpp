#pragma once
// Throttles failed logins (SPEC §9) in memory, before any password is hashed:
// - per account and source: `lockout_failures` failures within `lockout_minutes` refuse that
//   name from that address until the window ends (the policy's lockout, which therefore cannot
//   be used from one place to lock a user out of every desk: the admin included);
// - per source: `source_failures` failures of any names within the window refuse the address;
// - per account from all sources: past `account_failures`, the name is slowed to one attempt
//   per `account_spacing` rather than locked, so a spread-out guessing run gets nowhere and
//   the owner can still get in.
// The guard never knows whether a name exists: known and unknown names are counted, refused
// and answered alike. Its tables are bounded (`max_entries` each; expired entries go first,
// then the oldest). Thread-safe.
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/time.hpp"

namespace vnh::hotline {

struct LoginLimits {
  int pair_failures = 5;
  TimeMs window = 15 * kMsPerMinute;
  int source_failures = 30;
  int account_failures = 20;
  TimeMs account_spacing = 10'000;
  std::size_t max_entries = 100'000;
};

class LoginGuard {
 public:
  explicit LoginGuard(LoginLimits l) : limits_(l) {}

  // 0: go ahead; otherwise refused, retry after that many ms. Once a failure has been seen, an
  // admitted attempt counts against the limits until done() says how it ended, so guesses
  // running at once cannot together pass a limit (they are refused, not hashed).
  TimeMs admit(std::string_view account, std::string_view source, TimeMs now);
  enum class Outcome { kFailed, kSucceeded, kAbandoned /* an error: neither */ };
  void done(std::string_view account, std::string_view source, Outcome how, TimeMs now);

  // An administrator reset the account's password or re-enabled it: its failures so far (from
  // every address) no longer count. The addresses' own counts stay.
  void forgive(std::string_view account);

  const LoginLimits& limits() const { return limits_; }

 private:
  struct Count {
    int failures = 0;
    int pending = 0;          // admitted, not done yet
    TimeMs since = 0;         // the window's start (the first failure in it)
    TimeMs last_attempt = 0;  // accounts only: when the last slowed attempt went ahead
  };
  using Table = std::unordered_map<std::string, Count>;
  Count* live(Table& t, const std::string& key, TimeMs now);
  Count& entry(Table& t, const std::string& key, TimeMs now);

  LoginLimits limits_;
  std::mutex mu_;
  Table pairs_, sources_, accounts_;
};

// Where logins are checked: the guard, and a pool of their own for the argon2id work, so a
// flood of logins waits behind itself and never behind (or in front of) a settlement run on
// the blocking pool. At most `max_waiting` logins queue; beyond that the answer is 503 at once.
struct LoginDesk {
  LoginDesk(LoginLimits l, int threads, int max_waiting_) : guard(l), pool(threads), max_waiting(max_waiting_) {}
  LoginGuard guard;
  boost::asio::thread_pool pool;
  std::atomic<int> waiting{0};
  const int max_waiting;
  std::atomic<std::uint64_t> checked{0}, throttled{0}, busy{0};  // for /metrics
};

}  // namespace vnh::hotline
