#pragma once
// Firewall: the kernel half of automatic blocking. Two backends, chosen by what works on the host:
//   nftables: `table inet rampart` with the sets blocked4 (ipv4_addr) and blocked6 (ipv6_addr),
//             both `flags interval, timeout` (addresses and CIDRs, per-element timeouts), and a
//             chain `input` (hook input, priority -10, policy accept) dropping packets from either.
//   ipset:    (when nft is absent) sets rampart4/rampart6 (hash:net, timeout support) and a DROP
//             rule matching each at the top of iptables/ip6tables INPUT.
// The kernel expires elements by itself (the per-element timeout), so a block ends on time even
// if the agent is stopped. Commands run by argv through a CommandRunner (no shell); the text given
// to nft is built from parsed addresses only, never from input text. Every failure is an error
// naming the command and its output.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/detectors/rules.h"
#include "common/status.h"

namespace rampart::agent {

struct CommandOutput {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout and stderr, at most 64 KiB
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv[0] (searched in PATH) with `input` on its stdin. Errors: it could not be started
  // (kNotFound when the program does not exist).
  virtual Result<CommandOutput> Run(const std::vector<std::string>& argv,
                                    std::string_view input = {}) = 0;
};

// posix_spawnp, stdin/stdout/stderr on pipes, waits for the exit. Thread-safe.
class SystemCommandRunner final : public CommandRunner {
 public:
  Result<CommandOutput> Run(const std::vector<std::string>& argv,
                            std::string_view input = {}) override;
};

enum class FirewallBackend { kNone, kNftables, kIpset };
const char* FirewallBackendName(FirewallBackend backend);  // "none", "nftables", "ipset"
// "none", "nftables", "ipset" -> true and *out set; anything else (including "auto") -> false.
bool ParseFirewallBackend(std::string_view name, FirewallBackend* out);

// The canonical text of a block target: "203.0.113.7", "203.0.113.0/24", "2001:db8::1",
// "2001:db8::/64" (IPv4-mapped IPv6 addresses become IPv4). nullopt for anything else.
struct BlockTarget {
  Cidr cidr;
  bool v6 = false;
  std::string text;
};
std::optional<BlockTarget> ParseBlockTarget(std::string_view source);

class Firewall {
 public:
  Firewall(CommandRunner* runner, FirewallBackend backend) : runner_(runner), backend_(backend) {}
  // nftables when `nft list tables` works, else ipset when `ipset list -n` and `iptables -L`
  // work, else none.
  static FirewallBackend Detect(CommandRunner* runner);

  FirewallBackend backend() const { return backend_; }
  // Creates the table/sets/chain (or ipsets and iptables rules); idempotent. Errors for kNone.
  Status Setup();
  // Adds (or refreshes) a block for ttl_seconds (>= 1).
  Status Add(const BlockTarget& target, std::int64_t ttl_seconds);
  // Removes a block; OK when it is not there.
  Status Remove(const BlockTarget& target);
  // Removes everything Setup created.
  Status Teardown();

  // The argv lists the backend runs for Add/Remove (for tests and logs).
  std::vector<std::vector<std::string>> AddCommands(const BlockTarget& t, std::int64_t ttl) const;
  std::vector<std::string> RemoveCommand(const BlockTarget& t) const;
  static std::string NftSetupScript();

 private:
  Status Check(const std::vector<std::string>& argv, std::string_view input = {});
  CommandRunner* runner_;
  FirewallBackend backend_;
};

}  // namespace rampart::agent
