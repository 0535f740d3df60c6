#pragma once
// HttpServer: HTTPS (or plain HTTP for tests) with WebSocket upgrade, on Boost.Beast, behind this
// small interface. Handlers run on a worker pool, not on the I/O threads, so a slow database call
// never stalls other connections.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/http.h"

namespace rampart::net {

struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;     // 0: an ephemeral port, see HttpServer::port()
  std::string cert_pem_path;  // both empty: plain HTTP (tests, behind a TLS-terminating proxy)
  std::string key_pem_path;
  int io_threads = 1;
  int worker_threads = 4;  // plain HTTP requests
  // WebSocket upgrades and messages run on their own pool (0: as many threads as worker_threads),
  // so a storm of agent traffic never queues ahead of API requests.
  int ws_worker_threads = 0;
  std::size_t max_body_bytes = 8 << 20;         // larger request bodies: 413
  std::size_t max_ws_message_bytes = 32 << 20;  // larger messages close the socket (1009)
  std::chrono::seconds idle_timeout{60};        // HTTP keep-alive idle limit
  std::chrono::seconds ws_ping_interval{30};  // server pings; a peer silent 3 intervals is dropped
};

// What the application plugs in.
struct ServerHooks {
  // Every plain HTTP request. Must not throw.
  std::function<HttpResponse(const HttpRequest&)> http;
  // A WebSocket upgrade request. Return a handler to accept, or nullptr and fill `refusal` (e.g.
  // 401) to refuse. The connection object is valid for the handler's lifetime.
  std::function<std::shared_ptr<WsHandler>(const HttpRequest&, std::shared_ptr<WsConnection>,
                                           HttpResponse& refusal)>
      websocket;
};

class HttpServer {
 public:
  // Binds and starts serving. Errors: address in use, unreadable certificate (message names the
  // file).
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options, ServerHooks hooks);
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting, closes every connection (WebSockets get OnClose), joins threads. Idempotent.
  virtual void Stop() = 0;
  // Open WebSocket connections right now (for /metrics).
  virtual std::size_t websocket_count() const = 0;
};

}  // namespace rampart::net
