#pragma once
// WsOutbox: the WsConnection the server hands to the application for one WebSocket — a
// thread-safe queue of outgoing messages plus the close request. The I/O session drains it.
// Kept free of Boost so it can be tested alone, and so that an application holding it after the
// server stopped keeps nothing of the server alive.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "net/http.h"

namespace rampart::net {

class WsOutbox final : public WsConnection {
 public:
  // Queued bytes beyond which the peer counts as not reading: Send fails and the connection is
  // dropped, instead of the server's memory growing without bound.
  static constexpr std::size_t kDefaultMaxQueuedBytes = std::size_t{64} << 20;

  explicit WsOutbox(std::string remote_addr, std::size_t max_queued_bytes = kDefaultMaxQueuedBytes);

  // WsConnection. Thread-safe.
  bool Send(std::string text) override;
  void Close() override;
  std::string remote_addr() const override { return remote_addr_; }

  // --- The session's side ---
  // `wake` runs whenever there is new work (a message, a close request) and no wake is pending
  // since the last TakeNext. It runs under the outbox's lock, so it must only post work.
  void Bind(std::function<void()> wake);
  struct Next {
    std::optional<std::string> message;  // the next message to write, in Send order
    bool close = false;                  // nothing left to write and a close was requested
  };
  Next TakeNext();
  // Send overflowed: drop the connection without a close handshake.
  bool hard_close() const;
  // The server is stopping: drop what is queued and close.
  void RequestClose();
  // The connection is gone: every later Send returns false. Releases `wake` (which may hold
  // executors that must not outlive the server).
  void MarkFinished();

 private:
  void WakeLocked();  // REQUIRES: mu_ held

  const std::string remote_addr_;
  const std::size_t max_queued_bytes_;
  mutable std::mutex mu_;
  bool open_ = true;
  bool close_requested_ = false;
  bool hard_close_ = false;
  bool wake_pending_ = false;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  std::function<void()> wake_;
};

}  // namespace rampart::net
