#include "agent/monitor/login_agent.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <thread>

#include "common/logging.h"

namespace rampart::agent {

std::vector<Cidr> ServerAddresses(std::string_view url) {
  std::string_view rest = url;
  if (const std::size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  std::string host;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return {};
    host = std::string(rest.substr(1, close - 1));
  } else {
    host = std::string(rest.substr(0, rest.find(':')));
  }
  if (host.empty()) return {};
  std::vector<Cidr> out;
  if (auto literal = ParseCidr(host)) {
    out.push_back(*literal);
    return out;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return {};
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    char buf[64] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    if (auto c = ParseCidr(buf); c && std::find(out.begin(), out.end(), *c) == out.end()) {
      out.push_back(*c);
    }
  }
  freeaddrinfo(res);
  return out;
}

LoginAgent::LoginAgent(LoginAgentOptions options, Spool* spool, Clock* clock, CommandRunner* runner)
    : options_(std::move(options)), spool_(spool), clock_(clock), spooler_(spool) {
  FirewallBackend backend = FirewallBackend::kNone;
  if (options_.firewall == "auto" || !ParseFirewallBackend(options_.firewall, &backend)) {
    backend = Firewall::Detect(runner);
  }
  firewall_ = std::make_unique<Firewall>(runner, backend);
  blocks_ = std::make_unique<BlockManager>(options_.monitor.data_dir, firewall_.get(), clock_);
}

LoginAgent::~LoginAgent() = default;

Status LoginAgent::Start(const Json& stored_settings) {
  std::vector<std::string> problems;
  LoginMonitorSettings settings =
      SettingsFromConfig(stored_settings, options_.host_id, LoginMonitorSettings{}, &problems);
  for (const auto& p : problems) log::Warn("config.json: {} (default kept)", p);
  block_seconds_ = settings.block_seconds;

  if (Status restored = blocks_->Restore(); !restored.ok()) {
    log::Error("AUTOMATIC BLOCKING IS OFF: {}", restored.message());
  } else {
    log::Info("blocking with {}", FirewallBackendName(blocks_->backend()));
  }
  server_addresses_ = ServerAddresses(options_.server_url);
  if (server_addresses_.empty() && !options_.server_url.empty()) {
    log::Warn("the server address of {} did not resolve; it is not protected from blocking",
              options_.server_url);
  }

  monitor_ = std::make_unique<LoginMonitor>(
      options_.monitor, settings, [this](const Json& event) { spooler_.Add(event); }, blocks_.get(),
      clock_);
  monitor_->SetExtraProtected(server_addresses_);
  blocks_->SetPolicy(monitor_->MakeBlockPolicy({}));
  Status started = monitor_->Start();
  // Without a log source the server's block/unblock commands and the snapshots still work.
  monitoring_ = started.ok();
  return started;
}

void LoginAgent::OnConfig(const Json& settings) {
  if (!monitor_) return;
  std::vector<std::string> problems;
  LoginMonitorSettings next =
      SettingsFromConfig(settings, options_.host_id, LoginMonitorSettings{}, &problems);
  for (const auto& p : problems) log::Warn("config: {} (default kept)", p);
  block_seconds_ = next.block_seconds;
  monitor_->UpdateSettings(std::move(next));
  // The whitelist protects from blocking at once (also when no log source is monitored).
  blocks_->SetPolicy(monitor_->MakeBlockPolicy({}));
}

bool LoginAgent::OnCommand(const CommandMessage& command) {
  if (command.name != "block" && command.name != "unblock") return false;
  const std::string source = command.args.GetString("source");
  if (command.name == "unblock") {
    Status removed = blocks_->Remove(source);
    if (removed.ok()) {
      log::Info("command {}: unblocked {}", command.id, source);
    } else {
      log::Warn("command {}: unblock {}: {}", command.id, source, removed.message());
    }
    return true;
  }
  std::int64_t ttl = command.args.GetInt("ttl_seconds", 0);
  if (ttl <= 0) ttl = block_seconds_.load() > 0 ? block_seconds_.load() : kDefaultBlockSeconds;
  std::string reason = command.args.GetString("reason", "manual");
  if (reason.empty()) reason = "manual";
  auto added = blocks_->Add(source, ttl, reason);
  if (added) {
    log::Info("command {}: blocked {} for {} s ({})", command.id, added->source, ttl, reason);
  } else {
    log::Warn("command {}: block {} refused: {}", command.id, source, added.error().message());
  }
  return true;
}

void LoginAgent::AfterPoll() {
  if (Status flushed = spooler_.Flush(); !flushed.ok()) {
    log::Warn("security events: {} ({} pending)", flushed.message(), spooler_.pending());
  }
  if (auto expired = blocks_->ExpireDue(); !expired) {
    log::Warn("blocks: {}", expired.error().message());
  }
  const auto now = clock_->Monotonic();
  if (snapshot_sent_ && now - last_snapshot_ < options_.snapshot_interval) return;
  const std::uint64_t generation = blocks_->Generation();
  if (snapshot_sent_ && generation == sent_generation_) return;
  auto list = blocks_->List();
  if (!list) {
    log::Warn("blocks: {}", list.error().message());
    return;
  }
  if (Status sent =
          spooler_.SendBlocks(FirewallBackendName(blocks_->backend()), BlocksToJson(*list));
      !sent.ok()) {
    log::Warn("blocks snapshot: {}", sent.message());
    return;
  }
  snapshot_sent_ = true;
  sent_generation_ = blocks_->Generation();
  last_snapshot_ = now;
}

void LoginAgent::Run(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) {
    Result<std::size_t> n = std::size_t{0};
    if (monitoring_) n = monitor_->PollOnce();
    if (!n) log::Warn("login monitor: {}", n.error().message());
    AfterPoll();
    if (n && *n > 0) continue;
    std::this_thread::sleep_for(options_.monitor.poll);
  }
  if (monitoring_) {
    if (Status saved = monitor_->SaveState(); !saved.ok()) log::Error("{}", saved.message());
  }
  if (Status flushed = spooler_.Flush(); !flushed.ok()) {
    log::Warn("security events: {}", flushed.message());
  }
}

}  // namespace rampart::agent
