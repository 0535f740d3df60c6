// `rampart scan` and `rampart quarantine list|restore|delete`: CLI11 options; the work is in
// scan_cmd.cpp.
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/scan_cmd.h"

namespace rampart::cli {
namespace {

// One value per occurrence, so `--rules A PATH` leaves PATH to the positional paths.
void Repeatable(CLI::Option* opt) {
  opt->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

class ScanCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    cmd_ =
        app.add_subcommand("scan", "Scan files for malware (YARA rules, hash lists); watch dirs");
    cmd_->add_option("paths", a_.paths, "Files or directories to scan (or to watch with --watch)");
    Repeatable(cmd_->add_option(
        "--rules", a_.rules,
        "YARA rule file or directory (.yar/.yara); repeatable; replaces the shipped rules"));
    Repeatable(
        cmd_->add_option("--add-rules", a_.add_rules,
                         "YARA rule file or directory used in addition to the shipped rules"));
    Repeatable(cmd_->add_option(
        "--blocklist", a_.blocklists,
        "Known-bad SHA-256/MD5 hashes, one per line or CSV hash,name[,severity,family]"));
    Repeatable(cmd_->add_option("--allowlist", a_.allowlists,
                                "Trusted files: lines sha256:HASH, path:GLOB, dir:DIRECTORY"));
    cmd_->add_flag("--quick", a_.quick,
                   "Scan web roots, /tmp, /var/tmp, /dev/shm, cron, systemd and autostart places");
    cmd_->add_flag("--full", a_.full,
                   "Scan all local file systems (not /proc, /sys, pseudo or network file systems)");
    cmd_->add_flag("--quarantine", a_.quarantine, "Move found files into the quarantine vault");
    cmd_->add_flag("--kill", a_.kill,
                   "With --quarantine: kill processes that run or hold a found file first");
    cmd_->add_flag("--json", a_.json, "Print one JSON document {findings, stats}");
    cmd_->add_flag("--watch", a_.watch,
                   "Watch the directories (fanotify or inotify) and scan files as they are "
                   "written; runs until interrupted");
    cmd_->add_option("--threads", a_.threads, "Scanner threads (default: the number of CPUs)")
        ->check(CLI::Range(0, 32));
    cmd_->add_option("--max-file-size", a_.max_file_size, "Skip larger files (512K, 100M, 2G)")
        ->capture_default_str();
    cmd_->add_option("--timeout", a_.timeout, "Stop the scan after this long (90s, 30m, 2h)");
    cmd_->add_option("--cpu-limit", a_.cpu_limit,
                     "Throttle to this % of one CPU (100 = one core; default: no limit)");
    cmd_->add_flag("--no-cache", a_.no_cache, "Neither read nor write the result cache");
    cmd_->add_option("--data-dir", a_.data_dir,
                     "Caches and the quarantine vault (default: /var/lib/rampart/agent as root, "
                     "~/.cache/rampart otherwise)");
  }
  bool Selected() const override { return cmd_ != nullptr && cmd_->parsed(); }
  int Run() override { return RunScan(a_, stdout, stderr); }

 private:
  CLI::App* cmd_ = nullptr;
  ScanArgs a_;
};

class QuarantineCommand final : public Command {
 public:
  void Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("quarantine", "Manage the local quarantine vault");
    cmd_->require_subcommand(1);
    cmd_->add_option("--data-dir", a_.data_dir, "Data directory holding quarantine/");
    list_ = cmd_->add_subcommand("list", "List quarantined files");
    list_->add_flag("--json", a_.json, "Print {\"items\":[...]}");
    restore_ = cmd_->add_subcommand("restore", "Put a file back with its bytes, owner and mode");
    restore_->add_option("ID", a_.id, "Quarantine id (q_...)")->required();
    restore_->add_flag("--force", a_.force, "Replace a file that now exists at the path");
    delete_ = cmd_->add_subcommand("delete", "Delete a quarantined file for good");
    delete_->add_option("ID", a_.id, "Quarantine id (q_...)")->required();
  }
  bool Selected() const override { return cmd_ != nullptr && cmd_->parsed(); }
  int Run() override {
    if (restore_->parsed()) a_.action = QuarantineArgs::Action::kRestore;
    if (delete_->parsed()) a_.action = QuarantineArgs::Action::kDelete;
    return RunQuarantine(a_, stdout, stderr);
  }

 private:
  CLI::App* cmd_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* restore_ = nullptr;
  CLI::App* delete_ = nullptr;
  QuarantineArgs a_;
};

}  // namespace

std::unique_ptr<Command> MakeScanCommand() { return std::make_unique<ScanCommand>(); }
std::unique_ptr<Command> MakeQuarantineCommand() { return std::make_unique<QuarantineCommand>(); }

}  // namespace rampart::cli
