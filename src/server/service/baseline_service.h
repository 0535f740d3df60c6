#pragma once
// BaselineService: the server's view of baseline policies for a tenant: the shipped ones (read
// once from the policy directory, the same YAML files the agent ships, visible to every tenant,
// not deletable) and the tenant's uploaded ones (validated with the agent's own loader, so what
// the server accepts the agent can evaluate). Runs: queues one `run_baseline` command per host in
// scope (the policy text travels with the command, so agent and server agree on the version);
// the durable command queue delivers to hosts that are offline when they reconnect. Schedules:
// every 1, 3, 5 or 7 days at HH:MM UTC, checked by Jobs. Thread-safe after construction.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "server/baseline_model.h"
#include "server/storage/storage.h"

namespace rampart::server {

inline constexpr std::size_t kMaxBaselinePolicyBytes = 1 << 20;  // an uploaded YAML
inline constexpr std::size_t kMaxBaselineRunHosts = 10000;

struct BaselinePolicyInfo {
  std::string id;
  std::string name;
  std::string description;
  std::string source;  // "shipped" | "custom"
  std::int64_t checks = 0;
  std::string yaml;
  BaselinePolicySettings settings;  // stored, or the defaults
  std::string created_by;           // custom only
  std::int64_t updated_at = 0;      // custom only
};

// The days a schedule allows.
bool IsBaselineInterval(int days);
// True when the schedule of `s` is due at `now`: enabled, interval_days > 0, and at least
// interval_days slot days (a slot day starts at at_minute in the schedule's time zone) have passed
// since the last run (or since the settings were saved, when the policy never ran). DST: a start
// time that a spring-forward night skips (02:30 in Europe/Paris on the last Sunday of March) runs
// when the gap ends (03:00 local); one that a fall-back night repeats runs once, at its first
// occurrence.
bool BaselineScheduleDue(const BaselinePolicySettings& s, std::int64_t now);
// When the schedule is next due (at or after `now`; `now` when it is overdue), nullopt when there
// is none or the policy is disabled. The scheduler checks every minute, so a run starts within a
// minute of it.
std::optional<std::int64_t> BaselineNextRun(const BaselinePolicySettings& s, std::int64_t now);

class BaselineService {
 public:
  // Reads the shipped policies from `policy_dir` ("" : RAMPART_POLICY_DIR, <exe>/../share/
  // rampart/policies, the source tree's policies/, /usr/local/share and /usr/share; none found:
  // no shipped policies, logged). A shipped file that does not load is logged and skipped.
  BaselineService(Storage& storage, const Clock& clock, const std::string& policy_dir = "");
  // For tests: these shipped policies (id, yaml) instead of a directory.
  BaselineService(Storage& storage, const Clock& clock,
                  const std::vector<std::pair<std::string, std::string>>& shipped_yaml);

  const std::string& policy_dir() const { return policy_dir_; }

  Result<std::vector<BaselinePolicyInfo>> ListPolicies(std::string_view tenant_id) const;
  // NotFound for an id that is neither shipped nor the tenant's.
  Result<BaselinePolicyInfo> GetPolicy(std::string_view tenant_id, std::string_view id) const;
  // Validates and stores (replacing the tenant's policy of the same id). InvalidArgument listing
  // every problem ("file:line:column: check ID: code: message", one per line) and nothing stored;
  // AlreadyExists when the id is a shipped policy's.
  Result<BaselinePolicyInfo> Upload(std::string_view tenant_id, std::string_view yaml,
                                    std::string_view by) const;

  struct RunResult {
    BaselineRun run;
    std::vector<std::string> command_ids;
    std::vector<std::string> host_ids;
  };
  // Queues run_baseline for `policy_id` on `host_ids` (must be the tenant's; InvalidArgument
  // naming the first that is not), or on the policy's scope when empty. FailedPrecondition when
  // the policy is disabled or the scope has no host.
  Result<RunResult> Run(std::string_view tenant_id, std::string_view policy_id,
                        const std::vector<std::string>& host_ids, std::string_view by) const;
  // Starts every due schedule (all tenants); returns how many runs were queued.
  Result<int> RunDueSchedules() const;

  // Called with each host a command was queued for (the node holding its channel delivers at
  // once). Set before use.
  std::function<void(const std::string& host_id)> command_queued;

 private:
  struct Shipped {
    std::string id, name, description, yaml;
    std::int64_t checks = 0;
  };
  void AddShipped(const std::string& yaml, const std::string& file);
  const Shipped* FindShipped(std::string_view id) const;
  BaselinePolicySettings Defaults(std::string_view tenant_id, std::string_view policy_id) const;

  Storage& storage_;
  const Clock& clock_;
  std::string policy_dir_;
  std::vector<Shipped> shipped_;
};

}  // namespace rampart::server
