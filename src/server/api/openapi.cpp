#include "server/api/openapi.h"

#include "common/logging.h"
#include "common/wire.h"
#include "rampart/version.h"
#include "server/api/events_json.h"
#include "server/api/malware_json.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/api/settings_schema.h"

namespace rampart::server::api {
namespace {

// Hand-written component schemas. Times are ISO 8601 UTC strings, null for "never".
constexpr std::string_view kSchemas = R"json({
  "Error": {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
      "code": {"type": "string", "examples": ["invalid_argument", "unauthenticated",
               "permission_denied", "not_found", "already_exists", "failed_precondition"]},
      "message": {"type": "string"}}}}},
  "Time": {"type": ["string", "null"], "format": "date-time"},
  "Cursor": {"type": ["string", "null"], "description": "Pass as ?cursor= for the next page; null on the last page."},
  "Risk": {"type": "object", "properties": {"vulnerabilities": {"type": "integer"},
    "baseline_failures": {"type": "integer"}, "events": {"type": "integer"},
    "malware": {"type": "integer", "description": "Open (pending) malware events."}}},
  "Host": {"type": "object", "properties": {
    "id": {"type": "string"}, "hostname": {"type": "string"},
    "ips": {"type": "array", "items": {"type": "string"}},
    "os_name": {"type": "string"}, "os_version": {"type": "string"},
    "machine_type": {"type": "string"}, "agent_version": {"type": "string"},
    "installed_at": {"$ref": "#/components/schemas/Time"},
    "last_seen": {"$ref": "#/components/schemas/Time"},
    "status": {"enum": ["ONLINE", "OFFLINE", "UNINSTALLED"]},
    "plan": {"type": "string", "examples": ["basic", "pro"]},
    "risk": {"$ref": "#/components/schemas/Risk"}}},
  "HostDetail": {"allOf": [{"$ref": "#/components/schemas/Host"}, {"type": "object",
    "properties": {"fingerprint_counts": {"type": "object",
      "additionalProperties": {"type": "integer"}}}}]},
  "HostPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Host"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "Row": {"type": "object", "description": "A fingerprint row: flat fields of its category (docs/inventory.md).",
    "additionalProperties": true},
  "RowPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "FleetRow": {"type": "object", "properties": {"host_id": {"type": "string"},
    "hostname": {"type": "string"}, "row": {"$ref": "#/components/schemas/Row"}}},
  "FleetRowPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/FleetRow"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "SettingsDocument": {"type": "object", "properties": {
    "version": {"type": "integer"}, "settings": {"$ref": "#/components/schemas/Settings"},
    "effective": {"$ref": "#/components/schemas/Settings"},
    "updated_at": {"$ref": "#/components/schemas/Time"}}},
  "SettingsUpdate": {"type": "object", "required": ["settings"], "additionalProperties": false,
    "properties": {"version": {"type": "integer", "minimum": 0,
      "description": "The version read; the update fails with 409 when it is no longer current."},
      "settings": {"$ref": "#/components/schemas/Settings"}}},
  "Me": {"type": "object", "properties": {"tenant_id": {"type": "string"},
    "tenant_name": {"type": "string"}, "user_id": {"type": ["string", "null"]},
    "user_name": {"type": ["string", "null"]}, "role": {"$ref": "#/components/schemas/Role"},
    "token_id": {"type": "string"},
    "auth": {"enum": ["token", "session"]},
    "csrf_token": {"type": "string", "description": "Console sessions only."},
    "session_expires_at": {"$ref": "#/components/schemas/Time"}}},
  "Role": {"enum": ["viewer", "operator", "admin"]},
  "User": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
    "role": {"$ref": "#/components/schemas/Role"}, "has_password": {"type": "boolean"},
    "created_at": {"$ref": "#/components/schemas/Time"}}},
  "UserPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "UserCreate": {"type": "object", "required": ["name", "role", "password"],
    "additionalProperties": false, "properties": {
      "name": {"type": "string", "pattern": "^[A-Za-z0-9._@-]{1,64}$"},
      "role": {"$ref": "#/components/schemas/Role"},
      "password": {"type": "string", "minLength": 12, "maxLength": 1024,
                   "description": "Must differ from the name."}}},
  "TokenState": {"enum": ["active", "revoked", "expired"]},
  "Token": {"type": "object", "properties": {"id": {"type": "string"},
    "user_id": {"type": ["string", "null"]}, "role": {"$ref": "#/components/schemas/Role"},
    "description": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/Time"},
    "expires_at": {"$ref": "#/components/schemas/Time"},
    "revoked_at": {"$ref": "#/components/schemas/Time"},
    "state": {"$ref": "#/components/schemas/TokenState"}}},
  "TokenPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "TokenCreate": {"type": "object", "required": ["role"], "additionalProperties": false,
    "properties": {"role": {"$ref": "#/components/schemas/Role"},
      "user_id": {"type": "string", "description": "Ties the token to a user; its role may not exceed the user's. Omitted: a service token."},
      "description": {"type": "string", "maxLength": 256},
      "ttl_seconds": {"type": "integer", "minimum": 60, "maximum": 315360000,
                      "description": "Omitted: never expires."}}},
  "TokenCreated": {"allOf": [{"$ref": "#/components/schemas/Token"}, {"type": "object",
    "properties": {"token": {"type": "string", "description": "rpt1.<id>.<secret>, shown only here."}}}]},
  "EnrollToken": {"type": "object", "properties": {"id": {"type": "string"},
    "created_at": {"$ref": "#/components/schemas/Time"},
    "expires_at": {"$ref": "#/components/schemas/Time"},
    "revoked_at": {"$ref": "#/components/schemas/Time"}, "uses": {"type": "integer"},
    "state": {"$ref": "#/components/schemas/TokenState"}}},
  "EnrollTokenPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/EnrollToken"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "EnrollTokenCreate": {"type": "object", "additionalProperties": false, "properties": {
    "ttl_seconds": {"type": "integer", "minimum": 60, "maximum": 2592000, "default": 86400}}},
  "EnrollTokenCreated": {"allOf": [{"$ref": "#/components/schemas/EnrollToken"}, {"type": "object",
    "properties": {"token": {"type": "string", "description": "rpe1.<id>.<secret>.<certificate sha256>, shown only here."},
      "command": {"type": ["string", "null"], "description": "The agent command line; null when the server's URL is unknown."}}}]},
  "EnrollRequest": {"type": "object", "required": ["token", "machine_id", "hostname", "agent_version"],
    "properties": {"token": {"type": "string"}, "machine_id": {"type": "string"},
      "hostname": {"type": "string"}, "agent_version": {"type": "string"}}},
  "EnrollResult": {"type": "object", "properties": {"host_id": {"type": "string"},
    "agent_id": {"type": "string"}, "secret": {"type": "string"}, "tenant_id": {"type": "string"}}},
  "OpenApi": {"type": "object", "description": "This document."},
  "Finding": {"type": "object", "properties": {
    "vuln_id": {"type": "string"}, "ids": {"type": "array", "items": {"type": "string"}},
    "host_id": {"type": "string"}, "hostname": {"type": "string"}, "package": {"type": "string"},
    "installed_version": {"type": "string"}, "fixed_version": {"type": ["string", "null"]},
    "severity": {"type": "string"}, "score": {"type": "number"}, "summary": {"type": "string"},
    "fix_command": {"type": ["string", "null"]},
    "references": {"type": "array", "items": {"type": "string"}},
    "status": {"enum": ["pending", "ignored", "fixed"]},
    "ignored_by": {"type": ["string", "null"], "description": "user, or rule:<id>"},
    "first_detected": {"$ref": "#/components/schemas/Time"},
    "last_detected": {"$ref": "#/components/schemas/Time"},
    "fixed_at": {"$ref": "#/components/schemas/Time"},
    "detail": {"type": "object", "description": "The finding as `rampart vuln --json` prints it."}}},
  "FindingPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "FindingList": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}}},
  "FindingStatusUpdate": {"type": "object", "required": ["status"], "additionalProperties": false,
    "properties": {"status": {"enum": ["ignored", "pending"]}}},
  "Vulnerability": {"type": "object", "properties": {
    "id": {"type": "string"}, "ids": {"type": "array", "items": {"type": "string"}},
    "severity": {"type": "string"}, "score": {"type": "number"}, "summary": {"type": "string"},
    "packages": {"type": "array", "items": {"type": "string"}},
    "affected_hosts": {"type": "integer"}, "emergency": {"type": "boolean"},
    "first_detected": {"$ref": "#/components/schemas/Time"},
    "last_detected": {"$ref": "#/components/schemas/Time"}}},
  "VulnerabilityPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Vulnerability"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "VulnerabilityDetail": {"allOf": [{"$ref": "#/components/schemas/FindingPage"}, {"type": "object",
    "properties": {"id": {"type": "string"}, "ids": {"type": "array", "items": {"type": "string"}},
      "severity": {"type": "string"}, "score": {"type": "number"}, "summary": {"type": "string"},
      "emergency": {"type": "boolean"}}}]},
  "VulnerabilityScan": {"type": "object", "properties": {
    "hosts": {"type": "integer"}, "failed": {"type": "integer"}, "detected": {"type": "integer"},
    "new_findings": {"type": "integer"}, "fixed": {"type": "integer"}, "removed": {"type": "integer"},
    "seconds": {"type": "number"}, "feed_generation": {"type": "integer"},
    "advisories": {"type": "integer"},
    "emergencies": {"type": "array", "items": {"type": "object", "properties": {
      "id": {"type": "string"}, "affected_hosts": {"type": "integer"}}}}}},
  "IgnoreRule": {"type": "object", "properties": {"id": {"type": "string"},
    "vuln_id": {"type": ["string", "null"]}, "package": {"type": ["string", "null"]},
    "host_ids": {"type": "array", "items": {"type": "string"}}, "reason": {"type": "string"},
    "created_at": {"$ref": "#/components/schemas/Time"}}},
  "IgnoreRuleList": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/IgnoreRule"}}}},
  "IgnoreRuleCreate": {"type": "object", "additionalProperties": false,
    "description": "At least one of vuln_id, package, host_ids; a finding is ignored when all given criteria hold.",
    "properties": {"vuln_id": {"type": "string"}, "package": {"type": "string"},
      "host_ids": {"type": "array", "items": {"type": "string"}}, "reason": {"type": "string"}}},
  "Emergency": {"type": "object", "properties": {"vuln_id": {"type": "string"},
    "note": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/Time"}}},
  "EmergencyList": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Emergency"}}}},
  "EmergencyCreate": {"type": "object", "required": ["vuln_id"], "additionalProperties": false,
    "properties": {"vuln_id": {"type": "string"}, "note": {"type": "string"}}},
  "FeedList": {"type": "object", "properties": {"generation": {"type": "integer"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
      "name": {"type": "string"}, "records": {"type": "integer"}, "skipped": {"type": "integer"},
      "inserted": {"type": "integer"}, "updated": {"type": "integer"},
      "unchanged": {"type": "integer"}, "withdrawn": {"type": "integer"},
      "imported_at": {"$ref": "#/components/schemas/Time"}, "generation": {"type": "integer"}}}}}},
  "HostSummary": {"type": "object", "properties": {"total": {"type": "integer"},
    "by_status": {"type": "object", "properties": {"ONLINE": {"type": "integer"},
      "OFFLINE": {"type": "integer"}, "UNINSTALLED": {"type": "integer"}}},
    "at_risk": {"type": "integer", "description": "Hosts with any risk counter above zero."},
    "top_risky": {"type": "array", "items": {"$ref": "#/components/schemas/Host"}}}},
  "SessionState": {"type": "object", "properties": {"signed_in": {"type": "boolean"},
    "csrf_token": {"type": "string"}, "expires_at": {"$ref": "#/components/schemas/Time"}}},
  "SessionCreate": {"type": "object", "required": ["tenant", "username", "password"],
    "additionalProperties": false, "properties": {
      "tenant": {"type": "string", "description": "Tenant id (tn_...) or name."},
      "username": {"type": "string"}, "password": {"type": "string"}}},
  "Session": {"type": "object", "properties": {"tenant_id": {"type": "string"},
    "tenant_name": {"type": "string"}, "user_id": {"type": "string"},
    "user_name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"},
    "csrf_token": {"type": "string", "description": "Send as X-CSRF-Token on every call other than GET/HEAD made with the session cookie."},
    "expires_at": {"$ref": "#/components/schemas/Time"},
    "idle_timeout_seconds": {"type": "integer"}}}
})json";

Json ErrorResponseDoc(std::string_view description) {
  Json content = Json::MakeObject();
  content["application/json"].Set("schema", Json::Object{{"$ref", "#/components/schemas/Error"}});
  Json response = Json::MakeObject();
  response.Set("description", description);
  response.Set("content", std::move(content));
  return response;
}

std::vector<std::string> PathParams(std::string_view pattern) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string_view::npos) {
    const std::size_t end = pattern.find('}', pos);
    if (end == std::string_view::npos) break;
    names.emplace_back(pattern.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return names;
}

Json Parameters(const RouteInfo& route) {
  Json params = Json::MakeArray();
  for (const std::string& name : PathParams(route.pattern)) {
    Json schema = Json::Object{{"type", "string"}};
    if (name == "category") {
      Json categories = Json::MakeArray();
      for (std::string_view c : wire::kFingerprintCategories) categories.Push(c);
      schema.Set("enum", std::move(categories));
    }
    params.Push(Json::Object{
        {"name", name}, {"in", "path"}, {"required", true}, {"schema", std::move(schema)}});
  }
  for (const QueryParamInfo& q : route.query) {
    params.Push(Json::Object{{"name", q.name},
                             {"in", "query"},
                             {"required", false},
                             {"description", q.description},
                             {"schema", Json::Object{{"type", q.type}}}});
  }
  if (route.field_filters) {
    params.Push(Json::Object{
        {"name", "filters"},
        {"in", "query"},
        {"required", false},
        {"description",
         "Any other parameter field=value keeps rows whose top-level field "
         "equals value (compared as text)."},
        {"style", "form"},
        {"explode", true},
        {"schema", Json::Object{{"type", "object"},
                                {"additionalProperties", Json::Object{{"type", "string"}}}}}});
  }
  return params;
}

Json Operation(const RouteInfo& route) {
  Json op = Json::MakeObject();
  std::string id = route.method;
  for (char c : route.pattern) id += (c == '/' || c == '{' || c == '}' || c == '-') ? '_' : c;
  op.Set("operationId", id);
  op.Set("summary", route.summary);
  op.Set("tags", Json::StringArray({route.tag}));
  op.Set("x-rampart-min-role", route.min_role);
  if (route.min_role == "none") {
    op.Set("security", Json::MakeArray());
  } else if (route.min_role == "agent") {
    op.Set("security", Json::Array{Json::Object{{"agent", Json::MakeArray()}}});
  } else {
    op.Set("security", Json::Array{Json::Object{{"bearer", Json::MakeArray()}}});
  }
  Json params = Parameters(route);
  if (params.size() > 0) op.Set("parameters", std::move(params));
  if (!route.request_schema.empty()) {
    Json content = Json::MakeObject();
    content["application/json"].Set(
        "schema", Json::Object{{"$ref", "#/components/schemas/" + route.request_schema}});
    // Every field of EnrollTokenCreate is optional, so its body may be left out.
    op.Set("requestBody", Json::Object{{"required", route.request_schema != "EnrollTokenCreate"},
                                       {"content", std::move(content)}});
  }

  Json responses = Json::MakeObject();
  Json success = Json::MakeObject();
  success.Set("description", route.success_status == 204   ? "No content"
                             : route.success_status == 101 ? "Switching protocols (WebSocket)"
                                                           : "Success");
  if (!route.response_schema.empty()) {
    Json content = Json::MakeObject();
    content["application/json"].Set(
        "schema", Json::Object{{"$ref", "#/components/schemas/" + route.response_schema}});
    success.Set("content", std::move(content));
  }
  responses.Set(std::to_string(route.success_status), std::move(success));
  const bool has_params = !PathParams(route.pattern).empty();
  if (!route.query.empty() || route.field_filters || !route.request_schema.empty() || has_params) {
    responses.Set("400", ErrorResponseDoc("Invalid request (the message names the field)"));
  }
  if (route.min_role != "none") {
    responses.Set("401", ErrorResponseDoc("Missing, invalid, revoked or expired credentials"));
  }
  if (route.min_role != "none" && route.min_role != "agent" && route.min_role != "viewer") {
    responses.Set("403", ErrorResponseDoc("The token's role is below " + route.min_role));
  }
  if (has_params) responses.Set("404", ErrorResponseDoc("No such object in this tenant"));
  if (route.method == "POST" || route.method == "PUT" || route.method == "PATCH" ||
      route.method == "DELETE") {
    responses.Set("409", ErrorResponseDoc("Conflict (exists, changed meanwhile, or not allowed "
                                          "in the current state)"));
  }
  if (!route.request_schema.empty()) {
    responses.Set("413", ErrorResponseDoc("Body larger than 1 MiB"));
    responses.Set("415", ErrorResponseDoc("Body is not application/json"));
  }
  op.Set("responses", std::move(responses));
  return op;
}

Json OutsideRouterPaths() {
  Json paths = Json::MakeObject();
  Json health = Json::Object{
      {"summary", "Liveness and database health (served by the server application)"},
      {"tags", Json::StringArray({"operations"})},
      {"security", Json::MakeArray()},
      {"responses", Json::Object{{"200", Json::Object{{"description", "Healthy"}}},
                                 {"503", Json::Object{{"description", "Unhealthy"}}}}}};
  paths["/healthz"].Set("get", std::move(health));
  Json metrics = Json::Object{
      {"summary", "Prometheus metrics in the text exposition format"},
      {"tags", Json::StringArray({"operations"})},
      {"security", Json::MakeArray()},
      {"responses",
       Json::Object{
           {"200", Json::Object{{"description", "Metrics"},
                                {"content", Json::Object{{"text/plain", Json::Object{}}}}}}}}};
  paths["/metrics"].Set("get", std::move(metrics));
  return paths;
}

Result<net::HttpResponse> ServeOpenApi(const Call& call) {
  net::HttpResponse response;
  response.body = call.openapi_json;
  response.headers.Add("cache-control", "public, max-age=300");
  return response;
}

}  // namespace

Json OpenApiDocument(const std::vector<RouteInfo>& routes) {
  Json doc = Json::MakeObject();
  doc.Set("openapi", "3.1.0");
  doc.Set("info", Json::Object{{"title", "Rampart API"},
                               {"version", kVersion},
                               {"description",
                                "Multi-tenant workload protection platform. Authenticate with "
                                "'Authorization: Bearer rpt1.<id>.<secret>'. Roles: viewer < "
                                "operator < admin. Objects of another tenant answer 404. Errors "
                                "are {\"error\":{\"code\",\"message\"}}."}});

  Json paths = OutsideRouterPaths();
  for (const RouteInfo& route : routes) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(c - 'A' + 'a');
    paths[route.pattern].Set(method, Operation(route));
  }
  doc.Set("paths", std::move(paths));

  Json components = Json::MakeObject();
  auto schemas = Json::Parse(kSchemas);
  if (!schemas.ok()) {
    log::Error("openapi: built-in schemas do not parse: {}", schemas.error().ToString());
    schemas = Json::MakeObject();
  }
  schemas->Set("Settings", SettingsJsonSchema());
  const Json event_schemas = EventsOpenApiSchemas();
  for (const auto& [name, schema] : event_schemas.as_object()) schemas->Set(name, schema);
  const Json stats_schemas = StatsOpenApiSchemas();
  for (const auto& [name, schema] : stats_schemas.as_object()) schemas->Set(name, schema);
  const Json malware_schemas = MalwareOpenApiSchemas();
  for (const auto& [name, schema] : malware_schemas.as_object()) schemas->Set(name, schema);
  components.Set("schemas", std::move(*schemas));
  components.Set(
      "securitySchemes",
      Json::Object{{"bearer", Json::Object{{"type", "http"},
                                           {"scheme", "bearer"},
                                           {"bearerFormat", "rpt1.<id>.<secret>"}}},
                   {"agent", Json::Object{{"type", "apiKey"},
                                          {"in", "header"},
                                          {"name", "Authorization"},
                                          {"description", "Agent <host_id>:<secret>"}}}});
  doc.Set("components", std::move(components));
  return doc;
}

void AddOpenApiRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/openapi.json", "none", "meta",
                            "This OpenAPI 3.1 document", ServeOpenApi);
    r.response_schema = "OpenApi";
  }
}

}  // namespace rampart::server::api
