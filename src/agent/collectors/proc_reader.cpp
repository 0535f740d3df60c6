#include "agent/collectors/proc_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agent/collectors/proc_net.h"
#include "agent/collectors/proc_pid.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {

std::vector<std::int64_t> ListPids(const HostView& host, std::size_t max_pids) {
  std::vector<std::int64_t> pids;
  auto names = host.ListDir("/proc");
  if (!names.ok()) {
    log::Debug("ports/processes: cannot list /proc: {}", names.status().ToString());
    return pids;
  }
  for (const std::string& n : *names) {
    const auto pid = ParseInt<std::int64_t>(n);
    if (!pid || *pid <= 0) continue;
    pids.push_back(*pid);
    if (pids.size() >= max_pids) break;
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

Result<std::string> ReadPrefix(const HostView& host, std::string_view path, std::size_t max_bytes) {
  RAMPART_ASSIGN_OR_RETURN(UniqueFd fd, host.OpenFile(path));
  std::string out;
  out.resize(max_bytes);
  std::size_t got = 0;
  while (got < max_bytes) {
    const ssize_t n = ::read(fd.get(), out.data() + got, max_bytes - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, host.RealPath(path));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

std::string ReadComm(const HostView& host, std::int64_t pid) {
  auto text = ReadPrefix(host, "/proc/" + std::to_string(pid) + "/comm", 256);
  if (!text.ok()) return {};
  std::string comm = std::move(*text);
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\0')) comm.pop_back();
  return comm;
}

std::optional<std::string> ReadExeLink(const HostView& host, std::int64_t pid) {
  auto target = host.ReadLink("/proc/" + std::to_string(pid) + "/exe");
  if (!target.ok() || target->empty()) return std::nullopt;
  return std::move(*target);
}

std::unordered_map<std::uint64_t, std::int64_t> MapSocketOwners(
    const HostView& host, const std::vector<std::int64_t>& pids,
    const std::unordered_set<std::uint64_t>& wanted) {
  std::unordered_map<std::uint64_t, std::int64_t> owners;
  std::size_t links = 0;
  for (const std::int64_t pid : pids) {
    if (owners.size() >= wanted.size() || links >= kMaxFdLinksTotal) break;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    auto fds = host.ListDir(dir);
    if (!fds.ok())
      continue;  // exited, or a kernel thread / another user's process without privilege
    std::size_t per_pid = 0;
    for (const std::string& fd : *fds) {
      if (++per_pid > kMaxFdsPerPid || ++links > kMaxFdLinksTotal) break;
      auto target = host.ReadLink(dir + "/" + fd);
      if (!target.ok()) continue;  // closed meanwhile
      const auto inode = ParseSocketLink(*target);
      if (!inode || wanted.count(*inode) == 0) continue;
      owners.emplace(*inode, pid);  // pids ascend: the first owner found is the lowest pid
    }
  }
  return owners;
}

BootClock ReadBootClock(const HostView& host) {
  BootClock out;
  // btime sits in the first lines of /proc/stat; per-cpu lines make the file grow with the CPU
  // count.
  (void)host.ForEachLine(
      "/proc/stat",
      [&](std::string_view line) {
        if (line.substr(0, 6) == "btime ") {
          out.btime = ParseBootTime(line);
          return false;
        }
        return true;
      },
      64 << 10);
  if (auto up = ReadPrefix(host, "/proc/uptime", 256); up.ok()) out.uptime = ParseUptime(*up);
  if (!out.btime) log::Debug("processes: no btime in /proc/stat");
  if (!out.uptime) log::Debug("processes: cannot read /proc/uptime");
  return out;
}

}  // namespace rampart::agent
