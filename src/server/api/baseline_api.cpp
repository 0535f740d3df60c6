// /api/v1/baseline: baseline management (docs/baseline.md, "Management"). Policies (shipped and
// the tenant's uploaded ones) with their settings (enabled, scope, schedule) and pass rates; run
// now; per check: hosts passed/failed; per check x policy: the hosts with evidence; per host: the
// items; ignores (item, host, item x host); the tenant's trend and summary for the dashboard.
// Pass rates and failure counts leave ignored results out; ignored results stay visible with
// "ignored": true.
#include <map>
#include <set>

#include "common/strings.h"
#include "common/tz.h"
#include "server/api/events_json.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/service/baseline_protocol.h"
#include "server/service/baseline_service.h"

namespace rampart::server::api {
namespace {

constexpr std::size_t kMaxScopeHosts = 10000;
constexpr std::size_t kMaxReason = 4096;

Result<BaselineService*> Service(const Call& call) {
  if (call.ctx.baseline == nullptr) return Unavailable("baseline management is not configured");
  return call.ctx.baseline;
}

Json RateJson(std::int64_t passed, std::int64_t failed) {
  if (passed + failed == 0) return Json();
  return Json(static_cast<double>(passed) / static_cast<double>(passed + failed));
}

std::string HhMm(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 24, minute % 60);
  return buf;
}

Json ScheduleJson(const BaselinePolicySettings& s, std::int64_t now) {
  if (s.interval_days <= 0) return Json();
  Json out = Json::MakeObject();
  out.Set("every_days", s.interval_days);
  out.Set("at", HhMm(s.at_minute));
  out.Set("time_zone", s.time_zone.empty() ? std::string("UTC") : s.time_zone);
  const auto next = BaselineNextRun(s, now);
  out.Set("next_run_at", next ? TimeJson(*next) : Json());
  return out;
}

Json ScopeJson(const BaselinePolicySettings& s) {
  if (s.host_ids.empty()) return Json("all");
  return Json::StringArray(s.host_ids);
}

struct Counts {
  std::int64_t passed = 0, failed = 0, not_applicable = 0, error = 0, ignored = 0;
  std::set<std::string> hosts;
  void Add(const BaselineResultRow& r) {
    hosts.insert(r.host_id);
    if (r.ignored) {
      ++ignored;
      return;
    }
    const std::string& s = r.result.status;
    if (s == "pass") ++passed;
    if (s == "fail") ++failed;
    if (s == "not_applicable") ++not_applicable;
    if (s == "error") ++error;
  }
};

// A policy's (or the tenant's) totals from the SQL counts.
struct Totals {
  std::int64_t passed = 0, failed = 0, hosts = 0;
};
std::map<std::string, Totals> PolicyTotals(const BaselineCounts& counts) {
  std::map<std::string, Totals> out;
  for (const BaselineCheckCount& c : counts.checks) {
    out[c.policy_id].passed += c.passed;
    out[c.policy_id].failed += c.failed;
  }
  for (const auto& [policy, hosts] : counts.hosts_per_policy) out[policy].hosts = hosts;
  return out;
}

Json PolicyJson(const BaselinePolicyInfo& p, const Totals& c, bool with_yaml, std::int64_t now) {
  Json out = Json::MakeObject();
  out.Set("id", p.id);
  out.Set("name", p.name);
  out.Set("description", p.description);
  out.Set("source", p.source);
  out.Set("checks", p.checks);
  out.Set("enabled", p.settings.enabled);
  out.Set("scope", ScopeJson(p.settings));
  out.Set("schedule", ScheduleJson(p.settings, now));
  out.Set("pass_rate", RateJson(c.passed, c.failed));
  out.Set("hosts_checked", c.hosts);
  out.Set("failed_checks", c.failed);
  if (p.settings.last_run_id.empty()) {
    out.Set("last_run", Json());
  } else {
    Json run = Json::MakeObject();
    run.Set("id", p.settings.last_run_id);
    run.Set("at", TimeJson(p.settings.last_run_at));
    out.Set("last_run", std::move(run));
  }
  out.Set("deletable", p.source == "custom");
  if (p.source == "custom") {
    out.Set("created_by", p.created_by);
    out.Set("updated_at", TimeJson(p.updated_at));
  }
  if (with_yaml) out.Set("yaml", p.yaml);
  return out;
}

Json ListJson(Json items) {
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", Json());
  return body;
}

Result<std::vector<BaselineResultRow>> Results(const Call& call, BaselineResultQuery query) {
  return call.ctx.storage->ListBaselineResults(call.principal.tenant_id, query);
}

Result<net::HttpResponse> ListPolicies(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(auto policies, service->ListPolicies(call.principal.tenant_id));
  RAMPART_ASSIGN_OR_RETURN(BaselineCounts counts,
                           call.ctx.storage->CountBaselineResults(call.principal.tenant_id, ""));
  auto totals = PolicyTotals(counts);
  Json items = Json::MakeArray();
  for (const BaselinePolicyInfo& p : policies)
    items.Push(PolicyJson(p, totals[p.id], false, UnixNow(*call.ctx.clock)));
  return JsonResponse(200, ListJson(std::move(items)));
}

Result<net::HttpResponse> GetPolicy(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo p,
                           service->GetPolicy(call.principal.tenant_id, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(BaselineCounts counts,
                           call.ctx.storage->CountBaselineResults(call.principal.tenant_id, p.id));
  return JsonResponse(200,
                      PolicyJson(p, PolicyTotals(counts)[p.id], true, UnixNow(*call.ctx.clock)));
}

// The body of an upload: the YAML itself (any content type but JSON), or JSON {"yaml": "..."}.
Result<std::string> UploadedYaml(const Call& call) {
  auto content_type = call.request.headers.Get("content-type");
  if (content_type && IsJsonContentType(*content_type)) {
    RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
    RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
    RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"yaml"}));
    return RequiredString(body, "yaml");
  }
  if (call.request.body.size() > kMaxBaselinePolicyBytes) {
    return Status(
        Code::kResourceExhausted,
        "request body: at most " + std::to_string(kMaxBaselinePolicyBytes) + " bytes of YAML");
  }
  if (TrimView(call.request.body).empty()) {
    return InvalidArgument("request body: expected the policy YAML (or JSON {\"yaml\": ...})");
  }
  return call.request.body;
}

Result<net::HttpResponse> UploadPolicy(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(std::string yaml, UploadedYaml(call));
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo p, service->Upload(call.principal.tenant_id, yaml,
                                                                 ActorName(call.principal)));
  return JsonResponse(201, PolicyJson(p, Totals{}, false, UnixNow(*call.ctx.clock)));
}

// "HH:MM" -> minute of the day.
Result<int> ParseClock(const std::string& text) {
  auto bad = [&] {
    return InvalidArgument("field 'schedule.at': expected HH:MM (00:00 to 23:59), got '" +
                           Printable(text) + "'");
  };
  if (text.size() != 5 || text[2] != ':') return bad();
  auto h = ParseInt<int>(std::string_view(text).substr(0, 2));
  auto m = ParseInt<int>(std::string_view(text).substr(3, 2));
  if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59) return bad();
  return *h * 60 + *m;
}

Result<net::HttpResponse> PatchPolicy(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  const std::string& tenant = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo p, service->GetPolicy(tenant, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"enabled", "scope", "schedule"}));
  BaselinePolicySettings s = p.settings;
  if (const Json* enabled = body.Find("enabled")) {
    if (!enabled->is_bool()) return InvalidArgument("field 'enabled': expected true or false");
    s.enabled = enabled->as_bool();
  }
  if (const Json* scope = body.Find("scope")) {
    const bool all = scope->is_string() && scope->as_string() == "all";
    if (!all && (!scope->is_array() || scope->size() == 0 || scope->size() > kMaxScopeHosts)) {
      return InvalidArgument("field 'scope': expected \"all\" or an array of 1 to " +
                             std::to_string(kMaxScopeHosts) + " host ids");
    }
    s.host_ids.clear();
    if (!all) {
      std::set<std::string> seen;
      for (const Json& id : scope->as_array()) {
        if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 64) {
          return InvalidArgument("field 'scope': expected host ids (strings of 1 to 64 bytes)");
        }
        if (!seen.insert(id.as_string()).second) continue;
        auto host = call.ctx.storage->GetHost(tenant, id.as_string());
        if (!host.ok()) {
          if (host.status().code() == Code::kNotFound) {
            return InvalidArgument("field 'scope': no host " + Printable(id.as_string()));
          }
          return host.status();
        }
        s.host_ids.push_back(id.as_string());
      }
    }
  }
  if (const Json* schedule = body.Find("schedule")) {
    if (schedule->is_null()) {
      s.interval_days = 0;
    } else {
      if (!schedule->is_object()) {
        return InvalidArgument(
            "field 'schedule': expected null or {\"every_days\": 1|3|5|7, \"at\": \"HH:MM\"}");
      }
      RAMPART_RETURN_IF_ERROR(CheckKnownFields(*schedule, {"every_days", "at", "time_zone"}));
      const Json* every = schedule->Find("every_days");
      if (every == nullptr || !every->is_int() ||
          !IsBaselineInterval(static_cast<int>(every->as_int()))) {
        return InvalidArgument("field 'schedule.every_days': expected 1, 3, 5 or 7");
      }
      const Json* zone_json = schedule->Find("time_zone");
      std::string zone = "UTC";
      if (zone_json != nullptr && !zone_json->is_null()) {
        if (!zone_json->is_string()) {
          return InvalidArgument(
              "field 'schedule.time_zone': expected an IANA time zone name such as "
              "\"Europe/Paris\"");
        }
        zone = zone_json->as_string();
        if (zone.size() > 64) {
          return InvalidArgument("field 'schedule.time_zone': longer than 64 bytes");
        }
        auto tz = LoadZone(zone);
        if (!tz.ok()) {
          return InvalidArgument("field 'schedule.time_zone': " + Printable(tz.status().message()));
        }
      }
      RAMPART_ASSIGN_OR_RETURN(int minute, ParseClock(schedule->GetString("at", "00:00")));
      s.interval_days = static_cast<int>(every->as_int());
      s.at_minute = minute;
      s.time_zone = zone;
    }
  }
  s.updated_at = UnixNow(*call.ctx.clock);
  RAMPART_RETURN_IF_ERROR(call.ctx.storage->PutBaselineSettings(s));
  return GetPolicy(call);
}

Result<net::HttpResponse> DeletePolicy(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo p,
                           service->GetPolicy(call.principal.tenant_id, call.Param("id")));
  if (p.source != "custom") {
    return FailedPrecondition("baseline policy " + p.id +
                              " is shipped with rampart and cannot be deleted; disable it "
                              "instead (PATCH {\"enabled\": false})");
  }
  RAMPART_RETURN_IF_ERROR(call.ctx.storage->DeleteBaselinePolicy(call.principal.tenant_id, p.id));
  return NoContent();
}

Result<net::HttpResponse> RunPolicy(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  // The policy first: another tenant's id is a 404 whatever the body says.
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo p,
                           service->GetPolicy(call.principal.tenant_id, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/true));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"host_ids"}));
  std::vector<std::string> hosts;
  if (const Json* ids = body.Find("host_ids"); ids != nullptr && !ids->is_null()) {
    if (!ids->is_array() || ids->size() > kMaxBaselineRunHosts) {
      return InvalidArgument("field 'host_ids': expected an array of at most " +
                             std::to_string(kMaxBaselineRunHosts) + " host ids");
    }
    for (const Json& id : ids->as_array()) {
      if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 64) {
        return InvalidArgument("field 'host_ids': expected host ids (strings of 1 to 64 bytes)");
      }
      hosts.push_back(id.as_string());
    }
  }
  RAMPART_ASSIGN_OR_RETURN(
      BaselineService::RunResult run,
      service->Run(call.principal.tenant_id, p.id, hosts, ActorName(call.principal)));
  Json out = Json::MakeObject();
  out.Set("run_id", run.run.id);
  out.Set("policy_id", p.id);
  out.Set("hosts_targeted", run.run.hosts_targeted);
  out.Set("command_ids", Json::StringArray(run.command_ids));
  out.Set("host_ids", Json::StringArray(run.host_ids));
  return JsonResponse(202, out);
}

Result<net::HttpResponse> GetRun(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineRun run, call.ctx.storage->GetBaselineRun(
                                                call.principal.tenant_id, call.Param("id")));
  Json out = Json::MakeObject();
  out.Set("id", run.id);
  out.Set("policy_id", run.policy_id);
  out.Set("hosts_targeted", run.hosts_targeted);
  out.Set("results_received", run.results_received);
  out.Set("created_by", run.created_by);
  out.Set("started_at", TimeJson(run.started_at));
  return JsonResponse(200, out);
}

Status CheckStatusParam(const std::optional<std::string>& status) {
  if (status && *status != "pass" && *status != "fail" && *status != "not_applicable" &&
      *status != "error") {
    return InvalidArgument(
        "query parameter 'status': expected pass, fail, not_applicable or error");
  }
  return Status::Ok();
}

// Ignores of the tenant that cover a whole check (every host).
std::set<std::pair<std::string, std::string>> ItemIgnores(const std::vector<BaselineIgnore>& all) {
  std::set<std::pair<std::string, std::string>> out;
  for (const BaselineIgnore& i : all) {
    if (i.host_id.empty()) out.insert({i.policy_id, i.check_id});
  }
  return out;
}

Result<net::HttpResponse> ListChecks(const Call& call) {
  const auto status = call.request.Query("status");
  RAMPART_RETURN_IF_ERROR(CheckStatusParam(status));
  const auto level = call.request.Query("level");
  if (level && *level != "low" && *level != "medium" && *level != "high") {
    return InvalidArgument("query parameter 'level': expected low, medium or high");
  }
  RAMPART_ASSIGN_OR_RETURN(BaselineCounts counts, call.ctx.storage->CountBaselineResults(
                                                      call.principal.tenant_id,
                                                      call.request.Query("policy").value_or("")));
  RAMPART_ASSIGN_OR_RETURN(auto ignores,
                           call.ctx.storage->ListBaselineIgnores(call.principal.tenant_id));
  const auto item_ignores = ItemIgnores(ignores);
  Json out = Json::MakeArray();
  for (const BaselineCheckCount& c : counts.checks) {
    const BaselineCheckResult& r = c.check;
    if (level && r.level != *level) continue;
    if (status) {
      const std::int64_t n = *status == "pass"    ? c.passed
                             : *status == "fail"  ? c.failed
                             : *status == "error" ? c.error
                                                  : c.not_applicable;
      if (n == 0) continue;
    }
    Json j = Json::MakeObject();
    j.Set("policy_id", c.policy_id);
    j.Set("check_id", r.check_id);
    j.Set("title", r.title);
    j.Set("level", r.level);
    j.Set("passed", c.passed);
    j.Set("failed", c.failed);
    j.Set("not_applicable", c.not_applicable);
    j.Set("error", c.error);
    j.Set("ignored_hosts", c.ignored);
    j.Set("ignored", item_ignores.count({c.policy_id, r.check_id}) > 0);
    j.Set("pass_rate", RateJson(c.passed, c.failed));
    j.Set("remediation", r.remediation);
    j.Set("remediation_command",
          r.remediation_command.empty() ? Json() : Json(r.remediation_command));
    j.Set("references", Json::StringArray(r.references));
    out.Push(std::move(j));
  }
  return JsonResponse(200, ListJson(std::move(out)));
}

Result<net::HttpResponse> CheckHosts(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(BaselinePolicyInfo p,
                           service->GetPolicy(call.principal.tenant_id, call.Param("id")));
  const auto status = call.request.Query("status");
  RAMPART_RETURN_IF_ERROR(CheckStatusParam(status));
  BaselineResultQuery q;
  q.policy_id = p.id;
  q.check_id = std::string(call.Param("check_id"));
  q.status = status.value_or("");
  RAMPART_ASSIGN_OR_RETURN(auto rows, Results(call, q));
  Json items = Json::MakeArray();
  for (const BaselineResultRow& r : rows) {
    Json j = Json::MakeObject();
    j.Set("host_id", r.host_id);
    j.Set("hostname", r.hostname);
    j.Set("status", r.result.status);
    j.Set("evidence", r.result.evidence);
    j.Set("ignored", r.ignored);
    j.Set("checked_at", TimeJson(r.checked_at));
    j.Set("run_id", r.run_id.empty() ? Json() : Json(r.run_id));
    items.Push(std::move(j));
  }
  Json body = ListJson(std::move(items));
  body.Set("policy_id", p.id);
  body.Set("check_id", q.check_id);
  if (!rows.empty()) {
    body.Set("title", rows[0].result.title);
    body.Set("level", rows[0].result.level);
    body.Set("remediation", rows[0].result.remediation);
    const std::string& command = rows[0].result.remediation_command;
    body.Set("remediation_command", command.empty() ? Json() : Json(command));
    body.Set("references", Json::StringArray(rows[0].result.references));
  }
  return JsonResponse(200, body);
}

Result<net::HttpResponse> HostBaseline(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Host host,
                           call.ctx.storage->GetHost(call.principal.tenant_id, call.Param("id")));
  const auto status = call.request.Query("status");
  RAMPART_RETURN_IF_ERROR(CheckStatusParam(status));
  BaselineResultQuery q;
  q.host_id = host.id;
  q.policy_id = call.request.Query("policy").value_or("");
  RAMPART_ASSIGN_OR_RETURN(auto rows, Results(call, q));
  Counts all;
  std::map<std::string, Counts> per_policy;
  Json items = Json::MakeArray();
  for (const BaselineResultRow& r : rows) {
    all.Add(r);
    per_policy[r.policy_id].Add(r);
    if (status && r.result.status != *status) continue;
    Json j = Json::MakeObject();
    j.Set("policy_id", r.policy_id);
    j.Set("check_id", r.result.check_id);
    j.Set("title", r.result.title);
    j.Set("level", r.result.level);
    j.Set("status", r.result.status);
    j.Set("evidence", r.result.evidence);
    j.Set("remediation", r.result.remediation);
    j.Set("remediation_command",
          r.result.remediation_command.empty() ? Json() : Json(r.result.remediation_command));
    j.Set("references", Json::StringArray(r.result.references));
    j.Set("ignored", r.ignored);
    j.Set("checked_at", TimeJson(r.checked_at));
    items.Push(std::move(j));
  }
  Json policies = Json::MakeArray();
  for (const auto& [id, c] : per_policy) {
    Json j = Json::MakeObject();
    j.Set("policy_id", id);
    j.Set("pass_rate", RateJson(c.passed, c.failed));
    j.Set("passed", c.passed);
    j.Set("failed", c.failed);
    policies.Push(std::move(j));
  }
  Json body = ListJson(std::move(items));
  body.Set("host_id", host.id);
  body.Set("pass_rate", RateJson(all.passed, all.failed));
  body.Set("passed", all.passed);
  body.Set("failed", all.failed);
  body.Set("policies", std::move(policies));
  return JsonResponse(200, body);
}

Json IgnoreJson(const BaselineIgnore& i) {
  Json j = Json::MakeObject();
  j.Set("id", i.id);
  j.Set("policy_id", i.policy_id);
  j.Set("check_id", i.check_id.empty() ? Json() : Json(i.check_id));
  j.Set("host_id", i.host_id.empty() ? Json() : Json(i.host_id));
  j.Set("scope", i.check_id.empty() ? "host" : i.host_id.empty() ? "item" : "item_host");
  j.Set("reason", i.reason);
  j.Set("created_by", i.created_by);
  j.Set("created_at", TimeJson(i.created_at));
  return j;
}

Result<net::HttpResponse> ListIgnores(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(auto all,
                           call.ctx.storage->ListBaselineIgnores(call.principal.tenant_id));
  Json items = Json::MakeArray();
  for (const BaselineIgnore& i : all) items.Push(IgnoreJson(i));
  return JsonResponse(200, ListJson(std::move(items)));
}

Result<net::HttpResponse> CreateIgnore(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"policy_id", "check_id", "host_id", "reason"}));
  BaselineIgnore ig;
  ig.tenant_id = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(ig.policy_id, RequiredString(body, "policy_id"));
  RAMPART_ASSIGN_OR_RETURN(auto check, OptionalString(body, "check_id"));
  RAMPART_ASSIGN_OR_RETURN(auto host, OptionalString(body, "host_id"));
  RAMPART_ASSIGN_OR_RETURN(auto reason, OptionalString(body, "reason"));
  ig.check_id = check.value_or("");
  ig.host_id = host.value_or("");
  ig.reason = reason.value_or("");
  if (ig.check_id.empty() && ig.host_id.empty()) {
    return InvalidArgument(
        "request body: expected \"check_id\" (the check on every host), \"host_id\" (every "
        "check of the policy on that host) or both");
  }
  if (!ig.check_id.empty() && !IsBaselineId(ig.check_id)) {
    return InvalidArgument("field 'check_id': expected a check id");
  }
  if (ig.reason.size() > kMaxReason) {
    return InvalidArgument("field 'reason': at most " + std::to_string(kMaxReason) + " bytes");
  }
  auto policy = service->GetPolicy(ig.tenant_id, ig.policy_id);
  if (!policy.ok()) {
    if (policy.status().code() == Code::kNotFound) {
      return InvalidArgument("field 'policy_id': no policy " + Printable(ig.policy_id));
    }
    return policy.status();
  }
  if (!ig.host_id.empty()) {
    auto h = call.ctx.storage->GetHost(ig.tenant_id, ig.host_id);
    if (!h.ok() && h.status().code() == Code::kNotFound) {
      return InvalidArgument("field 'host_id': no host " + Printable(ig.host_id));
    }
    RAMPART_RETURN_IF_ERROR(h.status());
  }
  ig.created_by = ActorName(call.principal);
  ig.created_at = UnixNow(*call.ctx.clock);
  RAMPART_ASSIGN_OR_RETURN(BaselineIgnore stored, call.ctx.storage->CreateBaselineIgnore(ig));
  return JsonResponse(201, IgnoreJson(stored));
}

Result<net::HttpResponse> DeleteIgnore(const Call& call) {
  RAMPART_RETURN_IF_ERROR(
      call.ctx.storage->DeleteBaselineIgnore(call.principal.tenant_id, call.Param("id")));
  return NoContent();
}

Result<net::HttpResponse> Trend(const Call& call) {
  std::int64_t days = 30;
  if (auto text = call.request.Query("days")) {
    auto n = ParseInt<std::int64_t>(*text);
    if (!n || *n < 1 || *n > 366) {
      return InvalidArgument("query parameter 'days': expected an integer from 1 to 366");
    }
    days = *n;
  }
  const std::int64_t now = UnixNow(*call.ctx.clock);
  const std::string since = FormatIso8601(now - (days - 1) * 86400).substr(0, 10);
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           call.ctx.storage->BaselineTrend(call.principal.tenant_id, since));
  Json out = Json::MakeArray();
  for (const BaselineDay& d : rows) {
    Json j = Json::MakeObject();
    j.Set("date", d.date);
    // A day whose results were all not_applicable/error: nothing failed.
    j.Set("pass_rate", d.passed + d.failed == 0 ? Json(1.0)
                                                : Json(static_cast<double>(d.passed) /
                                                       static_cast<double>(d.passed + d.failed)));
    j.Set("hosts", d.hosts);
    j.Set("passed", d.passed);
    j.Set("failed", d.failed);
    out.Push(std::move(j));
  }
  Json body = Json::MakeObject();
  body.Set("days", std::move(out));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> Summary(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(BaselineService * service, Service(call));
  RAMPART_ASSIGN_OR_RETURN(auto policies, service->ListPolicies(call.principal.tenant_id));
  RAMPART_ASSIGN_OR_RETURN(BaselineCounts counts,
                           call.ctx.storage->CountBaselineResults(call.principal.tenant_id, ""));
  Totals c;
  for (const auto& [policy, t] : PolicyTotals(counts)) {
    c.passed += t.passed;
    c.failed += t.failed;
  }
  std::int64_t enabled = 0;
  for (const BaselinePolicyInfo& p : policies) enabled += p.settings.enabled ? 1 : 0;
  Json body = Json::MakeObject();
  body.Set("pass_rate", RateJson(c.passed, c.failed));
  body.Set("hosts_checked", counts.hosts);
  body.Set("failed_checks", c.failed);
  body.Set("policies", enabled);
  return JsonResponse(200, body);
}

}  // namespace

void AddBaselineRoutes(std::vector<Route>& routes) {
  const std::string tag = "baseline";
  AddRoute(routes, "GET", "/api/v1/baseline/policies", "viewer", tag,
           "Baseline policies (shipped and uploaded) with settings and pass rates", ListPolicies);
  AddRoute(routes, "POST", "/api/v1/baseline/policies", "admin", tag,
           "Upload a custom policy (body: the YAML, or JSON {\"yaml\"}); 400 lists every problem "
           "with line, column and check id",
           UploadPolicy)
      .success_status = 201;
  AddRoute(routes, "GET", "/api/v1/baseline/policies/{id}", "viewer", tag,
           "One policy with its YAML", GetPolicy);
  AddRoute(routes, "PATCH", "/api/v1/baseline/policies/{id}", "admin", tag,
           "Set enabled, scope (\"all\" or host ids) and schedule ({every_days 1|3|5|7, at "
           "HH:MM, time_zone IANA name (UTC)} or null)",
           PatchPolicy);
  AddRoute(routes, "DELETE", "/api/v1/baseline/policies/{id}", "admin", tag,
           "Delete a custom policy with its results and ignores (shipped ones: 409)", DeletePolicy)
      .success_status = 204;
  AddRoute(routes, "POST", "/api/v1/baseline/policies/{id}/run", "operator", tag,
           "Run now on the policy's scope or on {\"host_ids\"}: queues run_baseline commands",
           RunPolicy)
      .success_status = 202;
  AddRoute(routes, "GET", "/api/v1/baseline/policies/{id}/checks/{check_id}/hosts", "viewer", tag,
           "Hosts of one check with status and evidence", CheckHosts)
      .query = {{"status", "string", "pass, fail, not_applicable or error."}};
  AddRoute(routes, "GET", "/api/v1/baseline/checks", "viewer", tag,
           "Per check: hosts passed, failed, not applicable, error and ignored", ListChecks)
      .query = {{"policy", "string", "Checks of one policy."},
                {"status", "string", "Checks with at least one host in this status."},
                {"level", "string", "low, medium or high."}};
  AddRoute(routes, "GET", "/api/v1/baseline/runs/{id}", "viewer", tag,
           "One run: hosts targeted and results received", GetRun);
  AddRoute(routes, "GET", "/api/v1/hosts/{id}/baseline", "viewer", tag,
           "One host's baseline items with evidence and fix advice, and its pass rate",
           HostBaseline)
      .query = {{"policy", "string", "Items of one policy."},
                {"status", "string", "pass, fail, not_applicable or error."}};
  AddRoute(routes, "GET", "/api/v1/baseline/ignores", "viewer", tag, "Baseline ignores",
           ListIgnores);
  AddRoute(routes, "POST", "/api/v1/baseline/ignores", "operator", tag,
           "Ignore a check on every host, every check of a policy on a host, or one check on one "
           "host",
           CreateIgnore)
      .success_status = 201;
  AddRoute(routes, "DELETE", "/api/v1/baseline/ignores/{id}", "operator", tag, "Remove an ignore",
           DeleteIgnore)
      .success_status = 204;
  AddRoute(routes, "GET", "/api/v1/baseline/trend", "viewer", tag,
           "The tenant's pass rate per day (UTC), oldest first", Trend)
      .query = {{"days", "integer", "How many days back (1..366, default 30)."}};
  AddRoute(routes, "GET", "/api/v1/baseline/summary", "viewer", tag,
           "Pass rate, hosts checked, failed checks, enabled policies", Summary);
}

}  // namespace rampart::server::api
