#pragma once
// The server's reading of agent channel messages (wire.h describes the protocol): parsing a text
// frame, validating an inventory batch strictly, and building the server -> agent messages. Pure
// functions over untrusted input (fuzzed in fuzz/channel_message_fuzz.cpp); no storage, no I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"
#include "server/model.h"

namespace rampart::server {

// Bounds on one inventory batch. A real host sends a few thousand rows of a few hundred bytes;
// these leave ample room and stop a compromised agent from making the server store gigabytes.
struct InventoryLimits {
  std::size_t max_rows_per_category = 100'000;
  std::size_t max_total_rows = 250'000;
  std::size_t max_removed_keys = 250'000;
  std::size_t max_row_bytes = 64 << 10;  // serialised
  std::size_t max_fields_per_row = 256;
  std::size_t max_field_name_bytes = 128;
  // Nesting inside a row: rows are objects of scalars, plus arrays and objects of a few levels
  // (host.ips, host.last_login, resources.disks[*]).
  int max_row_depth = 3;
};

// Parses one text frame: a JSON object with a string "type" (nesting bounded). InvalidArgument
// with the parse position or what is missing.
Result<Json> ParseChannelMessage(std::string_view text);

// True for an idempotency key the server will store: 1..128 bytes of [A-Za-z0-9._:-].
bool IsValidBatchKey(std::string_view key);

// Validates the payload of a {"type":"batch","kind":"inventory"} message and builds the batch:
// version (integer >= 1), base (integer >= 0; required for deltas, version > base), mode
// "full"|"delta", collected_at (ISO-8601, optional: 0 when absent), categories/changes keyed by
// wire::kFingerprintCategories (each at most once), rows that are JSON objects within `limits`,
// removed keys as 64 lower-case hex digits. Identical rows within a category are kept once. The
// "host" category holds at most one row; when present, host_fields is filled from it. Unknown
// top-level members are ignored (newer agents may send more). InvalidArgument names the place
// ("changes.ports.added[3]: ...").
Result<InventoryBatch> ParseInventoryBatch(std::string_view key, const Json& payload,
                                           const InventoryLimits& limits = {});

// Host record fields carried by a "host" category row: hostname, ips, os_name, os_version,
// machine_type, agent_version (members missing or of another type stay empty).
Host HostFieldsFromRow(const Json& row);

// "2026-11-29T02:51:27Z", with optional fractional seconds and a "+HH:MM"/"-HH:MM" offset, to
// Unix seconds. InvalidArgument otherwise.
Result<std::int64_t> ParseIso8601(std::string_view text);

// Server -> agent messages (compact JSON text).
std::string AckMessage(std::string_view key, std::string_view status, std::string_view message);
std::string ConfigMessage(std::int64_t version, const Json& settings);
std::string CommandMessage(std::string_view id, std::string_view name, const Json& args);
std::string ErrorMessage(std::string_view code, std::string_view message);

}  // namespace rampart::server
