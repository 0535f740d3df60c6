#include "server/service/channel_protocol.h"

#include <unordered_set>
#include <utility>

#include "common/strings.h"
#include "common/wire.h"

namespace rampart::server {
namespace {

// message > payload > categories > category > rows > row > 3 levels inside a row, plus slack.
constexpr int kMaxMessageDepth = 12;
constexpr std::size_t kMaxBatchKey = 128;

Status Bad(std::string_view where, std::string_view what) {
  return InvalidArgument("inventory batch: " + std::string(where) + ": " + std::string(what));
}

// Depth of a value inside a row (scalars 0) and an estimate of its serialised size; false when it
// nests deeper than `max_depth`.
bool Measure(const Json& value, int max_depth, int depth, std::size_t& bytes) {
  switch (value.type()) {
    case Json::Type::kString:
      bytes += value.as_string().size() + 2;
      return true;
    case Json::Type::kArray:
      if (depth >= max_depth) return false;
      for (const Json& item : value.as_array()) {
        bytes += 1;
        if (!Measure(item, max_depth, depth + 1, bytes)) return false;
      }
      return true;
    case Json::Type::kObject:
      if (depth >= max_depth) return false;
      for (const auto& [name, item] : value.as_object()) {
        bytes += name.size() + 4;
        if (!Measure(item, max_depth, depth + 1, bytes)) return false;
      }
      return true;
    default:
      bytes += 8;
      return true;
  }
}

Status CheckRow(const Json& row, const std::string& where, const InventoryLimits& limits) {
  if (!row.is_object()) return Bad(where, "expected a JSON object");
  if (row.size() > limits.max_fields_per_row) {
    return Bad(where, "more than " + std::to_string(limits.max_fields_per_row) + " fields");
  }
  std::size_t bytes = 2;
  for (const auto& [name, value] : row.as_object()) {
    if (name.empty() || name.size() > limits.max_field_name_bytes) {
      return Bad(where, "field names must be 1.." + std::to_string(limits.max_field_name_bytes) +
                            " bytes");
    }
    bytes += name.size() + 4;
    if (!Measure(value, limits.max_row_depth, 0, bytes)) {
      return Bad(where + "." + name,
                 "nested deeper than " + std::to_string(limits.max_row_depth) + " levels");
    }
    if (bytes > limits.max_row_bytes) {
      return Bad(where, "row larger than " + std::to_string(limits.max_row_bytes) + " bytes");
    }
  }
  return Status::Ok();
}

bool IsRowKey(std::string_view key) {
  if (key.size() != 64) return false;
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Shared state of one batch's validation: the running row total and the category names seen.
struct Walk {
  const InventoryLimits& limits;
  std::size_t total_rows = 0;
  std::unordered_set<std::string> seen;
};

// Validates `rows` (an array) at `where` and appends the distinct ones to `out`.
Status TakeRows(const Json* rows, const std::string& where, Walk& walk, std::vector<Json>& out) {
  if (rows == nullptr) return Status::Ok();
  if (!rows->is_array()) return Bad(where, "expected an array of rows");
  const auto& items = rows->as_array();
  if (items.size() > walk.limits.max_rows_per_category) {
    return Bad(where, "more than " + std::to_string(walk.limits.max_rows_per_category) + " rows");
  }
  walk.total_rows += items.size();
  if (walk.total_rows > walk.limits.max_total_rows) {
    return Bad(where,
               "the batch holds more than " + std::to_string(walk.limits.max_total_rows) + " rows");
  }
  std::unordered_set<std::string> distinct;
  distinct.reserve(items.size());
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    RAMPART_RETURN_IF_ERROR(CheckRow(items[i], where + "[" + std::to_string(i) + "]", walk.limits));
    // Two equal rows have one row key; storing both would collide, and they say nothing more.
    if (distinct.insert(items[i].Dump()).second) out.push_back(items[i]);
  }
  return Status::Ok();
}

Status CheckCategory(const std::string& name, const std::string& where, Walk& walk) {
  if (!wire::IsFingerprintCategory(name)) {
    return Bad(
        where, "unknown category (expected one of " + [] {
          std::string list;
          for (std::string_view c : wire::kFingerprintCategories) {
            if (!list.empty()) list += ", ";
            list += c;
          }
          return list;
        }() + ")");
  }
  if (!walk.seen.insert(name).second) return Bad(where, "category given twice");
  return Status::Ok();
}

Status TakeFull(const Json& categories, Walk& walk, InventoryBatch& batch) {
  if (!categories.is_object()) return Bad("categories", "expected an object keyed by category");
  for (const auto& [name, body] : categories.as_object()) {
    const std::string where = "categories." + name;
    RAMPART_RETURN_IF_ERROR(CheckCategory(name, where, walk));
    if (!body.is_object()) return Bad(where, "expected {\"rows\":[...]}");
    const Json* rows = body.Find("rows");
    if (rows == nullptr) return Bad(where, "missing \"rows\"");
    std::vector<Json> taken;
    RAMPART_RETURN_IF_ERROR(TakeRows(rows, where + ".rows", walk, taken));
    batch.rows.emplace_back(name, std::move(taken));
  }
  return Status::Ok();
}

Status TakeDelta(const Json& changes, Walk& walk, InventoryBatch& batch) {
  if (!changes.is_object()) return Bad("changes", "expected an object keyed by category");
  std::size_t removed_total = 0;
  for (const auto& [name, body] : changes.as_object()) {
    const std::string where = "changes." + name;
    RAMPART_RETURN_IF_ERROR(CheckCategory(name, where, walk));
    if (!body.is_object()) return Bad(where, "expected {\"added\":[...],\"removed\":[...]}");
    std::vector<Json> added;
    RAMPART_RETURN_IF_ERROR(TakeRows(body.Find("added"), where + ".added", walk, added));
    std::vector<std::string> removed;
    if (const Json* keys = body.Find("removed")) {
      if (!keys->is_array()) return Bad(where + ".removed", "expected an array of row keys");
      removed_total += keys->size();
      if (removed_total > walk.limits.max_removed_keys) {
        return Bad(where + ".removed", "the batch removes more than " +
                                           std::to_string(walk.limits.max_removed_keys) + " rows");
      }
      for (std::size_t i = 0; i < keys->size(); ++i) {
        const Json& key = keys->as_array()[i];
        if (!key.is_string() || !IsRowKey(key.as_string())) {
          return Bad(where + ".removed[" + std::to_string(i) + "]",
                     "expected a row key (64 lower-case hex digits)");
        }
        removed.push_back(key.as_string());
      }
    }
    if (!added.empty()) batch.rows.emplace_back(name, std::move(added));
    if (!removed.empty()) batch.removed.emplace_back(name, std::move(removed));
  }
  return Status::Ok();
}

Status TakeInteger(const Json& payload, std::string_view name, bool required, std::int64_t min,
                   std::int64_t& out) {
  const Json* value = payload.Find(name);
  if (value == nullptr) return required ? Bad(name, "missing") : Status::Ok();
  if (!value->is_int() || value->as_int() < min) {
    return Bad(name, "expected an integer >= " + std::to_string(min));
  }
  out = value->as_int();
  return Status::Ok();
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

Result<Json> ParseChannelMessage(std::string_view text) {
  RAMPART_ASSIGN_OR_RETURN(Json message, Json::Parse(text, kMaxMessageDepth));
  RAMPART_RETURN_IF_ERROR(wire::MessageType(message).status());
  return message;
}

bool IsValidBatchKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxBatchKey) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<InventoryBatch> ParseInventoryBatch(std::string_view key, const Json& payload,
                                           const InventoryLimits& limits) {
  if (!IsValidBatchKey(key)) {
    return InvalidArgument("inventory batch: key: expected 1..128 characters of [A-Za-z0-9._:-]");
  }
  if (!payload.is_object()) return InvalidArgument("inventory batch: expected a JSON object");
  InventoryBatch batch;
  batch.idempotency_key = std::string(key);
  const Json* mode = payload.Find("mode");
  if (mode == nullptr || !mode->is_string() ||
      (mode->as_string() != "full" && mode->as_string() != "delta")) {
    return Bad("mode", "expected \"full\" or \"delta\"");
  }
  batch.full = mode->as_string() == "full";
  RAMPART_RETURN_IF_ERROR(TakeInteger(payload, "version", true, 1, batch.version));
  RAMPART_RETURN_IF_ERROR(TakeInteger(payload, "base", !batch.full, 0, batch.base));
  if (!batch.full && batch.version <= batch.base)
    return Bad("version", "must be greater than base");
  if (const Json* at = payload.Find("collected_at")) {
    if (!at->is_string()) return Bad("collected_at", "expected an ISO-8601 time string");
    auto seconds = ParseIso8601(at->as_string());
    if (!seconds) return Bad("collected_at", seconds.error().message());
    batch.collected_at = *seconds;
  }

  Walk walk{limits, 0, {}};
  if (batch.full) {
    const Json* categories = payload.Find("categories");
    if (categories == nullptr) return Bad("categories", "missing (a full snapshot needs them)");
    RAMPART_RETURN_IF_ERROR(TakeFull(*categories, walk, batch));
  } else {
    const Json* changes = payload.Find("changes");
    if (changes == nullptr) return Bad("changes", "missing (a delta needs them)");
    RAMPART_RETURN_IF_ERROR(TakeDelta(*changes, walk, batch));
  }

  for (const auto& [name, rows] : batch.rows) {
    if (name != "host") continue;
    if (rows.size() > 1)
      return Bad(batch.full ? "categories.host" : "changes.host", "one row at most");
    if (rows.size() == 1) batch.host_fields = HostFieldsFromRow(rows.front());
  }
  return batch;
}

Host HostFieldsFromRow(const Json& row) {
  Host host;
  host.hostname = row.GetString("hostname");
  host.os_name = row.GetString("os_name");
  host.os_version = row.GetString("os_version");
  host.machine_type = row.GetString("machine_type");
  host.agent_version = row.GetString("agent_version");
  if (const Json* ips = row.Find("ips"); ips != nullptr && ips->is_array()) {
    for (const Json& ip : ips->as_array()) {
      if (ip.is_string()) host.ips.push_back(ip.as_string());
    }
  }
  return host;
}

Result<std::int64_t> ParseIso8601(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument("time '" + std::string(text.substr(0, 64)) +
                           "': expected ISO-8601 like 2026-11-29T02:51:27Z");
  };
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  auto year = ParseInt<std::int64_t>(text.substr(0, 4));
  auto month = ParseInt<unsigned>(text.substr(5, 2));
  auto day = ParseInt<unsigned>(text.substr(8, 2));
  auto hour = ParseInt<unsigned>(text.substr(11, 2));
  auto minute = ParseInt<unsigned>(text.substr(14, 2));
  auto second = ParseInt<unsigned>(text.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return bad();
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1) return bad();
    rest.remove_prefix(digits);
  }
  std::int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    auto oh = ParseInt<unsigned>(rest.substr(1, 2));
    auto om = ParseInt<unsigned>(rest.substr(4, 2));
    if (!oh || !om || *oh > 23 || *om > 59) return bad();
    offset = static_cast<std::int64_t>(*oh) * 3600 + static_cast<std::int64_t>(*om) * 60;
    if (rest[0] == '-') offset = -offset;
  } else {
    return bad();
  }
  const std::int64_t days = DaysFromCivil(*year, *month, *day);
  return days * 86400 + static_cast<std::int64_t>(*hour) * 3600 +
         static_cast<std::int64_t>(*minute) * 60 + static_cast<std::int64_t>(*second) - offset;
}

std::string AckMessage(std::string_view key, std::string_view status, std::string_view message) {
  Json out = Json::MakeObject();
  out.Set("type", "ack");
  out.Set("key", key);
  out.Set("status", status);
  if (!message.empty()) out.Set("message", message);
  return out.Dump();
}

std::string ConfigMessage(std::int64_t version, const Json& settings) {
  Json out = Json::MakeObject();
  out.Set("type", "config");
  out.Set("version", version);
  out.Set("settings", settings);
  return out.Dump();
}

std::string CommandMessage(std::string_view id, std::string_view name, const Json& args) {
  Json out = Json::MakeObject();
  out.Set("type", "command");
  out.Set("id", id);
  out.Set("name", name);
  out.Set("args", args.is_null() ? Json::MakeObject() : args);
  return out.Dump();
}

std::string ErrorMessage(std::string_view code, std::string_view message) {
  Json out = Json::MakeObject();
  out.Set("type", "error");
  out.Set("code", code);
  out.Set("message", message);
  return out.Dump();
}

}  // namespace rampart::server
