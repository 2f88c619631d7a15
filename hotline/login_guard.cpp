#include "hotline/login_guard.hpp"

#include <algorithm>

namespace vnh::hotline {

namespace {
std::string pair_key(std::string_view account, std::string_view source) {
  std::string k(account);
  k += '\n';  // never in a user name (validate_username) nor in an address
  k += source;
  return k;
}
}  // namespace

LoginGuard::Count* LoginGuard::live(Table& t, const std::string& key, TimeMs now) {
  auto it = t.find(key);
  if (it == t.end()) return nullptr;
  if (now - it->second.since >= limits_.window) {
    t.erase(it);
    return nullptr;
  }
  return &it->second;
}

LoginGuard::Count& LoginGuard::entry(Table& t, const std::string& key, TimeMs now) {
  if (Count* c = live(t, key, now)) return *c;
  if (t.size() >= limits_.max_entries) {
    std::erase_if(t, [&](const auto& kv) { return now - kv.second.since >= limits_.window; });
    if (t.size() >= limits_.max_entries) {  // a flood of distinct names or addresses: forget the oldest
      auto oldest = std::min_element(t.begin(), t.end(),
                                     [](const auto& a, const auto& b) { return a.second.since < b.second.since; });
      t.erase(oldest);
    }
  }
  return t.emplace(key, Count{0, 0, now, 0}).first->second;
}

TimeMs LoginGuard::admit(std::string_view account, std::string_view source, TimeMs now) {
  std::lock_guard lk(mu_);
  auto until_window_end = [&](const Count& c) { return std::max<TimeMs>(1, c.since + limits_.window - now); };
  // Attempts still being checked count once a failure has been seen: a floor logging in at the
  // start of a shift is never refused for its own concurrency, a guessing run is held exactly.
  auto over = [](const Count* c, int limit) { return c && c->failures > 0 && c->failures + c->pending >= limit; };
  const std::string src(source), pair = pair_key(account, source), acct(account);
  if (const Count* s = live(sources_, src, now); over(s, limits_.source_failures)) return until_window_end(*s);
  if (const Count* p = live(pairs_, pair, now); over(p, limits_.pair_failures)) return until_window_end(*p);
  Count& a = entry(accounts_, acct, now);
  if (a.failures >= limits_.account_failures) {
    if (now - a.last_attempt < limits_.account_spacing) return limits_.account_spacing - (now - a.last_attempt);
    a.last_attempt = now;
  }
  ++a.pending;
  ++entry(sources_, src, now).pending;
  ++entry(pairs_, pair, now).pending;
  return 0;
}

void LoginGuard::done(std::string_view account, std::string_view source, Outcome how, TimeMs now) {
  std::lock_guard lk(mu_);
  const std::string pair = pair_key(account, source);
  for (auto [t, key] : {std::pair{&sources_, std::string(source)}, std::pair{&pairs_, pair},
                        std::pair{&accounts_, std::string(account)}}) {
    Count& c = entry(*t, key, now);
    if (c.pending > 0) --c.pending;
    if (how == Outcome::kFailed) ++c.failures;
  }
  if (how == Outcome::kSucceeded) pairs_.erase(pair);
}

void LoginGuard::forgive(std::string_view account) {
  std::lock_guard lk(mu_);
  const std::string prefix = pair_key(account, "");
  for (auto& [key, c] : pairs_) {
    if (key.compare(0, prefix.size(), prefix) == 0) c.failures = 0;
  }
  if (auto it = accounts_.find(std::string(account)); it != accounts_.end()) {
    it->second.failures = 0;
    it->second.last_attempt = 0;
  }
}

}  // namespace vnh::hotline
