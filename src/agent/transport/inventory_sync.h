#pragma once
// InventorySync: turns inventory collections into spooled "inventory" batches, a full snapshot
// first and deltas after (the payload shapes are in common/wire.h).
//
// Versions: every enqueued batch gets version = previous + 1. A delta has base = the version of
// the last ENQUEUED snapshot (not the last acknowledged one: the spool delivers in order, so the
// server applies them as a chain) and lists, per category, the rows added and the row keys
// (wire::RowKey) removed. Rows are a set: identical rows in one category count once. A category
// whose collector failed is left unchanged in a delta and sent empty in a full snapshot (so the
// agent's idea of the server's rows stays exact). A delta without changes is not enqueued.
//
// A full snapshot is sent when: there is no state yet (first run), ForceFull() was called, the
// server answered "resync" or "rejected" to an inventory batch newer than the last full one (the
// chain broke; pending inventory batches are then dropped: they build on it), or the spool was
// full. Spool overflow: Enqueue drops every pending inventory batch (a full snapshot will
// replace them), schedules a full snapshot and retries once with it; if that still does not fit,
// it returns kResourceExhausted and the next Enqueue tries a full snapshot again.
//
// State (<data_dir>/inventory_state.json, atomic, mode 0600): versions, the pending-full flag, the
// time of the last collection, and the row keys per category of the last enqueued snapshot. It is
// written after the batch is spooled; a crash between the two makes the server see a repeated
// version, answer "resync", and the agent send a full snapshot, so the chain heals itself.
//
// Thread-safe: the collector thread calls Enqueue while the channel thread reports acks.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/transport/spool.h"
#include "common/clock.h"
#include "common/host_view.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kInventoryKind = "inventory";
inline constexpr std::string_view kInventoryStateFile = "inventory_state.json";

// One category of a collection. collected=false: its collector failed (rows is empty).
struct CategoryRows {
  std::string category;
  bool collected = true;
  Json::Array rows;  // flat objects; "host" and "resources" are one row each
};
using Snapshot = std::vector<CategoryRows>;
using SnapshotSource = std::function<Snapshot()>;

// Collects every registered collector (registry.h) on `host`. Object-shaped categories become one
// row; a failing collector is logged and marked collected=false. Thread-compatible: call it from
// one thread at a time.
SnapshotSource MakeCollectorSource(HostView host, Clock& clock, CollectOptions options);

// Row keys per category.
using RowKeys = std::map<std::string, std::set<std::string>>;

struct CategoryDelta {
  std::string category;
  Json::Array added;                 // rows whose key was not in `before`
  std::vector<std::string> removed;  // keys of `before` no longer present, sorted
};
// The changes from `before` to `now` (categories with changes only, in snapshot order); `after`
// receives the row keys of the new state. Pure.
std::vector<CategoryDelta> ComputeDelta(const RowKeys& before, const Snapshot& now, RowKeys* after);

struct InventoryState {
  std::int64_t version = 0;            // of the last enqueued batch
  std::int64_t last_full_version = 0;  // of the last enqueued full snapshot
  std::int64_t acked_version = 0;      // highest version the server acknowledged
  bool force_full = true;              // the next batch is a full snapshot
  std::int64_t collected_at = 0;       // unix seconds of the last enqueued batch
  RowKeys keys;                        // of the last enqueued snapshot
};

struct EnqueuedInventory {
  bool enqueued = false;  // false: a delta without changes, nothing sent
  std::string key;
  std::int64_t version = 0;
  bool full = false;
  std::size_t rows_added = 0;  // full: rows sent
  std::size_t rows_removed = 0;
};

// Idempotency key of the inventory batch of `version`: "inv_v<version>_<32 random hex>". The
// version is in the key so that acks can be matched to versions without reading the payload.
std::string InventoryKey(std::int64_t version);
// The version in an InventoryKey, or nullopt for any other key.
std::optional<std::int64_t> InventoryKeyVersion(std::string_view key);

class InventorySync {
 public:
  // Loads the state (a missing or unreadable state file starts over with a full snapshot; an
  // unreadable one is logged). `spool` and `clock` must outlive this object.
  static Result<std::unique_ptr<InventorySync>> Open(const std::string& data_dir, Spool* spool,
                                                     Clock* clock);

  // Builds the next batch from `snapshot` (full when due or `force_full`), spools it under a fresh
  // idempotency key and persists the state. Errors: kResourceExhausted (spool full even after
  // dropping pending inventory batches), or a spool I/O error; the state is then unchanged except
  // for the pending-full flag.
  Result<EnqueuedInventory> Enqueue(const Snapshot& snapshot, bool force_full = false);

  // Server acknowledgements for inventory batches (see the header comment).
  void OnCommitted(std::int64_t version);
  // "resync" or "rejected" for the batch of `version`: unless a newer full snapshot is already
  // queued, drops the pending inventory batches and makes the next batch full. Returns true when
  // the caller should collect now: the broken batch was a delta. (A refused full snapshot waits
  // for the next scheduled collection, so a server that keeps refusing it is not hammered.)
  bool OnChainBroken(std::int64_t version);
  // The next Enqueue sends a full snapshot (persisted).
  void ForceFull();

  InventoryState state() const;

 private:
  InventorySync(std::string path, Spool* spool, Clock* clock)
      : path_(std::move(path)), spool_(spool), clock_(clock) {}
  Status SaveLocked() const;  // REQUIRES: mu_ held
  Result<EnqueuedInventory> EnqueueLocked(const Snapshot& snapshot, bool full);

  const std::string path_;
  Spool* const spool_;
  Clock* const clock_;
  mutable std::mutex mu_;
  InventoryState state_;  // guarded by mu_
};

}  // namespace rampart::agent
