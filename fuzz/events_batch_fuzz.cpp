// Fuzzes what the server reads from an agent's login-security batches: the security_events and
// blocks payload validators (the path AgentHub takes before touching storage), with the invariants
// the storage layer relies on checked on every accepted entry.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/json.h"
#include "server/service/channel_protocol.h"
#include "server/service/events_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = server::ParseChannelMessage(text);
  if (!message) return 0;
  const Json* payload = message->Find("payload");
  const Json& body = payload != nullptr ? *payload : *message;
  auto events = server::ParseSecurityEventsBatch("fuzz-key", body);
  if (events) {
    const std::size_t total = events->events.size() + events->rejected.size();
    if (total == 0 || total > server::kMaxEventsPerBatch) __builtin_trap();
    for (const server::ReportedEvent& e : events->events) {
      if (e.incident_id.size() < 32 || e.incident_id.size() > 64) __builtin_trap();
      if (e.first_seen > e.last_seen || e.count < 0 || e.failures < 0) __builtin_trap();
      if (!server::IsEventType(e.type)) __builtin_trap();
      if (e.users.size() > server::kMaxEventListItems) __builtin_trap();
      if (e.source.size() > 255 || e.user.size() > 255 || e.country.size() > 8) __builtin_trap();
    }
    (void)server::RejectedSummary(events->rejected, total, "events");
  }
  auto blocks = server::ParseBlocksSnapshot("fuzz-key", body);
  if (blocks) {
    for (const server::BlockEntry& b : blocks->snapshot.blocks) {
      // Stored sources must read back as addresses (normalising is idempotent).
      auto again = server::NormaliseIpOrCidr(b.source);
      if (!again || *again != b.source || b.source.size() > 64) __builtin_trap();
    }
  }
  return 0;
}
