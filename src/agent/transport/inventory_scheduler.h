#pragma once
// InventoryScheduler: the agent's collector thread. Collections take up to a second or two
// (process CPU sampling, hashing executables), so they run here and never delay the channel's
// heartbeats or acks; the result goes into the spool through InventorySync, where the channel
// picks it up.
//
// A collection runs when requested (Request: first connection, "collect_inventory" command,
// resync) or when the periodic interval has passed since the previous one. Thread-safe; Stop()
// (and the destructor) wait for a running collection to finish, so a batch is never cut off.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/transport/inventory_sync.h"

namespace rampart::agent {

class InventoryScheduler {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `sync` must outlive this object.
  InventoryScheduler(InventorySync* sync, SnapshotSource source);
  ~InventoryScheduler();
  InventoryScheduler(const InventoryScheduler&) = delete;
  InventoryScheduler& operator=(const InventoryScheduler&) = delete;

  // Starts the thread. `interval` zero: only requested collections. `first`: when the first
  // periodic collection is due (nullopt: one interval from now).
  void Start(std::chrono::seconds interval, std::optional<TimePoint> first);
  // Collect as soon as possible (a full snapshot when `force_full`).
  void Request(bool force_full);
  // Changes the period; the next periodic collection is due `interval` after the previous one.
  void SetInterval(std::chrono::seconds interval);
  // True when no collection is requested or running.
  bool Idle() const;
  // Collections finished (enqueued, skipped as unchanged, or failed) since Start.
  std::int64_t completed() const;
  // The error of the most recent collection that could not be queued, or OK.
  Status last_error() const;
  // Stops the thread after the running collection, if any. Idempotent.
  void Stop();

 private:
  void Main();

  InventorySync* const sync_;
  const SnapshotSource source_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::chrono::seconds interval_{0};  // guarded by mu_
  TimePoint next_{};                  // guarded by mu_; periodic due time
  TimePoint last_{};                  // guarded by mu_; start of the previous collection
  bool requested_ = false;            // guarded by mu_
  bool force_full_ = false;           // guarded by mu_
  bool running_ = false;              // guarded by mu_
  bool stop_ = false;                 // guarded by mu_
  std::int64_t completed_ = 0;        // guarded by mu_
  Status last_error_;                 // guarded by mu_
  std::thread thread_;
};

}  // namespace rampart::agent
