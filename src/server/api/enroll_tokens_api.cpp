// /api/v1/enroll-tokens (admin): tokens agents exchange once for an identity. The token text
// (with the server certificate's fingerprint, so the agent can pin it) is returned once.
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/service/enrollment.h"

namespace rampart::server::api {
namespace {

constexpr std::int64_t kDefaultTtl = 86400;
constexpr std::int64_t kMinTtl = 60;
constexpr std::int64_t kMaxTtl = 30LL * 86400;
constexpr std::size_t kMaxHostHeader = 255;

Json EnrollTokenJson(const EnrollTokenRecord& token, std::int64_t now) {
  Json out = Json::MakeObject();
  out.Set("id", token.id);
  out.Set("created_at", TimeJson(token.created_at));
  out.Set("expires_at", TimeJson(token.expires_at));
  out.Set("revoked_at", TimeJson(token.revoked_at));
  out.Set("uses", token.uses);
  std::string_view state = "active";
  if (token.revoked_at != 0) {
    state = "revoked";
  } else if (token.expires_at != 0 && now >= token.expires_at) {
    state = "expired";
  }
  out.Set("state", state);
  return out;
}

// A Host header is "name" or "name:port" (or "[v6]:port"); anything else (spaces, quotes, shell
// characters) is not put into a command line someone will paste into a shell.
bool IsSafeHost(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostHeader) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The URL agents should use: the configured one, else this request's Host with our scheme.
std::string PublicUrl(const Call& call) {
  if (!call.ctx.public_url.empty()) return call.ctx.public_url;
  auto host = call.request.headers.Get("host");
  if (!host || !IsSafeHost(*host)) return "";
  return std::string(call.ctx.tls ? "https://" : "http://") + *host;
}

Result<net::HttpResponse> ListEnrollTokens(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(PageRequest request, PageFromQuery(call.request));
  RAMPART_ASSIGN_OR_RETURN(Page<EnrollTokenRecord> page,
                           call.ctx.storage->ListEnrollTokens(call.principal.tenant_id, request));
  const std::int64_t now = UnixNow(*call.ctx.clock);
  Json items = Json::MakeArray();
  for (const EnrollTokenRecord& token : page.items) items.Push(EnrollTokenJson(token, now));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", page.next_cursor.empty() ? Json() : Json(page.next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> CreateEnrollTokenRoute(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/true));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"ttl_seconds"}));
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::int64_t> ttl,
                           OptionalInt(body, "ttl_seconds", kMinTtl, kMaxTtl));
  RAMPART_ASSIGN_OR_RETURN(
      auto created, CreateEnrollToken(*call.ctx.storage, *call.ctx.clock, call.principal.tenant_id,
                                      ttl.value_or(kDefaultTtl), call.ctx.cert_sha256));
  Json out = EnrollTokenJson(created.first, UnixNow(*call.ctx.clock));
  out.Set("token", created.second);
  const std::string url = PublicUrl(call);
  out.Set("command", url.empty() ? Json()
                                 : Json("rampart agent --server " + url + " --enroll-token " +
                                        created.second));
  return JsonResponse(201, out);
}

Result<net::HttpResponse> RevokeEnrollToken(const Call& call) {
  RAMPART_RETURN_IF_ERROR(call.ctx.storage->RevokeEnrollToken(
      call.principal.tenant_id, call.Param("id"), UnixNow(*call.ctx.clock)));
  return NoContent();
}

}  // namespace

void AddEnrollTokenRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/enroll-tokens", "admin", "enrolment",
                 "List the tenant's enrolment tokens (never their secrets)", ListEnrollTokens);
    r.query = PageParams();
    r.response_schema = "EnrollTokenPage";
  }
  {
    RouteInfo& r = AddRoute(routes, "POST", "/api/v1/enroll-tokens", "admin", "enrolment",
                            "Create an enrolment token (default 24 h, at most 30 days) and "
                            "the agent command that uses it",
                            CreateEnrollTokenRoute);
    r.request_schema = "EnrollTokenCreate";
    r.success_status = 201;
    r.response_schema = "EnrollTokenCreated";
  }
  {
    RouteInfo& r = AddRoute(routes, "DELETE", "/api/v1/enroll-tokens/{id}", "admin", "enrolment",
                            "Revoke an enrolment token", RevokeEnrollToken);
    r.success_status = 204;
  }
}

}  // namespace rampart::server::api
