// Fuzzes the /proc/net/{tcp,tcp6,udp,udp6} parser and the fd-link parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/proc_net.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int family : {4, 6}) {
    for (const auto& s : rampart::agent::ParseProcNet(text, family, 10'000)) {
      (void)rampart::agent::FormatSocketAddress(s.family, s.local);
      (void)rampart::agent::FormatSocketAddress(s.family, s.remote);
      (void)rampart::agent::IsListening(s, family == 6);
    }
  }
  (void)rampart::agent::ParseSocketLink(text);
  return 0;
}
