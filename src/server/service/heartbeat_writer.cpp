#include "server/service/heartbeat_writer.h"

#include <utility>
#include <vector>

#include "common/logging.h"

namespace rampart::server {

HeartbeatWriter::HeartbeatWriter(Storage& storage, HeartbeatWriterOptions options)
    : storage_(storage), options_(options) {}

HeartbeatWriter::~HeartbeatWriter() { Stop(); }

void HeartbeatWriter::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void HeartbeatWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // What arrived after the last flush: written once more, so a clean shutdown loses nothing.
  if (pending() > 0) {
    if (Status s = Flush(); !s.ok()) log::Warn("heartbeats: final write failed: {}", s.ToString());
  }
}

void HeartbeatWriter::Add(std::string_view host_id, std::int64_t time) {
  bool full = false;
  {
    std::lock_guard lock(mu_);
    ++received_;
    auto it = pending_.find(std::string(host_id));
    if (it != pending_.end()) {
      if (time > it->second) it->second = time;
    } else if (pending_.size() < options_.max_pending) {
      pending_.emplace(std::string(host_id), time);
    }
    full = pending_.size() >= options_.flush_entries;
  }
  if (full) wake_.notify_one();
}

Status HeartbeatWriter::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::unordered_map<std::string, std::int64_t> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(pending_);
  }
  if (taken.empty()) return Status::Ok();
  std::vector<std::pair<std::string, std::int64_t>> beats(taken.begin(), taken.end());
  Status status = storage_.RecordHeartbeats(beats);
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    for (auto& [host, time] : taken) {
      auto it = pending_.find(host);
      if (it != pending_.end()) {
        if (time > it->second) it->second = time;
      } else if (pending_.size() < options_.max_pending) {
        pending_.emplace(host, time);
      }
    }
  }
  return status;
}

std::size_t HeartbeatWriter::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

std::uint64_t HeartbeatWriter::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void HeartbeatWriter::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, options_.flush_interval,
                   [this] { return stop_ || pending_.size() >= options_.flush_entries; });
    if (stop_) break;
    if (pending_.empty()) continue;
    lock.unlock();
    const Status s = Flush();
    lock.lock();
    if (!s.ok()) {
      log::Warn("heartbeats: write failed (will retry): {}", s.ToString());
      // A full buffer would wake us at once; give the database a moment instead of spinning.
      wake_.wait_for(lock, options_.flush_interval, [this] { return stop_; });
    }
  }
}

}  // namespace rampart::server
