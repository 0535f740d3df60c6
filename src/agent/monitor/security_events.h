#pragma once
// Security events: the wire form of login alerts (the "security_events" batch of the
// agent <-> server contract, docs/agent.md "Login monitoring"), stable incident ids, and the
// spooling of events and block snapshots.
//
// Incident ids: an incident is identified by its key (IncidentKey: type + scope + source/user/
// network) and its first occurrence; the id is the first 32 hex digits of SHA-256(key, first_seen)
// and never changes while the incident goes on, also across agent restarts: the IncidentBook is
// persisted (monitor_state.h) and an alert after a restart whose key has a record seen within
// `reopen_seconds` continues that record (its id, its count added to the earlier count, the
// higher level kept). The server upserts by (host, id), so a re-sent version never duplicates.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/detectors/alert.h"
#include "agent/monitor/monitor_state.h"
#include "agent/transport/spool.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kSecurityEventsKind = "security_events";
inline constexpr std::string_view kBlocksKind = "blocks";
inline constexpr std::size_t kMaxEventsPerBatch = 1000;

// "brute_force\nsrc\n<source>", "brute_force\nacct\n<user>", "cracked\n<source>\n<user>",
// "invalid_user_scan\n<source>", "abnormal_login\n<user>\n<network>".
std::string IncidentKey(const Alert& alert);
// The contract's level for an alert level: suspicious is reported as "medium".
const char* ContractLevel(AlertLevel level);
int ContractLevelRank(std::string_view level);  // low 0 .. critical 3; unknown -1

class IncidentBook {
 public:
  explicit IncidentBook(std::vector<IncidentRecord> restored = {},
                        std::int64_t reopen_seconds = 86400);
  // The event JSON (contract EVENT) for the current version of `alert`, with its stable id, and
  // records the incident. `country` is "" when unknown.
  Json Track(const Alert& alert, const std::string& country = "");
  // Records to persist: those last seen after `now - keep_seconds`, at most `max` (latest first).
  std::vector<IncidentRecord> Records(std::int64_t now, std::int64_t keep_seconds = 7 * 86400,
                                      std::size_t max = 10000) const;
  // The id of the incident currently open under `key` ("" when none).
  std::string IdOf(const std::string& key) const;

 private:
  struct Entry {
    IncidentRecord record;
    std::uint64_t base_count = 0;  // counted by earlier runs
    bool live = false;             // an alert of this run feeds it
  };
  std::int64_t reopen_seconds_;
  std::unordered_map<std::string, Entry> entries_;
};

// Spools events and block snapshots for the channel. Events are coalesced by id (the latest
// version wins) and enqueued by Flush in batches of at most kMaxEventsPerBatch; when the spool is
// full they stay pending (at most max_pending ids; beyond it the oldest pending are dropped with
// a warning) and the next Flush retries. A block snapshot replaces any snapshot still queued.
// Not thread-safe (the monitor thread owns it); the Spool itself is.
class EventSpooler {
 public:
  explicit EventSpooler(Spool* spool, std::size_t max_pending = 10000)
      : spool_(spool), max_pending_(max_pending) {}
  void Add(Json event);
  // Errors: the spool's (kResourceExhausted when full); events not enqueued stay pending.
  Status Flush();
  std::size_t pending() const { return pending_.size(); }
  // Spools {"backend": backend, "blocks": blocks}.
  Status SendBlocks(std::string_view backend, Json blocks);

 private:
  Spool* spool_;
  std::size_t max_pending_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, std::string> order_;                               // seq -> id
  std::unordered_map<std::string, std::pair<std::uint64_t, Json>> pending_;  // id -> (seq, event)
};

}  // namespace rampart::agent
