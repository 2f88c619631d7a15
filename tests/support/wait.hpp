#pragma once
// Waiting on a condition with a deadline, for tests that observe another thread or process:
// polls `cond` (backing off from 1 ms to 20 ms between polls) until it holds or `deadline`
// passes, and returns whether it holds. A wait, never a fixed sleep: it returns as soon as
// the condition does.
#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

namespace vnh::testing {

inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  auto pause = std::chrono::milliseconds(1);
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= until) return cond();
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace vnh::testing
