#pragma once
// The channel messages one simulated agent sends (shapes from common/wire.h). Contents are a pure
// function of (agent index, inventory version), so a batch resent after a reconnect is identical
// and a delta's removed row keys match what the server stored from the previous version.
//
// Inventory of agent i at version v: one "host" row, "ports" with sshd on 22 (and redis on 6379
// on every tenth agent) plus one application port that moves with v, and five "software" rows.
// A delta b -> v therefore removes one port row and adds one.
// Events: see SecurityEventsMessage.

#include <cstdint>
#include <string>
#include <string_view>

namespace rampart::fleet {

struct AgentProfile {
  std::uint32_t index = 0;
  std::string_view hostname;
  std::string_view agent_version;
};

std::string HelloMessage(std::string_view agent_version);
std::string HeartbeatMessage(std::int64_t unix_seconds);
// {"type":"batch","key":key,"kind":"inventory","payload":{... "mode":"full", version, base ...}}
std::string FullInventoryMessage(const AgentProfile& agent, std::string_view key,
                                 std::int64_t version, std::int64_t base,
                                 std::int64_t unix_seconds);
// The delta from `base` (a version whose full or delta was acknowledged) to `version`.
std::string DeltaInventoryMessage(std::string_view key, std::int64_t version, std::int64_t base,
                                  std::int64_t unix_seconds);
// A "security_events" batch with one brute-force incident of agent i. Sequence numbers 2k-1 and
// 2k describe the same incident (same id), the second with a higher count, so the server sees both
// new incidents and updates of stored ones.
std::string SecurityEventsMessage(std::uint32_t index, std::string_view key, std::int64_t seq,
                                  std::int64_t unix_seconds);

}  // namespace rampart::fleet
