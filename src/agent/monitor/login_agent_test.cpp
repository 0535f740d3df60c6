// LoginAgent: what the daemon spools (security_events, blocks snapshots) and how it handles the
// channel's block/unblock commands and pushed settings, with a fake firewall runner.
#include "agent/monitor/login_agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using ::testing::HasSubstr;

class NftOk final : public CommandRunner {
 public:
  Result<CommandOutput> Run(const std::vector<std::string>& argv, std::string_view) override {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    commands.push_back(line);
    return CommandOutput{0, ""};
  }
  std::vector<std::string> commands;
};

class LoginAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    log_ = dir_ + "/auth.log";
    std::ofstream(log_) << "";
    auto spool = Spool::Open(dir_ + "/spool");
    ASSERT_TRUE(spool.ok());
    spool_ = std::move(*spool);
    LoginAgentOptions o;
    o.monitor.data_dir = dir_;
    o.monitor.files = {log_};
    o.monitor.journal = LoginMonitorOptions::Journal::kOff;
    o.firewall = "nftables";
    o.host_id = "h_test";
    o.server_url = "https://192.0.2.10:8443";
    o.snapshot_interval = std::chrono::milliseconds(0);
    agent_ = std::make_unique<LoginAgent>(o, spool_.get(), &clock_, &runner_);
  }
  std::vector<Json> Payloads(std::string_view kind) {
    std::vector<Json> out;
    for (const auto& e : spool_->List()) {
      if (e.kind != kind) continue;
      auto batch = spool_->Get(e.key);
      EXPECT_TRUE(batch.ok() && batch->has_value());
      out.push_back(Json::Parse((*batch)->payload).value());
    }
    return out;
  }
  std::string dir_;
  std::string log_;
  NftOk runner_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1796601600))};
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<LoginAgent> agent_;
};

TEST_F(LoginAgentTest, SpoolsEventsAndBlockSnapshots) {
  ASSERT_TRUE(agent_->Start(Json::MakeObject()).ok());
  agent_->AfterPoll();
  auto snapshots = Payloads("blocks");
  ASSERT_EQ(snapshots.size(), 1u);  // the start snapshot
  EXPECT_EQ(snapshots[0].GetString("backend"), "nftables");
  EXPECT_EQ(snapshots[0].Find("blocks")->size(), 0u);

  std::ofstream log(log_, std::ios::app);
  for (int i = 0; i < 5; ++i) {
    log << "Dec  6 10:00:0" << i << " web sshd[" << 100 + i
        << "]: Failed password for root from 203.0.113.7 port 5000" << i << " ssh2\n";
  }
  log.close();
  ASSERT_TRUE(agent_->monitor().PollOnce().ok());
  agent_->AfterPoll();
  const auto events = Payloads("security_events");
  ASSERT_EQ(events.size(), 1u);
  const Json& e = events[0].Find("events")->as_array()[0];
  EXPECT_EQ(e.GetString("type"), "brute_force");
  snapshots = Payloads("blocks");
  ASSERT_EQ(snapshots.size(), 1u);  // replaced: only the newest is queued
  const Json& blocks = *snapshots[0].Find("blocks");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks.as_array()[0].GetString("source"), "203.0.113.7");
  EXPECT_EQ(blocks.as_array()[0].GetString("event_id"), e.GetString("id"));
  EXPECT_EQ(blocks.as_array()[0].GetInt("expires_at") - blocks.as_array()[0].GetInt("created_at"),
            900);
}

TEST_F(LoginAgentTest, BlockAndUnblockCommands) {
  ASSERT_TRUE(agent_->Start(Json::Parse(R"({"brute_force.block_seconds": 60})").value()).ok());
  CommandMessage block;
  block.id = "c1";
  block.name = "block";
  block.args = Json::Parse(R"({"source": "198.51.100.9", "reason": "manual"})").value();
  EXPECT_TRUE(agent_->OnCommand(block));
  auto list = agent_->blocks().List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].expires_at - (*list)[0].created_at, 60);  // the tenant's block_seconds

  // The server's own address is never blocked.
  block.args = Json::Parse(R"({"source": "192.0.2.10", "ttl_seconds": 30})").value();
  EXPECT_TRUE(agent_->OnCommand(block));
  EXPECT_EQ(agent_->blocks().List()->size(), 1u);

  CommandMessage unblock;
  unblock.id = "c2";
  unblock.name = "unblock";
  unblock.args = Json::Parse(R"({"source": "198.51.100.9"})").value();
  EXPECT_TRUE(agent_->OnCommand(unblock));
  EXPECT_TRUE(agent_->blocks().List()->empty());

  CommandMessage other;
  other.name = "collect_inventory";
  EXPECT_FALSE(agent_->OnCommand(other));
}

TEST_F(LoginAgentTest, ExpiryIsSnapshotted) {
  ASSERT_TRUE(agent_->Start(Json::MakeObject()).ok());
  ASSERT_TRUE(agent_->blocks().Add("203.0.113.50", 5, "manual").ok());
  agent_->AfterPoll();
  EXPECT_EQ(Payloads("blocks")[0].Find("blocks")->size(), 1u);
  clock_.Advance(std::chrono::seconds(6));
  agent_->AfterPoll();
  const auto snapshots = Payloads("blocks");
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0].Find("blocks")->size(), 0u);
}

TEST(ServerAddressesTest, LiteralsAndNames) {
  EXPECT_EQ(ServerAddresses("https://192.0.2.10:8443").size(), 1u);
  EXPECT_EQ(ServerAddresses("https://[2001:db8::5]:8443/x").size(), 1u);
  EXPECT_FALSE(ServerAddresses("https://localhost:8443").empty());
  EXPECT_TRUE(ServerAddresses("").empty());
}

}  // namespace
}  // namespace rampart::agent
