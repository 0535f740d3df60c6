// /api/v1/settings: the tenant's settings document, validated against settings_schema.h, with
// optimistic concurrency on its version.
#include <limits>

#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/api/settings_schema.h"

namespace rampart::server::api {
namespace {

Json SettingsBody(const TenantSettings& settings) {
  Json body = Json::MakeObject();
  body.Set("version", settings.version);
  body.Set("settings", settings.settings);
  body.Set("effective", EffectiveSettings(settings.settings));
  body.Set("updated_at", TimeJson(settings.updated_at));
  return body;
}

Result<net::HttpResponse> GetSettings(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(TenantSettings settings,
                           call.ctx.storage->GetSettings(call.principal.tenant_id));
  return JsonResponse(200, SettingsBody(settings));
}

Result<net::HttpResponse> PutSettings(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"version", "settings"}));
  RAMPART_ASSIGN_OR_RETURN(
      std::optional<std::int64_t> version,
      OptionalInt(body, "version", 0, std::numeric_limits<std::int64_t>::max()));
  const Json* settings = body.Find("settings");
  if (settings == nullptr) return InvalidArgument("field 'settings': required");
  RAMPART_RETURN_IF_ERROR(ValidateSettings(*settings, "settings."));
  auto stored = call.ctx.storage->PutSettings(call.principal.tenant_id, *settings,
                                              version.value_or(-1), UnixNow(*call.ctx.clock));
  if (!stored.ok()) {
    if (stored.error().code() == Code::kFailedPrecondition) {
      return FailedPrecondition("settings were changed meanwhile (you sent version " +
                                std::to_string(version.value_or(-1)) +
                                "): read them again and retry");
    }
    return stored.error();
  }
  return JsonResponse(200, SettingsBody(*stored));
}

}  // namespace

void AddSettingsRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/settings", "viewer", "settings",
                            "The tenant's settings, their version and the effective values "
                            "(defaults filled in)",
                            GetSettings);
    r.response_schema = "SettingsDocument";
  }
  {
    RouteInfo& r = AddRoute(routes, "PUT", "/api/v1/settings", "admin", "settings",
                            "Replace the tenant's settings; with \"version\", only when it is "
                            "still the stored version (else 409)",
                            PutSettings);
    r.request_schema = "SettingsUpdate";
    r.response_schema = "SettingsDocument";
  }
}

}  // namespace rampart::server::api
