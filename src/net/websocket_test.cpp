// WebSockets through HttpServer and WsClient over loopback: echo in both directions, refusals,
// ordering and serialisation of handler calls, Stop(), many clients, limits and keep-alive pings.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/client.h"
#include "net/net_testing.h"
#include "net/server.h"

namespace rampart::net {
namespace {

using testing::CertDir;
using testing::RawClient;
using testing::WaitFor;
using namespace std::chrono_literals;

// Server-side record of every connection's events.
struct Events {
  std::mutex mu;
  std::vector<std::shared_ptr<WsConnection>> connections;
  std::vector<std::string> messages;  // in arrival order, all connections
  std::atomic<int> closes{0};
  std::atomic<bool> violation{false};  // overlapping calls, a call after OnClose, a second OnClose

  std::size_t message_count() {
    std::lock_guard lock(mu);
    return messages.size();
  }
  std::shared_ptr<WsConnection> connection(std::size_t i) {
    std::lock_guard lock(mu);
    return i < connections.size() ? connections[i] : nullptr;
  }
};

// Echoes "echo:<text>" and checks the WsHandler contract as it goes.
class EchoHandler final : public WsHandler {
 public:
  EchoHandler(Events& events, std::shared_ptr<WsConnection> conn)
      : events_(events), conn_(std::move(conn)) {}
  void OnMessage(std::string_view text) override {
    Enter();
    {
      std::lock_guard lock(events_.mu);
      events_.messages.emplace_back(text);
    }
    conn_->Send("echo:" + std::string(text));
    Leave();
  }
  void OnClose() override {
    Enter();
    if (closed_.exchange(true)) events_.violation = true;
    ++events_.closes;
    Leave();
  }

 private:
  void Enter() {
    if (in_call_.exchange(true) || closed_) events_.violation = true;
    std::this_thread::yield();  // widen the window in which an overlap would show
  }
  void Leave() { in_call_ = false; }

  Events& events_;
  std::shared_ptr<WsConnection> conn_;
  std::atomic<bool> in_call_{false};
  std::atomic<bool> closed_{false};
};

class WebSocketTest : public ::testing::TestWithParam<bool> {
 protected:
  bool tls() const { return GetParam(); }

  void StartServer(ServerOptions options = {}) {
    if (tls()) {
      options.cert_pem_path = certs_.cert().cert_path;
      options.key_pem_path = certs_.cert().key_path;
    }
    ServerHooks hooks;
    hooks.websocket = [this](const HttpRequest& req, std::shared_ptr<WsConnection> conn,
                             HttpResponse& refusal) -> std::shared_ptr<WsHandler> {
      if (req.path == "/throw") throw std::runtime_error("hook failure");
      if (req.headers.Get("authorization") != "Bearer good") {
        refusal.status = 401;
        refusal.body = R"({"error":{"code":"unauthenticated","message":"bad token"}})";
        return nullptr;
      }
      if (req.path == "/forbidden") return refusal.status = 403, nullptr;
      if (req.path == "/missing") return refusal.status = 404, nullptr;
      if (req.path == "/busy") return refusal.status = 503, nullptr;
      {
        std::lock_guard lock(events_.mu);
        events_.connections.push_back(conn);
      }
      conn->Send("welcome " + conn->remote_addr() + " " + req.path);
      return std::make_shared<EchoHandler>(events_, conn);
    };
    auto server = HttpServer::Start(options, std::move(hooks));
    ASSERT_TRUE(server.ok()) << server.error().ToString();
    server_ = std::move(*server);
  }
  std::string Url(std::string_view path) const {
    return std::string(tls() ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(server_->port()) +
           std::string(path);
  }
  Result<std::unique_ptr<WsClient>> Connect(std::string_view path = "/agent",
                                            std::string_view token = "good") {
    Headers headers;
    headers.Add("Authorization", "Bearer " + std::string(token));
    ClientOptions options;
    options.pin_sha256 = certs_.cert().sha256_hex;
    return WsClient::Connect(Url(path), headers, options);
  }
  // The next message, waiting up to 10 s.
  static std::string Next(WsClient& client) {
    auto m = client.Receive(10s);
    if (!m.ok()) return "error: " + m.error().ToString();
    return m->value_or("timeout");
  }

  void TearDown() override { EXPECT_FALSE(events_.violation) << "WsHandler contract violated"; }

  CertDir certs_;
  Events events_;
  std::unique_ptr<HttpServer> server_;
};

std::string TlsName(const ::testing::TestParamInfo<bool>& p) { return p.param ? "Tls" : "Plain"; }

INSTANTIATE_TEST_SUITE_P(PlainAndTls, WebSocketTest, ::testing::Bool(), TlsName);

TEST_P(WebSocketTest, EchoesInBothDirectionsAndCountsOpenSockets) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  EXPECT_EQ(Next(**client), "welcome 127.0.0.1 /agent");
  EXPECT_EQ(server_->websocket_count(), 1u);
  ASSERT_TRUE((*client)->Send("hello").ok());
  EXPECT_EQ(Next(**client), "echo:hello");
  ASSERT_TRUE((*client)->Send("").ok());
  EXPECT_EQ(Next(**client), "echo:");

  (*client)->Close();
  EXPECT_TRUE(WaitFor([&] { return events_.closes == 1; }));
  EXPECT_TRUE(WaitFor([&] { return server_->websocket_count() == 0; }));
  EXPECT_FALSE(events_.connection(0)->Send("too late"));
  EXPECT_FALSE((*client)->Send("after close").ok());
}

TEST_P(WebSocketTest, RefusedUpgradeMapsTheHttpStatus) {
  StartServer();
  auto r = Connect("/agent", "wrong");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnauthenticated);
  EXPECT_NE(r.error().message().find("401"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("bad token"), std::string::npos) << r.error().message();
  EXPECT_EQ(Connect("/forbidden").error().code(), Code::kPermissionDenied);
  EXPECT_EQ(Connect("/missing").error().code(), Code::kNotFound);
  EXPECT_EQ(Connect("/busy").error().code(), Code::kUnavailable);
  r = Connect("/throw");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("500"), std::string::npos) << r.error().message();
  EXPECT_EQ(events_.closes, 0);  // no handler, no OnClose
  // And it still accepts good ones.
  auto ok = Connect();
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(Next(**ok), "welcome 127.0.0.1 /agent");
}

TEST_P(WebSocketTest, ReceiveTimeoutDoesNotDisturbTheStream) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  EXPECT_EQ(Next(**client), "welcome 127.0.0.1 /agent");
  for (int i = 0; i < 3; ++i) {
    auto r = (*client)->Receive(20ms);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
  }
  // A large message arrives while the owner polls with tiny timeouts.
  const std::string big(3 << 20, 'b');
  std::thread sender([&] { events_.connection(0)->Send(big); });
  std::optional<std::string> got;
  ASSERT_TRUE(WaitFor([&] {
    auto r = (*client)->Receive(1ms);
    if (r.ok() && r->has_value()) got = **r;
    return got.has_value() || !r.ok();
  }));
  sender.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size(), big.size());
  EXPECT_EQ(*got, big);
  ASSERT_TRUE((*client)->Send("after").ok());
  EXPECT_EQ(Next(**client), "echo:after");
}

TEST_P(WebSocketTest, ServerSendsFromAnotherThreadWhileTheClientSends) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  EXPECT_EQ(Next(**client), "welcome 127.0.0.1 /agent");
  constexpr std::size_t kCount = 300;
  std::thread server_side([&] {
    auto conn = events_.connection(0);
    for (std::size_t i = 0; i < kCount; ++i) EXPECT_TRUE(conn->Send("s" + std::to_string(i)));
  });
  for (std::size_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE((*client)->Send("c" + std::to_string(i)).ok());
  }
  std::size_t next_s = 0;
  std::size_t next_echo = 0;
  for (std::size_t i = 0; i < 2 * kCount; ++i) {
    const std::string m = Next(**client);
    if (m.rfind("echo:", 0) == 0) {
      EXPECT_EQ(m, "echo:c" + std::to_string(next_echo++));
    } else {
      EXPECT_EQ(m, "s" + std::to_string(next_s++));
    }
  }
  server_side.join();
  EXPECT_EQ(next_s, kCount);
  EXPECT_EQ(next_echo, kCount);
  std::lock_guard lock(events_.mu);
  ASSERT_EQ(events_.messages.size(), kCount);
  for (std::size_t i = 0; i < kCount; ++i) EXPECT_EQ(events_.messages[i], "c" + std::to_string(i));
}

TEST_P(WebSocketTest, ClientCloseDeliversEveryMessageThenOnCloseOnce) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*client)->Send("m" + std::to_string(i)).ok());
  client->reset();  // the destructor closes
  ASSERT_TRUE(WaitFor([&] { return events_.closes == 1; }));
  EXPECT_EQ(events_.message_count(), 50u);
}

TEST_P(WebSocketTest, StopClosesEverySocketAndCallsOnCloseForEach) {
  StartServer();
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 5; ++i) {
    auto c = Connect();
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    EXPECT_EQ(Next(**c), "welcome 127.0.0.1 /agent");
    clients.push_back(std::move(*c));
  }
  EXPECT_EQ(server_->websocket_count(), 5u);
  server_->Stop();
  EXPECT_EQ(events_.closes, 5);  // Stop() returns after the OnClose calls
  EXPECT_EQ(server_->websocket_count(), 0u);
  for (auto& c : clients) {
    auto r = c->Receive(5s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Code::kUnavailable);
  }
  EXPECT_FALSE(events_.connection(0)->Send("after stop"));
  server_.reset();
  EXPECT_FALSE(events_.connection(1)->Send("after destruction"));
}

TEST_P(WebSocketTest, OversizedMessageClosesTheSocketWith1009) {
  ServerOptions options;
  options.max_ws_message_bytes = 1024;
  StartServer(options);
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  EXPECT_EQ(Next(**client), "welcome 127.0.0.1 /agent");
  ASSERT_TRUE((*client)->Send(std::string(1024, 'a')).ok());
  EXPECT_EQ(Next(**client), "echo:" + std::string(1024, 'a'));
  ASSERT_TRUE((*client)->Send(std::string(4096, 'a')).ok());
  auto r = (*client)->Receive(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("1009"), std::string::npos) << r.error().message();
  EXPECT_TRUE(WaitFor([&] { return events_.closes == 1; }));
}

class ManyWebSocketsTest : public WebSocketTest {};
INSTANTIATE_TEST_SUITE_P(Plain, ManyWebSocketsTest, ::testing::Values(false), TlsName);

TEST_P(ManyWebSocketsTest, ThreeHundredConcurrentClientsAllEcho) {
  StartServer();
  constexpr std::size_t kClients = 300;
  std::vector<std::unique_ptr<WsClient>> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    auto c = Connect("/agent/" + std::to_string(i));
    ASSERT_TRUE(c.ok()) << i << ": " << c.error().ToString();
    clients.push_back(std::move(*c));
  }
  // Connect returns on the 101 response, possibly just before the server counts the socket.
  EXPECT_TRUE(WaitFor([&] { return server_->websocket_count() == kClients; }));
  for (std::size_t i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i]->Send(std::to_string(i)).ok());
  for (std::size_t i = 0; i < kClients; ++i) {
    EXPECT_EQ(Next(*clients[i]), "welcome 127.0.0.1 /agent/" + std::to_string(i));
    EXPECT_EQ(Next(*clients[i]), "echo:" + std::to_string(i));
  }
  clients.clear();
  EXPECT_TRUE(WaitFor([&] { return events_.closes == static_cast<int>(kClients); }));
  EXPECT_EQ(server_->websocket_count(), 0u);
}

TEST_P(ManyWebSocketsTest, SilentPeerIsDroppedWhileAnAnsweringClientStays) {
  ServerOptions options;
  options.ws_ping_interval = 1s;  // a peer silent for 3 s is dropped
  StartServer(options);
  auto client = Connect();
  ASSERT_TRUE(client.ok()) << client.error().ToString();
  EXPECT_EQ(Next(**client), "welcome 127.0.0.1 /agent");

  // A peer that completes the upgrade and then never answers a ping.
  auto raw = RawClient::Connect(server_->port(), false);
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(
      raw->Write("GET /silent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 "Authorization: Bearer good\r\n\r\n"));
  auto upgrade = raw->ReadResponse();
  ASSERT_TRUE(upgrade.has_value());
  EXPECT_EQ(upgrade->status, 101);
  EXPECT_TRUE(WaitFor([&] { return server_->websocket_count() == 2; }));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(raw->WaitClosed(10s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(WaitFor([&] { return events_.closes == 1; }));

  // The WsClient's I/O thread answered the pings although nobody called Receive.
  EXPECT_EQ(server_->websocket_count(), 1u);
  ASSERT_TRUE((*client)->Send("still here").ok());
  EXPECT_EQ(Next(**client), "echo:still here");
}

}  // namespace
}  // namespace rampart::net
