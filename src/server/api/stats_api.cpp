// /api/v1/stats/...: the console's dashboard aggregates, scriptable like everything else.
//  - overview: hosts by status, hosts at risk and the 10 riskiest hosts (the same figures as
//    /api/v1/host-summary: risk score = vulnerabilities + baseline_failures + events + malware,
//    the host's open-risk counters), open (pending) events by type and by level, open findings by
//    severity;
//  - events?days=N&tz_offset=M: events per day (by first_seen) and by level, zero days filled,
//    days in the caller's zone (M minutes east of UTC), oldest first, today last;
//  - vulnerabilities?days=N: open findings by severity per UTC day from the daily snapshots
//    (stats_vuln_daily, written by the "stats-snapshot" job); today is the live count; days
//    before the first snapshot are absent.
#include <string>

#include "common/strings.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/stats_model.h"

namespace rampart::server::api {
namespace {

constexpr int kTopRisky = 10;
constexpr std::int64_t kMaxDays = 90;
constexpr std::int64_t kDefaultDays = 30;
constexpr std::int64_t kMaxOffsetMinutes = 14 * 60;

Result<std::int64_t> IntParam(const net::HttpRequest& request, std::string_view name,
                              std::int64_t min, std::int64_t max, std::int64_t fallback) {
  auto text = request.Query(name);
  if (!text) return fallback;
  auto n = ParseInt<std::int64_t>(*text);
  if (!n || *n < min || *n > max) {
    return InvalidArgument("query parameter '" + std::string(name) +
                           "': expected an integer from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got '" + Printable(text->substr(0, 40)) + "'");
  }
  return *n;
}

Json Severities(const SeverityCounts& counts) {
  Json out = Json::MakeObject();
  for (std::size_t i = 0; i < kStatsSeverities.size(); ++i) out.Set(kStatsSeverities[i], counts[i]);
  return out;
}

std::int64_t Sum(const SeverityCounts& counts) {
  std::int64_t total = 0;
  for (std::int64_t n : counts) total += n;
  return total;
}

Result<net::HttpResponse> OverviewRoute(const Call& call) {
  const std::string& tenant = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(HostSummary hosts, call.ctx.storage->SummarizeHosts(tenant, kTopRisky));
  RAMPART_ASSIGN_OR_RETURN(StatsOverview stats, call.ctx.storage->GetStatsOverview(tenant));
  Json by_type = Json::MakeObject();
  std::int64_t open_events = 0;
  for (const auto& [type, n] : stats.events_by_type) {
    by_type.Set(type, n);
    open_events += n;
  }
  Json by_level = Json::MakeObject();
  for (std::size_t i = 0; i < kEventLevelNames.size(); ++i) {
    by_level.Set(kEventLevelNames[i], stats.events_by_level[i]);
  }
  Json events = Json::MakeObject();
  events.Set("open", open_events);
  events.Set("by_type", std::move(by_type));
  events.Set("by_level", std::move(by_level));
  Json vulns = Json::MakeObject();
  vulns.Set("open", Sum(stats.findings_by_severity));
  vulns.Set("by_severity", Severities(stats.findings_by_severity));
  Json body = Json::MakeObject();
  body.Set("hosts", HostSummaryJson(hosts));
  body.Set("events", std::move(events));
  body.Set("vulnerabilities", std::move(vulns));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> EventsPerDayRoute(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(std::int64_t days,
                           IntParam(call.request, "days", 1, kMaxDays, kDefaultDays));
  RAMPART_ASSIGN_OR_RETURN(
      std::int64_t offset_minutes,
      IntParam(call.request, "tz_offset", -kMaxOffsetMinutes, kMaxOffsetMinutes, 0));
  const std::int64_t offset = offset_minutes * 60;
  const std::int64_t today = UtcDay(UnixNow(*call.ctx.clock) + offset);
  const std::int64_t first = today - days + 1;
  RAMPART_ASSIGN_OR_RETURN(
      auto counts,
      call.ctx.storage->CountEventsByDay(call.principal.tenant_id, first * 86400 - offset, offset));
  std::vector<std::array<std::int64_t, 4>> per_day(static_cast<std::size_t>(days));
  for (const EventDayCount& c : counts) {
    // Events stamped in the future (a skewed agent clock) fall outside the range and are left out.
    if (c.day < first || c.day > today || c.level < 0 || c.level > 3) continue;
    per_day[static_cast<std::size_t>(c.day - first)][static_cast<std::size_t>(c.level)] += c.count;
  }
  Json list = Json::MakeArray();
  for (std::int64_t d = 0; d < days; ++d) {
    const auto& levels = per_day[static_cast<std::size_t>(d)];
    Json by_level = Json::MakeObject();
    std::int64_t total = 0;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      by_level.Set(kEventLevelNames[i], levels[i]);
      total += levels[i];
    }
    Json day = Json::MakeObject();
    day.Set("date", DayText(first + d));
    day.Set("total", total);
    day.Set("by_level", std::move(by_level));
    list.Push(std::move(day));
  }
  Json body = Json::MakeObject();
  body.Set("tz_offset", offset_minutes);
  body.Set("days", std::move(list));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> VulnerabilitiesPerDayRoute(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(std::int64_t days,
                           IntParam(call.request, "days", 1, kMaxDays, kDefaultDays));
  const std::string& tenant = call.principal.tenant_id;
  const std::int64_t now = UnixNow(*call.ctx.clock);
  const std::int64_t today = UtcDay(now);
  const std::string today_text = DayText(today);
  RAMPART_ASSIGN_OR_RETURN(auto snapshots, call.ctx.storage->ListVulnSnapshots(
                                               tenant, DayText(today - days + 1), today_text));
  RAMPART_ASSIGN_OR_RETURN(StatsOverview live, call.ctx.storage->GetStatsOverview(tenant));
  Json list = Json::MakeArray();
  auto push = [&list](const std::string& date, const SeverityCounts& counts,
                      std::string_view source, std::int64_t taken_at) {
    Json day = Json::MakeObject();
    day.Set("date", date);
    day.Set("total", Sum(counts));
    day.Set("by_severity", Severities(counts));
    day.Set("source", source);
    day.Set("taken_at", TimeJson(taken_at));
    list.Push(std::move(day));
  };
  for (const VulnDaySnapshot& s : snapshots) {
    if (s.day != today_text) push(s.day, s.by_severity, "snapshot", s.taken_at);
  }
  push(today_text, live.findings_by_severity, "live", now);
  Json body = Json::MakeObject();
  body.Set("days", std::move(list));
  return JsonResponse(200, body);
}

}  // namespace

Json StatsOpenApiSchemas() {
  auto parsed = Json::Parse(R"json({
  "StatsOverview": {"type": "object", "properties": {
    "hosts": {"$ref": "#/components/schemas/HostSummary"},
    "events": {"type": "object", "description": "Open (pending) intrusion events.", "properties": {
      "open": {"type": "integer"},
      "by_type": {"type": "object", "additionalProperties": {"type": "integer"}},
      "by_level": {"type": "object", "properties": {"low": {"type": "integer"},
        "medium": {"type": "integer"}, "high": {"type": "integer"},
        "critical": {"type": "integer"}}}}},
    "vulnerabilities": {"type": "object", "description": "Open (pending) findings.",
      "properties": {"open": {"type": "integer"},
        "by_severity": {"$ref": "#/components/schemas/SeverityCounts"}}}}},
  "SeverityCounts": {"type": "object", "properties": {"critical": {"type": "integer"},
    "high": {"type": "integer"}, "medium": {"type": "integer"}, "low": {"type": "integer"},
    "unknown": {"type": "integer"}}},
  "EventsPerDay": {"type": "object", "properties": {
    "tz_offset": {"type": "integer", "description": "Minutes east of UTC the days are in."},
    "days": {"type": "array", "description": "One per day, oldest first, today last (zeros included).",
      "items": {"type": "object", "properties": {"date": {"type": "string", "format": "date"},
        "total": {"type": "integer"},
        "by_level": {"type": "object", "properties": {"low": {"type": "integer"},
          "medium": {"type": "integer"}, "high": {"type": "integer"},
          "critical": {"type": "integer"}}}}}}}},
  "VulnerabilitiesPerDay": {"type": "object", "properties": {
    "days": {"type": "array", "description": "UTC days with a daily snapshot, oldest first, then today (live).",
      "items": {"type": "object", "properties": {"date": {"type": "string", "format": "date"},
        "total": {"type": "integer"},
        "by_severity": {"$ref": "#/components/schemas/SeverityCounts"},
        "source": {"enum": ["snapshot", "live"]},
        "taken_at": {"$ref": "#/components/schemas/Time"}}}}}}
})json");
  return parsed.ok() ? std::move(*parsed) : Json::MakeObject();
}

void AddStatsRoutes(std::vector<Route>& routes) {
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/stats/overview", "viewer", "stats",
                            "Hosts by status, hosts at risk, the 10 riskiest hosts (score: the sum "
                            "of their risk counters), open events by type and level, open "
                            "vulnerability findings by severity",
                            OverviewRoute);
    r.response_schema = "StatsOverview";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/stats/events", "viewer", "stats",
                 "Intrusion events per day (by first seen) and level, zero days included, oldest "
                 "first",
                 EventsPerDayRoute);
    r.query = {{"days", "integer", "Days to cover, today included: 1 to 90 (default 30)."},
               {"tz_offset", "integer",
                "The caller's zone as minutes east of UTC, -840 to 840 (default 0): days start at "
                "its midnight."}};
    r.response_schema = "EventsPerDay";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/stats/vulnerabilities", "viewer", "stats",
                 "Open vulnerability findings by severity per UTC day (daily snapshots, today "
                 "live)",
                 VulnerabilitiesPerDayRoute);
    r.query = {{"days", "integer", "Days to cover, today included: 1 to 90 (default 30)."}};
    r.response_schema = "VulnerabilitiesPerDay";
  }
}

}  // namespace rampart::server::api
