// Fuzzes the line-oriented procfs parsers: /proc/<pid>/status, /proc/<pid>/cgroup, /proc/stat
// btime, /proc/uptime, and the apk database reader used for executable ownership.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/exe_owner.h"
#include "agent/collectors/proc_pid.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)rampart::agent::ParseProcPidStatus(text);
  (void)rampart::agent::ContainerIdFromCgroup(text);
  (void)rampart::agent::ParseBootTime(text);
  (void)rampart::agent::ParseUptime(text);
  (void)rampart::agent::ParseApkOwners(text, {"/bin/busybox", "/usr/sbin/nginx"});
  return 0;
}
