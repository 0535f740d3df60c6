// POST /api/v1/agent/enroll: an agent exchanges an enrolment token (in the body, no bearer
// token) for its identity. The logic is enrollment.h's; this maps it to HTTP.
#include <string>

#include "common/wire.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/service/enrollment.h"

namespace rampart::server::api {
namespace {

Result<net::HttpResponse> Enroll(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_ASSIGN_OR_RETURN(EnrollRequest request, ParseEnrollRequest(body));
  RAMPART_ASSIGN_OR_RETURN(EnrollResult result,
                           EnrollAgent(*call.ctx.storage, *call.ctx.clock, request));
  return JsonResponse(200, EnrollResultJson(result));
}

Result<net::HttpResponse> Channel(const Call& /*call*/) {
  // Not reached: the router answers 426 for "agent" routes, and the server application takes
  // the WebSocket upgrade before the router sees the request.
  return FailedPrecondition("the agent channel is a WebSocket");
}

}  // namespace

void AddAgentEnrollRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "POST", std::string(wire::kEnrollPath), "none", "agents",
                            "Enrol an agent with an enrolment token (in the body); returns "
                            "its host id and secret",
                            Enroll);
    r.request_schema = "EnrollRequest";
    r.response_schema = "EnrollResult";
  }
  {
    RouteInfo& r = AddRoute(routes, "GET", std::string(wire::kChannelPath), "agent", "agents",
                            "The agent channel: a WebSocket (Authorization: Agent "
                            "<host_id>:<secret>); messages in docs/agent-protocol.md",
                            Channel);
    r.success_status = 101;
  }
}

}  // namespace rampart::server::api
