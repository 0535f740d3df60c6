#include "server/service/events_protocol.h"

#include <arpa/inet.h>

#include <optional>

#include "common/strings.h"
#include "server/service/protocol_fields.h"

namespace rampart::server {
namespace {

// 2^33 s is the year 2242: anything later is a broken clock or an attack on integer columns.
constexpr std::int64_t kMaxTime = std::int64_t{1} << 33;
constexpr std::int64_t kMaxCount = 1'000'000'000'000;

bool IsHexId(std::string_view s) {
  if (s.size() < 32 || s.size() > 64) return false;
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status TextList(const Json& object, std::string_view name, std::vector<std::string>* out) {
  const Json* value = object.Find(name);
  if (value == nullptr || value->is_null()) return Status::Ok();
  auto bad = [&] {
    return InvalidArgument(std::string(name) + ": expected an array of at most " +
                           std::to_string(kMaxEventListItems) +
                           " strings of at most 255 bytes without control characters");
  };
  if (!value->is_array() || value->size() > kMaxEventListItems) return bad();
  for (const Json& item : value->as_array()) {
    if (!item.is_string() || item.as_string().size() > 255 || HasControl(item.as_string())) {
      return bad();
    }
    out->push_back(item.as_string());
  }
  return Status::Ok();
}

Result<ReportedEvent> ParseEvent(const Json& item) {
  if (!item.is_object()) return InvalidArgument("expected an object");
  ReportedEvent e;
  const Json* id = item.Find("id");
  if (id == nullptr) return InvalidArgument("id: required");
  if (!id->is_string() || !IsHexId(id->as_string())) {
    return InvalidArgument("id: expected 32 to 64 hex digits, got " + Shown(*id));
  }
  e.incident_id = Lower(id->as_string());
  RAMPART_ASSIGN_OR_RETURN(
      e.type, ChoiceField(item, "type", "brute_force|cracked|invalid_user_scan|abnormal_login"));
  RAMPART_ASSIGN_OR_RETURN(std::string level,
                           ChoiceField(item, "level", "low|medium|high|critical"));
  e.level = *ParseEventLevel(level);
  RAMPART_ASSIGN_OR_RETURN(e.first_seen, IntegerField(item, "first_seen", true, 0, kMaxTime));
  RAMPART_ASSIGN_OR_RETURN(e.last_seen, IntegerField(item, "last_seen", true, 0, kMaxTime));
  if (e.first_seen > e.last_seen) {
    return InvalidArgument("first_seen " + std::to_string(e.first_seen) + " is after last_seen " +
                           std::to_string(e.last_seen));
  }
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "rule", 128, &e.rule));
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "service", 64, &e.service));
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "source", 255, &e.source));
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "user", 255, &e.user));
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "network", 64, &e.network));
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "country", 8, &e.country));
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "reason", 32, &e.reason));
  bool known_reason = false;
  for (std::string_view r : kAbnormalReasons) known_reason = known_reason || r == e.reason;
  if (!known_reason) {
    return InvalidArgument(
        "reason: expected new_network, unusual_hour, new_user, new_country or \"\", got \"" +
        Printable(e.reason) + "\"");
  }
  RAMPART_RETURN_IF_ERROR(TextList(item, "users", &e.users));
  RAMPART_RETURN_IF_ERROR(TextList(item, "sources", &e.sources));
  RAMPART_ASSIGN_OR_RETURN(e.count, IntegerField(item, "count", false, 0, kMaxCount));
  RAMPART_ASSIGN_OR_RETURN(e.failures, IntegerField(item, "failures", false, 0, kMaxCount));
  return e;
}

Result<BlockEntry> ParseBlock(const Json& item) {
  if (!item.is_object()) return InvalidArgument("expected an object");
  BlockEntry b;
  const Json* source = item.Find("source");
  if (source == nullptr) return InvalidArgument("source: required");
  std::optional<std::string> normal;
  if (source->is_string()) normal = NormaliseIpOrCidr(source->as_string());
  if (!normal) {
    return InvalidArgument("source: expected an IPv4/IPv6 address or CIDR, got " + Shown(*source));
  }
  b.source = std::move(*normal);
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "reason", 64, &b.reason));
  std::string event_id;
  RAMPART_RETURN_IF_ERROR(OptionalText(item, "event_id", 64, &event_id));
  if (!event_id.empty() && !IsHexId(event_id)) {
    return InvalidArgument("event_id: expected \"\" or 32 to 64 hex digits, got \"" +
                           Printable(event_id) + "\"");
  }
  b.event_id = Lower(event_id);
  RAMPART_ASSIGN_OR_RETURN(b.created_at, IntegerField(item, "created_at", true, 0, kMaxTime));
  RAMPART_ASSIGN_OR_RETURN(b.expires_at, IntegerField(item, "expires_at", true, 0, kMaxTime));
  return b;
}

}  // namespace

std::optional<std::string> NormaliseIpOrCidr(std::string_view text) {
  std::string_view addr = text;
  std::optional<int> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    prefix = ParseInt<int>(text.substr(slash + 1));
    if (!prefix || *prefix < 0) return std::nullopt;
  }
  if (addr.empty() || addr.size() > 45) return std::nullopt;
  const std::string a(addr);
  unsigned char buf[16];
  int max = 0;
  if (inet_pton(AF_INET, a.c_str(), buf) == 1) {
    max = 32;
  } else if (inet_pton(AF_INET6, a.c_str(), buf) == 1) {
    max = 128;
  } else {
    return std::nullopt;
  }
  if (!prefix || *prefix == max) return a;
  if (*prefix > max) return std::nullopt;
  return a + "/" + std::to_string(*prefix);
}

Result<SecurityEventsBatch> ParseSecurityEventsBatch(std::string_view key, const Json& payload) {
  const Json* events = payload.is_object() ? payload.Find("events") : nullptr;
  if (events == nullptr || !events->is_array() || events->size() == 0 ||
      events->size() > kMaxEventsPerBatch) {
    return InvalidArgument("security_events batch: expected {\"events\": [...]} with 1 to " +
                           std::to_string(kMaxEventsPerBatch) + " events");
  }
  SecurityEventsBatch batch;
  batch.idempotency_key = std::string(key);
  const Json::Array& items = events->as_array();
  batch.events.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto event = ParseEvent(items[i]);
    if (event.ok()) {
      batch.events.push_back(std::move(*event));
    } else {
      batch.rejected.push_back("events[" + std::to_string(i) + "]: " + event.error().message());
    }
  }
  return batch;
}

Result<ParsedBlocks> ParseBlocksSnapshot(std::string_view key, const Json& payload) {
  if (!payload.is_object()) {
    return InvalidArgument("blocks snapshot: expected {\"backend\": ..., \"blocks\": [...]}");
  }
  auto backend = ChoiceField(payload, "backend", "nftables|ipset|none");
  if (!backend.ok()) return InvalidArgument("blocks snapshot: " + backend.error().message());
  const Json* blocks = payload.Find("blocks");
  if (blocks == nullptr || !blocks->is_array() || blocks->size() > kMaxBlocksPerSnapshot) {
    return InvalidArgument("blocks snapshot: blocks: expected an array of at most " +
                           std::to_string(kMaxBlocksPerSnapshot) + " blocks");
  }
  ParsedBlocks out;
  out.snapshot.idempotency_key = std::string(key);
  out.snapshot.backend = std::move(*backend);
  const Json::Array& items = blocks->as_array();
  out.snapshot.blocks.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto block = ParseBlock(items[i]);
    if (block.ok()) {
      out.snapshot.blocks.push_back(std::move(*block));
    } else {
      out.rejected.push_back("blocks[" + std::to_string(i) + "]: " + block.error().message());
    }
  }
  return out;
}

std::string RejectedSummary(const std::vector<std::string>& rejected, std::size_t total,
                            std::string_view what) {
  if (rejected.empty()) return {};
  std::string out = std::to_string(rejected.size()) + " of " + std::to_string(total) + " " +
                    std::string(what) + " rejected: ";
  for (std::size_t i = 0; i < rejected.size() && i < 3; ++i) {
    if (i > 0) out += "; ";
    out += rejected[i];
  }
  if (rejected.size() > 3) out += "; ...";
  return out;
}

}  // namespace rampart::server
