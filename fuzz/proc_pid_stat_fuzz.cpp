// Fuzzes the /proc/<pid>/stat parser (comm may hold anything, including ')') and the cmdline /
// exe-link helpers that see the same kind of process-controlled bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/proc_pid.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto st = rampart::agent::ParseProcPidStat(text)) {
    (void)rampart::agent::LifetimeCpuPercent(st->utime, st->stime, st->starttime, 86400.5, 100);
    (void)rampart::agent::StateName(st->state);
  }
  (void)rampart::agent::ParseCmdline(text, 64);
  (void)rampart::agent::ParseExeLink(text);
  return 0;
}
