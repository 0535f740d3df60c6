#pragma once
// BlockManager: the bookkeeping half of automatic blocking, shared by the agent and the
// `rampart block` CLI through the data dir:
//   <data_dir>/blocks.json  {"version":1,"generation":N,"backend":"nftables",
//                            "blocks":[{"source","reason","event_id","created_at","expires_at"}]}
//                            (mode 0600, written atomically and durably; generation grows with
//                            every change, so the agent notices changes made by the CLI)
//   <data_dir>/blocks.lock   flock(LOCK_EX) around every read-modify-write of blocks.json and the
//                            firewall commands that go with it, so the agent and the CLI never
//                            interleave.
// Blocks expire twice over: the kernel drops the set element at its timeout, and ExpireDue()
// (called by the agent every second) removes due entries from the file and the firewall. At
// start, Restore() sets the firewall up again, drops the expired entries and re-adds the others
// with their remaining TTL (a reboot or `nft flush ruleset` loses kernel state, not ours).
//
// Never blocked (Add refuses with kFailedPrecondition, naming why): loopback and unspecified
// addresses, the policy's protected networks (login.whitelist CIDRs that cover this host, the
// server's addresses), and the sources of currently open management sessions (the policy's
// `sessions` callback). A CIDR target is refused when it overlaps any of those.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/monitor/firewall.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kBlocksFile = "blocks.json";
inline constexpr std::string_view kBlocksLockFile = "blocks.lock";
inline constexpr std::int64_t kDefaultBlockSeconds = 900;

struct Block {
  std::string source;  // canonical (ParseBlockTarget)
  std::string reason;  // "brute_force", "cracked", "manual", ...
  std::string event_id;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  friend bool operator==(const Block&, const Block&) = default;
};

struct BlocksState {
  std::uint64_t generation = 0;
  std::string backend;  // of the process that wrote it last
  std::vector<Block> blocks;
};
std::string EncodeBlocksState(const BlocksState& state);
// Errors: kDataLoss naming the bad field. Untrusted (fuzz/blocks_state_fuzz.cpp).
Result<BlocksState> DecodeBlocksState(std::string_view text);

Json BlocksToJson(const std::vector<Block>& blocks);  // the contract's BLOCK list

struct BlockPolicy {
  std::vector<Cidr> protected_networks;  // whitelist CIDRs covering this host, server addresses
  // Sources of open management sessions, asked at every Add.
  std::function<std::vector<std::array<std::uint8_t, 16>>()> sessions;
};

// Why `target` must not be blocked under `policy` ("" when it may be).
std::string RefusalReason(const BlockTarget& target, const BlockPolicy& policy);

class BlockManager {
 public:
  // `firewall` and `clock` must outlive the manager.
  BlockManager(std::string data_dir, Firewall* firewall, Clock* clock);
  // Thread-safe.
  void SetPolicy(BlockPolicy policy);
  FirewallBackend backend() const { return firewall_->backend(); }

  // Re-applies the stored blocks with their remaining TTL (setting the firewall up first; a host
  // without blocks is left untouched until its first block). Errors: no firewall backend. A damaged
  // blocks.json is set aside as blocks.json.bad (with an error) and the list starts empty.
  Status Restore();
  // Blocks `source` (address or CIDR) for ttl_seconds; an existing block of it is extended.
  // Errors: kInvalidArgument (not an address/CIDR), kFailedPrecondition (never-block rule, or no
  // firewall backend: nothing is recorded), the firewall's error.
  Result<Block> Add(std::string_view source, std::int64_t ttl_seconds, std::string reason,
                    std::string event_id = {});
  // Errors: kInvalidArgument, kNotFound (no such block), the firewall's error.
  Status Remove(std::string_view source);
  // Active blocks (expired ones are removed first).
  Result<std::vector<Block>> List();
  // Removes due blocks; returns how many.
  Result<std::size_t> ExpireDue();
  // The generation of blocks.json (0 when absent), read without the lock.
  std::uint64_t Generation() const;

 private:
  class Lock;
  Result<BlocksState> LoadLocked();
  Status SaveLocked(BlocksState* state);
  std::size_t ExpireLocked(BlocksState* state, std::int64_t now);
  std::int64_t Now() const;
  Status EnsureSetup();  // Firewall::Setup once per process (REQUIRES: the file lock held)

  std::string data_dir_;
  Firewall* firewall_;
  Clock* clock_;
  std::atomic<bool> setup_done_{false};
  mutable std::mutex policy_mu_;
  BlockPolicy policy_;  // guarded by policy_mu_
};

}  // namespace rampart::agent
