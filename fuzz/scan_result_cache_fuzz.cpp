// Fuzzes the reader of the scan result cache file (a corrupt or hostile file in the data dir must
// be rejected cleanly, never crash or allocate without bound).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/scan/result_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = rampart::agent::scan::ParseResultCache(bytes);
  if (parsed.ok()) (void)parsed->entries.size();
  return 0;
}
