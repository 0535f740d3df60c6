#pragma once
// Baseline management data (docs/baseline.md, "Management"): a tenant's custom policies (YAML as
// uploaded), per tenant x policy settings (enabled, scope, schedule, last run), runs, the latest
// result per host x policy x check, a per-day pass-rate history and ignores. Shipped policies are
// not rows: the server reads them from its policy directory (service/baseline_service.h).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rampart::server {

// An uploaded policy. `id` is the policy's own id (from its YAML), unique per tenant.
struct BaselinePolicyRecord {
  std::string tenant_id;
  std::string id;
  std::string name;
  std::string yaml;
  std::int64_t checks = 0;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// Settings of one policy for one tenant. A policy without a row has the defaults below.
struct BaselinePolicySettings {
  std::string tenant_id;
  std::string policy_id;
  bool enabled = true;
  std::vector<std::string> host_ids;  // empty: every host of the tenant
  int interval_days = 0;              // 0: no schedule; else 1, 3, 5 or 7
  int at_minute = 0;                  // minute of the day (in time_zone) the scheduled run starts
  std::string time_zone = "UTC";      // IANA name (validated against the tz database by the API)
  std::int64_t last_run_at = 0;
  std::string last_run_id;
  std::int64_t updated_at = 0;
};

// One run: the commands queued for a policy (scheduled or "run now").
struct BaselineRun {
  std::string id;  // "brun_..."
  std::string tenant_id;
  std::string policy_id;
  std::int64_t hosts_targeted = 0;
  std::int64_t results_received = 0;  // hosts that reported for this run
  std::string created_by;             // user/token name, or "scheduler"
  std::int64_t started_at = 0;
};

// What one host reported for one policy (a baseline_results batch, service/baseline_protocol.h).
struct BaselineCheckResult {
  std::string check_id;
  std::string title;
  std::string level;   // low | medium | high
  std::string status;  // pass | fail | not_applicable | error
  std::string evidence;
  std::string remediation;          // advice
  std::string remediation_command;  // the exact fix command, "" when none is safe to give
  std::vector<std::string> references;
};
struct BaselineResultsBatch {
  std::string idempotency_key;
  std::string run_id;  // may be empty (a run the server did not start)
  std::string policy_id;
  std::string policy_name;
  std::int64_t score = 0;
  std::vector<BaselineCheckResult> results;
};

// A stored latest result, with the host's name and whether an ignore covers it.
struct BaselineResultRow {
  std::string tenant_id;
  std::string host_id;
  std::string hostname;
  std::string policy_id;
  BaselineCheckResult result;
  std::string run_id;
  std::int64_t checked_at = 0;
  bool ignored = false;
};

struct BaselineResultQuery {
  std::string policy_id;  // "" any
  std::string host_id;    // "" any
  std::string check_id;   // "" any
  std::string status;     // "" any
};

// Ignores: check_id "" = every check of the policy on host_id; host_id "" = the check on every
// host; both set = that check on that host. policy_id is always set.
struct BaselineIgnore {
  std::string id;  // "bign_..."
  std::string tenant_id;
  std::string policy_id;
  std::string check_id;
  std::string host_id;
  std::string reason;
  std::string created_by;
  std::int64_t created_at = 0;
};

// Pass rate of one day (UTC), from the history written when results arrive.
struct BaselineDay {
  std::string date;  // YYYY-MM-DD
  std::int64_t passed = 0;
  std::int64_t failed = 0;
  std::int64_t hosts = 0;
};

// Counts over the tenant's latest results (ignored ones counted apart, not in the statuses).
struct BaselineCheckCount {
  std::string policy_id;
  BaselineCheckResult check;  // title, level, advice and references of one host's row
  std::int64_t passed = 0, failed = 0, not_applicable = 0, error = 0, ignored = 0;
};
struct BaselineCounts {
  std::vector<BaselineCheckCount> checks;                              // by policy, check
  std::vector<std::pair<std::string, std::int64_t>> hosts_per_policy;  // hosts with results
  std::int64_t hosts = 0;                                              // over all policies
};

struct BaselineIngest {
  bool duplicate = false;
  std::int64_t stored = 0;  // results written
};

}  // namespace rampart::server
