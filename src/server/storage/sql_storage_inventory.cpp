// SqlStorage: inventory ingestion (full snapshots and deltas, idempotent per batch key) and
// fingerprint queries.

#include <algorithm>

#include "common/wire.h"
#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::CheckText;
using sql_storage_internal::FinishPage;
using sql_storage_internal::PagePlan;
using sql_storage_internal::PlanPage;
using sql_storage_internal::Text;

namespace {

constexpr std::size_t kMaxBatchKey = 128;
constexpr std::size_t kMaxCategory = 64;
// Multi-row INSERT chunks: 100 rows x 6 parameters stays far below SQLite's variable limit, and
// the byte bound keeps a statement well inside MySQL's max_allowed_packet.
constexpr std::size_t kRowsPerInsert = 100;
constexpr std::size_t kBytesPerInsert = std::size_t{1} << 20;
constexpr std::size_t kKeysPerDelete = 200;

// A fingerprint row ready for SQL: key and JSON text computed once, outside the transaction (a
// retried transaction does not hash again, and locks are held for less time).
struct PreparedRow {
  std::string category;
  std::string row_key;
  std::string data;
};

bool ValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string UpsertSql(SqlDialect dialect, std::size_t rows) {
  std::string sql =
      "INSERT INTO fingerprints (tenant_id, host_id, category, row_key, data, updated_at) VALUES ";
  for (std::size_t i = 0; i < rows; ++i)
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)";
  // A row already present (re-added in a delta, or listed twice) is refreshed, not an error.
  sql += dialect == SqlDialect::kMysql
             ? " ON DUPLICATE KEY UPDATE data = VALUES(data), updated_at = VALUES(updated_at)"
             : " ON CONFLICT (host_id, category, row_key) DO UPDATE SET data = excluded.data, "
               "updated_at = excluded.updated_at";
  return sql;
}

Status UpsertFingerprints(SqlConnection& conn, SqlDialect dialect, const std::string& tenant_id,
                          const std::string& host_id, const std::vector<PreparedRow>& rows,
                          std::int64_t now) {
  const std::string full_chunk_sql = UpsertSql(dialect, kRowsPerInsert);
  std::vector<SqlValue> params;
  params.reserve(kRowsPerInsert * 6);
  std::size_t i = 0;
  while (i < rows.size()) {
    params.clear();
    std::size_t bytes = 0;
    std::size_t n = 0;
    while (i + n < rows.size() && n < kRowsPerInsert && (n == 0 || bytes < kBytesPerInsert)) {
      const PreparedRow& row = rows[i + n];
      params.insert(params.end(), {tenant_id, host_id, row.category, row.row_key, row.data, now});
      bytes += row.data.size();
      ++n;
    }
    const std::string sql = n == kRowsPerInsert ? full_chunk_sql : UpsertSql(dialect, n);
    RAMPART_RETURN_IF_ERROR(conn.Execute(sql, params).status());
    i += n;
  }
  return Status::Ok();
}

Status RemoveFingerprints(SqlConnection& conn, const std::string& host_id,
                          const std::string& category, const std::vector<std::string>& keys) {
  for (std::size_t i = 0; i < keys.size(); i += kKeysPerDelete) {
    const std::size_t n = std::min(kKeysPerDelete, keys.size() - i);
    std::vector<SqlValue> params = {host_id, category};
    std::string sql =
        "DELETE FROM fingerprints WHERE host_id = ? AND category = ? AND row_key IN (";
    for (std::size_t k = 0; k < n; ++k) {
      sql += k == 0 ? "?" : ", ?";
      params.push_back(keys[i + k]);
    }
    sql += ")";
    RAMPART_RETURN_IF_ERROR(conn.Execute(sql, params).status());
  }
  return Status::Ok();
}

Status CheckBatch(const InventoryBatch& batch) {
  RAMPART_RETURN_IF_ERROR(CheckText("batch key", batch.idempotency_key, kMaxBatchKey));
  for (const auto& [category, rows] : batch.rows) {
    RAMPART_RETURN_IF_ERROR(CheckText("category", category, kMaxCategory));
    for (const Json& row : rows) {
      if (!row.is_object())
        return InvalidArgument("category " + category + ": row is not an object");
    }
  }
  for (const auto& [category, keys] : batch.removed) {
    RAMPART_RETURN_IF_ERROR(CheckText("category", category, kMaxCategory));
  }
  if (batch.host_fields) {
    const Host& h = *batch.host_fields;
    RAMPART_RETURN_IF_ERROR(CheckText("hostname", h.hostname, 255, true));
    RAMPART_RETURN_IF_ERROR(CheckText("os_name", h.os_name, 255, true));
    RAMPART_RETURN_IF_ERROR(CheckText("os_version", h.os_version, 255, true));
    RAMPART_RETURN_IF_ERROR(CheckText("machine_type", h.machine_type, 64, true));
    RAMPART_RETURN_IF_ERROR(CheckText("agent_version", h.agent_version, 64, true));
  }
  return Status::Ok();
}

// "UPDATE hosts SET inventory_version = ?[, field = ?...] WHERE id = ?": the non-empty host
// fields of the batch (an agent that could not read a field keeps the stored value).
std::pair<std::string, std::vector<SqlValue>> HostUpdate(const InventoryBatch& batch,
                                                         const std::string& host_id) {
  std::string sql = "UPDATE hosts SET inventory_version = ?";
  std::vector<SqlValue> params = {batch.version};
  if (batch.host_fields) {
    const Host& h = *batch.host_fields;
    auto set = [&](std::string_view column, const std::string& value) {
      if (value.empty()) return;
      sql.append(", ").append(column).append(" = ?");
      params.push_back(value);
    };
    set("hostname", h.hostname);
    if (!h.ips.empty()) set("ips", Json::StringArray(h.ips).Dump());
    set("os_name", h.os_name);
    set("os_version", h.os_version);
    set("machine_type", h.machine_type);
    set("agent_version", h.agent_version);
  }
  sql += " WHERE id = ?";
  params.push_back(host_id);
  return {std::move(sql), std::move(params)};
}

Result<FingerprintRow> FingerprintFromRow(const SqlRow& row) {
  FingerprintRow f;
  f.host_id = row.Text(0);
  f.hostname = row.Text(1);
  f.category = row.Text(2);
  f.row_key = row.Text(3);
  auto data = Json::Parse(row.Text(4));
  if (!data.ok()) {
    return DataLoss("fingerprint " + f.host_id + "/" + f.category + "/" + f.row_key +
                    ": stored data is not JSON: " + data.error().message());
  }
  f.data = std::move(*data);
  f.updated_at = row.Int(5);
  return f;
}

// SQL yielding a top-level field of f.data as text (numbers in decimal, booleans "true"/"false");
// the JSON path parameters it needs are appended to `params`.
std::string JsonFieldText(SqlDialect dialect, const std::string& path,
                          std::vector<SqlValue>* params) {
  params->push_back(path);
  if (dialect == SqlDialect::kMysql) return "JSON_UNQUOTE(JSON_EXTRACT(f.data, ?))";
  // SQLite's json_extract gives 1/0 for booleans and SQL NULL for JSON null; spell them as MySQL
  // does, so both backends answer the same.
  params->push_back(path);
  return "(CASE json_type(f.data, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
         "WHEN 'null' THEN 'null' ELSE CAST(json_extract(f.data, ?) AS TEXT) END)";
}

// True when the batch changes what vulnerability matching reads: software rows or the host row.
bool TouchesVulnInputs(const InventoryBatch& batch) {
  if (batch.full) return true;
  auto relevant = [](const std::string& c) { return c == "software" || c == "host"; };
  for (const auto& [category, rows] : batch.rows) {
    if (relevant(category) && !rows.empty()) return true;
  }
  for (const auto& [category, keys] : batch.removed) {
    if (relevant(category) && !keys.empty()) return true;
  }
  return false;
}

}  // namespace

Result<IngestOutcome> SqlStorage::ApplyInventory(std::string_view host_id,
                                                 const InventoryBatch& batch, std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(CheckBatch(batch));
  std::vector<PreparedRow> rows;
  for (const auto& [category, items] : batch.rows) {
    for (const Json& item : items) rows.push_back({category, wire::RowKey(item), item.Dump()});
  }
  const std::string id(host_id);
  auto [host_sql, host_params] = HostUpdate(batch, id);

  IngestOutcome outcome = IngestOutcome::kCommitted;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    // The host row lock (MySQL) serialises batches of one host across server nodes.
    const SqlValue key[] = {id};
    RAMPART_ASSIGN_OR_RETURN(
        auto hosts, conn.Query("SELECT tenant_id, inventory_version FROM hosts WHERE id = ?" +
                                   std::string(ForUpdate()),
                               key));
    if (hosts.empty()) return NotFound("host " + id + " not found");
    const std::string tenant_id = hosts[0].Text(0);
    const SqlValue batch_key[] = {id, batch.idempotency_key};
    RAMPART_ASSIGN_OR_RETURN(
        auto seen,
        conn.Query("SELECT 1 FROM batch_keys WHERE host_id = ? AND batch_key = ?", batch_key));
    if (!seen.empty()) {
      outcome = IngestOutcome::kDuplicate;
      return Status::Ok();
    }
    if (!batch.full && hosts[0].Int(1) != batch.base) {
      outcome = IngestOutcome::kResync;
      return Status::Ok();
    }
    if (batch.full) {
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("DELETE FROM fingerprints WHERE host_id = ?", key).status());
    } else {
      for (const auto& [category, keys] : batch.removed) {
        RAMPART_RETURN_IF_ERROR(RemoveFingerprints(conn, id, category, keys));
      }
    }
    RAMPART_RETURN_IF_ERROR(UpsertFingerprints(conn, dialect_, tenant_id, id, rows, now));
    RAMPART_RETURN_IF_ERROR(conn.Execute(host_sql, host_params).status());
    if (TouchesVulnInputs(batch)) {
      // Queued for a rematch by the vulnerability jobs, off the ingest path (docs/server.md).
      const SqlValue queue[] = {id, tenant_id, batch.idempotency_key, now};
      RAMPART_RETURN_IF_ERROR(
          conn.Execute(std::string("INSERT INTO vuln_rematch (host_id, tenant_id, mark, "
                                   "marked_at) VALUES (?, ?, ?, ?)") +
                           (mysql() ? " ON DUPLICATE KEY UPDATE mark = VALUES(mark), "
                                      "marked_at = VALUES(marked_at)"
                                    : " ON CONFLICT (host_id) DO UPDATE SET mark = excluded.mark, "
                                      "marked_at = excluded.marked_at"),
                       queue)
              .status());
    }
    const SqlValue record[] = {tenant_id, id, batch.idempotency_key, now};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("INSERT INTO batch_keys (tenant_id, host_id, batch_key, committed_at) "
                     "VALUES (?, ?, ?, ?)",
                     record)
            .status());
    outcome = IngestOutcome::kCommitted;
    return Status::Ok();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return outcome;
}

Result<Page<FingerprintRow>> SqlStorage::QueryFingerprints(std::string_view tenant_id,
                                                           const FingerprintQuery& query) {
  RAMPART_RETURN_IF_ERROR(CheckText("category", query.category, kMaxCategory, true));
  for (const auto& [field, value] : query.equals) {
    if (!ValidFieldName(field)) {
      return InvalidArgument("filter field '" + field + "': expected 1-64 of a-z, 0-9, _");
    }
  }
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan,
                           PlanPage(query.page, "fingerprints", false, Json::Type::kArray));
  if (plan.after && plan.after->value.size() != 2) {
    return InvalidArgument("cursor: fingerprint cursor needs [host id, category]");
  }
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  if (!query.host_id.empty()) {
    RAMPART_RETURN_IF_ERROR(LoadHost(*lease, tenant_id, query.host_id, false).status());
  }
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql =
      "SELECT f.host_id, h.hostname, f.category, f.row_key, f.data, f.updated_at FROM fingerprints "
      "f";
  // A fleet-wide page must walk the tenant's (category, host, key) index; MariaDB may otherwise
  // range-scan the primary key from the cursor's host on, through every other tenant's rows.
  if (mysql() && !query.category.empty() && query.host_id.empty()) {
    sql += " FORCE INDEX (fingerprints_tenant_category)";
  }
  sql += " JOIN hosts h ON h.id = f.host_id WHERE f.tenant_id = ?";
  if (!query.category.empty()) {
    sql += " AND f.category = ?";
    params.push_back(query.category);
  }
  if (!query.host_id.empty()) {
    sql += " AND f.host_id = ?";
    params.push_back(query.host_id);
  }
  for (const auto& [field, value] : query.equals) {
    sql += " AND " + JsonFieldText(dialect_, "$.\"" + field + "\"", &params) + " = ?";
    params.push_back(value);
  }
  if (plan.after) {
    const Json::Array& v = plan.after->value.as_array();
    // "f.host_id >= ?" is implied; it lets the planner seek instead of scanning (see
    // KeysetAfter).
    sql +=
        " AND f.host_id >= ? AND (f.host_id > ? OR (f.host_id = ? AND (f.category > ? OR "
        "(f.category = ? AND f.row_key > ?))))";
    params.insert(params.end(), {v[0].as_string(), v[0].as_string(), v[0].as_string(),
                                 v[1].as_string(), v[1].as_string(), plan.after->last_id});
  }
  sql += " ORDER BY f.host_id, f.category, f.row_key LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, lease->Query(sql, params));
  return FinishPage<FingerprintRow>(
      rows, plan, "fingerprints", false, FingerprintFromRow, [](const FingerprintRow& f) {
        return std::pair<Json, std::string>(Json::StringArray({f.host_id, f.category}), f.row_key);
      });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqlStorage::CountFingerprints(
    std::string_view tenant_id, std::string_view host_id) {
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(LoadHost(*lease, tenant_id, host_id, false).status());
  const SqlValue params[] = {Text(host_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, lease->Query("SELECT category, COUNT(*) FROM fingerprints WHERE host_id = ? "
                              "GROUP BY category ORDER BY category",
                              params));
  std::vector<std::pair<std::string, std::int64_t>> counts;
  counts.reserve(rows.size());
  for (const SqlRow& row : rows) counts.emplace_back(row.Text(0), row.Int(1));
  return counts;
}

Result<std::int64_t> SqlStorage::PruneBatchKeys(std::int64_t cutoff) {
  std::int64_t removed = 0;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {cutoff};
    RAMPART_ASSIGN_OR_RETURN(removed,
                             conn.Execute("DELETE FROM batch_keys WHERE committed_at < ?", params));
    return Status::Ok();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return removed;
}

}  // namespace rampart::server
