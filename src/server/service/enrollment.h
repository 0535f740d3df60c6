#pragma once
// Agent enrolment and agent authentication: the server half of the exchange that wire.h
// describes. No HTTP types: the API layer (api/) calls these and maps the Status.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "server/model.h"
#include "server/storage/storage.h"

namespace rampart::server {

struct EnrollRequest {
  std::string token;  // wire enrolment token text
  std::string machine_id;
  std::string hostname;
  std::string agent_version;
};
// Parses the POST /api/v1/agent/enroll body. InvalidArgument names the missing/mistyped field.
Result<EnrollRequest> ParseEnrollRequest(const Json& body);

struct EnrollResult {
  std::string host_id;
  std::string tenant_id;
  std::string secret;  // the agent's new secret; only its SHA-256 is stored
};
// Verifies the token (exists, secret matches, not expired, not revoked: each kUnauthenticated with
// the same message, so a caller learns nothing about which) and enrols the host (a known
// machine_id keeps its host id).
Result<EnrollResult> EnrollAgent(Storage& storage, const Clock& clock, const EnrollRequest& req);
// JSON body of a successful enrolment response.
Json EnrollResultJson(const EnrollResult& result);

// Authenticates an agent's "Authorization: Agent <host_id>:<secret>" header: the host exists and
// is not UNINSTALLED, and SHA-256(secret) equals the stored hash (constant-time compare).
// kUnauthenticated otherwise.
Result<Host> AuthenticateAgent(Storage& storage, std::string_view authorization_header);

// Creates an enrolment token for `tenant_id` valid for ttl_seconds, carrying `cert_sha256`
// (empty without TLS). Returns the record and the token text (shown once).
Result<std::pair<EnrollTokenRecord, std::string>> CreateEnrollToken(Storage& storage,
                                                                    const Clock& clock,
                                                                    std::string_view tenant_id,
                                                                    std::int64_t ttl_seconds,
                                                                    std::string_view cert_sha256);

}  // namespace rampart::server
