#include "agent/transport/command_result.h"

#include <gtest/gtest.h>

#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

TEST(CommandResult, SpoolsOneResultPerCommandInTheContractsShape) {
  auto spool = Spool::Open(testing::MakeTempDir() + "/spool");
  ASSERT_TRUE(spool.ok()) << spool.error().ToString();
  Json result = Json::MakeObject();
  result.Set("vault_id", "v1");
  ASSERT_TRUE(
      QueueCommandResult(**spool, "cmd_00ab", true, "quarantined", result, 1765000000).ok());
  auto batch = (*spool)->Get("result:cmd_00ab");
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->has_value());
  EXPECT_EQ((*batch)->kind, "command_results");
  auto payload = Json::Parse((*batch)->payload);
  ASSERT_TRUE(payload.ok());
  const Json& item = payload->Find("results")->as_array().at(0);
  EXPECT_EQ(item.GetString("command_id"), "cmd_00ab");
  EXPECT_EQ(item.GetString("status"), "succeeded");
  EXPECT_EQ(item.GetString("message"), "quarantined");
  EXPECT_EQ(item.Find("result")->GetString("vault_id"), "v1");
  EXPECT_EQ(item.GetInt("finished_at"), 1765000000);
  // The same command answered twice: the spool keeps the first.
  EXPECT_EQ(QueueCommandResult(**spool, "cmd_00ab", false, "x", Json(), 1).code(),
            Code::kAlreadyExists);
  EXPECT_EQ(QueueCommandResult(**spool, "", false, "x", Json(), 1).code(), Code::kInvalidArgument);
  EXPECT_EQ(QueueCommandResult(**spool, "cmd with space", false, "x", Json(), 1).code(),
            Code::kInvalidArgument);
}

TEST(CommandResult, LongMessagesAreCutAtACharacterBoundary) {
  std::string message(4095, 'a');
  message += "\xc3\xa9";  // é straddles the 4096-byte limit
  auto payload = Json::Parse(CommandResultPayload("cmd_1", false, message, Json(), 5));
  ASSERT_TRUE(payload.ok()) << payload.error().ToString();
  const Json& item = payload->Find("results")->as_array().at(0);
  EXPECT_EQ(item.GetString("message"), std::string(4095, 'a'));
  EXPECT_EQ(item.GetString("status"), "failed");
  EXPECT_TRUE(item.Find("result")->is_object());
  // A short message with multi-byte characters is kept whole.
  auto short_payload = Json::Parse(CommandResultPayload("cmd_1", true, "caf\xc3\xa9", Json(), 5));
  ASSERT_TRUE(short_payload.ok());
  EXPECT_EQ(short_payload->Find("results")->as_array().at(0).GetString("message"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace rampart::agent
