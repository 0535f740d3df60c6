// Fuzzes the /proc/net/fib_trie, /proc/net/if_inet6 and /proc/net/dev parsers (host IPs, resources
// NICs).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/proc_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& ip : rampart::agent::ParseFibTrieLocal(text))
    (void)rampart::agent::IsLoopbackAddress(ip);
  (void)rampart::agent::ParseIfInet6(text);
  (void)rampart::agent::ParseNetDev(text);
  return 0;
}
