#pragma once
// JSON shapes of login security objects in API responses (events, blocks, agent commands), and
// their OpenAPI component schemas.

#include <string>

#include "common/json.h"
#include "server/events_model.h"
#include "server/service/api_auth.h"

namespace rampart::server::api {

struct Call;

Json EventJson(const SecurityEvent& event);
Json BlockJson(const BlockEntry& block);
Json CommandJson(const AgentCommand& command);

// Who made a change, as recorded in status_changed_by / created_by: "user:<id>" for a user's
// token, "token:<id>" for a service token.
std::string ActorName(const Principal& principal);

// Queues agent command `name` for a host of the caller's tenant (created_by = the caller), wakes
// its delivery on this node, and returns the command as stored after that delivery attempt (its
// status may already be "delivered"). Used by every route that sends an agent a command.
Result<AgentCommand> QueueAgentCommand(const Call& call, const std::string& tenant_id,
                                       const std::string& host_id, std::string name, Json args);

// The component schemas the events, blocks and commands routes refer to (merged into the OpenAPI
// document's components.schemas).
Json EventsOpenApiSchemas();

}  // namespace rampart::server::api
