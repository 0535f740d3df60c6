// Fuzzes the /proc/cpuinfo parser (host: CPU model, count, hypervisor flag).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/proc_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)rampart::agent::ParseCpuinfo(text);
  return 0;
}
