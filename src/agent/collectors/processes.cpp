#include "agent/collectors/processes.h"

#include <unistd.h>

#include "agent/collectors/exe_owner.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/proc_pid.h"
#include "agent/collectors/proc_reader.h"
#include "agent/collectors/registry.h"
#include "common/clock.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr Field kProcessesSchema[] = {
    {"pid", FieldType::kInt, false, true},
    {"ppid", FieldType::kInt, false, true},
    {"name", FieldType::kString, false, true},
    {"exe", FieldType::kString, false, false},
    {"cmdline", FieldType::kString, false, true},
    {"user", FieldType::kString, false, true},
    {"start_time", FieldType::kString, true, false},
    {"state", FieldType::kString, false, true},
    {"cpu_percent", FieldType::kDouble, false, true},
    {"rss_bytes", FieldType::kInt, false, true},
    {"sha256", FieldType::kString, true, false},
    {"exe_deleted", FieldType::kBool, false, false},
    {"package", FieldType::kString, false, false},
    {"uid", FieldType::kInt, true, false},
    {"threads", FieldType::kInt, false, false},
    {"state_name", FieldType::kString, false, false},
    {"kernel_thread", FieldType::kBool, false, false},
    {"container_id", FieldType::kString, false, false},
};

constexpr std::size_t kMaxStatBytes = 4096;
constexpr std::size_t kMaxStatusBytes = 16 << 10;
constexpr std::size_t kMaxCgroupBytes = 8 << 10;

struct Proc {
  PidStat stat;
  PidStatus status;
  bool kernel_thread = false;
  std::string exe;
  bool exe_deleted = false;
  std::string cmdline;
  std::optional<std::string> sha256;
  std::string container_id;
};

std::string PidPath(std::int64_t pid, std::string_view file) {
  return "/proc/" + std::to_string(pid) + "/" + std::string(file);
}

std::optional<Proc> ReadProc(const HostView& host, std::int64_t pid, ExeHashCache* cache) {
  auto stat_text = ReadPrefix(host, PidPath(pid, "stat"), kMaxStatBytes);
  if (!stat_text.ok()) return std::nullopt;  // exited
  auto stat = ParseProcPidStat(*stat_text);
  if (!stat) {
    log::Debug("processes: malformed /proc/{}/stat", pid);
    return std::nullopt;
  }
  Proc p;
  p.stat = std::move(*stat);
  if (auto status = ReadPrefix(host, PidPath(pid, "status"), kMaxStatusBytes); status.ok()) {
    p.status = ParseProcPidStatus(*status);
  }
  p.kernel_thread = (p.stat.flags & kPfKthread) != 0 || pid == 2 || p.stat.ppid == 2;
  if (p.kernel_thread) return p;
  if (auto link = ReadExeLink(host, pid)) {
    ExeLink exe = ParseExeLink(*link);
    p.exe = std::move(exe.path);
    p.exe_deleted = exe.deleted;
    // The link itself, not the path: it opens the very file the process runs, even when deleted or
    // replaced on disk (on the live host; in an image it resolves inside the root).
    p.sha256 = cache->Hash(host, PidPath(pid, "exe"));
  }
  if (auto cmd = ReadPrefix(host, PidPath(pid, "cmdline"), kMaxCmdlineBytes); cmd.ok()) {
    p.cmdline = ParseCmdline(*cmd, kMaxCmdlineBytes);
  }
  if (auto cg = ReadPrefix(host, PidPath(pid, "cgroup"), kMaxCgroupBytes); cg.ok()) {
    p.container_id = ContainerIdFromCgroup(*cg);
  }
  return p;
}

}  // namespace

std::span<const Field> ProcessesCollector::schema() const { return kProcessesSchema; }

Result<Json> ProcessesCollector::Collect(const CollectContext& ctx) {
  const HostView& host = ctx.host;
  const std::string& cache_dir = ctx.options.cache_dir;
  if (!cache_loaded_ || cache_dir != loaded_cache_dir_) {
    if (!cache_dir.empty()) cache_.Load(cache_dir);
    loaded_cache_dir_ = cache_dir;
    cache_loaded_ = true;
  }
  const std::size_t hashed_before = cache_.files_hashed();

  const long hz =
      ::sysconf(_SC_CLK_TCK);  // 100 on every Linux ABI; also what images were written with
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const BootClock boot = ReadBootClock(host);
  const UserNames users = UserNames::Read(host);

  std::vector<std::pair<std::int64_t, Proc>> procs;
  for (const std::int64_t pid : ListPids(host)) {
    if (auto p = ReadProc(host, pid, &cache_)) procs.emplace_back(pid, std::move(*p));
  }

  std::vector<std::string> exes;
  for (const auto& [pid, p] : procs) {
    if (!p.exe.empty()) exes.push_back(p.exe);
  }
  const auto owners = owners_.Find(host, exes);

  Json rows = Json::MakeArray();
  for (const auto& [pid, p] : procs) {
    Json j = Json::MakeObject();
    j["pid"] = pid;
    j["ppid"] = p.status.ppid.value_or(p.stat.ppid);
    j["name"] = p.stat.comm;
    j["exe"] = p.exe;
    j["cmdline"] = p.cmdline;
    const std::optional<std::uint32_t> uid = p.status.real_uid;
    j["user"] = uid ? users.Name(*uid) : std::string();
    if (boot.btime && hz > 0) {
      j["start_time"] =
          FormatIso8601(*boot.btime + static_cast<std::int64_t>(p.stat.starttime /
                                                                static_cast<std::uint64_t>(hz)));
    } else {
      j["start_time"] = nullptr;
    }
    j["state"] = std::string(1, p.stat.state);
    j["cpu_percent"] = boot.uptime ? LifetimeCpuPercent(p.stat.utime, p.stat.stime,
                                                        p.stat.starttime, *boot.uptime, hz)
                                   : 0.0;
    std::int64_t rss = 0;
    if (p.status.vm_rss_kb) {
      rss = static_cast<std::int64_t>(*p.status.vm_rss_kb * 1024);
    } else if (!p.kernel_thread && p.stat.rss_pages > 0) {
      rss = p.stat.rss_pages * page_size;
    }
    j["rss_bytes"] = rss;
    j["sha256"] = p.sha256 ? Json(*p.sha256) : Json(nullptr);
    j["exe_deleted"] = p.exe_deleted;
    const auto owner = p.exe.empty() ? owners.end() : owners.find(p.exe);
    j["package"] = owner == owners.end() ? std::string() : owner->second;
    j["uid"] = uid ? Json(static_cast<std::int64_t>(*uid)) : Json(nullptr);
    j["threads"] = p.status.threads.value_or(p.stat.num_threads);
    j["state_name"] = StateName(p.stat.state);
    j["kernel_thread"] = p.kernel_thread;
    j["container_id"] = p.container_id;
    rows.Push(std::move(j));
  }
  last_files_hashed_ = cache_.files_hashed() - hashed_before;
  cache_.Save(cache_dir);
  return rows;
}

std::unique_ptr<Collector> MakeProcessesCollector() {
  return std::make_unique<ProcessesCollector>();
}

}  // namespace rampart::agent
