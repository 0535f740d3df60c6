#pragma once
// ServerApp: `rampart server` assembled. It opens storage (migrating it), loads or makes the TLS
// certificate, and serves on one port: the REST API (api::ApiRouter), the agent channel
// (AgentHub, WebSocket on wire::kChannelPath), GET /healthz and GET /metrics; HeartbeatWriter and
// Jobs run beside it. Every node keeps only its own agents' connections in memory, so N servers
// can share one database behind a load balancer.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/status.h"
#include "net/tls_cert.h"
#include "server/storage/storage.h"

namespace rampart::server {

class AgentHub;
class Jobs;
class ServerMetrics;

struct ServerConfig {
  std::string db_url;  // empty: sqlite://<data_dir>/rampart.db
  std::string data_dir = "/var/lib/rampart/server";
  std::string listen = "0.0.0.0:8443";  // ADDR:PORT, [IPv6]:PORT; port 0 picks a free one
  bool tls = true;
  std::string cert_path;  // both set: a user certificate; both empty: self-signed in data_dir/tls
  std::string key_path;
  std::int64_t offline_after_seconds = 180;
  int io_threads = 2;
  int worker_threads = 8;
  std::string public_url;  // how agents reach this server (enrolment hints); empty: from requests
  // The built console (web/dist). Empty: DefaultWebRoot() (server/web/web_root.h); "none": no
  // console. A given directory must hold index.html.
  std::string web_root;
  std::int64_t session_idle_seconds = 30 * 60;        // console sign-out after this long idle
  std::int64_t session_absolute_seconds = 12 * 3600;  // and at the latest this long after sign-in
  // Shipped baseline policies. Empty: searched (service/baseline_service.h).
  std::string baseline_policy_dir;
  // Tests: a clock and a node id (lease holder). Defaults: the system clock, a random id.
  const Clock* clock = nullptr;
  std::string node_id;
};

// "0.0.0.0:8443", "[::1]:8443", "localhost:0" -> (address, port). InvalidArgument otherwise.
Result<std::pair<std::string, std::uint16_t>> ParseListenAddress(std::string_view listen);
// The URL with any password replaced by "***" (for logs).
std::string MaskDbUrl(std::string_view url);

// What `rampart server` and `rampart admin` share, so both find the same database and certificate:
// config.data_dir made absolute.
Result<std::string> AbsoluteDataDir(const ServerConfig& config);
// Creates the data directory (mode 0700) and opens + migrates the configured database.
Result<std::unique_ptr<Storage>> OpenServerStorage(const ServerConfig& config);
// The server certificate: config.cert_path/key_path when given (both or neither), else the
// self-signed one in <data_dir>/tls, made on first use for this host name, localhost, 127.0.0.1
// and ::1. REQUIRES: config.tls.
Result<net::TlsCertificate> LoadServerCertificate(const ServerConfig& config);

class ServerApp {
 public:
  // Starts everything; the server accepts connections when this returns. Errors: the data
  // directory cannot be made, the database cannot be opened or migrated, the certificate is
  // unreadable, the address is in use or invalid (each message names what failed).
  static Result<std::unique_ptr<ServerApp>> Start(const ServerConfig& config);
  ~ServerApp();  // Stop()
  ServerApp(const ServerApp&) = delete;
  ServerApp& operator=(const ServerApp&) = delete;

  // Closes the listener and every connection, stops the jobs, writes buffered heartbeats.
  // Idempotent.
  void Stop();

  std::uint16_t port() const;
  bool tls() const;
  // SHA-256 (hex) of the served certificate; empty without TLS.
  const std::string& cert_sha256() const;
  // "https://127.0.0.1:PORT" style base URL for local clients (tests, `make run`).
  std::string local_url() const;
  const std::string& node_id() const;

  Storage& storage();
  AgentHub& hub();
  Jobs& jobs();
  ServerMetrics& metrics();

 private:
  struct Parts;
  explicit ServerApp(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace rampart::server
