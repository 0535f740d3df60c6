// /api/v1/blocks and /api/v1/hosts/{id}/blocks, /commands: the blocks agents report, and manual
// block/unblock requests, queued as agent commands (delivered when the agent is connected to any
// server node, see AgentHub::DeliverCommands) and answered 202 with the command.
#include "common/strings.h"
#include "server/api/events_json.h"
#include "server/api/request.h"
#include "server/api/routes.h"
#include "server/api/settings_schema.h"
#include "server/service/events_protocol.h"

namespace rampart::server::api {
namespace {

constexpr std::int64_t kMinBlockTtl = 60;
constexpr std::int64_t kMaxBlockTtl = 30 * 86400;
constexpr std::size_t kMaxReason = 64;

Result<net::HttpResponse> ListBlocks(const Call& call) {
  BlockQuery query;
  query.host_id = call.request.Query("host_id").value_or("");
  if (auto source = call.request.Query("source")) {
    auto normal = NormaliseIpOrCidr(*source);
    if (!normal) {
      return InvalidArgument("query parameter 'source': expected an IPv4/IPv6 address or CIDR");
    }
    query.source = *normal;
  }
  RAMPART_ASSIGN_OR_RETURN(query.page, PageFromQuery(call.request));
  auto page = call.ctx.storage->ListBlocks(call.principal.tenant_id, query);
  if (!page.ok() && page.error().code() == Code::kNotFound) {
    return InvalidArgument("query parameter 'host_id': no such host");
  }
  RAMPART_RETURN_IF_ERROR(page.status());
  Json items = Json::MakeArray();
  for (const BlockEntry& b : page->items) items.Push(BlockJson(b));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", page->next_cursor.empty() ? Json() : Json(page->next_cursor));
  return JsonResponse(200, body);
}

Result<net::HttpResponse> Queue(const Call& call, const Host& host, std::string name, Json args) {
  RAMPART_ASSIGN_OR_RETURN(
      AgentCommand queued,
      QueueAgentCommand(call, host.tenant_id, host.id, std::move(name), std::move(args)));
  Json body = Json::MakeObject();
  body.Set("command", CommandJson(queued));
  return JsonResponse(202, body);
}

Result<net::HttpResponse> BlockSource(const Call& call) {
  const std::string_view tenant = call.principal.tenant_id;
  RAMPART_ASSIGN_OR_RETURN(Host host, call.ctx.storage->GetHost(tenant, call.Param("id")));
  RAMPART_ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request, /*allow_empty=*/false));
  RAMPART_RETURN_IF_ERROR(RequireObject(body, "request body"));
  RAMPART_RETURN_IF_ERROR(CheckKnownFields(body, {"source", "ttl_seconds", "reason"}));
  RAMPART_ASSIGN_OR_RETURN(std::string source_text, RequiredString(body, "source"));
  auto source = NormaliseIpOrCidr(source_text);
  if (!source) {
    return InvalidArgument("field 'source': expected an IPv4/IPv6 address or CIDR, got '" +
                           Printable(source_text) + "'");
  }
  RAMPART_ASSIGN_OR_RETURN(auto ttl, OptionalInt(body, "ttl_seconds", kMinBlockTtl, kMaxBlockTtl));
  if (!ttl) {
    // The tenant's automatic block time, so manual and automatic blocks last alike.
    RAMPART_ASSIGN_OR_RETURN(TenantSettings settings, call.ctx.storage->GetSettings(tenant));
    const Json effective = EffectiveSettings(settings.settings);
    const Json* bf = effective.Find("brute_force");
    std::int64_t seconds = bf != nullptr ? bf->GetInt("block_seconds", 900) : 900;
    ttl = std::max(seconds, kMinBlockTtl);
  }
  RAMPART_ASSIGN_OR_RETURN(auto reason, OptionalString(body, "reason"));
  if (reason && (reason->empty() || reason->size() > kMaxReason)) {
    return InvalidArgument("field 'reason': expected 1 to 64 bytes");
  }
  Json args = Json::MakeObject();
  args.Set("source", *source);
  args.Set("ttl_seconds", *ttl);
  args.Set("reason", reason.value_or("manual"));
  return Queue(call, host, "block", std::move(args));
}

Result<net::HttpResponse> UnblockSource(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(Host host,
                           call.ctx.storage->GetHost(call.principal.tenant_id, call.Param("id")));
  // A CIDR's '/' cannot travel inside one path segment: it is written as '_' (10.0.0.0_24).
  std::string text(call.Param("source"));
  for (char& c : text) {
    if (c == '_') c = '/';
  }
  auto source = NormaliseIpOrCidr(text);
  if (!source) {
    return InvalidArgument(
        "path parameter 'source': expected an IPv4/IPv6 address or a CIDR "
        "written with '_' for '/' (10.0.0.0_24), got '" +
        Printable(call.Param("source")) + "'");
  }
  Json args = Json::MakeObject();
  args.Set("source", *source);
  return Queue(call, host, "unblock", std::move(args));
}

Result<net::HttpResponse> ListHostCommands(const Call& call) {
  RAMPART_ASSIGN_OR_RETURN(PageRequest page, PageFromQuery(call.request));
  RAMPART_ASSIGN_OR_RETURN(
      Page<AgentCommand> commands,
      call.ctx.storage->ListCommands(call.principal.tenant_id, call.Param("id"), page));
  Json items = Json::MakeArray();
  for (const AgentCommand& c : commands.items) items.Push(CommandJson(c));
  Json body = Json::MakeObject();
  body.Set("items", std::move(items));
  body.Set("next_cursor", commands.next_cursor.empty() ? Json() : Json(commands.next_cursor));
  return JsonResponse(200, body);
}

}  // namespace

void AddBlockRoutes(std::vector<Route>& routes) {
  const std::vector<QueryParamInfo> page_params = PageParams();
  std::vector<QueryParamInfo> list_params = {
      {"host_id", "string", "Blocks of one host."},
      {"source", "string", "Exact blocked address or CIDR."}};
  list_params.insert(list_params.end(), page_params.begin(), page_params.end());
  {
    RouteInfo& r =
        AddRoute(routes, "GET", "/api/v1/blocks", "viewer", "blocks",
                 "Active blocks as the agents last reported them, by host and source", ListBlocks);
    r.query = list_params;
    r.response_schema = "BlockPage";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "POST", "/api/v1/hosts/{id}/blocks", "operator", "blocks",
                 "Queue a block command for the host's agent (202 with the command)", BlockSource);
    r.request_schema = "BlockCreate";
    r.success_status = 202;
    r.response_schema = "CommandQueued";
  }
  {
    RouteInfo& r =
        AddRoute(routes, "DELETE", "/api/v1/hosts/{id}/blocks/{source}", "operator", "blocks",
                 "Queue an unblock command for the host's agent (a CIDR is written with '_' for "
                 "'/')",
                 UnblockSource);
    r.success_status = 202;
    r.response_schema = "CommandQueued";
  }
  {
    RouteInfo& r = AddRoute(routes, "GET", "/api/v1/hosts/{id}/commands", "viewer", "blocks",
                            "Commands queued for the host's agent and their delivery status, "
                            "newest first",
                            ListHostCommands);
    r.query = page_params;
    r.response_schema = "CommandPage";
  }
}

}  // namespace rampart::server::api
