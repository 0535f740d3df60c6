#pragma once
// HeartbeatWriter: turns many agents' heartbeats into few database writes. Heartbeats are
// buffered and written with Storage::RecordHeartbeats once a second or every 1,000 entries, on the
// writer's own thread, so 20,000 agents at a 60 s heartbeat cost about one write transaction per
// second instead of 333 single-row updates.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/status.h"
#include "server/storage/storage.h"

namespace rampart::server {

struct HeartbeatWriterOptions {
  std::chrono::milliseconds flush_interval{1000};
  std::size_t flush_entries = 1000;  // a buffer this full is written at once
  // Distinct hosts kept while the database is unavailable; beyond it new hosts' beats are dropped
  // (a lost heartbeat only delays ONLINE until the next one).
  std::size_t max_pending = 200'000;
};

class HeartbeatWriter {
 public:
  explicit HeartbeatWriter(Storage& storage, HeartbeatWriterOptions options = {});
  ~HeartbeatWriter();  // Stop()
  HeartbeatWriter(const HeartbeatWriter&) = delete;
  HeartbeatWriter& operator=(const HeartbeatWriter&) = delete;

  // Starts the writer thread. Without it, only Flush() writes (tests).
  void Start();
  // Writes what is buffered and joins the thread. Idempotent.
  void Stop();

  // Records that `host_id` was alive at `time` (Unix seconds). Thread-safe, never blocks on the
  // database. Several beats of one host before a flush collapse into the latest.
  void Add(std::string_view host_id, std::int64_t time);
  // Writes the buffer now, in one transaction. On failure the beats go back to the buffer (newer
  // ones win) and the Status is returned. Thread-safe.
  Status Flush();

  std::size_t pending() const;
  // Heartbeats accepted by Add() since construction.
  std::uint64_t received() const;

 private:
  void Loop();

  Storage& storage_;
  const HeartbeatWriterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::unordered_map<std::string, std::int64_t> pending_;  // GUARDED_BY(mu_)
  std::uint64_t received_ = 0;                             // GUARDED_BY(mu_)
  bool stop_ = false;                                      // GUARDED_BY(mu_)
  std::mutex flush_mu_;  // one flush at a time, so beats are written in order
  std::thread thread_;
};

}  // namespace rampart::server
