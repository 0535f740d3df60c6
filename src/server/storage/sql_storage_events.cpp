// SqlStorage: login security. Security events (upserted per incident, idempotent per batch key),
// each host's block list (replaced by snapshots), event handling (status, whitelisting) and the
// durable per-host agent command queue.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "common/wire.h"
#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::AndEquals;
using sql_storage_internal::AndEqualsIfSet;
using sql_storage_internal::CheckText;
using sql_storage_internal::FinishPage;
using sql_storage_internal::HostForBatch;
using sql_storage_internal::KeysetAfter;
using sql_storage_internal::LockHostForBatch;
using sql_storage_internal::PagePlan;
using sql_storage_internal::PlanPage;
using sql_storage_internal::RecordBatchKey;
using sql_storage_internal::Text;

namespace {

constexpr std::size_t kMaxBatchKey = 128;
constexpr std::size_t kIdsPerStatement = 200;
constexpr std::size_t kBlocksPerInsert = 100;
// 50 rows x 21 parameters: far below SQLite's variable limit and MySQL's packet size.
constexpr std::size_t kEventsPerInsert = 50;
constexpr std::size_t kMaxNote = 4096;
constexpr std::size_t kMaxBy = 255;

constexpr std::string_view kEventColumns =
    "e.id, e.tenant_id, e.host_id, h.hostname, e.incident_id, e.type, e.level, e.status, e.rule, "
    "e.service, e.source, e.user_name, e.users, e.sources, e.count, e.failures, e.first_seen, "
    "e.last_seen, e.reason, e.network, e.country, e.created_at, e.updated_at, e.status_by, "
    "e.status_at, e.note";

std::vector<std::string> StringsFromJsonText(const std::string& text) {
  std::vector<std::string> out;
  auto parsed = Json::Parse(text);
  if (!parsed.ok() || !parsed->is_array()) return out;
  for (const Json& item : parsed->as_array()) {
    if (item.is_string()) out.push_back(item.as_string());
  }
  return out;
}

Result<SecurityEvent> EventFromRow(const SqlRow& row) {
  SecurityEvent e;
  e.id = row.Text(0);
  e.tenant_id = row.Text(1);
  e.host_id = row.Text(2);
  e.hostname = row.Text(3);
  ReportedEvent& r = e.reported;
  r.incident_id = row.Text(4);
  r.type = row.Text(5);
  const std::int64_t level = row.Int(6);
  if (level < 0 || level > 3) return DataLoss("event " + e.id + ": stored level out of range");
  r.level = static_cast<EventLevel>(level);
  auto status = ParseEventStatus(row.Text(7));
  if (!status) return DataLoss("event " + e.id + ": unknown stored status " + row.Text(7));
  e.status = *status;
  r.rule = row.Text(8);
  r.service = row.Text(9);
  r.source = row.Text(10);
  r.user = row.Text(11);
  r.users = StringsFromJsonText(row.Text(12));
  r.sources = StringsFromJsonText(row.Text(13));
  r.count = row.Int(14);
  r.failures = row.Int(15);
  r.first_seen = row.Int(16);
  r.last_seen = row.Int(17);
  r.reason = row.Text(18);
  r.network = row.Text(19);
  r.country = row.Text(20);
  e.created_at = row.Int(21);
  e.updated_at = row.Int(22);
  e.status_by = row.Text(23);
  e.status_at = row.Int(24);
  e.note = row.Text(25);
  return e;
}

Result<AgentCommand> CommandFromRow(const SqlRow& row) {
  AgentCommand c;
  c.id = row.Text(0);
  c.tenant_id = row.Text(1);
  c.host_id = row.Text(2);
  c.name = row.Text(3);
  auto args = Json::Parse(row.Text(4));
  if (!args.ok()) return DataLoss("command " + c.id + ": stored args are not JSON");
  c.args = std::move(*args);
  auto status = ParseCommandStatus(row.Text(5));
  if (!status) return DataLoss("command " + c.id + ": unknown stored status " + row.Text(5));
  c.status = *status;
  c.created_by = row.Text(6);
  c.created_at = row.Int(7);
  c.delivered_at = row.Int(8);
  c.applied_at = row.Int(9);
  c.message = row.Text(10);
  if (!row.Text(11).empty()) {
    auto result = Json::Parse(row.Text(11));
    if (!result.ok()) return DataLoss("command " + c.id + ": stored result is not JSON");
    c.result = std::move(*result);
  }
  c.finished_at = row.Int(12);
  return c;
}

constexpr std::string_view kCommandColumns =
    "id, tenant_id, host_id, name, args, status, created_by, created_at, delivered_at, applied_at, "
    "result_message, result, finished_at";

// "?, ?, ?" with n placeholders.
std::string Placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

// hosts.risk_events = the host's open (pending) events.
Status RecomputeRisk(SqlConnection& conn, const std::set<std::string>& host_ids) {
  for (const std::string& host : host_ids) {
    const SqlValue params[] = {host, host};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("UPDATE hosts SET risk_events = (SELECT COUNT(*) FROM security_events "
                     "WHERE host_id = ? AND status = 'pending') WHERE id = ?",
                     params)
            .status());
  }
  return Status::Ok();
}

// Two versions of one incident in one batch: the later one, never a lower level.
void Merge(ReportedEvent& into, const ReportedEvent& later) {
  const EventLevel level = std::max(into.level, later.level);
  const std::int64_t first_seen = std::min(into.first_seen, later.first_seen);
  if (later.last_seen >= into.last_seen) into = later;
  into.level = level;
  into.first_seen = first_seen;
}

std::vector<SqlValue> ReportedParams(const ReportedEvent& r) {
  return {r.type,
          static_cast<std::int64_t>(r.level),
          r.rule,
          r.service,
          r.source,
          r.user,
          Json::StringArray(r.users).Dump(),
          Json::StringArray(r.sources).Dump(),
          r.count,
          r.failures,
          r.first_seen,
          r.last_seen,
          r.reason,
          r.network,
          r.country};
}

struct StoredIncident {
  std::string id;
  std::int64_t level = 0;
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
};

// "cmd_<16 hex digits of microseconds since the epoch><16 random hex digits>": ids sort in the
// order commands were queued (within one node's clock), so two commands queued in the same second
// (block, then unblock) are delivered in that order.
std::string OrderedCommandId() {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  static std::atomic<std::int64_t> last{0};
  std::int64_t stamp = micros;
  std::int64_t prev = last.load();
  // Strictly increasing within this process even when the clock stands still.
  while (true) {
    stamp = std::max(micros, prev + 1);
    if (last.compare_exchange_weak(prev, stamp)) break;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(stamp));
  return "cmd_" + std::string(buf) + wire::RandomId("").substr(1, 16);
}

}  // namespace

Result<EventsIngest> SqlStorage::ApplySecurityEvents(std::string_view host_id,
                                                     const SecurityEventsBatch& batch,
                                                     std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(CheckText("batch key", batch.idempotency_key, kMaxBatchKey));
  std::map<std::string, ReportedEvent> merged;
  for (const ReportedEvent& e : batch.events) {
    RAMPART_RETURN_IF_ERROR(CheckText("event id", e.incident_id, 64));
    auto [it, inserted] = merged.emplace(e.incident_id, e);
    if (!inserted) Merge(it->second, e);
  }
  // Ids for incidents that turn out to be new, made once (a retried transaction reuses them).
  std::map<std::string, std::string> new_ids;
  for (const auto& [incident, e] : merged) new_ids.emplace(incident, wire::RandomId("ev"));
  const std::string id(host_id);

  EventsIngest result;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    result = EventsIngest{};
    RAMPART_ASSIGN_OR_RETURN(HostForBatch host,
                             LockHostForBatch(conn, ForUpdate(), id, batch.idempotency_key));
    if (host.duplicate) {
      result.outcome = IngestOutcome::kDuplicate;
      return Status::Ok();
    }
    std::map<std::string, StoredIncident> stored;
    std::vector<std::string> incidents;
    incidents.reserve(merged.size());
    for (const auto& [incident, e] : merged) incidents.push_back(incident);
    for (std::size_t i = 0; i < incidents.size(); i += kIdsPerStatement) {
      const std::size_t n = std::min(kIdsPerStatement, incidents.size() - i);
      std::vector<SqlValue> params = {id};
      for (std::size_t k = 0; k < n; ++k) params.push_back(incidents[i + k]);
      RAMPART_ASSIGN_OR_RETURN(
          auto rows, conn.Query("SELECT incident_id, id, level, first_seen, last_seen FROM "
                                "security_events WHERE host_id = ? AND incident_id IN (" +
                                    Placeholders(n) + ")",
                                params));
      for (const SqlRow& row : rows) {
        stored[row.Text(0)] = {row.Text(1), row.Int(2), row.Int(3), row.Int(4)};
      }
    }
    // New incidents go in multi-row INSERTs (one round trip per kEventsPerInsert rows).
    std::vector<SqlValue> pending_rows;
    std::size_t pending_count = 0;
    auto flush = [&]() -> Status {
      if (pending_count == 0) return Status::Ok();
      std::string sql =
          "INSERT INTO security_events (id, tenant_id, host_id, incident_id, type, level, rule, "
          "service, source, user_name, users, sources, count, failures, first_seen, last_seen, "
          "reason, network, country, created_at, updated_at, status, status_by, status_at, "
          "note) VALUES ";
      for (std::size_t k = 0; k < pending_count; ++k) {
        sql += k == 0 ? "" : ", ";
        sql +=
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', '', 0, '')";
      }
      RAMPART_RETURN_IF_ERROR(conn.Execute(sql, pending_rows).status());
      pending_rows.clear();
      pending_count = 0;
      return Status::Ok();
    };
    for (const auto& [incident, e] : merged) {
      auto it = stored.find(incident);
      if (it == stored.end()) {
        pending_rows.insert(pending_rows.end(), {new_ids[incident], host.tenant_id, id, incident});
        std::vector<SqlValue> reported = ReportedParams(e);
        pending_rows.insert(pending_rows.end(), reported.begin(), reported.end());
        pending_rows.insert(pending_rows.end(), {now, now});
        ++pending_count;
        ++result.inserted;
        if (pending_count == kEventsPerInsert) RAMPART_RETURN_IF_ERROR(flush());
        continue;
      }
      const StoredIncident& old = it->second;
      const std::int64_t level = std::max(old.level, static_cast<std::int64_t>(e.level));
      const std::int64_t first_seen = std::min(old.first_seen, e.first_seen);
      if (e.last_seen >= old.last_seen) {
        std::vector<SqlValue> params = ReportedParams(e);
        params[1] = level;
        params[10] = first_seen;
        params.insert(params.end(), {now, old.id});
        RAMPART_RETURN_IF_ERROR(
            conn.Execute("UPDATE security_events SET type = ?, level = ?, rule = ?, service = ?, "
                         "source = ?, user_name = ?, users = ?, sources = ?, count = ?, "
                         "failures = ?, first_seen = ?, last_seen = ?, reason = ?, network = ?, "
                         "country = ?, updated_at = ? WHERE id = ?",
                         params)
                .status());
      } else {
        // An older version arriving late: only what never goes backwards.
        const SqlValue params[] = {level, first_seen, now, old.id};
        RAMPART_RETURN_IF_ERROR(conn.Execute("UPDATE security_events SET level = ?, "
                                             "first_seen = ?, updated_at = ? WHERE id = ?",
                                             params)
                                    .status());
      }
      ++result.updated;
    }
    RAMPART_RETURN_IF_ERROR(flush());
    RAMPART_RETURN_IF_ERROR(RecomputeRisk(conn, {id}));
    return RecordBatchKey(conn, host.tenant_id, id, batch.idempotency_key, now);
  });
  RAMPART_RETURN_IF_ERROR(status);
  return result;
}

Result<EventsIngest> SqlStorage::ApplyBlocksSnapshot(std::string_view host_id,
                                                     const BlocksSnapshot& snapshot,
                                                     std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(CheckText("batch key", snapshot.idempotency_key, kMaxBatchKey));
  RAMPART_RETURN_IF_ERROR(CheckText("backend", snapshot.backend, 16));
  // One row per source (a snapshot listing a source twice keeps the later entry).
  std::map<std::string, const BlockEntry*> by_source;
  for (const BlockEntry& b : snapshot.blocks) {
    RAMPART_RETURN_IF_ERROR(CheckText("blocks[].source", b.source, 64));
    RAMPART_RETURN_IF_ERROR(CheckText("blocks[].reason", b.reason, 64, true));
    RAMPART_RETURN_IF_ERROR(CheckText("blocks[].event_id", b.event_id, 64, true));
    by_source[b.source] = &b;
  }
  const std::string id(host_id);

  EventsIngest result;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    result = EventsIngest{};
    RAMPART_ASSIGN_OR_RETURN(HostForBatch host,
                             LockHostForBatch(conn, ForUpdate(), id, snapshot.idempotency_key));
    if (host.duplicate) {
      result.outcome = IngestOutcome::kDuplicate;
      return Status::Ok();
    }
    const SqlValue key[] = {id};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("DELETE FROM host_blocks WHERE host_id = ?", key).status());
    auto it = by_source.begin();
    while (it != by_source.end()) {
      std::vector<SqlValue> params;
      std::size_t n = 0;
      for (; it != by_source.end() && n < kBlocksPerInsert; ++it, ++n) {
        const BlockEntry& b = *it->second;
        params.insert(params.end(), {host.tenant_id, id, b.source, b.reason, b.event_id,
                                     b.created_at, b.expires_at, snapshot.backend, now});
      }
      std::string sql =
          "INSERT INTO host_blocks (tenant_id, host_id, source, reason, event_id, created_at, "
          "expires_at, backend, updated_at) VALUES ";
      for (std::size_t k = 0; k < n; ++k)
        sql += k == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)";
      RAMPART_RETURN_IF_ERROR(conn.Execute(sql, params).status());
    }
    result.inserted = static_cast<std::int64_t>(by_source.size());
    // Open events of a blocked source (or named by a block) are now handled by the block.
    const SqlValue mark[] = {now, now, id, id, id};
    RAMPART_ASSIGN_OR_RETURN(
        result.updated,
        conn.Execute("UPDATE security_events SET status = 'blocked', status_by = 'agent', "
                     "status_at = ?, updated_at = ? WHERE host_id = ? AND status = 'pending' AND "
                     "(source IN (SELECT source FROM host_blocks WHERE host_id = ?) OR "
                     "incident_id IN (SELECT event_id FROM host_blocks WHERE host_id = ? AND "
                     "event_id <> ''))",
                     mark));
    // Delivered block/unblock commands whose effect this snapshot shows.
    RAMPART_ASSIGN_OR_RETURN(
        auto delivered,
        conn.Query("SELECT id, name, args FROM agent_commands WHERE host_id = ? AND "
                   "status = 'delivered'",
                   key));
    for (const SqlRow& row : delivered) {
      auto args = Json::Parse(row.Text(2));
      if (!args.ok()) continue;
      const std::string source = args->GetString("source");
      const bool blocked = by_source.count(source) != 0;
      const std::string name = row.Text(1);
      if (!((name == "block" && blocked) || (name == "unblock" && !blocked))) continue;
      const SqlValue done[] = {now, row.Text(0)};
      RAMPART_RETURN_IF_ERROR(conn.Execute("UPDATE agent_commands SET status = 'applied', "
                                           "applied_at = ? WHERE id = ?",
                                           done)
                                  .status());
    }
    RAMPART_RETURN_IF_ERROR(RecomputeRisk(conn, {id}));
    return RecordBatchKey(conn, host.tenant_id, id, snapshot.idempotency_key, now);
  });
  RAMPART_RETURN_IF_ERROR(status);
  return result;
}

Result<Page<SecurityEvent>> SqlStorage::ListSecurityEvents(std::string_view tenant_id,
                                                           const EventQuery& query) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan,
                           PlanPage(query.page, "last_seen", true, Json::Type::kInt));
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  if (!query.host_id.empty()) {
    RAMPART_RETURN_IF_ERROR(LoadHost(*lease, tenant_id, query.host_id, false).status());
  }
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql = "SELECT " + std::string(kEventColumns) +
                    " FROM security_events e JOIN hosts h ON h.id = e.host_id WHERE "
                    "e.tenant_id = ?";
  AndEqualsIfSet(sql, params, "e.type", query.type);
  if (query.level) AndEquals(sql, params, "e.level", static_cast<std::int64_t>(*query.level));
  if (query.status) AndEquals(sql, params, "e.status", Text(EventStatusName(*query.status)));
  AndEqualsIfSet(sql, params, "e.host_id", query.host_id);
  AndEqualsIfSet(sql, params, "e.source", query.source);
  AndEqualsIfSet(sql, params, "e.user_name", query.user);
  if (query.since > 0) {
    sql += " AND e.last_seen >= ?";
    params.push_back(query.since);
  }
  if (query.until > 0) {
    sql += " AND e.last_seen <= ?";
    params.push_back(query.until);
  }
  if (plan.after) {
    sql += " AND " + KeysetAfter("e.last_seen", "e.id", true, plan.after->value,
                                 plan.after->last_id, &params);
  }
  sql += " ORDER BY e.last_seen DESC, e.id DESC LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, lease->Query(sql, params));
  return FinishPage<SecurityEvent>(
      rows, plan, "last_seen", true, EventFromRow, [](const SecurityEvent& e) {
        return std::pair<Json, std::string>(Json(e.reported.last_seen), e.id);
      });
}

Result<SecurityEvent> SqlStorage::GetSecurityEvent(std::string_view tenant_id,
                                                   std::string_view event_id) {
  const SqlValue params[] = {Text(event_id), Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT " + std::string(kEventColumns) +
                           " FROM security_events e JOIN hosts h ON h.id = e.host_id WHERE "
                           "e.id = ? AND e.tenant_id = ?",
                       params));
  if (rows.empty()) return NotFound("event " + std::string(event_id) + " not found");
  return EventFromRow(rows[0]);
}

Result<std::vector<std::string>> SqlStorage::SetEventStatus(std::string_view tenant_id,
                                                            const std::vector<std::string>& ids,
                                                            EventStatus status,
                                                            const std::optional<std::string>& note,
                                                            std::string_view by, std::int64_t now) {
  if (note) RAMPART_RETURN_IF_ERROR(CheckText("note", *note, kMaxNote, true));
  RAMPART_RETURN_IF_ERROR(CheckText("changed by", by, kMaxBy));
  std::vector<std::string> changed;
  const Status result = InTransaction([&](SqlConnection& conn) -> Status {
    changed.clear();
    std::set<std::string> hosts;
    for (std::size_t i = 0; i < ids.size(); i += kIdsPerStatement) {
      const std::size_t n = std::min(kIdsPerStatement, ids.size() - i);
      std::vector<SqlValue> params = {Text(tenant_id)};
      for (std::size_t k = 0; k < n; ++k) params.push_back(ids[i + k]);
      const std::string in = " AND id IN (" + Placeholders(n) + ")";
      RAMPART_ASSIGN_OR_RETURN(
          auto rows, conn.Query("SELECT id, host_id FROM security_events WHERE tenant_id = ?" + in +
                                    std::string(ForUpdate()),
                                params));
      for (const SqlRow& row : rows) {
        changed.push_back(row.Text(0));
        hosts.insert(row.Text(1));
      }
      std::vector<SqlValue> update = {std::string(EventStatusName(status)), Text(by), now, now};
      std::string sql =
          "UPDATE security_events SET status = ?, status_by = ?, status_at = ?, updated_at = ?";
      if (note) {
        sql += ", note = ?";
        update.push_back(*note);
      }
      update.insert(update.end(), params.begin(), params.end());
      RAMPART_RETURN_IF_ERROR(conn.Execute(sql + " WHERE tenant_id = ?" + in, update).status());
    }
    return RecomputeRisk(conn, hosts);
  });
  RAMPART_RETURN_IF_ERROR(result);
  return changed;
}

Result<std::int64_t> SqlStorage::WhitelistEvents(std::string_view tenant_id,
                                                 std::string_view source, std::string_view user,
                                                 std::string_view host_id, std::string_view by,
                                                 std::int64_t now) {
  if (source.empty() && user.empty()) {
    return InvalidArgument("whitelisting events needs a source or a user");
  }
  RAMPART_RETURN_IF_ERROR(CheckText("changed by", by, kMaxBy));
  std::vector<SqlValue> where_params = {Text(tenant_id)};
  std::string where = " WHERE tenant_id = ? AND status IN ('pending', 'blocked') AND (";
  if (!source.empty()) {
    where += "source = ?";
    where_params.push_back(Text(source));
  }
  if (!user.empty()) {
    where += source.empty() ? "user_name = ?" : " OR user_name = ?";
    where_params.push_back(Text(user));
  }
  where += ")";
  if (!host_id.empty()) {
    where += " AND host_id = ?";
    where_params.push_back(Text(host_id));
  }
  std::int64_t changed = 0;
  const Status result = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_ASSIGN_OR_RETURN(
        auto rows,
        conn.Query("SELECT DISTINCT host_id FROM security_events" + where, where_params));
    std::set<std::string> hosts;
    for (const SqlRow& row : rows) hosts.insert(row.Text(0));
    std::vector<SqlValue> params = {Text(by), now, now};
    params.insert(params.end(), where_params.begin(), where_params.end());
    RAMPART_ASSIGN_OR_RETURN(
        changed, conn.Execute("UPDATE security_events SET status = 'whitelisted', status_by = ?, "
                              "status_at = ?, updated_at = ?" +
                                  where,
                              params));
    return RecomputeRisk(conn, hosts);
  });
  RAMPART_RETURN_IF_ERROR(result);
  return changed;
}

Result<Page<BlockEntry>> SqlStorage::ListBlocks(std::string_view tenant_id,
                                                const BlockQuery& query) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan,
                           PlanPage(query.page, "blocks", false, Json::Type::kString));
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  if (!query.host_id.empty()) {
    RAMPART_RETURN_IF_ERROR(LoadHost(*lease, tenant_id, query.host_id, false).status());
  }
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql =
      "SELECT b.host_id, h.hostname, b.source, b.reason, b.event_id, b.created_at, b.expires_at, "
      "b.backend, b.updated_at FROM host_blocks b JOIN hosts h ON h.id = b.host_id WHERE "
      "b.tenant_id = ?";
  AndEqualsIfSet(sql, params, "b.host_id", query.host_id);
  AndEqualsIfSet(sql, params, "b.source", query.source);
  if (plan.after) {
    sql += " AND " + KeysetAfter("b.host_id", "b.source", false, plan.after->value,
                                 plan.after->last_id, &params);
  }
  sql += " ORDER BY b.host_id, b.source LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, lease->Query(sql, params));
  return FinishPage<BlockEntry>(
      rows, plan, "blocks", false,
      [](const SqlRow& row) -> Result<BlockEntry> {
        BlockEntry b;
        b.host_id = row.Text(0);
        b.hostname = row.Text(1);
        b.source = row.Text(2);
        b.reason = row.Text(3);
        b.event_id = row.Text(4);
        b.created_at = row.Int(5);
        b.expires_at = row.Int(6);
        b.backend = row.Text(7);
        b.updated_at = row.Int(8);
        return b;
      },
      [](const BlockEntry& b) { return std::pair<Json, std::string>(Json(b.host_id), b.source); });
}

Result<AgentCommand> SqlStorage::EnqueueCommand(AgentCommand command) {
  RAMPART_RETURN_IF_ERROR(CheckText("command name", command.name, 64));
  RAMPART_RETURN_IF_ERROR(CheckText("created by", command.created_by, kMaxBy));
  if (!command.args.is_object()) return InvalidArgument("command args: expected an object");
  if (command.id.empty()) command.id = OrderedCommandId();
  if (command.created_at == 0) command.created_at = sql_storage_internal::UnixNow();
  command.status = CommandStatus::kPending;
  command.delivered_at = 0;
  command.applied_at = 0;
  const std::string args = command.args.Dump();
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(
        LoadHost(conn, command.tenant_id, command.host_id, /*lock=*/false).status());
    const SqlValue params[] = {command.id, command.tenant_id,  command.host_id,   command.name,
                               args,       command.created_by, command.created_at};
    return conn
        .Execute(
            "INSERT INTO agent_commands (id, tenant_id, host_id, name, args, status, "
            "created_by, created_at, delivered_at, applied_at) VALUES (?, ?, ?, ?, ?, "
            "'pending', ?, ?, 0, 0)",
            params)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return command;
}

Result<Page<AgentCommand>> SqlStorage::ListCommands(std::string_view tenant_id,
                                                    std::string_view host_id,
                                                    const PageRequest& page) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan, PlanPage(page, "created_at", true, Json::Type::kInt));
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(LoadHost(*lease, tenant_id, host_id, false).status());
  std::vector<SqlValue> params = {Text(tenant_id), Text(host_id)};
  std::string sql = "SELECT " + std::string(kCommandColumns) +
                    " FROM agent_commands WHERE tenant_id = ? AND host_id = ?";
  if (plan.after) {
    sql += " AND " +
           KeysetAfter("created_at", "id", true, plan.after->value, plan.after->last_id, &params);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, lease->Query(sql, params));
  return FinishPage<AgentCommand>(
      rows, plan, "created_at", true, CommandFromRow,
      [](const AgentCommand& c) { return std::pair<Json, std::string>(Json(c.created_at), c.id); });
}

Result<std::vector<AgentCommand>> SqlStorage::ClaimPendingCommands(std::string_view host_id,
                                                                   std::int64_t now, int limit) {
  std::vector<AgentCommand> claimed;
  const std::string id(host_id);
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    claimed.clear();
    const SqlValue expire[] = {id, now - kCommandTtlSeconds};
    RAMPART_RETURN_IF_ERROR(conn.Execute("UPDATE agent_commands SET status = 'expired' WHERE "
                                         "host_id = ? AND status = 'pending' AND created_at < ?",
                                         expire)
                                .status());
    const SqlValue key[] = {id};
    RAMPART_ASSIGN_OR_RETURN(
        auto rows, conn.Query("SELECT " + std::string(kCommandColumns) +
                                  " FROM agent_commands WHERE host_id = ? AND status = 'pending' "
                                  "ORDER BY created_at, id LIMIT " +
                                  std::to_string(std::max(limit, 1)) + std::string(ForUpdate()),
                              key));
    for (const SqlRow& row : rows) {
      RAMPART_ASSIGN_OR_RETURN(AgentCommand c, CommandFromRow(row));
      const SqlValue claim[] = {now, c.id};
      RAMPART_ASSIGN_OR_RETURN(std::int64_t n,
                               conn.Execute("UPDATE agent_commands SET status = 'delivered', "
                                            "delivered_at = ? WHERE id = ? AND status = 'pending'",
                                            claim));
      if (n != 1) continue;  // another node took it
      c.status = CommandStatus::kDelivered;
      c.delivered_at = now;
      claimed.push_back(std::move(c));
    }
    return Status::Ok();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return claimed;
}

Status SqlStorage::RequeueCommand(std::string_view command_id) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {Text(command_id)};
    return conn
        .Execute(
            "UPDATE agent_commands SET status = 'pending', delivered_at = 0 WHERE id = ? "
            "AND status = 'delivered'",
            params)
        .status();
  });
}

Result<std::vector<std::string>> SqlStorage::HostsWithCommandsSince(std::int64_t since) {
  const SqlValue params[] = {since};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           Query("SELECT DISTINCT host_id FROM agent_commands WHERE status = "
                                 "'pending' AND created_at >= ?",
                                 params));
  std::vector<std::string> hosts;
  hosts.reserve(rows.size());
  for (const SqlRow& row : rows) hosts.push_back(row.Text(0));
  return hosts;
}

}  // namespace rampart::server
