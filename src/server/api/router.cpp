#include "server/api/router.h"

#include <exception>
#include <optional>

#include "common/logging.h"
#include "common/strings.h"
#include "server/api/errors.h"
#include "server/api/openapi.h"
#include "server/api/request.h"
#include "server/api/routes.h"

namespace rampart::server::api {
namespace {

constexpr std::string_view kPrefix = "/api/v1";
// Longer path parameters cannot name a stored object; refusing them early keeps them out of
// queries and logs.
constexpr std::size_t kMaxParamBytes = 256;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  for (std::string_view part : Split(path, '/')) out.emplace_back(part);
  return out;
}

bool IsParamSegment(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `path` segments against a pattern's; fills `params` on success.
bool Match(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
           std::vector<std::pair<std::string, std::string>>& params) {
  if (pattern.size() != path.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsParamSegment(pattern[i])) {
      if (path[i].empty()) return false;
      params.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), std::string(path[i]));
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

std::vector<Route> AllRoutes() {
  std::vector<Route> routes;
  AddMeRoutes(routes);
  AddHostRoutes(routes);
  AddFingerprintRoutes(routes);
  AddSettingsRoutes(routes);
  AddUserRoutes(routes);
  AddTokenRoutes(routes);
  AddEnrollTokenRoutes(routes);
  AddAgentEnrollRoutes(routes);
  AddOpenApiRoutes(routes);
  AddEventRoutes(routes);
  AddBlockRoutes(routes);
  AddVulnerabilityRoutes(routes);
  AddSessionRoutes(routes);
  AddHostSummaryRoutes(routes);
  AddStatsRoutes(routes);
  AddBaselineRoutes(routes);
  AddMalwareRoutes(routes);
  return routes;
}

// 400 naming every query parameter the route does not accept, or a repeated one.
Status CheckQuery(const RouteInfo& info, const net::HttpRequest& request) {
  std::vector<std::string> unknown;
  std::vector<std::string_view> seen;
  for (const auto& [name, value] : request.query) {
    for (std::string_view s : seen) {
      if (s == name) {
        return InvalidArgument("query parameter '" + Printable(name) + "' given more than once");
      }
    }
    seen.push_back(name);
    bool known = false;
    for (const QueryParamInfo& q : info.query) known = known || q.name == name;
    if (!known && !info.field_filters) unknown.push_back("'" + Printable(name) + "'");
  }
  if (unknown.empty()) return Status::Ok();
  std::vector<std::string> accepted;
  for (const QueryParamInfo& q : info.query) accepted.push_back(q.name);
  return InvalidArgument(
      std::string(unknown.size() == 1 ? "unknown query parameter " : "unknown query parameters ") +
      Join(unknown, ", ") +
      " (accepted: " + (accepted.empty() ? std::string("none") : Join(accepted, ", ")) + ")");
}

}  // namespace

RouteInfo& AddRoute(std::vector<Route>& routes, std::string method, std::string pattern,
                    std::string min_role, std::string tag, std::string summary, Handler handler) {
  Route route;
  route.info.method = std::move(method);
  route.info.pattern = std::move(pattern);
  route.info.min_role = std::move(min_role);
  route.info.tag = std::move(tag);
  route.info.summary = std::move(summary);
  route.handler = handler;
  return routes.emplace_back(std::move(route)).info;
}

std::vector<QueryParamInfo> PageParams() {
  return {{"limit", "integer",
           "Page size from 1 to " + std::to_string(kMaxPageLimit) + " (default " +
               std::to_string(kDefaultPageLimit) + "; larger values are clamped to " +
               std::to_string(kMaxPageLimit) + ")."},
          {"cursor", "string", "The next_cursor of the previous page."}};
}

std::string_view Call::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

ApiRouter::ApiRouter(ApiContext context) : context_(std::move(context)) {
  for (Route& route : AllRoutes()) {
    segments_.push_back(SplitPath(route.info.pattern));
    handlers_.push_back(route.handler);
    infos_.push_back(std::move(route.info));
  }
  openapi_json_ = OpenApiDocument(infos_).Dump();
}

net::HttpResponse ApiRouter::Handle(const net::HttpRequest& request) const {
  try {
    return Dispatch(request);
  } catch (const std::exception& e) {
    log::Error("api: {} {}: exception: {}", request.method, Printable(request.path), e.what());
  } catch (...) {
    log::Error("api: {} {}: unknown exception", request.method, Printable(request.path));
  }
  return ErrorResponse(Internal("handler threw"));
}

net::HttpResponse ApiRouter::Dispatch(const net::HttpRequest& request) const {
  const std::vector<std::string_view> path = Split(request.path, '/');
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::size_t> chosen;
  std::vector<std::string> allowed;
  if (StartsWith(request.path, kPrefix)) {
    for (std::size_t i = 0; i < infos_.size() && !chosen; ++i) {
      if (!Match(segments_[i], path, params)) continue;
      if (infos_[i].method == request.method) {
        chosen = i;
      } else {
        allowed.push_back(infos_[i].method);
      }
    }
  }
  if (!chosen) {
    if (!allowed.empty()) {
      net::HttpResponse response =
          HttpError(405, "method_not_allowed",
                    "method " + Printable(request.method) +
                        " is not allowed here (allowed: " + Join(allowed, ", ") + ")");
      response.headers.Add("allow", Join(allowed, ", "));
      return response;
    }
    return HttpError(404, "not_found", "no such route: " + Printable(request.path));
  }
  const RouteInfo& info = infos_[*chosen];

  Principal principal;
  if (info.min_role == "agent") {
    // The server application takes WebSocket upgrades before the router; a plain request here
    // was not one.
    net::HttpResponse response =
        HttpError(426, "upgrade_required", "this route is a WebSocket: send 'Upgrade: websocket'");
    response.headers.Add("upgrade", "websocket");
    return response;
  }
  if (info.min_role != "none") {
    auto authenticated = context_.auth->Authenticate(request);
    if (!authenticated.ok()) return ErrorResponse(authenticated.error());
    principal = std::move(*authenticated);
    auto need = ParseRole(info.min_role);
    if (!need.ok()) return ErrorResponse(Internal("route role: " + need.error().message()));
    if (!RoleAtLeast(principal.role, *need)) {
      return ErrorResponse(PermissionDenied("this request needs the role " + info.min_role +
                                            " or higher; the token's role is " +
                                            std::string(RoleName(principal.role))));
    }
  }

  if (Status query = CheckQuery(info, request); !query.ok()) return ErrorResponse(query);
  for (const auto& [name, value] : params) {
    if (value.size() > kMaxParamBytes) {
      return ErrorResponse(NotFound(name + ": not found"));
    }
  }
  if (!info.request_schema.empty() && !TrimView(request.body).empty()) {
    auto content_type = request.headers.Get("content-type");
    if (!content_type || !IsJsonContentType(*content_type)) {
      return HttpError(415, "unsupported_media_type",
                       "request body: expected Content-Type application/json, got '" +
                           Printable(content_type.value_or("")) + "'");
    }
  }

  const Call call{context_, request, principal, params, infos_, openapi_json_};
  auto response = handlers_[*chosen](call);
  if (!response.ok()) return ErrorResponse(response.error());
  return std::move(*response);
}

}  // namespace rampart::server::api
