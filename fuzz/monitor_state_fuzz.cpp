// Fuzzes the login monitor's state file (cursors, journal cursor, incidents) and the blocks state
// file (blocks.json, also written by `rampart block`): both are re-read at every agent start.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/monitor/block_manager.h"
#include "agent/monitor/monitor_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto state = rampart::agent::DecodeMonitorState(text); state.ok()) {
    // What decodes must encode to the same state.
    auto again = rampart::agent::DecodeMonitorState(rampart::agent::EncodeMonitorState(*state));
    if (!again.ok() || !(*again == *state)) std::abort();
  }
  if (auto blocks = rampart::agent::DecodeBlocksState(text); blocks.ok()) {
    auto again = rampart::agent::DecodeBlocksState(rampart::agent::EncodeBlocksState(*blocks));
    if (!again.ok() || again->blocks != blocks->blocks) std::abort();
  }
  return 0;
}
