#include "common/wire.h"

#include <gtest/gtest.h>

#include <set>

namespace rampart::wire {
namespace {

TEST(Wire, EnrollTokenRoundTripsWithFingerprint) {
  EnrollToken token{"et_abc", RandomSecret(), std::string(64, 'a')};
  auto parsed = ParseEnrollToken(FormatEnrollToken(token));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->id, "et_abc");
  EXPECT_EQ(parsed->secret, token.secret);
  EXPECT_EQ(parsed->cert_sha256, token.cert_sha256);
}

TEST(Wire, EnrollTokenWithoutTlsHasDash) {
  EnrollToken token{"et_1", "s", ""};
  EXPECT_EQ(FormatEnrollToken(token), "rpe1.et_1.s.-");
  auto parsed = ParseEnrollToken("  rpe1.et_1.s.-\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->cert_sha256.empty());
}

TEST(Wire, EnrollTokenRejectsMalformedText) {
  const std::string not_hex = "rpe1.a.b." + std::string(64, 'g');
  for (const char* bad : {"", "rpe1", "rpe1.a.b", "rpe2.a.b.-", "rpe1.a b.c.-", "rpe1.a.b.XYZ",
                          "rpe1.a.b.c.d", "rpe1..b.-", not_hex.c_str()}) {
    EXPECT_FALSE(ParseEnrollToken(bad).ok()) << bad;
  }
}

TEST(Wire, ApiTokenRoundTripsAndRejectsOtherShapes) {
  auto parsed = ParseApiToken(FormatApiToken({"tk_1", "sec-ret_"}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->id, "tk_1");
  EXPECT_EQ(parsed->secret, "sec-ret_");
  EXPECT_FALSE(ParseApiToken("rpt1.tk_1").ok());
  EXPECT_FALSE(ParseApiToken("rpe1.tk_1.x").ok());
  EXPECT_FALSE(ParseApiToken("rpt1.tk_1.x/y").ok());
}

TEST(Wire, AgentAuthorizationRoundTrips) {
  auto parsed = ParseAgentAuthorization(FormatAgentAuthorization("h_1", "s3cret"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->first, "h_1");
  EXPECT_EQ(parsed->second, "s3cret");
  EXPECT_FALSE(ParseAgentAuthorization("Bearer h_1:s").ok());
  EXPECT_FALSE(ParseAgentAuthorization("Agent h_1").ok());
  EXPECT_FALSE(ParseAgentAuthorization("Agent :s").ok());
}

TEST(Wire, RandomIdsAndSecretsAreUniqueAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = RandomId("h");
    EXPECT_EQ(id.size(), 2u + 32u);
    EXPECT_TRUE(seen.insert(id).second);
    std::string secret = RandomSecret();
    EXPECT_EQ(secret.size(), 43u);  // 256 bits in base64url without padding
    EXPECT_EQ(secret.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
  }
}

TEST(Wire, RowKeyDependsOnContentAndOrder) {
  Json a = Json::MakeObject();
  a.Set("port", 22);
  a.Set("proto", "tcp");
  Json b = Json::MakeObject();
  b.Set("port", 22);
  b.Set("proto", "tcp");
  EXPECT_EQ(RowKey(a), RowKey(b));
  b.Set("port", 23);
  EXPECT_NE(RowKey(a), RowKey(b));
  EXPECT_EQ(RowKey(a).size(), 64u);
}

TEST(Wire, MessageTypeNeedsAnObjectWithStringType) {
  auto msg = Json::Parse(R"({"type":"heartbeat"})");
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(*MessageType(*msg), "heartbeat");
  EXPECT_FALSE(MessageType(*Json::Parse(R"({"type":1})")).ok());
  EXPECT_FALSE(MessageType(*Json::Parse(R"([])")).ok());
}

}  // namespace
}  // namespace rampart::wire
