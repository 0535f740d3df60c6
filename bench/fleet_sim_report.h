#pragma once
// Figures and the printed report of the fleet benchmark: counter snapshots, /proc sampling of the
// server's (and the simulator's) memory and CPU, percentiles, and the PASS/FAIL verdict.

#include <cstdint>
#include <string>
#include <vector>

#include "fleet_sim_agents.h"
#include "fleet_sim_api.h"

namespace rampart::fleet {

// A copy of the fleet counters at one moment.
struct Snapshot {
  std::int64_t connected = 0, hellos = 0, heartbeats = 0, full_batches = 0, delta_batches = 0,
               deltas_skipped = 0, acks_committed = 0, acks_duplicate = 0, acks_resync = 0,
               acks_rejected = 0, acks_unmatched = 0, ack_timeouts = 0, connect_attempts = 0,
               connect_errors = 0, tls_errors = 0, upgrade_refused = 0, protocol_errors = 0,
               disconnects = 0, server_closes = 0, server_error_messages = 0, configs = 0,
               commands = 0, bytes_sent = 0, bytes_received = 0, event_batches = 0,
               events_acked = 0, events_rejected = 0, events_skipped = 0;
  static Snapshot Take(const FleetCounters& c);
};

struct ProcessFigures {
  bool valid = false;
  std::int64_t rss_kb = 0;       // VmRSS at the end of the window
  std::int64_t peak_rss_kb = 0;  // highest VmRSS sampled during the run
  std::int64_t hwm_kb = 0;       // VmHWM (kernel's peak) at the end of the window
  double cpu_percent = 0;        // of one core, averaged over the window
  double ramp_cpu_percent = 0;   // of one core, averaged over the ramp
  int threads = 0;
  int open_fds = 0;
};

// Reads /proc/PID. pid <= 0: every call is a no-op and Figures() is invalid. Not thread-safe.
class ProcessSampler {
 public:
  explicit ProcessSampler(int pid) : pid_(pid) {}
  void StartRamp();
  void SampleRss();
  void StartWindow();
  void EndWindow();
  ProcessFigures Figures() const { return figures_; }

 private:
  int pid_;
  ProcessFigures figures_;
  std::int64_t cpu_ticks_start_ = 0;
  std::int64_t wall_ms_start_ = 0;
  std::int64_t ramp_ticks_start_ = 0;
  std::int64_t ramp_ms_start_ = 0;
};

struct ReportInput {
  int agents = 0;
  int heartbeat_seconds = 0;
  int inventory_every = 0;
  int events_every = 0;
  double api_rps = 0;
  double target_p99_ms = 100;
  std::int64_t t_start = 0, t_window = 0, t_end = 0;  // Fleet::NowMs()
  std::string ramp_end;
  std::int64_t all_connected_ms = -1;
  std::int64_t all_inventoried_ms = -1;
  std::int64_t peak_connected = 0, min_connected = 0, end_connected = 0;
  Snapshot before, after;  // at the start and the end of the steady window
  std::vector<ApiSample> api_samples;
  std::vector<std::string> fleet_errors, api_errors;
  ProcessFigures server, self;
};

// Prints the report on stdout; the last line is "fleet: PASS|FAIL against target (...)".
void PrintReport(const ReportInput& in);

}  // namespace rampart::fleet
