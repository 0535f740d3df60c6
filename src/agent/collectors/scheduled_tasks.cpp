#include "agent/collectors/scheduled_tasks.h"

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/collectors/crontab.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/registry.h"
#include "agent/collectors/systemd_scan.h"
#include "agent/collectors/systemd_unit.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr Field kFields[] = {
    {"user", FieldType::kString, false, true},    {"schedule", FieldType::kString, false, true},
    {"command", FieldType::kString, false, true}, {"source", FieldType::kString, false, true},
    {"type", FieldType::kString, false, true},    {"line", FieldType::kInt, true, false},
    {"unit", FieldType::kString, true, false},    {"enabled", FieldType::kBool, false, false},
    {"stdin", FieldType::kString, true, false},
};

constexpr std::size_t kMaxFilesPerDir = 10'000;
constexpr std::size_t kMaxEntriesPerFile = 10'000;
constexpr std::size_t kMaxAtJobBytes = 1 << 20;

// The timer settings that schedule a run (systemd.timer(5)); they share one trigger list.
const std::vector<std::string_view> kTimerKeys = {
    "OnActiveSec",       "OnBootSec",  "OnStartupSec",  "OnUnitActiveSec",
    "OnUnitInactiveSec", "OnCalendar", "OnClockChange", "OnTimezoneChange"};

using DevIno = std::pair<std::uint64_t, std::uint64_t>;

Json Row(std::string user, std::string schedule, std::string command, std::string source,
         std::string_view type) {
  Json row = Json::MakeObject();
  row["user"] = std::move(user);
  row["schedule"] = std::move(schedule);
  row["command"] = std::move(command);
  row["source"] = std::move(source);
  row["type"] = type;
  row["line"] = nullptr;
  row["unit"] = nullptr;
  row["enabled"] = true;
  row["stdin"] = nullptr;
  return row;
}

// Files cron and run-parts skip: hidden files, editor backups, package-manager leftovers.
bool IgnoredName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '~') return true;
  for (const std::string_view bad : {".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-tmp",
                                     ".rpmsave", ".rpmnew", ".rpmorig", ".swp", ".bak"}) {
    if (name.ends_with(bad)) return true;
  }
  return false;
}

// Streams one crontab into rows. `user` empty: system format (a user field on each line).
void AddCrontab(const HostView& host, const std::string& path, const std::string& user,
                Json* rows) {
  const bool system_format = user.empty();
  std::size_t n = 0;
  std::size_t kept = 0;
  const Status st = host.ForEachLine(
      path,
      [&](std::string_view line) {
        ++n;
        auto e = ParseCronLine(line, system_format);
        if (!e) return true;
        Json row = Row(system_format ? e->user : user, e->schedule, e->command, path, "cron");
        row["line"] = n;
        if (!e->stdin_text.empty()) row["stdin"] = e->stdin_text;
        rows->Push(std::move(row));
        return ++kept < kMaxEntriesPerFile;
      },
      kMaxCronLine + 1);
  if (!st.ok()) log::Debug("scheduled_tasks: {}: {}", path, st.ToString());
}

// Regular files of `dir` that cron would read, once per (device, inode).
std::vector<std::string> CronFiles(const HostView& host, const std::string& dir,
                                   std::set<DevIno>* seen) {
  std::vector<std::string> out;
  auto names = host.ListDir(dir);
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    if (IgnoredName(name) || out.size() >= kMaxFilesPerDir) continue;
    const std::string path = dir + "/" + name;
    auto st = host.Stat(path);
    if (!st.ok() || !st->is_regular()) continue;
    if (!seen->insert({st->dev, st->ino}).second) continue;
    out.push_back(name);
  }
  return out;
}

void AddCron(const HostView& host, Json* rows) {
  std::set<DevIno> seen;
  if (auto st = host.Stat("/etc/crontab"); st.ok() && st->is_regular()) {
    seen.insert({st->dev, st->ino});
    AddCrontab(host, "/etc/crontab", "", rows);
  }
  for (const std::string& name : CronFiles(host, "/etc/cron.d", &seen)) {
    AddCrontab(host, "/etc/cron.d/" + name, "", rows);
  }
  // User crontabs: the file name is the user. busybox keeps a control file "cron.update" beside
  // them.
  for (const std::string_view dir :
       {"/var/spool/cron/crontabs", "/var/spool/cron", "/var/spool/cron/tabs", "/etc/crontabs"}) {
    for (const std::string& name : CronFiles(host, std::string(dir), &seen)) {
      if (name == "cron.update") continue;
      AddCrontab(host, std::string(dir) + "/" + name, name, rows);
    }
  }
}

void AddAnacron(const HostView& host, Json* rows) {
  std::size_t n = 0;
  (void)host.ForEachLine(
      "/etc/anacrontab",
      [&](std::string_view line) {
        ++n;
        auto e = ParseAnacronLine(line);
        if (!e) return true;
        Json row = Row("root", e->period + " " + e->delay, e->command, "/etc/anacrontab", "cron");
        row["line"] = n;
        rows->Push(std::move(row));
        return n < 100'000;
      },
      kMaxCronLine + 1);
}

// Scripts that run-parts runs from cron (Debian/RPM via /etc/crontab, anacron or 0hourly) or from
// busybox crond (Alpine's /etc/periodic). Only executable files run; others are listed as disabled.
void AddRunParts(const HostView& host, Json* rows) {
  static constexpr std::pair<std::string_view, std::string_view> kDirs[] = {
      {"/etc/cron.hourly", "@hourly"},         {"/etc/cron.daily", "@daily"},
      {"/etc/cron.weekly", "@weekly"},         {"/etc/cron.monthly", "@monthly"},
      {"/etc/periodic/15min", "*/15 * * * *"}, {"/etc/periodic/hourly", "@hourly"},
      {"/etc/periodic/daily", "@daily"},       {"/etc/periodic/weekly", "@weekly"},
      {"/etc/periodic/monthly", "@monthly"}};
  for (const auto& [dir, schedule] : kDirs) {
    auto names = host.ListDir(dir);
    if (!names.ok()) continue;
    std::size_t count = 0;
    for (const std::string& name : *names) {
      if (IgnoredName(name) || ++count > kMaxFilesPerDir) continue;
      const std::string path = std::string(dir) + "/" + name;
      auto st = host.Stat(path);
      if (!st.ok() || !st->is_regular()) continue;
      Json row = Row("root", std::string(schedule), path, path, "cron");
      row["enabled"] = (st->mode & 0111) != 0;
      rows->Push(std::move(row));
    }
  }
}

void AddTimers(const HostView& host, Json* rows) {
  const SystemdUnitIndex index(host);
  for (const SystemdUnit& timer : index.LoadAll(".timer")) {
    const auto expand = [&timer](std::string_view v) { return ExpandSpecifiers(v, timer.parsed); };
    std::string unit = expand(timer.config.Get("Timer", "Unit"));
    if (unit.empty()) {
      unit = timer.name.substr(0, timer.name.size() - timer.parsed.suffix.size()) + ".service";
    }
    std::vector<std::string> triggers;
    for (const std::string& t : timer.config.GetSharedList("Timer", kTimerKeys)) {
      triggers.push_back(expand(t));
    }
    std::string command;
    std::string user = "root";
    if (auto service = index.Load(unit); service && !service->masked) {
      std::vector<std::string> execs;
      for (const std::string& e : service->config.GetList("Service", "ExecStart")) {
        execs.push_back(ExpandSpecifiers(StripExecPrefixes(e), service->parsed));
      }
      command = Join(execs, " ; ");
      if (std::string u = service->config.Get("Service", "User"); !u.empty()) {
        user = ExpandSpecifiers(u, service->parsed);
      }
    }
    Json row = Row(user, Join(triggers, "; "), command, timer.path, "systemd-timer");
    row["unit"] = unit;
    row["enabled"] = timer.enabled;
    rows->Push(std::move(row));
  }
}

void AddAtJobs(const HostView& host, Json* rows) {
  std::unique_ptr<UserNames> users;
  for (const std::string_view dir : {"/var/spool/cron/atjobs", "/var/spool/at"}) {
    auto names = host.ListDir(dir);
    if (!names.ok()) continue;
    std::size_t count = 0;
    for (const std::string& name : *names) {
      const auto job_name = ParseAtJobName(name);
      if (!job_name || ++count > kMaxFilesPerDir) continue;
      const std::string path = std::string(dir) + "/" + name;
      auto st = host.Lstat(path);
      if (!st.ok() || !st->is_regular()) continue;
      auto text = host.ReadFile(path, kMaxAtJobBytes);
      if (!text.ok()) {
        log::Debug("scheduled_tasks: {}: {}", path, text.error().ToString());
        continue;
      }
      const AtJob job = ParseAtJob(*text);
      if (!users) users = std::make_unique<UserNames>(UserNames::Read(host));
      // atd runs the job as the file's owner; the "# atrun uid=" header says the same when intact.
      const std::string user = users->Name(job.uid.value_or(st->uid));
      Json row = Row(user, FormatIso8601(job_name->run_time), job.command, path, "at");
      rows->Push(std::move(row));
    }
  }
}

class ScheduledTasksCollector final : public Collector {
 public:
  std::string_view name() const override { return "scheduled_tasks"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return kFields; }
  Result<Json> Collect(const CollectContext& ctx) override {
    return CollectScheduledTasks(ctx.host);
  }
};

}  // namespace

std::span<const Field> ScheduledTasksSchema() { return kFields; }

Json CollectScheduledTasks(const HostView& host) {
  Json rows = Json::MakeArray();
  AddCron(host, &rows);
  AddAnacron(host, &rows);
  AddRunParts(host, &rows);
  AddTimers(host, &rows);
  AddAtJobs(host, &rows);
  return rows;
}

std::unique_ptr<Collector> MakeScheduledTasksCollector() {
  return std::make_unique<ScheduledTasksCollector>();
}

}  // namespace rampart::agent
