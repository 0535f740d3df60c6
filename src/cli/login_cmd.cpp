#include "cli/login_cmd.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <thread>

#include "agent/monitor/block_manager.h"
#include "agent/monitor/firewall.h"
#include "agent/monitor/geoip.h"
#include "agent/monitor/login_agent.h"
#include "agent/monitor/login_monitor.h"
#include "agent/monitor/sessions.h"
#include "agent/transport/agent_config.h"
#include "agent/transport/identity.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnMonitorStop(int /*signo*/) { g_stop.store(true); }

agent::FirewallBackend ChooseBackend(const std::string& name, agent::CommandRunner* runner,
                                     bool* ok) {
  *ok = true;
  agent::FirewallBackend backend = agent::FirewallBackend::kNone;
  if (name == "auto") return agent::Firewall::Detect(runner);
  if (!agent::ParseFirewallBackend(name, &backend)) *ok = false;
  return backend;
}

// Never-block networks known from the data dir: login.whitelist of the stored tenant config (for
// this host) and the enrolled server's addresses.
std::vector<agent::Cidr> ProtectedFromDataDir(const std::string& data_dir) {
  std::vector<agent::Cidr> out;
  std::string host_id;
  if (auto identity = agent::LoadIdentity(data_dir)) {
    host_id = identity->host_id;
    out = agent::ServerAddresses(identity->server_url);
  }
  if (auto config = agent::LoadConfig(data_dir); config && *config) {
    auto settings = agent::SettingsFromConfig((*config)->settings, host_id,
                                              agent::LoginMonitorSettings{}, nullptr);
    out.insert(out.end(), settings.never_block.begin(), settings.never_block.end());
  }
  return out;
}

std::string Remaining(std::int64_t seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  if (seconds >= 3600) out += std::to_string(seconds / 3600) + "h";
  if (seconds >= 60) out += std::to_string(seconds / 60 % 60) + "m";
  out += std::to_string(seconds % 60) + "s";
  return out;
}

}  // namespace

int RunMonitor(const MonitorArgs& args, std::FILE* out, std::FILE* err) {
  auto fail = [&](const std::string& msg) {
    std::fprintf(err, "rampart monitor: %s\n", msg.c_str());
    return 2;
  };
  if (Status made = agent::EnsureDataDir(args.data_dir); !made.ok()) {
    return fail("--data-dir: " + made.message());
  }
  agent::LoginMonitorSettings settings;
  if (!args.rules.empty()) {
    auto rules = agent::LoadRulesFile(args.rules);
    if (!rules) return fail(rules.error().message());
    settings.rules = *rules;
  }
  for (auto& rule : settings.rules.brute_force) {
    if (rule.scope != agent::RuleScope::kSource || rule.custom) continue;
    if (args.window_seconds > 0) rule.window_seconds = args.window_seconds;
    if (args.max_failures > 0) rule.failures = static_cast<std::uint32_t>(args.max_failures);
    break;
  }
  for (const auto& w : args.whitelist) {
    auto cidr = agent::ParseCidr(w);
    if (!cidr) return fail("--whitelist " + w + ": expected an IPv4/IPv6 address or CIDR");
    settings.never_block.push_back(*cidr);
    settings.rules.whitelist.networks.push_back(*cidr);
  }
  const auto ttl = ParseDurationSeconds(args.block_ttl);
  if (!ttl || *ttl < 1) return fail("--block-ttl " + args.block_ttl + ": expected 30s, 15m, 1h...");
  settings.block_seconds = args.block ? *ttl : 0;

  agent::LoginMonitorOptions options;
  options.data_dir = args.data_dir;
  options.files = args.logs;
  if (args.journal == "on") {
    options.journal = agent::LoginMonitorOptions::Journal::kOn;
  } else if (args.journal == "off") {
    options.journal = agent::LoginMonitorOptions::Journal::kOff;
  } else if (args.journal != "auto") {
    return fail("--journal " + args.journal + ": expected auto, on or off");
  }
  options.journal_dir = args.journal_dir;
  options.from_start = args.from_start;
  options.geoip_db = args.geoip_db.empty() ? agent::DefaultGeoIpDatabase() : args.geoip_db;

  agent::SystemCommandRunner runner;
  std::unique_ptr<agent::Firewall> firewall;
  std::unique_ptr<agent::BlockManager> blocks;
  if (args.block) {
    bool ok = true;
    const auto backend = ChooseBackend(args.firewall, &runner, &ok);
    if (!ok) return fail("--firewall " + args.firewall + ": expected auto, nftables, ipset, none");
    firewall = std::make_unique<agent::Firewall>(&runner, backend);
    blocks = std::make_unique<agent::BlockManager>(args.data_dir, firewall.get(),
                                                   &SystemClock::Instance());
    if (Status restored = blocks->Restore(); !restored.ok()) {
      std::fprintf(err, "rampart monitor: BLOCKING IS OFF: %s\n", restored.message().c_str());
    } else {
      std::fprintf(err, "rampart monitor: blocking with %s for %s\n",
                   agent::FirewallBackendName(backend), args.block_ttl.c_str());
    }
  }
  agent::LoginMonitor monitor(
      options, settings,
      [out](const Json& event) {
        const std::string line = event.Dump() + "\n";
        std::fwrite(line.data(), 1, line.size(), out);
        std::fflush(out);
      },
      blocks.get(), &SystemClock::Instance());
  if (blocks) {
    monitor.SetExtraProtected(ProtectedFromDataDir(args.data_dir));
    blocks->SetPolicy(monitor.MakeBlockPolicy({}));
  }
  if (Status started = monitor.Start(); !started.ok()) return fail(started.message());

  if (args.once) {
    for (;;) {
      auto n = monitor.PollOnce();
      if (!n) return fail(n.error().message());
      if (*n == 0) break;
    }
    if (Status saved = monitor.SaveState(); !saved.ok()) return fail(saved.message());
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = OnMonitorStop;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  if (Status done = monitor.Run(g_stop); !done.ok()) return fail(done.message());
  return 0;
}

int RunBlock(const BlockArgs& args, std::FILE* out, std::FILE* err) {
  auto fail = [&](int code, const std::string& msg) {
    std::fprintf(err, "rampart block %s: %s\n", args.action.c_str(), msg.c_str());
    return code;
  };
  if (access(args.data_dir.c_str(), F_OK) != 0 && args.action == "list") {
    // Nothing was ever blocked through this data dir.
    if (args.json) {
      std::fprintf(out, "{\"backend\":\"none\",\"blocks\":[]}\n");
    } else {
      std::fprintf(out, "no blocks\n");
    }
    return 0;
  }
  if (Status made = agent::EnsureDataDir(args.data_dir); !made.ok()) {
    return fail(2, "--data-dir: " + made.message());
  }
  agent::SystemCommandRunner runner;
  bool ok = true;
  // Listing needs no firewall (and no root): expired entries are dropped from the file only; the
  // kernel expires them by itself.
  const auto backend = args.action == "list" ? agent::FirewallBackend::kNone
                                             : ChooseBackend(args.firewall, &runner, &ok);
  if (!ok) return fail(2, "--firewall " + args.firewall + ": expected auto, nftables, ipset, none");
  agent::Firewall firewall(&runner, backend);
  agent::BlockManager blocks(args.data_dir, &firewall, &SystemClock::Instance());

  if (args.action == "list") {
    auto list = blocks.List();
    if (!list) return fail(1, list.error().message());
    auto state_text = ReadLocalFile(args.data_dir + "/" + std::string(agent::kBlocksFile));
    std::string recorded = "none";
    if (state_text) {
      if (auto state = agent::DecodeBlocksState(*state_text)) recorded = state->backend;
    }
    if (args.json) {
      Json doc = Json::MakeObject();
      doc.Set("backend", recorded);
      doc.Set("blocks", agent::BlocksToJson(*list));
      std::fprintf(out, "%s\n", doc.Dump(2).c_str());
      return 0;
    }
    if (list->empty()) {
      std::fprintf(out, "no blocks\n");
      return 0;
    }
    const std::int64_t now = std::time(nullptr);
    std::fprintf(out, "%-40s %-12s %-10s %-20s %s\n", "SOURCE", "REASON", "REMAINING", "EXPIRES",
                 "EVENT");
    for (const auto& b : *list) {
      std::fprintf(out, "%-40s %-12s %-10s %-20s %s\n", b.source.c_str(), b.reason.c_str(),
                   Remaining(b.expires_at - now).c_str(), FormatIso8601(b.expires_at).c_str(),
                   b.event_id.empty() ? "-" : b.event_id.c_str());
    }
    std::fprintf(out, "(%zu blocks, %s)\n", list->size(), recorded.c_str());
    return 0;
  }
  if (geteuid() != 0) {
    std::fprintf(err,
                 "rampart block %s: warning: not root; the firewall commands will likely fail\n",
                 args.action.c_str());
  }
  if (Status restored = blocks.Restore(); !restored.ok()) return fail(1, restored.message());
  if (args.action == "add") {
    const auto ttl = ParseDurationSeconds(args.ttl);
    if (!ttl || *ttl < 1) return fail(2, "--ttl " + args.ttl + ": expected 30s, 15m, 1h, 7d");
    agent::BlockPolicy policy;
    policy.protected_networks = ProtectedFromDataDir(args.data_dir);
    policy.sessions = [] { return agent::UtmpSources(); };
    blocks.SetPolicy(std::move(policy));
    auto added = blocks.Add(args.source, *ttl, args.reason);
    if (!added) {
      return fail(added.error().code() == Code::kInvalidArgument ? 2 : 1, added.error().message());
    }
    std::fprintf(out, "blocked %s until %s (%s, %s)\n", added->source.c_str(),
                 FormatIso8601(added->expires_at).c_str(), added->reason.c_str(),
                 agent::FirewallBackendName(backend));
    return 0;
  }
  if (args.action == "remove") {
    Status removed = blocks.Remove(args.source);
    if (!removed.ok()) {
      return fail(removed.code() == Code::kInvalidArgument ? 2 : 1, removed.message());
    }
    std::fprintf(out, "unblocked %s\n", args.source.c_str());
    return 0;
  }
  return fail(2, "expected list, add or remove");
}

}  // namespace rampart::cli
