// GET /api/v1/host-summary: the tenant's hosts at a glance (the console's dashboard).
#include "server/api/host_json.h"
#include "server/api/request.h"
#include "server/api/routes.h"

namespace rampart::server::api {
namespace {

constexpr int kTopRisky = 10;

Result<net::HttpResponse> HostSummaryRoute(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(HostSummary summary,
                           call.ctx.storage->SummarizeHosts(call.principal.tenant_id, kTopRisky));
  return JsonResponse(200, HostSummaryJson(summary));
}

}  // namespace

Json HostSummaryJson(const HostSummary& summary) {
  Json by_status = Json::MakeObject();
  std::int64_t total = 0;
  for (const auto& [status, n] : summary.by_status) {
    by_status.Set(HostStatusName(status), n);
    total += n;
  }
  Json top = Json::MakeArray();
  for (const Host& host : summary.top_risky) top.Push(HostJson(host));
  Json body = Json::MakeObject();
  body.Set("total", total);
  body.Set("by_status", std::move(by_status));
  body.Set("at_risk", summary.at_risk);
  body.Set("top_risky", std::move(top));
  return body;
}

void AddHostSummaryRoutes(std::vector<Route>& routes) {
  RouteInfo& r =
      AddRoute(routes, "GET", "/api/v1/host-summary", "viewer", "hosts",
               "Host counts by status, hosts at risk, the 10 riskiest hosts", HostSummaryRoute);
  r.response_schema = "HostSummary";
}

}  // namespace rampart::server::api
