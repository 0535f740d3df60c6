#pragma once
// The simulated fleet: N agent channels (TLS WebSocket) held by one thread on one epoll loop. Each
// agent says hello, uploads a small full inventory once, then sends heartbeats every
// heartbeat_seconds, a small inventory delta every inventory_every_seconds and a security event
// every events_every_seconds, each spread evenly over its interval across the fleet, and follows
// the agent protocol of common/wire.h (resends its unacknowledged batch with the same idempotency
// key after a reconnect, sends a full snapshot after "resync"). A dropped agent reconnects after a
// 1-5 s backoff.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet_sim_tls.h"

namespace rampart::fleet {

struct AgentIdentity {
  std::string host_id;
  std::string secret;
  std::string hostname;
};

struct FleetOptions {
  Endpoint endpoint;
  const TlsClientContext* tls = nullptr;  // not owned; outlives the Fleet
  int heartbeat_seconds = 60;
  int inventory_every_seconds = 600;
  int events_every_seconds = 300;  // per agent; 0: no security events
  double connect_rate = 2000;      // new connections per second while ramping
  int max_in_flight = 1000;        // connections between connect() and the 101 answer
  std::string agent_version = "0.1.0-fleet-sim";
  std::string run_id;  // makes idempotency keys unique per simulator run
};

// Counters, updated by the fleet thread and read by others.
struct FleetCounters {
  std::atomic<std::int64_t> connected{0};
  std::atomic<std::int64_t> peak_connected{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> connect_attempts{0};
  std::atomic<std::int64_t> connect_errors{0};   // socket/connect failures, refused, timeouts
  std::atomic<std::int64_t> tls_errors{0};       // handshake failures and pin mismatches
  std::atomic<std::int64_t> upgrade_refused{0};  // an HTTP answer other than 101
  std::atomic<std::int64_t> protocol_errors{0};  // bad frames, bad JSON, bad accept key
  std::atomic<std::int64_t> disconnects{0};      // an open channel that went away
  std::atomic<std::int64_t> server_closes{0};    // ... of which by a WebSocket close frame
  std::atomic<std::int64_t> hellos{0};
  std::atomic<std::int64_t> heartbeats{0};
  std::atomic<std::int64_t> full_batches{0};
  std::atomic<std::int64_t> delta_batches{0};
  std::atomic<std::int64_t> deltas_skipped{0};  // the previous batch was still unacknowledged
  std::atomic<std::int64_t> event_batches{0};   // security_events batches sent (resends included)
  std::atomic<std::int64_t> events_acked{0};    // ... acknowledged committed or duplicate
  std::atomic<std::int64_t> events_rejected{0};
  std::atomic<std::int64_t> events_skipped{0};  // the previous events batch was unacknowledged
  std::atomic<std::int64_t> acks_committed{0};
  std::atomic<std::int64_t> acks_duplicate{0};
  std::atomic<std::int64_t> acks_resync{0};
  std::atomic<std::int64_t> acks_rejected{0};
  std::atomic<std::int64_t> acks_unmatched{0};
  std::atomic<std::int64_t> ack_timeouts{0};  // batches resent because no ack came in 60 s
  std::atomic<std::int64_t> server_error_messages{0};
  std::atomic<std::int64_t> configs{0};
  std::atomic<std::int64_t> commands{0};
  std::atomic<std::int64_t> bytes_sent{0};      // WebSocket payload bytes
  std::atomic<std::int64_t> bytes_received{0};  // WebSocket payload bytes
  std::atomic<std::int64_t> loop_busy_us{0};    // time the fleet thread spent working
  // Monotonic ms (fleet clock) when every agent was connected at once; -1 until then.
  std::atomic<std::int64_t> all_connected_ms{-1};
  // Agents whose first inventory was acknowledged (committed or duplicate), and when all were.
  std::atomic<std::int64_t> inventoried{0};
  std::atomic<std::int64_t> all_inventoried_ms{-1};
};

class Fleet {
 public:
  Fleet(FleetOptions options, std::vector<AgentIdentity> agents);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Runs the event loop until Stop(). Call from one thread. Errors: epoll/eventfd setup.
  Status Run();
  // Thread-safe; Run returns soon after.
  void Stop();
  const FleetCounters& counters() const { return counters_; }
  // Up to a few distinct sample error messages with counts, for the report. Thread-safe.
  std::vector<std::string> ErrorSamples() const;
  // Milliseconds on the clock the fleet uses for all_connected_ms.
  static std::int64_t NowMs();

 private:
  class Loop;
  FleetOptions options_;
  std::vector<AgentIdentity> identities_;
  FleetCounters counters_;
  std::unique_ptr<Loop> loop_;
};

}  // namespace rampart::fleet
