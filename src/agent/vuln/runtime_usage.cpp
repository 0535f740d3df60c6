#include "agent/vuln/runtime_usage.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "agent/collectors/exe_owner.h"
#include "agent/collectors/ports.h"
#include "agent/collectors/proc_pid.h"
#include "agent/collectors/proc_reader.h"
#include "common/logging.h"

namespace rampart::agent::vuln {
namespace {

constexpr std::size_t kMaxStatBytes = 4096;
constexpr std::size_t kMaxMapsBytes = std::size_t{8} << 20;

constexpr std::string_view kNeedRestart = "NEED_RESTART";
constexpr std::string_view kRemote = "REMOTE";

std::string PidPath(std::int64_t pid, std::string_view file) {
  return "/proc/" + std::to_string(pid) + "/" + std::string(file);
}

// "*.so" or "*.so.<anything>" in the last path component.
bool IsSharedObjectName(std::string_view path) {
  const std::string_view name = path.substr(path.rfind('/') + 1);
  for (std::size_t at = name.find(".so"); at != std::string_view::npos;
       at = name.find(".so", at + 1)) {
    const std::size_t end = at + 3;
    if (end == name.size() || name[end] == '.') return true;
  }
  return false;
}

void AddLabel(std::vector<std::string>& labels, std::string_view label) {
  if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
    labels.emplace_back(label);
  }
}

// The pids holding a listening socket bound to an address other hosts can reach.
std::unordered_set<std::int64_t> ListeningPids(const HostView& host) {
  std::unordered_set<std::int64_t> pids;
  for (const PortRow& row : ReadListeningPorts(host)) {
    if (row.pid && !IsLoopbackAddress(row.bind_ip)) pids.insert(*row.pid);
  }
  return pids;
}

// Whether /proc/<pid>/root is another directory than this process's root (live host only: in an
// image or a fixture the link does not resolve to anything meaningful).
bool HasOtherRoot(const HostView& host, std::int64_t pid, const std::optional<FileInfo>& own_root) {
  if (!host.is_live() || !own_root) return false;
  auto root = host.Stat(PidPath(pid, "root"));
  if (!root.ok()) return false;  // unreadable: its maps are too, only the exe link may be read
  return root->dev != own_root->dev || root->ino != own_root->ino;
}

// The code files of one process: its exe link and its maps; nullopt for a kernel thread or a
// process that is gone.
std::optional<ProcessFiles> ReadProcessFiles(const HostView& host, std::int64_t pid,
                                             const std::optional<FileInfo>& own_root) {
  auto stat_text = ReadPrefix(host, PidPath(pid, "stat"), kMaxStatBytes);
  if (!stat_text.ok()) return std::nullopt;
  auto stat = ParseProcPidStat(*stat_text);
  if (!stat) return std::nullopt;
  if ((stat->flags & kPfKthread) != 0 || pid == 2 || stat->ppid == 2) return std::nullopt;
  if (HasOtherRoot(host, pid, own_root)) return std::nullopt;
  ProcessFiles p;
  p.pid = pid;
  p.name = std::move(stat->comm);
  if (auto maps = ReadPrefix(host, PidPath(pid, "maps"), kMaxMapsBytes); maps.ok()) {
    std::string_view text = *maps;
    // A cut file ends in a partial line whose path may be cut too.
    if (text.size() == kMaxMapsBytes) text = text.substr(0, text.rfind('\n') + 1);
    p.files = ParseProcMaps(text);
  }
  // The exe link covers processes whose maps cannot be read and fixtures without maps files.
  if (auto link = ReadExeLink(host, pid)) {
    ExeLink exe = ParseExeLink(*link);
    auto it = std::find_if(p.files.begin(), p.files.end(),
                           [&](const MappedFile& f) { return f.path == exe.path; });
    if (it == p.files.end()) {
      p.files.push_back({std::move(exe.path), exe.deleted, true});
    } else {
      it->deleted = it->deleted || exe.deleted;
      it->executable = true;
    }
  }
  return p;
}

}  // namespace

bool PackageUsage::listening() const {
  return std::any_of(processes.begin(), processes.end(),
                     [](const auto& p) { return p.second.listening; });
}

bool PackageUsage::deleted() const {
  return std::any_of(processes.begin(), processes.end(),
                     [](const auto& p) { return p.second.deleted; });
}

bool IsPackageCodePath(const MappedFile& file) {
  const std::string_view path = file.path;
  if (path.size() < 2 || path[0] != '/') return false;
  const std::string_view top = path.substr(1, path.find('/', 1) - 1);
  static constexpr std::string_view kTops[] = {"usr",    "lib", "lib32", "lib64",
                                               "libx32", "bin", "sbin",  "opt"};
  if (std::find(std::begin(kTops), std::end(kTops), top) == std::end(kTops)) return false;
  if (top.size() + 1 >= path.size()) return false;  // "/usr" itself
  return file.executable || IsSharedObjectName(path);
}

bool IsLoopbackAddress(std::string_view bind_ip) {
  return bind_ip.starts_with("127.") || bind_ip == "::1" || bind_ip.starts_with("::ffff:127.");
}

RuntimeUsage BuildRuntimeUsage(const std::vector<ProcessFiles>& processes,
                               const std::unordered_map<std::string, std::string>& owners,
                               const std::unordered_set<std::int64_t>& listening_pids) {
  RuntimeUsage usage;
  usage.available = true;
  for (const ProcessFiles& p : processes) {
    usage.names[p.pid] = p.name;
    const bool listening = listening_pids.count(p.pid) != 0;
    for (const MappedFile& f : p.files) {
      auto owner = owners.find(f.path);
      if (owner == owners.end() || owner->second.empty()) continue;
      ProcessUse& use = usage.packages[owner->second].processes[p.pid];
      use.listening = listening;
      use.deleted = use.deleted || f.deleted;
    }
  }
  return usage;
}

RuntimeUsage ReadRuntimeUsage(const HostView& host) {
  const std::vector<std::int64_t> pids = ListPids(host);
  if (pids.empty()) return {};  // no /proc (an image root): nothing is known to run
  std::optional<FileInfo> own_root;
  if (host.is_live()) {
    if (auto st = host.Stat("/proc/self/root"); st.ok()) own_root = *st;
  }

  std::vector<ProcessFiles> processes;
  std::unordered_set<std::string> seen;
  std::vector<std::string> paths;
  for (const std::int64_t pid : pids) {
    auto p = ReadProcessFiles(host, pid, own_root);
    if (!p) continue;
    std::erase_if(p->files, [](const MappedFile& f) { return !IsPackageCodePath(f); });
    for (const MappedFile& f : p->files) {
      if (paths.size() < kMaxRuntimePaths && seen.insert(f.path).second) paths.push_back(f.path);
    }
    processes.push_back(std::move(*p));
  }
  if (paths.size() >= kMaxRuntimePaths) {
    log::Debug("vuln: runtime usage: more than {} mapped paths; the rest is not looked up",
               kMaxRuntimePaths);
  }
  const auto owners = FindPackageOwners(host, paths);
  RuntimeUsage usage = BuildRuntimeUsage(processes, owners, ListeningPids(host));
  usage.processes_scanned = processes.size();
  usage.paths = paths.size();
  return usage;
}

void ApplyRuntimeLabels(std::vector<Finding>& findings, const RuntimeUsage& usage) {
  if (!usage.available || usage.packages.empty()) return;
  for (Finding& f : findings) {
    if (f.type != "deb" && f.type != "apk" && f.type != "rpm") continue;
    std::map<std::int64_t, ProcessUse> users;
    for (const std::string& bin : f.binaries) {
      auto it = usage.packages.find(bin);
      if (it == usage.packages.end()) continue;
      for (const auto& [pid, use] : it->second.processes) {
        ProcessUse& u = users[pid];
        u.listening = u.listening || use.listening;
        u.deleted = u.deleted || use.deleted;
      }
    }
    if (users.empty()) continue;
    bool listening = false;
    std::vector<FindingProcess> procs;
    for (const auto& [pid, use] : users) {
      listening = listening || use.listening;
      auto name = usage.names.find(pid);
      procs.push_back({pid, name == usage.names.end() ? std::string() : name->second, use.listening,
                       use.deleted});
    }
    std::stable_sort(procs.begin(), procs.end(),
                     [](const FindingProcess& a, const FindingProcess& b) {
                       return a.listening && !b.listening;
                     });
    if (procs.size() > kMaxFindingProcesses) procs.resize(kMaxFindingProcesses);
    AddLabel(f.labels, kNeedRestart);
    if (listening) AddLabel(f.labels, kRemote);
    f.processes = std::move(procs);
  }
}

}  // namespace rampart::agent::vuln
