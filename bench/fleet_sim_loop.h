#pragma once
// Internals of Fleet (fleet_sim_agents.h): the epoll loop and its per-agent state, shared by
// fleet_sim_agents.cpp (connections: TCP, TLS, WebSocket upgrade and frames) and
// fleet_sim_agent_protocol.cpp (what an agent says: hello, batches, heartbeats, acks, timers).
// Everything here runs on the fleet thread except Stop and ErrorSamples.

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fleet_sim_agents.h"

namespace rampart::fleet {

enum class AgentState : std::uint8_t { kIdle, kConnecting, kHandshaking, kUpgrading, kOpen };
enum class TimerKind : std::uint8_t {
  kHeartbeat,
  kDelta,
  kReconnect,
  kConnectTimeout,
  kAckTimeout,
  kEvent,
  kEventAckTimeout,
};

struct Timer {
  std::int64_t at_ms;
  std::uint32_t index;
  std::uint32_t epoch;
  TimerKind kind;
  std::int32_t version = 0;  // kAckTimeout: the batch it waits for
  bool operator>(const Timer& o) const { return at_ms > o.at_ms; }
};

// Per-agent state. Kept small: 20,000 of these live at once; buffers are released when empty.
struct Agent {
  int fd = -1;
  SSL* ssl = nullptr;
  AgentState state = AgentState::kIdle;
  bool want_full = true;
  bool pending_full = false;
  std::uint32_t epoch = 0;           // bumps on every disconnect; stale events/timers are dropped
  std::int32_t version = 0;          // last acknowledged inventory version in this run
  std::int32_t next_version = 1;     // versions only grow, so keys never repeat within a run
  std::int32_t pending_version = 0;  // the unacknowledged batch; 0: none
  std::int32_t pending_base = 0;
  std::int32_t event_seq = 0;      // security_events batches started in this run
  std::int32_t pending_event = 0;  // the unacknowledged events batch's sequence number; 0: none
  std::string out;                 // plaintext not yet taken by SSL_write
  std::string in;                  // received bytes not yet parsed
  std::string message;  // fragments of a message; during the upgrade, the Sec-WebSocket-Key
};

class Fleet::Loop {
 public:
  Loop(const FleetOptions& options, const std::vector<AgentIdentity>& ids, FleetCounters& counters);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  Status Init();
  void Run();
  void Stop();                                    // thread-safe
  std::vector<std::string> ErrorSamples() const;  // thread-safe

 private:
  // Connections (fleet_sim_agents.cpp).
  void PaceConnects(std::int64_t now);
  void StartConnect(std::uint32_t i);
  // Closes the connection and, unless stopping, queues a reconnect after backoff_ms plus jitter.
  void Disconnect(std::uint32_t i, std::int64_t backoff_ms);
  void ScheduleReconnect(std::uint32_t i, std::int64_t backoff_ms);
  // Advances one connection as far as its socket allows.
  void Drive(std::uint32_t i, std::uint32_t events);
  // Writes queued plaintext; false (after disconnecting) on a write error.
  bool Flush(std::uint32_t i);
  // Reads everything the socket has; false (after disconnecting) on a read error. *eof: the peer
  // closed (what was read before is still processed).
  bool ReadAvailable(std::uint32_t i, bool* eof);
  // Parses the upgrade answer and frames in `in`; false (after disconnecting) on errors.
  bool Process(std::uint32_t i);
  bool ProtocolError(std::uint32_t i, const std::string& what);
  int NextWaitMs(std::int64_t now) const;
  void RecordError(const std::string& text);

  // The agent protocol (fleet_sim_agent_protocol.cpp). None of these disconnects: they queue
  // output, which the caller flushes.
  void OnOpen(std::uint32_t i);
  void OnMessage(std::uint32_t i, std::string_view text);
  void Send(std::uint32_t i, const std::string& text);
  void StartBatch(std::uint32_t i, bool full);
  void SendPendingBatch(std::uint32_t i);
  std::string Key(std::uint32_t i, std::int64_t version) const;
  void SendPendingEvents(std::uint32_t i);
  std::string EventKey(std::uint32_t i, std::int64_t seq) const;
  std::uint32_t NextMask();
  // The agent's next slot of a periodic task: agents are spread evenly over the interval.
  std::int64_t NextSlot(std::uint32_t i, int interval_s, std::int64_t now) const;
  // Runs due timers (may flush and disconnect).
  void FireTimers(std::int64_t now);

  const FleetOptions& o_;
  const std::vector<AgentIdentity>& ids_;
  FleetCounters& c_;
  std::vector<Agent> agents_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::deque<std::uint32_t> connect_queue_;
  std::mt19937 rng_;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::int64_t t0_ = 0;
  std::int64_t last_pace_ms_ = 0;
  double tokens_ = 0;
  char read_buf_[16384];
  mutable std::mutex errors_mu_;
  std::map<std::string, std::int64_t> errors_;
};

// Shared constants and helpers of the two files.
inline constexpr std::size_t kMaxMessage = 4 << 20;
// The server sends no ack when a commit fails transiently (the agent keeps the batch spooled);
// like the agent, resend with the same key when no ack came in this time.
inline constexpr std::int64_t kAckTimeoutMs = 60000;
std::int64_t UnixNow();

}  // namespace rampart::fleet
