#pragma once
// One enrolled agent's channel on a fresh SQLite file (WAL), as a server node runs it: the setup
// the hub benchmarks share (hub_bench.cpp for inventory, events_bench.cpp for security events).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/hash.h"
#include "common/wire.h"
#include "server/service/agent_hub.h"
#include "server/service/agent_hub_testing.h"
#include "server/service/heartbeat_writer.h"
#include "server/storage/storage.h"

namespace rampart::server {

class HubBenchChannel {
 public:
  // Null (after SkipWithError on `state`) when the database cannot be set up.
  static std::unique_ptr<HubBenchChannel> Open(benchmark::State& state) {
    auto channel = std::unique_ptr<HubBenchChannel>(new HubBenchChannel());
    char dir_template[] = "/tmp/rampart-hub-bench-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      state.SkipWithError("mkdtemp failed");
      return nullptr;
    }
    channel->dir_ = dir_template;
    auto storage = OpenStorage("sqlite://" + channel->dir_ + "/bench.db", channel->dir_);
    if (!storage) {
      state.SkipWithError(storage.error().ToString().c_str());
      return nullptr;
    }
    channel->storage_ = std::move(*storage);
    Storage& db = *channel->storage_;
    SystemClock& clock = SystemClock::Instance();
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
    const std::string tenant = db.CreateTenant("bench", now)->id;
    const std::string token =
        db.CreateEnrollToken({wire::RandomId("et"), tenant, "x", now, now + 3600})->id;
    const std::string secret = wire::RandomSecret();
    Host host;
    host.id = wire::RandomId("h");
    host.tenant_id = tenant;
    host.machine_id = "bench";
    host.agent_secret_hash = Sha256Hex(secret);
    host = *db.EnrollHost(token, host, now);

    channel->heartbeats_ = std::make_unique<HeartbeatWriter>(db);
    channel->hub_ = std::make_unique<AgentHub>(db, clock, *channel->heartbeats_);
    net::HttpRequest request;
    request.headers.Add("Authorization", wire::FormatAgentAuthorization(host.id, secret));
    net::HttpResponse refusal;
    channel->handler_ = channel->hub_->Accept(request, channel->conn_, refusal);
    if (!channel->handler_) {
      state.SkipWithError("the hub refused the agent");
      return nullptr;
    }
    return channel;
  }

  ~HubBenchChannel() {
    if (handler_) handler_->OnClose();
    handler_.reset();
    hub_.reset();
    heartbeats_.reset();
    storage_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  HubBenchChannel(const HubBenchChannel&) = delete;
  HubBenchChannel& operator=(const HubBenchChannel&) = delete;

  // Sends one message; true when the server acknowledged it as committed.
  bool SendCommitted(const std::string& text) {
    handler_->OnMessage(text);
    auto acks = conn_->Take();
    return acks.size() == 1 && acks[0].GetString("status") == "committed";
  }

 private:
  HubBenchChannel() = default;

  std::string dir_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<HeartbeatWriter> heartbeats_;
  std::unique_ptr<AgentHub> hub_;
  std::shared_ptr<testing::FakeConnection> conn_ = std::make_shared<testing::FakeConnection>();
  std::shared_ptr<net::WsHandler> handler_;
};

}  // namespace rampart::server
