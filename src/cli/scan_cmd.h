#pragma once
// `rampart scan` and `rampart quarantine`: malware scanning of files with YARA rules and hash
// lists, real-time watching, and the local quarantine vault. CLI11 options in scan_cli.cpp.

#include <cstdio>
#include <string>
#include <vector>

namespace rampart::cli {

struct ScanArgs {
  std::vector<std::string> paths;
  std::vector<std::string> rules;      // --rules: only these rule files/directories
  std::vector<std::string> add_rules;  // --add-rules: in addition to the shipped rules
  std::vector<std::string> blocklists;
  std::vector<std::string> allowlists;
  bool quick = false;
  bool full = false;
  bool quarantine = false;
  bool kill = false;
  bool json = false;
  bool watch = false;
  bool no_cache = false;
  int threads = 0;
  std::string max_file_size = "256M";
  std::string timeout;   // "" none, else a duration (90s, 30m, 2h)
  int cpu_limit = 0;     // % of one CPU; 0 = no self-throttling
  std::string data_dir;  // "" = the default (see DefaultDataDir)
};

struct QuarantineArgs {
  enum class Action { kList, kRestore, kDelete };
  Action action = Action::kList;
  std::string id;
  bool force = false;
  bool json = false;
  std::string data_dir;
};

// The --quick places that exist on this host: the document roots of the sites its web servers are
// configured to serve (web_sites fingerprint), the usual web roots as a fallback, temp dirs, cron,
// systemd and per-user autostart places; nested paths collapsed. Also what the agent daemon's
// malware module scans daily and watches.
std::vector<std::string> QuickScanPaths();

// /var/lib/rampart/agent for root; $XDG_CACHE_HOME/rampart or ~/.cache/rampart otherwise.
std::string DefaultDataDir();

// Exit codes: 0 nothing found, 1 findings, 2 usage or input error (no path, a rule set where no
// file compiles, a bad size/duration, an unreadable list).
int RunScan(const ScanArgs& args, std::FILE* out, std::FILE* err);
int RunQuarantine(const QuarantineArgs& args, std::FILE* out, std::FILE* err);

}  // namespace rampart::cli
