// Fuzzes what the server reads from an agent's channel: the message parser, and for batch
// messages the inventory validator (the same path AgentHub takes before touching storage).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/json.h"
#include "server/service/channel_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = server::ParseChannelMessage(text);
  if (!message) return 0;
  const std::string key = message->GetString("key", "fuzz-key");
  const Json* payload = message->Find("payload");
  // Small limits so the fuzzer reaches every limit check with small inputs.
  server::InventoryLimits limits;
  limits.max_rows_per_category = 8;
  limits.max_total_rows = 16;
  limits.max_removed_keys = 16;
  limits.max_row_bytes = 512;
  limits.max_fields_per_row = 16;
  auto batch = server::ParseInventoryBatch(key, payload != nullptr ? *payload : *message, limits);
  if (batch) {
    std::size_t rows = 0;
    for (const auto& [category, items] : batch->rows) rows += items.size();
    if (rows > limits.max_total_rows) __builtin_trap();
    for (const auto& [category, items] : batch->rows) {
      for (const Json& row : items) {
        if (!row.is_object()) __builtin_trap();
      }
    }
  }
  (void)server::ParseIso8601(message->GetString("time"));
  return 0;
}
