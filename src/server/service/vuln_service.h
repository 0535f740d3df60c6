#pragma once
// Vulnerability management on the platform: feed import into the database, and matching each
// host's stored inventory against the advisories (docs/server.md "Vulnerabilities").
//
// Advisories are platform-wide reference data kept in the database (every node sees them). Each
// node holds an in-memory index (agent/vuln/matcher.h) that Refresh() rebuilds when the feed
// generation in the database changes. Rematching a host reads its "software" and "host"
// fingerprint rows, runs the same matcher as `rampart vuln`, and stores the findings
// (Storage::ReplaceHostFindings keeps first detection, manual ignores, and marks the ones that
// went away fixed).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "agent/vuln/feed.h"
#include "agent/vuln/matcher.h"
#include "common/clock.h"
#include "server/storage/storage.h"

namespace rampart::server {

struct FeedImportReport {
  FeedImport stored;                           // what the database recorded
  std::vector<agent::vuln::FeedError> errors;  // rejected records (id and reason), bounded
  std::size_t releases_skipped = 0;            // Debian tracker releases without a Debian:N
  double read_seconds = 0;                     // reading and validating the feed
  double store_seconds = 0;                    // writing it to the database
};

// Reads one feed (a file or directory the agent's readers accept: OSV record, batch, all.zip,
// directory, Debian Security Tracker JSON), validates it record by record (a bad record is
// reported and skipped, never aborting the rest), stores every record in one transaction, and
// queues every host of every tenant for a rematch. Error only when the path cannot be read at all
// or the database fails (then nothing is stored).
Result<FeedImportReport> ImportFeed(Storage& storage, const std::string& path, std::int64_t now);

// A host's stored inventory as the matcher's input: OS ecosystem from the "host" row (os_id,
// os_version, kernel), packages from the "software" rows. `packages` is empty when the host has
// uploaded no software rows.
Result<agent::vuln::MatchTarget> LoadMatchTarget(Storage& storage, std::string_view tenant_id,
                                                 std::string_view host_id);

// The finding records of a match, unique by (vuln_id, package): copies of one language package at
// several paths or versions are folded into the first (installed_version lists the versions,
// "1.0, 1.2"; detail.installed_versions and detail.paths list them all).
std::vector<HostFinding> ToHostFindings(const std::vector<agent::vuln::Finding>& findings);

class VulnService {
 public:
  // `storage` and `clock` must outlive the service.
  VulnService(Storage& storage, const Clock& clock);

  // Reloads advisories from the database when the generation changed since the last load.
  // Thread-safe; concurrent matches keep using the index they started with.
  Status Refresh();
  std::int64_t generation() const;
  std::size_t advisory_count() const;

  // Matches one host now and stores its findings. NotFound for another tenant's host.
  Result<RematchResult> RematchHost(std::string_view tenant_id, std::string_view host_id);

  struct ScanSummary {
    std::int64_t hosts = 0;
    std::int64_t failed = 0;  // hosts whose rematch failed (logged)
    RematchResult totals;
    double seconds = 0;
  };
  // Rematches every host of the tenant (not uninstalled) now: the on-demand fleet scan.
  Result<ScanSummary> RematchTenant(std::string_view tenant_id);

  // Rematches up to `max_hosts` queued hosts (inventory changed, feed imported, schedule) and
  // dequeues them. Returns how many were processed.
  Result<std::int64_t> DrainQueue(int max_hosts);

  // Queues every host of each tenant whose `vulnerabilities.scan_interval_hours` setting (default
  // 24; 0 disables) has elapsed since its last scheduled scan. Returns the tenants queued.
  Result<std::int64_t> QueueScheduledScans();

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> Current() const;
  std::int64_t Now() const;

  Storage& storage_;
  const Clock& clock_;
  std::mutex refresh_mu_;  // one reload at a time
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // GUARDED_BY(mu_)
};

}  // namespace rampart::server
