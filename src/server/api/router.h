#pragma once
// The REST API under /api/v1: one route table, bearer-token authentication, role checks, and
// Status -> HTTP mapping in errors.cpp. The WebSocket agent channel, /healthz and /metrics live
// in the server application, outside this router (the channel is listed here for documentation).

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "net/http.h"
#include "server/service/api_auth.h"
#include "server/storage/storage.h"

namespace rampart::server {
class VulnService;
class BaselineService;
}  // namespace rampart::server

namespace rampart::server::api {

struct ApiContext {
  Storage* storage = nullptr;
  const Clock* clock = nullptr;
  ApiAuthenticator* auth = nullptr;
  std::string cert_sha256;  // the server certificate's SHA-256 (hex), put into enrolment tokens
  // Base URL agents use, e.g. "https://host:8443" (enrolment command). Empty: derived from the
  // request's Host header and `tls`.
  std::string public_url;
  bool tls = true;
  // Called after a command was queued for a host, so the node holding its channel delivers it at
  // once (other nodes' Jobs poll the queue). Empty: delivery waits for that poll.
  std::function<void(const std::string& host_id)> command_queued;
  // Vulnerability matching (on-demand scans); null: those routes answer 503.
  VulnService* vuln = nullptr;
  // Console sign-in (POST/DELETE /api/v1/session); nullptr: sign-in answers 503.
  SessionManager* sessions = nullptr;
  // Baseline management (policies, runs, schedules); nullptr: those routes answer 503.
  BaselineService* baseline = nullptr;
};

struct QueryParamInfo {
  std::string name;
  std::string type;  // "string" or "integer"
  std::string description;
};

struct RouteInfo {
  std::string method;   // "GET", "POST", "PUT", "DELETE"
  std::string pattern;  // "/api/v1/hosts/{id}"
  // "viewer" | "operator" | "admin": a bearer token with at least this role; "none": no
  // authentication; "agent": agent credentials (the channel, served outside the router).
  std::string min_role;
  std::string summary;
  std::string tag;
  std::vector<QueryParamInfo> query;  // accepted query parameters; any other is a 400
  bool field_filters = false;  // every other query parameter is an equality filter on a field
  std::string request_schema;  // OpenAPI component of the JSON body; empty: no body
  int success_status = 200;
  std::string response_schema;  // OpenAPI component of the success body; empty: no body
};

struct Call;  // one request as a handler sees it (api/routes.h)
using Handler = Result<net::HttpResponse> (*)(const Call& call);

// Thread-safe; Handle never throws. The context's pointers must outlive the router.
class ApiRouter {
 public:
  explicit ApiRouter(ApiContext context);
  ApiRouter(const ApiRouter&) = delete;
  ApiRouter& operator=(const ApiRouter&) = delete;

  // Answers one request whose path starts with /api/v1 (anything else is a 404). Order: route
  // match (404, 405 with Allow), authentication (401), role (403), query check (400), handler.
  net::HttpResponse Handle(const net::HttpRequest& request) const;

  const std::vector<RouteInfo>& routes() const { return infos_; }
  // The OpenAPI 3.1 document served at /api/v1/openapi.json.
  const std::string& openapi_json() const { return openapi_json_; }

 private:
  net::HttpResponse Dispatch(const net::HttpRequest& request) const;

  ApiContext context_;
  std::vector<RouteInfo> infos_;
  std::vector<Handler> handlers_;                   // parallel to infos_
  std::vector<std::vector<std::string>> segments_;  // each pattern split on '/'
  std::string openapi_json_;
};

}  // namespace rampart::server::api
