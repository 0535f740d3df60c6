#pragma once
// JSON shapes of login security objects in API responses (events, blocks, agent commands), and
// their OpenAPI component schemas.

#include <string>

#include "common/json.h"
#include "server/events_model.h"
#include "server/service/api_auth.h"

namespace rampart::server::api {

Json EventJson(const SecurityEvent& event);
Json BlockJson(const BlockEntry& block);
Json CommandJson(const AgentCommand& command);

// Who made a change, as recorded in status_changed_by / created_by: "user:<id>" for a user's
// token, "token:<id>" for a service token.
std::string ActorName(const Principal& principal);

// The component schemas the events, blocks and commands routes refer to (merged into the OpenAPI
// document's components.schemas).
Json EventsOpenApiSchemas();

}  // namespace rampart::server::api
