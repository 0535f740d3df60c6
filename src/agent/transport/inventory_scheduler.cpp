#include "agent/transport/inventory_scheduler.h"

#include "common/logging.h"

namespace rampart::agent {

InventoryScheduler::InventoryScheduler(InventorySync* sync, SnapshotSource source)
    : sync_(sync), source_(std::move(source)) {}

InventoryScheduler::~InventoryScheduler() { Stop(); }

void InventoryScheduler::Start(std::chrono::seconds interval, std::optional<TimePoint> first) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  interval_ = interval;
  last_ = std::chrono::steady_clock::now();
  next_ = first.value_or(last_ + interval);
  stop_ = false;
  thread_ = std::thread([this] { Main(); });
}

void InventoryScheduler::Request(bool force_full) {
  std::lock_guard lock(mu_);
  requested_ = true;
  force_full_ = force_full_ || force_full;
  cv_.notify_all();
}

void InventoryScheduler::SetInterval(std::chrono::seconds interval) {
  std::lock_guard lock(mu_);
  interval_ = interval;
  next_ = last_ + interval;
  cv_.notify_all();
}

bool InventoryScheduler::Idle() const {
  std::lock_guard lock(mu_);
  return !requested_ && !running_;
}

std::int64_t InventoryScheduler::completed() const {
  std::lock_guard lock(mu_);
  return completed_;
}

Status InventoryScheduler::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void InventoryScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void InventoryScheduler::Main() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const bool periodic = interval_.count() > 0;
    if (!requested_ && !(periodic && std::chrono::steady_clock::now() >= next_)) {
      if (periodic) {
        cv_.wait_until(lock, next_);
      } else {
        cv_.wait(lock);
      }
      continue;
    }
    const bool force = force_full_;
    requested_ = false;
    force_full_ = false;
    running_ = true;
    last_ = std::chrono::steady_clock::now();
    lock.unlock();

    const auto started = std::chrono::steady_clock::now();
    Snapshot snapshot = source_();
    auto result = sync_->Enqueue(snapshot, force);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    if (!result) {
      log::Error("inventory: cannot queue the collection: {}", result.error().ToString());
    } else if (!result->enqueued) {
      log::Debug("inventory: unchanged ({} ms)", ms);
    } else {
      log::Info("inventory: queued {} version {} ({} rows added, {} removed, {} ms)",
                result->full ? "full snapshot" : "delta", result->version, result->rows_added,
                result->rows_removed, ms);
    }

    lock.lock();
    last_error_ = result.status();
    running_ = false;
    ++completed_;
    next_ = last_ + interval_;
    cv_.notify_all();
  }
}

}  // namespace rampart::agent
