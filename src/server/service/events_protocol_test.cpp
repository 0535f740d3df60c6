#include "server/service/events_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::server {
namespace {

Json MustParse(std::string_view text) {
  auto parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString() << ": " << text;
  return parsed.ok() ? std::move(*parsed) : Json();
}

// The message for one event (an empty string when it is accepted).
std::string EventError(const std::string& event) {
  auto batch = ParseSecurityEventsBatch("k", MustParse(R"({"events":[)" + event + "]}"));
  EXPECT_TRUE(batch.ok()) << batch.error().ToString();
  if (!batch.ok() || batch->rejected.empty()) return "";
  return batch->rejected[0];
}

const std::string kId(40, 'A');

std::string Event(const std::string& extra) {
  return R"({"id":")" + kId +
         R"(","type":"abnormal_login","level":"high","first_seen":100,"last_seen":200)" + extra +
         "}";
}

TEST(SecurityEventsBatch, AcceptsTheContractsFullEventAndNormalisesTheId) {
  auto batch = ParseSecurityEventsBatch(
      "key-1",
      MustParse(R"({"events":[{"id":")" + kId + R"(","type":"brute_force","level":"critical",
        "rule":"default","service":"sshd","source":"2001:db8::1","user":"root",
        "users":["root","admin"],"sources":["2001:db8::1"],"count":17,"failures":17,
        "first_seen":1764000000,"last_seen":1764000060,"reason":"","network":"2001:db8::/64",
        "country":"NL","extra":{"ignored":true}}],"future":1})"));
  ASSERT_TRUE(batch.ok()) << batch.error().ToString();
  EXPECT_EQ(batch->idempotency_key, "key-1");
  ASSERT_EQ(batch->events.size(), 1U);
  EXPECT_TRUE(batch->rejected.empty());
  const ReportedEvent& e = batch->events[0];
  EXPECT_EQ(e.incident_id, std::string(40, 'a'));
  EXPECT_EQ(e.type, "brute_force");
  EXPECT_EQ(e.level, EventLevel::kCritical);
  EXPECT_EQ(e.users, (std::vector<std::string>{"root", "admin"}));
  EXPECT_EQ(e.count, 17);
  EXPECT_EQ(e.first_seen, 1764000000);
  EXPECT_EQ(e.country, "NL");
}

TEST(SecurityEventsBatch, RejectsEachBadEventWithAMessageNamingTheField) {
  EXPECT_EQ(EventError(Event("")), "");
  EXPECT_EQ(EventError(R"({"type":"brute_force"})"), "events[0]: id: required");
  EXPECT_EQ(EventError(R"({"id":"abc"})"),
            "events[0]: id: expected 32 to 64 hex digits, got \"abc\"");
  EXPECT_EQ(EventError(R"({"id":")" + std::string(65, 'a') + R"("})").substr(0, 48),
            "events[0]: id: expected 32 to 64 hex digits, got");
  EXPECT_EQ(EventError(R"({"id":")" + kId + R"(","level":"high"})"), "events[0]: type: required");
  EXPECT_EQ(EventError(R"({"id":")" + kId + R"(","type":"port_scan","level":"high"})"),
            "events[0]: type: expected one of "
            "brute_force|cracked|invalid_user_scan|abnormal_login, got \"port_scan\"");
  EXPECT_EQ(EventError(R"({"id":")" + kId + R"(","type":"cracked","level":"high"})"),
            "events[0]: first_seen: required");
  EXPECT_EQ(EventError(R"({"id":")" + kId +
                       R"(","type":"cracked","level":"high","first_seen":300,"last_seen":200})"),
            "events[0]: first_seen 300 is after last_seen 200");
  EXPECT_EQ(EventError(R"({"id":")" + kId +
                       R"(","type":"cracked","level":"high","first_seen":-1,"last_seen":200})"),
            "events[0]: first_seen: expected an integer from 0 to 8589934592, got -1");
  EXPECT_EQ(EventError(Event(R"(,"reason":"full_moon")")),
            "events[0]: reason: expected new_network, unusual_hour, new_user, new_country or \"\", "
            "got \"full_moon\"");
  EXPECT_EQ(EventError(Event(R"(,"user":"root\nFAKE from 1.2.3.4")")),
            "events[0]: user: expected a string of at most 255 bytes without control characters, "
            "got \"root\\nFAKE from 1.2.3.4\"");
  EXPECT_EQ(EventError(Event(R"(,"source":17)")),
            "events[0]: source: expected a string of at most 255 bytes without control "
            "characters, got 17");
  EXPECT_EQ(EventError(Event(R"(,"count":1.5)")),
            "events[0]: count: expected an integer from 0 to 1000000000000, got 1.5");
  EXPECT_EQ(EventError(Event(R"(,"users":"root")")),
            "events[0]: users: expected an array of at most 256 strings of at most 255 bytes "
            "without control characters");
  std::string many = R"(,"sources":[)";
  for (int i = 0; i < 257; ++i) many += std::string(i == 0 ? "" : ",") + "\"x\"";
  EXPECT_NE(EventError(Event(many + "]")), "");
  EXPECT_EQ(EventError("[]"), "events[0]: expected an object");
}

TEST(SecurityEventsBatch, RejectsTheWholeBatchOnlyWhenItsShapeIsWrong) {
  for (const char* payload : {R"([])", R"({})", R"({"events":[]})", R"({"events":{}})"}) {
    auto batch = ParseSecurityEventsBatch("k", MustParse(payload));
    ASSERT_FALSE(batch.ok()) << payload;
    EXPECT_EQ(batch.error().message(),
              "security_events batch: expected {\"events\": [...]} with 1 to 1000 events");
  }
  std::string big = R"({"events":[)";
  for (int i = 0; i < 1001; ++i) big += std::string(i == 0 ? "" : ",") + "{}";
  EXPECT_FALSE(ParseSecurityEventsBatch("k", MustParse(big + "]}")).ok());
  auto mixed = ParseSecurityEventsBatch("k", MustParse(R"({"events":[1,)" + Event("") + "]}"));
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->events.size(), 1U);
  EXPECT_EQ(mixed->rejected, std::vector<std::string>{"events[0]: expected an object"});
}

TEST(BlocksSnapshot, ParsesBlocksAndNormalisesFullLengthPrefixes) {
  auto parsed = ParseBlocksSnapshot("k", MustParse(R"({"backend":"ipset","blocks":[
      {"source":"203.0.113.7/32","reason":"brute_force","event_id":")" +
                                                   kId + R"(",
       "created_at":10,"expires_at":910},
      {"source":"2001:db8::1/128","created_at":10,"expires_at":0},
      {"source":"10.0.0.0/8","reason":"manual","created_at":10,"expires_at":20}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_TRUE(parsed->rejected.empty());
  EXPECT_EQ(parsed->snapshot.backend, "ipset");
  ASSERT_EQ(parsed->snapshot.blocks.size(), 3U);
  EXPECT_EQ(parsed->snapshot.blocks[0].source, "203.0.113.7");
  EXPECT_EQ(parsed->snapshot.blocks[0].event_id, std::string(40, 'a'));
  EXPECT_EQ(parsed->snapshot.blocks[1].source, "2001:db8::1");
  EXPECT_EQ(parsed->snapshot.blocks[2].source, "10.0.0.0/8");
  auto empty = ParseBlocksSnapshot("k", MustParse(R"({"backend":"none","blocks":[]})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->snapshot.blocks.empty());
}

TEST(BlocksSnapshot, RejectsBadBlocksAndBadShapes) {
  auto parsed = ParseBlocksSnapshot("k", MustParse(R"({"backend":"nftables","blocks":[
      {"source":"203.0.113.300","created_at":1,"expires_at":2},
      {"source":"10.0.0.0/33","created_at":1,"expires_at":2},
      {"source":"10.0.0.1"},
      {"source":"10.0.0.1","created_at":1,"expires_at":2,"event_id":"nothex"},
      {"source":"10.0.0.1","created_at":1,"expires_at":2,"reason":")" +
                                                   std::string(65, 'r') + R"("}]})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->snapshot.blocks.empty());
  ASSERT_EQ(parsed->rejected.size(), 5U);
  EXPECT_EQ(parsed->rejected[0],
            "blocks[0]: source: expected an IPv4/IPv6 address or CIDR, got \"203.0.113.300\"");
  EXPECT_EQ(parsed->rejected[2], "blocks[2]: created_at: required");
  EXPECT_EQ(parsed->rejected[3],
            "blocks[3]: event_id: expected \"\" or 32 to 64 hex digits, got \"nothex\"");
  EXPECT_EQ(ParseBlocksSnapshot("k", MustParse(R"({"blocks":[]})")).error().message(),
            "blocks snapshot: backend: required");
  EXPECT_EQ(
      ParseBlocksSnapshot("k", MustParse(R"({"backend":"pf","blocks":[]})")).error().message(),
      "blocks snapshot: backend: expected one of nftables|ipset|none, got \"pf\"");
  EXPECT_FALSE(ParseBlocksSnapshot("k", MustParse(R"({"backend":"none"})")).ok());
  EXPECT_FALSE(ParseBlocksSnapshot("k", MustParse(R"("x")")).ok());
}

TEST(NormaliseIpOrCidr, AcceptsAddressesAndPrefixesThatFitTheirFamily) {
  EXPECT_EQ(NormaliseIpOrCidr("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(NormaliseIpOrCidr("192.0.2.0/24"), "192.0.2.0/24");
  EXPECT_EQ(NormaliseIpOrCidr("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
  EXPECT_EQ(NormaliseIpOrCidr("fe80::/10"), "fe80::/10");
  EXPECT_EQ(NormaliseIpOrCidr("192.0.2.1/32"), "192.0.2.1");
  for (const char* bad : {"", "/24", "192.0.2.1/", "192.0.2.1/-1", "192.0.2.1/x", "host.example",
                          "fe80::/129", "1.2.3.4 ", "1.2.3.4/24/1"}) {
    EXPECT_FALSE(NormaliseIpOrCidr(bad).has_value()) << bad;
  }
}

TEST(RejectedSummary, NamesTheFirstThreeProblems) {
  EXPECT_EQ(RejectedSummary({}, 3, "events"), "");
  EXPECT_EQ(RejectedSummary({"a", "b", "c", "d"}, 9, "events"),
            "4 of 9 events rejected: a; b; c; ...");
}

}  // namespace
}  // namespace rampart::server
