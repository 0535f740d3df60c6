#include "server/service/agent_hub.h"

#include <chrono>
#include <unordered_set>
#include <utility>

#include "common/logging.h"
#include "common/wire.h"
#include "server/service/baseline_protocol.h"
#include "server/service/enrollment.h"
#include "server/service/events_protocol.h"
#include "server/service/malware_protocol.h"

namespace rampart::server {
namespace {

constexpr std::size_t kMaxAgentVersion = 64;
constexpr int kHostListPage = 500;
constexpr int kCommandsPerDelivery = 100;

net::HttpResponse JsonError(int status, std::string_view code, std::string_view message) {
  net::HttpResponse response;
  response.status = status;
  Json error = Json::MakeObject();
  error.Set("code", code);
  error.Set("message", message);
  Json body = Json::MakeObject();
  body.Set("error", std::move(error));
  response.body = body.Dump();
  return response;
}

}  // namespace

// One agent's channel. The net layer serialises OnMessage/OnClose; other threads (config pushes,
// commands, the removed-host sweep) send through the same object, hence the mutex.
class AgentHub::Session final : public net::WsHandler {
 public:
  Session(AgentHub& hub, std::shared_ptr<net::WsConnection> connection, const Host& host)
      : hub_(hub), host_id_(host.id), tenant_id_(host.tenant_id), conn_(std::move(connection)) {}

  void OnMessage(std::string_view text) override { hub_.HandleMessage(*this, text); }

  void OnClose() override {
    {
      std::lock_guard lock(mu_);
      // Drops the connection's reference to us (it holds the handler): no cycle outlives it.
      conn_.reset();
    }
    hub_.Unregister(this);
  }

  const std::string& host_id() const { return host_id_; }
  const std::string& tenant_id() const { return tenant_id_; }

  bool Send(std::string text) {
    std::lock_guard lock(mu_);
    return conn_ != nullptr && conn_->Send(std::move(text));
  }

  void Close() {
    std::shared_ptr<net::WsConnection> conn;
    {
      std::lock_guard lock(mu_);
      conn = conn_;
    }
    if (conn != nullptr) conn->Close();
  }

  // The agent said hello: remember what it runs and which config it holds.
  void Hello(std::string agent_version, std::int64_t config_version) {
    std::lock_guard lock(mu_);
    agent_version_ = std::move(agent_version);
    config_version_ = config_version;
  }

  // Sends a config message when `version` is newer than what the agent holds (or, with `force`,
  // whenever it differs). Under the mutex so a hello and a concurrent push cannot send versions
  // out of order.
  bool SendConfig(std::int64_t version, const std::string& text, bool force) {
    std::lock_guard lock(mu_);
    const bool stale = force ? version != config_version_ : version > config_version_;
    if (!stale || conn_ == nullptr) return false;
    if (!conn_->Send(text)) return false;
    config_version_ = version;
    return true;
  }

 private:
  AgentHub& hub_;
  const std::string host_id_;
  const std::string tenant_id_;
  std::mutex mu_;
  std::shared_ptr<net::WsConnection> conn_;  // GUARDED_BY(mu_); null once closed
  std::string agent_version_;                // GUARDED_BY(mu_)
  std::int64_t config_version_ = -1;         // GUARDED_BY(mu_); -1: no hello yet
};

AgentHub::AgentHub(Storage& storage, const Clock& clock, HeartbeatWriter& heartbeats,
                   ServerMetrics* metrics, AgentHubOptions options)
    : storage_(storage),
      clock_(clock),
      heartbeats_(heartbeats),
      metrics_(metrics),
      options_(std::move(options)) {}

AgentHub::~AgentHub() = default;

std::int64_t AgentHub::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
}

std::shared_ptr<net::WsHandler> AgentHub::Accept(const net::HttpRequest& request,
                                                 std::shared_ptr<net::WsConnection> connection,
                                                 net::HttpResponse& refusal) {
  auto header = request.headers.Get("authorization");
  if (!header) {
    refusal = JsonError(401, "unauthenticated",
                        "agent channel: expected \"Authorization: Agent <host_id>:<secret>\"");
    refusal.headers.Add("WWW-Authenticate", wire::kAgentAuthScheme);
    return nullptr;
  }
  auto host = AuthenticateAgent(storage_, *header);
  if (!host) {
    if (host.error().code() == Code::kUnauthenticated) {
      refusal = JsonError(401, "unauthenticated", host.error().message());
      refusal.headers.Add("WWW-Authenticate", wire::kAgentAuthScheme);
    } else {
      log::Warn("agent channel: authenticating {}: {}", request.remote_addr,
                host.error().ToString());
      refusal = JsonError(503, "unavailable", "the server cannot check credentials right now");
      refusal.headers.Add("Retry-After", "5");
    }
    return nullptr;
  }
  auto session = std::make_shared<Session>(*this, std::move(connection), *host);
  Register(session);
  log::Debug("agent channel: {} (tenant {}) connected from {}", host->id, host->tenant_id,
             request.remote_addr);
  return session;
}

void AgentHub::Register(const std::shared_ptr<Session>& session) {
  std::shared_ptr<Session> replaced;
  {
    std::lock_guard lock(mu_);
    auto& sessions = by_tenant_[session->tenant_id()];
    auto it = sessions.find(session->host_id());
    if (it != sessions.end()) {
      replaced = it->second;
      it->second = session;
    } else {
      sessions.emplace(session->host_id(), session);
    }
    tenant_of_[session->host_id()] = session->tenant_id();
  }
  // A reconnecting agent whose old socket has not timed out yet: the new one wins.
  if (replaced != nullptr) replaced->Close();
}

void AgentHub::Unregister(const Session* session) {
  std::lock_guard lock(mu_);
  auto tenant = by_tenant_.find(session->tenant_id());
  if (tenant == by_tenant_.end()) return;
  auto it = tenant->second.find(session->host_id());
  // Only when it is still this session: a replacement must stay registered.
  if (it == tenant->second.end() || it->second.get() != session) return;
  tenant->second.erase(it);
  tenant_of_.erase(session->host_id());
  if (tenant->second.empty()) by_tenant_.erase(tenant);
}

std::shared_ptr<AgentHub::Session> AgentHub::Find(std::string_view host_id) const {
  std::lock_guard lock(mu_);
  auto tenant = tenant_of_.find(std::string(host_id));
  if (tenant == tenant_of_.end()) return nullptr;
  auto sessions = by_tenant_.find(tenant->second);
  if (sessions == by_tenant_.end()) return nullptr;
  auto it = sessions->second.find(std::string(host_id));
  return it == sessions->second.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<AgentHub::Session>> AgentHub::TenantSessions(
    std::string_view tenant_id) const {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu_);
  auto sessions = by_tenant_.find(std::string(tenant_id));
  if (sessions == by_tenant_.end()) return out;
  out.reserve(sessions->second.size());
  for (const auto& [host, session] : sessions->second) out.push_back(session);
  return out;
}

std::size_t AgentHub::connected_count() const {
  std::lock_guard lock(mu_);
  return tenant_of_.size();
}

bool AgentHub::IsConnected(std::string_view host_id) const { return Find(host_id) != nullptr; }

bool AgentHub::HasTenant(std::string_view tenant_id) const {
  std::lock_guard lock(mu_);
  return by_tenant_.count(std::string(tenant_id)) != 0;
}

std::vector<std::string> AgentHub::ConnectedTenants() const {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  out.reserve(by_tenant_.size());
  for (const auto& [tenant, sessions] : by_tenant_) out.push_back(tenant);
  return out;
}

std::string AgentHub::ConfigText(std::string_view tenant_id, std::int64_t version,
                                 const Json& settings) const {
  Json effective = options_.effective_settings ? options_.effective_settings(settings) : settings;
  // The tenant's trusted files go with the settings (the API bumps the settings version when they
  // change); each agent applies the entries that cover its host.
  auto trusted = storage_.ListTrustedFiles(tenant_id);
  if (!trusted.ok()) {
    log::Warn("agent channel: trusted files of tenant {}: {}", tenant_id,
              trusted.error().ToString());
  } else if (effective.is_object()) {
    Json entries = Json::MakeArray();
    for (const TrustedFile& t : *trusted) {
      Json entry = Json::MakeObject();
      entry.Set("kind", t.kind);
      entry.Set("value", t.value);
      entry.Set("hosts", t.host_ids.empty() ? Json("all") : Json::StringArray(t.host_ids));
      entries.Push(std::move(entry));
    }
    Json& malware = effective["malware"];
    if (!malware.is_object()) malware = Json::MakeObject();
    malware.Set("trusted", std::move(entries));
  }
  return ConfigMessage(version, effective);
}

std::size_t AgentHub::PushConfig(std::string_view tenant_id, std::int64_t version,
                                 const Json& settings) {
  auto sessions = TenantSessions(tenant_id);
  if (sessions.empty()) return 0;
  // Built once for the whole tenant.
  const std::string text = ConfigText(tenant_id, version, settings);
  std::size_t sent = 0;
  for (const auto& session : sessions) {
    if (session->SendConfig(version, text, false)) ++sent;
  }
  if (sent > 0)
    log::Info("config v{} pushed to {} agent(s) of tenant {}", version, sent, tenant_id);
  return sent;
}

bool AgentHub::SendCommand(std::string_view host_id, std::string_view name, const Json& args,
                           std::string* command_id) {
  auto session = Find(host_id);
  if (session == nullptr) return false;
  std::string id = wire::RandomId("cmd");
  if (!session->Send(CommandMessage(id, name, args))) return false;
  if (command_id != nullptr) *command_id = std::move(id);
  return true;
}

bool AgentHub::Disconnect(std::string_view host_id, std::string_view code,
                          std::string_view message) {
  auto session = Find(host_id);
  if (session == nullptr) return false;
  CloseWithError(*session, code, message);
  return true;
}

Result<std::size_t> AgentHub::CloseRemovedHosts() {
  std::size_t closed = 0;
  for (const std::string& tenant : ConnectedTenants()) {
    std::unordered_set<std::string> live;
    HostQuery query;
    query.page.limit = kHostListPage;
    while (true) {
      RAMPART_ASSIGN_OR_RETURN(Page<Host> page, storage_.ListHosts(tenant, query));
      for (const Host& host : page.items) {
        if (host.status != HostStatus::kUninstalled) live.insert(host.id);
      }
      if (page.next_cursor.empty()) break;
      query.page.cursor = page.next_cursor;
    }
    for (const auto& session : TenantSessions(tenant)) {
      if (live.count(session->host_id()) != 0) continue;
      CloseWithError(*session, "host_removed", "this host was deleted or uninstalled");
      ++closed;
    }
  }
  return closed;
}

void AgentHub::CloseWithError(Session& session, std::string_view code, std::string_view message) {
  session.Send(ErrorMessage(code, message));
  session.Close();
  Unregister(&session);
}

void AgentHub::CountBatch(std::string_view outcome) {
  if (metrics_ != nullptr) metrics_->RecordBatch(outcome);
}

void AgentHub::HandleMessage(Session& session, std::string_view text) {
  auto message = ParseChannelMessage(text);
  if (!message) {
    CloseWithError(session, "invalid_message", message.error().message());
    return;
  }
  const std::string type = message->GetString("type");
  if (type == "heartbeat") {
    heartbeats_.Add(session.host_id(), Now());
    if (metrics_ != nullptr) metrics_->RecordHeartbeat();
  } else if (type == "batch") {
    HandleBatch(session, *message);
  } else if (type == "hello") {
    HandleHello(session, *message);
  } else if (type == "deregister") {
    HandleDeregister(session, *message);
  } else {
    CloseWithError(session, "unknown_type",
                   "unknown message type '" + type.substr(0, 64) +
                       "' (expected hello, heartbeat, batch or deregister)");
  }
}

void AgentHub::HandleHello(Session& session, const Json& message) {
  const Json* version = message.Find("agent_version");
  const Json* config = message.Find("config_version");
  if ((version != nullptr &&
       (!version->is_string() || version->as_string().size() > kMaxAgentVersion)) ||
      (config != nullptr && (!config->is_int() || config->as_int() < 0))) {
    CloseWithError(session, "invalid_message",
                   "hello: expected {\"agent_version\": string, \"config_version\": integer >= 0}");
    return;
  }
  const std::int64_t config_version = config != nullptr ? config->as_int() : 0;
  session.Hello(version != nullptr ? version->as_string() : std::string(), config_version);
  // A hello is a sign of life: the host is ONLINE from now, not from its first heartbeat.
  heartbeats_.Add(session.host_id(), Now());

  auto settings = storage_.GetSettings(session.tenant_id());
  if (!settings) {
    // Not fatal: the next settings change (Jobs) or the next hello brings the agent up to date.
    log::Warn("agent channel: settings of tenant {}: {}", session.tenant_id(),
              settings.error().ToString());
    DeliverCommands(session.host_id());
    return;
  }
  if (settings->version != config_version) {
    session.SendConfig(settings->version,
                       ConfigText(session.tenant_id(), settings->version, settings->settings),
                       true);
  }
  // Commands queued while the agent was away (on any node), after its config.
  DeliverCommands(session.host_id());
}

void AgentHub::HandleBatch(Session& session, const Json& message) {
  const Json* key = message.Find("key");
  if (key == nullptr || !key->is_string() || !IsValidBatchKey(key->as_string())) {
    // Without a usable key the agent could not match an ack to its spooled batch.
    CloseWithError(session, "invalid_message",
                   "batch: expected \"key\": 1..128 characters of [A-Za-z0-9._:-]");
    return;
  }
  const std::string& batch_key = key->as_string();
  const std::string kind = message.GetString("kind");
  const Json* payload = message.Find("payload");
  if (kind == "security_events") {
    HandleSecurityEvents(session, batch_key, payload != nullptr ? *payload : Json());
    return;
  }
  if (kind == "blocks") {
    HandleBlocks(session, batch_key, payload != nullptr ? *payload : Json());
    return;
  }
  if (kind == "baseline_results") {
    HandleBaselineResults(session, batch_key, payload != nullptr ? *payload : Json());
    return;
  }
  if (kind == "malware_events") {
    HandleMalwareEvents(session, batch_key, payload != nullptr ? *payload : Json());
    return;
  }
  if (kind == "command_results") {
    HandleCommandResults(session, batch_key, payload != nullptr ? *payload : Json());
    return;
  }
  if (kind != "inventory") {
    CountBatch("rejected");
    session.Send(AckMessage(batch_key, "rejected",
                            "unknown batch kind '" + kind.substr(0, 64) +
                                "' (expected inventory, security_events, blocks, malware_events "
                                "or command_results)"));
    return;
  }
  auto batch =
      ParseInventoryBatch(batch_key, payload != nullptr ? *payload : Json(), options_.limits);
  if (!batch) {
    CountBatch("rejected");
    log::Info("agent {}: batch {} rejected: {}", session.host_id(), batch_key,
              batch.error().message());
    session.Send(AckMessage(batch_key, "rejected", batch.error().message()));
    return;
  }
  auto outcome = storage_.ApplyInventory(session.host_id(), *batch, Now());
  if (!outcome) return StoreFailed(session, batch_key, outcome.error());
  // Only now, after the commit returned, may the agent drop the batch from its spool.
  std::string_view status = "committed";
  if (*outcome == IngestOutcome::kDuplicate) status = "duplicate";
  if (*outcome == IngestOutcome::kResync) status = "resync";
  CountBatch(status);
  session.Send(AckMessage(batch_key, status, {}));
}

void AgentHub::StoreFailed(Session& session, const std::string& key, const Status& error) {
  switch (error.code()) {
    case Code::kNotFound:
      CountBatch("error");
      CloseWithError(session, "host_removed", "this host was deleted");
      return;
    case Code::kInvalidArgument:
    case Code::kResourceExhausted:
      CountBatch("rejected");
      session.Send(AckMessage(key, "rejected", error.message()));
      return;
    default:
      // No ack: the agent keeps the batch spooled and sends it again; the idempotency key makes
      // that safe even if this commit did happen.
      CountBatch("error");
      log::Warn("agent {}: batch {} not stored: {}", session.host_id(), key, error.ToString());
      return;
  }
}

void AgentHub::Reject(Session& session, const std::string& key, const Status& error) {
  CountBatch("rejected");
  log::Info("agent {}: batch {} rejected: {}", session.host_id(), key, error.message());
  session.Send(AckMessage(key, "rejected", error.message()));
}

std::string AgentHub::Summarize(Session& session, const std::string& key,
                                const std::vector<std::string>& rejected, std::size_t total,
                                std::string_view noun) {
  std::string summary = RejectedSummary(rejected, total, noun);
  if (!summary.empty()) log::Info("agent {}: batch {}: {}", session.host_id(), key, summary);
  return summary;
}

void AgentHub::Acknowledge(Session& session, const std::string& key, const Status& stored,
                           bool duplicate, const std::string& summary) {
  if (!stored.ok()) {
    StoreFailed(session, key, stored);
    return;
  }
  const std::string_view status = duplicate ? "duplicate" : "committed";
  CountBatch(status);
  session.Send(AckMessage(key, status, summary));
}

void AgentHub::HandleSecurityEvents(Session& session, const std::string& key, const Json& payload) {
  auto batch = ParseSecurityEventsBatch(key, payload);
  if (!batch) return Reject(session, key, batch.status());
  const std::string summary = Summarize(session, key, batch->rejected,
                                        batch->events.size() + batch->rejected.size(), "events");
  auto stored = storage_.ApplySecurityEvents(session.host_id(), *batch, Now());
  Acknowledge(session, key, stored.status(),
              stored.ok() && stored->outcome == IngestOutcome::kDuplicate, summary);
}

void AgentHub::HandleBlocks(Session& session, const std::string& key, const Json& payload) {
  auto parsed = ParseBlocksSnapshot(key, payload);
  if (!parsed) return Reject(session, key, parsed.status());
  const std::string summary =
      Summarize(session, key, parsed->rejected,
                parsed->snapshot.blocks.size() + parsed->rejected.size(), "blocks");
  auto stored = storage_.ApplyBlocksSnapshot(session.host_id(), parsed->snapshot, Now());
  Acknowledge(session, key, stored.status(),
              stored.ok() && stored->outcome == IngestOutcome::kDuplicate, summary);
}

void AgentHub::HandleBaselineResults(Session& session, const std::string& key,
                                     const Json& payload) {
  auto parsed = ParseBaselineResults(key, payload);
  if (!parsed) return Reject(session, key, parsed.status());
  const std::string summary =
      Summarize(session, key, parsed->rejected,
                parsed->batch.results.size() + parsed->rejected.size(), "results");
  auto stored = storage_.ApplyBaselineResults(session.host_id(), parsed->batch, Now());
  Acknowledge(session, key, stored.status(), stored.ok() && stored->duplicate, summary);
}

void AgentHub::HandleMalwareEvents(Session& session, const std::string& key, const Json& payload) {
  auto batch = ParseMalwareEventsBatch(key, payload);
  if (!batch) return Reject(session, key, batch.status());
  const std::string summary =
      Summarize(session, key, batch->rejected,
                batch->events.size() + batch->scans.size() + batch->rejected.size(), "entries");
  auto stored = storage_.ApplyMalwareEvents(session.host_id(), *batch, Now());
  Acknowledge(session, key, stored.status(),
              stored.ok() && stored->outcome == IngestOutcome::kDuplicate, summary);
}

void AgentHub::HandleCommandResults(Session& session, const std::string& key, const Json& payload) {
  auto batch = ParseCommandResultsBatch(key, payload);
  if (!batch) return Reject(session, key, batch.status());
  const std::string summary = Summarize(session, key, batch->rejected,
                                        batch->results.size() + batch->rejected.size(), "results");
  auto stored = storage_.ApplyCommandResults(session.host_id(), *batch, Now());
  Acknowledge(session, key, stored.status(),
              stored.ok() && stored->outcome == IngestOutcome::kDuplicate, summary);
}

std::size_t AgentHub::DeliverCommands(std::string_view host_id) {
  std::lock_guard deliver(deliver_mu_);
  auto session = Find(host_id);
  if (session == nullptr) return 0;
  std::size_t sent = 0;
  while (true) {
    auto claimed = storage_.ClaimPendingCommands(host_id, Now(), kCommandsPerDelivery);
    if (!claimed) {
      log::Warn("agent {}: claiming queued commands: {}", host_id, claimed.error().ToString());
      return sent;
    }
    bool closed = false;
    for (const AgentCommand& command : *claimed) {
      if (!closed && session->Send(CommandMessage(command.id, command.name, command.args))) {
        ++sent;
        log::Info("agent {}: command {} {} delivered", host_id, command.id, command.name);
        continue;
      }
      // The channel closed under us: back to the queue for the next connection.
      closed = true;
      Status requeued = storage_.RequeueCommand(command.id);
      if (!requeued.ok()) {
        log::Warn("agent {}: command {} could not be requeued: {}", host_id, command.id,
                  requeued.ToString());
      }
    }
    if (closed || claimed->size() < static_cast<std::size_t>(kCommandsPerDelivery)) return sent;
  }
}

void AgentHub::HandleDeregister(Session& session, const Json& message) {
  Status status = storage_.SetHostStatus(session.host_id(), HostStatus::kUninstalled, Now());
  if (!status.ok() && status.code() != Code::kNotFound) {
    // No ack: the uninstaller retries.
    log::Warn("agent {}: deregister not stored: {}", session.host_id(), status.ToString());
    return;
  }
  std::string key = message.GetString("key");
  if (!IsValidBatchKey(key)) key = "deregister";
  session.Send(AckMessage(key, "committed", {}));
  log::Info("agent {} (tenant {}) deregistered", session.host_id(), session.tenant_id());
  session.Close();
  Unregister(&session);
}

}  // namespace rampart::server
