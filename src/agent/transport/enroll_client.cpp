#include "agent/transport/enroll_client.h"

#include <unistd.h>

#include <chrono>

#include "common/json.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

// The server's own words from an {"error": {"code", "message"}} body, if any.
std::string ServerErrorMessage(const net::HttpResponse& response) {
  auto doc = Json::Parse(response.body);
  if (doc) {
    if (const Json* error = doc->Find("error"); error != nullptr && error->is_object()) {
      std::string message = error->GetString("message");
      if (!message.empty()) return Printable(message.substr(0, 300));
    }
  }
  return Printable(response.body.substr(0, 200));
}

// GCC 12 -O2 reports a false -Wmaybe-uninitialized when StartsWith's string_view is built from a
// string that a RAMPART_ASSIGN_OR_RETURN just moved out of a Result; compare() avoids it.
bool IsHttps(const std::string& url) { return url.compare(0, 8, "https://") == 0; }

}  // namespace

Result<std::string> NormalizeServerUrl(std::string_view url) {
  std::string text(TrimView(url));
  auto bad = [&text](std::string_view why) {
    return InvalidArgument("server URL '" + Printable(text) + "': " + std::string(why) +
                           " (expected https://host[:port] or http://host[:port])");
  };
  if (!StartsWith(text, "http://") && !StartsWith(text, "https://")) {
    return bad("the scheme must be http or https");
  }
  if (text.find_first_of("?#") != std::string::npos) return bad("no query or fragment allowed");
  while (EndsWith(text, "/") && text.size() > 8) text.pop_back();
  auto parsed = net::ParseUrl(text);
  if (!parsed) return parsed.error();
  if (parsed->host.empty()) return bad("no host");
  return text;
}

Result<std::string> ChannelUrl(std::string_view server_url) {
  RAMPART_ASSIGN_OR_RETURN(std::string base, NormalizeServerUrl(server_url));
  std::string ws = IsHttps(base) ? "wss://" + base.substr(8) : "ws://" + base.substr(7);
  return ws + std::string(wire::kChannelPath);
}

net::ClientOptions ServerClientOptions(const Identity& identity, bool insecure) {
  net::ClientOptions options;
  options.pin_sha256 = identity.cert_sha256;
  options.insecure_skip_verify = insecure && identity.cert_sha256.empty();
  return options;
}

std::string LocalHostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

Result<Identity> Enroll(const EnrollRequestInfo& request, const Clock& clock) {
  RAMPART_ASSIGN_OR_RETURN(std::string base, NormalizeServerUrl(request.server_url));
  RAMPART_ASSIGN_OR_RETURN(wire::EnrollToken token, wire::ParseEnrollToken(request.token));
  const bool https = IsHttps(base);
  if (token.cert_sha256.empty() && https && !request.insecure) {
    return InvalidArgument(
        "the enrolment token carries no certificate fingerprint ('-': the server runs plain "
        "HTTP) but the server URL is https; use an http:// URL, or pass --insecure to skip "
        "certificate verification");
  }
  if (!token.cert_sha256.empty() && !https) {
    return InvalidArgument(
        "the enrolment token pins the server's TLS certificate, but the server URL is http; use "
        "https://");
  }
  Identity identity;
  identity.server_url = base;
  identity.cert_sha256 = token.cert_sha256;
  net::ClientOptions options = ServerClientOptions(identity, request.insecure);
  options.connect_timeout = request.timeout;
  options.io_timeout = request.timeout;

  Json body = Json::MakeObject();
  body.Set("token", std::string(TrimView(request.token)));
  body.Set("machine_id", request.machine_id);
  body.Set("hostname", request.hostname);
  body.Set("agent_version", request.agent_version);
  net::Headers headers;
  headers.Add("Content-Type", "application/json");
  const std::string url = base + std::string(wire::kEnrollPath);
  auto response = net::Fetch("POST", url, headers, body.Dump(), options);
  if (!response) {
    if (response.error().code() == Code::kPermissionDenied) {
      return PermissionDenied(
          "the server's certificate does not match the enrolment token's "
          "fingerprint (" +
          response.error().message() + ")");
    }
    return response.error().WithContext("enrolment: cannot reach the server");
  }
  const int status = response->status;
  if (status == 401 || status == 403) {
    return Status(Code::kUnauthenticated, "enrolment token rejected (expired, revoked or wrong)");
  }
  if (status == 404) {
    return NotFound("no Rampart enrolment endpoint at " + url + " (HTTP 404)");
  }
  if (status != 200) {
    const std::string message =
        "enrolment failed: HTTP " + std::to_string(status) + ": " + ServerErrorMessage(*response);
    if (status >= 500) return Unavailable(message);
    return InvalidArgument(message);
  }
  auto doc = Json::Parse(response->body);
  if (!doc || !doc->is_object()) {
    return DataLoss("enrolment: the server's answer is not a JSON object");
  }
  identity.host_id = doc->GetString("host_id");
  identity.secret = doc->GetString("secret");
  identity.tenant_id = doc->GetString("tenant_id");
  if (identity.host_id.empty() || identity.secret.empty() || identity.tenant_id.empty()) {
    return DataLoss("enrolment: the server's answer lacks host_id, secret or tenant_id");
  }
  identity.enrolled_at = FormatIso8601(
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count());
  return identity;
}

}  // namespace rampart::agent
