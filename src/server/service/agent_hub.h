#pragma once
// AgentHub: the server end of the agent channel (the WebSocket wire.h describes). It authenticates
// each agent, keeps a registry of the agents connected to THIS node (host id -> connection) so the
// node can push config and commands to them, and handles their messages: hello (config push when
// the agent's config version is stale), heartbeats (buffered by HeartbeatWriter), inventory
// batches (validated strictly, applied in one transaction, acknowledged only after the commit),
// and deregistration. No state here is needed by another node: settings and hosts live in the
// database, and Jobs polls it to push changes made elsewhere.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "net/http.h"
#include "server/service/channel_protocol.h"
#include "server/service/heartbeat_writer.h"
#include "server/service/metrics.h"
#include "server/storage/storage.h"

namespace rampart::server {

struct AgentHubOptions {
  InventoryLimits limits;
  // Maps a tenant's stored settings to what agents receive (defaults filled in). Empty: sent as
  // stored. The server passes the API layer's EffectiveSettings.
  std::function<Json(const Json&)> effective_settings;
};

class AgentHub {
 public:
  // `storage`, `clock`, `heartbeats` and `metrics` (nullable) must outlive the hub; the hub must
  // outlive every handler it returned (stop the HTTP server first).
  AgentHub(Storage& storage, const Clock& clock, HeartbeatWriter& heartbeats,
           ServerMetrics* metrics = nullptr, AgentHubOptions options = {});
  ~AgentHub();
  AgentHub(const AgentHub&) = delete;
  AgentHub& operator=(const AgentHub&) = delete;

  // The WebSocket upgrade hook for wire::kChannelPath. Authenticates "Authorization: Agent
  // <host_id>:<secret>": without it or with bad credentials returns nullptr and fills `refusal`
  // with 401 and a JSON error; 503 when the database cannot answer. Otherwise registers the
  // session (a second connection of the same host replaces and closes the first) and returns its
  // handler. Thread-safe.
  std::shared_ptr<net::WsHandler> Accept(const net::HttpRequest& request,
                                         std::shared_ptr<net::WsConnection> connection,
                                         net::HttpResponse& refusal);

  // Sends {"type":"config"} with the effective `settings` at `version` to every agent of the
  // tenant connected here whose config is older. Returns how many were sent. Thread-safe.
  std::size_t PushConfig(std::string_view tenant_id, std::int64_t version, const Json& settings);
  // Sends {"type":"command"} to the host if it is connected here; true when queued. `command_id`
  // (optional) receives the id the agent will refer to.
  bool SendCommand(std::string_view host_id, std::string_view name, const Json& args,
                   std::string* command_id = nullptr);
  // Delivers the host's queued commands (Storage::ClaimPendingCommands) when it is connected here;
  // a command whose write fails goes back to pending. Returns how many were sent. Called on hello,
  // by the API after it queues a command, and by Jobs for commands queued on other nodes.
  // Thread-safe (deliveries on this node are serialised, so commands keep their queue order).
  std::size_t DeliverCommands(std::string_view host_id);
  // Closes the host's channel (e.g. the host was deleted) with an error message; true if it was
  // connected here.
  bool Disconnect(std::string_view host_id, std::string_view code, std::string_view message);
  // Closes the channels of connected hosts that no longer exist or were uninstalled (deleted on
  // any node). Returns how many were closed. One ListHosts scan per tenant with agents here.
  Result<std::size_t> CloseRemovedHosts();

  std::size_t connected_count() const;
  bool IsConnected(std::string_view host_id) const;
  bool HasTenant(std::string_view tenant_id) const;
  // Tenants with at least one agent connected here.
  std::vector<std::string> ConnectedTenants() const;

 private:
  class Session;
  friend class Session;

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(const Session* session);
  std::shared_ptr<Session> Find(std::string_view host_id) const;
  std::vector<std::shared_ptr<Session>> TenantSessions(std::string_view tenant_id) const;
  std::int64_t Now() const;
  // The config message: effective settings plus the tenant's trusted files (malware.trusted).
  std::string ConfigText(std::string_view tenant_id, std::int64_t version,
                         const Json& settings) const;

  // Message handling, called from Session::OnMessage (serialised per session).
  void HandleMessage(Session& session, std::string_view text);
  void HandleHello(Session& session, const Json& message);
  void HandleBatch(Session& session, const Json& message);
  void HandleDeregister(Session& session, const Json& message);
  void HandleSecurityEvents(Session& session, const std::string& key, const Json& payload);
  void HandleBlocks(Session& session, const std::string& key, const Json& payload);
  void HandleBaselineResults(Session& session, const std::string& key, const Json& payload);
  void HandleMalwareEvents(Session& session, const std::string& key, const Json& payload);
  void HandleCommandResults(Session& session, const std::string& key, const Json& payload);
  // Acks a batch the storage refused (rejected), closes the channel of a deleted host, or stays
  // silent about a transient error (the agent resends).
  void StoreFailed(Session& session, const std::string& key, const Status& error);
  // The shared steps of every batch kind but inventory: Reject acks a batch that did not parse;
  // Summarize logs and returns the note on entries dropped by validation (empty when none);
  // Acknowledge acks the stored batch (committed or duplicate) or hands a storage error to
  // StoreFailed.
  void Reject(Session& session, const std::string& key, const Status& error);
  std::string Summarize(Session& session, const std::string& key,
                        const std::vector<std::string>& rejected, std::size_t total,
                        std::string_view noun);
  void Acknowledge(Session& session, const std::string& key, const Status& stored, bool duplicate,
                   const std::string& summary);
  void CloseWithError(Session& session, std::string_view code, std::string_view message);
  void CountBatch(std::string_view outcome);

  Storage& storage_;
  const Clock& clock_;
  HeartbeatWriter& heartbeats_;
  ServerMetrics* metrics_;
  const AgentHubOptions options_;

  std::mutex deliver_mu_;  // serialises DeliverCommands
  mutable std::mutex mu_;
  // tenant id -> host id -> session. GUARDED_BY(mu_)
  std::unordered_map<std::string, std::unordered_map<std::string, std::shared_ptr<Session>>>
      by_tenant_;
  // host id -> tenant id. GUARDED_BY(mu_)
  std::unordered_map<std::string, std::string> tenant_of_;
};

}  // namespace rampart::server
