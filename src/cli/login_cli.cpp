// `rampart monitor` and `rampart block` options (CLI11); the work is in login_cmd.cpp.
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/login_cmd.h"

namespace rampart::cli {
namespace {

class MonitorCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    cmd_ = app.add_subcommand(
        "monitor",
        "Watch logins live in the foreground (no server): follow the auth logs and the journal, "
        "print each incident as a JSON line, optionally block attackers");
    cmd_->add_option("--data-dir", args_.data_dir,
                     "Cursors, incidents and blocks (shared with `rampart agent` and "
                     "`rampart block`)")
        ->capture_default_str();
    cmd_->add_option("--log", args_.logs,
                     "Log file to follow (repeatable; default: the existing ones of "
                     "/var/log/auth.log, /var/log/secure, /var/log/messages)");
    cmd_->add_option("--journal", args_.journal, "Follow the journal: auto, on, off")
        ->capture_default_str();
    cmd_->add_option("--journal-dir", args_.journal_dir,
                     "Follow this journal directory instead of the system journal");
    cmd_->add_flag("--from-start", args_.from_start,
                   "Without a saved cursor, read the logs' existing lines (default: from the end)");
    cmd_->add_option("--rules", args_.rules, "Detection rules YAML (default: the built-in rules)");
    cmd_->add_option("--window-seconds", args_.window_seconds,
                     "brute_force window (as the tenant setting brute_force.window_seconds)")
        ->check(CLI::Range(10, 86400));
    cmd_->add_option("--max-failures", args_.max_failures,
                     "brute_force failures (as the tenant setting brute_force.max_failures)")
        ->check(CLI::Range(2, 10000));
    cmd_->add_flag("--block", args_.block,
                   "Block brute-force and cracking sources in the firewall (root)");
    cmd_->add_option("--block-ttl", args_.block_ttl, "How long a block lasts (30s, 15m, 1h)")
        ->capture_default_str();
    cmd_->add_option("--whitelist", args_.whitelist,
                     "Source address/CIDR that raises no alert and is never blocked (repeatable)");
    cmd_->add_option("--firewall", args_.firewall, "auto, nftables, ipset, none")
        ->capture_default_str();
    cmd_->add_option("--geoip-db", args_.geoip_db,
                     "MaxMind-format country database (.mmdb) for abnormal-login locations");
    cmd_->add_flag("--once", args_.once, "Read what the sources have now, then exit");
  }
  bool Selected() const override { return cmd_ != nullptr && cmd_->parsed(); }
  int Run() override { return RunMonitor(args_, stdout, stderr); }

 private:
  CLI::App* cmd_ = nullptr;
  MonitorArgs args_;
};

class BlockCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("block", "List, add or remove this host's firewall blocks");
    cmd_->require_subcommand(1);
    cmd_->add_option("--data-dir", args_.data_dir, "The agent's data dir (blocks.json)")
        ->capture_default_str();
    cmd_->add_option("--firewall", args_.firewall, "auto, nftables, ipset, none")
        ->capture_default_str();
    auto* list = cmd_->add_subcommand("list", "Active blocks");
    list->add_flag("--json", args_.json, "Print {backend, blocks} as JSON");
    list->callback([this] { args_.action = "list"; });
    auto* add = cmd_->add_subcommand("add", "Block a source address or CIDR");
    add->add_option("source", args_.source, "IPv4/IPv6 address or CIDR")->required();
    add->add_option("--ttl", args_.ttl, "How long (30s, 15m, 1h, 7d)")->capture_default_str();
    add->add_option("--reason", args_.reason, "Why (shown in lists and on the server)")
        ->capture_default_str();
    add->callback([this] { args_.action = "add"; });
    auto* remove = cmd_->add_subcommand("remove", "Unblock a source");
    remove->add_option("source", args_.source, "IPv4/IPv6 address or CIDR")->required();
    remove->callback([this] { args_.action = "remove"; });
    // --data-dir and --firewall may also come after the action.
    for (auto* sub : {list, add, remove}) sub->fallthrough();
  }
  bool Selected() const override { return cmd_ != nullptr && cmd_->parsed(); }
  int Run() override { return RunBlock(args_, stdout, stderr); }

 private:
  CLI::App* cmd_ = nullptr;
  BlockArgs args_;
};

}  // namespace

std::unique_ptr<Command> MakeMonitorCommand() { return std::make_unique<MonitorCommand>(); }
std::unique_ptr<Command> MakeBlockCommand() { return std::make_unique<BlockCommand>(); }

}  // namespace rampart::cli
