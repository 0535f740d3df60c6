// /api/v1/tokens (admin): API tokens. The token text is returned once, at creation; only the
// secret's argon2id hash is stored and it is never returned.
#include "server/api/request.h"
#include "server/api/routes.h"

namespace rampart::server::api {
namespace {

constexpr std::int64_t kMinTtl = 60;
constexpr std::int64_t kMaxTtl = 10LL * 365 * 86400;
constexpr std::size_t kMaxDescription = 256;

std::string_view TokenState(std::int64_t revoked_at, std::int64_t expires_at, std::int64_t now) {
  if (revoked_at != 0) return "revoked";
  if (expires_at != 0 && now >= expires_at) return "expired";
  return "active";
}

Json TokenJson(const ApiTokenRecord& token, std::int64_t now) {
  Json out = Json::MakeObject();
  out.Set("id", token.id);
  out.Set("user_id", token.user_id.empty() ? Json() : Json(token.user_id));
  out.Set("role", RoleName(token.role));
  out.Set("description", token.description);
  out.Set("created_at", TimeJson(token.created_at));
  out.Set("expires_at", TimeJson(token.expires_at));
  out.Set("revoked_at", TimeJson(token.revoked_at));
  out.Set("state", TokenState(token.revoked_at, token.expires_at, now));
  return out;
}

Result<net::HttpResponse> ListTokens(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(PageRequest request, PageFromQuery(call.request));
  RAMPART_ASSIGN_OR_RETURN(Page<ApiTokenRecord> page,
                           call.ctx.storage->ListApiTokens(call.principal.tenant_id, request));
  const std::int64_t now = UnixNow(*call.ctx.clock);
  Json items = Json::MakeArray();
  for (const ApiTokenRecord& token : page.items) items.Push(TokenJson(token, now));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", page.next_cursor.empty() ? Json() : Json(page.next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> CreateToken(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(
      CheckKnownFields(body, {"role", "user_id", "description", "ttl_seconds"}));
  RAMPART_ASSIGN_OR_RETURN(std::string role_text, RequiredString(body, "role"));
  auto role = ParseRole(role_text);
  if (!role.ok()) return role.error().WithContext("field 'role'");
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string> user_id, OptionalString(body, "user_id"));
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::string> description,
                           OptionalString(body, "description"));
  if (description && description->size() > kMaxDescription) {
    return InvalidArgument("field 'description': longer than " + std::to_string(kMaxDescription) +
                           " bytes");
  }
  RAMPART_ASSIGN_OR_RETURN(std::optional<std::int64_t> ttl,
                           OptionalInt(body, "ttl_seconds", kMinTtl, kMaxTtl));
  RAMPART_ASSIGN_OR_RETURN(
      auto created,
      CreateApiToken(*call.ctx.storage, *call.ctx.clock, call.principal.tenant_id,
                     user_id.value_or(""), *role, description.value_or(""), ttl.value_or(0)));
  Json out = TokenJson(created.first, UnixNow(*call.ctx.clock));
  out.Set("token", created.second);
  return JsonResponse(201, out);
}

Result<net::HttpResponse> RevokeToken(const Call& call) {
  RAMPART_RETURN_IF_ERROR(call.ctx.storage->RevokeApiToken(
      call.principal.tenant_id, call.Param("id"), UnixNow(*call.ctx.clock)));
  return NoContent();
}

}  // namespace

void AddTokenRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/tokens", "admin", "tokens",
                            "List the tenant's API tokens (never their secrets)", ListTokens);
    r.query = PageParams();
    r.response_schema = "TokenPage";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "POST", "/api/v1/tokens", "admin", "tokens",
                 "Create an API token; the token text is in this response only", CreateToken);
    r.request_schema = "TokenCreate";
    r.success_status = 201;
    r.response_schema = "TokenCreated";
  }
  {
    RouteInfo& r = AddRoute(routes, "DELETE", "/api/v1/tokens/{id}", "admin", "tokens",
                            "Revoke an API token (effective on its next request)", RevokeToken);
    r.success_status = 204;
  }
}

}  // namespace rampart::server::api
