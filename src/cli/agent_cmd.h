#pragma once
// `rampart agent`: enrols this host with a Rampart server (once) and runs the agent loop: the
// WebSocket channel, heartbeats, inventory uploads, config and commands (src/agent/transport/).
// The work behind a plain argument struct; agent_cli.cpp registers the CLI11 options.

#include <chrono>
#include <cstdio>
#include <string>

namespace rampart::cli {

struct AgentArgs {
  std::string server;        // base URL; required to enrol, else the enrolled one is used
  std::string enroll_token;  // enrol (or re-enrol) with this token
  std::string data_dir = "/var/lib/rampart/agent";
  int heartbeat_seconds = 0;  // 0: from config.json or the default (60)
  int inventory_seconds = 0;  // 0: from config.json or the default (3600)
  // Overrides the machine id (/etc/machine-id) that keeps the host id across re-enrolments: for
  // cloned images or containers that share one machine id.
  std::string machine_id;
  bool insecure = false;    // https without a pinned certificate: skip verification
  bool once = false;        // deliver one inventory (or the pending batches) and exit
  bool deregister = false;  // tell the server this agent is uninstalled, delete the identity
  std::chrono::seconds once_timeout{120};
  // Live login monitoring (agent/monitor/login_agent.h): on unless --no-login-monitor.
  bool login_monitor = true;
  // Malware scans, watching and vault commands (agent/scan/malware_agent.h): on unless
  // --no-malware.
  bool malware = true;
  std::string geoip_db;           // default: agent::DefaultGeoIpDatabase()
  std::string firewall = "auto";  // auto, nftables, ipset, none
  // Baseline runs the server commands (agent/baseline/baseline_agent.h): on unless --no-baseline.
  bool baseline = true;
};

// Exit codes: 0 done (or stopped by SIGTERM/SIGINT), 1 delivery/deregistration failed, 2 usage,
// identity or enrolment error. Messages go to `err`, one line each.
int RunAgent(const AgentArgs& args, std::FILE* err);

}  // namespace rampart::cli
