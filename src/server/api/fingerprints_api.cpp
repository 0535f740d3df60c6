// Fingerprint rows: one host's rows of a category, and fleet-wide queries with equality filters
// on row fields (e.g. every host with port 6379 open).
#include "common/strings.h"
#include "common/wire.h"
#include "server/api/request.h"
#include "server/api/routes.h"

namespace rampart::server::api {
namespace {

constexpr std::size_t kMaxFieldName = 64;
constexpr std::size_t kMaxFilterValue = 1024;

Status CheckCategory(std::string_view category) {
  if (wire::IsFingerprintCategory(category)) return Status::Ok();
  std::vector<std::string> names(wire::kFingerprintCategories.begin(),
                                 wire::kFingerprintCategories.end());
  return InvalidArgument("category '" + Printable(category) + "': expected one of " +
                         Join(names, ", "));
}

// Row fields are lower-case identifiers (the collectors' schemas); anything else cannot match.
bool IsFieldName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldName) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<FingerprintQuery> QueryFrom(const Call& call) {
  FingerprintQuery query;
  query.category = std::string(call.Param("category"));
  RAMPART_RETURN_IF_ERROR(CheckCategory(query.category));
  for (const auto& [name, value] : call.request.query) {
    if (name == "limit" || name == "cursor") continue;
    if (!IsFieldName(name)) {
      return InvalidArgument("query parameter '" + Printable(name) +
                             "': expected a row field name (lower-case letters, digits, '_')");
    }
    if (value.size() > kMaxFilterValue) {
      return InvalidArgument("query parameter '" + name + "': longer than " +
                             std::to_string(kMaxFilterValue) + " bytes");
    }
    query.equals.emplace_back(name, value);
  }
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(call.request));
  return query;
}

Json PageBody(Json items, const std::string& next_cursor) {
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", next_cursor.empty() ? Json() : Json(next_cursor));
  return body;
}

Result<net::HttpResponse> HostFingerprints(const Call& call) {
  const std::string& tenant = call.principal.tenant_id;
  // The host must exist in this tenant: an unknown host is a 404, not an empty list.
  RAMPART_ASSIGN_OR_RETURN(Host host, call.ctx.storage->GetHost(tenant, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(FingerprintQuery query, QueryFrom(call));
  query.host_id = host.id;
  RAMPART_ASSIGN_OR_RETURN(Page<FingerprintRow> page,
                           call.ctx.storage->QueryFingerprints(tenant, query));
  Json items = Json::MakeArray();
  for (FingerprintRow& row : page.items) items.Push(std::move(row.data));
  return JsonResponse(200, PageBody(std::move(items), page.next_cursor));
}

Result<net::HttpResponse> FleetFingerprints(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(FingerprintQuery query, QueryFrom(call));
  RAMPART_ASSIGN_OR_RETURN(Page<FingerprintRow> page,
                           call.ctx.storage->QueryFingerprints(call.principal.tenant_id, query));
  Json items = Json::MakeArray();
  for (FingerprintRow& row : page.items) {
    Json item = Json::MakeObject();
    item.Set("host_id", row.host_id);
    item.Set("hostname", row.hostname);
    item.Set("row", std::move(row.data));
    items.Push(std::move(item));
  }
  return JsonResponse(200, PageBody(std::move(items), page.next_cursor));
}

}  // namespace

void AddFingerprintRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/hosts/{id}/fingerprints/{category}", "viewer",
                            "fingerprints",
                            "One host's fingerprint rows of a category; other query "
                            "parameters filter on row fields",
                            HostFingerprints);
    r.query = PageParams();
    r.field_filters = true;
    r.response_schema = "RowPage";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/fingerprints/{category}", "viewer", "fingerprints",
                 "Fleet-wide fingerprint rows of a category; every other query "
                 "parameter is an equality filter on a row field (?port=6379)",
                 FleetFingerprints);
    r.query = PageParams();
    r.field_filters = true;
    r.response_schema = "FleetRowPage";
  }
}

}  // namespace rampart::server::api
