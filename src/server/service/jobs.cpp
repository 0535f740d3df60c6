#include "server/service/jobs.h"

#include <chrono>
#include <utility>

#include "common/logging.h"
#include "server/service/baseline_service.h"
#include "server/service/vuln_service.h"

namespace rampart::server {

Jobs::Jobs(Storage& storage, const Clock& clock, AgentHub* hub, JobsOptions options)
    : storage_(storage), clock_(clock), hub_(hub), options_(std::move(options)) {}

Jobs::~Jobs() { Stop(); }

void Jobs::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Jobs::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Jobs::Stats Jobs::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Jobs::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    Tick();
    lock.lock();
    wake_.wait_for(lock, options_.tick, [this] { return stop_; });
  }
}

void Jobs::Tick() {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  if (now >= next_offline_) {
    next_offline_ = now + options_.offline_interval_seconds;
    MarkOffline(now);
  }
  if (hub_ != nullptr && now >= next_settings_) {
    next_settings_ = now + options_.settings_interval_seconds;
    PushSettings(now);
    DeliverCommands(now);
  }
  if (hub_ != nullptr && now >= next_sweep_) {
    // The first sweep waits a full interval: at start nothing is connected yet.
    if (next_sweep_ != 0) {
      auto closed = hub_->CloseRemovedHosts();
      if (!closed) {
        log::Warn("jobs: closing removed hosts' channels: {}", closed.error().ToString());
      } else if (*closed > 0) {
        std::lock_guard lock(mu_);
        stats_.removed_closed += static_cast<std::int64_t>(*closed);
      }
    }
    next_sweep_ = now + options_.sweep_interval_seconds;
  }
  if (now >= next_prune_) {
    next_prune_ = now + options_.prune_interval_seconds;
    Prune(now);
  }
  if (options_.baseline != nullptr && now >= next_baseline_) {
    next_baseline_ = now + options_.baseline_schedule_interval_seconds;
    BaselineSchedules(now);
  }
  if (options_.vuln != nullptr && now >= next_vuln_) {
    next_vuln_ = now + options_.vuln_interval_seconds;
    Vuln(now);
  }
  if (now >= next_stats_snapshot_) {
    next_stats_snapshot_ = now + options_.stats_snapshot_interval_seconds;
    SnapshotStats(now);
  }
}

namespace {

// Today's snapshot of the tenant's open findings, unless it has one (false then).
Result<bool> SnapshotTenant(Storage& storage, const std::string& tenant_id,
                            const std::string& today, std::int64_t now) {
  RAMPART_ASSIGN_OR_RETURN(auto existing, storage.ListVulnSnapshots(tenant_id, today, today));
  if (!existing.empty()) return false;
  RAMPART_ASSIGN_OR_RETURN(StatsOverview overview, storage.GetStatsOverview(tenant_id));
  return storage.AddVulnSnapshot(tenant_id, {today, overview.findings_by_severity, now});
}

}  // namespace

void Jobs::SnapshotStats(std::int64_t now) {
  auto held = storage_.TryAcquireLease("stats-snapshot", options_.node_id,
                                       options_.stats_snapshot_lease_seconds, now);
  if (!held) {
    log::Warn("jobs: lease stats-snapshot: {}", held.error().ToString());
    return;
  }
  if (!*held) return;
  auto tenants = storage_.ListTenants();
  if (!tenants) {
    log::Warn("jobs: daily snapshots: {}", tenants.error().ToString());
    return;
  }
  const std::string today = DayText(UtcDay(now));
  std::int64_t written = 0;
  for (const Tenant& tenant : *tenants) {
    Result<bool> added = SnapshotTenant(storage_, tenant.id, today, now);
    if (!added) {
      log::Warn("jobs: daily snapshot of tenant {}: {}", tenant.id, added.error().ToString());
      continue;
    }
    written += *added ? 1 : 0;
  }
  if (written > 0) {
    std::lock_guard lock(mu_);
    stats_.stats_snapshots += written;
  }
}

void Jobs::Vuln(std::int64_t now) {
  if (Status refreshed = options_.vuln->Refresh(); !refreshed.ok()) {
    log::Warn("jobs: loading advisories: {}", refreshed.ToString());
    return;  // never match against a partial index
  }
  if (now >= next_vuln_schedule_) {
    next_vuln_schedule_ = now + options_.vuln_schedule_interval_seconds;
    auto held = storage_.TryAcquireLease("vuln-schedule", options_.node_id,
                                         options_.vuln_schedule_interval_seconds, now);
    if (held.ok() && *held) {
      auto queued = options_.vuln->QueueScheduledScans();
      if (!queued) {
        log::Warn("jobs: scheduled vulnerability scans: {}", queued.error().ToString());
      } else if (*queued > 0) {
        log::Info("jobs: scheduled vulnerability scan of {} tenant(s)", *queued);
      }
    }
  }
  auto held =
      storage_.TryAcquireLease("vuln-rematch", options_.node_id, options_.vuln_lease_seconds, now);
  if (!held) {
    log::Warn("jobs: lease vuln-rematch: {}", held.error().ToString());
    return;
  }
  if (!*held) return;
  auto done = options_.vuln->DrainQueue(options_.vuln_hosts_per_tick);
  if (!done) {
    log::Warn("jobs: rematching hosts: {}", done.error().ToString());
    return;
  }
  if (*done > 0) {
    std::lock_guard lock(mu_);
    stats_.vuln_rematches += *done;
  }
}

void Jobs::BaselineSchedules(std::int64_t now) {
  // One node at a time: two nodes starting the same due schedule would queue it twice.
  auto held = storage_.TryAcquireLease("baseline-schedule", options_.node_id,
                                       options_.baseline_schedule_interval_seconds, now);
  if (!held) {
    log::Warn("jobs: lease baseline-schedule: {}", held.error().ToString());
    return;
  }
  if (!*held) return;
  auto started = options_.baseline->RunDueSchedules();
  if (!started) {
    log::Warn("jobs: scheduled baseline runs: {}", started.error().ToString());
  } else if (*started > 0) {
    log::Info("jobs: {} scheduled baseline run(s) queued", *started);
  }
}

void Jobs::MarkOffline(std::int64_t now) {
  // Renewed every interval by its holder; another node takes over only when the holder stopped
  // renewing for the whole TTL (it died), so marking runs on exactly one node at a time.
  auto held = storage_.TryAcquireLease("offline-marker", options_.node_id,
                                       options_.offline_lease_seconds, now);
  if (!held) {
    log::Warn("jobs: lease offline-marker: {}", held.error().ToString());
    return;
  }
  if (!*held) return;
  auto marked = storage_.MarkOffline(now - options_.offline_after_seconds);
  if (!marked) {
    log::Warn("jobs: marking offline hosts: {}", marked.error().ToString());
    return;
  }
  if (*marked > 0) log::Info("jobs: {} host(s) went OFFLINE", *marked);
  std::lock_guard lock(mu_);
  ++stats_.offline_runs;
  stats_.hosts_marked_offline += *marked;
}

void Jobs::PushSettings(std::int64_t now) {
  // The first poll looks back only the overlap: agents connecting later get their config in the
  // hello exchange.
  const std::int64_t since =
      (settings_checked_ != 0 ? settings_checked_ : now) - options_.settings_overlap_seconds;
  auto changed = storage_.SettingsChangedSince(since);
  if (!changed) {
    log::Warn("jobs: polling settings changes: {}", changed.error().ToString());
    return;  // settings_checked_ unchanged: the next poll covers this window again
  }
  settings_checked_ = now;
  std::int64_t pushes = 0;
  for (const auto& [tenant, version] : *changed) {
    auto it = pushed_versions_.find(tenant);
    if (it != pushed_versions_.end() && it->second >= version) continue;
    if (!hub_->HasTenant(tenant)) continue;
    auto settings = storage_.GetSettings(tenant);
    if (!settings) {
      log::Warn("jobs: settings of tenant {}: {}", tenant, settings.error().ToString());
      continue;
    }
    pushes +=
        static_cast<std::int64_t>(hub_->PushConfig(tenant, settings->version, settings->settings));
    pushed_versions_[tenant] = settings->version;
  }
  if (pushes > 0) {
    std::lock_guard lock(mu_);
    stats_.config_pushes += pushes;
  }
}

void Jobs::DeliverCommands(std::int64_t now) {
  // Same window as the settings poll; a command queued while its agent was elsewhere or away is
  // delivered by the hello of its next connection.
  const std::int64_t since =
      (commands_checked_ != 0 ? commands_checked_ : now) - options_.settings_overlap_seconds;
  auto hosts = storage_.HostsWithCommandsSince(since);
  if (!hosts) {
    log::Warn("jobs: polling queued commands: {}", hosts.error().ToString());
    return;
  }
  commands_checked_ = now;
  std::int64_t delivered = 0;
  for (const std::string& host : *hosts) {
    if (hub_->IsConnected(host))
      delivered += static_cast<std::int64_t>(hub_->DeliverCommands(host));
  }
  if (delivered > 0) {
    std::lock_guard lock(mu_);
    stats_.commands_delivered += delivered;
  }
}

void Jobs::Prune(std::int64_t now) {
  auto held = storage_.TryAcquireLease("batch-prune", options_.node_id,
                                       options_.prune_interval_seconds, now);
  if (!held || !*held) return;
  auto pruned = storage_.PruneBatchKeys(now - options_.batch_key_ttl_seconds);
  if (!pruned) {
    log::Warn("jobs: pruning batch keys: {}", pruned.error().ToString());
    return;
  }
  std::lock_guard lock(mu_);
  ++stats_.prune_runs;
  if (*pruned > 0) log::Info("jobs: pruned {} old batch key(s)", *pruned);
}

}  // namespace rampart::server
