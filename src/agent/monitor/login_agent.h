#pragma once
// LoginAgent: login monitoring inside `rampart agent`. Owns the LoginMonitor, the firewall and
// BlockManager, and the EventSpooler, and connects them to the channel:
//   - security events -> spooled "security_events" batches (coalesced by incident id);
//   - every change of the block list (added, removed, expired; also by `rampart block` on the
//     command line, seen through blocks.json's generation) -> a "blocks" snapshot, at most one per
//     second, plus one at start so the server's list matches the host after a restart;
//   - channel commands "block" {source, ttl_seconds, reason} and "unblock" {source};
//   - pushed tenant settings (brute_force.*, login.*) -> the monitor's detection settings.
// Never blocked besides the login whitelist: the server's own addresses (resolved from the
// enrolled server URL at start) and the rest of BlockManager's rules.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/monitor/block_manager.h"
#include "agent/monitor/firewall.h"
#include "agent/monitor/login_monitor.h"
#include "agent/monitor/security_events.h"
#include "agent/transport/messages.h"
#include "agent/transport/spool.h"
#include "common/clock.h"

namespace rampart::agent {

// The addresses a server URL's host resolves to, as host CIDRs; empty when it does not resolve.
std::vector<Cidr> ServerAddresses(std::string_view server_url);

struct LoginAgentOptions {
  LoginMonitorOptions monitor;
  std::string firewall = "auto";  // auto, nftables, ipset, none
  std::string host_id;
  std::string server_url;
  std::chrono::milliseconds snapshot_interval{1000};
};

class LoginAgent {
 public:
  // `spool`, `clock` and `runner` must outlive the agent.
  LoginAgent(LoginAgentOptions options, Spool* spool, Clock* clock, CommandRunner* runner);
  ~LoginAgent();

  // Detects the firewall (an error is logged loudly when none works: blocks are then refused
  // and the snapshots say backend "none"), restores the blocks, starts the monitor with the
  // stored tenant settings. Errors: the monitor has no source (the agent then still handles the
  // block commands and sends snapshots: keep calling Run).
  Status Start(const Json& stored_settings);
  void OnConfig(const Json& settings);
  // Handles "block" and "unblock"; false for other commands.
  bool OnCommand(const CommandMessage& command);
  // The monitoring loop; returns after `stop` (state saved).
  void Run(const std::atomic<bool>& stop);

  BlockManager& blocks() { return *blocks_; }
  LoginMonitor& monitor() { return *monitor_; }
  // One round of the loop body after a poll: flush events, expire blocks, send a snapshot when
  // due. Public for tests.
  void AfterPoll();

 private:
  LoginAgentOptions options_;
  Spool* spool_;
  Clock* clock_;
  std::unique_ptr<Firewall> firewall_;
  std::unique_ptr<BlockManager> blocks_;
  EventSpooler spooler_;
  std::unique_ptr<LoginMonitor> monitor_;
  std::vector<Cidr> server_addresses_;
  std::uint64_t sent_generation_ = 0;
  bool snapshot_sent_ = false;
  bool monitoring_ = false;  // the monitor started (has a source)
  std::chrono::steady_clock::time_point last_snapshot_{};
  std::atomic<std::int64_t> block_seconds_{kDefaultBlockSeconds};
};

}  // namespace rampart::agent
