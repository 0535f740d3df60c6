// `rampart server`: CLI11 options for the platform server; the work is in server_cmd.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/command.h"
#include "cli/server_cmd.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::cli {
namespace {

class ServerCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    log_level_ = app.get_option_no_throw("--log-level");
    sub_ = app.add_subcommand(
        "server", "Run the platform: REST API, agent channel, metrics (until SIGTERM/SIGINT)");
    sub_->add_option("--db", config_.db_url,
                     "Database: sqlite:///path/rampart.db or mysql://user:pass@host:port/db "
                     "(default: rampart.db in the data directory)");
    sub_->add_option("--data-dir", config_.data_dir,
                     "Directory for the SQLite database and the TLS certificate (mode 0700)")
        ->capture_default_str();
    sub_->add_option("--listen", config_.listen, "Address and port, ADDR:PORT or [IPv6]:PORT")
        ->capture_default_str();
    sub_->add_flag("--no-tls", no_tls_,
                   "Serve plain HTTP (behind a TLS-terminating proxy, or for tests)");
    auto* cert = sub_->add_option("--cert", config_.cert_path,
                                  "PEM certificate to serve instead of the self-signed one");
    auto* key = sub_->add_option("--key", config_.key_path, "PEM private key of --cert");
    cert->needs(key);
    key->needs(cert);
    sub_->add_option("--public-url", config_.public_url,
                     "URL agents use to reach this server (e.g. https://rampart.example:8443)");
    sub_->add_option("--offline-after", config_.offline_after_seconds,
                     "Seconds without a heartbeat before a host is OFFLINE")
        ->capture_default_str()
        ->check(CLI::Range(10, 30 * 86400));
    sub_->add_option("--web-root", config_.web_root,
                     "Directory of the built console (web/dist); 'none' serves no console "
                     "(default: /usr/share/rampart/web, else web/dist of this source tree)");
    sub_->add_option("--session-idle", session_idle_,
                     "Console sessions end after this long without a request (30s, 15m, 2h)")
        ->capture_default_str();
    sub_->add_option("--session-max", session_max_,
                     "Console sessions end this long after sign-in at the latest")
        ->capture_default_str();
    sub_->add_option("--io-threads", config_.io_threads, "Network I/O threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    sub_->add_option("--worker-threads", config_.worker_threads,
                     "Threads running request handlers and database calls")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
  }

  bool Selected() const override { return sub_ != nullptr && sub_->parsed(); }

  int Run() override {
    if (no_tls_ && !config_.cert_path.empty()) {
      std::fprintf(stderr, "rampart server: --no-tls and --cert exclude each other\n");
      return 2;
    }
    config_.tls = !no_tls_;
    const auto idle = ParseDurationSeconds(session_idle_);
    const auto max = ParseDurationSeconds(session_max_);
    if (!idle || !max) {
      std::fprintf(stderr,
                   "rampart server: --session-idle/--session-max: expected a duration such as "
                   "30m, 12h or 7d\n");
      return 2;
    }
    config_.session_idle_seconds = *idle;
    config_.session_absolute_seconds = *max;
    // A daemon should say what it does: info unless --log-level was given.
    if (log_level_ == nullptr || log_level_->count() == 0) log::SetLevel(log::Level::kInfo);
    return RunServer(config_, stderr);
  }

 private:
  CLI::App* sub_ = nullptr;
  const CLI::Option* log_level_ = nullptr;
  server::ServerConfig config_;
  bool no_tls_ = false;
  std::string session_idle_ = "30m";
  std::string session_max_ = "12h";
};

}  // namespace

std::unique_ptr<Command> MakeServerCommand() { return std::make_unique<ServerCommand>(); }

}  // namespace rampart::cli
