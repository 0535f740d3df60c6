#include "fleet_sim_tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/hash.h"

namespace rampart::fleet {

Result<Endpoint> ParseServerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument("--server: expected https://HOST:PORT, got '" + std::string(url) + "'");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  Endpoint ep;
  std::string_view host = rest;
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    std::string_view port_text = rest.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return InvalidArgument("--server: bad port '" + std::string(port_text) + "' in '" +
                             std::string(url) + "'");
    }
    ep.port = static_cast<std::uint16_t>(port);
  }
  if (host.empty()) return InvalidArgument("--server: no host in '" + std::string(url) + "'");
  ep.host = std::string(host);
  ep.host_header = ep.host + ":" + std::to_string(ep.port);
  in_addr addr{};
  if (inet_pton(AF_INET, ep.host.c_str(), &addr) == 1) {
    ep.ipv4_be = addr.s_addr;
    return ep;
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(ep.host.c_str(), nullptr, &hints, &res); rc != 0 || res == nullptr) {
    return InvalidArgument("--server: cannot resolve '" + ep.host +
                           "' to IPv4: " + gai_strerror(rc));
  }
  sockaddr_in sin{};
  std::memcpy(&sin, res->ai_addr, sizeof(sin));
  ep.ipv4_be = sin.sin_addr.s_addr;
  freeaddrinfo(res);
  return ep;
}

std::string DrainSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error detail" : out;
}

Result<std::unique_ptr<TlsClientContext>> TlsClientContext::Create(std::string pin_sha256,
                                                                   bool insecure) {
  if (pin_sha256.empty() && !insecure) {
    return InvalidArgument("TLS: give --pin SHA256 (the server certificate) or --insecure");
  }
  std::unique_ptr<TlsClientContext> c(new TlsClientContext());
  c->ctx_ = SSL_CTX_new(TLS_client_method());
  if (c->ctx_ == nullptr) return Internal("SSL_CTX_new: " + DrainSslErrors());
  SSL_CTX_set_min_proto_version(c->ctx_, TLS1_2_VERSION);
  // The pin replaces CA verification; CheckPeer runs after the handshake.
  SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_NONE, nullptr);
  // Idle connections give their 16 KB read/write buffers back; partial writes let one buffer be
  // written in pieces by the non-blocking loop.
  SSL_CTX_set_mode(c->ctx_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Every simulated agent does a full handshake, like distinct machines would.
  SSL_CTX_set_session_cache_mode(c->ctx_, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(c->ctx_, SSL_OP_NO_TICKET);
  for (char& ch : pin_sha256) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string pin;
  for (char ch : pin_sha256) {
    if (ch != ':') pin += ch;  // accept openssl's AA:BB:... form too
  }
  c->pin_sha256_ = pin;
  c->insecure_ = insecure;
  return c;
}

TlsClientContext::~TlsClientContext() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

SSL* TlsClientContext::NewSsl(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_connect_state(ssl);
  return ssl;
}

Status TlsClientContext::CheckPeer(SSL* ssl) const {
  if (insecure_) return Status::Ok();
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return PermissionDenied("TLS: the server sent no certificate");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  X509_free(cert);
  if (len <= 0) return Internal("TLS: cannot encode the server certificate");
  std::string fp = Sha256Hex(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  if (fp != pin_sha256_) {
    return PermissionDenied("TLS: server certificate sha256 " + fp + " does not match the pin " +
                            pin_sha256_);
  }
  return Status::Ok();
}

Result<int> StartTcpConnect(const Endpoint& endpoint, bool* in_progress) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(endpoint.port);
  sin.sin_addr.s_addr = endpoint.ipv4_be;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sin), sizeof(sin)) == 0) {
    *in_progress = false;
    return fd;
  }
  if (errno == EINPROGRESS) {
    *in_progress = true;
    return fd;
  }
  int err = errno;
  close(fd);
  return ErrnoStatus(err, "connect to " + endpoint.host_header);
}

}  // namespace rampart::fleet
