// `rampart agent` options (CLI11); the work is in agent_cmd.cpp.
#include <CLI/CLI.hpp>

#include "cli/agent_cmd.h"
#include "cli/command.h"

namespace rampart::cli {
namespace {

class AgentCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    cmd_ = app.add_subcommand(
        "agent",
        "Run the Rampart agent: enrol with a server once, then keep a channel to it (heartbeats, "
        "inventory, config, commands)");
    cmd_->add_option("--server", args_.server,
                     "Server URL, https://host:port (http:// for a server without TLS); default: "
                     "the one enrolled with");
    cmd_->add_option("--enroll-token", args_.enroll_token,
                     "Enrolment token from 'rampart admin enroll-token' (enrols, or re-enrols: "
                     "the server keeps this machine's host id)");
    cmd_->add_option("--data-dir", args_.data_dir,
                     "Agent state: identity (0600), spool, inventory state, config")
        ->capture_default_str();
    cmd_->add_option("--heartbeat-seconds", args_.heartbeat_seconds,
                     "Heartbeat interval until the server pushes one (default 60)")
        ->check(CLI::Range(1, 3600));
    cmd_->add_option("--inventory-seconds", args_.inventory_seconds,
                     "Inventory interval until the server pushes one (default 3600)")
        ->check(CLI::Range(1, 604800));
    cmd_->add_option("--machine-id", args_.machine_id,
                     "Machine identity to enrol under (default /etc/machine-id); for clones and "
                     "containers that share one");
    cmd_->add_flag("--insecure", args_.insecure,
                   "Accept an https server without a pinned certificate, unverified");
    auto* once = cmd_->add_flag(
        "--once", args_.once,
        "Send one full inventory (or the pending batches), wait until acknowledged, exit");
    auto* deregister =
        cmd_->add_flag("--deregister", args_.deregister,
                       "Tell the server this agent is uninstalled, then delete the local identity");
    once->excludes(deregister);
    cmd_->add_flag(
        "--no-login-monitor", [this](std::int64_t) { args_.login_monitor = false; },
        "Do not monitor logins (auth logs, journal) nor block attackers");
    cmd_->add_flag(
        "--no-baseline", [this](std::int64_t) { args_.baseline = false; },
        "Do not run the baseline checks the server asks for (run_baseline commands)");
    cmd_->add_flag(
        "--no-malware", [this](std::int64_t) { args_.malware = false; },
        "Do not run scheduled or requested malware scans, real-time watching or quarantine "
        "commands");
    cmd_->add_option("--geoip-db", args_.geoip_db,
                     "MaxMind-format country database (.mmdb) for abnormal-login locations "
                     "(default: the one `make run` installs, when present)");
    cmd_->add_option(
            "--firewall", args_.firewall,
            "Blocking backend: auto (nftables, else ipset+iptables), nftables, ipset, none")
        ->capture_default_str();
  }
  bool Selected() const override { return cmd_ != nullptr && cmd_->parsed(); }
  int Run() override { return RunAgent(args_, stderr); }

 private:
  CLI::App* cmd_ = nullptr;
  AgentArgs args_;
};

}  // namespace

std::unique_ptr<Command> MakeAgentCommand() { return std::make_unique<AgentCommand>(); }

}  // namespace rampart::cli
