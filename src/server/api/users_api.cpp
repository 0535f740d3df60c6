// /api/v1/users (admin) and /api/v1/me. Password hashes never leave the server.
#include "common/strings.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/service/password_hash.h"

namespace rampart::server::api {
namespace {

constexpr std::size_t kMaxUserName = 64;
constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 1024;

Json UserJson(const User& user) {
  Json out = Json::MakeObject();
  out.Set("id", user.id);
  out.Set("name", user.name);
  out.Set("role", RoleName(user.role));
  out.Set("has_password", !user.password_hash.empty());
  out.Set("created_at", TimeJson(user.created_at));
  return out;
}

Status CheckUserName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxUserName;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-' || c == '@');
  }
  if (ok) return Status::Ok();
  return InvalidArgument("field 'name': expected 1 to " + std::to_string(kMaxUserName) +
                         " characters from A-Z a-z 0-9 . _ - @");
}

Status CheckPassword(std::string_view password, std::string_view name) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    return InvalidArgument("field 'password': expected " + std::to_string(kMinPassword) + " to " +
                           std::to_string(kMaxPassword) + " characters");
  }
  if (ToLower(password) == ToLower(name)) {
    return InvalidArgument("field 'password': must differ from the user name");
  }
  return Status::Ok();
}

Result<net::HttpResponse> Me(const Call& call) {
  const Principal& p = call.principal;
  RAMPART_ASSIGN_OR_RETURN(Tenant tenant, call.ctx.storage->GetTenant(p.tenant_id));
  Json body = Json::MakeObject();
  body.Set("tenant_id", tenant.id);
  body.Set("tenant_name", tenant.name);
  body.Set("user_id", p.user_id.empty() ? Json() : Json(p.user_id));
  Json user_name;
  if (!p.user_id.empty()) {
    auto user = call.ctx.storage->GetUser(p.tenant_id, p.user_id);
    if (user.ok()) {
      user_name = Json(user->name);
    } else if (user.error().code() != Code::kNotFound) {
      return user.error();
    }
  }
  body.Set("user_name", std::move(user_name));
  body.Set("role", RoleName(p.role));
  body.Set("token_id", p.token_id);
  body.Set("auth", p.session_id.empty() ? "token" : "session");
  if (!p.session_id.empty()) {
    body.Set("csrf_token", p.csrf_token);
    body.Set("session_expires_at", TimeJson(p.session_expires_at));
  }
  return JsonResponse(200, body);
}

Result<net::HttpResponse> ListUsers(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(PageRequest request, PageFromQuery(call.request));
  RAMPART_ASSIGN_OR_RETURN(Page<User> page,
                           call.ctx.storage->ListUsers(call.principal.tenant_id, request));
  Json items = Json::MakeArray();
  for (const User& user : page.items) items.Push(UserJson(user));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", page.next_cursor.empty() ? Json() : Json(page.next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> CreateUser(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"name", "role", "password"}));
  RAMPART_ASSIGN_OR_RETURN(std::string name, RequiredString(body, "name"));
  RAMPART_ASSIGN_OR_RETURN(std::string role_text, RequiredString(body, "role"));
  RAMPART_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password"));
  RAMPART_RETURN_IF_ERROR(CheckUserName(name));
  auto role = ParseRole(role_text);
  if (!role.ok()) return role.error().WithContext("field 'role'");
  RAMPART_RETURN_IF_ERROR(CheckPassword(password, name));

  User user;
  user.tenant_id = call.principal.tenant_id;
  user.name = name;
  user.role = *role;
  RAMPART_ASSIGN_OR_RETURN(user.password_hash, HashSecret(password));
  user.created_at = UnixNow(*call.ctx.clock);
  auto created = call.ctx.storage->CreateUser(std::move(user));
  if (!created.ok()) {
    if (created.error().code() == Code::kAlreadyExists) {
      return Status(Code::kAlreadyExists, "a user named '" + name + "' already exists");
    }
    return created.error();
  }
  return JsonResponse(201, UserJson(*created));
}

Result<net::HttpResponse> GetUser(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(User user,
                           call.ctx.storage->GetUser(call.principal.tenant_id, call.Param("id")));
  return JsonResponse(200, UserJson(user));
}

Result<net::HttpResponse> DeleteUser(const Call& call) {
  const std::string_view id = call.Param("id");
  if (!call.principal.user_id.empty() && id == call.principal.user_id) {
    return FailedPrecondition("you cannot delete your own user");
  }
  RAMPART_RETURN_IF_ERROR(
      call.ctx.storage->DeleteUser(call.principal.tenant_id, id, UnixNow(*call.ctx.clock)));
  return NoContent();
}

}  // namespace

void AddMeRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/me", "viewer", "users",
                            "Who the token belongs to: tenant, user, role", Me);
    r.response_schema = "Me";
  }
}

void AddUserRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/users", "admin", "users",
                            "List the tenant's users", ListUsers);
    r.query = PageParams();
    r.response_schema = "UserPage";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "POST", "/api/v1/users", "admin", "users",
                 "Create a user (password at least 12 characters, not the name)", CreateUser);
    r.request_schema = "UserCreate";
    r.success_status = 201;
    r.response_schema = "User";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/users/{id}", "admin", "users", "One user", GetUser);
    r.response_schema = "User";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "DELETE", "/api/v1/users/{id}", "admin", "users",
                 "Delete a user and revoke their API tokens (not yourself: 409)", DeleteUser);
    r.success_status = 204;
  }
}

}  // namespace rampart::server::api
