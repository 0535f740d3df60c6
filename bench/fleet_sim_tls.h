#pragma once
// Lean TLS client pieces for the fleet simulator. The simulator drives OpenSSL directly on
// non-blocking sockets instead of asio::ssl::stream: that stream preallocates two 17 KB buffers
// and a 2 x 17 KB BIO pair per connection (~70 KB), which for 20,000 agents would be ~1.4 GB of
// buffers in the simulator alone. With SSL_MODE_RELEASE_BUFFERS an idle connection here holds
// only OpenSSL's session state.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::fleet {

// A parsed https:// server URL.
struct Endpoint {
  std::string host;  // IPv4 literal or name
  std::uint16_t port = 443;
  std::string host_header;    // "host:port"
  std::uint32_t ipv4_be = 0;  // resolved address, network byte order
};
// Accepts https://HOST[:PORT][/] and resolves HOST to an IPv4 address; InvalidArgument otherwise.
Result<Endpoint> ParseServerUrl(std::string_view url);

// Shared SSL_CTX for every connection. Thread-safe after construction.
class TlsClientContext {
 public:
  // pin_sha256: hex SHA-256 of the server certificate's DER (checked after each handshake).
  // insecure: no check at all. One of the two is required.
  static Result<std::unique_ptr<TlsClientContext>> Create(std::string pin_sha256, bool insecure);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  // A new client SSL on `fd` (connect state, SNI not set: the server is addressed by IP).
  SSL* NewSsl(int fd) const;
  // OK when the peer certificate matches the pin (or insecure). PermissionDenied otherwise.
  Status CheckPeer(SSL* ssl) const;

 private:
  TlsClientContext() = default;
  SSL_CTX* ctx_ = nullptr;
  std::string pin_sha256_;
  bool insecure_ = false;
};

// The OpenSSL error queue as text (and clears it), for messages.
std::string DrainSslErrors();

// Opens a non-blocking TCP socket and starts connecting to the endpoint (IPv4 only: the simulator
// talks to a local server). Returns the fd; `in_progress` tells whether EINPROGRESS was returned.
Result<int> StartTcpConnect(const Endpoint& endpoint, bool* in_progress);

}  // namespace rampart::fleet
