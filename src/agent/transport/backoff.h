#pragma once
// Exponential backoff with jitter for reconnecting: the n-th consecutive failure waits a random
// time in [d/2, d] where d = min(max, initial * 2^n), so a fleet that lost its server does not
// reconnect in lock-step. Not thread-safe (one per connection loop).

#include <chrono>
#include <cstdint>
#include <random>

namespace rampart::agent {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
          std::uint64_t seed = std::random_device{}());
  // The wait before the next attempt; each call doubles the ceiling up to max.
  std::chrono::milliseconds Next();
  // After a successful connection: the next failure waits about `initial` again.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace rampart::agent
