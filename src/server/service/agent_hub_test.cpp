#include "server/service/agent_hub.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/wire.h"
#include "server/service/agent_hub_testing.h"
#include "server/service/enrollment.h"
#include "server/service/password_hash.h"

namespace rampart::server {
namespace {

using testing::FakeConnection;
using testing::ForwardingStorage;

struct Agent {
  std::string host_id;
  std::string secret;
  std::shared_ptr<FakeConnection> conn;
  std::shared_ptr<net::WsHandler> handler;

  void Say(const std::string& text) const { handler->OnMessage(text); }
};

class AgentHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = GetArgon2Params();
    SetArgon2Params({.memory_kib = 64, .iterations = 1, .parallelism = 1});
    auto opened = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    real_ = std::move(*opened);
    storage_ = std::make_unique<ForwardingStorage>(*real_);
    tenant_ = storage_->CreateTenant("acme", Now())->id;
    other_tenant_ = storage_->CreateTenant("globex", Now())->id;
    heartbeats_ = std::make_unique<HeartbeatWriter>(*storage_);
    AgentHubOptions options;
    // Stands in for the API's EffectiveSettings: proves the hub sends the mapped document.
    options.effective_settings = [](const Json& stored) {
      Json out = stored;
      out.Set("effective", true);
      return out;
    };
    hub_ = std::make_unique<AgentHub>(*storage_, clock_, *heartbeats_, &metrics_, options);
  }
  void TearDown() override {
    hub_.reset();
    heartbeats_.reset();
    SetArgon2Params(saved_);
  }

  std::int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch())
        .count();
  }

  // Enrols a machine in `tenant` (default: tenant_) and opens its channel.
  Agent Enrol(const std::string& machine, std::string tenant = {}) {
    if (tenant.empty()) tenant = tenant_;
    auto token = CreateEnrollToken(*storage_, clock_, tenant, 3600, "");
    EXPECT_TRUE(token.ok());
    auto enrolled = EnrollAgent(*storage_, clock_, {token->second, machine, machine, "0.1.0"});
    EXPECT_TRUE(enrolled.ok()) << enrolled.error().ToString();
    Agent agent{enrolled->host_id, enrolled->secret, nullptr, nullptr};
    Connect(agent);
    return agent;
  }

  void Connect(Agent& agent) {
    agent.conn = std::make_shared<FakeConnection>();
    net::HttpRequest request;
    request.path = std::string(wire::kChannelPath);
    request.headers.Add("Authorization",
                        wire::FormatAgentAuthorization(agent.host_id, agent.secret));
    net::HttpResponse refusal;
    agent.handler = hub_->Accept(request, agent.conn, refusal);
    ASSERT_NE(agent.handler, nullptr) << refusal.body;
  }

  static std::string Batch(std::string_view key, std::string_view payload,
                           std::string_view kind = "inventory") {
    return R"({"type":"batch","key":")" + std::string(key) + R"(","kind":")" + std::string(kind) +
           R"(","payload":)" + std::string(payload) + "}";
  }

  static std::string FullPayload(int version, int port) {
    return R"({"version":)" + std::to_string(version) +
           R"(,"mode":"full","categories":{"host":{"rows":[{"hostname":"web-1","ips":["10.0.0.5"],"os_name":"Debian","os_version":"12","machine_type":"VM","agent_version":"0.2.0"}]},"ports":{"rows":[{"proto":"tcp","port":)" +
           std::to_string(port) + "}]}}}";
  }

  std::vector<FingerprintRow> Ports(const std::string& host_id) {
    FingerprintQuery query;
    query.category = "ports";
    query.host_id = host_id;
    auto page = storage_->QueryFingerprints(tenant_, query);
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    return page.ok() ? page->items : std::vector<FingerprintRow>{};
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<Storage> real_;
  std::unique_ptr<ForwardingStorage> storage_;
  ServerMetrics metrics_{"test"};
  std::unique_ptr<HeartbeatWriter> heartbeats_;
  std::unique_ptr<AgentHub> hub_;
  std::string tenant_;
  std::string other_tenant_;
  Argon2Params saved_;
};

TEST_F(AgentHubTest, RefusesAChannelWithoutOrWithBadCredentialsWith401Json) {
  Agent agent = Enrol("m1");
  for (const std::string& header :
       {std::string(), wire::FormatAgentAuthorization(agent.host_id, "wrong-secret"),
        std::string("Bearer x")}) {
    net::HttpRequest request;
    if (!header.empty()) request.headers.Add("Authorization", header);
    net::HttpResponse refusal;
    auto handler = hub_->Accept(request, std::make_shared<FakeConnection>(), refusal);
    EXPECT_EQ(handler, nullptr);
    EXPECT_EQ(refusal.status, 401);
    EXPECT_EQ(refusal.headers.Get("www-authenticate").value_or(""), "Agent");
    auto body = Json::Parse(refusal.body);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ((*body)["error"].GetString("code"), "unauthenticated");
  }
  EXPECT_EQ(hub_->connected_count(), 1U);
}

TEST_F(AgentHubTest, HelloWithAStaleConfigVersionGetsTheEffectiveSettings) {
  auto put = storage_->PutSettings(tenant_, *Json::Parse(R"({"agent":{"heartbeat_seconds":30}})"),
                                   -1, Now());
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  Agent agent = Enrol("m1");
  agent.Say(R"({"type":"hello","agent_version":"0.1.0","config_version":0})");
  auto messages = agent.conn->Take();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].GetString("type"), "config");
  EXPECT_EQ(messages[0].GetInt("version"), put->version);
  EXPECT_EQ(messages[0]["settings"]["agent"].GetInt("heartbeat_seconds"), 30);
  EXPECT_TRUE(messages[0]["settings"]["effective"].as_bool());

  // An agent that already holds the current version hears nothing.
  Agent current = Enrol("m2");
  current.Say(R"({"type":"hello","agent_version":"0.1.0","config_version":)" +
              std::to_string(put->version) + "}");
  EXPECT_TRUE(current.conn->Take().empty());
  EXPECT_FALSE(current.conn->closed());
}

TEST_F(AgentHubTest, HeartbeatsAreBufferedThenMakeTheHostOnlineWithLastSeen) {
  Agent agent = Enrol("m1");
  ASSERT_TRUE(storage_->SetHostStatus(agent.host_id, HostStatus::kOffline, Now()).ok());
  clock_.Advance(std::chrono::seconds(90));
  agent.Say(R"({"type":"heartbeat","time":"2027-01-15T08:01:30Z"})");
  EXPECT_EQ(storage_->GetHostById(agent.host_id)->status, HostStatus::kOffline);  // not yet
  EXPECT_EQ(heartbeats_->pending(), 1U);
  ASSERT_TRUE(heartbeats_->Flush().ok());
  auto host = storage_->GetHostById(agent.host_id);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->status, HostStatus::kOnline);
  EXPECT_EQ(host->last_seen, Now());  // the server's clock, not the agent's
  EXPECT_TRUE(agent.conn->Take().empty());
}

TEST_F(AgentHubTest, InventoryIsAcknowledgedOnlyAfterItsCommit) {
  Agent agent = Enrol("m1");
  bool acked_before_commit = true;
  storage_->before_apply = [&] { acked_before_commit = !agent.conn->sent().empty(); };
  agent.Say(Batch("inv-1", FullPayload(1, 22)));
  EXPECT_FALSE(acked_before_commit);
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("type"), "ack");
  EXPECT_EQ(acks[0].GetString("key"), "inv-1");
  EXPECT_EQ(acks[0].GetString("status"), "committed");
  auto ports = Ports(agent.host_id);
  ASSERT_EQ(ports.size(), 1U);
  EXPECT_EQ(ports[0].data.GetInt("port"), 22);
  auto host = storage_->GetHostById(agent.host_id);
  EXPECT_EQ(host->hostname, "web-1");
  EXPECT_EQ(host->os_name, "Debian");
  EXPECT_EQ(host->agent_version, "0.2.0");
  EXPECT_EQ(host->ips, std::vector<std::string>{"10.0.0.5"});
}

TEST_F(AgentHubTest, DuplicateDeltaAndResyncOutcomesAreAcknowledgedAsSuch) {
  Agent agent = Enrol("m1");
  agent.Say(Batch("inv-1", FullPayload(1, 22)));
  agent.Say(Batch("inv-1", FullPayload(1, 22)));
  const std::string old_key = wire::RowKey(*Json::Parse(R"({"proto":"tcp","port":22})"));
  agent.Say(Batch(
      "inv-2",
      R"({"version":2,"base":1,"mode":"delta","changes":{"ports":{"added":[{"proto":"tcp","port":6379}],"removed":[")" +
          old_key + R"("]}}})"));
  agent.Say(Batch("inv-3", R"({"version":9,"base":5,"mode":"delta","changes":{}})"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 4U);
  EXPECT_EQ(acks[0].GetString("status"), "committed");
  EXPECT_EQ(acks[1].GetString("status"), "duplicate");
  EXPECT_EQ(acks[2].GetString("status"), "committed");
  EXPECT_EQ(acks[3].GetString("status"), "resync");
  auto ports = Ports(agent.host_id);
  ASSERT_EQ(ports.size(), 1U);
  EXPECT_EQ(ports[0].data.GetInt("port"), 6379);
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find("rampart_agent_batches_total{outcome=\"committed\"} 2"), std::string::npos);
  EXPECT_NE(text.find("rampart_agent_batches_total{outcome=\"duplicate\"} 1"), std::string::npos);
}

TEST_F(AgentHubTest, InvalidBatchesAreRejectedWithAReasonAndChangeNothing) {
  Agent agent = Enrol("m1");
  agent.Say(Batch("inv-1", FullPayload(1, 22)));
  agent.Say(Batch("inv-2", R"({"version":2,"mode":"full","categories":{"ports":{"rows":["x"]}}})"));
  agent.Say(Batch("inv-3", R"({})", "events"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 3U);
  EXPECT_EQ(acks[1].GetString("status"), "rejected");
  EXPECT_EQ(acks[1].GetString("message"),
            "inventory batch: categories.ports.rows[0]: expected a JSON object");
  EXPECT_EQ(acks[2].GetString("status"), "rejected");
  EXPECT_NE(acks[2].GetString("message").find("unknown batch kind 'events'"), std::string::npos);
  EXPECT_EQ(Ports(agent.host_id).size(), 1U);
  EXPECT_FALSE(agent.conn->closed());
}

TEST_F(AgentHubTest, ADatabaseOutageGetsNoAckSoTheAgentResends) {
  Agent agent = Enrol("m1");
  storage_->fail_apply = true;
  agent.Say(Batch("inv-1", FullPayload(1, 22)));
  EXPECT_TRUE(agent.conn->Take().empty());
  EXPECT_FALSE(agent.conn->closed());
  storage_->fail_apply = false;
  agent.Say(Batch("inv-1", FullPayload(1, 22)));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "committed");
}

TEST_F(AgentHubTest, DeregisterMarksTheHostUninstalledAcksAndCloses) {
  Agent agent = Enrol("m1");
  agent.Say(R"({"type":"deregister"})");
  auto messages = agent.conn->Take();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].GetString("type"), "ack");
  EXPECT_EQ(messages[0].GetString("status"), "committed");
  EXPECT_TRUE(agent.conn->closed());
  EXPECT_EQ(storage_->GetHostById(agent.host_id)->status, HostStatus::kUninstalled);
  EXPECT_FALSE(hub_->IsConnected(agent.host_id));
  // Its credentials no longer open a channel.
  net::HttpRequest request;
  request.headers.Add("Authorization", wire::FormatAgentAuthorization(agent.host_id, agent.secret));
  net::HttpResponse refusal;
  EXPECT_EQ(hub_->Accept(request, std::make_shared<FakeConnection>(), refusal), nullptr);
  EXPECT_EQ(refusal.status, 401);
}

TEST_F(AgentHubTest, UnknownOrMalformedMessagesGetAnErrorAndTheChannelCloses) {
  for (const std::string& text :
       {std::string(R"({"type":"selfdestruct"})"), std::string("{not json"),
        std::string(R"(["hello"])"), std::string(R"({"type":"batch","kind":"inventory"})")}) {
    Agent agent = Enrol("m-" + std::to_string(text.size()));
    agent.Say(text);
    auto messages = agent.conn->Take();
    ASSERT_EQ(messages.size(), 1U) << text;
    EXPECT_EQ(messages[0].GetString("type"), "error") << text;
    EXPECT_FALSE(messages[0].GetString("message").empty());
    EXPECT_TRUE(agent.conn->closed()) << text;
    EXPECT_FALSE(hub_->IsConnected(agent.host_id));
  }
}

TEST_F(AgentHubTest, PushConfigReachesOnlyThatTenantsStaleAgentsOnce) {
  auto put = storage_->PutSettings(tenant_, *Json::Parse(R"({"x":1})"), -1, Now());
  ASSERT_TRUE(put.ok());
  const std::int64_t v = put->version;
  Agent current = Enrol("m1");
  Agent fresh = Enrol("m2");  // no hello yet: holds nothing
  Agent other = Enrol("m3", other_tenant_);
  current.Say(R"({"type":"hello","config_version":)" + std::to_string(v) + "}");
  other.Say(R"({"type":"hello","config_version":0})");
  EXPECT_TRUE(current.conn->Take().empty());
  other.conn->Take();

  EXPECT_EQ(hub_->PushConfig(tenant_, v, *Json::Parse(R"({"x":1})")), 1U);
  auto got = fresh.conn->Take();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].GetInt("version"), v);
  EXPECT_EQ(got[0]["settings"].GetInt("x"), 1);
  EXPECT_TRUE(current.conn->Take().empty());
  EXPECT_TRUE(other.conn->Take().empty());
  EXPECT_EQ(hub_->PushConfig(tenant_, v, *Json::Parse(R"({"x":1})")), 0U);  // no repeat
  EXPECT_EQ(hub_->PushConfig(tenant_, v + 1, *Json::Parse(R"({"x":2})")), 2U);
  EXPECT_TRUE(other.conn->Take().empty());
}

TEST_F(AgentHubTest, CommandsGoOnlyToHostsConnectedHere) {
  Agent agent = Enrol("m1");
  std::string id;
  EXPECT_TRUE(
      hub_->SendCommand(agent.host_id, "scan_now", *Json::Parse(R"({"path":"/srv"})"), &id));
  auto got = agent.conn->Take();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].GetString("type"), "command");
  EXPECT_EQ(got[0].GetString("id"), id);
  EXPECT_EQ(got[0].GetString("name"), "scan_now");
  EXPECT_EQ(got[0]["args"].GetString("path"), "/srv");
  EXPECT_FALSE(hub_->SendCommand(wire::RandomId("h"), "scan_now", Json()));
}

TEST_F(AgentHubTest, AReconnectReplacesTheOldChannelAndCloseUnregisters) {
  Agent agent = Enrol("m1");
  Agent again = agent;
  Connect(again);
  EXPECT_TRUE(agent.conn->closed());
  EXPECT_EQ(hub_->connected_count(), 1U);
  agent.handler->OnClose();  // the old socket's late close must not drop the new registration
  EXPECT_TRUE(hub_->IsConnected(agent.host_id));
  again.handler->OnClose();
  EXPECT_EQ(hub_->connected_count(), 0U);
  EXPECT_TRUE(hub_->ConnectedTenants().empty());
}

TEST_F(AgentHubTest, AHostDeletedWhileConnectedIsClosed) {
  Agent a = Enrol("m1");
  Agent b = Enrol("m2");
  Agent c = Enrol("m3");
  // Deleted on another node: the next batch finds it gone.
  ASSERT_TRUE(storage_->DeleteHost(tenant_, a.host_id).ok());
  a.Say(Batch("inv-1", FullPayload(1, 22)));
  auto messages = a.conn->Take();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].GetString("type"), "error");
  EXPECT_EQ(messages[0].GetString("code"), "host_removed");
  EXPECT_TRUE(a.conn->closed());
  // Deleted or uninstalled with no traffic: the periodic sweep finds it.
  ASSERT_TRUE(storage_->DeleteHost(tenant_, b.host_id).ok());
  auto closed = hub_->CloseRemovedHosts();
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_EQ(*closed, 1U);
  EXPECT_TRUE(b.conn->closed());
  EXPECT_FALSE(c.conn->closed());
  EXPECT_EQ(hub_->connected_count(), 1U);
}

// Login security batch kinds and the command queue.

std::string EventJsonText(char hex, const std::string& source, const std::string& level,
                          int count) {
  return R"({"id":")" + std::string(32, hex) + R"(","type":"brute_force","level":")" + level +
         R"(","source":")" + source + R"(","user":"root","count":)" + std::to_string(count) +
         R"(,"first_seen":1799999000,"last_seen":1799999060,"unknown_future_field":1})";
}

TEST_F(AgentHubTest, SecurityEventsAreStoredOnceAndAckedAfterTheCommit) {
  Agent agent = Enrol("m1");
  agent.conn->Take();
  const std::string payload = R"({"events":[)" + EventJsonText('a', "203.0.113.7", "high", 5) +
                              "," + EventJsonText('b', "198.51.100.1", "low", 3) + "]}";
  agent.Say(Batch("ev-1", payload, "security_events"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "committed");
  EXPECT_EQ(acks[0].GetString("message"), "");
  agent.Say(Batch("ev-1", payload, "security_events"));
  acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "duplicate");
  EventQuery query;
  auto page = storage_->ListSecurityEvents(tenant_, query);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2U);
  EXPECT_EQ(storage_->GetHost(tenant_, agent.host_id)->risk.events, 2);
}

TEST_F(AgentHubTest, InvalidEventsAreRejectedOneByOneAndTheAckSaysHowMany) {
  Agent agent = Enrol("m1");
  agent.conn->Take();
  const std::string payload = R"({"events":[)" + EventJsonText('a', "203.0.113.7", "high", 5) +
                              R"(,{"id":"zz","type":"brute_force"},)" +
                              EventJsonText('c', "192.0.2.1", "severe", 1) + "]}";
  agent.Say(Batch("ev-1", payload, "security_events"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "committed");
  EXPECT_EQ(acks[0].GetString("message"),
            "2 of 3 events rejected: events[1]: id: expected 32 to 64 hex digits, got \"zz\"; "
            "events[2]: level: expected one of low|medium|high|critical, got \"severe\"");
  EXPECT_EQ(storage_->ListSecurityEvents(tenant_, {})->items.size(), 1U);

  agent.Say(Batch("ev-2", R"({"events":[]})", "security_events"));
  acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "rejected");
  EXPECT_FALSE(agent.conn->closed());
}

TEST_F(AgentHubTest, BaselineResultsAreStoredOnceAndBadResultsAreNamed) {
  Agent agent = Enrol("m1");
  agent.conn->Take();
  const std::string payload =
      R"({"run_id":"brun_1","policy":{"id":"p1","name":"P","score":50},"results":[)"
      R"({"id":"c1","title":"t","level":"high","status":"fail","evidence":"e",)"
      R"("remediation":{"advice":"a","command":null},"references":[]},)"
      R"({"id":"c2","level":"low","status":"pass"},{"id":"c3","level":"severe","status":"pass"}]})";
  agent.Say(Batch("bl-1", payload, "baseline_results"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "committed");
  EXPECT_EQ(acks[0].GetString("message"),
            "1 of 3 results rejected: results[2]: level: expected low, medium or high");
  agent.Say(Batch("bl-1", payload, "baseline_results"));
  acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "duplicate");
  auto rows = storage_->ListBaselineResults(tenant_, {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 2U);
  EXPECT_EQ(storage_->GetHost(tenant_, agent.host_id)->risk.baseline_failures, 1);

  agent.Say(Batch("bl-2", R"({"policy":{"id":"../p"},"results":[]})", "baseline_results"));
  acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "rejected");
  EXPECT_FALSE(agent.conn->closed());
}

TEST_F(AgentHubTest, ADatabaseOutageLeavesEventsUnacknowledgedForTheRetry) {
  Agent agent = Enrol("m1");
  agent.conn->Take();
  storage_->fail_apply = true;
  const std::string payload =
      R"({"events":[)" + EventJsonText('a', "203.0.113.7", "high", 5) + "]}";
  agent.Say(Batch("ev-1", payload, "security_events"));
  EXPECT_TRUE(agent.conn->Take().empty());
  storage_->fail_apply = false;
  agent.Say(Batch("ev-1", payload, "security_events"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "committed");
}

TEST_F(AgentHubTest, BlockSnapshotsReplaceTheHostsBlocksAndMarkItsEvents) {
  Agent agent = Enrol("m1");
  agent.conn->Take();
  agent.Say(Batch("ev-1", R"({"events":[)" + EventJsonText('a', "203.0.113.7", "high", 5) + "]}",
                  "security_events"));
  agent.Say(Batch(
      "bl-1",
      R"({"backend":"nftables","blocks":[{"source":"203.0.113.7/32","reason":"brute_force","event_id":")" +
          std::string(32, 'a') +
          R"(","created_at":1799999061,"expires_at":1799999961},{"source":"not-an-ip","created_at":1,"expires_at":2}]})",
      "blocks"));
  auto acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 2U);
  EXPECT_EQ(acks[1].GetString("status"), "committed");
  EXPECT_EQ(acks[1].GetString("message"),
            "1 of 2 blocks rejected: blocks[1]: source: expected an IPv4/IPv6 address or CIDR, got "
            "\"not-an-ip\"");
  auto blocks = storage_->ListBlocks(tenant_, {});
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->items.size(), 1U);
  EXPECT_EQ(blocks->items[0].source, "203.0.113.7");
  EXPECT_EQ(storage_->ListSecurityEvents(tenant_, {})->items[0].status, EventStatus::kBlocked);

  agent.Say(Batch("bl-2", R"({"backend":"iptables","blocks":[]})", "blocks"));
  acks = agent.conn->Take();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].GetString("status"), "rejected");
  EXPECT_EQ(storage_->ListBlocks(tenant_, {})->items.size(), 1U);
}

TEST_F(AgentHubTest, QueuedCommandsAreDeliveredOnHelloAndOnEnqueueInOrder) {
  Agent agent = Enrol("m1");
  Agent offline = Enrol("m2");
  offline.handler->OnClose();
  agent.conn->Take();
  auto queue = [&](const Agent& a, const std::string& name, const std::string& source) {
    AgentCommand c;
    c.tenant_id = tenant_;
    c.host_id = a.host_id;
    c.name = name;
    c.args = Json::Object{{"source", source}};
    c.created_by = "user:u";
    c.created_at = Now();
    auto queued = storage_->EnqueueCommand(c);
    EXPECT_TRUE(queued.ok());
    return queued.ok() ? queued->id : std::string();
  };
  const std::string first = queue(agent, "block", "203.0.113.7");
  const std::string second = queue(agent, "unblock", "198.51.100.1");
  EXPECT_EQ(hub_->DeliverCommands(agent.host_id), 2U);
  auto sent = agent.conn->Take();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].GetString("type"), "command");
  EXPECT_EQ(sent[0].GetString("id"), first);
  EXPECT_EQ(sent[0].GetString("name"), "block");
  EXPECT_EQ(sent[0].Find("args")->GetString("source"), "203.0.113.7");
  EXPECT_EQ(sent[1].GetString("id"), second);
  EXPECT_EQ(hub_->DeliverCommands(agent.host_id), 0U);

  // Queued while the host was away: delivered after its next hello, after the config.
  const std::string later = queue(offline, "block", "192.0.2.1");
  EXPECT_EQ(hub_->DeliverCommands(offline.host_id), 0U);
  Connect(offline);
  offline.Say(R"({"type":"hello","agent_version":"0.1.0","config_version":0})");
  sent = offline.conn->Take();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().GetString("type"), "command");
  EXPECT_EQ(sent.back().GetString("id"), later);
}

TEST_F(AgentHubTest, ACommandWhoseWriteFailsGoesBackToTheQueue) {
  Agent agent = Enrol("m1");
  AgentCommand c;
  c.tenant_id = tenant_;
  c.host_id = agent.host_id;
  c.name = "block";
  c.args = Json::Object{{"source", "203.0.113.7"}};
  c.created_by = "user:u";
  c.created_at = Now();
  ASSERT_TRUE(storage_->EnqueueCommand(c).ok());
  agent.conn->Close();  // the socket died, the session is still registered
  EXPECT_EQ(hub_->DeliverCommands(agent.host_id), 0U);
  auto page = storage_->ListCommands(tenant_, agent.host_id, PageRequest{});
  ASSERT_EQ(page->items.size(), 1U);
  EXPECT_EQ(page->items[0].status, CommandStatus::kPending);
}

}  // namespace
}  // namespace rampart::server
