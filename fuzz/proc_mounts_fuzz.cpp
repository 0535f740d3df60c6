// Fuzzes the /proc/mounts parser (resources disks), including its octal-escape decoding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/proc_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& m : rampart::agent::ParseMounts(text))
    (void)rampart::agent::IsStorageFileSystem(m.fs_type);
  return 0;
}
