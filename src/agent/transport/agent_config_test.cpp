#include "agent/transport/agent_config.h"

#include <gtest/gtest.h>

#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

TEST(AgentConfig, AppliesFlatAndNestedKeys) {
  AgentSettings s;
  EXPECT_TRUE(ApplySettings(*Json::Parse(R"({"agent.heartbeat_seconds": 15,
      "agent.inventory_interval_seconds": 600, "agent.log_level": "debug", "other": 1})"),
                            &s)
                  .empty());
  EXPECT_EQ(s.heartbeat_seconds, 15);
  EXPECT_EQ(s.inventory_interval_seconds, 600);
  EXPECT_EQ(s.log_level, "debug");
  EXPECT_TRUE(ApplySettings(*Json::Parse(R"({"agent": {"heartbeat_seconds": 5}})"), &s).empty());
  EXPECT_EQ(s.heartbeat_seconds, 5);
  EXPECT_EQ(s.inventory_interval_seconds, 600);
}

TEST(AgentConfig, SkipsInvalidValuesAndSaysWhy) {
  AgentSettings s;
  auto problems = ApplySettings(*Json::Parse(R"({"agent.heartbeat_seconds": 0,
      "agent.inventory_interval_seconds": "often", "agent.log_level": "loud"})"),
                                &s);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("agent.heartbeat_seconds: expected an integer in 1..3600"),
            std::string::npos);
  EXPECT_EQ(s.heartbeat_seconds, 60);
  EXPECT_EQ(s.inventory_interval_seconds, 3600);
  EXPECT_TRUE(s.log_level.empty());
}

TEST(AgentConfig, PersistsAndLoadsTheLastConfig) {
  const std::string dir = testing::MakeTempDir();
  auto none = LoadConfig(dir);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  ASSERT_TRUE(
      SaveConfig(dir, StoredConfig{9, *Json::Parse(R"({"agent.heartbeat_seconds":5})")}).ok());
  EXPECT_EQ(testing::FileMode(dir + "/config.json"), 0600u);
  auto loaded = LoadConfig(dir);
  ASSERT_TRUE(loaded.ok() && *loaded);
  EXPECT_EQ((*loaded)->version, 9);
  EXPECT_EQ((*loaded)->settings.GetInt("agent.heartbeat_seconds"), 5);
  testing::WriteAll(dir + "/config.json", "[]");
  EXPECT_EQ(LoadConfig(dir).error().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace rampart::agent
