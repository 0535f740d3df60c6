#pragma once
// `rampart monitor` (live login monitoring in the foreground, without a server) and
// `rampart block list|add|remove` (the host's blocks, shared with a running agent through
// <data_dir>/blocks.json under <data_dir>/blocks.lock). login_cli.cpp registers the options.

#include <cstdio>
#include <string>
#include <vector>

namespace rampart::cli {

struct MonitorArgs {
  std::string data_dir = "/var/lib/rampart/agent";
  std::vector<std::string> logs;  // empty: auto-detect
  std::string journal = "auto";   // auto, on, off
  std::string journal_dir;
  bool from_start = false;
  std::string rules;  // detection rules YAML (default: built in)
  int window_seconds = 0;
  int max_failures = 0;
  bool block = false;
  std::string block_ttl = "15m";
  std::vector<std::string> whitelist;  // CIDRs: no alerts, never blocked
  std::string firewall = "auto";
  std::string geoip_db;  // default: DefaultGeoIpDatabase()
  bool once = false;     // one pass over what is there, then exit
};
// Prints every new or updated incident as one JSON line (the security event of the agent's
// contract) on `out`; runs until SIGINT/SIGTERM. Exit: 0 stopped, 2 usage or no source.
int RunMonitor(const MonitorArgs& args, std::FILE* out, std::FILE* err);

struct BlockArgs {
  std::string action;  // list, add, remove
  std::string data_dir = "/var/lib/rampart/agent";
  std::string source;
  std::string ttl = "15m";
  std::string reason = "manual";
  bool json = false;
  std::string firewall = "auto";
};
// Exit: 0 done, 1 refused or failed (message says why), 2 usage.
int RunBlock(const BlockArgs& args, std::FILE* out, std::FILE* err);

}  // namespace rampart::cli
