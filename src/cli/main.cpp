// rampart: one binary, one subcommand per capability. Only this file includes CLI11; each
// subcommand's work lives in its own *_cmd.cpp behind a plain argument struct.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/baseline_cmd.h"
#include "cli/command.h"
#include "cli/inventory_cmd.h"
#include "cli/logscan_cmd.h"
#include "cli/vercmp_cmd.h"
#include "cli/vuln_cmd.h"
#include "common/logging.h"
#include "rampart/version.h"

int main(int argc, char** argv) {
  using namespace rampart;
  CLI::App app{
      "Rampart: host security for Linux servers (inventory, intrusion detection, vulnerabilities, "
      "baselines, malware)",
      "rampart"};
  app.set_version_flag("--version", std::string("rampart ") + kVersion);
  app.require_subcommand(1);
  std::string level = "warn";
  app.add_option("--log-level", level, "Log level on stderr: trace, debug, info, warn, error, off")
      ->capture_default_str();

  cli::InventoryArgs inv;
  auto* inventory =
      app.add_subcommand("inventory", "Collect this host's fingerprints (asset inventory)");
  inventory->add_option(
      "--category", inv.categories,
      "Comma-separated categories: host, resources, accounts, ports, processes, software, "
      "startup_services, scheduled_tasks, env_vars, kernel_modules (default: all)");
  inventory->add_option("--root", inv.root, "Host root to read (a mounted image or a fixture tree)")
      ->capture_default_str();
  inventory->add_option("--data-dir", inv.data_dir, "Directory for caches (executable hashes)");
  inventory->add_option("--sample-ms", inv.sample_ms, "CPU sampling interval on a live host, ms")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  inventory->add_flag("--json", inv.json, "Print one JSON object keyed by category");

  cli::VercmpArgs vc;
  auto* vercmp = app.add_subcommand(
      "vercmp", "Compare two package versions by an ecosystem's rules; prints <, = or >");
  vercmp
      ->add_option("ecosystem", vc.ecosystem,
                   "deb, rpm, apk, pypi, maven, semver (npm, go, crates)")
      ->required();
  vercmp->add_option("a", vc.a, "First version");
  vercmp->add_option("b", vc.b, "Second version");
  vercmp->add_flag("--stdin", vc.from_stdin,
                   "Read one 'A B' pair per line; print one result per line");

  cli::VulnArgs vu;
  auto* vuln = app.add_subcommand(
      "vuln", "Match this host's packages against advisory feeds (OSV, Debian tracker)");
  vuln->add_option(
      "--feed", vu.feeds,
      "Advisory feed: an OSV .json/.zip (osv.dev all.zip), a directory of them, or the Debian "
      "Security Tracker JSON; repeatable");
  vuln->add_option("--root", vu.root, "Host root to read (a mounted image, a container rootfs)")
      ->capture_default_str();
  vuln->add_flag("--json", vu.json, "Print one JSON document {findings, stats, feed_errors}");
  vuln->add_option("--min-severity", vu.min_severity,
                   "Only findings at or above: low, medium, high, critical");
  vuln->add_flag("--include-unimportant", vu.include_unimportant,
                 "Also report Debian tracker issues marked unimportant (as low)");
  vuln->add_flag(
      "--include-os-python", vu.include_os_python,
      "Also match Python distributions owned by the OS package manager as PyPI packages");

  cli::LogscanArgs ls;
  auto* logscan = app.add_subcommand(
      "logscan", "Parse auth logs; print login events and the alerts the detection rules raise");
  logscan->add_option("files", ls.files,
                      "Log files ('-' = stdin); rotated ones oldest first (auth.log.1 auth.log)");
  logscan->add_flag("--json", ls.json, "Print one JSON document {events, alerts}");
  logscan->add_option("--rules", ls.rules,
                      "Detection rules YAML (default: the built-in rules, as rules/login.yaml)");
  logscan
      ->add_option("--format", ls.format,
                   "Log format: auto, syslog, rfc5424, iso8601, mysql, postgres, or the binary "
                   "wtmp, btmp, lastlog (auto: by file name)")
      ->capture_default_str();
  auto* journal =
      logscan
          ->add_option("--journal", ls.journal_paths,
                       "Read journald: the local journal, or the journal files/directories given "
                       "(put FILEs before --journal)")
          ->expected(0, -1);
  logscan->add_option("--max-events", ls.max_events, "Tables: events listed (the rest are counted)")
      ->capture_default_str();
  logscan->add_option(
      "--learn", ls.learn,
      "Abnormal-login baseline: a log of usual logins (replaces the learning period)");
  logscan->add_option("--geoip-db", ls.geoip_db,
                      "MaxMind-format country database (.mmdb): abnormal logins from a new country "
                      "(level high)");

  cli::BaselineArgs bl;
  auto* baseline = app.add_subcommand(
      "baseline",
      "Evaluate baseline policies (CIS-style, MLPS, hygiene, weak passwords) on this host");
  baseline->add_option("--policy", bl.policies,
                       "A shipped policy (id or file name, see --list) or a policy YAML file; "
                       "repeatable (default: every shipped policy)");
  baseline->add_option("--root", bl.root, "Host root to read (a mounted image or a fixture tree)")
      ->capture_default_str();
  baseline->add_flag("--json", bl.json, "Print one JSON document {policies, results}");
  baseline->add_flag("--list", bl.list, "List the shipped policies and their check counts");
  baseline->add_flag("--show-all", bl.show_all, "Tables: also list passing and n/a checks");
  baseline->add_option("--dictionary", bl.dictionaries,
                       "Extra weak-password list (one password per line); repeatable");
  baseline->add_option("--policy-dir", bl.policy_dir,
                       "Directory of shipped policies (default: see docs/baseline.md)");

  std::unique_ptr<cli::Command> platform[] = {
      cli::MakeServerCommand(),    cli::MakeAdminCommand(), cli::MakeAgentCommand(),
      cli::MakeMonitorCommand(),   cli::MakeBlockCommand(), cli::MakeScanCommand(),
      cli::MakeQuarantineCommand()};
  for (auto& command : platform) command->Register(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  log::Level lv{};
  if (!log::ParseLevel(level, &lv)) {
    std::fprintf(stderr, "rampart: --log-level: unknown level '%s'\n", level.c_str());
    return 2;
  }
  log::SetLevel(lv);

  if (*inventory) return cli::RunInventory(inv, stdout);
  if (*logscan) {
    ls.journal = journal->count() > 0;
    // A bare --journal leaves one empty value behind.
    std::erase(ls.journal_paths, std::string());
    return cli::RunLogscan(ls, stdout, stderr);
  }
  if (*vercmp) return cli::RunVercmp(vc, stdin, stdout, stderr);
  if (*vuln) return cli::RunVuln(vu, stdout, stderr);
  if (*baseline) return cli::RunBaseline(bl, stdout, stderr);
  for (auto& command : platform) {
    if (command->Selected()) return command->Run();
  }
  return 2;
}
