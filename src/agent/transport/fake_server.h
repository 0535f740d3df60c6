#pragma once
// A scripted stand-in for the platform server, for the transport tests (header-only, test code):
// net::HttpServer on plain HTTP and an ephemeral port, implementing the enrolment endpoint and
// the agent channel just enough to check the agent. It applies inventory batches the way the
// server contract says (full replaces, a delta applies only on top of its base, otherwise
// "resync"), dedupes by idempotency key, and can be told to misbehave: hold acks, drop the
// connection after N batches, refuse with 401, push config or commands.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/wire.h"
#include "net/server.h"

namespace rampart::agent::testing {

struct FakeServerScript {
  bool refuse_channel = false;  // 401 at the upgrade
  bool hold_acks = false;       // never acknowledge batches
  // Close the connection (without acking) after this many batches on the first connection.
  int drop_first_connection_after = -1;
  // Sent after every hello.
  std::vector<std::string> after_hello;
  // Inventory versions answered with "rejected".
  std::set<std::int64_t> reject_versions;
};

class FakeServer {
 public:
  static constexpr const char* kToken = "rpe1.tok1.secret1.-";

  using Script = FakeServerScript;

  FakeServer() : FakeServer(Script()) {}
  explicit FakeServer(Script script) : script_(std::move(script)) {
    net::ServerHooks hooks;
    hooks.http = [this](const net::HttpRequest& request) { return Http(request); };
    hooks.websocket = [this](const net::HttpRequest& request,
                             std::shared_ptr<net::WsConnection> connection,
                             net::HttpResponse& refusal) -> std::shared_ptr<net::WsHandler> {
      return Upgrade(request, std::move(connection), refusal);
    };
    net::ServerOptions options;
    options.port = 0;
    auto server = net::HttpServer::Start(options, std::move(hooks));
    EXPECT_TRUE(server.ok()) << server.error().ToString();
    if (server.ok()) server_ = std::move(*server);
  }
  ~FakeServer() {
    if (server_) server_->Stop();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  void SetScript(Script script) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    script_ = std::move(script);
  }
  // Sends `text` to every open channel.
  void Broadcast(const std::string& text) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    for (auto& c : open_) c->Send(text);
  }

  // Observations (copies, under the lock).
  struct Batch {
    int connection;
    std::string key;
    std::string kind;
    Json payload;
  };
  std::vector<Batch> batches() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return batches_;
  }
  std::vector<Json> messages_of_type(std::string_view type) const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    std::vector<Json> out;
    for (const auto& m : messages_) {
      if (m.GetString("type") == type) out.push_back(m);
    }
    return out;
  }
  std::map<std::string, int> committed() const {  // key -> times committed (must be 1)
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return committed_;
  }
  std::int64_t inventory_version() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return inventory_version_;
  }
  // Server-side inventory: category -> row key -> row.
  std::map<std::string, std::map<std::string, Json>> rows() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return rows_;
  }
  int connections() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return connections_;
  }
  int refused() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return refused_;
  }
  int enrolments() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return enrolments_;
  }
  std::string host_id_for(const std::string& machine_id) const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    auto it = hosts_.find(machine_id);
    return it == hosts_.end() ? std::string() : it->second;
  }
  bool deregistered() const {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return deregistered_;
  }

 private:
  class Handler : public net::WsHandler {
   public:
    Handler(FakeServer* server, std::shared_ptr<net::WsConnection> connection, int index)
        : server_(server), connection_(std::move(connection)), index_(index) {}
    void OnMessage(std::string_view text) override {
      server_->OnMessage(*connection_, index_, text, &batches_here_);
    }
    void OnClose() override { server_->OnClose(connection_); }

   private:
    FakeServer* server_;
    std::shared_ptr<net::WsConnection> connection_;
    int index_;
    int batches_here_ = 0;
  };

  net::HttpResponse Http(const net::HttpRequest& request) {
    net::HttpResponse response;
    if (request.method != "POST" || request.path != wire::kEnrollPath) {
      response.status = 404;
      response.body = R"({"error":{"code":"not_found","message":"no such route"}})";
      return response;
    }
    auto body = Json::Parse(request.body);
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (!body || body->GetString("token") != kToken || body->GetString("machine_id").empty()) {
      response.status = 401;
      response.body = R"({"error":{"code":"unauthenticated","message":"invalid enrolment token"}})";
      return response;
    }
    ++enrolments_;
    last_enrol_ = *body;
    std::string& host = hosts_[body->GetString("machine_id")];
    if (host.empty()) host = wire::RandomId("h");
    secret_ = wire::RandomSecret();  // a re-enrolment rotates the secret
    host_id_ = host;
    Json out = Json::MakeObject();
    out.Set("host_id", host);
    out.Set("agent_id", host);
    out.Set("secret", secret_);
    out.Set("tenant_id", "tn_test");
    response.body = out.Dump();
    return response;
  }

  std::shared_ptr<net::WsHandler> Upgrade(const net::HttpRequest& request,
                                          std::shared_ptr<net::WsConnection> connection,
                                          net::HttpResponse& refusal) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const auto auth = request.headers.Get("authorization");
    const auto parsed = auth ? wire::ParseAgentAuthorization(*auth)
                             : Result<std::pair<std::string, std::string>>(InvalidArgument("none"));
    if (request.path != wire::kChannelPath || script_.refuse_channel || !parsed ||
        parsed->first != host_id_ || parsed->second != secret_ || deregistered_) {
      ++refused_;
      refusal.status = 401;
      refusal.body = R"({"error":{"code":"unauthenticated","message":"unknown agent"}})";
      return nullptr;
    }
    open_.insert(connection);
    return std::make_shared<Handler>(this, std::move(connection), connections_++);
  }

  void OnClose(const std::shared_ptr<net::WsConnection>& connection) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    open_.erase(connection);
  }

  void Ack(net::WsConnection& c, const std::string& key, std::string_view status) {
    Json ack = Json::MakeObject();
    ack.Set("type", "ack");
    ack.Set("key", key);
    ack.Set("status", status);
    c.Send(ack.Dump());
  }

  void OnMessage(net::WsConnection& c, int index, std::string_view text, int* batches_here) {
    auto message = Json::Parse(text);
    ASSERT_TRUE(message.ok()) << "the agent sent invalid JSON: " << text;
    std::lock_guard<std::recursive_mutex> lock(mu_);
    messages_.push_back(*message);
    const std::string type = message->GetString("type");
    if (type == "hello") {
      for (const auto& m : script_.after_hello) c.Send(m);
      return;
    }
    if (type == "deregister") {
      deregistered_ = true;
      Ack(c, "deregister", "committed");
      c.Close();
      return;
    }
    if (type != "batch") return;
    const std::string key = message->GetString("key");
    const Json* payload = message->Find("payload");
    ASSERT_NE(payload, nullptr);
    batches_.push_back(Batch{index, key, message->GetString("kind"), *payload});
    ++*batches_here;
    if (index == 0 && *batches_here == script_.drop_first_connection_after) {
      c.Close();
      return;
    }
    if (script_.hold_acks) return;
    if (committed_.count(key) != 0) {
      Ack(c, key, "duplicate");
      return;
    }
    if (message->GetString("kind") != "inventory") {
      ++committed_[key];
      Ack(c, key, "committed");
      return;
    }
    const std::int64_t version = payload->GetInt("version");
    if (script_.reject_versions.count(version) != 0) {
      Ack(c, key, "rejected");
      return;
    }
    if (payload->GetString("mode") == "full") {
      rows_.clear();
      for (const auto& [category, entry] : payload->Find("categories")->as_object()) {
        for (const auto& row : entry.Find("rows")->as_array()) {
          rows_[category][wire::RowKey(row)] = row;
        }
      }
    } else {
      if (payload->GetInt("base") != inventory_version_) {
        Ack(c, key, "resync");
        return;
      }
      for (const auto& [category, change] : payload->Find("changes")->as_object()) {
        for (const auto& k : change.Find("removed")->as_array())
          rows_[category].erase(k.as_string());
        for (const auto& row : change.Find("added")->as_array()) {
          rows_[category][wire::RowKey(row)] = row;
        }
      }
    }
    inventory_version_ = version;
    ++committed_[key];
    Ack(c, key, "committed");
  }

  // Recursive: a Close() issued while handling a message may call back into OnClose.
  mutable std::recursive_mutex mu_;
  Script script_;
  std::unique_ptr<net::HttpServer> server_;
  std::map<std::string, std::string> hosts_;  // machine id -> host id
  std::string host_id_;
  std::string secret_;
  Json last_enrol_;
  int enrolments_ = 0;
  int connections_ = 0;
  int refused_ = 0;
  bool deregistered_ = false;
  std::set<std::shared_ptr<net::WsConnection>> open_;
  std::vector<Json> messages_;
  std::vector<Batch> batches_;
  std::map<std::string, int> committed_;
  std::int64_t inventory_version_ = 0;
  std::map<std::string, std::map<std::string, Json>> rows_;
};

}  // namespace rampart::agent::testing
