// /api/v1/events: login security events (brute force, cracked, invalid-user scans, abnormal
// logins) with filters and cursor pagination; status handling one by one and in bulk; whitelisting
// from an event into the tenant's login whitelist, optionally applied to past events.
#include <algorithm>
#include <limits>
#include <set>

#include "common/strings.h"
#include "common/whitelist_scope.h"
#include "server/api/events_json.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/api/settings_schema.h"
#include "server/service/channel_protocol.h"
#include "server/service/events_protocol.h"

namespace rampart::server::api {
namespace {

constexpr std::size_t kMaxBulkIds = 500;
constexpr std::size_t kMaxNote = 4096;
constexpr int kSettingsAttempts = 5;

// since/until: ISO 8601 or Unix seconds.
Result<std::int64_t> TimeParam(const net::HttpRequest& request, std::string_view name) {
  auto text = request.Query(name);
  if (!text) return std::int64_t{0};
  if (auto n = ParseInt<std::int64_t>(*text); n && *n >= 0) return *n;
  auto parsed = ParseIso8601(*text);
  if (!parsed.ok()) {
    return InvalidArgument("query parameter '" + std::string(name) +
                           "': expected ISO 8601 (2026-01-31T00:00:00Z) or Unix seconds, got '" +
                           Printable(*text) + "'");
  }
  return *parsed;
}

Result<EventQuery> EventQueryFrom(const net::HttpRequest& request) {
  EventQuery query;
  if (auto type = request.Query("type")) {
    if (!IsEventType(*type)) {
      return InvalidArgument(
          "query parameter 'type': expected brute_force, cracked, invalid_user_scan or "
          "abnormal_login, got '" +
          Printable(*type) + "'");
    }
    query.type = *type;
  }
  if (auto level = request.Query("level")) {
    query.level = ParseEventLevel(*level);
    if (!query.level) {
      return InvalidArgument("query parameter 'level': expected low, medium, high or critical");
    }
  }
  if (auto status = request.Query("status")) {
    query.status = ParseEventStatus(*status);
    if (!query.status) {
      return InvalidArgument(
          "query parameter 'status': expected pending, handled, ignored, whitelisted or blocked");
    }
  }
  query.host_id = request.Query("host_id").value_or("");
  query.source = request.Query("source").value_or("");
  query.user = request.Query("user").value_or("");
  RAMPART_ASSIGN_OR_RETURN(query.since, TimeParam(request, "since"));
  RAMPART_ASSIGN_OR_RETURN(query.until, TimeParam(request, "until"));
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(request));
  return query;
}

Result<net::HttpResponse> ListEvents(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(EventQuery query, EventQueryFrom(call.request));
  auto page = call.ctx.storage->ListSecurityEvents(call.principal.tenant_id, query);
  if (!page.ok() && page.error().code() == Code::kNotFound) {
    return InvalidArgument("query parameter 'host_id': no such host");
  }
  RAMPART_RETURN_IF_ERROR(page.status());
  Json items = Json::MakeArray();
  for (const SecurityEvent& e : page->items) items.Push(EventJson(e));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", page->next_cursor.empty() ? Json() : Json(page->next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> GetEvent(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(SecurityEvent e, call.ctx.storage->GetSecurityEvent(
                                                call.principal.tenant_id, call.Param("id")));
  return JsonResponse(200, EventJson(e));
}

// A status an operator may set: "blocked" comes from the agents' block snapshots only.
Result<EventStatus> SettableStatus(const Json& body) {
  RAMPART_ASSIGN_OR_RETURN(std::string text, RequiredString(body, "status"));
  auto status = ParseEventStatus(text);
  if (!status || *status == EventStatus::kBlocked) {
    return InvalidArgument(
        "field 'status': expected pending, handled, ignored or whitelisted (blocked is set by the "
        "agent's block list; use POST /api/v1/hosts/{id}/blocks to block), got '" +
        Printable(text) + "'");
  }
  return *status;
}

Result<std::optional<std::string>> NoteField(const Json& body) {
  RAMPART_ASSIGN_OR_RETURN(auto note, OptionalString(body, "note"));
  if (note && note->size() > kMaxNote) {
    return InvalidArgument("field 'note': at most " + std::to_string(kMaxNote) + " bytes");
  }
  return note;
}

Result<net::HttpResponse> PatchEvent(const Call& call) {
  const std::string_view tenant = call.principal.tenant_id;
  // The event first: another tenant's id is a 404 whatever the body says.
  RAMPART_ASSIGN_OR_RETURN(SecurityEvent event,
                           call.ctx.storage->GetSecurityEvent(tenant, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"status", "note"}));
  if (body.Find("status") == nullptr && body.Find("note") == nullptr) {
    return InvalidArgument("request body: expected \"status\" and/or \"note\"");
  }
  EventStatus status = event.status;
  if (body.Find("status") != nullptr) {
    RAMPART_ASSIGN_OR_RETURN(status, SettableStatus(body));
  }
  RAMPART_ASSIGN_OR_RETURN(auto note, NoteField(body));
  RAMPART_RETURN_IF_ERROR(call.ctx.storage
                              ->SetEventStatus(tenant, {event.id}, status, note,
                                               ActorName(call.principal), UnixNow(*call.ctx.clock))
                              .status());
  RAMPART_ASSIGN_OR_RETURN(SecurityEvent updated,
                           call.ctx.storage->GetSecurityEvent(tenant, event.id));
  return JsonResponse(200, EventJson(updated));
}

Result<net::HttpResponse> BulkEvents(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"ids", "status", "note"}));
  const Json* ids = body.Find("ids");
  if (ids == nullptr || !ids->is_array() || ids->size() == 0 || ids->size() > kMaxBulkIds) {
    return InvalidArgument("field 'ids': expected an array of 1 to " + std::to_string(kMaxBulkIds) +
                           " event ids");
  }
  std::vector<std::string> wanted;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < ids->size(); ++i) {
    const Json& id = ids->as_array()[i];
    if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 64) {
      return InvalidArgument("field 'ids[" + std::to_string(i) +
                             "]': expected an event id (a string of 1 to 64 bytes)");
    }
    if (seen.insert(id.as_string()).second) wanted.push_back(id.as_string());
  }
  RAMPART_ASSIGN_OR_RETURN(EventStatus status, SettableStatus(body));
  RAMPART_ASSIGN_OR_RETURN(auto note, NoteField(body));
  RAMPART_ASSIGN_OR_RETURN(
      std::vector<std::string> changed,
      call.ctx.storage->SetEventStatus(call.principal.tenant_id, wanted, status, note,
                                       ActorName(call.principal), UnixNow(*call.ctx.clock)));
  const std::set<std::string> found(changed.begin(), changed.end());
  Json not_found = Json::MakeArray();
  for (const std::string& id : wanted) {
    if (found.count(id) == 0) not_found.Push(id);
  }
  Json out = Json::MakeObject();
  out.Set("status", EventStatusName(status));
  out.Set("updated", static_cast<std::int64_t>(changed.size()));
  out.Set("not_found", std::move(not_found));
  return JsonResponse(200, out);
}

// Adds {key: value, hosts: "all" | [hosts], scope keys} to the array at settings[section][list],
// or widens the entry already there with the same subject and the same scope (countries, days,
// hours, zone). `hosts` empty: all hosts. Returns false when nothing had to change.
bool AddWhitelistEntry(Json& settings, std::string_view section, std::string_view list,
                       std::string_view key, const std::string& value,
                       const std::vector<std::string>& host_ids, const WhitelistWindow& window) {
  Json* branch = settings.Find(section) != nullptr ? &settings[section] : nullptr;
  if (branch == nullptr || !branch->is_object()) {
    settings.Set(section, Json::MakeObject());
    branch = &settings[section];
  }
  if (branch->Find(list) == nullptr || !branch->Find(list)->is_array()) {
    branch->Set(list, Json::MakeArray());
  }
  Json& entries = (*branch)[list];
  for (Json& entry : entries.as_array()) {
    if (!entry.is_object() || entry.GetString(key) != value) continue;
    // A source entry naming a user as well is another, narrower entry.
    if (key == "source" && entry.Find("user") != nullptr) continue;
    auto existing = ParseWhitelistWindow(entry, "");
    if (!existing || !(*existing == window)) continue;
    Json& hosts = entry[std::string_view("hosts")];
    if (hosts.is_string()) return false;  // already "all"
    if (host_ids.empty()) {
      hosts = Json("all");
      return true;
    }
    if (hosts.is_array()) {
      bool changed = false;
      for (const std::string& id : host_ids) {
        bool have = false;
        for (const Json& h : hosts.as_array())
          have = have || (h.is_string() && h.as_string() == id);
        if (!have) {
          hosts.Push(id);
          changed = true;
        }
      }
      return changed;
    }
    hosts = host_ids.empty() ? Json("all") : Json::StringArray(host_ids);
    return true;
  }
  Json entry = Json::MakeObject();
  entry.Set(key, value);
  entry.Set("hosts", host_ids.empty() ? Json("all") : Json::StringArray(host_ids));
  window.AddTo(&entry);
  entries.Push(std::move(entry));
  return true;
}

// Past events a scoped whitelist covers: pending or blocked events of the source (or user) on the
// covered hosts whose last_seen and country fall in the scope. At most kMaxScopedPast.
constexpr std::size_t kMaxScopedPast = 100000;
Result<std::vector<std::string>> ScopedPastEvents(Storage& storage, std::string_view tenant,
                                                  const std::string& source,
                                                  const std::string& user,
                                                  const std::vector<std::string>& host_ids,
                                                  const WhitelistWindow& window) {
  std::set<std::string> ids;
  const std::vector<std::string> hosts = host_ids.empty() ? std::vector<std::string>{""} : host_ids;
  for (const std::string& host : hosts) {
    for (EventStatus status : {EventStatus::kPending, EventStatus::kBlocked}) {
      for (int pass = 0; pass < 2; ++pass) {
        EventQuery query;
        query.status = status;
        query.host_id = host;
        if (pass == 0) {
          if (source.empty()) continue;
          query.source = source;
        } else {
          if (user.empty()) continue;
          query.user = user;
        }
        query.page.limit = 500;
        do {
          RAMPART_ASSIGN_OR_RETURN(auto page, storage.ListSecurityEvents(tenant, query));
          for (const SecurityEvent& e : page.items) {
            if (window.CoversTime(e.reported.last_seen) &&
                window.CoversCountry(e.reported.country)) {
              ids.insert(e.id);
            }
          }
          query.page.cursor = page.next_cursor;
        } while (!query.page.cursor.empty() && ids.size() < kMaxScopedPast);
      }
    }
  }
  return std::vector<std::string>(ids.begin(), ids.end());
}

Result<net::HttpResponse> WhitelistFromEvent(const Call& call) {
  const std::string_view tenant = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(SecurityEvent event,
                           call.ctx.storage->GetSecurityEvent(tenant, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/true));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(
      body, {"scope", "hosts", "match", "apply_to_past", "countries", "days", "hours", "zone"}));
  RAMPART_ASSIGN_OR_RETURN(auto scope_text, OptionalString(body, "scope"));
  const std::string scope = scope_text.value_or("host");
  if (scope != "host" && scope != "all") {
    return InvalidArgument("field 'scope': expected host or all, got '" + Printable(scope) + "'");
  }
  // Covered hosts: "scope" (the event's host, or all), or an explicit list of host ids.
  std::vector<std::string> host_ids;
  if (const Json* hosts = body.Find("hosts"); hosts != nullptr && !hosts->is_null()) {
    if (scope_text) return InvalidArgument("fields 'scope' and 'hosts': give one of them");
    if (!hosts->is_array() || hosts->size() == 0 || hosts->size() > 10000) {
      return InvalidArgument(
          "field 'hosts': expected a non-empty array (at most 10000) of host ids");
    }
    for (const Json& h : hosts->as_array()) {
      if (!h.is_string() || h.as_string().empty() || h.as_string().size() > 64) {
        return InvalidArgument("field 'hosts': expected host ids, got " + h.Dump());
      }
      RAMPART_RETURN_IF_ERROR(call.ctx.storage->GetHost(tenant, h.as_string()).status());
      if (std::find(host_ids.begin(), host_ids.end(), h.as_string()) == host_ids.end()) {
        host_ids.push_back(h.as_string());
      }
    }
  }
  // Optional scope: countries, days, hours, zone (common/whitelist_scope.h).
  auto window = ParseWhitelistWindow(body, "field");
  if (!window) return window.error();
  RAMPART_ASSIGN_OR_RETURN(auto match_text, OptionalString(body, "match"));
  const std::string match = match_text.value_or("source");
  if (match != "source" && match != "user" && match != "source_and_user") {
    return InvalidArgument("field 'match': expected source, user or source_and_user, got '" +
                           Printable(match) + "'");
  }
  bool apply_to_past = false;
  if (const Json* apply = body.Find("apply_to_past"); apply != nullptr && !apply->is_null()) {
    if (!apply->is_bool()) return InvalidArgument("field 'apply_to_past': expected a boolean");
    apply_to_past = apply->as_bool();
  }
  const bool by_source = match != "user";
  const bool by_user = match != "source";
  std::string source;
  if (by_source) {
    auto normal = NormaliseIpOrCidr(event.reported.source);
    if (!normal) {
      return FailedPrecondition("event " + event.id + " has no source address to whitelist ('" +
                                Printable(event.reported.source) + "')");
    }
    source = *normal;
  }
  if (by_user && event.reported.user.empty()) {
    return FailedPrecondition("event " + event.id + " names no user to whitelist");
  }
  if (host_ids.empty() && scope == "host") host_ids.push_back(event.host_id);
  const std::int64_t now = UnixNow(*call.ctx.clock);

  // Read-modify-write of the settings with the version check PUT /settings uses; a concurrent
  // change makes us read again.
  std::int64_t version = 0;
  for (int attempt = 0;; ++attempt) {
    RAMPART_ASSIGN_OR_RETURN(TenantSettings current, call.ctx.storage->GetSettings(tenant));
    Json settings = current.settings.is_object() ? current.settings : Json::MakeObject();
    bool changed = false;
    if (by_source) {
      changed |=
          AddWhitelistEntry(settings, "login", "whitelist", "source", source, host_ids, *window);
    }
    if (by_user) {
      changed |= AddWhitelistEntry(settings, "login", "whitelist_users", "user",
                                   event.reported.user, host_ids, *window);
    }
    version = current.version;
    if (!changed) break;
    RAMPART_RETURN_IF_ERROR(ValidateSettings(settings, "settings."));
    auto stored = call.ctx.storage->PutSettings(tenant, settings, current.version, now);
    if (stored.ok()) {
      version = stored->version;
      break;
    }
    if (stored.error().code() != Code::kFailedPrecondition || attempt + 1 >= kSettingsAttempts) {
      return stored.error();
    }
  }
  const std::string by = ActorName(call.principal);
  RAMPART_RETURN_IF_ERROR(
      call.ctx.storage
          ->SetEventStatus(tenant, {event.id}, EventStatus::kWhitelisted, std::nullopt, by, now)
          .status());
  std::int64_t past = 0;
  if (apply_to_past && !window->restricts() && host_ids.size() <= 1) {
    RAMPART_ASSIGN_OR_RETURN(
        past, call.ctx.storage->WhitelistEvents(tenant, by_source ? source : std::string(),
                                                by_user ? event.reported.user : std::string(),
                                                host_ids.empty() ? std::string() : host_ids.front(),
                                                by, now));
  } else if (apply_to_past) {
    // A scoped entry covers only the past events in its hosts, days, hours and countries.
    RAMPART_ASSIGN_OR_RETURN(
        auto ids,
        ScopedPastEvents(*call.ctx.storage, tenant, by_source ? source : std::string(),
                         by_user ? event.reported.user : std::string(), host_ids, *window));
    if (!ids.empty()) {
      RAMPART_ASSIGN_OR_RETURN(
          auto changed_ids, call.ctx.storage->SetEventStatus(tenant, ids, EventStatus::kWhitelisted,
                                                             std::nullopt, by, now));
      past = static_cast<std::int64_t>(changed_ids.size());
    }
  }
  RAMPART_ASSIGN_OR_RETURN(SecurityEvent updated,
                           call.ctx.storage->GetSecurityEvent(tenant, event.id));
  Json out = Json::MakeObject();
  out.Set("event", EventJson(updated));
  out.Set("settings_version", version);
  out.Set("past_events_whitelisted", past);
  return JsonResponse(200, out);
}

}  // namespace

void AddEventRoutes(std::vector<Route>& routes) {
  const std::vector<QueryParamInfo> page_params = PageParams();
  std::vector<QueryParamInfo> list_params = {
      {"type", "string", "brute_force, cracked, invalid_user_scan or abnormal_login."},
      {"level", "string", "low, medium, high or critical."},
      {"status", "string", "pending, handled, ignored, whitelisted or blocked."},
      {"host_id", "string", "Events of one host."},
      {"source", "string", "Exact source address as reported."},
      {"user", "string", "Exact user name."},
      {"since", "string", "last_seen at or after (ISO 8601 or Unix seconds)."},
      {"until", "string", "last_seen at or before (ISO 8601 or Unix seconds)."}};
  list_params.insert(list_params.end(), page_params.begin(), page_params.end());
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/events", "viewer", "events",
                            "List login security events, newest last_seen first", ListEvents);
    r.query = list_params;
    r.response_schema = "EventPage";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/events/{id}", "viewer", "events", "One event", GetEvent);
    r.response_schema = "Event";
  }
  {
    RouteInfo& r = AddRoute(routes, "PATCH", "/api/v1/events/{id}", "operator", "events",
                            "Set an event's processing status and/or note", PatchEvent);
    r.request_schema = "EventUpdate";
    r.response_schema = "Event";
  }
  {
    RouteInfo& r = AddRoute(routes, "POST", "/api/v1/events/bulk", "operator", "events",
                            "Set the status of up to 500 events at once", BulkEvents);
    r.request_schema = "EventBulkUpdate";
    r.response_schema = "EventBulkResult";
  }
  {
    RouteInfo& r = AddRoute(routes, "POST", "/api/v1/events/{id}/whitelist", "operator", "events",
                            "Whitelist the event's source and/or user in the tenant's login "
                            "settings; optionally mark matching past events whitelisted",
                            WhitelistFromEvent);
    r.request_schema = "EventWhitelist";
    r.response_schema = "EventWhitelistResult";
  }
}

}  // namespace rampart::server::api
