#include "agent/collectors/proc_pid.h"

#include <cctype>
#include <cmath>
#include <vector>

#include "common/strings.h"

namespace rampart::agent {

std::optional<PidStat> ParseProcPidStat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  PidStat st;
  const auto pid = ParseInt<std::int64_t>(TrimView(text.substr(0, open)));
  if (!pid) return std::nullopt;
  st.pid = *pid;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  // rest[0] is field (3).
  const auto rest = SplitWhitespace(text.substr(close + 1));
  constexpr std::size_t kNeeded = 24 - 2;  // fields (3) .. (24)
  if (rest.size() < kNeeded || rest[0].size() != 1) return std::nullopt;
  auto field = [&](int n) { return rest[static_cast<std::size_t>(n - 3)]; };
  st.state = field(3)[0];
  const auto ppid = ParseInt<std::int64_t>(field(4));
  const auto flags = ParseInt<std::uint64_t>(field(9));
  const auto utime = ParseInt<std::uint64_t>(field(14));
  const auto stime = ParseInt<std::uint64_t>(field(15));
  const auto threads = ParseInt<std::int64_t>(field(20));
  const auto start = ParseInt<std::uint64_t>(field(22));
  const auto rss = ParseInt<std::int64_t>(field(24));
  if (!ppid || !flags || !utime || !stime || !threads || !start || !rss) return std::nullopt;
  st.ppid = *ppid;
  st.flags = *flags;
  st.utime = *utime;
  st.stime = *stime;
  st.num_threads = *threads;
  st.starttime = *start;
  st.rss_pages = *rss;
  return st;
}

PidStatus ParseProcPidStatus(std::string_view text) {
  PidStatus out;
  for (std::string_view line : SplitLines(text)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = TrimView(line.substr(colon + 1));
    if (key == "Name") {
      out.name = std::string(value);
    } else if (key == "Uid") {
      const auto ids = SplitWhitespace(value);
      if (!ids.empty()) out.real_uid = ParseInt<std::uint32_t>(ids[0]);
      if (ids.size() > 1) out.effective_uid = ParseInt<std::uint32_t>(ids[1]);
    } else if (key == "PPid") {
      out.ppid = ParseInt<std::int64_t>(value);
    } else if (key == "Threads") {
      out.threads = ParseInt<std::int64_t>(value);
    } else if (key == "VmRSS") {
      const auto parts = SplitWhitespace(value);  // "1234 kB"
      if (!parts.empty()) out.vm_rss_kb = ParseInt<std::uint64_t>(parts[0]);
    }
  }
  return out;
}

std::string ParseCmdline(std::string_view raw, std::size_t max_bytes) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  if (raw.size() > max_bytes) raw = raw.substr(0, max_bytes);
  std::string out(raw);
  for (char& c : out) {
    if (c == '\0') c = ' ';
  }
  return out;
}

std::optional<std::int64_t> ParseBootTime(std::string_view proc_stat) {
  for (std::string_view line : SplitLines(proc_stat)) {
    if (line.substr(0, 6) != "btime ") continue;
    return ParseInt<std::int64_t>(TrimView(line.substr(6)));
  }
  return std::nullopt;
}

std::optional<double> ParseUptime(std::string_view text) {
  const auto f = SplitWhitespace(text);
  if (f.empty()) return std::nullopt;
  const auto v = ParseDouble(f[0]);
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}

ExeLink ParseExeLink(std::string_view target) {
  constexpr std::string_view kDeleted = " (deleted)";
  ExeLink out;
  if (target.size() > kDeleted.size() &&
      target.substr(target.size() - kDeleted.size()) == kDeleted) {
    target.remove_suffix(kDeleted.size());
    out.deleted = true;
  }
  out.path = std::string(target);
  return out;
}

namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The first run of exactly 64 lower-case hex digits that follows one of the runtime markers.
std::string FindId(std::string_view line) {
  static constexpr std::string_view kMarkers[] = {
      "docker-", "docker/", "cri-containerd-", "crio-", "libpod-", "containerd/", "kubepods/"};
  for (std::string_view marker : kMarkers) {
    std::size_t pos = 0;
    while ((pos = line.find(marker, pos)) != std::string_view::npos) {
      pos += marker.size();
      std::size_t end = pos;
      while (end < line.size() && IsLowerHex(line[end])) ++end;
      if (end - pos == 64) return std::string(line.substr(pos, 64));
    }
  }
  return {};
}

}  // namespace

std::string ContainerIdFromCgroup(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    std::string id = FindId(line);
    if (!id.empty()) return id;
  }
  return {};
}

std::string_view StateName(char state) {
  switch (state) {
    case 'R':
      return "running";
    case 'S':
      return "sleeping";
    case 'D':
      return "disk-sleep";
    case 'Z':
      return "zombie";
    case 'T':
      return "stopped";
    case 't':
      return "tracing-stop";
    case 'X':
    case 'x':
      return "dead";
    case 'I':
      return "idle";
    case 'P':
      return "parked";
    case 'K':
      return "wakekill";
    case 'W':
      return "waking";
    default:
      return "unknown";
  }
}

double LifetimeCpuPercent(std::uint64_t utime, std::uint64_t stime, std::uint64_t starttime,
                          double uptime_seconds, long hz) {
  if (hz <= 0) return 0.0;
  const double hzd = static_cast<double>(hz);
  const double lifetime = uptime_seconds - static_cast<double>(starttime) / hzd;
  if (!(lifetime > 0)) return 0.0;
  const double cpu = static_cast<double>(utime + stime) / hzd;
  const double pct = cpu / lifetime * 100.0;
  if (!std::isfinite(pct)) return 0.0;
  return std::round(pct * 100.0) / 100.0;
}

}  // namespace rampart::agent
