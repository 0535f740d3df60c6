#pragma once
// The "host" category: one object describing the machine (name, addresses, OS, kernel,
// architecture, machine type, CPU, memory, boot time, agent version, last login). Every file is
// read through the HostView, so a fixture root or a mounted image answers like a live host; only a
// live host ("/") also asks the kernel directly (gethostname, uname, sysconf, getifaddrs).

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/host_info.h"

namespace rampart::agent {

class HostCollector final : public Collector {
 public:
  std::string_view name() const override { return "host"; }
  Shape shape() const override { return Shape::kObject; }
  std::span<const Field> schema() const override;
  // Never fails: a field whose sources are all missing is "" (strings), 0 (counts) or null
  // (boot_time, last_login).
  Result<Json> Collect(const CollectContext& ctx) override;
};

// Every non-loopback IPv4 (/proc/net/fib_trie LOCAL entries) and IPv6 (/proc/net/if_inet6) address,
// each once, IPv4 first; on a live host also those getifaddrs() reports.
std::vector<std::string> ReadHostAddresses(const HostView& host);

// OS identity from /etc/os-release, /usr/lib/os-release, then the legacy release files.
OsInfo ReadOsInfo(const HostView& host);

// The running kernel's release ("6.1.0-18-amd64"): uname() on a live host, else
// /proc/sys/kernel/osrelease, else the third word of /proc/version; "" when none is readable.
std::string ReadKernelRelease(const HostView& host);

// DMI strings, the CPU hypervisor flag, /sys/hypervisor/type and container markers of the host.
MachineSignals ReadMachineSignals(const HostView& host);

}  // namespace rampart::agent
