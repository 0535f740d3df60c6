// HttpServer + Fetch over loopback, plain and TLS: request/response round trips, keep-alive,
// limits, certificate pinning and transport errors. WebSockets are in websocket_test.cpp.
#include <gtest/gtest.h>
#include <sys/socket.h>

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

// Records every request and answers with whatever `respond` returns.
struct Recorder {
  std::mutex mu;
  std::vector<HttpRequest> requests;
  std::function<HttpResponse(const HttpRequest&)> respond = [](const HttpRequest& req) {
    HttpResponse res;
    res.content_type = "text/plain";
    res.body = req.method + " " + req.path;
    return res;
  };

  ServerHooks Hooks() {
    ServerHooks hooks;
    hooks.http = [this](const HttpRequest& req) {
      {
        std::lock_guard lock(mu);
        requests.push_back(req);
      }
      return respond(req);
    };
    return hooks;
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return requests.size();
  }
};

class HttpServerTest : public ::testing::TestWithParam<bool> {
 protected:
  bool tls() const { return GetParam(); }

  void StartServer(ServerOptions options = {}) {
    if (tls()) {
      options.cert_pem_path = certs_.cert().cert_path;
      options.key_pem_path = certs_.cert().key_path;
    }
    auto server = HttpServer::Start(options, recorder_.Hooks());
    ASSERT_TRUE(server.ok()) << server.error().ToString();
    server_ = std::move(*server);
  }
  std::string Url(std::string_view target) const {
    return std::string(tls() ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }
  ClientOptions Client() const {
    ClientOptions o;
    o.pin_sha256 = certs_.cert().sha256_hex;
    return o;
  }

  CertDir certs_;
  Recorder recorder_;
  std::unique_ptr<HttpServer> server_;
};

std::string TlsName(const ::testing::TestParamInfo<bool>& p) { return p.param ? "Tls" : "Plain"; }

INSTANTIATE_TEST_SUITE_P(PlainAndTls, HttpServerTest, ::testing::Bool(), TlsName);

TEST_P(HttpServerTest, PostRoundTripsMethodPathQueryHeadersBodyAndPeer) {
  recorder_.respond = [](const HttpRequest& req) {
    HttpResponse res;
    res.status = 201;
    res.headers.Add("X-Reply", "yes");
    res.body = "{\"got\":\"" + req.body + "\"}";
    return res;
  };
  StartServer();
  Headers headers;
  headers.Add("X-Custom", "Value 1");
  headers.Add("Content-Type", "application/json");
  auto res = Fetch("POST", Url("/api/v1/a%20b?x=1&y=two+words&x=2"), headers, "hello", Client());
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "{\"got\":\"hello\"}");
  EXPECT_EQ(res->content_type, "application/json");
  EXPECT_EQ(res->headers.Get("x-reply"), "yes");
  EXPECT_EQ(res->headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res->headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(res->headers.Get("Content-Length"), "15");

  ASSERT_EQ(recorder_.count(), 1u);
  const HttpRequest& req = recorder_.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/api/v1/a%20b?x=1&y=two+words&x=2");
  EXPECT_EQ(req.path, "/api/v1/a b");
  EXPECT_EQ(req.Query("x"), "1");
  EXPECT_EQ(req.Query("y"), "two words");
  EXPECT_EQ(req.query.size(), 3u);
  EXPECT_EQ(req.headers.Get("x-custom"), "Value 1");
  EXPECT_EQ(req.headers.Get("content-length"), "5");
  EXPECT_EQ(req.body, "hello");
  EXPECT_EQ(req.remote_addr, "127.0.0.1");
}

TEST_P(HttpServerTest, GetKeepsTheHooksCacheControl) {
  recorder_.respond = [](const HttpRequest&) {
    HttpResponse res;
    res.content_type = "text/plain";
    res.headers.Add("Cache-Control", "max-age=60");
    res.body = "cached";
    return res;
  };
  StartServer();
  auto res = Fetch("GET", Url("/static"), {}, "", Client());
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "cached");
  EXPECT_EQ(res->content_type, "text/plain");
  EXPECT_EQ(res->headers.Get("cache-control"), "max-age=60");
  EXPECT_EQ(res->headers.Get("x-content-type-options"), "nosniff");
  EXPECT_EQ(recorder_.requests.at(0).method, "GET");
  EXPECT_EQ(recorder_.requests.at(0).body, "");
}

TEST_P(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  auto client = RawClient::Connect(server_->port(), tls());
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) {
    const std::string path = "/r" + std::to_string(i);
    ASSERT_TRUE(client->Write("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto res = client->ReadResponse();
    ASSERT_TRUE(res.has_value()) << "request " << i;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "GET " + path);
  }
  // HEAD: the length of the GET body, but no body.
  ASSERT_TRUE(client->Write("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client->ReadResponse(/*head=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->headers["content-length"], "7");  // "HEAD /h"
  EXPECT_EQ(head->body, "");
  // Pipelined: two requests in one write, answered in order.
  ASSERT_TRUE(
      client->Write("GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: "
                    "x\r\nContent-Length: 2\r\n\r\nhi"));
  EXPECT_EQ(client->ReadResponse().value_or(testing::RawResponse{}).body, "GET /p1");
  EXPECT_EQ(client->ReadResponse().value_or(testing::RawResponse{}).body, "POST /p2");
  // "Connection: close" ends it after the response.
  ASSERT_TRUE(client->Write("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto last = client->ReadResponse();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->headers["connection"], "close");
  EXPECT_TRUE(client->WaitClosed(std::chrono::seconds(5)));
  EXPECT_EQ(recorder_.count(), 7u);
}

TEST_P(HttpServerTest, OversizedBodyGets413WithJsonErrorAndServerKeepsServing) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  auto res = Fetch("POST", Url("/upload"), {}, std::string(64 * 1024, 'x'), Client());
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->content_type, "application/json");
  EXPECT_NE(res->body.find("{\"error\":{\"code\":\"payload_too_large\",\"message\":"),
            std::string::npos)
      << res->body;
  EXPECT_EQ(res->headers.Get("x-content-type-options"), "nosniff");
  EXPECT_EQ(recorder_.count(), 0u);  // the hook never saw it

  // A chunked body has no Content-Length up front: the limit still applies while reading.
  auto client = RawClient::Connect(server_->port(), tls());
  ASSERT_NE(client, nullptr);
  std::string chunked = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) chunked += "200\r\n" + std::string(512, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  ASSERT_TRUE(client->Write(chunked));
  auto chunked_res = client->ReadResponse();
  ASSERT_TRUE(chunked_res.has_value());
  EXPECT_EQ(chunked_res->status, 413);

  res = Fetch("POST", Url("/small"), {}, std::string(1024, 'x'), Client());
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(recorder_.requests.at(0).body.size(), 1024u);
}

TEST_P(HttpServerTest, HookThatThrowsGives500AndServerKeepsServing) {
  recorder_.respond = [](const HttpRequest& req) -> HttpResponse {
    if (req.path == "/boom") throw std::runtime_error("database exploded");
    HttpResponse res;
    res.body = "fine";
    return res;
  };
  StartServer();
  auto res = Fetch("GET", Url("/boom"), {}, "", Client());
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("\"code\":\"internal\""), std::string::npos);
  EXPECT_EQ(res->body.find("exploded"), std::string::npos);  // internals stay in the log
  res = Fetch("GET", Url("/ok"), {}, "", Client());
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->body, "fine");
}

TEST_P(HttpServerTest, MalformedRequestsGetClearErrors) {
  StartServer();
  auto client = RawClient::Connect(server_->port(), tls());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Write("GET /x?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto res = client->ReadResponse();
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("%zz"), std::string::npos) << res->body;

  client = RawClient::Connect(server_->port(), tls());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Write("GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
  res = client->ReadResponse();
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 431);

  client = RawClient::Connect(server_->port(), tls());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Write("NOT HTTP AT ALL\r\n\r\n"));
  res = client->ReadResponse();
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_P(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  StartServer(options);
  auto client = RawClient::Connect(server_->port(), tls());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadResponse().has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client->WaitClosed(std::chrono::seconds(5)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
}

TEST_P(HttpServerTest, SlowHookTimesOutTheClientWithDeadlineExceeded) {
  recorder_.respond = [](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    return HttpResponse{};
  };
  StartServer();
  ClientOptions options = Client();
  options.io_timeout = std::chrono::milliseconds(200);
  auto res = Fetch("GET", Url("/slow"), {}, "", options);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), Code::kDeadlineExceeded) << res.error().ToString();
  EXPECT_NE(res.error().message().find(Url("/slow")), std::string::npos);
}

// --- TLS verification ---

class TlsFetchTest : public HttpServerTest {};
INSTANTIATE_TEST_SUITE_P(Tls, TlsFetchTest, ::testing::Values(true), TlsName);

TEST_P(TlsFetchTest, WrongPinIsPermissionDeniedNamingBothFingerprints) {
  StartServer();
  ClientOptions options;
  options.pin_sha256 = std::string(64, 'a');
  auto res = Fetch("GET", Url("/"), {}, "", options);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), Code::kPermissionDenied);
  EXPECT_EQ(res.error().message(), "certificate fingerprint mismatch for " + Url("/") +
                                       ": expected " + options.pin_sha256 + ", got " +
                                       certs_.cert().sha256_hex);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_P(TlsFetchTest, WithoutPinSelfSignedIsRejectedUnlessTrustedOrInsecure) {
  StartServer();
  ClientOptions options;  // system CAs do not know our certificate
  auto res = Fetch("GET", Url("/"), {}, "", options);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), Code::kUnavailable);
  EXPECT_NE(res.error().message().find("certificate"), std::string::npos) << res.error().message();

  options.ca_file = certs_.cert().cert_path;  // trusted, and its SAN has 127.0.0.1 and localhost
  res = Fetch("GET", Url("/"), {}, "", options);
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  res = Fetch("GET", "https://localhost:" + std::to_string(server_->port()) + "/", {}, "", options);
  ASSERT_TRUE(res.ok()) << res.error().ToString();

  // Trusted certificate but a name it does not carry: rejected.
  res = Fetch("GET", "https://127.0.0.2:" + std::to_string(server_->port()) + "/", {}, "", options);
  EXPECT_FALSE(res.ok());

  options = ClientOptions();
  options.insecure_skip_verify = true;
  res = Fetch("GET", Url("/"), {}, "", options);
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 200);
}

// --- Transport errors and bad setups ---

TEST(Fetch, RefusedConnectionIsUnavailable) {
  // Bind a port, then close it: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  auto res = Fetch("GET", url, {}, "", {});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), Code::kUnavailable);
  EXPECT_NE(res.error().message().find(url), std::string::npos) << res.error().message();
}

TEST(Fetch, ConnectTimeoutIsDeadlineExceeded) {
  // A listener that never accepts, with its accept queue filled: the kernel drops further SYNs,
  // so the next connect hangs until the client gives up.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(300);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  const auto start = std::chrono::steady_clock::now();
  auto res = Fetch("GET", url, {}, "", options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  for (int fd : fillers) ::close(fd);
  ::close(listener);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), Code::kDeadlineExceeded) << res.error().ToString();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(Fetch, RejectsNonHttpUrls) {
  EXPECT_EQ(Fetch("GET", "ws://127.0.0.1:1/", {}, "", {}).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(Fetch("GET", "nonsense", {}, "", {}).error().code(), Code::kInvalidArgument);
}

TEST(HttpServerStart, ReportsAddressInUseAndBadCertificates) {
  auto first = HttpServer::Start({}, {});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ServerOptions same;
  same.port = (*first)->port();
  auto second = HttpServer::Start(same, {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find(std::to_string(same.port)), std::string::npos);

  ServerOptions bad;
  bad.cert_pem_path = "/nonexistent/server.crt";
  bad.key_pem_path = "/nonexistent/server.key";
  auto third = HttpServer::Start(bad, {});
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.error().message().find("/nonexistent/server.crt"), std::string::npos)
      << third.error().message();

  ServerOptions address;
  address.listen_address = "not-an-ip";
  EXPECT_EQ(HttpServer::Start(address, {}).error().code(), Code::kInvalidArgument);
}

TEST(HttpServerStart, StopIsIdempotentAndServesNoMore) {
  auto server = HttpServer::Start({}, {});
  ASSERT_TRUE(server.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/";
  auto res = Fetch("GET", url, {}, "", {});
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 404);  // no http hook
  (*server)->Stop();
  (*server)->Stop();
  res = Fetch("GET", url, {}, "", {});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace rampart::net
