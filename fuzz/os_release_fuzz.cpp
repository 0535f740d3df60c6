// Fuzzes OS identification (os-release, redhat-release), the ELF-header architecture reader and the
// container markers of PID 1 (host).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/host_info.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)rampart::agent::ParseOsRelease(text);
  (void)rampart::agent::ParseRedhatRelease(text);
  (void)rampart::agent::ElfMachine(text);
  (void)rampart::agent::ArchFromKernelRelease(text);
  (void)rampart::agent::DetectContainerFromEnviron(text);
  (void)rampart::agent::DetectContainerFromCgroup(text);
  return 0;
}
