// Fuzzes the reader of the scan result cache file (a corrupt or hostile file in the data dir must
// be rejected cleanly, never crash or allocate without bound). Each input is parsed as is, and
// again with a valid trailing checksum so mutations reach the entry parser behind it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/scan/result_cache.h"
#include "common/hash.h"

namespace {

std::string WithChecksum(std::string_view body) {
  std::string out(body);
  const std::string hex = rampart::Sha256Hex(body);
  for (std::size_t i = 0; i < 32; ++i) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto parsed = rampart::agent::scan::ParseResultCache(bytes); parsed.ok()) {
    (void)parsed->entries.size();
  }
  const std::string_view body = size >= 32 ? bytes.substr(0, size - 32) : bytes;
  if (auto parsed = rampart::agent::scan::ParseResultCache(WithChecksum(body)); parsed.ok()) {
    (void)parsed->entries.size();
  }
  return 0;
}
