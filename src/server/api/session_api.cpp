// /api/v1/session: console sign-in and sign-out (service/web_session.h). Sign-in answers with an
// HttpOnly session cookie and the CSRF token the console sends as X-CSRF-Token on every
// state-changing call; GET /api/v1/me returns the token again after a page reload.
#include "server/api/errors.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/service/web_session.h"

namespace rampart::server::api {
namespace {

constexpr std::size_t kMaxField = 1024;

Result<std::string> BoundedString(const Json& body, std::string_view field) {
  RAMPART_ASSIGN_OR_RETURN(std::string value, RequiredString(body, field));
  if (value.empty() || value.size() > kMaxField) {
    return InvalidArgument("field '" + std::string(field) + "': expected 1 to " +
                           std::to_string(kMaxField) + " characters");
  }
  return value;
}

Result<net::HttpResponse> SignIn(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"tenant", "username", "password"}));
  RAMPART_ASSIGN_OR_RETURN(std::string tenant, BoundedString(body, "tenant"));
  RAMPART_ASSIGN_OR_RETURN(std::string username, BoundedString(body, "username"));
  RAMPART_ASSIGN_OR_RETURN(std::string password, BoundedString(body, "password"));
  if (call.ctx.sessions == nullptr) return Unavailable("console sign-in is not enabled");

  std::int64_t retry_after = 0;
  auto signed_in =
      call.ctx.sessions->SignIn(tenant, username, password, call.request.remote_addr, &retry_after);
  if (!signed_in.ok()) {
    if (signed_in.error().code() == Code::kResourceExhausted) {
      net::HttpResponse response = HttpError(429, "too_many_requests", signed_in.error().message());
      response.headers.Add("retry-after", std::to_string(retry_after));
      return response;
    }
    net::HttpResponse response = ErrorResponse(signed_in.error());
    return response;
  }
  Json out = Json::MakeObject();
  out.Set("tenant_id", signed_in->session.tenant_id);
  out.Set("tenant_name", signed_in->tenant_name);
  out.Set("user_id", signed_in->user.id);
  out.Set("user_name", signed_in->user.name);
  out.Set("role", RoleName(signed_in->user.role));
  out.Set("csrf_token", signed_in->csrf_token);
  out.Set("expires_at", TimeJson(signed_in->session.expires_at));
  out.Set("idle_timeout_seconds", call.ctx.sessions->options().idle_seconds);
  net::HttpResponse response = JsonResponse(201, out);
  response.headers.Add("set-cookie", call.ctx.sessions->SetCookieHeader(signed_in->cookie_secret));
  return response;
}

// Public, so the console can ask "am I signed in?" without a failing request: 200 either way.
Result<net::HttpResponse> SessionState(const Call& call) {
  Json out = Json::MakeObject();
  out.Set("signed_in", false);
  if (call.ctx.sessions != nullptr && !call.request.headers.Get("authorization")) {
    if (auto session = call.ctx.sessions->Authenticate(call.request)) {
      if (session->ok()) {
        out.Set("signed_in", true);
        out.Set("csrf_token", (*session)->csrf_token);
        out.Set("expires_at", TimeJson((*session)->session_expires_at));
      } else if (session->error().code() != Code::kUnauthenticated) {
        return session->error();
      }
    }
  }
  net::HttpResponse response = JsonResponse(200, out);
  return response;
}

Result<net::HttpResponse> SignOut(const Call& call) {
  if (call.principal.session_id.empty()) {
    return FailedPrecondition(
        "this request is authenticated by an API token, not a console session; revoke the token "
        "with DELETE /api/v1/tokens/{id} instead");
  }
  RAMPART_RETURN_IF_ERROR(call.ctx.sessions->SignOut(call.principal.session_id));
  net::HttpResponse response = NoContent();
  response.headers.Add("set-cookie", SessionManager::ClearCookieHeader());
  return response;
}

}  // namespace

void AddSessionRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "POST", "/api/v1/session", "none", "session",
                            "Console sign-in: sets an HttpOnly session cookie, returns the CSRF "
                            "token (429 with Retry-After when throttled)",
                            SignIn);
    r.request_schema = "SessionCreate";
    r.success_status = 201;
    r.response_schema = "Session";
  }
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/session", "none", "session",
                            "Whether the request carries a live console session (200 either way; "
                            "with the CSRF token when it does)",
                            SessionState);
    r.response_schema = "SessionState";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "DELETE", "/api/v1/session", "viewer", "session",
                 "Console sign-out: ends the cookie's session (409 for API tokens)", SignOut);
    r.success_status = 204;
  }
}

}  // namespace rampart::server::api
