#pragma once
// The agent <-> server protocol: paths, credential formats and the JSON messages both sides
// exchange over the agent channel. Both sides build and read messages through these helpers, so
// the shapes live in one place (docs/agent-protocol.md describes them for other implementers).
//
// Enrolment (HTTPS):
//   POST /api/v1/agent/enroll  {"token": ENROLL_TOKEN, "machine_id": "...", "hostname": "...",
//                               "agent_version": "..."}
//   200 {"host_id": "h_...", "agent_id": "h_...", "secret": "...", "tenant_id": "..."}
//   401 bad/expired/revoked token.
// Channel (WebSocket, text frames, one JSON object each):
//   GET /api/v1/agent/channel with "Authorization: Agent <host_id>:<secret>"
//   agent -> server:
//     {"type":"hello","agent_version":"...","config_version":N}
//     {"type":"heartbeat","time":"ISO-8601"}
//     {"type":"batch","key":"<idempotency key>","kind":"inventory","payload":{...}}
//     {"type":"deregister"}               (agent uninstall: host becomes UNINSTALLED)
//   server -> agent:
//     {"type":"ack","key":"...","status":"committed"|"duplicate"|"resync"|"rejected","message":"..."}
//     {"type":"config","version":N,"settings":{...}}
//     {"type":"command","id":"...","name":"...","args":{...}}
//     {"type":"error","code":"...","message":"..."}   (then the server closes)
// Inventory payload (kind "inventory"):
//   {"version":V,"base":B,"mode":"full"|"delta","collected_at":"ISO-8601",
//    "categories":{"<category>":{"rows":[...]}}                        (full: every category)
//    "changes":{"<category>":{"added":[rows],"removed":["<row key>"]}} (delta, relative to B)}
//   A row key is RowKey(row): the hex SHA-256 of the row's canonical JSON (rows are flat objects;
//   fields that change on every collection, such as cpu_percent, are part of the row, so such a
//   row is removed and added again). The server applies a delta only when its stored version for
//   the host equals B; otherwise it answers "resync" and the agent sends a full snapshot next.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace rampart::wire {

inline constexpr std::string_view kEnrollPath = "/api/v1/agent/enroll";
inline constexpr std::string_view kChannelPath = "/api/v1/agent/channel";
inline constexpr std::string_view kAgentAuthScheme = "Agent";

// Fingerprint categories (the brief's list; `rampart inventory --category` names). The server
// accepts rows only for these.
inline constexpr std::array<std::string_view, 16> kFingerprintCategories = {
    "host",           "resources", "accounts",         "ports",           "processes",
    "software",       "databases", "web_services",     "web_sites",       "web_apps",
    "web_frameworks", "jars",      "startup_services", "scheduled_tasks", "env_vars",
    "kernel_modules"};
bool IsFingerprintCategory(std::string_view name);

// Enrolment token text: "rpe1.<token id>.<secret>.<sha256 hex of the server certificate or '-'>".
struct EnrollToken {
  std::string id;
  std::string secret;
  std::string cert_sha256;  // empty when the server runs without TLS
};
std::string FormatEnrollToken(const EnrollToken& token);
// Errors: InvalidArgument("enrolment token: expected rpe1.<id>.<secret>.<fingerprint>").
Result<EnrollToken> ParseEnrollToken(std::string_view text);

// API token text: "rpt1.<token id>.<secret>".
struct ApiToken {
  std::string id;
  std::string secret;
};
std::string FormatApiToken(const ApiToken& token);
Result<ApiToken> ParseApiToken(std::string_view text);

// "Agent <host_id>:<secret>" header value and its parser.
std::string FormatAgentAuthorization(std::string_view host_id, std::string_view secret);
Result<std::pair<std::string, std::string>> ParseAgentAuthorization(std::string_view header);

// Random URL-safe identifiers and secrets (OpenSSL RAND_bytes). `prefix` e.g. "h" -> "h_3f9a...".
std::string RandomId(std::string_view prefix);  // 16 random bytes, hex
std::string RandomSecret();                     // 32 random bytes, base64url without padding

// Canonical row key: hex SHA-256 of row.Dump() (Json keeps insertion order; collectors emit fields
// in schema order, so equal rows dump equally).
std::string RowKey(const Json& row);

// Message type of a channel message, or InvalidArgument when it is not an object with a string
// "type".
Result<std::string> MessageType(const Json& message);

}  // namespace rampart::wire
