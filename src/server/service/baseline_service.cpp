#include "server/service/baseline_service.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/baseline/policy.h"
#include "common/logging.h"
#include "common/tz.h"

namespace rampart::server {
namespace {

namespace fs = std::filesystem;

std::int64_t Seconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

std::string ExeDir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  return fs::path(std::string(buf, static_cast<std::size_t>(n))).parent_path().string();
}

std::string FindPolicyDir(const std::string& configured) {
  std::error_code ec;
  if (!configured.empty()) return fs::is_directory(configured, ec) ? configured : "";
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("RAMPART_POLICY_DIR")) candidates.emplace_back(env);
  const std::string exe = ExeDir();
  if (!exe.empty()) candidates.push_back(exe + "/../share/rampart/policies");
#ifdef RAMPART_SOURCE_POLICY_DIR
  candidates.emplace_back(RAMPART_SOURCE_POLICY_DIR);
#endif
  candidates.emplace_back("/usr/local/share/rampart/policies");
  candidates.emplace_back("/usr/share/rampart/policies");
  for (const std::string& c : candidates) {
    if (fs::is_directory(c, ec)) return fs::weakly_canonical(c, ec).string();
  }
  return "";
}

// Slot day of a time: days since the epoch of the zone's calendar, a day starting at at_minute
// local time. Local time jumps over a spring-forward gap, so a slot that starts inside the gap
// starts when the gap ends; in a fall-back night local time repeats an hour, and a slot starting
// in it begins at the first occurrence (the second one finds the slot already run).
std::int64_t SlotDay(std::int64_t t, int at_minute, const TimeZone& tz) {
  const std::int64_t shifted = t + tz.UtcOffsetAt(t) - std::int64_t{at_minute} * 60;
  return shifted >= 0 ? shifted / 86400 : (shifted - 86399) / 86400;
}

TimeZone ScheduleZone(const BaselinePolicySettings& s) {
  if (s.time_zone.empty() || s.time_zone == "UTC") return TimeZone();
  auto tz = LoadZone(s.time_zone);
  if (tz.ok()) return std::move(*tz);
  // Validated when saved; a zone a tzdata update removed runs in UTC rather than never.
  log::Warn("baseline: schedule of {} for tenant {}: {}; using UTC", s.policy_id, s.tenant_id,
            tz.status().ToString());
  return TimeZone();
}

}  // namespace

bool IsBaselineInterval(int days) { return days == 1 || days == 3 || days == 5 || days == 7; }

bool BaselineScheduleDue(const BaselinePolicySettings& s, std::int64_t now) {
  if (!s.enabled || s.interval_days <= 0) return false;
  const TimeZone tz = ScheduleZone(s);
  const std::int64_t last = s.last_run_at > 0 ? s.last_run_at : s.updated_at;
  return SlotDay(now, s.at_minute, tz) - SlotDay(last, s.at_minute, tz) >= s.interval_days;
}

std::optional<std::int64_t> BaselineNextRun(const BaselinePolicySettings& s, std::int64_t now) {
  if (!s.enabled || s.interval_days <= 0) return std::nullopt;
  const TimeZone tz = ScheduleZone(s);
  const std::int64_t last = s.last_run_at > 0 ? s.last_run_at : s.updated_at;
  const std::int64_t day = SlotDay(last, s.at_minute, tz) + s.interval_days;
  // The local time that starts that slot day; LocalToUtc maps a time in a gap to the gap's end,
  // as SlotDay does.
  const std::int64_t at = tz.LocalToUtc(day * 86400 + std::int64_t{s.at_minute} * 60);
  return std::max(at, now);
}

BaselineService::BaselineService(Storage& storage, const Clock& clock,
                                 const std::string& policy_dir)
    : storage_(storage), clock_(clock), policy_dir_(FindPolicyDir(policy_dir)) {
  if (policy_dir_.empty()) {
    log::Warn("baseline: no policy directory found{}; only uploaded policies are available",
              policy_dir.empty() ? std::string() : " at " + policy_dir);
    return;
  }
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(policy_dir_, ec)) {
    const fs::path& p = entry.path();
    if (entry.is_regular_file(ec) && (p.extension() == ".yaml" || p.extension() == ".yml")) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    AddShipped(text.str(), file.string());
  }
  log::Info("baseline: {} shipped policies from {}", shipped_.size(), policy_dir_);
}

BaselineService::BaselineService(Storage& storage, const Clock& clock,
                                 const std::vector<std::pair<std::string, std::string>>& shipped)
    : storage_(storage), clock_(clock) {
  for (const auto& [file, yaml] : shipped) AddShipped(yaml, file);
}

void BaselineService::AddShipped(const std::string& yaml, const std::string& file) {
  auto policy = agent::baseline::ParsePolicy(yaml, file);
  if (!policy.ok()) {
    log::Warn("baseline: shipped policy {} skipped: {}", file, policy.status().message());
    return;
  }
  if (FindShipped(policy->id) != nullptr) {
    log::Warn("baseline: shipped policy {}: id {} is taken", file, policy->id);
    return;
  }
  shipped_.push_back(Shipped{policy->id, policy->name, policy->description, yaml,
                             static_cast<std::int64_t>(policy->checks.size())});
}

const BaselineService::Shipped* BaselineService::FindShipped(std::string_view id) const {
  for (const Shipped& s : shipped_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

BaselinePolicySettings BaselineService::Defaults(std::string_view tenant_id,
                                                 std::string_view policy_id) const {
  BaselinePolicySettings s;
  s.tenant_id = std::string(tenant_id);
  s.policy_id = std::string(policy_id);
  return s;
}

Result<std::vector<BaselinePolicyInfo>> BaselineService::ListPolicies(
    std::string_view tenant_id) const {
  RAMPART_ASSIGN_OR_RETURN(auto custom, storage_.ListBaselinePolicies(tenant_id));
  RAMPART_ASSIGN_OR_RETURN(auto settings, storage_.ListBaselineSettings(tenant_id));
  auto settings_of = [&](const std::string& id) {
    for (const BaselinePolicySettings& s : settings) {
      if (s.policy_id == id) return s;
    }
    return Defaults(tenant_id, id);
  };
  std::vector<BaselinePolicyInfo> out;
  for (const Shipped& s : shipped_) {
    out.push_back(BaselinePolicyInfo{s.id, s.name, s.description, "shipped", s.checks, s.yaml,
                                     settings_of(s.id), "", 0});
  }
  for (BaselinePolicyRecord& c : custom) {
    if (FindShipped(c.id) != nullptr) continue;  // a shipped policy added later wins
    BaselinePolicyInfo info;
    info.id = c.id;
    info.name = c.name;
    info.source = "custom";
    info.checks = c.checks;
    info.yaml = std::move(c.yaml);
    info.settings = settings_of(c.id);
    info.created_by = c.created_by;
    info.updated_at = c.updated_at;
    out.push_back(std::move(info));
  }
  return out;
}

Result<BaselinePolicyInfo> BaselineService::GetPolicy(std::string_view tenant_id,
                                                      std::string_view id) const {
  RAMPART_ASSIGN_OR_RETURN(auto all, ListPolicies(tenant_id));
  for (BaselinePolicyInfo& p : all) {
    if (p.id == id) return std::move(p);
  }
  return NotFound("baseline policy " + std::string(id) + " not found");
}

Result<BaselinePolicyInfo> BaselineService::Upload(std::string_view tenant_id,
                                                   std::string_view yaml,
                                                   std::string_view by) const {
  if (yaml.size() > kMaxBaselinePolicyBytes) {
    return InvalidArgument("policy: at most " + std::to_string(kMaxBaselinePolicyBytes) +
                           " bytes of YAML");
  }
  std::vector<agent::baseline::PolicyProblem> problems;
  auto policy = agent::baseline::ParsePolicy(yaml, "policy.yaml", &problems);
  if (!policy.ok()) {
    std::string message = "policy does not load (" + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " problem" : " problems") + "):";
    for (const auto& p : problems) message += "\n" + p.ToString();
    if (problems.empty()) message += "\n" + policy.status().message();
    return InvalidArgument(message);
  }
  if (FindShipped(policy->id) != nullptr) {
    return Status(Code::kAlreadyExists, "policy id '" + policy->id +
                                            "' is a shipped policy's; give the custom policy "
                                            "another id");
  }
  if (policy->checks.empty()) return InvalidArgument("policy: has no checks");
  BaselinePolicyRecord record;
  record.tenant_id = std::string(tenant_id);
  record.id = policy->id;
  record.name = policy->name.empty() ? policy->id : policy->name;
  record.yaml = std::string(yaml);
  record.checks = static_cast<std::int64_t>(policy->checks.size());
  record.created_by = std::string(by);
  record.updated_at = Seconds(clock_);
  RAMPART_RETURN_IF_ERROR(storage_.PutBaselinePolicy(record).status());
  return GetPolicy(tenant_id, record.id);
}

Result<BaselineService::RunResult> BaselineService::Run(std::string_view tenant_id,
                                                        std::string_view policy_id,
                                                        const std::vector<std::string>& host_ids,
                                                        std::string_view by) const {
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo policy, GetPolicy(tenant_id, policy_id));
  if (!policy.settings.enabled) {
    return FailedPrecondition("baseline policy " + policy.id + " is disabled");
  }
  RunResult out;
  const std::vector<std::string>& wanted = host_ids.empty() ? policy.settings.host_ids : host_ids;
  if (!wanted.empty()) {
    std::set<std::string> seen;
    for (const std::string& id : wanted) {
      if (!seen.insert(id).second) continue;
      auto host = storage_.GetHost(tenant_id, id);
      if (!host.ok()) {
        if (host.status().code() != Code::kNotFound) return host.status();
        // A host named in a stored scope may have been deleted since: skip it there.
        if (!host_ids.empty()) return InvalidArgument("host_ids: no host " + id);
        continue;
      }
      if (host->status != HostStatus::kUninstalled) out.host_ids.push_back(id);
    }
  } else {
    HostQuery query;
    query.page.limit = 500;
    for (;;) {
      RAMPART_ASSIGN_OR_RETURN(Page<Host> page, storage_.ListHosts(tenant_id, query));
      for (const Host& h : page.items) {
        if (h.status != HostStatus::kUninstalled) out.host_ids.push_back(h.id);
      }
      if (page.next_cursor.empty() || out.host_ids.size() >= kMaxBaselineRunHosts) break;
      query.page.cursor = page.next_cursor;
    }
  }
  if (out.host_ids.empty()) {
    return FailedPrecondition("baseline policy " + policy.id + ": no host in scope");
  }
  if (out.host_ids.size() > kMaxBaselineRunHosts) out.host_ids.resize(kMaxBaselineRunHosts);
  BaselineRun run;
  run.tenant_id = std::string(tenant_id);
  run.policy_id = policy.id;
  run.hosts_targeted = static_cast<std::int64_t>(out.host_ids.size());
  run.created_by = std::string(by);
  run.started_at = Seconds(clock_);
  RAMPART_ASSIGN_OR_RETURN(out.run, storage_.CreateBaselineRun(run));

  Json policies = Json::MakeArray();
  Json p = Json::MakeObject();
  p.Set("id", policy.id);
  p.Set("source", policy.source);
  p.Set("yaml", policy.yaml);
  policies.Push(std::move(p));
  Json args = Json::MakeObject();
  args.Set("run_id", out.run.id);
  args.Set("policies", std::move(policies));
  for (const std::string& host : out.host_ids) {
    AgentCommand command;
    command.tenant_id = std::string(tenant_id);
    command.host_id = host;
    command.name = "run_baseline";
    command.args = args;
    command.created_by = std::string(by);
    command.created_at = run.started_at;
    auto queued = storage_.EnqueueCommand(std::move(command));
    if (!queued.ok()) {
      // Deleted between the listing and now: the run simply gets no result from it.
      log::Warn("baseline: run {}: host {}: {}", out.run.id, host, queued.status().ToString());
      continue;
    }
    out.command_ids.push_back(queued->id);
    if (command_queued) command_queued(host);
  }
  return out;
}

Result<int> BaselineService::RunDueSchedules() const {
  const std::int64_t now = Seconds(clock_);
  RAMPART_ASSIGN_OR_RETURN(auto all, storage_.ListBaselineSettings(""));
  int started = 0;
  for (const BaselinePolicySettings& s : all) {
    if (!BaselineScheduleDue(s, now)) continue;
    auto run = Run(s.tenant_id, s.policy_id, {}, "scheduler");
    if (!run.ok()) {
      log::Warn("baseline: scheduled run of {} for tenant {}: {}", s.policy_id, s.tenant_id,
                run.status().ToString());
      if (run.status().code() == Code::kFailedPrecondition) {
        // No host in scope: record the attempt so it is not retried every minute.
        BaselineRun empty;
        empty.tenant_id = s.tenant_id;
        empty.policy_id = s.policy_id;
        empty.created_by = "scheduler";
        empty.started_at = now;
        (void)storage_.CreateBaselineRun(empty);
      }
      continue;
    }
    ++started;
  }
  return started;
}

}  // namespace rampart::server
