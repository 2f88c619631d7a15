#pragma once
// Clock: the seam through which every piece of code reads the time, so tests (and `vnh serve
// --fake-clock`) can drive offer timeouts, month boundaries and sessions without sleeping.
// All implementations are thread-safe.
#include <atomic>
#include <cstdint>

namespace vnh {

// Unix time in milliseconds, UTC. The platform's only time representation in memory and in
// the database.
using TimeMs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
};

// A clock that only moves when told to. Starts at the given instant.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start) : now_(start) {}
  TimeMs now_ms() const override { return now_.load(); }
  void set(TimeMs t) { now_.store(t); }
  void advance(TimeMs delta) { now_.fetch_add(delta); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace vnh
