#pragma once
// Jobs: the server's periodic work, on one background thread per node.
//  - every 5 s, under the database lease "offline-marker" (so one node at a time across the
//    cluster): hosts whose last heartbeat is older than offline_after become OFFLINE;
//  - every 1 s: tenants whose settings changed (on any node) get a config push to the agents
//    connected to this node (Storage::SettingsChangedSince; no in-process shared state);
//  - every 1 s: commands queued (on any node) for agents connected to this node are delivered
//    (Storage::HostsWithCommandsSince; agents connecting later get theirs after hello);
//  - every 60 s: channels of hosts deleted or uninstalled on any node are closed;
//  - hourly, under the lease "batch-prune": idempotency keys older than 7 days are removed;
//  - with a VulnService, every 2 s: reload the advisory index when the feed generation changed,
//    then (under the lease "vuln-rematch") rematch queued hosts; every 60 s (under the lease
//    "vuln-schedule") queue the hosts of tenants whose scheduled vulnerability scan is due;
//  - hourly (and at start), under the lease "stats-snapshot": each tenant without a snapshot of
//    today (UTC) gets one of its open vulnerability findings by severity (stats_vuln_daily, the
//    dashboard's vulnerability trend; the first snapshot of a day stays);
//  - with a BaselineService, every 60 s under the lease "baseline-schedule": queue run_baseline
//    commands for the policies whose schedule is due (BaselineService::RunDueSchedules).
// Time comes from the Clock, so tests drive Tick() with a FakeClock and no thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "server/service/agent_hub.h"
#include "server/storage/storage.h"

namespace rampart::server {

struct JobsOptions {
  std::string node_id;  // lease holder name; unique per server process
  std::int64_t offline_after_seconds = 180;
  std::int64_t offline_interval_seconds = 5;
  std::int64_t offline_lease_seconds = 15;
  std::int64_t settings_interval_seconds = 1;
  // Overlap of consecutive settings polls, for commits that land with a slightly older
  // updated_at (another node's clock, a long transaction).
  std::int64_t settings_overlap_seconds = 2;
  std::int64_t sweep_interval_seconds = 60;
  std::int64_t prune_interval_seconds = 3600;
  std::int64_t batch_key_ttl_seconds = 7 * 86400;
  std::chrono::milliseconds tick{250};  // how often the thread looks at the clock
  // Vulnerability matching (null: none). Must outlive the Jobs.
  class VulnService* vuln = nullptr;
  std::int64_t vuln_interval_seconds = 2;
  std::int64_t vuln_lease_seconds = 30;
  int vuln_hosts_per_tick = 200;
  std::int64_t vuln_schedule_interval_seconds = 60;
  std::int64_t stats_snapshot_interval_seconds = 3600;
  std::int64_t stats_snapshot_lease_seconds = 300;
  // Baseline schedules (null: none). Must outlive the Jobs.
  class BaselineService* baseline = nullptr;
  std::int64_t baseline_schedule_interval_seconds = 60;
};

class Jobs {
 public:
  // `hub` may be null (no config pushes or sweeps: e.g. a jobs-only test). All references must
  // outlive the Jobs.
  Jobs(Storage& storage, const Clock& clock, AgentHub* hub, JobsOptions options);
  ~Jobs();  // Stop()
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;

  void Start();
  // Joins the thread. Idempotent.
  void Stop();
  // Runs every job that is due at clock.Now(). Errors are logged, never fatal (the next tick
  // retries). Not thread-safe with itself: call it from one thread (the Jobs thread, or a test
  // without Start()).
  void Tick();

  struct Stats {
    std::int64_t offline_runs = 0;  // times this node marked (held the lease)
    std::int64_t hosts_marked_offline = 0;
    std::int64_t config_pushes = 0;  // agents that received a pushed config
    std::int64_t removed_closed = 0;
    std::int64_t prune_runs = 0;
    std::int64_t commands_delivered = 0;
    std::int64_t vuln_rematches = 0;   // queued hosts rematched on this node
    std::int64_t stats_snapshots = 0;  // daily vulnerability snapshots written by this node
  };
  Stats stats() const;

 private:
  void Loop();
  void MarkOffline(std::int64_t now);
  void PushSettings(std::int64_t now);
  void Prune(std::int64_t now);
  void DeliverCommands(std::int64_t now);
  void Vuln(std::int64_t now);
  void SnapshotStats(std::int64_t now);

  Storage& storage_;
  const Clock& clock_;
  AgentHub* hub_;
  const JobsOptions options_;

  // Next due times (Unix seconds); touched only by the ticking thread.
  std::int64_t next_offline_ = 0;
  std::int64_t next_settings_ = 0;
  std::int64_t next_sweep_ = 0;
  std::int64_t next_prune_ = 0;
  std::int64_t next_baseline_ = 0;
  void BaselineSchedules(std::int64_t now);
  std::int64_t next_vuln_ = 0;
  std::int64_t next_vuln_schedule_ = 0;
  std::int64_t next_stats_snapshot_ = 0;
  std::int64_t settings_checked_ = 0;  // start of the last settings poll; 0: not yet
  std::int64_t commands_checked_ = 0;  // start of the last command poll; 0: not yet
  std::map<std::string, std::int64_t> pushed_versions_;  // tenant -> last version pushed

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  Stats stats_;        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace rampart::server
