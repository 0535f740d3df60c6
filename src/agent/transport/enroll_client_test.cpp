#include "agent/transport/enroll_client.h"

#include <gtest/gtest.h>

#include "agent/transport/fake_server.h"
#include "agent/transport/test_util.h"

namespace rampart::agent {
namespace {

using testing::FakeServer;

EnrollRequestInfo Request(const std::string& url, const std::string& token = FakeServer::kToken) {
  EnrollRequestInfo r;
  r.server_url = url;
  r.token = token;
  r.machine_id = "machine-1";
  r.hostname = "web-1";
  r.agent_version = "0.1.0";
  r.timeout = std::chrono::milliseconds(5000);
  return r;
}

FakeClock Clock() { return FakeClock(std::chrono::system_clock::from_time_t(1800000000)); }

TEST(Enroll, ExchangesTheTokenForAnIdentity) {
  FakeServer server;
  auto clock = Clock();
  auto identity = Enroll(Request(server.url() + "/"), clock);
  ASSERT_TRUE(identity.ok()) << identity.error().ToString();
  EXPECT_EQ(identity->server_url, server.url());
  EXPECT_EQ(identity->host_id, server.host_id_for("machine-1"));
  EXPECT_EQ(identity->tenant_id, "tn_test");
  EXPECT_FALSE(identity->secret.empty());
  EXPECT_TRUE(identity->cert_sha256.empty());
  EXPECT_EQ(identity->enrolled_at, "2027-01-15T08:00:00Z");
}

TEST(Enroll, ReEnrollingTheSameMachineKeepsTheHostId) {
  FakeServer server;
  auto clock = Clock();
  auto first = Enroll(Request(server.url()), clock);
  auto second = Enroll(Request(server.url()), clock);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->host_id, second->host_id);
  EXPECT_NE(first->secret, second->secret);
  EXPECT_EQ(server.enrolments(), 2);
}

TEST(Enroll, ARejectedTokenSaysWhyInPlainWords) {
  FakeServer server;
  auto clock = Clock();
  auto identity = Enroll(Request(server.url(), "rpe1.tok1.wrong.-"), clock);
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.error().code(), Code::kUnauthenticated);
  EXPECT_EQ(identity.error().message(), "enrolment token rejected (expired, revoked or wrong)");
}

TEST(Enroll, RefusesHttpsWithoutAPinUnlessInsecure) {
  auto clock = Clock();
  auto refused = Enroll(Request("https://127.0.0.1:1"), clock);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("--insecure"), std::string::npos);
  // With --insecure it goes on to connect (and fails there: nothing listens on port 1).
  auto request = Request("https://127.0.0.1:1");
  request.insecure = true;
  auto attempted = Enroll(request, clock);
  ASSERT_FALSE(attempted.ok());
  EXPECT_NE(attempted.error().code(), Code::kInvalidArgument);
}

TEST(Enroll, RefusesPlainHttpWhenTheTokenPinsACertificate) {
  auto clock = Clock();
  auto refused =
      Enroll(Request("http://127.0.0.1:1", "rpe1.tok1.secret1." + std::string(64, 'a')), clock);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("use https://"), std::string::npos);
}

TEST(Enroll, BadUrlsAndTokensAreInvalidArguments) {
  auto clock = Clock();
  EXPECT_EQ(Enroll(Request("ftp://x"), clock).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(Enroll(Request("http://x?a=1"), clock).error().code(), Code::kInvalidArgument);
  auto bad_token = Enroll(Request("http://127.0.0.1:1", "not-a-token"), clock);
  ASSERT_FALSE(bad_token.ok());
  EXPECT_NE(bad_token.error().message().find("rpe1.<id>.<secret>.<fingerprint>"),
            std::string::npos);
}

TEST(Enroll, AnUnreachableServerIsUnavailable) {
  std::string url;
  {
    FakeServer gone;
    url = gone.url();
  }
  auto clock = Clock();
  auto identity = Enroll(Request(url), clock);
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.error().code(), Code::kUnavailable) << identity.error().ToString();
  EXPECT_NE(identity.error().message().find("cannot reach the server"), std::string::npos);
}

TEST(Enroll, AWrongPathIsNotFound) {
  FakeServer server;
  auto clock = Clock();
  // A path prefix is kept: this asks /nope/api/v1/agent/enroll, which the fake does not serve.
  EXPECT_EQ(Enroll(Request(server.url() + "/nope"), clock).error().code(), Code::kNotFound);
}

TEST(ServerUrl, MapsToTheChannelUrl) {
  EXPECT_EQ(*ChannelUrl("https://rampart.example:8443/"),
            "wss://rampart.example:8443/api/v1/agent/channel");
  EXPECT_EQ(*ChannelUrl("http://10.0.0.1:8080"), "ws://10.0.0.1:8080/api/v1/agent/channel");
  EXPECT_EQ(*ChannelUrl("https://lb.example/rampart"),
            "wss://lb.example/rampart/api/v1/agent/channel");
  EXPECT_EQ(*NormalizeServerUrl(" https://[::1]:8443// "), "https://[::1]:8443");
  EXPECT_FALSE(ChannelUrl("rampart.example").ok());
}

TEST(ServerUrl, PinsTheEnrolmentCertificateForLaterConnections) {
  Identity pinned;
  pinned.cert_sha256 = std::string(64, 'b');
  EXPECT_EQ(ServerClientOptions(pinned, true).pin_sha256, pinned.cert_sha256);
  EXPECT_FALSE(ServerClientOptions(pinned, true).insecure_skip_verify);
  EXPECT_TRUE(ServerClientOptions(Identity{}, true).insecure_skip_verify);
  EXPECT_FALSE(ServerClientOptions(Identity{}, false).insecure_skip_verify);
}

}  // namespace
}  // namespace rampart::agent
