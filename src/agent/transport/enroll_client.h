#pragma once
// Enrolment: exchanges an enrolment token for an agent identity (POST wire::kEnrollPath, see
// common/wire.h) and the URL/TLS settings every later connection to the server uses.
//
// Trust: the token's last field is the SHA-256 of the server certificate, and the agent pins it
// (net::ClientOptions::pin_sha256) for enrolment and for the channel afterwards. A "-" fingerprint
// means the server runs plain HTTP: an https URL is then refused (nothing to pin) unless
// `insecure` is set, which skips certificate verification. A pinned token with an http URL is
// refused as well (the server speaks TLS). Thread-safe (no shared state).

#include <chrono>
#include <string>
#include <string_view>

#include "agent/transport/identity.h"
#include "common/clock.h"
#include "common/status.h"
#include "net/client.h"

namespace rampart::agent {

// Validates a server base URL (http:// or https://, host, optional port and path prefix, no query)
// and returns it without trailing slashes. Errors: kInvalidArgument saying what is wrong.
Result<std::string> NormalizeServerUrl(std::string_view url);

// The WebSocket URL of the agent channel for a server base URL: https -> wss, http -> ws, plus
// wire::kChannelPath.
Result<std::string> ChannelUrl(std::string_view server_url);

// Client options for talking to the server `identity` enrolled with: the pinned certificate when
// there is one; otherwise CA verification, or none when `insecure`.
net::ClientOptions ServerClientOptions(const Identity& identity, bool insecure);

struct EnrollRequestInfo {
  std::string server_url;  // as given by the user
  std::string token;       // "rpe1.<id>.<secret>.<fingerprint>"
  bool insecure = false;
  std::string machine_id;
  std::string hostname;
  std::string agent_version;
  std::chrono::milliseconds timeout{30000};
};

// Enrols and returns the new identity (not yet saved). Errors, each with a message for a human:
// kInvalidArgument (bad URL or token, or TLS/pin mismatch between them), kUnauthenticated
// ("enrolment token rejected (expired, revoked or wrong)"), kPermissionDenied (the server's
// certificate does not match the token's fingerprint), kUnavailable / kDeadlineExceeded (server
// unreachable, or 5xx), kNotFound (no enrolment endpoint at that URL), kDataLoss (a 200 answer
// without host_id/secret/tenant_id).
Result<Identity> Enroll(const EnrollRequestInfo& request, const Clock& clock);

// This machine's host name (gethostname), "localhost" when unavailable.
std::string LocalHostname();

}  // namespace rampart::agent
