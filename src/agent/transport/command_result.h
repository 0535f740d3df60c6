#pragma once
// The agent's answer to a command it ran (contract "command_results", docs/server.md): every
// module that handles a command queues one result through the spool, so it survives a restart
// and the server stores it on the command (status succeeded/failed, message, result object,
// finished_at). Batch kind "command_results", key "result:<command id>" (a second result for the
// same command is refused by the spool with kAlreadyExists and by the server as already finished).

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/transport/spool.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kCommandResultsKind = "command_results";

// The batch payload {"results":[{"command_id","status","message","result","finished_at"}]}.
std::string CommandResultPayload(std::string_view command_id, bool succeeded,
                                 std::string_view message, const Json& result,
                                 std::int64_t finished_at);

// Spools the result. InvalidArgument for an empty command id or one the spool cannot name.
Status QueueCommandResult(Spool& spool, std::string_view command_id, bool succeeded,
                          std::string_view message, const Json& result, std::int64_t finished_at);

}  // namespace rampart::agent
