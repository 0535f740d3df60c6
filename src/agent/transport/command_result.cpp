#include "agent/transport/command_result.h"

namespace rampart::agent {

std::string CommandResultPayload(std::string_view command_id, bool succeeded,
                                 std::string_view message, const Json& result,
                                 std::int64_t finished_at) {
  Json item = Json::MakeObject();
  item.Set("command_id", command_id);
  item.Set("status", succeeded ? "succeeded" : "failed");
  // The server keeps at most 4096 bytes of message.
  std::string text(message.substr(0, 4096));
  if (message.size() > text.size()) {
    // Cut before the first byte of the UTF-8 sequence that the limit split (when it split one).
    std::size_t end = text.size();
    std::size_t start = end;
    while (start > 0 && (static_cast<unsigned char>(text[start - 1]) & 0xC0) == 0x80) --start;
    if (start > 0 && static_cast<unsigned char>(text[start - 1]) >= 0xC0) {
      const auto lead = static_cast<unsigned char>(text[start - 1]);
      const std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      if (end - (start - 1) < need) text.resize(start - 1);
    }
  }
  item.Set("message", text);
  item.Set("result", result.is_object() ? result : Json::MakeObject());
  item.Set("finished_at", finished_at);
  Json results = Json::MakeArray();
  results.Push(std::move(item));
  Json payload = Json::MakeObject();
  payload.Set("results", std::move(results));
  return payload.Dump();
}

Status QueueCommandResult(Spool& spool, std::string_view command_id, bool succeeded,
                          std::string_view message, const Json& result, std::int64_t finished_at) {
  if (command_id.empty()) return InvalidArgument("command result: empty command id");
  const std::string key = "result:" + std::string(command_id);
  if (!IsValidSpoolName(key)) {
    return InvalidArgument("command result: command id '" + std::string(command_id.substr(0, 64)) +
                           "' cannot name a spooled batch");
  }
  return spool
      .Enqueue(kCommandResultsKind, key,
               CommandResultPayload(command_id, succeeded, message, result, finished_at))
      .status();
}

}  // namespace rampart::agent
