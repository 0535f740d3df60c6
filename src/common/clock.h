#pragma once
// Clock: the one source of time for detectors, collectors and schedulers, so tests can control it.

#include <chrono>
#include <cstdint>
#include <string>

namespace rampart {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time for intervals.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
  // Waits for d (a FakeClock advances instead).
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
};

// The real clocks. Thread-safe.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point Monotonic() const override;
  void SleepFor(std::chrono::nanoseconds d) override;
  static SystemClock& Instance();
};

// A clock that moves only when told. Not thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  std::chrono::steady_clock::time_point Monotonic() const override { return mono_; }
  void SleepFor(std::chrono::nanoseconds d) override { Advance(d); }
  void Advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    mono_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  }

 private:
  std::chrono::system_clock::time_point now_;
  std::chrono::steady_clock::time_point mono_{};
};

// "2026-11-29T02:51:27Z" (UTC, seconds precision) from seconds since the Unix epoch.
std::string FormatIso8601(std::int64_t unix_seconds);

}  // namespace rampart
