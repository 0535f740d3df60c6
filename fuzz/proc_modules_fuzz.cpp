// Fuzzes the /proc/modules and modules.dep parsers (kernel_modules).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/kernel_module_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)rampart::agent::ParseProcModules(text);
  (void)rampart::agent::ParseModulesDep(text);
  return 0;
}
