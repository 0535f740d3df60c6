#include "agent/transport/messages.h"

#include "common/clock.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

// Server messages are small control frames; a deep or huge one is not from a sane server.
constexpr int kMaxDepth = 32;

Result<std::string> RequiredString(const Json& doc, std::string_view type, std::string_view field,
                                   bool allow_empty = false) {
  const Json* v = doc.Find(field);
  if (v == nullptr || !v->is_string() || (!allow_empty && v->as_string().empty())) {
    return InvalidArgument(std::string(type) + ": \"" + std::string(field) + "\" must be a " +
                           (allow_empty ? "string" : "non-empty string"));
  }
  return v->as_string();
}

std::string OptionalString(const Json& doc, std::string_view field) {
  const Json* v = doc.Find(field);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

Result<ServerMessage> ParseAck(const Json& doc) {
  AckMessage ack;
  RAMPART_ASSIGN_OR_RETURN(ack.key, RequiredString(doc, "ack", "key"));
  RAMPART_ASSIGN_OR_RETURN(std::string status, RequiredString(doc, "ack", "status"));
  if (status == "committed") {
    ack.status = AckStatus::kCommitted;
  } else if (status == "duplicate") {
    ack.status = AckStatus::kDuplicate;
  } else if (status == "resync") {
    ack.status = AckStatus::kResync;
  } else if (status == "rejected") {
    ack.status = AckStatus::kRejected;
  } else {
    return InvalidArgument(
        "ack: \"status\" must be committed, duplicate, resync or rejected, not \"" +
        status.substr(0, 64) + "\"");
  }
  ack.message = OptionalString(doc, "message");
  return ServerMessage(std::move(ack));
}

Result<ServerMessage> ParseConfig(const Json& doc) {
  ConfigMessage config;
  const Json* version = doc.Find("version");
  if (version == nullptr || !version->is_int() || version->as_int() < 0) {
    return InvalidArgument("config: \"version\" must be a non-negative integer");
  }
  config.version = version->as_int();
  const Json* settings = doc.Find("settings");
  if (settings == nullptr || !settings->is_object()) {
    return InvalidArgument("config: \"settings\" must be an object");
  }
  config.settings = *settings;
  return ServerMessage(std::move(config));
}

Result<ServerMessage> ParseCommand(const Json& doc) {
  CommandMessage command;
  RAMPART_ASSIGN_OR_RETURN(command.name, RequiredString(doc, "command", "name"));
  command.id = OptionalString(doc, "id");
  if (const Json* args = doc.Find("args"); args != nullptr && !args->is_null()) {
    if (!args->is_object()) return InvalidArgument("command: \"args\" must be an object");
    command.args = *args;
  }
  return ServerMessage(std::move(command));
}

}  // namespace

std::string_view AckStatusName(AckStatus status) {
  switch (status) {
    case AckStatus::kCommitted:
      return "committed";
    case AckStatus::kDuplicate:
      return "duplicate";
    case AckStatus::kResync:
      return "resync";
    case AckStatus::kRejected:
      return "rejected";
  }
  return "?";
}

Result<ServerMessage> ParseServerMessage(std::string_view text) {
  auto doc = Json::Parse(text, kMaxDepth);
  if (!doc) return InvalidArgument("server message: " + doc.error().message());
  RAMPART_ASSIGN_OR_RETURN(std::string type, wire::MessageType(*doc));
  if (type == "ack") return ParseAck(*doc);
  if (type == "config") return ParseConfig(*doc);
  if (type == "command") return ParseCommand(*doc);
  if (type == "error") {
    return ServerMessage(
        ErrorMessage{OptionalString(*doc, "code"), OptionalString(*doc, "message")});
  }
  return ServerMessage(UnknownMessage{std::move(type)});
}

std::string HelloMessage(std::string_view agent_version, std::int64_t config_version) {
  Json doc = Json::MakeObject();
  doc.Set("type", "hello");
  doc.Set("agent_version", agent_version);
  doc.Set("config_version", config_version);
  return doc.Dump();
}

std::string HeartbeatMessage(std::int64_t unix_seconds) {
  Json doc = Json::MakeObject();
  doc.Set("type", "heartbeat");
  doc.Set("time", FormatIso8601(unix_seconds));
  return doc.Dump();
}

std::string DeregisterMessage() { return R"({"type":"deregister"})"; }

std::string BatchMessage(std::string_view key, std::string_view kind,
                         std::string_view payload_json) {
  std::string out;
  out.reserve(payload_json.size() + key.size() + kind.size() + 48);
  out.append(R"({"type":"batch","key":)").append(Json(key).Dump());
  out.append(R"(,"kind":)").append(Json(kind).Dump());
  out.append(R"(,"payload":)").append(payload_json).append("}");
  return out;
}

}  // namespace rampart::agent
