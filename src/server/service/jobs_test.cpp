#include "server/service/jobs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/hash.h"
#include "common/wire.h"
#include "server/service/agent_hub_testing.h"

namespace rampart::server {
namespace {

using std::chrono::seconds;
using testing::FakeConnection;

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStorage("sqlite://:memory:", "");
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    storage_ = std::move(*opened);
    tenant_ = storage_->CreateTenant("acme", Now())->id;
    token_ =
        storage_->CreateEnrollToken({wire::RandomId("et"), tenant_, "x", Now(), Now() + 86400})->id;
  }

  std::int64_t Now() const {
    return std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
  }

  // A host enrolled now (ONLINE, last_seen now); returns its id.
  std::string AddHost(const std::string& machine) {
    Host host;
    host.id = wire::RandomId("h");
    host.tenant_id = tenant_;
    host.machine_id = machine;
    host.hostname = machine;
    host.agent_secret_hash = std::string(64, '0');
    auto stored = storage_->EnrollHost(token_, host, Now());
    EXPECT_TRUE(stored.ok()) << stored.error().ToString();
    return stored.ok() ? stored->id : std::string();
  }

  HostStatus StatusOf(const std::string& id) { return storage_->GetHostById(id)->status; }

  JobsOptions Node(std::string id) {
    JobsOptions options;
    options.node_id = std::move(id);
    options.offline_after_seconds = 180;
    return options;
  }

  FakeClock clock_{std::chrono::system_clock::time_point(seconds(1'800'000'000))};
  std::unique_ptr<Storage> storage_;
  std::string tenant_;
  std::string token_;
};

TEST_F(JobsTest, MarksAHostOfflineOnceItsHeartbeatsStopForTheTimeout) {
  const std::string quiet = AddHost("quiet");
  const std::string chatty = AddHost("chatty");
  Jobs jobs(*storage_, clock_, nullptr, Node("node-a"));
  jobs.Tick();
  EXPECT_EQ(StatusOf(quiet), HostStatus::kOnline);
  for (int i = 0; i < 36; ++i) {  // 180 s in 5 s steps; "chatty" beats every step
    clock_.Advance(seconds(5));
    ASSERT_TRUE(storage_->RecordHeartbeats({{chatty, Now()}}).ok());
    jobs.Tick();
  }
  EXPECT_EQ(StatusOf(quiet), HostStatus::kOnline);  // exactly 180 s: not yet
  clock_.Advance(seconds(5));
  jobs.Tick();
  EXPECT_EQ(StatusOf(quiet), HostStatus::kOffline);
  EXPECT_EQ(StatusOf(chatty), HostStatus::kOnline);
  EXPECT_EQ(jobs.stats().hosts_marked_offline, 1);
  // A heartbeat brings it back.
  ASSERT_TRUE(storage_->RecordHeartbeats({{quiet, Now()}}).ok());
  EXPECT_EQ(StatusOf(quiet), HostStatus::kOnline);
}

TEST_F(JobsTest, OnlyTheLeaseHolderMarksUntilItStopsRenewing) {
  AddHost("h1");
  Jobs a(*storage_, clock_, nullptr, Node("node-a"));
  Jobs b(*storage_, clock_, nullptr, Node("node-b"));
  for (int i = 0; i < 10; ++i) {
    a.Tick();
    b.Tick();
    clock_.Advance(seconds(5));
  }
  EXPECT_EQ(a.stats().offline_runs, 10);
  EXPECT_EQ(b.stats().offline_runs, 0);
  // Node A dies: B takes over once A's lease (15 s) has run out, and only then.
  b.Tick();  // 0 s after A's last renewal + 5 s
  clock_.Advance(seconds(5));
  b.Tick();
  EXPECT_EQ(b.stats().offline_runs, 0);
  clock_.Advance(seconds(6));
  b.Tick();
  EXPECT_EQ(b.stats().offline_runs, 1);
  // A comes back: now it is the one kept out.
  clock_.Advance(seconds(5));
  a.Tick();
  b.Tick();
  EXPECT_EQ(a.stats().offline_runs, 10);
  EXPECT_EQ(b.stats().offline_runs, 2);
}

TEST_F(JobsTest, PushesASettingsChangeMadeElsewhereToAgentsConnectedHere) {
  const std::string host_id = AddHost("h1");
  const std::string secret = wire::RandomSecret();
  // Give the host a secret we know, the way enrolment does.
  Host again;
  again.id = host_id;
  again.tenant_id = tenant_;
  again.machine_id = "h1";
  again.hostname = "h1";
  again.agent_secret_hash = Sha256Hex(secret);
  ASSERT_TRUE(storage_->EnrollHost(token_, again, Now()).ok());

  HeartbeatWriter heartbeats(*storage_);
  AgentHub hub(*storage_, clock_, heartbeats);
  auto conn = std::make_shared<FakeConnection>();
  net::HttpRequest request;
  request.headers.Add("Authorization", wire::FormatAgentAuthorization(host_id, secret));
  net::HttpResponse refusal;
  auto handler = hub.Accept(request, conn, refusal);
  ASSERT_NE(handler, nullptr) << refusal.body;
  handler->OnMessage(R"({"type":"hello","config_version":0})");
  conn->Take();

  Jobs jobs(*storage_, clock_, &hub, Node("node-a"));
  jobs.Tick();
  clock_.Advance(seconds(1));
  // "Another node" (any writer of the same database) changes the settings.
  auto put = storage_->PutSettings(tenant_, *Json::Parse(R"({"agent":{"heartbeat_seconds":20}})"),
                                   -1, Now());
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  jobs.Tick();
  auto messages = conn->Take();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].GetString("type"), "config");
  EXPECT_EQ(messages[0].GetInt("version"), put->version);
  EXPECT_EQ(messages[0]["settings"]["agent"].GetInt("heartbeat_seconds"), 20);
  // Later polls overlap the change but do not send it again.
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(seconds(1));
    jobs.Tick();
  }
  EXPECT_TRUE(conn->Take().empty());
  EXPECT_EQ(jobs.stats().config_pushes, 1);
}

TEST_F(JobsTest, CommandsQueuedByAnotherNodeReachTheAgentConnectedHere) {
  const std::string secret = wire::RandomSecret();
  Host host;
  host.id = wire::RandomId("h");
  host.machine_id = "m-cmd";
  host.hostname = "h-cmd";
  host.agent_secret_hash = Sha256Hex(secret);
  auto enrolled = storage_->EnrollHost(token_, host, Now());
  ASSERT_TRUE(enrolled.ok()) << enrolled.error().ToString();

  HeartbeatWriter heartbeats(*storage_);
  AgentHub hub(*storage_, clock_, heartbeats);
  auto conn = std::make_shared<FakeConnection>();
  net::HttpRequest request;
  request.headers.Add("Authorization", wire::FormatAgentAuthorization(enrolled->id, secret));
  net::HttpResponse refusal;
  auto handler = hub.Accept(request, conn, refusal);
  ASSERT_NE(handler, nullptr) << refusal.body;
  handler->OnMessage(R"({"type":"hello","config_version":0})");
  conn->Take();

  Jobs jobs(*storage_, clock_, &hub, Node("node-a"));
  jobs.Tick();
  clock_.Advance(seconds(1));
  // The API on "another node" (a writer of the same database) queues a block.
  AgentCommand command;
  command.tenant_id = tenant_;
  command.host_id = enrolled->id;
  command.name = "block";
  command.args = *Json::Parse(R"({"source":"203.0.113.7","ttl_seconds":900,"reason":"manual"})");
  command.created_by = "user:u";
  command.created_at = Now();
  auto queued = storage_->EnqueueCommand(command);
  ASSERT_TRUE(queued.ok()) << queued.error().ToString();
  jobs.Tick();
  auto messages = conn->Take();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].GetString("type"), "command");
  EXPECT_EQ(messages[0].GetString("id"), queued->id);
  EXPECT_EQ(messages[0]["args"].GetInt("ttl_seconds"), 900);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(seconds(1));
    jobs.Tick();
  }
  EXPECT_TRUE(conn->Take().empty());
  EXPECT_EQ(jobs.stats().commands_delivered, 1);
}

TEST_F(JobsTest, PrunesBatchKeysHourlyOnOneNode) {
  Jobs a(*storage_, clock_, nullptr, Node("node-a"));
  Jobs b(*storage_, clock_, nullptr, Node("node-b"));
  a.Tick();
  b.Tick();
  EXPECT_EQ(a.stats().prune_runs + b.stats().prune_runs, 1);
  clock_.Advance(seconds(1800));
  a.Tick();
  b.Tick();
  EXPECT_EQ(a.stats().prune_runs + b.stats().prune_runs, 1);
  clock_.Advance(seconds(1801));
  a.Tick();
  b.Tick();
  EXPECT_EQ(a.stats().prune_runs + b.stats().prune_runs, 2);
}

TEST_F(JobsTest, StartAndStopRunTheLoopOnItsOwnThread) {
  SystemClock& clock = SystemClock::Instance();
  JobsOptions options = Node("node-a");
  options.tick = std::chrono::milliseconds(10);
  Jobs jobs(*storage_, clock, nullptr, options);
  jobs.Start();
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (jobs.stats().offline_runs == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  jobs.Stop();
  EXPECT_GE(jobs.stats().offline_runs, 1);
  jobs.Stop();  // idempotent
}

TEST_F(JobsTest, TakesOneVulnerabilitySnapshotPerTenantAndDayUnderALease) {
  const std::string host = AddHost("h1");
  const std::string other = storage_->CreateTenant("globex", Now())->id;
  HostFinding f;
  f.vuln_id = "DSA-1-1";
  f.package = "openssl";
  f.ids = {"DSA-1-1"};
  f.installed_version = "1.0";
  f.severity = "critical";
  f.detail.Set("id", "DSA-1-1");
  ASSERT_TRUE(storage_
                  ->ReplaceHostFindings(
                      tenant_, host, {f}, [](const std::string&) { return true; }, Now())
                  .ok());
  Jobs a(*storage_, clock_, nullptr, Node("node-a"));
  Jobs b(*storage_, clock_, nullptr, Node("node-b"));
  // At start: today's snapshots are missing, so the lease holder writes them at once.
  a.Tick();
  b.Tick();
  EXPECT_EQ(a.stats().stats_snapshots, 2);
  EXPECT_EQ(b.stats().stats_snapshots, 0);
  const std::string today = DayText(UtcDay(Now()));
  auto snaps = storage_->ListVulnSnapshots(tenant_, today, today);
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 1U);
  EXPECT_EQ((*snaps)[0].by_severity, (SeverityCounts{1, 0, 0, 0, 0}));
  EXPECT_EQ((*snaps)[0].taken_at, Now());
  EXPECT_EQ(storage_->ListVulnSnapshots(other, today, today)->size(), 1U);
  // Later the same day: nothing new (the first snapshot of a day stays).
  clock_.Advance(seconds(3 * 3600));
  a.Tick();
  EXPECT_EQ(a.stats().stats_snapshots, 2);
  // The next day: one more per tenant.
  clock_.Advance(seconds(24 * 3600));
  a.Tick();
  EXPECT_EQ(a.stats().stats_snapshots, 4);
  const std::string tomorrow = DayText(UtcDay(Now()));
  EXPECT_NE(tomorrow, today);
  EXPECT_EQ(storage_->ListVulnSnapshots(tenant_, today, tomorrow)->size(), 2U);
}

}  // namespace
}  // namespace rampart::server
