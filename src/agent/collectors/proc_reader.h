#pragma once
// Bounded readers of procfs through a HostView, shared by the ports and processes collectors. Every
// function tolerates processes that exit while being read: their files vanish (ENOENT/ESRCH) and
// they are skipped.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/host_view.h"
#include "common/status.h"

namespace rampart::agent {

// Limits that keep a hostile or huge /proc from exhausting time or memory.
inline constexpr std::size_t kMaxPids = 65'536;
inline constexpr std::size_t kMaxFdsPerPid = 65'536;
inline constexpr std::size_t kMaxFdLinksTotal = 2'000'000;

// The numeric entries of /proc, ascending; at most max_pids of them.
std::vector<std::int64_t> ListPids(const HostView& host, std::size_t max_pids = kMaxPids);

// Reads at most max_bytes from the start of a file (procfs files report size 0, so ReadFile's size
// limit cannot be checked up front). A longer file is cut, not an error.
Result<std::string> ReadPrefix(const HostView& host, std::string_view path, std::size_t max_bytes);

// /proc/<pid>/comm without its trailing newline; "" when unreadable.
std::string ReadComm(const HostView& host, std::int64_t pid);

// readlink /proc/<pid>/exe; nullopt when there is none (kernel thread, zombie, process gone) or it
// cannot be read (another user's process when not root).
std::optional<std::string> ReadExeLink(const HostView& host, std::int64_t pid);

// For each socket inode in `wanted`, the lowest pid that holds it open, found by reading the
// /proc/<pid>/fd/* links ("socket:[N]"). pids must be ascending; the scan stops once every wanted
// inode is owned, and after kMaxFdsPerPid links per process / kMaxFdLinksTotal links in all.
std::unordered_map<std::uint64_t, std::int64_t> MapSocketOwners(
    const HostView& host, const std::vector<std::int64_t>& pids,
    const std::unordered_set<std::uint64_t>& wanted);

// btime (seconds since the epoch) from /proc/stat and uptime (seconds) from /proc/uptime.
struct BootClock {
  std::optional<std::int64_t> btime;
  std::optional<double> uptime;
};
BootClock ReadBootClock(const HostView& host);

}  // namespace rampart::agent
