// Fuzzes the package.json reader (through the shared JSON parser with its depth limit).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/software_lang.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = rampart::agent::ParseNpmPackageJson(text);
  (void)parsed;
  return 0;
}
