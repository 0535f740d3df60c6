#include "cli/agent_cmd.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <thread>

#include "agent/baseline/baseline_agent.h"
#include "agent/monitor/geoip.h"
#include "agent/monitor/login_agent.h"
#include "agent/scan/malware_agent.h"
#include "agent/scan/yara_rules.h"
#include "agent/transport/agent_config.h"
#include "agent/transport/channel.h"
#include "agent/transport/command_result.h"
#include "agent/transport/enroll_client.h"
#include "agent/transport/identity.h"
#include "agent/transport/inventory_sync.h"
#include "agent/transport/spool.h"
#include "cli/scan_cmd.h"
#include "common/files.h"
#include "common/logging.h"
#include "rampart/version.h"

namespace rampart::cli {
namespace {

using agent::Identity;

// The running channel, for the signal handler (Channel::Stop only sets an atomic flag).
std::atomic<agent::Channel*> g_channel{nullptr};

extern "C" void OnStopSignal(int /*signo*/) {
  if (agent::Channel* channel = g_channel.load()) channel->Stop();
}

// Installs SIGTERM/SIGINT handlers for the lifetime of the object and restores the old ones.
class StopSignals {
 public:
  explicit StopSignals(agent::Channel* channel) {
    g_channel.store(channel);
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, &old_term_);
    ::sigaction(SIGINT, &sa, &old_int_);
    // A peer closing mid-write must be an error return, not a dead agent.
    ::signal(SIGPIPE, SIG_IGN);
  }
  ~StopSignals() {
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
    g_channel.store(nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_term_ {};
  struct sigaction old_int_ {};
};

int Fail(std::FILE* err, int code, const std::string& message) {
  std::fprintf(err, "rampart agent: %s\n", message.c_str());
  return code;
}

// Settings at start: defaults, then the last pushed config, then command-line flags.
agent::ChannelOptions ChannelOptionsFor(const AgentArgs& args) {
  agent::ChannelOptions options;
  options.data_dir = args.data_dir;
  options.insecure = args.insecure;
  options.agent_version = kVersion;
  if (auto stored = agent::LoadConfig(args.data_dir); !stored) {
    log::Warn("{}; using defaults", stored.error().ToString());
  } else if (*stored) {
    options.config_version = (*stored)->version;
    for (const auto& problem : agent::ApplySettings((*stored)->settings, &options.settings)) {
      log::Warn("config.json: {}", problem);
    }
    log::Level level{};
    if (!options.settings.log_level.empty() &&
        log::ParseLevel(options.settings.log_level, &level)) {
      log::SetLevel(level);
    }
  }
  if (args.heartbeat_seconds > 0) options.settings.heartbeat_seconds = args.heartbeat_seconds;
  if (args.inventory_seconds > 0) {
    options.settings.inventory_interval_seconds = args.inventory_seconds;
  }
  return options;
}

// Enrols (or re-enrols) when asked or needed. Returns the identity to run with, or an exit code.
struct Enrolled {
  Identity identity;
  bool fresh = false;  // enrolled in this run
};
Result<Enrolled> EnsureEnrolled(const AgentArgs& args, std::FILE* err) {
  auto existing = agent::LoadIdentity(args.data_dir);
  if (!existing && existing.error().code() != Code::kNotFound) return existing.error();
  if (existing && args.enroll_token.empty()) {
    Enrolled out{*existing, false};
    if (!args.server.empty()) {
      RAMPART_ASSIGN_OR_RETURN(std::string url, agent::NormalizeServerUrl(args.server));
      if (url != out.identity.server_url) {
        // The server moved (a new address or load balancer): remember it.
        out.identity.server_url = url;
        RAMPART_RETURN_IF_ERROR(agent::SaveIdentity(args.data_dir, out.identity));
      }
    }
    return out;
  }
  if (args.enroll_token.empty()) {
    return InvalidArgument(
        "not enrolled yet: pass --server URL and --enroll-token TOKEN (from "
        "'rampart admin enroll-token')");
  }
  std::string server = args.server;
  if (server.empty() && existing) server = existing->server_url;
  if (server.empty()) return InvalidArgument("--server URL is required to enrol");

  agent::EnrollRequestInfo request;
  request.server_url = server;
  request.token = args.enroll_token;
  request.insecure = args.insecure;
  if (!args.machine_id.empty()) {
    request.machine_id = args.machine_id;
  } else {
    RAMPART_ASSIGN_OR_RETURN(request.machine_id, agent::MachineId(args.data_dir));
  }
  request.hostname = agent::LocalHostname();
  request.agent_version = kVersion;
  auto identity = agent::Enroll(request, SystemClock::Instance());
  if (!identity) {
    const Code code = identity.error().code();
    if (existing && (code == Code::kUnauthenticated || code == Code::kUnavailable ||
                     code == Code::kDeadlineExceeded)) {
      // A service that always passes its install-time token must keep working once the token
      // has expired, or when the server is briefly unreachable at boot: the identity it already
      // has is what counts.
      std::fprintf(err, "rampart agent: %s; keeping the existing identity %s\n",
                   identity.error().message().c_str(), existing->host_id.c_str());
      return Enrolled{*existing, false};
    }
    return identity.error().WithContext("enrolment failed");
  }
  RAMPART_RETURN_IF_ERROR(agent::SaveIdentity(args.data_dir, *identity));
  std::fprintf(err, "rampart agent: enrolled as %s in tenant %s\n", identity->host_id.c_str(),
               identity->tenant_id.c_str());
  return Enrolled{*identity, true};
}

// Removes everything that belonged to the deregistered identity; the machine id stays.
void ForgetIdentity(const std::string& data_dir) {
  if (Status deleted = agent::DeleteIdentity(data_dir); !deleted.ok()) {
    log::Warn("{}", deleted.ToString());
  }
  std::error_code ec;
  for (const auto name : {agent::kInventoryStateFile, agent::kConfigFile}) {
    std::filesystem::remove(data_dir + "/" + std::string(name), ec);
  }
  // Pending batches of an uninstalled host can never be delivered.
  std::filesystem::remove_all(data_dir + "/spool", ec);
}

int Deregister(const AgentArgs& args, const Identity& identity, agent::Channel& channel,
               std::FILE* err) {
  StopSignals signals(&channel);
  Status done = channel.Deregister(std::chrono::seconds(30));
  if (!done.ok() && done.code() != Code::kUnauthenticated) {
    return Fail(err, 1, "deregistration failed (identity kept, try again): " + done.message());
  }
  ForgetIdentity(args.data_dir);
  if (done.ok()) {
    std::fprintf(err, "rampart agent: deregistered %s from tenant %s\n", identity.host_id.c_str(),
                 identity.tenant_id.c_str());
  } else {
    std::fprintf(err, "rampart agent: the server no longer knows %s; local identity removed\n",
                 identity.host_id.c_str());
  }
  return 0;
}

}  // namespace

int RunAgent(const AgentArgs& args, std::FILE* err) {
  if (args.once && args.deregister)
    return Fail(err, 2, "--once and --deregister exclude each other");
  if (args.data_dir.empty()) return Fail(err, 2, "--data-dir must not be empty");
  if (Status made = agent::EnsureDataDir(args.data_dir); !made.ok()) {
    return Fail(err, 2, "--data-dir: " + made.message());
  }
  if (args.deregister && !args.enroll_token.empty()) {
    return Fail(err, 2, "--deregister does not take --enroll-token");
  }
  if (args.deregister) {
    if (auto existing = agent::LoadIdentity(args.data_dir); !existing) {
      return Fail(
          err, 2,
          existing.error().code() == Code::kNotFound
              ? "not enrolled (no " + args.data_dir + "/identity.json): nothing to deregister"
              : existing.error().message());
    }
  }
  auto enrolled = EnsureEnrolled(args, err);
  if (!enrolled) return Fail(err, 2, enrolled.error().message());
  Identity identity = enrolled->identity;

  auto spool = agent::Spool::Open(args.data_dir + "/spool");
  if (!spool) return Fail(err, 2, "spool: " + spool.error().message());
  auto inventory =
      agent::InventorySync::Open(args.data_dir, spool->get(), &SystemClock::Instance());
  if (!inventory) return Fail(err, 2, "inventory state: " + inventory.error().message());
  // A new enrolment may be a new host record, or one the server emptied: start with everything.
  if (enrolled->fresh) (*inventory)->ForceFull();

  const std::string cache_dir = args.data_dir + "/cache";
  if (Status made = MakeDirs(cache_dir, 0700); !made.ok()) log::Warn("{}", made.ToString());
  agent::CollectOptions collect;
  collect.cache_dir = cache_dir;
  agent::ChannelOptions channel_options = ChannelOptionsFor(args);

  // Live login monitoring and blocking, in the daemon only.
  agent::SystemCommandRunner runner;
  std::unique_ptr<agent::LoginAgent> login;
  if (args.login_monitor && !args.once && !args.deregister) {
    agent::LoginAgentOptions login_options;
    login_options.monitor.data_dir = args.data_dir;
    login_options.monitor.geoip_db =
        args.geoip_db.empty() ? agent::DefaultGeoIpDatabase() : args.geoip_db;
    login_options.firewall = args.firewall;
    login_options.host_id = identity.host_id;
    login_options.server_url = identity.server_url;
    login = std::make_unique<agent::LoginAgent>(login_options, spool->get(),
                                                &SystemClock::Instance(), &runner);
    Json stored = Json::MakeObject();
    if (auto config = agent::LoadConfig(args.data_dir); config && *config) {
      stored = (*config)->settings;
    }
    if (Status started = login->Start(stored); !started.ok()) {
      // Blocks and the server's block/unblock commands still work.
      log::Error("login monitoring is off: {}", started.message());
    }
    agent::LoginAgent* l = login.get();
    channel_options.command_handlers.push_back(
        [l](const agent::CommandMessage& c) { return l->OnCommand(c); });
    channel_options.config_listeners.push_back(
        [l](const Json& settings) { l->OnConfig(settings); });
  }
  // Baseline runs the server asks for, on the module's own thread, in the daemon only.
  std::unique_ptr<agent::baseline::BaselineAgent> baseline;
  if (args.baseline && !args.once && !args.deregister) {
    agent::Spool* s = spool->get();
    agent::baseline::BaselineAgentOptions baseline_options;
    baseline_options.command_done = [s](std::string_view id, bool ok, std::string_view message,
                                        const Json& result) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      if (Status queued = agent::QueueCommandResult(*s, id, ok, message, result, now);
          !queued.ok() && queued.code() != Code::kAlreadyExists) {
        log::Warn("command {}: result not spooled: {}", id, queued.message());
      }
    };
    baseline = std::make_unique<agent::baseline::BaselineAgent>(
        std::move(baseline_options),
        [s](std::string_view kind, std::string_view key, std::string_view payload) {
          return s->Enqueue(kind, key, payload).status();
        });
    agent::baseline::BaselineAgent* b = baseline.get();
    channel_options.command_handlers.push_back(
        [b](const agent::CommandMessage& c) { return b->OnCommand(c.id, c.name, c.args); });
  }
  // Malware scans, real-time watching and vault commands, in the daemon only.
  std::unique_ptr<agent::scan::RuleSet> malware_rules;
  std::unique_ptr<agent::scan::Scanner> malware_scanner;
  std::optional<agent::scan::Vault> malware_vault;
  std::unique_ptr<agent::scan::MalwareAgent> malware;
  if (args.malware && !args.once && !args.deregister) {
    std::vector<agent::scan::RuleDiagnostic> diagnostics;
    auto sources = agent::scan::ShippedRuleSources();
    const std::string extra = "/etc/rampart/rules/malware";
    if (std::filesystem::exists(extra)) {
      if (auto more = agent::scan::ReadRuleSources(extra); more.ok()) {
        for (auto& source : *more) sources.push_back(std::move(source));
      } else {
        log::Warn("malware: extra rules {}: {}", extra, more.error().ToString());
      }
    }
    auto rules = agent::scan::RuleSet::Compile(sources, args.data_dir + "/scan", &diagnostics);
    for (const auto& d : diagnostics) log::Warn("malware rules: {}", d.ToString());
    if (!rules.ok()) {
      log::Error("malware scanning is off: {}", rules.error().ToString());
    } else {
      malware_rules = std::move(*rules);
      malware_scanner = std::make_unique<agent::scan::Scanner>(*malware_rules, nullptr, nullptr);
      if (auto vault = agent::scan::Vault::Open(args.data_dir + "/quarantine"); vault.ok()) {
        malware_vault.emplace(std::move(*vault));
      } else {
        log::Error("malware: quarantine vault unavailable: {}", vault.error().ToString());
      }
      agent::scan::MalwareAgentOptions malware_options;
      malware_options.host_id = identity.host_id;
      malware_options.data_dir = args.data_dir;
      malware_options.quick_paths = QuickScanPaths();
      malware_options.quick_paths_source = [] { return QuickScanPaths(); };
      for (const std::string& p : malware_options.quick_paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(std::filesystem::symlink_status(p, ec))) {
          malware_options.watch_dirs.push_back(p);
        }
      }
      std::error_code ec;
      const auto data_dir = std::filesystem::weakly_canonical(args.data_dir, ec);
      malware_options.exclude_dirs = {ec ? args.data_dir : data_dir.string()};
      malware = std::make_unique<agent::scan::MalwareAgent>(
          malware_options, malware_scanner.get(), malware_vault ? &*malware_vault : nullptr,
          spool->get(), &SystemClock::Instance());
      Json stored = Json::MakeObject();
      if (auto config = agent::LoadConfig(args.data_dir); config && *config) {
        stored = (*config)->settings;
      }
      malware->OnConfig(stored);
      agent::scan::MalwareAgent* m = malware.get();
      channel_options.command_handlers.push_back(
          [m](const agent::CommandMessage& c) { return m->OnCommand(c); });
      channel_options.config_listeners.push_back(
          [m](const Json& settings) { m->OnConfig(settings); });
    }
  }
  agent::Channel channel(identity, std::move(channel_options), spool->get(), inventory->get(),
                         agent::MakeCollectorSource(HostView(), SystemClock::Instance(), collect),
                         &SystemClock::Instance());

  if (args.deregister) return Deregister(args, identity, channel, err);

  StopSignals signals(&channel);
  if (args.once) {
    Status done = channel.RunOnce(args.once_timeout);
    if (!done.ok()) return Fail(err, 1, done.message());
    const auto stats = channel.stats();
    std::fprintf(err, "rampart agent: %s delivered %lld batches to %s\n", identity.host_id.c_str(),
                 static_cast<long long>(stats.batches_acknowledged), identity.server_url.c_str());
    return 0;
  }
  if (!enrolled->fresh) {
    std::fprintf(err, "rampart agent: running as %s in tenant %s against %s\n",
                 identity.host_id.c_str(), identity.tenant_id.c_str(), identity.server_url.c_str());
  }
  if (baseline) baseline->Start();
  std::atomic<bool> login_stop{false};
  std::thread login_thread;
  if (login) login_thread = std::thread([&] { login->Run(login_stop); });
  std::thread malware_thread;
  if (malware) malware_thread = std::thread([&] { malware->Run(login_stop); });
  Status done = channel.Run();
  login_stop.store(true);
  if (login_thread.joinable()) login_thread.join();
  if (baseline) baseline->Stop();
  if (malware_thread.joinable()) malware_thread.join();
  if (!done.ok()) return Fail(err, 2, done.message());
  log::Info("stopped");
  return 0;
}

}  // namespace rampart::cli
