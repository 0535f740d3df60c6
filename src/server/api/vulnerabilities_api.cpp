// Vulnerability management: the tenant's findings by vulnerability and by host, status changes,
// ignore rules, emergency flags, an on-demand fleet scan, and the (platform-wide) feed list.
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/service/vuln_service.h"

namespace rampart::server::api {
namespace {

constexpr std::string_view kSeverities[] = {"unknown", "low", "medium", "high", "critical"};

Result<std::string> SeverityParam(const net::HttpRequest& request) {
  auto value = request.Query("severity");
  if (!value) return std::string();
  for (std::string_view s : kSeverities) {
    if (*value == s) return *value;
  }
  return InvalidArgument(
      "query parameter 'severity': expected unknown, low, medium, high or critical, got '" +
      *value + "'");
}

Result<std::string> StatusParam(const net::HttpRequest& request) {
  auto value = request.Query("status");
  if (!value) return std::string();
  auto parsed = ParseFindingStatus(*value);
  if (!parsed.ok()) return parsed.error().WithContext("query parameter 'status'");
  return *value;
}

Json OptionalText(const std::string& s) { return s.empty() ? Json() : Json(s); }

Json FindingJson(const HostFinding& f) {
  Json j = Json::MakeObject();
  j.Set("vuln_id", f.vuln_id);
  j.Set("ids", Json::StringArray(f.ids));
  j.Set("host_id", f.host_id);
  j.Set("hostname", f.hostname);
  j.Set("package", f.package);
  j.Set("installed_version", f.installed_version);
  j.Set("fixed_version", OptionalText(f.fixed_version));
  j.Set("severity", f.severity);
  j.Set("score", f.score);
  j.Set("summary", f.summary);
  j.Set("fix_command", OptionalText(f.fix_command));
  j.Set("references",
        f.detail.Find("references") ? *f.detail.Find("references") : Json::MakeArray());
  j.Set("status", FindingStatusName(f.status));
  j.Set("ignored_by", OptionalText(f.ignored_by));
  j.Set("first_detected", TimeJson(f.first_detected));
  j.Set("last_detected", TimeJson(f.last_detected));
  j.Set("fixed_at", TimeJson(f.fixed_at));
  j.Set("detail", f.detail);
  return j;
}

Json SummaryJson(const VulnSummary& v) {
  Json j = Json::MakeObject();
  j.Set("id", v.vuln_id);
  j.Set("ids", Json::StringArray(v.ids));
  j.Set("severity", v.severity);
  j.Set("score", v.score);
  j.Set("summary", v.summary);
  j.Set("packages", Json::StringArray(v.packages));
  j.Set("affected_hosts", v.hosts);
  j.Set("emergency", v.emergency);
  j.Set("first_detected", TimeJson(v.first_detected));
  j.Set("last_detected", TimeJson(v.last_detected));
  return j;
}

Json FindingPageJson(const Page<HostFinding>& page) {
  Json items = Json::MakeArray();
  for (const HostFinding& f : page.items) items.Push(FindingJson(f));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", OptionalText(page.next_cursor));
  return body;
}

Result<net::HttpResponse> ListVulnerabilities(const Call& call) {
  VulnQuery query;
  RAMPART_ASSIGN_OR_RETURN(query.severity, SeverityParam(call.request));
  RAMPART_ASSIGN_OR_RETURN(query.status, StatusParam(call.request));
  query.package = call.request.Query("package").value_or("");
  if (auto e = call.request.Query("emergency")) {
    if (*e != "true" && *e != "false") {
      return InvalidArgument("query parameter 'emergency': expected true or false");
    }
    query.emergency_only = *e == "true";
  }
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(call.request));
  RAMPART_ASSIGN_OR_RETURN(Page<VulnSummary> page,
                           call.ctx.storage->ListVulnerabilities(call.principal.tenant_id, query));
  Json items = Json::MakeArray();
  for (const VulnSummary& v : page.items) items.Push(SummaryJson(v));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", OptionalText(page.next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> GetVulnerability(const Call& call) {
  const std::string_view tenant = call.principal.tenant_id;
  HostFindingQuery query;
  query.vuln_id = std::string(call.Param("id"));
  RAMPART_ASSIGN_OR_RETURN(query.status, StatusParam(call.request));
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(call.request));
  // Any status: a vulnerability is known to the tenant once it was found on one of its hosts.
  HostFindingQuery any;
  any.vuln_id = query.vuln_id;
  any.status = "";
  RAMPART_ASSIGN_OR_RETURN(Page<HostFinding> page,
                           call.ctx.storage->ListHostFindings(tenant, query));
  if (page.items.empty() && query.page.cursor.empty()) {
    any.page.limit = 1;
    RAMPART_ASSIGN_OR_RETURN(Page<HostFinding> open,
                             call.ctx.storage->ListHostFindings(tenant, any));
    any.status = "fixed";
    RAMPART_ASSIGN_OR_RETURN(Page<HostFinding> fixed,
                             call.ctx.storage->ListHostFindings(tenant, any));
    if (open.items.empty() && fixed.items.empty()) {
      return NotFound("vulnerability " + query.vuln_id + " not found on any host");
    }
  }
  Json body = FindingPageJson(page);
  body.Set("id", query.vuln_id);
  const HostFinding* first = page.items.empty() ? nullptr : &page.items.front();
  if (first != nullptr) {
    body.Set("ids", Json::StringArray(first->ids));
    body.Set("severity", first->severity);
    body.Set("score", first->score);
    body.Set("summary", first->summary);
  }
  RAMPART_ASSIGN_OR_RETURN(auto flags, call.ctx.storage->ListEmergencies(tenant));
  bool emergency = false;
  for (const EmergencyFlag& f : flags) emergency = emergency || f.vuln_id == query.vuln_id;
  body.Set("emergency", emergency);
  return JsonResponse(200, body);
}

Result<net::HttpResponse> ListHostVulnerabilities(const Call& call) {
  HostFindingQuery query;
  query.host_id = std::string(call.Param("id"));
  RAMPART_ASSIGN_OR_RETURN(query.severity, SeverityParam(call.request));
  RAMPART_ASSIGN_OR_RETURN(query.status, StatusParam(call.request));
  query.package = call.request.Query("package").value_or("");
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(call.request));
  RAMPART_ASSIGN_OR_RETURN(Page<HostFinding> page,
                           call.ctx.storage->ListHostFindings(call.principal.tenant_id, query));
  return JsonResponse(200, FindingPageJson(page));
}

Result<net::HttpResponse> PatchFinding(const Call& call) {
  // Another tenant's host is a 404 whatever the body says.
  RAMPART_RETURN_IF_ERROR(
      call.ctx.storage->GetHost(call.principal.tenant_id, call.Param("id")).status());
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"status"}));
  RAMPART_ASSIGN_OR_RETURN(std::string status, RequiredString(body, "status"));
  if (status != "ignored" && status != "pending") {
    return InvalidArgument(
        "field 'status': expected ignored or pending (fixed is set by "
        "matching), got '" +
        status + "'");
  }
  RAMPART_ASSIGN_OR_RETURN(std::vector<HostFinding> findings,
                           call.ctx.storage->SetFindingIgnored(
                               call.principal.tenant_id, call.Param("id"), call.Param("vuln_id"),
                               status == "ignored", UnixNow(*call.ctx.clock)));
  Json items = Json::MakeArray();
  for (const HostFinding& f : findings) items.Push(FindingJson(f));
  Json out = Json::MakeObject();
  out.Set("items", std::move(items));
  return JsonResponse(200, out);
}

Json RuleJson(const IgnoreRule& r) {
  Json j = Json::MakeObject();
  j.Set("id", r.id);
  j.Set("vuln_id", OptionalText(r.vuln_id));
  j.Set("package", OptionalText(r.package));
  j.Set("host_ids", Json::StringArray(r.host_ids));
  j.Set("reason", r.reason);
  j.Set("created_at", TimeJson(r.created_at));
  return j;
}

Result<net::HttpResponse> ListIgnoreRules(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(auto rules, call.ctx.storage->ListIgnoreRules(call.principal.tenant_id));
  Json items = Json::MakeArray();
  for (const IgnoreRule& r : rules) items.Push(RuleJson(r));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> CreateIgnoreRule(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"vuln_id", "package", "host_ids", "reason"}));
  IgnoreRule rule;
  rule.tenant_id = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(auto vuln_id, OptionalString(body, "vuln_id"));
  RAMPART_ASSIGN_OR_RETURN(auto package, OptionalString(body, "package"));
  RAMPART_ASSIGN_OR_RETURN(auto reason, OptionalString(body, "reason"));
  rule.vuln_id = vuln_id.value_or("");
  rule.package = package.value_or("");
  rule.reason = reason.value_or("");
  if (const Json* hosts = body.Find("host_ids"); hosts != nullptr && !hosts->is_null()) {
    if (!hosts->is_array() || hosts->size() > 10000) {
      return InvalidArgument("field 'host_ids': expected an array of at most 10000 host ids");
    }
    for (const Json& h : hosts->as_array()) {
      if (!h.is_string() || h.as_string().empty()) {
        return InvalidArgument("field 'host_ids': expected an array of host id strings");
      }
      rule.host_ids.push_back(h.as_string());
    }
  }
  rule.created_at = UnixNow(*call.ctx.clock);
  RAMPART_ASSIGN_OR_RETURN(IgnoreRule stored, call.ctx.storage->CreateIgnoreRule(rule));
  return JsonResponse(201, RuleJson(stored));
}

Result<net::HttpResponse> DeleteIgnoreRule(const Call& call) {
  RAMPART_RETURN_IF_ERROR(
      call.ctx.storage->DeleteIgnoreRule(call.principal.tenant_id, call.Param("id")));
  return NoContent();
}

Json FlagJson(const EmergencyFlag& f) {
  Json j = Json::MakeObject();
  j.Set("vuln_id", f.vuln_id);
  j.Set("note", f.note);
  j.Set("created_at", TimeJson(f.created_at));
  return j;
}

Result<net::HttpResponse> ListEmergencies(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(auto flags, call.ctx.storage->ListEmergencies(call.principal.tenant_id));
  Json items = Json::MakeArray();
  for (const EmergencyFlag& f : flags) items.Push(FlagJson(f));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> CreateEmergency(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"vuln_id", "note"}));
  EmergencyFlag flag;
  flag.tenant_id = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(flag.vuln_id, RequiredString(body, "vuln_id"));
  RAMPART_ASSIGN_OR_RETURN(auto note, OptionalString(body, "note"));
  flag.note = note.value_or("");
  flag.created_at = UnixNow(*call.ctx.clock);
  RAMPART_ASSIGN_OR_RETURN(EmergencyFlag stored, call.ctx.storage->SetEmergency(flag));
  return JsonResponse(201, FlagJson(stored));
}

Result<net::HttpResponse> DeleteEmergency(const Call& call) {
  RAMPART_RETURN_IF_ERROR(
      call.ctx.storage->DeleteEmergency(call.principal.tenant_id, call.Param("id")));
  return NoContent();
}

Result<net::HttpResponse> ScanNow(const Call& call) {
  if (call.ctx.vuln == nullptr) return Unavailable("vulnerability matching is not running");
  const std::string& tenant = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(VulnService::ScanSummary summary, call.ctx.vuln->RematchTenant(tenant));
  Json body = Json::MakeObject();
  body.Set("hosts", summary.hosts);
  body.Set("failed", summary.failed);
  body.Set("detected", summary.totals.detected);
  body.Set("new_findings", summary.totals.new_findings);
  body.Set("fixed", summary.totals.fixed);
  body.Set("removed", summary.totals.removed);
  body.Set("seconds", summary.seconds);
  body.Set("feed_generation", call.ctx.vuln->generation());
  body.Set("advisories", call.ctx.vuln->advisory_count());
  // Where the emergencies stand after the scan: open findings per flagged id.
  VulnQuery query;
  query.emergency_only = true;
  query.page.limit = 500;
  RAMPART_ASSIGN_OR_RETURN(Page<VulnSummary> flagged,
                           call.ctx.storage->ListVulnerabilities(tenant, query));
  Json emergencies = Json::MakeArray();
  for (const VulnSummary& v : flagged.items) {
    emergencies.Push(Json::Object{{"id", v.vuln_id}, {"affected_hosts", v.hosts}});
  }
  body.Set("emergencies", std::move(emergencies));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> ListFeeds(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(auto feeds, call.ctx.storage->ListFeedImports());
  RAMPART_ASSIGN_OR_RETURN(std::int64_t generation, call.ctx.storage->FeedGeneration());
  Json items = Json::MakeArray();
  for (const FeedImport& f : feeds) {
    items.Push(Json::Object{{"name", f.name},
                            {"records", f.records},
                            {"skipped", f.skipped},
                            {"inserted", f.inserted},
                            {"updated", f.updated},
                            {"unchanged", f.unchanged},
                            {"withdrawn", f.withdrawn},
                            {"imported_at", TimeJson(f.imported_at)},
                            {"generation", f.generation}});
  }
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("generation", generation);
  return JsonResponse(200, body);
}

}  // namespace

void AddVulnerabilityRoutes(std::vector<Route>& routes) {
  const std::vector<QueryParamInfo> page = PageParams();
  const QueryParamInfo severity{"severity", "string",
                                "unknown, low, medium, high or critical (exact)."};
  const QueryParamInfo status{"status", "string",
                              "pending, ignored or fixed (default: pending and ignored)."};
  const QueryParamInfo package{"package", "string", "Exact package name (source package for deb)."};
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/vulnerabilities", "viewer", "vulnerabilities",
                            "Vulnerabilities found on the tenant's hosts, one item per id with "
                            "the number of affected hosts, highest severity first",
                            ListVulnerabilities);
    r.query = {severity,
               status,
               package,
               {"emergency", "string", "true: only vulnerabilities flagged as emergencies."}};
    r.query.insert(r.query.end(), page.begin(), page.end());
    r.response_schema = "VulnerabilityPage";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "POST", "/api/v1/vulnerabilities/scan", "operator", "vulnerabilities",
                 "Rematch every host of the tenant against the feeds now; returns a "
                 "summary and the open findings of each emergency",
                 ScanNow);
    r.response_schema = "VulnerabilityScan";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/vulnerabilities/{id}", "viewer", "vulnerabilities",
                 "One vulnerability with the tenant's affected hosts (404 when it was "
                 "never found on one)",
                 GetVulnerability);
    r.query = {status};
    r.query.insert(r.query.end(), page.begin(), page.end());
    r.response_schema = "VulnerabilityDetail";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/hosts/{id}/vulnerabilities", "viewer", "vulnerabilities",
                 "The host's findings, highest severity first", ListHostVulnerabilities);
    r.query = {severity, status, package};
    r.query.insert(r.query.end(), page.begin(), page.end());
    r.response_schema = "FindingPage";
  }
  {
    RouteInfo& r = AddRoute(routes, "PATCH", "/api/v1/hosts/{id}/vulnerabilities/{vuln_id}",
                            "operator", "vulnerabilities",
                            "Ignore (status ignored) or un-ignore (status pending) a "
                            "vulnerability on one host",
                            PatchFinding);
    r.request_schema = "FindingStatusUpdate";
    r.response_schema = "FindingList";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/vulnerability-ignore-rules", "viewer", "vulnerabilities",
                 "The tenant's vulnerability ignore rules", ListIgnoreRules);
    r.response_schema = "IgnoreRuleList";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "POST", "/api/v1/vulnerability-ignore-rules", "admin", "vulnerabilities",
                 "Add an ignore rule (vulnerability id, package, host list; all given "
                 "criteria must hold); applies to existing and future findings",
                 CreateIgnoreRule);
    r.request_schema = "IgnoreRuleCreate";
    r.success_status = 201;
    r.response_schema = "IgnoreRule";
  }
  {
    RouteInfo& r = AddRoute(
        routes, "DELETE", "/api/v1/vulnerability-ignore-rules/{id}", "admin", "vulnerabilities",
        "Delete an ignore rule; the findings it covered are open again", DeleteIgnoreRule);
    r.success_status = 204;
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/vulnerability-emergencies", "viewer", "vulnerabilities",
                 "Vulnerability ids flagged as emergencies", ListEmergencies);
    r.response_schema = "EmergencyList";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "POST", "/api/v1/vulnerability-emergencies", "admin", "vulnerabilities",
                 "Flag a vulnerability id as an emergency", CreateEmergency);
    r.request_schema = "EmergencyCreate";
    r.success_status = 201;
    r.response_schema = "Emergency";
  }
  {
    RouteInfo& r = AddRoute(routes, "DELETE", "/api/v1/vulnerability-emergencies/{id}", "admin",
                            "vulnerabilities", "Remove an emergency flag", DeleteEmergency);
    r.success_status = 204;
  }
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/feeds", "viewer", "vulnerabilities",
                            "Advisory feeds imported into the platform (shared by every tenant; "
                            "imported with `rampart admin feed import`)",
                            ListFeeds);
    r.response_schema = "FeedList";
  }
}

}  // namespace rampart::server::api
