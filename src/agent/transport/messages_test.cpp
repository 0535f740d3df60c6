#include "agent/transport/messages.h"

#include <gtest/gtest.h>

namespace rampart::agent {
namespace {

TEST(ServerMessage, ParsesAnAckWithEveryStatus) {
  for (auto [text, status] : {std::pair{"committed", AckStatus::kCommitted},
                              {"duplicate", AckStatus::kDuplicate},
                              {"resync", AckStatus::kResync},
                              {"rejected", AckStatus::kRejected}}) {
    auto parsed = ParseServerMessage(std::string(R"({"type":"ack","key":"k1","status":")") + text +
                                     R"(","message":"why"})");
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    const auto& ack = std::get<AckMessage>(*parsed);
    EXPECT_EQ(ack.key, "k1");
    EXPECT_EQ(ack.status, status);
    EXPECT_EQ(ack.message, "why");
    EXPECT_EQ(AckStatusName(status), text);
  }
}

TEST(ServerMessage, ParsesConfigAndCommand) {
  auto config = ParseServerMessage(
      R"({"type":"config","version":7,"settings":{"agent.heartbeat_seconds":30}})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(std::get<ConfigMessage>(*config).version, 7);
  EXPECT_EQ(std::get<ConfigMessage>(*config).settings.GetInt("agent.heartbeat_seconds"), 30);
  auto command = ParseServerMessage(
      R"({"type":"command","id":"c1","name":"collect_inventory","args":{"full":true}})");
  ASSERT_TRUE(command.ok());
  const auto& c = std::get<CommandMessage>(*command);
  EXPECT_EQ(c.id, "c1");
  EXPECT_EQ(c.name, "collect_inventory");
  EXPECT_TRUE(c.args.Find("full")->as_bool());
  auto no_args = ParseServerMessage(R"({"type":"command","name":"scan"})");
  ASSERT_TRUE(no_args.ok());
  EXPECT_TRUE(std::get<CommandMessage>(*no_args).args.is_object());
}

TEST(ServerMessage, ParsesErrorsAndKeepsUnknownTypesForwardCompatible) {
  auto error = ParseServerMessage(R"({"type":"error","code":"unauthenticated","message":"bye"})");
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(std::get<ErrorMessage>(*error).code, "unauthenticated");
  auto unknown = ParseServerMessage(R"({"type":"upgrade","to":"2.0"})");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(std::get<UnknownMessage>(*unknown).type, "upgrade");
}

TEST(ServerMessage, RejectsMalformedInputSayingWhatWasExpected) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c :
       {Case{"", "server message"}, Case{"[1]", "string \"type\""},
        Case{R"({"type":1})", "string \"type\""},
        Case{R"({"type":"ack","status":"committed"})", "\"key\""},
        Case{R"({"type":"ack","key":"k","status":"maybe"})", "committed, duplicate"},
        Case{R"({"type":"config","version":"7","settings":{}})", "\"version\""},
        Case{R"({"type":"config","version":-1,"settings":{}})", "\"version\""},
        Case{R"({"type":"config","version":7,"settings":[]})", "\"settings\""},
        Case{R"({"type":"command","name":""})", "\"name\""},
        Case{R"({"type":"command","name":"x","args":[1]})", "\"args\""}}) {
    auto parsed = ParseServerMessage(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().code(), Code::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find(c.expected), std::string::npos)
        << c.text << " -> " << parsed.error().message();
  }
  // Deep nesting is refused before it can exhaust the stack.
  EXPECT_FALSE(ParseServerMessage(std::string(10000, '[')).ok());
}

TEST(AgentMessage, BuildsHelloHeartbeatBatchAndDeregister) {
  auto hello = Json::Parse(HelloMessage("0.1.0", 3));
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(hello->GetString("type"), "hello");
  EXPECT_EQ(hello->GetString("agent_version"), "0.1.0");
  EXPECT_EQ(hello->GetInt("config_version"), 3);
  auto heartbeat = Json::Parse(HeartbeatMessage(1800000000));
  ASSERT_TRUE(heartbeat.ok());
  EXPECT_EQ(heartbeat->GetString("time"), "2027-01-15T08:00:00Z");
  auto batch = Json::Parse(BatchMessage("k\"1", "inventory", R"({"version":2})"));
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->GetString("type"), "batch");
  EXPECT_EQ(batch->GetString("key"), "k\"1");
  EXPECT_EQ(batch->GetString("kind"), "inventory");
  EXPECT_EQ(batch->Find("payload")->GetInt("version"), 2);
  EXPECT_EQ(Json::Parse(DeregisterMessage())->GetString("type"), "deregister");
}

}  // namespace
}  // namespace rampart::agent
