#pragma once
// Domain records of login security (issue "login security"): the security events agents report
// (aggregated incidents such as a brute-force attack, upserted by (host, incident id)), each
// host's list of active blocks (replaced by every snapshot the agent sends), and the durable
// per-host command queue through which the API asks an agent to block or unblock a source.
// Plain structs and name tables; no SQL or HTTP types. Times are Unix seconds.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "server/model.h"

namespace rampart::server {

// Threat level, ordered: an upsert never lowers it.
enum class EventLevel { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };
// Processing status. kPending is open; the others are decisions (kBlocked also comes from the
// agent's block snapshots).
enum class EventStatus { kPending, kHandled, kIgnored, kWhitelisted, kBlocked };

inline constexpr std::array<std::string_view, 4> kEventTypes = {
    "brute_force", "cracked", "invalid_user_scan", "abnormal_login"};
inline constexpr std::array<std::string_view, 4> kEventLevelNames = {"low", "medium", "high",
                                                                     "critical"};
inline constexpr std::array<std::string_view, 5> kEventStatusNames = {
    "pending", "handled", "ignored", "whitelisted", "blocked"};
inline constexpr std::array<std::string_view, 5> kAbnormalReasons = {
    "", "new_network", "unusual_hour", "new_user", "new_country"};

inline std::string_view EventLevelName(EventLevel level) {
  return kEventLevelNames[static_cast<std::size_t>(level)];
}
inline std::string_view EventStatusName(EventStatus status) {
  return kEventStatusNames[static_cast<std::size_t>(status)];
}
inline std::optional<EventLevel> ParseEventLevel(std::string_view text) {
  for (std::size_t i = 0; i < kEventLevelNames.size(); ++i) {
    if (kEventLevelNames[i] == text) return static_cast<EventLevel>(i);
  }
  return std::nullopt;
}
inline std::optional<EventStatus> ParseEventStatus(std::string_view text) {
  for (std::size_t i = 0; i < kEventStatusNames.size(); ++i) {
    if (kEventStatusNames[i] == text) return static_cast<EventStatus>(i);
  }
  return std::nullopt;
}
inline bool IsEventType(std::string_view text) {
  for (std::string_view t : kEventTypes) {
    if (t == text) return true;
  }
  return false;
}

// One incident as an agent reports it (validated by ParseSecurityEventsBatch).
struct ReportedEvent {
  std::string incident_id;  // 32-64 lower-case hex, stable per incident on its host
  std::string type;         // kEventTypes
  EventLevel level = EventLevel::kLow;
  std::string rule;
  std::string service;
  std::string source;
  std::string user;
  std::vector<std::string> users;
  std::vector<std::string> sources;
  std::int64_t count = 0;
  std::int64_t failures = 0;
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
  std::string reason;  // kAbnormalReasons
  std::string network;
  std::string country;
};

// A security event as stored: the reported incident plus the server's handling.
struct SecurityEvent {
  std::string id;  // "ev_...", the API's id
  std::string tenant_id;
  std::string host_id;
  std::string hostname;  // joined from hosts on reads
  ReportedEvent reported;
  EventStatus status = EventStatus::kPending;
  std::string status_by;  // who set the status: a user name, "token:<id>", or "agent" (blocks)
  std::int64_t status_at = 0;
  std::string note;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct SecurityEventsBatch {
  std::string idempotency_key;
  std::vector<ReportedEvent> events;  // the valid ones
  std::vector<std::string> rejected;  // one message per rejected event ("events[3]: ...")
};

struct BlockEntry {
  std::string host_id;
  std::string hostname;  // joined on reads
  std::string source;    // IPv4/IPv6 address or CIDR
  std::string reason;
  std::string event_id;  // the agent's incident id, or ""
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::string backend;  // "nftables" | "ipset" | "none"
  std::int64_t updated_at = 0;
};

struct BlocksSnapshot {
  std::string idempotency_key;
  std::string backend;
  std::vector<BlockEntry> blocks;  // host_id and hostname unset
};

// Outcome of a security_events or blocks batch.
struct EventsIngest {
  IngestOutcome outcome = IngestOutcome::kCommitted;  // kCommitted or kDuplicate
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
};

struct EventQuery {
  std::string type;
  std::optional<EventLevel> level;  // exact
  std::optional<EventStatus> status;
  std::string host_id;
  std::string source;      // exact
  std::string user;        // exact
  std::int64_t since = 0;  // last_seen >= since (0: no bound)
  std::int64_t until = 0;  // last_seen <= until (0: no bound)
  PageRequest page;        // newest last_seen first
};

struct BlockQuery {
  std::string host_id;
  std::string source;
  PageRequest page;  // by host, then source
};

// Command lifecycle: pending (queued) -> delivered (written to the agent's live channel) ->
// applied (a later blocks snapshot shows the effect) or succeeded / failed (the agent's
// command_results batch, with a message and a result object); pending -> expired when the host did
// not connect within kCommandTtlSeconds.
enum class CommandStatus { kPending, kDelivered, kApplied, kExpired, kSucceeded, kFailed };
inline constexpr std::array<std::string_view, 6> kCommandStatusNames = {
    "pending", "delivered", "applied", "expired", "succeeded", "failed"};
inline std::string_view CommandStatusName(CommandStatus s) {
  return kCommandStatusNames[static_cast<std::size_t>(s)];
}
inline std::optional<CommandStatus> ParseCommandStatus(std::string_view text) {
  for (std::size_t i = 0; i < kCommandStatusNames.size(); ++i) {
    if (kCommandStatusNames[i] == text) return static_cast<CommandStatus>(i);
  }
  return std::nullopt;
}
inline constexpr std::int64_t kCommandTtlSeconds = 86400;

struct AgentCommand {
  std::string id;  // "cmd_...", also the id the agent sees
  std::string tenant_id;
  std::string host_id;
  std::string name;  // "block" | "unblock" | ...
  Json args = Json::MakeObject();
  CommandStatus status = CommandStatus::kPending;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t delivered_at = 0;
  std::int64_t applied_at = 0;
  // From the agent's command result (succeeded / failed); empty and 0 before.
  std::string message;
  Json result = Json::MakeObject();
  std::int64_t finished_at = 0;
};

}  // namespace rampart::server
