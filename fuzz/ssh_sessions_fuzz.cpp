// Fuzzes the management-session parsers of the blocker's never-block rule: /proc/net/tcp(6) rows
// of established sshd connections and the Port lines of sshd_config, and block targets.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/monitor/firewall.h"
#include "agent/monitor/sessions.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ports = rampart::agent::ParseSshdPorts(text);
  (void)rampart::agent::ParseProcNetTcp(text, false, ports);
  (void)rampart::agent::ParseProcNetTcp(text, true, ports);
  if (size <= 80) (void)rampart::agent::ParseBlockTarget(text);
  return 0;
}
