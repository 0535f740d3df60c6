// Fuzzes the /proc/meminfo, /proc/loadavg and /proc/stat parsers (resources, host).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/proc_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto m = rampart::agent::ParseMeminfo(text);
  (void)m.MemUsed();
  (void)m.SwapUsed();
  (void)rampart::agent::ParseLoadavg(text);
  const auto cpu = rampart::agent::ParseProcStatCpu(text);
  if (cpu) (void)rampart::agent::CpuBusyPercent(rampart::agent::CpuTimes{}, *cpu);
  (void)rampart::agent::ParseProcStatBtime(text);
  return 0;
}
