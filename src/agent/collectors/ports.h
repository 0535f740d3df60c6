#pragma once
// The `ports` category: what `ss -tulnH` lists (listening TCP sockets and unconnected, bound UDP
// sockets), read from /proc/net/{tcp,tcp6,udp,udp6} and joined to the owning process through the
// /proc/<pid>/fd/* "socket:[inode]" links.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"

namespace rampart::agent {

struct PortRow {
  std::string proto;    // "tcp" | "udp"
  int family = 4;       // 4 | 6
  std::string bind_ip;  // as `ss -n` prints it, without brackets
  std::uint16_t port = 0;
  std::optional<std::int64_t>
      pid;              // lowest pid holding the socket; nullopt when no process was found
  std::string process;  // comm of pid; "" unknown
  std::string exe;      // pid's executable, " (deleted)" stripped; "" unknown
  std::string user;     // socket owner uid (from the /proc/net line) as a user name
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

// Reads the four tables and the fd links. Rows are unique by (proto, family, bind_ip, port, pid)
// (SO_REUSEPORT groups collapse) and sorted by proto, family, port, bind_ip, pid. Missing tables
// yield fewer rows (a kernel without IPv6 has no tcp6).
std::vector<PortRow> ReadListeningPorts(const HostView& host);

class PortsCollector final : public Collector {
 public:
  std::string_view name() const override { return "ports"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override;
  Result<Json> Collect(const CollectContext& ctx) override;
};

}  // namespace rampart::agent
