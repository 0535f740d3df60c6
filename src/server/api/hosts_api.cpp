// /api/v1/hosts: list with filters, sort and cursor pagination; detail; delete.
#include "common/strings.h"
#include "server/api/host_json.h"
#include "server/api/request.h"
#include "server/api/routes.h"

namespace rampart::server::api {
namespace {

constexpr std::string_view kSortKeys[] = {"hostname", "last_seen", "installed_at"};

Status ParseSort(std::string_view text, HostQuery& query) {
  std::string_view key = text;
  query.sort_desc = ConsumePrefix(&key, "-");
  for (std::string_view k : kSortKeys) {
    if (k == key) {
      query.sort = std::string(k);
      return Status::Ok();
    }
  }
  return InvalidArgument(
      "query parameter 'sort': expected hostname, -hostname, last_seen, "
      "-last_seen, installed_at or -installed_at, got '" +
      Printable(text) + "'");
}

Result<HostQuery> HostQueryFrom(const net::HttpRequest& request) {
  HostQuery query;
  if (auto status = request.Query("status")) {
    auto parsed = ParseHostStatus(*status);
    if (!parsed.ok()) return parsed.error().WithContext("query parameter 'status'");
    query.status = *parsed;
  }
  query.hostname_contains = request.Query("hostname").value_or("");
  query.os_name = request.Query("os_name").value_or("");
  query.plan = request.Query("plan").value_or("");
  query.ip = request.Query("ip").value_or("");
  if (auto sort = request.Query("sort")) RAMPART_RETURN_IF_ERROR(ParseSort(*sort, query));
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(request));
  return query;
}

Result<net::HttpResponse> ListHosts(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(HostQuery query, HostQueryFrom(call.request));
  RAMPART_ASSIGN_OR_RETURN(Page<Host> page,
                           call.ctx.storage->ListHosts(call.principal.tenant_id, query));
  Json items = Json::MakeArray();
  for (const Host& host : page.items) items.Push(HostJson(host));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", page.next_cursor.empty() ? Json() : Json(page.next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> GetHost(const Call& call) {
  const std::string_view tenant = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(Host host, call.ctx.storage->GetHost(tenant, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(auto counts, call.ctx.storage->CountFingerprints(tenant, host.id));
  Json body = HostJson(host);
  Json by_category = Json::MakeObject();
  for (const auto& [category, n] : counts) by_category.Set(category, n);
  body.Set("fingerprint_counts", std::move(by_category));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> DeleteHost(const Call& call) {
  RAMPART_RETURN_IF_ERROR(call.ctx.storage->DeleteHost(call.principal.tenant_id, call.Param("id")));
  return NoContent();
}

}  // namespace

void AddHostRoutes(std::vector<Route>& routes) {
  const std::vector<QueryParamInfo> page_params = PageParams();
  std::vector<QueryParamInfo> list_params = {
      {"status", "string", "ONLINE, OFFLINE or UNINSTALLED."},
      {"hostname", "string", "Case-insensitive substring of the hostname."},
      {"os_name", "string", "Exact OS name."},
      {"plan", "string", "Exact protection plan (basic, pro)."},
      {"ip", "string", "Exact address, any of the host's."},
      {"sort", "string",
       "hostname (default), last_seen or installed_at; a leading '-' sorts descending."}};
  list_params.insert(list_params.end(), page_params.begin(), page_params.end());
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/hosts", "viewer", "hosts",
                            "List hosts with filters, sorting and cursor pagination", ListHosts);
    r.query = list_params;
    r.response_schema = "HostPage";
  }
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/hosts/{id}", "viewer", "hosts",
                            "One host, with its number of fingerprint rows per category", GetHost);
    r.response_schema = "HostDetail";
  }
  {
    RouteInfo& r = AddRoute(routes, "DELETE", "/api/v1/hosts/{id}", "admin", "hosts",
                            "Delete a host and everything stored for it", DeleteHost);
    r.success_status = 204;
  }
}

}  // namespace rampart::server::api
