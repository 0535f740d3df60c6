#pragma once
// Internal to the API: what a handler receives, and the per-resource route lists the router
// concatenates. Each *_api.cpp file adds its resource's routes.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http.h"
#include "server/api/router.h"
#include "server/service/api_auth.h"

namespace rampart::server::api {

struct Call {
  const ApiContext& ctx;
  const net::HttpRequest& request;
  const Principal& principal;  // empty for routes with min_role "none"
  const std::vector<std::pair<std::string, std::string>>& params;  // from {name} segments
  const std::vector<RouteInfo>& routes;
  const std::string& openapi_json;

  // The value of path parameter `name` (empty when the pattern has none).
  std::string_view Param(std::string_view name) const;
};

struct Route {
  RouteInfo info;
  Handler handler;
};

// Appends a route and returns its info for the optional fields (query, schemas, status).
RouteInfo& AddRoute(std::vector<Route>& routes, std::string method, std::string pattern,
                    std::string min_role, std::string tag, std::string summary, Handler handler);

// limit and cursor, documented the same way on every list route.
std::vector<QueryParamInfo> PageParams();

void AddMeRoutes(std::vector<Route>& routes);
void AddHostRoutes(std::vector<Route>& routes);
void AddFingerprintRoutes(std::vector<Route>& routes);
void AddSettingsRoutes(std::vector<Route>& routes);
void AddUserRoutes(std::vector<Route>& routes);
void AddTokenRoutes(std::vector<Route>& routes);
void AddEnrollTokenRoutes(std::vector<Route>& routes);
void AddAgentEnrollRoutes(std::vector<Route>& routes);
void AddOpenApiRoutes(std::vector<Route>& routes);
void AddEventRoutes(std::vector<Route>& routes);
void AddBlockRoutes(std::vector<Route>& routes);
void AddVulnerabilityRoutes(std::vector<Route>& routes);
void AddSessionRoutes(std::vector<Route>& routes);
void AddHostSummaryRoutes(std::vector<Route>& routes);
void AddStatsRoutes(std::vector<Route>& routes);

// GET /api/v1/host-summary's body (also the "hosts" member of /api/v1/stats/overview).
Json HostSummaryJson(const HostSummary& summary);
// The component schemas of the /api/v1/stats routes (merged into the OpenAPI document).
Json StatsOpenApiSchemas();
void AddBaselineRoutes(std::vector<Route>& routes);
void AddMalwareRoutes(std::vector<Route>& routes);

}  // namespace rampart::server::api
