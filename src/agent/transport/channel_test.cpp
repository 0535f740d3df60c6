#include "agent/transport/channel.h"

#include <gtest/gtest.h>

#include <thread>

#include "agent/transport/enroll_client.h"
#include "agent/transport/fake_server.h"
#include "agent/transport/test_util.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

using std::chrono::milliseconds;
using testing::FakeServer;
using testing::WaitFor;

Json Row(std::string_view name, int port) {
  Json row = Json::MakeObject();
  row.Set("name", name);
  row.Set("port", port);
  return row;
}

// What the agent collects; tests change it between collections.
class Rows {
 public:
  void Set(std::vector<Json> ports) {
    std::lock_guard lock(mu_);
    ports_ = std::move(ports);
  }
  Snapshot Get() const {
    std::lock_guard lock(mu_);
    return Snapshot{CategoryRows{"ports", true, ports_}};
  }

 private:
  mutable std::mutex mu_;
  std::vector<Json> ports_;
};

// An enrolled agent (data dir, spool, inventory state) against a FakeServer.
class Agent {
 public:
  explicit Agent(FakeServer& server) : dir_(testing::MakeTempDir()) {
    EnrollRequestInfo request;
    request.server_url = server.url();
    request.token = FakeServer::kToken;
    request.machine_id = "machine-" + dir_.substr(dir_.size() - 6);
    request.timeout = milliseconds(5000);
    auto identity = Enroll(request, SystemClock::Instance());
    EXPECT_TRUE(identity.ok()) << identity.error().ToString();
    if (identity.ok()) identity_ = *identity;
    EXPECT_TRUE(SaveIdentity(dir_, identity_).ok());
    spool_ = std::move(*Spool::Open(dir_ + "/spool"));
    inventory_ = std::move(*InventorySync::Open(dir_, spool_.get(), &SystemClock::Instance()));
    rows_.Set({Row("ssh", 22), Row("http", 80)});
  }

  ChannelOptions Options() const {
    ChannelOptions o;
    o.data_dir = dir_;
    o.agent_version = "0.1.0-test";
    o.settings.heartbeat_seconds = 30;
    o.settings.inventory_interval_seconds = 3600;
    o.backoff_initial = milliseconds(10);
    o.backoff_max = milliseconds(50);
    o.unauthorized_retry = milliseconds(50);
    o.poll = milliseconds(20);
    o.connect_timeout = milliseconds(2000);
    o.io_timeout = milliseconds(5000);
    return o;
  }
  std::unique_ptr<Channel> MakeChannel(ChannelOptions options) {
    return std::make_unique<Channel>(
        identity_, std::move(options), spool_.get(), inventory_.get(),
        [this] { return rows_.Get(); }, &SystemClock::Instance());
  }
  std::unique_ptr<Channel> MakeChannel() { return MakeChannel(Options()); }

  // Runs a daemon channel on a thread until Stop.
  class Running {
   public:
    explicit Running(std::unique_ptr<Channel> channel) : channel_(std::move(channel)) {
      thread_ = std::thread([this] { result_ = channel_->Run(); });
    }
    ~Running() { (void)Stop(); }
    Status Stop() {
      channel_->Stop();
      if (thread_.joinable()) thread_.join();
      return result_;
    }
    Channel& channel() { return *channel_; }

   private:
    std::unique_ptr<Channel> channel_;
    std::thread thread_;
    Status result_;
  };

  const std::string& dir() const { return dir_; }
  Spool& spool() { return *spool_; }
  InventorySync& inventory() { return *inventory_; }
  Rows& rows() { return rows_; }
  const Identity& identity() const { return identity_; }

 private:
  std::string dir_;
  Identity identity_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<InventorySync> inventory_;
  Rows rows_;
};

std::map<std::string, std::map<std::string, Json>> RowsOf(const Snapshot& snapshot) {
  std::map<std::string, std::map<std::string, Json>> out;
  for (const auto& c : snapshot) {
    for (const auto& row : c.rows) out[c.category][wire::RowKey(row)] = row;
  }
  return out;
}

void EnqueueEvents(Spool& spool, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(
        spool.Enqueue("event", "ev-" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}")
            .ok());
  }
}

TEST(Channel, OnceSendsHelloHeartbeatAndAFullInventoryThenReturnsWhenAcknowledged) {
  FakeServer server;
  Agent agent(server);
  auto channel = agent.MakeChannel();
  Status done = channel->RunOnce(milliseconds(20000));
  ASSERT_TRUE(done.ok()) << done.ToString();
  auto hellos = server.messages_of_type("hello");
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].GetString("agent_version"), "0.1.0-test");
  EXPECT_EQ(hellos[0].GetInt("config_version", -1), 0);
  EXPECT_GE(server.messages_of_type("heartbeat").size(), 1u);
  auto batches = server.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].kind, "inventory");
  EXPECT_EQ(batches[0].payload.GetString("mode"), "full");
  EXPECT_EQ(server.rows(), RowsOf(agent.rows().Get()));
  EXPECT_EQ(agent.spool().size(), 0u);
  EXPECT_EQ(agent.inventory().state().acked_version, 1);
}

TEST(Channel, OnceDeliversPendingBatchesInsteadOfCollecting) {
  FakeServer server;
  Agent agent(server);
  EnqueueEvents(agent.spool(), 3);
  ASSERT_TRUE(agent.MakeChannel()->RunOnce(milliseconds(20000)).ok());
  auto batches = server.batches();
  ASSERT_EQ(batches.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(batches[static_cast<std::size_t>(i)].key, "ev-" + std::to_string(i));
  EXPECT_EQ(agent.spool().size(), 0u);
}

TEST(Channel, ResendsUnacknowledgedBatchesWithTheSameKeysAfterADisconnectAndLosesNone) {
  FakeServer::Script script;
  script.drop_first_connection_after = 5;  // acks 4, then drops the line on the 5th
  FakeServer server(script);
  Agent agent(server);
  EnqueueEvents(agent.spool(), 20);
  Status done = agent.MakeChannel()->RunOnce(milliseconds(20000));
  ASSERT_TRUE(done.ok()) << done.ToString();
  EXPECT_GE(server.connections(), 2);
  auto committed = server.committed();
  ASSERT_EQ(committed.size(), 20u);
  for (const auto& [key, times] : committed) EXPECT_EQ(times, 1) << key;
  // The batch in flight when the line dropped came again, identical, on the next connection.
  std::map<std::string, std::vector<FakeServer::Batch>> sent;
  for (const auto& b : server.batches()) sent[b.key].push_back(b);
  ASSERT_EQ(sent["ev-4"].size(), 2u);
  EXPECT_EQ(sent["ev-4"][0].connection, 0);
  EXPECT_EQ(sent["ev-4"][1].connection, 1);
  EXPECT_EQ(sent["ev-4"][0].payload, sent["ev-4"][1].payload);
  EXPECT_EQ(agent.spool().size(), 0u);
}

TEST(Channel, KeepsAtMostEightBatchesUnacknowledged) {
  FakeServer::Script script;
  script.hold_acks = true;
  FakeServer server(script);
  Agent agent(server);
  EnqueueEvents(agent.spool(), 20);
  {
    Agent::Running running(agent.MakeChannel());
    ASSERT_TRUE(WaitFor([&] { return server.batches().size() >= 8; }));
    std::this_thread::sleep_for(milliseconds(300));
    EXPECT_EQ(server.batches().size(), 8u);
    EXPECT_TRUE(running.Stop().ok());
  }
  // Nothing acknowledged: nothing removed (the first inventory may be queued behind the events).
  int events = 0;
  for (const auto& entry : agent.spool().List()) events += entry.kind == "event" ? 1 : 0;
  EXPECT_EQ(events, 20);
  // A later run against a server that acknowledges delivers all of them once.
  server.SetScript({});
  ASSERT_TRUE(agent.MakeChannel()->RunOnce(milliseconds(20000)).ok());
  auto committed = server.committed();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(committed["ev-" + std::to_string(i)], 1);
}

TEST(Channel, AppliesAPushedConfigPersistsItAndReportsItsVersion) {
  FakeServer::Script script;
  script.after_hello = {
      R"({"type":"config","version":7,"settings":{"agent":{"heartbeat_seconds":1},)"
      R"("agent.inventory_interval_seconds":120,"tenant.other":"kept"}})"};
  FakeServer server(script);
  Agent agent(server);
  {
    Agent::Running running(agent.MakeChannel());
    ASSERT_TRUE(WaitFor([&] { return running.channel().config_version() == 7; }));
    EXPECT_EQ(running.channel().settings().heartbeat_seconds, 1);
    EXPECT_EQ(running.channel().settings().inventory_interval_seconds, 120);
    // Heartbeats now come every second (it was 30).
    ASSERT_TRUE(WaitFor([&] { return server.messages_of_type("heartbeat").size() >= 3; },
                        milliseconds(5000)));
  }
  auto stored = LoadConfig(agent.dir());
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ((*stored)->version, 7);
  EXPECT_EQ((*stored)->settings.GetString("tenant.other"), "kept");
  // The next hello tells the server which version the agent has.
  auto options = agent.Options();
  options.config_version = (*stored)->version;
  server.SetScript({});
  ASSERT_TRUE(agent.MakeChannel(options)->RunOnce(milliseconds(20000)).ok());
  EXPECT_EQ(server.messages_of_type("hello").back().GetInt("config_version"), 7);
}

TEST(Channel, AResyncLeadsToAFullSnapshot) {
  FakeServer server;
  Agent agent(server);
  ASSERT_TRUE(agent.MakeChannel()->RunOnce(milliseconds(20000)).ok());  // full v1
  // Delta v2 is lost before it reaches the server, so delta v3 does not apply on v1.
  agent.rows().Set({Row("ssh", 22)});
  auto lost = agent.inventory().Enqueue(agent.rows().Get());
  ASSERT_TRUE(lost.ok());
  ASSERT_TRUE(agent.spool().Remove(lost->key).ok());
  agent.rows().Set({Row("ssh", 22), Row("redis", 6379)});
  ASSERT_TRUE(agent.inventory().Enqueue(agent.rows().Get()).ok());

  Status done = agent.MakeChannel()->RunOnce(milliseconds(20000));
  ASSERT_TRUE(done.ok()) << done.ToString();
  auto batches = server.batches();
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[1].payload.GetString("mode"), "delta");
  EXPECT_EQ(batches[2].payload.GetString("mode"), "full");
  EXPECT_EQ(batches[2].payload.GetInt("version"), 4);
  EXPECT_EQ(server.inventory_version(), 4);
  EXPECT_EQ(server.rows(), RowsOf(agent.rows().Get()));
  EXPECT_EQ(agent.spool().size(), 0u);
}

TEST(Channel, ARejectedBatchIsRemovedAndTheNextInventoryIsFull) {
  FakeServer::Script script;
  script.reject_versions = {1};
  FakeServer server(script);
  Agent agent(server);
  ASSERT_TRUE(agent.MakeChannel()->RunOnce(milliseconds(20000)).ok());
  EXPECT_TRUE(server.committed().empty());
  EXPECT_EQ(agent.spool().size(), 0u);
  EXPECT_TRUE(agent.inventory().state().force_full);
}

TEST(Channel, SendsInventoryOnConnectThenEveryIntervalAsDeltas) {
  FakeServer server;
  Agent agent(server);
  auto options = agent.Options();
  options.settings.inventory_interval_seconds = 1;
  Agent::Running running(agent.MakeChannel(options));
  ASSERT_TRUE(WaitFor([&] { return server.inventory_version() == 1; }));
  agent.rows().Set({Row("ssh", 22), Row("redis", 6379)});
  ASSERT_TRUE(WaitFor([&] { return server.inventory_version() == 2; }));
  EXPECT_TRUE(running.Stop().ok());
  auto batches = server.batches();
  ASSERT_EQ(batches.size(), 2u);  // unchanged collections send nothing
  EXPECT_EQ(batches[1].payload.GetString("mode"), "delta");
  EXPECT_EQ(server.rows(), RowsOf(agent.rows().Get()));
}

TEST(Channel, CollectsOnCommandAndIgnoresUnknownCommands) {
  FakeServer server;
  Agent agent(server);
  ASSERT_TRUE(agent.MakeChannel()->RunOnce(milliseconds(20000)).ok());  // full v1, acknowledged
  FakeServer::Script script;
  script.after_hello = {R"({"type":"command","id":"c1","name":"reboot_now"})",
                        R"({"type":"command","id":"c2","name":"collect_inventory"})"};
  server.SetScript(script);
  agent.rows().Set({Row("ssh", 22)});
  Agent::Running running(agent.MakeChannel());
  ASSERT_TRUE(WaitFor([&] { return server.inventory_version() == 2; }));
  EXPECT_TRUE(running.Stop().ok());
  EXPECT_EQ(server.batches().back().payload.GetString("mode"), "delta");
}

TEST(Channel, AnUnknownIdentityIsRetriedSlowlyAndKept) {
  FakeServer::Script script;
  script.refuse_channel = true;
  FakeServer server(script);
  Agent agent(server);
  {
    Agent::Running running(agent.MakeChannel());
    ASSERT_TRUE(WaitFor([&] { return server.refused() >= 3; }));
    EXPECT_TRUE(running.Stop().ok());
    EXPECT_GE(running.channel().stats().unauthorized, 3);
  }
  EXPECT_TRUE(LoadIdentity(agent.dir()).ok());
  Status once = agent.MakeChannel()->RunOnce(milliseconds(5000));
  EXPECT_EQ(once.code(), Code::kUnauthenticated);
  EXPECT_NE(once.message().find("re-enrol"), std::string::npos);
}

TEST(Channel, DeregisterSendsTheMessageAndReturnsOnTheAck) {
  FakeServer server;
  Agent agent(server);
  Status done = agent.MakeChannel()->Deregister(milliseconds(10000));
  ASSERT_TRUE(done.ok()) << done.ToString();
  EXPECT_TRUE(server.deregistered());
  EXPECT_EQ(server.messages_of_type("deregister").size(), 1u);
}

TEST(Channel, StopsPromptlyWhileTheServerIsDown) {
  std::unique_ptr<FakeServer> server = std::make_unique<FakeServer>();
  Agent agent(*server);
  server.reset();  // nothing listens any more
  auto options = agent.Options();
  options.backoff_initial = milliseconds(200);
  Agent::Running running(agent.MakeChannel(options));
  ASSERT_TRUE(WaitFor([&] { return running.channel().stats().failed_connects >= 2; }));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(running.Stop().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST(Channel, OnceGivesUpAtTheDeadline) {
  FakeServer::Script script;
  script.hold_acks = true;
  FakeServer server(script);
  Agent agent(server);
  EnqueueEvents(agent.spool(), 1);
  Status done = agent.MakeChannel()->RunOnce(milliseconds(300));
  EXPECT_EQ(done.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(agent.spool().size(), 1u);
}

}  // namespace
}  // namespace rampart::agent
