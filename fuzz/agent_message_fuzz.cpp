// Fuzzes what the agent reads from outside its own code: the server's channel messages (and the
// config settings inside them), and spool batch files read back from disk.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "agent/transport/agent_config.h"
#include "agent/transport/messages.h"
#include "agent/transport/spool.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = rampart::agent::ParseServerMessage(text);
  if (message) {
    if (const auto* config = std::get_if<rampart::agent::ConfigMessage>(&*message)) {
      rampart::agent::AgentSettings settings;
      (void)rampart::agent::ApplySettings(config->settings, &settings);
    }
  }
  (void)rampart::agent::DecodeSpoolFile(text);
  return 0;
}
