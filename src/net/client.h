#pragma once
// Blocking HTTPS/WebSocket client for the agent and tests, on Boost.Beast behind this interface.
// URLs: http://, https://, ws://, wss:// with host (name, IPv4, [IPv6]) and optional port.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "net/http.h"

namespace rampart::net {

struct ClientOptions {
  // SHA-256 of the server certificate's DER, lower-case hex (as TlsCertificate::sha256_hex). When
  // set, the leaf certificate must match it exactly and CA/hostname checks are not used.
  std::string pin_sha256;
  // When no pin: verify against the system CA store (or ca_file) and the host name.
  std::string ca_file;
  bool insecure_skip_verify = false;  // tests only
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds io_timeout{30000};
  std::size_t max_response_bytes = 64 << 20;
};

struct Url {
  std::string scheme;  // http https ws wss
  std::string host;    // without brackets
  std::uint16_t port = 0;
  std::string target = "/";  // path + query
  bool tls() const { return scheme == "https" || scheme == "wss"; }
};
// Errors: InvalidArgument naming the URL and what is wrong with it.
Result<Url> ParseUrl(std::string_view url);

// One request on a fresh connection. Transport failures (refused, TLS, pin mismatch, timeout) are
// kUnavailable / kDeadlineExceeded / kPermissionDenied (pin mismatch) with the URL in the message;
// any HTTP status is a successful Result.
Result<HttpResponse> Fetch(std::string_view method, std::string_view url, const Headers& headers,
                           std::string_view body, const ClientOptions& options);

// A connected WebSocket client. Not thread-safe: one thread uses it (the agent's channel loop).
class WsClient {
 public:
  // Connects and performs the upgrade with `headers` (e.g. Authorization). A refused upgrade gives
  // the HTTP status in the error (401 -> kUnauthenticated, 403 -> kPermissionDenied, 404 ->
  // kNotFound, others kUnavailable).
  static Result<std::unique_ptr<WsClient>> Connect(std::string_view url, const Headers& headers,
                                                   const ClientOptions& options);
  virtual ~WsClient() = default;
  virtual Status Send(std::string_view text) = 0;
  // Waits up to `timeout` for one text message. nullopt on timeout; kUnavailable when the
  // connection closed or failed.
  virtual Result<std::optional<std::string>> Receive(std::chrono::milliseconds timeout) = 0;
  virtual void Close() = 0;
};

}  // namespace rampart::net
