#pragma once
// Test helpers for src/net: a temp dir with a self-signed certificate, polling with a deadline,
// and RawClient, a blocking socket client (plain or TLS through OpenSSL) for what Fetch and
// WsClient deliberately cannot do: several requests on one connection, malformed requests, and a
// WebSocket peer that never answers pings.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "net/tls_cert.h"

namespace rampart::net::testing {

// Polls `pred` every few milliseconds until it holds or `limit` passes.
inline bool WaitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A fresh directory under the test temp dir holding server.crt/server.key for localhost.
class CertDir {
 public:
  CertDir() {
    std::string tmpl = ::testing::TempDir() + "/net_cert_XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
    auto cert = EnsureSelfSignedCertificate(dir_, {"localhost", "127.0.0.1", "::1"});
    if (cert.ok()) cert_ = *cert;
  }
  ~CertDir() {
    std::remove(cert_.cert_path.c_str());
    std::remove(cert_.key_path.c_str());
    ::rmdir(dir_.c_str());
  }
  CertDir(const CertDir&) = delete;
  CertDir& operator=(const CertDir&) = delete;
  const TlsCertificate& cert() const { return cert_; }

 private:
  std::string dir_;
  TlsCertificate cert_;
};

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class RawClient {
 public:
  static std::unique_ptr<RawClient> Connect(std::uint16_t port, bool tls) {
    auto c = std::unique_ptr<RawClient>(new RawClient());
    c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd_ < 0) return nullptr;
    timeval tv{5, 0};
    ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return nullptr;
    if (tls) {
      c->ctx_ = SSL_CTX_new(TLS_client_method());
      c->ssl_ = SSL_new(c->ctx_);
      SSL_set_fd(c->ssl_, c->fd_);
      if (SSL_connect(c->ssl_) != 1) return nullptr;
    }
    return c;
  }
  ~RawClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool Write(std::string_view data) {
    while (!data.empty()) {
      const long n = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                                     : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response with a Content-Length body (or none; never for a HEAD request); nullopt on EOF,
  // error or timeout.
  std::optional<RawResponse> ReadResponse(bool head_request = false) {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse res;
    const std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    if (status_line.size() < 12) return std::nullopt;
    res.status = std::atoi(status_line.substr(9, 3).c_str());
    while (pos != std::string::npos && pos < head.size()) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        res.headers[name] = line.substr(v);
      }
      pos = next;
    }
    const std::size_t length = res.headers.count("content-length") && !head_request
                                   ? std::stoul(res.headers["content-length"])
                                   : 0;
    while (buf_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    res.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return res;
  }

  // True when the peer closes the connection within `limit` (data received meanwhile, such as
  // WebSocket pings, is discarded).
  bool WaitClosed(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    timeval tv{0, 100 * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (std::chrono::steady_clock::now() < deadline) {
      char tmp[4096];
      const long n =
          ssl_ != nullptr ? SSL_read(ssl_, tmp, sizeof(tmp)) : ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n == 0) return true;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
    }
    return false;
  }

 private:
  RawClient() = default;
  bool Fill() {
    char tmp[16384];
    const long n =
        ssl_ != nullptr ? SSL_read(ssl_, tmp, sizeof(tmp)) : ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

}  // namespace rampart::net::testing
