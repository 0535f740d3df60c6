#include "server/server_app.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>

#include "common/files.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/wire.h"
#include "net/server.h"
#include "net/tls_cert.h"
#include "rampart/version.h"
#include "server/api/errors.h"
#include "server/api/router.h"
#include "server/api/settings_schema.h"
#include "server/service/agent_hub.h"
#include "server/service/api_auth.h"
#include "server/service/baseline_service.h"
#include "server/service/heartbeat_writer.h"
#include "server/service/jobs.h"
#include "server/service/metrics.h"
#include "server/service/vuln_service.h"
#include "server/service/web_session.h"
#include "server/web/web_root.h"

namespace rampart::server {

struct ServerApp::Parts {
  ServerConfig config;
  const Clock* clock = nullptr;
  std::string node_id;
  std::string address;
  net::TlsCertificate cert;  // empty paths without TLS
  // Declared in dependency order, so destruction runs from the HTTP server down to storage.
  std::unique_ptr<Storage> storage;
  std::unique_ptr<ServerMetrics> metrics;
  std::unique_ptr<ApiAuthenticator> auth;
  std::unique_ptr<VulnService> vuln;
  std::unique_ptr<BaselineService> baseline;
  std::unique_ptr<SessionManager> sessions;
  std::unique_ptr<WebRoot> web;
  std::unique_ptr<api::ApiRouter> router;
  std::unique_ptr<HeartbeatWriter> heartbeats;
  std::unique_ptr<AgentHub> hub;
  std::unique_ptr<Jobs> jobs;
  std::unique_ptr<net::HttpServer> http;
  std::once_flag stopped;

  net::HttpResponse HandleHttp(const net::HttpRequest& request);
  net::HttpResponse Route(const net::HttpRequest& request);
  net::HttpResponse Healthz(const net::HttpRequest& request);
  std::shared_ptr<net::WsHandler> HandleUpgrade(const net::HttpRequest& request,
                                                std::shared_ptr<net::WsConnection> connection,
                                                net::HttpResponse& refusal);
};

namespace {

constexpr std::string_view kHostsPrefix = "/api/v1/hosts/";

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

Status PrepareDataDir(const std::string& dir) {
  RAMPART_RETURN_IF_ERROR(MakeDirs(dir, 0700).WithContext("data directory"));
  // An existing directory may have been made with a looser mode; it holds the database, the TLS
  // key and agents' identities.
  if (chmod(dir.c_str(), 0700) != 0) {
    log::Warn("data directory {}: cannot set mode 0700: {}", dir, std::strerror(errno));
  }
  return Status::Ok();
}

std::string HostForUrl(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> ParseListenAddress(std::string_view listen) {
  const auto bad = [&] {
    return InvalidArgument("listen address '" + std::string(listen) +
                           "': expected ADDR:PORT, e.g. 0.0.0.0:8443 or [::]:8443");
  };
  std::string address;
  std::string_view port_text;
  if (StartsWith(listen, "[")) {
    const auto close = listen.find("]:");
    if (close == std::string_view::npos || close < 2) return bad();
    address = std::string(listen.substr(1, close - 1));
    port_text = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad();
    address = std::string(listen.substr(0, colon));
    if (address.find(':') != std::string::npos) return bad();  // bare IPv6 needs brackets
    port_text = listen.substr(colon + 1);
  }
  auto port = ParseInt<std::uint16_t>(port_text);
  if (!port) return bad();
  return std::pair<std::string, std::uint16_t>(address, *port);
}

Result<std::string> AbsoluteDataDir(const ServerConfig& config) {
  if (config.data_dir.empty()) return InvalidArgument("--data-dir: expected a directory");
  std::error_code ec;
  std::string dir = std::filesystem::absolute(config.data_dir, ec).lexically_normal().string();
  if (ec) return InvalidArgument("data directory '" + config.data_dir + "': " + ec.message());
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

Result<std::unique_ptr<Storage>> OpenServerStorage(const ServerConfig& config) {
  RAMPART_ASSIGN_OR_RETURN(std::string data_dir, AbsoluteDataDir(config));
  RAMPART_RETURN_IF_ERROR(PrepareDataDir(data_dir));
  return OpenStorage(config.db_url, data_dir);
}

Result<net::TlsCertificate> LoadServerCertificate(const ServerConfig& config) {
  if (config.cert_path.empty() != config.key_path.empty()) {
    return InvalidArgument("--cert and --key go together (a certificate needs its private key)");
  }
  if (!config.cert_path.empty()) return net::LoadCertificate(config.cert_path, config.key_path);
  RAMPART_ASSIGN_OR_RETURN(std::string data_dir, AbsoluteDataDir(config));
  RAMPART_RETURN_IF_ERROR(PrepareDataDir(data_dir));
  return net::EnsureSelfSignedCertificate(data_dir + "/tls",
                                          {Hostname(), "localhost", "127.0.0.1", "::1"});
}

std::string MaskDbUrl(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto auth_start = scheme + 3;
  const auto at = url.find('@', auth_start);
  const auto slash = url.find('/', auth_start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const auto colon = url.find(':', auth_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

Result<std::unique_ptr<ServerApp>> ServerApp::Start(const ServerConfig& config) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  parts->clock = config.clock != nullptr ? config.clock : &SystemClock::Instance();
  parts->node_id = !config.node_id.empty() ? config.node_id : wire::RandomId("node");
  if (config.offline_after_seconds < 10) {
    return InvalidArgument("--offline-after: expected at least 10 seconds");
  }
  if (config.io_threads < 1 || config.worker_threads < 1) {
    return InvalidArgument("--io-threads and --worker-threads: expected at least 1");
  }
  RAMPART_ASSIGN_OR_RETURN(auto listen, ParseListenAddress(config.listen));
  parts->address = listen.first;

  if (config.session_idle_seconds < 60 || config.session_absolute_seconds < 60 ||
      config.session_idle_seconds > config.session_absolute_seconds) {
    return InvalidArgument(
        "--session-idle and --session-max: expected at least 60 s each, idle not above max");
  }
  std::string web_dir;
  if (config.web_root.empty()) {
    web_dir = DefaultWebRoot();
  } else if (config.web_root != "none") {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config.web_root + "/index.html", ec)) {
      return InvalidArgument("--web-root " + config.web_root +
                             ": no index.html there (build the console: cd web && npm ci && npm "
                             "run build; then --web-root web/dist)");
    }
    web_dir = config.web_root;
  }
  parts->web = std::make_unique<WebRoot>(web_dir);

  RAMPART_ASSIGN_OR_RETURN(const std::string data_dir, AbsoluteDataDir(config));
  RAMPART_ASSIGN_OR_RETURN(parts->storage, OpenServerStorage(config));
  if (config.tls) {
    RAMPART_ASSIGN_OR_RETURN(parts->cert, LoadServerCertificate(config));
  }

  Storage& storage = *parts->storage;
  parts->metrics = std::make_unique<ServerMetrics>(kVersion);
  parts->auth = std::make_unique<ApiAuthenticator>(&storage, parts->clock);
  SessionOptions session_options;
  session_options.idle_seconds = config.session_idle_seconds;
  session_options.absolute_seconds = config.session_absolute_seconds;
  parts->sessions = std::make_unique<SessionManager>(&storage, parts->clock, session_options);
  parts->auth->SetSessions(parts->sessions.get());
  api::ApiContext context;
  context.storage = &storage;
  context.clock = parts->clock;
  context.auth = parts->auth.get();
  context.cert_sha256 = parts->cert.sha256_hex;
  context.public_url = config.public_url;
  context.tls = config.tls;
  // The hub is made below; requests arrive only after Start(), when it exists.
  context.command_queued = [p = parts.get()](const std::string& host_id) {
    if (p->hub != nullptr) p->hub->DeliverCommands(host_id);
  };
  parts->vuln = std::make_unique<VulnService>(storage, *parts->clock);
  context.vuln = parts->vuln.get();
  context.sessions = parts->sessions.get();
  parts->baseline =
      std::make_unique<BaselineService>(storage, *parts->clock, config.baseline_policy_dir);
  parts->baseline->command_queued = [p = parts.get()](const std::string& host_id) {
    if (p->hub != nullptr) p->hub->DeliverCommands(host_id);
  };
  context.baseline = parts->baseline.get();
  parts->router = std::make_unique<api::ApiRouter>(std::move(context));
  parts->heartbeats = std::make_unique<HeartbeatWriter>(storage);
  AgentHubOptions hub_options;
  hub_options.effective_settings = [](const Json& stored) {
    return api::EffectiveSettings(stored);
  };
  parts->hub = std::make_unique<AgentHub>(storage, *parts->clock, *parts->heartbeats,
                                          parts->metrics.get(), std::move(hub_options));
  AgentHub* hub = parts->hub.get();
  parts->metrics->WatchConnections([hub] { return hub->connected_count(); });
  parts->metrics->WatchHosts(storage);
  JobsOptions jobs_options;
  jobs_options.node_id = parts->node_id;
  jobs_options.offline_after_seconds = config.offline_after_seconds;
  jobs_options.vuln = parts->vuln.get();
  jobs_options.baseline = parts->baseline.get();
  parts->jobs = std::make_unique<Jobs>(storage, *parts->clock, hub, std::move(jobs_options));

  net::ServerOptions options;
  options.listen_address = listen.first;
  options.port = listen.second;
  options.cert_pem_path = parts->cert.cert_path;
  options.key_pem_path = parts->cert.key_path;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  Parts* p = parts.get();
  net::ServerHooks hooks;
  hooks.http = [p](const net::HttpRequest& request) { return p->HandleHttp(request); };
  hooks.websocket = [p](const net::HttpRequest& request,
                        std::shared_ptr<net::WsConnection> connection, net::HttpResponse& refusal) {
    return p->HandleUpgrade(request, std::move(connection), refusal);
  };
  parts->heartbeats->Start();
  parts->jobs->Start();
  auto http = net::HttpServer::Start(options, std::move(hooks));
  if (!http) {
    parts->jobs->Stop();
    parts->heartbeats->Stop();
    return http.error();
  }
  parts->http = std::move(http).value();

  auto app = std::unique_ptr<ServerApp>(new ServerApp(std::move(parts)));
  const std::string db =
      config.db_url.empty() ? "sqlite://" + data_dir + "/rampart.db" : MaskDbUrl(config.db_url);
  log::Info(
      "rampart server listening on {}://{}:{} (db {}; {}; console {})",
      config.tls ? "https" : "http", HostForUrl(listen.first), app->port(), db,
      config.tls ? "certificate sha256 " + app->cert_sha256() : std::string("no TLS"),
      app->parts_->web->has_console() ? app->parts_->web->dir() : std::string("not installed"));
  return app;
}

ServerApp::ServerApp(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ServerApp::~ServerApp() { Stop(); }

void ServerApp::Stop() {
  std::call_once(parts_->stopped, [this] {
    // Connections first (their handlers use the hub and the heartbeat writer), then the jobs,
    // then the last heartbeats to the database.
    if (parts_->http != nullptr) parts_->http->Stop();
    parts_->jobs->Stop();
    parts_->heartbeats->Stop();
    log::Info("rampart server stopped");
  });
}

std::uint16_t ServerApp::port() const { return parts_->http->port(); }
bool ServerApp::tls() const { return parts_->config.tls; }
const std::string& ServerApp::cert_sha256() const { return parts_->cert.sha256_hex; }
const std::string& ServerApp::node_id() const { return parts_->node_id; }
Storage& ServerApp::storage() { return *parts_->storage; }
AgentHub& ServerApp::hub() { return *parts_->hub; }
Jobs& ServerApp::jobs() { return *parts_->jobs; }
ServerMetrics& ServerApp::metrics() { return *parts_->metrics; }

std::string ServerApp::local_url() const {
  std::string host = parts_->address;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  return std::string(tls() ? "https" : "http") + "://" + HostForUrl(host) + ":" +
         std::to_string(port());
}

net::HttpResponse ServerApp::Parts::HandleHttp(const net::HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  net::HttpResponse response;
  try {
    response = Route(request);
  } catch (const std::exception& e) {
    // Our code does not throw; a library might (std::bad_alloc). The connection stays usable.
    log::Error("{} {}: unexpected exception: {}", request.method, request.path, e.what());
    response = api::HttpError(500, "internal", "internal error");
  }
  if (!response.headers.Get("x-content-type-options")) {
    response.headers.Add("x-content-type-options", "nosniff");
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  metrics->RecordHttpRequest(request.method, response.status, took.count());
  return response;
}

net::HttpResponse ServerApp::Parts::Route(const net::HttpRequest& request) {
  if (request.path == "/healthz") return Healthz(request);
  if (request.path == "/metrics") {
    if (request.method != "GET" && request.method != "HEAD") {
      auto response = api::HttpError(405, "method_not_allowed", "/metrics: use GET");
      response.headers.Add("Allow", "GET, HEAD");
      return response;
    }
    net::HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics->Render();
    return response;
  }
  if (request.path != "/api" && !StartsWith(request.path, "/api/")) return web->Serve(request);
  net::HttpResponse response = router->Handle(request);
  // A host deleted through this node: its agent, if connected here, is told and cut off now
  // rather than at the next sweep.
  if (request.method == "DELETE" && response.status >= 200 && response.status < 300 &&
      StartsWith(request.path, kHostsPrefix)) {
    const std::string_view id = std::string_view(request.path).substr(kHostsPrefix.size());
    if (!id.empty() && id.find('/') == std::string_view::npos) {
      hub->Disconnect(id, "host_removed", "this host was deleted");
    }
  }
  return response;
}

net::HttpResponse ServerApp::Parts::Healthz(const net::HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = api::HttpError(405, "method_not_allowed", "/healthz: use GET");
    response.headers.Add("Allow", "GET, HEAD");
    return response;
  }
  // A trivial read: a missing tenant is an answer, so the database is reachable.
  auto probe = storage->GetTenant("tn_healthz");
  net::HttpResponse response;
  response.headers.Add("Cache-Control", "no-store");
  Json body = Json::MakeObject();
  if (probe.ok() || probe.error().code() == Code::kNotFound) {
    body.Set("status", "ok");
  } else {
    log::Warn("healthz: database: {}", probe.error().ToString());
    response.status = 503;
    body.Set("status", "unavailable");
    body.Set("message", "the database does not answer");
  }
  response.body = body.Dump();
  return response;
}

std::shared_ptr<net::WsHandler> ServerApp::Parts::HandleUpgrade(
    const net::HttpRequest& request, std::shared_ptr<net::WsConnection> connection,
    net::HttpResponse& refusal) {
  if (request.path != wire::kChannelPath) {
    refusal = api::HttpError(404, "not_found",
                             "no WebSocket endpoint at " + Printable(request.path.substr(0, 200)));
    return nullptr;
  }
  try {
    return hub->Accept(request, std::move(connection), refusal);
  } catch (const std::exception& e) {
    log::Error("agent channel: unexpected exception: {}", e.what());
    refusal = api::HttpError(500, "internal", "internal error");
    return nullptr;
  }
}

}  // namespace rampart::server
