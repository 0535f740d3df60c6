// The server application end to end on a real socket: plain HTTP and TLS (pinned), an ephemeral
// port, a SQLite database in a temp dir, and net::Fetch / net::WsClient playing the agent.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "common/json.h"
#include "common/wire.h"
#include "net/client.h"
#include "server/server_app.h"
#include "server/service/agent_hub.h"
#include "server/service/api_auth.h"
#include "server/service/enrollment.h"
#include "server/service/password_hash.h"

namespace rampart::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kPortsPath = "/fingerprints/ports";

std::int64_t UnixNow() {
  return std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json ParseOrDie(const std::string& text) {
  auto parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : Json();
}

class ServerAppLive : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    saved_ = GetArgon2Params();
    SetArgon2Params({.memory_kib = 64, .iterations = 1, .parallelism = 1});
    std::string tmpl = ::testing::TempDir() + "/server_app_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ServerConfig config;
    config.data_dir = dir_ + "/data";
    config.listen = "127.0.0.1:0";
    config.web_root = "none";  // unknown paths are 404s, whatever console this machine has
    config.tls = GetParam();
    config.io_threads = 1;
    config.worker_threads = 2;
    auto app = ServerApp::Start(config);
    ASSERT_TRUE(app.ok()) << app.error().ToString();
    app_ = std::move(*app);
    client_.pin_sha256 = app_->cert_sha256();
    client_.io_timeout = milliseconds(10000);

    Storage& storage = app_->storage();
    tenant_ = storage.CreateTenant("acme", UnixNow())->id;
    auto token =
        CreateApiToken(storage, SystemClock::Instance(), tenant_, "", Role::kAdmin, "live test", 0);
    ASSERT_TRUE(token.ok()) << token.error().ToString();
    api_token_ = token->second;
    auto enroll =
        CreateEnrollToken(storage, SystemClock::Instance(), tenant_, 3600, app_->cert_sha256());
    ASSERT_TRUE(enroll.ok());
    enroll_token_ = enroll->second;
  }

  void TearDown() override {
    if (app_ != nullptr) app_->Stop();
    app_.reset();
    std::filesystem::remove_all(dir_);
    SetArgon2Params(saved_);
  }

  std::string Url(std::string_view path) const { return app_->local_url() + std::string(path); }
  std::string WsUrl() const {
    std::string url = Url(wire::kChannelPath);
    return (GetParam() ? "wss" : "ws") + url.substr(url.find(':'));
  }

  net::HttpResponse Api(std::string_view method, std::string_view path, std::string body = {}) {
    net::Headers headers;
    headers.Add("Authorization", "Bearer " + api_token_);
    if (!body.empty()) headers.Add("Content-Type", "application/json");
    auto response = net::Fetch(method, Url(path), headers, body, client_);
    EXPECT_TRUE(response.ok()) << response.error().ToString();
    return response.ok() ? *response : net::HttpResponse{};
  }

  // Enrols over HTTP and returns (host id, secret).
  std::pair<std::string, std::string> Enrol(const std::string& machine) {
    Json body = Json::MakeObject();
    body.Set("token", enroll_token_);
    body.Set("machine_id", machine);
    body.Set("hostname", machine);
    body.Set("agent_version", "0.1.0");
    net::Headers headers;
    headers.Add("Content-Type", "application/json");
    auto response = net::Fetch("POST", Url(wire::kEnrollPath), headers, body.Dump(), client_);
    EXPECT_TRUE(response.ok()) << response.error().ToString();
    if (!response.ok()) return {};
    EXPECT_EQ(response->status, 200) << response->body;
    Json result = ParseOrDie(response->body);
    return {result.GetString("host_id"), result.GetString("secret")};
  }

  Result<std::unique_ptr<net::WsClient>> Channel(const std::string& authorization) {
    net::Headers headers;
    if (!authorization.empty()) headers.Add("Authorization", authorization);
    return net::WsClient::Connect(WsUrl(), headers, client_);
  }

  // The next message of `type` within `timeout`, skipping others; null when none came.
  static Json Expect(net::WsClient& ws, std::string_view type,
                     milliseconds timeout = milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      auto message = ws.Receive(std::max(left, milliseconds(1)));
      if (!message.ok() || !message->has_value()) return Json();
      Json parsed = ParseOrDie(**message);
      if (parsed.GetString("type") == type) return parsed;
    }
    return Json();
  }

  template <typename Pred>
  static bool Eventually(Pred pred, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return pred();
  }

  static std::string Batch(std::string_view key, std::string_view payload) {
    return R"({"type":"batch","key":")" + std::string(key) + R"(","kind":"inventory","payload":)" +
           std::string(payload) + "}";
  }

  std::string dir_;
  std::unique_ptr<ServerApp> app_;
  net::ClientOptions client_;
  std::string tenant_;
  std::string api_token_;
  std::string enroll_token_;
  Argon2Params saved_;
};

TEST_P(ServerAppLive, AgentEnrolsConnectsReportsAndDeregisters) {
  // Health first: the database answers.
  auto health = net::Fetch("GET", Url("/healthz"), {}, "", client_);
  ASSERT_TRUE(health.ok()) << health.error().ToString();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(ParseOrDie(health->body).GetString("status"), "ok");

  auto [host_id, secret] = Enrol("machine-1");
  ASSERT_FALSE(host_id.empty());

  // No channel without, or with wrong, credentials.
  auto anonymous = Channel("");
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.error().code(), Code::kUnauthenticated);
  auto wrong = Channel(wire::FormatAgentAuthorization(host_id, "not-the-secret"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), Code::kUnauthenticated);

  // Settings exist before the agent says hello: its hello gets them.
  auto put = Api("PUT", "/api/v1/settings", R"({"settings":{"agent":{"heartbeat_seconds":30}}})");
  ASSERT_EQ(put.status, 200) << put.body;
  const std::int64_t v1 = ParseOrDie(put.body).GetInt("version");

  auto ws = Channel(wire::FormatAgentAuthorization(host_id, secret));
  ASSERT_TRUE(ws.ok()) << ws.error().ToString();
  net::WsClient& channel = **ws;
  ASSERT_TRUE(channel.Send(R"({"type":"hello","agent_version":"0.1.0","config_version":0})").ok());
  Json config = Expect(channel, "config");
  ASSERT_FALSE(config.is_null());
  EXPECT_EQ(config.GetInt("version"), v1);
  EXPECT_EQ(config["settings"]["agent"].GetInt("heartbeat_seconds"), 30);
  // Effective settings: defaults filled in.
  EXPECT_NE(config["settings"]["agent"].Find("inventory_interval_seconds"), nullptr);
  EXPECT_TRUE(Eventually([&] { return app_->hub().connected_count() == 1; }));

  // Heartbeat: an OFFLINE host comes back ONLINE with a fresh last_seen.
  ASSERT_TRUE(app_->storage().SetHostStatus(host_id, HostStatus::kOffline, 0).ok());
  ASSERT_TRUE(channel.Send(R"({"type":"heartbeat","time":"2026-01-01T00:00:00Z"})").ok());
  EXPECT_TRUE(Eventually([&] {
    auto host = app_->storage().GetHostById(host_id);
    return host.ok() && host->status == HostStatus::kOnline && host->last_seen >= UnixNow() - 5;
  }));

  // Full inventory, visible through the API.
  ASSERT_TRUE(
      channel
          .Send(Batch(
              "inv-1",
              R"({"version":1,"mode":"full","categories":{"host":{"rows":[{"hostname":"web-1","ips":["10.0.0.5"],"os_name":"Debian","os_version":"12","machine_type":"VM","agent_version":"0.1.0"}]},"ports":{"rows":[{"proto":"tcp","port":22},{"proto":"tcp","port":6379}]}}})"))
          .ok());
  Json ack = Expect(channel, "ack");
  EXPECT_EQ(ack.GetString("key"), "inv-1");
  EXPECT_EQ(ack.GetString("status"), "committed");
  auto ports = Api("GET", "/api/v1/hosts/" + host_id + std::string(kPortsPath));
  ASSERT_EQ(ports.status, 200) << ports.body;
  EXPECT_EQ(ParseOrDie(ports.body)["items"].size(), 2U);
  auto host = Api("GET", "/api/v1/hosts/" + host_id);
  ASSERT_EQ(host.status, 200) << host.body;
  EXPECT_EQ(ParseOrDie(host.body).GetString("hostname"), "web-1");

  // A delta removes 6379.
  const std::string key = wire::RowKey(ParseOrDie(R"({"proto":"tcp","port":6379})"));
  ASSERT_TRUE(
      channel
          .Send(Batch("inv-2",
                      R"({"version":2,"base":1,"mode":"delta","changes":{"ports":{"removed":[")" +
                          key + R"("]}}})"))
          .ok());
  EXPECT_EQ(Expect(channel, "ack").GetString("status"), "committed");
  ports = Api("GET", "/api/v1/hosts/" + host_id + std::string(kPortsPath));
  Json items = ParseOrDie(ports.body)["items"];
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items.as_array()[0].GetInt("port"), 22);
  // The same key again is a duplicate; nonsense is rejected and changes nothing.
  ASSERT_TRUE(
      channel.Send(Batch("inv-2", R"({"version":2,"base":1,"mode":"delta","changes":{}})")).ok());
  EXPECT_EQ(Expect(channel, "ack").GetString("status"), "duplicate");
  ASSERT_TRUE(
      channel.Send(Batch("inv-3", R"({"version":"three","mode":"full","categories":{}})")).ok());
  ack = Expect(channel, "ack");
  EXPECT_EQ(ack.GetString("status"), "rejected");
  EXPECT_NE(ack.GetString("message").find("version"), std::string::npos);
  EXPECT_EQ(
      ParseOrDie(Api("GET", "/api/v1/hosts/" + host_id + std::string(kPortsPath)).body)["items"]
          .size(),
      1U);

  // A settings change through the API reaches the open channel within 3 s.
  auto changed =
      Api("PUT", "/api/v1/settings", R"({"settings":{"agent":{"heartbeat_seconds":45}}})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  config = Expect(channel, "config", milliseconds(3000));
  ASSERT_FALSE(config.is_null()) << "no config push within 3 s";
  EXPECT_EQ(config["settings"]["agent"].GetInt("heartbeat_seconds"), 45);
  EXPECT_GT(config.GetInt("version"), v1);

  // Metrics reflect all of it.
  auto metrics = net::Fetch("GET", Url("/metrics"), {}, "", client_);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->content_type.rfind("text/plain; version=0.0.4", 0), 0U)
      << metrics->content_type;
  for (std::string_view line :
       {"rampart_agent_connections 1\n", "rampart_hosts{status=\"ONLINE\"} 1\n",
        "rampart_agent_batches_total{outcome=\"committed\"} 2\n",
        "rampart_agent_batches_total{outcome=\"duplicate\"} 1\n",
        "rampart_agent_batches_total{outcome=\"rejected\"} 1\n",
        "rampart_agent_heartbeats_total 1\n",
        "rampart_http_requests_total{method=\"PUT\",code=\"200\"} 2\n",
        "# TYPE rampart_http_request_duration_seconds histogram\n",
        "rampart_build_info{version="}) {
    EXPECT_NE(metrics->body.find(line), std::string::npos) << line << "\n" << metrics->body;
  }

  // Deregister: acknowledged, closed, UNINSTALLED.
  ASSERT_TRUE(channel.Send(R"({"type":"deregister"})").ok());
  EXPECT_EQ(Expect(channel, "ack").GetString("status"), "committed");
  EXPECT_TRUE(Eventually([&] { return app_->hub().connected_count() == 0; }));
  EXPECT_EQ(ParseOrDie(Api("GET", "/api/v1/hosts/" + host_id).body).GetString("status"),
            "UNINSTALLED");
  EXPECT_FALSE(Channel(wire::FormatAgentAuthorization(host_id, secret)).ok());
}

TEST_P(ServerAppLive, DeletingAHostThroughTheApiCutsItsChannel) {
  auto [host_id, secret] = Enrol("machine-2");
  auto ws = Channel(wire::FormatAgentAuthorization(host_id, secret));
  ASSERT_TRUE(ws.ok()) << ws.error().ToString();
  ASSERT_TRUE(Eventually([&] { return app_->hub().IsConnected(host_id); }));
  auto deleted = Api("DELETE", "/api/v1/hosts/" + host_id);
  ASSERT_LT(deleted.status, 300) << deleted.body;
  Json error = Expect(**ws, "error");
  EXPECT_EQ(error.GetString("code"), "host_removed");
  EXPECT_TRUE(Eventually([&] { return !app_->hub().IsConnected(host_id); }));
}

TEST_P(ServerAppLive, AnswersUnknownPathsAndMethodsWithJsonErrors) {
  auto missing = net::Fetch("GET", Url("/nope"), {}, "", client_);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ParseOrDie(missing->body)["error"].GetString("code"), "not_found");
  auto post = net::Fetch("POST", Url("/healthz"), {}, "", client_);
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 405);
  auto unauth = net::Fetch("GET", Url("/api/v1/hosts"), {}, "", client_);
  ASSERT_TRUE(unauth.ok());
  EXPECT_EQ(unauth->status, 401);
  net::Headers headers;
  auto other_ws = net::WsClient::Connect((GetParam() ? std::string("wss") : std::string("ws")) +
                                             Url("/api/v1/other").substr(Url("").find(':')),
                                         headers, client_);
  ASSERT_FALSE(other_ws.ok());
  EXPECT_EQ(other_ws.error().code(), Code::kNotFound);
}

TEST_P(ServerAppLive, StopClosesTheListenerAndTheChannels) {
  auto [host_id, secret] = Enrol("machine-3");
  auto ws = Channel(wire::FormatAgentAuthorization(host_id, secret));
  ASSERT_TRUE(ws.ok());
  const std::string url = Url("/healthz");
  app_->Stop();
  auto after = net::Fetch("GET", url, {}, "", client_);
  EXPECT_FALSE(after.ok());
  auto received = (*ws)->Receive(milliseconds(3000));
  EXPECT_FALSE(received.ok() && received->has_value() &&
               ParseOrDie(**received).GetString("type") != "error");
}

std::string TransportName(const ::testing::TestParamInfo<bool>& param) {
  return param.param ? "Tls" : "PlainHttp";
}
INSTANTIATE_TEST_SUITE_P(Transport, ServerAppLive, ::testing::Values(false, true), TransportName);

TEST(ServerAppConfig, ParsesListenAddresses) {
  EXPECT_EQ(*ParseListenAddress("0.0.0.0:8443"),
            std::make_pair(std::string("0.0.0.0"), std::uint16_t{8443}));
  EXPECT_EQ(*ParseListenAddress("[::1]:0"), std::make_pair(std::string("::1"), std::uint16_t{0}));
  EXPECT_EQ(*ParseListenAddress("localhost:80"),
            std::make_pair(std::string("localhost"), std::uint16_t{80}));
  for (std::string_view bad :
       {"8443", ":8443", "host:", "host:70000", "::1:80", "[::1]80", "h:x"}) {
    auto parsed = ParseListenAddress(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find("ADDR:PORT"), std::string::npos);
  }
}

TEST(ServerAppConfig, MasksDatabasePasswords) {
  EXPECT_EQ(MaskDbUrl("mysql://rampart:s3cret@db:3306/rampart"),
            "mysql://rampart:***@db:3306/rampart");
  EXPECT_EQ(MaskDbUrl("mysql://rampart@db/rampart"), "mysql://rampart@db/rampart");
  EXPECT_EQ(MaskDbUrl("sqlite:///var/lib/rampart/x.db"), "sqlite:///var/lib/rampart/x.db");
  EXPECT_EQ(MaskDbUrl("sqlite:///srv/a@b/x.db"), "sqlite:///srv/a@b/x.db");
}

TEST(ServerAppConfig, RefusesAnAddressInUseAndAHalfGivenCertificate) {
  std::string tmpl = ::testing::TempDir() + "/server_app_cfg_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  ServerConfig config;
  config.data_dir = tmpl;
  config.listen = "127.0.0.1:0";
  config.tls = false;
  auto first = ServerApp::Start(config);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  config.listen = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = ServerApp::Start(config);
  EXPECT_FALSE(second.ok());
  (*first)->Stop();

  config.tls = true;
  config.listen = "127.0.0.1:0";
  config.cert_path = tmpl + "/x.crt";
  auto half = ServerApp::Start(config);
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.error().message().find("--key"), std::string::npos);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace rampart::server
