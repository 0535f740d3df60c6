#pragma once
// Channel: the agent's connection loop. It keeps one WebSocket to the server's agent channel
// (wss://<server>/api/v1/agent/channel, "Authorization: Agent <host_id>:<secret>", the enrolment
// pin), and over it:
//   - sends "hello" {agent_version, config_version} and a heartbeat on connect, then a heartbeat
//     every agent.heartbeat_seconds;
//   - sends the spooled batches in order, at most max_in_flight unacknowledged at a time, and on
//     every (re)connection resends everything still in the spool (same idempotency keys, so the
//     server never stores a batch twice);
//   - on "ack": committed/duplicate -> Remove; resync -> Remove and a full inventory snapshot
//     next (collected at once when the broken batch was a delta); rejected -> Remove, log an error
//     and a full snapshot at the next scheduled collection;
//   - on "config": applies the known keys (agent_config.h), persists config.json, logs
//     "config version N applied";
//   - on "command": collect_inventory (args {"full": true} for a full snapshot) collects now;
//     anything else is logged as an unknown command.
// Inventory collections run on an InventoryScheduler thread, every agent.inventory_interval_seconds
// and right after the first connection when the server has acknowledged none yet.
// On a lost connection it reconnects with exponential backoff (backoff.h). A 401 at connect means
// the server no longer knows this identity (host deleted or identity revoked): logged as an error,
// the identity is kept, and it retries every unauthorized_retry.
//
// Threads: Run/RunOnce/Deregister block the calling thread; Stop() may be called from any thread
// or a signal handler (it only sets an atomic flag, checked at least every `poll`). A message being
// written is finished before the loop returns.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/transport/agent_config.h"
#include "agent/transport/identity.h"
#include "agent/transport/inventory_scheduler.h"
#include "agent/transport/inventory_sync.h"
#include "agent/transport/messages.h"
#include "agent/transport/spool.h"
#include "common/clock.h"
#include "common/status.h"
#include "net/client.h"

namespace rampart::agent {

struct ChannelOptions {
  std::string data_dir;       // where config.json is written
  bool insecure = false;      // https without a pin: skip certificate verification
  std::string agent_version;  // sent in hello
  AgentSettings settings;     // starting values (the caller merges defaults, config.json, flags)
  std::int64_t config_version = 0;  // of the configuration those settings include
  std::size_t max_in_flight = 8;
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{60000};
  std::chrono::milliseconds unauthorized_retry{300000};
  // Longest wait for a server message before timers and the stop flag are checked again.
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds io_timeout{30000};
  // Extensions (the login monitor, agent/monitor/login_agent.h, and every other agent module),
  // called on the channel thread in the order added: command handlers, each returning true for
  // the commands it handled (the first that does wins), and listeners for every applied
  // configuration's settings. Handlers must return quickly: long work goes to the module's thread.
  std::vector<std::function<bool(const CommandMessage&)>> command_handlers;
  std::vector<std::function<void(const Json& settings)>> config_listeners;
};

// Counters for the CLI summary and tests.
struct ChannelStats {
  std::int64_t connections = 0;      // successful upgrades
  std::int64_t failed_connects = 0;  // refused, unreachable or 401
  std::int64_t unauthorized = 0;     // of which 401
  std::int64_t batches_sent = 0;     // including resends
  std::int64_t batches_acknowledged = 0;
  std::int64_t heartbeats_sent = 0;
};

class Channel {
 public:
  // `spool`, `inventory` and `clock` must outlive the channel. `source` makes inventory snapshots.
  Channel(Identity identity, ChannelOptions options, Spool* spool, InventorySync* inventory,
          SnapshotSource source, Clock* clock);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // The agent daemon: runs until Stop(). Returns OK after a stop; kInvalidArgument when the server
  // URL is unusable.
  Status Run();

  // One delivery: connects (retrying with backoff), sends the pending batches, or a full
  // inventory snapshot when the spool is empty, and returns OK once the spool is empty (every
  // batch acknowledged, including a full snapshot a resync asked for). Errors:
  // kDeadlineExceeded after `timeout`, kUnauthenticated on a 401, kFailedPrecondition when the
  // inventory could not be queued, kUnavailable when Stop() came first.
  Status RunOnce(std::chrono::milliseconds timeout);

  // Connects, sends {"type":"deregister"} and waits for the server's ack or the close. Errors:
  // kUnauthenticated (the server no longer knows this identity), kDeadlineExceeded.
  Status Deregister(std::chrono::milliseconds timeout);

  // Async-signal-safe.
  void Stop() { stop_.store(true, std::memory_order_relaxed); }

  AgentSettings settings() const;
  std::int64_t config_version() const;
  ChannelStats stats() const;

 private:
  enum class Mode { kDaemon, kOnce, kDeregister };
  using Steady = std::chrono::steady_clock;

  bool stopping() const { return stop_.load(std::memory_order_relaxed); }
  Status Loop(Mode mode, Steady::time_point deadline);
  Result<std::unique_ptr<net::WsClient>> Connect();
  // One connected session. OK: the mode's goal was reached or a stop was requested; otherwise the
  // connection failed (the caller reconnects).
  Status Session(net::WsClient& ws, Mode mode, Steady::time_point deadline);
  Status FillWindow(net::WsClient& ws, std::uint64_t* last_sent);
  // Handles one server message; sets *done for a deregister ack.
  void Handle(std::string_view text, Mode mode, bool* done);
  void HandleAck(const AckMessage& ack);
  void HandleConfig(const ConfigMessage& config);
  void HandleCommand(const CommandMessage& command);
  // Sleeps up to `d` in slices of `poll`; false when a stop was requested.
  bool Wait(std::chrono::milliseconds d);
  void StartScheduler(Mode mode);
  bool OnceDone() const;

  Identity identity_;
  ChannelOptions options_;
  Spool* const spool_;
  InventorySync* const inventory_;
  Clock* const clock_;
  InventoryScheduler scheduler_;
  std::atomic<bool> stop_{false};
  bool collect_on_connect_ = false;  // loop thread only
  bool once_requested_ = false;      // loop thread only

  mutable std::mutex mu_;
  AgentSettings settings_;           // guarded by mu_
  std::int64_t config_version_ = 0;  // guarded by mu_
  ChannelStats stats_;               // guarded by mu_
};

}  // namespace rampart::agent
