// Firewall command building and BlockManager bookkeeping with a fake command runner and a fake
// clock: never-block rules, persistence, restore with remaining TTL, expiry, refresh, errors.
#include "agent/monitor/block_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "agent/monitor/firewall.h"
#include "agent/monitor/sessions.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Records every command; fails those whose argv[0..] starts with a configured prefix.
class FakeRunner final : public CommandRunner {
 public:
  Result<CommandOutput> Run(const std::vector<std::string>& argv, std::string_view input) override {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    commands.push_back(line);
    if (!input.empty()) inputs.emplace_back(input);
    if (missing.count(argv[0]) > 0) return NotFound(argv[0] + ": cannot run it");
    for (const auto& prefix : failing) {
      if (line.rfind(prefix, 0) == 0) return CommandOutput{1, "Error: simulated failure"};
    }
    return CommandOutput{0, ""};
  }
  std::vector<std::string> commands;
  std::vector<std::string> inputs;
  std::vector<std::string> failing;
  std::set<std::string> missing;
};

constexpr std::int64_t kT0 = 1800000000;

class BlockManagerTest : public ::testing::Test {
 protected:
  BlockManagerTest()
      : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(kT0))),
        dir_(testing::MakeTempDir()),
        firewall_(&runner_, FirewallBackend::kNftables),
        blocks_(dir_, &firewall_, &clock_) {}
  FakeClock clock_;
  std::string dir_;
  FakeRunner runner_;
  Firewall firewall_;
  BlockManager blocks_;
};

TEST(BlockTargetTest, CanonicalForms) {
  EXPECT_EQ(ParseBlockTarget("203.0.113.7")->text, "203.0.113.7");
  EXPECT_FALSE(ParseBlockTarget("203.0.113.7")->v6);
  EXPECT_EQ(ParseBlockTarget("::ffff:203.0.113.7")->text, "203.0.113.7");
  EXPECT_EQ(ParseBlockTarget("203.0.113.77/24")->text, "203.0.113.0/24");
  EXPECT_EQ(ParseBlockTarget("2001:DB8::1")->text, "2001:db8::1");
  EXPECT_TRUE(ParseBlockTarget("2001:db8::1")->v6);
  EXPECT_EQ(ParseBlockTarget("2001:db8:1:2:3::/64")->text, "2001:db8:1:2::/64");
  for (const char* bad : {"", "host.example", "1.2.3.4; nft flush ruleset", "1.2.3.4 }", "1.2.3",
                          "300.1.1.1", "1.2.3.4/33"}) {
    EXPECT_FALSE(ParseBlockTarget(bad).has_value()) << bad;
  }
}

TEST(FirewallTest, NftablesCommands) {
  FakeRunner runner;
  Firewall fw(&runner, FirewallBackend::kNftables);
  ASSERT_TRUE(fw.Setup().ok());
  ASSERT_THAT(runner.commands, ElementsAre("nft -f -"));
  EXPECT_THAT(runner.inputs[0], HasSubstr("add table inet rampart"));
  EXPECT_THAT(runner.inputs[0], HasSubstr("flags interval, timeout"));
  EXPECT_THAT(runner.inputs[0], HasSubstr("type filter hook input priority -10"));
  EXPECT_THAT(runner.inputs[0], HasSubstr("ip saddr @blocked4 drop"));
  EXPECT_THAT(runner.inputs[0], HasSubstr("ip6 saddr @blocked6 drop"));
  runner.commands.clear();
  ASSERT_TRUE(fw.Add(*ParseBlockTarget("203.0.113.7"), 900).ok());
  ASSERT_TRUE(fw.Add(*ParseBlockTarget("2001:db8::/64"), 60).ok());
  ASSERT_TRUE(fw.Remove(*ParseBlockTarget("203.0.113.7")).ok());
  EXPECT_THAT(runner.commands,
              ElementsAre("nft delete element inet rampart blocked4 { 203.0.113.7 }",
                          "nft add element inet rampart blocked4 { 203.0.113.7 timeout 900s }",
                          "nft delete element inet rampart blocked6 { 2001:db8::/64 }",
                          "nft add element inet rampart blocked6 { 2001:db8::/64 timeout 60s }",
                          "nft delete element inet rampart blocked4 { 203.0.113.7 }"));
}

TEST(FirewallTest, IpsetCommands) {
  FakeRunner runner;
  runner.failing = {"iptables -w -C", "ip6tables -w -C"};  // rules not there yet
  Firewall fw(&runner, FirewallBackend::kIpset);
  ASSERT_TRUE(fw.Setup().ok());
  EXPECT_THAT(runner.commands,
              ElementsAre("ipset create rampart4 hash:net family inet timeout 0 -exist",
                          "ipset create rampart6 hash:net family inet6 timeout 0 -exist",
                          "iptables -w -C INPUT -m set --match-set rampart4 src -j DROP",
                          "iptables -w -I INPUT 1 -m set --match-set rampart4 src -j DROP",
                          "ip6tables -w -C INPUT -m set --match-set rampart6 src -j DROP",
                          "ip6tables -w -I INPUT 1 -m set --match-set rampart6 src -j DROP"));
  runner.commands.clear();
  runner.failing.clear();
  ASSERT_TRUE(fw.Setup().ok());  // idempotent: the rules exist now, nothing is inserted twice
  EXPECT_EQ(std::count_if(runner.commands.begin(), runner.commands.end(),
                          [](const std::string& c) { return c.find(" -I ") != std::string::npos; }),
            0);
  runner.commands.clear();
  ASSERT_TRUE(fw.Add(*ParseBlockTarget("198.51.100.0/24"), 300).ok());
  EXPECT_THAT(runner.commands,
              ElementsAre("ipset del rampart4 198.51.100.0/24 -exist",
                          "ipset add rampart4 198.51.100.0/24 timeout 300 -exist"));
}

TEST(FirewallTest, DetectPrefersNftablesThenIpset) {
  FakeRunner runner;
  EXPECT_EQ(Firewall::Detect(&runner), FirewallBackend::kNftables);
  runner.missing = {"nft"};
  EXPECT_EQ(Firewall::Detect(&runner), FirewallBackend::kIpset);
  runner.missing = {"nft", "ipset"};
  EXPECT_EQ(Firewall::Detect(&runner), FirewallBackend::kNone);
}

TEST(FirewallTest, FailuresAreErrorsNamingTheCommand) {
  FakeRunner runner;
  runner.failing = {"nft add"};
  Firewall fw(&runner, FirewallBackend::kNftables);
  Status s = fw.Add(*ParseBlockTarget("203.0.113.7"), 60);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("nft add element inet rampart blocked4"));
  EXPECT_THAT(s.message(), HasSubstr("simulated failure"));
  Firewall none(&runner, FirewallBackend::kNone);
  s = none.Add(*ParseBlockTarget("203.0.113.7"), 60);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("NOT blocked"));
}

TEST_F(BlockManagerTest, AddListRemovePersist) {
  ASSERT_TRUE(blocks_.Restore().ok());
  auto added = blocks_.Add("203.0.113.7", 900, "brute_force", "abc");
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  EXPECT_EQ(added->created_at, kT0);
  EXPECT_EQ(added->expires_at, kT0 + 900);
  const std::uint64_t gen = blocks_.Generation();
  EXPECT_GT(gen, 0u);
  auto list = blocks_.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].event_id, "abc");
  // A second manager over the same data dir (the CLI) sees it.
  FakeRunner other_runner;
  Firewall other_fw(&other_runner, FirewallBackend::kNone);
  BlockManager other(dir_, &other_fw, &clock_);
  EXPECT_EQ(other.List()->size(), 1u);
  ASSERT_TRUE(blocks_.Remove("203.0.113.7").ok());
  EXPECT_THAT(*blocks_.List(), IsEmpty());
  EXPECT_GT(blocks_.Generation(), gen);
  EXPECT_EQ(blocks_.Remove("203.0.113.7").code(), Code::kNotFound);
  EXPECT_EQ(testing::FileMode(dir_ + "/blocks.json"), 0600u);
}

TEST_F(BlockManagerTest, ExpiryFollowsTheClock) {
  ASSERT_TRUE(blocks_.Add("203.0.113.7", 5, "brute_force").ok());
  ASSERT_TRUE(blocks_.Add("203.0.113.8", 60, "brute_force").ok());
  clock_.Advance(std::chrono::seconds(4));
  EXPECT_EQ(*blocks_.ExpireDue(), 0u);
  clock_.Advance(std::chrono::seconds(1));
  runner_.commands.clear();
  EXPECT_EQ(*blocks_.ExpireDue(), 1u);
  EXPECT_THAT(runner_.commands,
              ElementsAre("nft delete element inet rampart blocked4 { 203.0.113.7 }"));
  ASSERT_EQ(blocks_.List()->size(), 1u);
  EXPECT_EQ((*blocks_.List())[0].source, "203.0.113.8");
}

TEST_F(BlockManagerTest, RestoreReappliesWithTheRemainingTime) {
  ASSERT_TRUE(blocks_.Add("203.0.113.7", 900, "brute_force").ok());
  ASSERT_TRUE(blocks_.Add("203.0.113.8", 100, "manual").ok());
  clock_.Advance(std::chrono::seconds(300));  // the agent was stopped for 5 minutes
  FakeRunner runner;
  Firewall fw(&runner, FirewallBackend::kNftables);
  BlockManager restarted(dir_, &fw, &clock_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_THAT(runner.commands,
              ElementsAre("nft delete element inet rampart blocked4 { 203.0.113.8 }", "nft -f -",
                          "nft delete element inet rampart blocked4 { 203.0.113.7 }",
                          "nft add element inet rampart blocked4 { 203.0.113.7 timeout 600s }"));
  ASSERT_EQ(restarted.List()->size(), 1u);
}

TEST_F(BlockManagerTest, ReAddingExtendsInsteadOfDuplicating) {
  ASSERT_TRUE(blocks_.Add("203.0.113.7", 60, "brute_force", "first").ok());
  clock_.Advance(std::chrono::seconds(30));
  auto again = blocks_.Add("203.0.113.7", 60, "cracked", "second");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->expires_at, kT0 + 90);
  EXPECT_EQ(again->reason, "brute_force");
  EXPECT_EQ(blocks_.List()->size(), 1u);
}

TEST_F(BlockManagerTest, NeverBlockRules) {
  BlockPolicy policy;
  policy.protected_networks = {*ParseCidr("10.0.0.0/8"), *ParseCidr("192.0.2.10")};
  policy.sessions = [] { return std::vector<IpBytes>{ParseIpAddress("198.51.100.5").value()}; };
  blocks_.SetPolicy(policy);
  struct Case {
    const char* source;
    const char* why;
  } cases[] = {
      {"127.0.0.1", "loopback"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.2", "loopback"},
      {"0.0.0.0/0", "loopback"},  // covers everything, loopback included
      {"10.1.2.3", "protected network"},
      {"10.0.0.0/16", "protected network"},
      {"192.0.2.10", "protected network"},  // the server
      {"192.0.2.0/24", "protected network"},
      {"198.51.100.5", "management session"},
  };
  for (const auto& c : cases) {
    auto r = blocks_.Add(c.source, 60, "manual");
    ASSERT_FALSE(r.ok()) << c.source;
    EXPECT_EQ(r.error().code(), Code::kFailedPrecondition) << c.source;
    EXPECT_THAT(r.error().message(), HasSubstr(c.why)) << c.source;
  }
  EXPECT_THAT(runner_.commands, IsEmpty());  // nothing reached the firewall
  EXPECT_TRUE(blocks_.Add("203.0.113.7", 60, "manual").ok());
  EXPECT_EQ(blocks_.Add("not-an-address", 60, "manual").error().code(), Code::kInvalidArgument);
}

TEST_F(BlockManagerTest, TheFirewallIsTouchedOnlyWhenABlockNeedsIt) {
  ASSERT_TRUE(blocks_.Restore().ok());
  EXPECT_THAT(runner_.commands, IsEmpty());
  ASSERT_TRUE(blocks_.Add("203.0.113.7", 60, "manual").ok());
  EXPECT_EQ(runner_.commands.front(), "nft -f -");
  runner_.commands.clear();
  ASSERT_TRUE(blocks_.Add("203.0.113.8", 60, "manual").ok());
  EXPECT_EQ(std::count(runner_.commands.begin(), runner_.commands.end(), "nft -f -"), 0);
}

TEST_F(BlockManagerTest, AFailingFirewallRecordsNothing) {
  runner_.failing = {"nft add"};
  auto r = blocks_.Add("203.0.113.7", 60, "manual");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(*blocks_.List(), IsEmpty());
  FakeRunner none_runner;
  Firewall none(&none_runner, FirewallBackend::kNone);
  BlockManager without(dir_, &none, &clock_);
  auto refused = without.Add("203.0.113.7", 60, "manual");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message(), HasSubstr("NOT blocked"));
  EXPECT_THAT(*without.List(), IsEmpty());
}

TEST_F(BlockManagerTest, ADamagedStateFileIsSetAside) {
  testing::WriteAll(dir_ + "/blocks.json", "{not json");
  ASSERT_TRUE(blocks_.Restore().ok());
  EXPECT_EQ(testing::ReadAll(dir_ + "/blocks.json.bad"), "{not json");
  EXPECT_TRUE(blocks_.Add("203.0.113.7", 60, "manual").ok());
}

TEST(BlocksStateTest, RoundTripAndErrors) {
  BlocksState s;
  s.generation = 7;
  s.backend = "ipset";
  s.blocks.push_back({"203.0.113.7", "brute_force", "id1", 10, 20});
  auto back = DecodeBlocksState(EncodeBlocksState(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->generation, 7u);
  EXPECT_EQ(back->blocks, s.blocks);
  for (
      const char* bad : {
          "[]",
          R"({"version":2,"generation":1,"blocks":[]})",
          R"({"version":1,"blocks":[]})",
          R"({"version":1,"generation":1,"blocks":[{"source":"x","created_at":1,"expires_at":2}]})",
          R"({"version":1,"generation":1,"blocks":[{"source":"1.2.3.4","created_at":-1,"expires_at":2}]})",
      }) {
    auto r = DecodeBlocksState(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Code::kDataLoss);
    }
  }
  auto r = DecodeBlocksState(
      R"({"version":1,"generation":1,"blocks":[{"source":"x","created_at":1,"expires_at":2}]})");
  EXPECT_THAT(r.error().message(), HasSubstr("blocks[0].source"));
}

}  // namespace
}  // namespace rampart::agent
