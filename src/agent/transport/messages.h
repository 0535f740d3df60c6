#pragma once
// The agent's side of the channel messages in common/wire.h: parsing what the server sends
// (untrusted input: fuzzed by fuzz/agent_message_fuzz.cpp) and building what the agent sends.
// Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

enum class AckStatus { kCommitted, kDuplicate, kResync, kRejected };

struct AckMessage {
  std::string key;
  AckStatus status = AckStatus::kCommitted;
  std::string message;  // optional explanation (e.g. why a batch was rejected)
};
struct ConfigMessage {
  std::int64_t version = 0;
  Json settings = Json::MakeObject();  // an object
};
struct CommandMessage {
  std::string id;
  std::string name;
  Json args = Json::MakeObject();
};
struct ErrorMessage {
  std::string code;
  std::string message;
};
// A well-formed message of a type this agent does not know (a newer server): ignored.
struct UnknownMessage {
  std::string type;
};

using ServerMessage =
    std::variant<AckMessage, ConfigMessage, CommandMessage, ErrorMessage, UnknownMessage>;

// Parses one text frame from the server. Errors: kInvalidArgument saying what was expected, for
// text that is not a JSON object with a string "type", or a known type with a missing or
// mistyped field ("ack: \"key\" must be a non-empty string").
Result<ServerMessage> ParseServerMessage(std::string_view text);

// Messages the agent sends (compact JSON text).
std::string HelloMessage(std::string_view agent_version, std::int64_t config_version);
std::string HeartbeatMessage(std::int64_t unix_seconds);
std::string DeregisterMessage();
// `payload_json` is spooled JSON text, embedded as is (not re-parsed: it was produced by the agent
// and checksummed by the spool).
std::string BatchMessage(std::string_view key, std::string_view kind,
                         std::string_view payload_json);

std::string_view AckStatusName(AckStatus status);

}  // namespace rampart::agent
