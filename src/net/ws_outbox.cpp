#include "net/ws_outbox.h"

#include "common/logging.h"

namespace rampart::net {

WsOutbox::WsOutbox(std::string remote_addr, std::size_t max_queued_bytes)
    : remote_addr_(std::move(remote_addr)), max_queued_bytes_(max_queued_bytes) {}

bool WsOutbox::Send(std::string text) {
  std::lock_guard lock(mu_);
  if (!open_) return false;
  if (queued_bytes_ + text.size() > max_queued_bytes_) {
    log::Warn("websocket {}: peer is not reading ({} bytes queued), disconnecting", remote_addr_,
              queued_bytes_);
    open_ = false;
    hard_close_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    WakeLocked();
    return false;
  }
  queued_bytes_ += text.size();
  queue_.push_back(std::move(text));
  WakeLocked();
  return true;
}

void WsOutbox::Close() {
  std::lock_guard lock(mu_);
  if (!open_) return;
  open_ = false;
  close_requested_ = true;
  WakeLocked();
}

void WsOutbox::Bind(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
}

WsOutbox::Next WsOutbox::TakeNext() {
  std::lock_guard lock(mu_);
  wake_pending_ = false;
  Next next;
  if (!queue_.empty()) {
    next.message = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= next.message->size();
  } else {
    next.close = close_requested_;
  }
  return next;
}

bool WsOutbox::hard_close() const {
  std::lock_guard lock(mu_);
  return hard_close_;
}

void WsOutbox::RequestClose() {
  std::lock_guard lock(mu_);
  open_ = false;
  close_requested_ = true;
  queue_.clear();
  queued_bytes_ = 0;
}

void WsOutbox::MarkFinished() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    open_ = false;
    queue_.clear();
    queued_bytes_ = 0;
    wake.swap(wake_);
  }
  // `wake` is destroyed here, outside the lock.
}

void WsOutbox::WakeLocked() {
  if (wake_pending_ || !wake_) return;
  wake_pending_ = true;
  wake_();
}

}  // namespace rampart::net
