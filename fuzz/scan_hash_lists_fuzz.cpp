// Fuzzes the scanner's blocklist (text/CSV hashes) and trusted-file allowlist parsers, and queries
// a HashIntel built from what they accept.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/scan/hash_intel.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace rampart::agent::scan;
  HashIntel intel;
  if (auto bl = ParseBlocklist(text, "fuzz"); bl.ok()) {
    for (auto& e : *bl) intel.AddBlock(std::move(e));
  }
  if (auto al = ParseAllowlist(text, "fuzz"); al.ok()) {
    for (auto& e : *al) intel.AddTrust(std::move(e));
  }
  (void)intel.Blocked(text.substr(0, 64), text.substr(0, 32));
  (void)intel.TrustedPath(text);
  (void)intel.TrustedHash(text);
  return 0;
}
