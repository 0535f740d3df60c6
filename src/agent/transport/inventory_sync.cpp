#include "agent/transport/inventory_sync.h"

#include <algorithm>
#include <chrono>

#include "agent/collectors/registry.h"
#include "agent/transport/durable_file.h"
#include "common/files.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

std::int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

// The rows of one category as a key -> row map (duplicates collapse).
std::map<std::string, const Json*> KeyedRows(const Json::Array& rows) {
  std::map<std::string, const Json*> out;
  for (const auto& row : rows) out.emplace(wire::RowKey(row), &row);
  return out;
}

Json StateToJson(const InventoryState& s) {
  Json doc = Json::MakeObject();
  doc.Set("version", s.version);
  doc.Set("last_full_version", s.last_full_version);
  doc.Set("acked_version", s.acked_version);
  doc.Set("force_full", s.force_full);
  doc.Set("collected_at", s.collected_at);
  Json categories = Json::MakeObject();
  for (const auto& [category, keys] : s.keys) {
    Json list = Json::MakeArray();
    for (const auto& k : keys) list.Push(k);
    categories.Set(category, std::move(list));
  }
  doc.Set("categories", std::move(categories));
  return doc;
}

Result<InventoryState> StateFromJson(const Json& doc) {
  InventoryState s;
  if (!doc.is_object()) return DataLoss("not a JSON object");
  for (auto [name, field] : {std::pair<std::string_view, std::int64_t*>{"version", &s.version},
                             {"last_full_version", &s.last_full_version},
                             {"acked_version", &s.acked_version},
                             {"collected_at", &s.collected_at}}) {
    const Json* v = doc.Find(name);
    if (v == nullptr || !v->is_int()) {
      return DataLoss("\"" + std::string(name) + "\" is missing or not an integer");
    }
    *field = v->as_int();
  }
  const Json* force = doc.Find("force_full");
  if (force == nullptr || !force->is_bool()) return DataLoss("\"force_full\" is not a boolean");
  s.force_full = force->as_bool();
  const Json* categories = doc.Find("categories");
  if (categories == nullptr || !categories->is_object()) {
    return DataLoss("\"categories\" is not an object");
  }
  for (const auto& [category, list] : categories->as_object()) {
    if (!list.is_array()) return DataLoss("\"categories\"." + category + " is not an array");
    auto& keys = s.keys[category];
    for (const auto& k : list.as_array()) {
      if (!k.is_string()) return DataLoss("\"categories\"." + category + " holds a non-string");
      keys.insert(k.as_string());
    }
  }
  return s;
}

}  // namespace

SnapshotSource MakeCollectorSource(HostView host, Clock& clock, CollectOptions options) {
  auto collectors = std::make_shared<std::vector<std::unique_ptr<Collector>>>(AllCollectors());
  return [collectors, host = std::move(host), &clock, options]() {
    const CollectContext ctx{host, clock, options};
    Snapshot snapshot;
    for (auto& c : *collectors) {
      CategoryRows category;
      category.category = std::string(c->name());
      auto result = c->Collect(ctx);
      if (!result) {
        log::Warn("inventory: {}: {}", c->name(), result.error().ToString());
        category.collected = false;
      } else if (result->is_array()) {
        category.rows = std::move(result->as_array());
      } else if (result->is_object()) {
        category.rows.push_back(std::move(*result));
      }
      snapshot.push_back(std::move(category));
    }
    return snapshot;
  };
}

std::vector<CategoryDelta> ComputeDelta(const RowKeys& before, const Snapshot& now,
                                        RowKeys* after) {
  std::vector<CategoryDelta> changes;
  *after = before;
  for (const auto& category : now) {
    if (!category.collected) continue;  // unknown now: keep what the server has
    static const std::set<std::string> kNone;
    auto it = before.find(category.category);
    const auto& old_keys = it == before.end() ? kNone : it->second;
    const auto rows = KeyedRows(category.rows);
    CategoryDelta delta;
    delta.category = category.category;
    auto& new_keys = (*after)[category.category];
    new_keys.clear();
    for (const auto& [key, row] : rows) {
      new_keys.insert(key);
      if (old_keys.count(key) == 0) delta.added.push_back(*row);
    }
    for (const auto& key : old_keys) {
      if (rows.count(key) == 0) delta.removed.push_back(key);
    }
    if (!delta.added.empty() || !delta.removed.empty()) changes.push_back(std::move(delta));
  }
  return changes;
}

std::string InventoryKey(std::int64_t version) {
  // RandomId gives "x_<32 hex>"; the hex part makes the key unique across restarts and hosts.
  return "inv_v" + std::to_string(version) + "_" + wire::RandomId("x").substr(2);
}

std::optional<std::int64_t> InventoryKeyVersion(std::string_view key) {
  if (!ConsumePrefix(&key, "inv_v")) return std::nullopt;
  const auto underscore = key.find('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  return ParseInt<std::int64_t>(key.substr(0, underscore));
}

Result<std::unique_ptr<InventorySync>> InventorySync::Open(const std::string& data_dir,
                                                           Spool* spool, Clock* clock) {
  std::unique_ptr<InventorySync> sync(
      new InventorySync(data_dir + "/" + std::string(kInventoryStateFile), spool, clock));
  auto text = ReadLocalFile(sync->path_, 64 << 20);
  if (text) {
    auto doc = Json::Parse(*text);
    auto state = doc ? StateFromJson(*doc) : Result<InventoryState>(doc.error());
    if (state) {
      sync->state_ = std::move(*state);
    } else {
      log::Warn("inventory: {} is unreadable ({}); starting over with a full snapshot", sync->path_,
                state.error().message());
    }
  } else if (text.error().code() != Code::kNotFound) {
    return text.error();
  }
  return sync;
}

Status InventorySync::SaveLocked() const {
  return WriteFileDurable(path_, StateToJson(state_).Dump() + "\n", 0600);
}

Result<EnqueuedInventory> InventorySync::Enqueue(const Snapshot& snapshot, bool force_full) {
  std::lock_guard lock(mu_);
  const bool full = force_full || state_.force_full || state_.version == 0;
  auto result = EnqueueLocked(snapshot, full);
  if (result || result.error().code() != Code::kResourceExhausted) return result;
  // The spool is full. Pending inventory batches are the agent's own backlog and a full snapshot
  // replaces all of them, so they are what gives way.
  const std::size_t dropped = spool_->RemoveKind(kInventoryKind);
  log::Warn("inventory: {}; dropped {} pending inventory batches, sending a full snapshot",
            result.error().message(), dropped);
  state_.force_full = true;
  result = EnqueueLocked(snapshot, true);
  if (!result) {
    if (Status saved = SaveLocked(); !saved.ok()) log::Warn("inventory: {}", saved.ToString());
  }
  return result;
}

Result<EnqueuedInventory> InventorySync::EnqueueLocked(const Snapshot& snapshot, bool full) {
  EnqueuedInventory out;
  out.full = full;
  const std::int64_t now = UnixSeconds(*clock_);
  Json doc = Json::MakeObject();
  doc.Set("version", state_.version + 1);
  doc.Set("base", state_.version);
  doc.Set("mode", full ? "full" : "delta");
  doc.Set("collected_at", FormatIso8601(now));
  RowKeys after;
  if (full) {
    Json categories = Json::MakeObject();
    for (const auto& category : snapshot) {
      Json rows = Json::MakeArray();
      auto& keys = after[category.category];
      for (const auto& [key, row] : KeyedRows(category.rows)) {
        keys.insert(key);
        rows.Push(*row);
      }
      out.rows_added += rows.size();
      Json entry = Json::MakeObject();
      entry.Set("rows", std::move(rows));
      categories.Set(category.category, std::move(entry));
    }
    doc.Set("categories", std::move(categories));
  } else {
    auto changes = ComputeDelta(state_.keys, snapshot, &after);
    if (changes.empty()) {
      state_.collected_at = now;
      return out;  // nothing changed: no batch, no new version
    }
    Json json_changes = Json::MakeObject();
    for (auto& change : changes) {
      out.rows_added += change.added.size();
      out.rows_removed += change.removed.size();
      Json entry = Json::MakeObject();
      entry.Set("added", Json(std::move(change.added)));
      entry.Set("removed", Json::StringArray(change.removed));
      json_changes.Set(change.category, std::move(entry));
    }
    doc.Set("changes", std::move(json_changes));
  }
  out.version = state_.version + 1;
  out.key = InventoryKey(out.version);
  RAMPART_RETURN_IF_ERROR(spool_->Enqueue(kInventoryKind, out.key, doc.Dump()).status());
  out.enqueued = true;
  state_.version = out.version;
  if (full) state_.last_full_version = out.version;
  state_.force_full = false;
  state_.collected_at = now;
  state_.keys = std::move(after);
  if (Status saved = SaveLocked(); !saved.ok()) {
    // The batch is spooled and this process continues the chain from memory; after a restart the
    // old state makes the server answer "resync", which leads to a full snapshot.
    log::Warn("inventory: cannot persist state: {}", saved.ToString());
  }
  return out;
}

void InventorySync::OnCommitted(std::int64_t version) {
  std::lock_guard lock(mu_);
  if (version <= state_.acked_version) return;
  state_.acked_version = version;
  if (Status saved = SaveLocked(); !saved.ok()) log::Warn("inventory: {}", saved.ToString());
}

bool InventorySync::OnChainBroken(std::int64_t version) {
  std::lock_guard lock(mu_);
  // A full snapshot enqueued after this batch already replaces everything it built on.
  if (version < state_.last_full_version) return false;
  const std::size_t dropped = spool_->RemoveKind(kInventoryKind);
  if (dropped > 0) log::Info("inventory: dropped {} pending deltas after a resync", dropped);
  state_.force_full = true;
  if (Status saved = SaveLocked(); !saved.ok()) log::Warn("inventory: {}", saved.ToString());
  // A refused full snapshot would most likely be refused again right away; it waits for the next
  // scheduled collection instead of looping.
  return version > state_.last_full_version;
}

void InventorySync::ForceFull() {
  std::lock_guard lock(mu_);
  if (state_.force_full) return;
  state_.force_full = true;
  if (Status saved = SaveLocked(); !saved.ok()) log::Warn("inventory: {}", saved.ToString());
}

InventoryState InventorySync::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

}  // namespace rampart::agent
