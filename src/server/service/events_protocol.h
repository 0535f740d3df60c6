#pragma once
// The server's reading of the login-security batch kinds on the agent channel (the contract is in
// docs/server.md, "Security events and blocks"): strict validation of untrusted agent input, one
// event or block at a time, so a malformed entry is rejected with a message naming it while the
// rest of the batch is still stored. Pure functions (fuzzed in fuzz/events_batch_fuzz.cpp); no
// storage, no I/O. Thread-safe.
//
//   kind "security_events": {"events":[EVENT, ...]}  (1..kMaxEventsPerBatch)
//   kind "blocks":          {"backend":"nftables"|"ipset"|"none", "blocks":[BLOCK, ...]}
//                           (0..kMaxBlocksPerSnapshot; the host's full list of active blocks)

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "server/events_model.h"

namespace rampart::server {

inline constexpr std::size_t kMaxEventsPerBatch = 1000;
inline constexpr std::size_t kMaxBlocksPerSnapshot = 10000;
inline constexpr std::size_t kMaxEventListItems = 256;  // users[] and sources[] of one event

// The payload of a security_events batch. InvalidArgument ("security_events batch: ...") when the
// payload is not an object with an "events" array of 1..kMaxEventsPerBatch items; otherwise each
// event is validated on its own: required id (32-64 hex digits, stored lower-case), type (one of
// kEventTypes), level (low|medium|high|critical), first_seen and last_seen (Unix seconds,
// first <= last); optional rule, service, source, user, reason (one of kAbnormalReasons),
// network, country (strings of bounded length without control characters), users and sources
// (arrays of such strings), count and failures (integers >= 0). Unknown members are ignored.
// Invalid events land in `rejected` as "events[i]: <what was expected>".
Result<SecurityEventsBatch> ParseSecurityEventsBatch(std::string_view key, const Json& payload);

// The payload of a blocks snapshot. InvalidArgument ("blocks snapshot: ...") when the payload is
// not an object with a known backend and a "blocks" array of at most kMaxBlocksPerSnapshot items.
// Each block needs source (an IPv4/IPv6 address or CIDR; /32 and /128 are stored as the bare
// address), created_at and expires_at (integers >= 0); reason (<= 64 bytes) and event_id ("" or
// 32-64 hex digits) are optional. Invalid blocks are reported in `rejected` ("blocks[i]: ...").
struct ParsedBlocks {
  BlocksSnapshot snapshot;
  std::vector<std::string> rejected;
};
Result<ParsedBlocks> ParseBlocksSnapshot(std::string_view key, const Json& payload);

// "a.b.c.d", an IPv6 address, or either with a /prefix that fits its family; returns the
// normalised text (address without a full-length prefix) or nullopt.
std::optional<std::string> NormaliseIpOrCidr(std::string_view text);

// The ack message for a batch with `rejected` entries out of `total`: "" when none, else
// "N of M rejected: <first three messages>".
std::string RejectedSummary(const std::vector<std::string>& rejected, std::size_t total,
                            std::string_view what);

}  // namespace rampart::server
