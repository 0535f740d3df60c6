#include "server/api/events_json.h"

#include "common/logging.h"
#include "server/api/request.h"
#include "server/api/routes.h"

namespace rampart::server::api {

Json EventJson(const SecurityEvent& e) {
  const ReportedEvent& r = e.reported;
  Json out = Json::MakeObject();
  out.Set("id", e.id);
  out.Set("host_id", e.host_id);
  out.Set("hostname", e.hostname);
  out.Set("incident_id", r.incident_id);
  out.Set("type", r.type);
  out.Set("level", EventLevelName(r.level));
  out.Set("status", EventStatusName(e.status));
  out.Set("rule", r.rule);
  out.Set("service", r.service);
  out.Set("source", r.source);
  out.Set("user", r.user);
  out.Set("users", Json::StringArray(r.users));
  out.Set("sources", Json::StringArray(r.sources));
  out.Set("count", r.count);
  out.Set("failures", r.failures);
  out.Set("first_seen", TimeJson(r.first_seen));
  out.Set("last_seen", TimeJson(r.last_seen));
  out.Set("reason", r.reason);
  out.Set("network", r.network);
  out.Set("country", r.country);
  out.Set("created_at", TimeJson(e.created_at));
  out.Set("updated_at", TimeJson(e.updated_at));
  out.Set("status_changed_by", e.status_by.empty() ? Json() : Json(e.status_by));
  out.Set("status_changed_at", TimeJson(e.status_at));
  out.Set("note", e.note);
  return out;
}

Json BlockJson(const BlockEntry& b) {
  Json out = Json::MakeObject();
  out.Set("host_id", b.host_id);
  out.Set("hostname", b.hostname);
  out.Set("source", b.source);
  out.Set("reason", b.reason);
  out.Set("event_id", b.event_id.empty() ? Json() : Json(b.event_id));
  out.Set("created_at", TimeJson(b.created_at));
  out.Set("expires_at", TimeJson(b.expires_at));
  out.Set("backend", b.backend);
  out.Set("reported_at", TimeJson(b.updated_at));
  return out;
}

Json CommandJson(const AgentCommand& c) {
  Json out = Json::MakeObject();
  out.Set("id", c.id);
  out.Set("host_id", c.host_id);
  out.Set("name", c.name);
  out.Set("args", c.args);
  out.Set("status", CommandStatusName(c.status));
  out.Set("created_by", c.created_by);
  out.Set("created_at", TimeJson(c.created_at));
  out.Set("delivered_at", TimeJson(c.delivered_at));
  out.Set("applied_at", TimeJson(c.applied_at));
  // The agent's command result (docs/server.md, "Command results"): null until it arrives.
  out.Set("message", c.finished_at > 0 ? Json(c.message) : Json());
  out.Set("result", c.finished_at > 0 ? c.result : Json());
  out.Set("finished_at", TimeJson(c.finished_at));
  return out;
}

Result<AgentCommand> QueueAgentCommand(const Call& call, const std::string& tenant_id,
                                       const std::string& host_id, std::string name, Json args) {
  AgentCommand command;
  command.tenant_id = tenant_id;
  command.host_id = host_id;
  command.name = std::move(name);
  command.args = std::move(args);
  command.created_by = ActorName(call.principal);
  command.created_at = UnixNow(*call.ctx.clock);
  RAMPART_ASSIGN_OR_RETURN(AgentCommand queued, call.ctx.storage->EnqueueCommand(command));
  if (call.ctx.command_queued) call.ctx.command_queued(host_id);
  // Re-read: the delivery above may already have changed its status.
  auto page = call.ctx.storage->ListCommands(tenant_id, host_id, PageRequest{1, ""});
  if (page.ok() && !page->items.empty() && page->items.front().id == queued.id) {
    queued = page->items.front();
  }
  return queued;
}

std::string ActorName(const Principal& principal) {
  if (!principal.user_id.empty()) return "user:" + principal.user_id;
  return "token:" + principal.token_id;
}

namespace {

constexpr std::string_view kSchemas = R"json({
  "Event": {"type": "object", "properties": {
    "id": {"type": "string"}, "host_id": {"type": "string"}, "hostname": {"type": "string"},
    "incident_id": {"type": "string", "description": "The agent's stable id of the incident on its host."},
    "type": {"enum": ["brute_force", "cracked", "invalid_user_scan", "abnormal_login"]},
    "level": {"enum": ["low", "medium", "high", "critical"]},
    "status": {"enum": ["pending", "handled", "ignored", "whitelisted", "blocked"]},
    "rule": {"type": "string"}, "service": {"type": "string"}, "source": {"type": "string"},
    "user": {"type": "string"}, "users": {"type": "array", "items": {"type": "string"}},
    "sources": {"type": "array", "items": {"type": "string"}},
    "count": {"type": "integer"}, "failures": {"type": "integer"},
    "first_seen": {"$ref": "#/components/schemas/Time"},
    "last_seen": {"$ref": "#/components/schemas/Time"},
    "reason": {"enum": ["", "new_network", "unusual_hour", "new_user", "new_country"]},
    "network": {"type": "string"}, "country": {"type": "string"},
    "created_at": {"$ref": "#/components/schemas/Time"},
    "updated_at": {"$ref": "#/components/schemas/Time"},
    "status_changed_by": {"type": ["string", "null"], "description": "user:<id>, token:<id> or agent (block list)."},
    "status_changed_at": {"$ref": "#/components/schemas/Time"},
    "note": {"type": "string"}}},
  "EventPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "EventUpdate": {"type": "object", "additionalProperties": false, "properties": {
    "status": {"enum": ["pending", "handled", "ignored", "whitelisted"]},
    "note": {"type": "string", "maxLength": 4096}}},
  "EventBulkUpdate": {"type": "object", "additionalProperties": false, "required": ["ids", "status"],
    "properties": {"ids": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"type": "string"}},
      "status": {"enum": ["pending", "handled", "ignored", "whitelisted"]},
      "note": {"type": "string", "maxLength": 4096}}},
  "EventBulkResult": {"type": "object", "properties": {"status": {"type": "string"},
    "updated": {"type": "integer"}, "not_found": {"type": "array", "items": {"type": "string"}}}},
  "EventWhitelist": {"type": "object", "additionalProperties": false, "properties": {
    "scope": {"enum": ["host", "all"], "default": "host", "description": "The event's host only, or every host."},
    "hosts": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {"type": "string"},
      "description": "Covered hosts by id, instead of scope."},
    "match": {"enum": ["source", "user", "source_and_user"], "default": "source"},
    "countries": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
      "description": "Only logins located in these countries (GeoIP, ISO 3166-1 alpha-2)."},
    "days": {"type": "array", "minItems": 1, "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
    "hours": {"type": "string", "description": "HH:MM-HH:MM, end exclusive; 22:00-06:00 wraps midnight."},
    "zone": {"type": "string", "default": "UTC", "description": "Zone of days/hours: UTC, local (each host's), +HH:MM."},
    "apply_to_past": {"type": "boolean", "default": false,
      "description": "Also mark the tenant's pending and blocked events of that source/user (in scope: hosts, days, hours by last_seen, countries) whitelisted."}}},
  "EventWhitelistResult": {"type": "object", "properties": {
    "event": {"$ref": "#/components/schemas/Event"}, "settings_version": {"type": "integer"},
    "past_events_whitelisted": {"type": "integer"}}},
  "Block": {"type": "object", "properties": {
    "host_id": {"type": "string"}, "hostname": {"type": "string"}, "source": {"type": "string"},
    "reason": {"type": "string"}, "event_id": {"type": ["string", "null"]},
    "created_at": {"$ref": "#/components/schemas/Time"},
    "expires_at": {"$ref": "#/components/schemas/Time"},
    "backend": {"enum": ["nftables", "ipset", "none"]},
    "reported_at": {"$ref": "#/components/schemas/Time"}}},
  "BlockPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Block"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}},
  "BlockCreate": {"type": "object", "additionalProperties": false, "required": ["source"],
    "properties": {"source": {"type": "string", "description": "IPv4/IPv6 address or CIDR."},
      "ttl_seconds": {"type": "integer", "minimum": 60, "maximum": 2592000,
        "description": "Default: the tenant's brute_force.block_seconds (900 unless changed)."},
      "reason": {"type": "string", "maxLength": 64, "default": "manual"}}},
  "Command": {"type": "object", "properties": {
    "id": {"type": "string"}, "host_id": {"type": "string"}, "name": {"type": "string"},
    "args": {"type": "object"},
    "status": {"enum": ["pending", "delivered", "applied", "expired", "succeeded", "failed"]},
    "created_by": {"type": "string"}, "created_at": {"$ref": "#/components/schemas/Time"},
    "delivered_at": {"$ref": "#/components/schemas/Time"},
    "applied_at": {"$ref": "#/components/schemas/Time"},
    "message": {"type": ["string", "null"], "description": "The agent's message with its result."},
    "result": {"type": ["object", "null"], "description": "The agent's result object (command specific)."},
    "finished_at": {"$ref": "#/components/schemas/Time"}}},
  "CommandQueued": {"type": "object", "properties": {
    "command": {"$ref": "#/components/schemas/Command"}}},
  "CommandPage": {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Command"}},
    "next_cursor": {"$ref": "#/components/schemas/Cursor"}}}
})json";

}  // namespace

Json EventsOpenApiSchemas() {
  auto schemas = Json::Parse(kSchemas);
  if (!schemas.ok()) {
    log::Error("openapi: event schemas do not parse: {}", schemas.error().ToString());
    return Json::MakeObject();
  }
  return std::move(*schemas);
}

}  // namespace rampart::server::api
