// SqlStorage: construction and the helpers every area shares (row mapping, validation, keyset
// conditions). The areas live in sql_storage_{tenants,hosts,inventory,settings}.cpp.

#include "server/storage/sql_storage.h"

#include <chrono>

namespace rampart::server {

namespace sql_storage_internal {

Status CheckText(std::string_view field, std::string_view value, std::size_t max,
                 bool allow_empty) {
  if (value.empty() && !allow_empty) return InvalidArgument(std::string(field) + ": is empty");
  if (value.size() > max) {
    return InvalidArgument(std::string(field) + ": longer than " + std::to_string(max) +
                           " bytes (" + std::to_string(value.size()) + ")");
  }
  return Status::Ok();
}

Result<HostForBatch> LockHostForBatch(SqlConnection& conn, std::string_view for_update,
                                      const std::string& host_id, const std::string& key) {
  const SqlValue id[] = {host_id};
  RAMPART_ASSIGN_OR_RETURN(
      auto hosts,
      conn.Query("SELECT tenant_id FROM hosts WHERE id = ?" + std::string(for_update), id));
  if (hosts.empty()) return NotFound("host " + host_id + " not found");
  HostForBatch out;
  out.tenant_id = hosts[0].Text(0);
  const SqlValue batch_key[] = {host_id, key};
  RAMPART_ASSIGN_OR_RETURN(
      auto seen,
      conn.Query("SELECT 1 FROM batch_keys WHERE host_id = ? AND batch_key = ?", batch_key));
  out.duplicate = !seen.empty();
  return out;
}

Status RecordBatchKey(SqlConnection& conn, const std::string& tenant_id, const std::string& host_id,
                      const std::string& key, std::int64_t now) {
  const SqlValue record[] = {tenant_id, host_id, key, now};
  return conn
      .Execute(
          "INSERT INTO batch_keys (tenant_id, host_id, batch_key, committed_at) "
          "VALUES (?, ?, ?, ?)",
          record)
      .status();
}

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Host> HostFromRow(const SqlRow& row) {
  Host h;
  h.id = row.Text(0);
  h.tenant_id = row.Text(1);
  h.machine_id = row.Text(2);
  h.hostname = row.Text(3);
  auto ips = Json::Parse(row.Text(4));
  if (!ips.ok() || !ips->is_array()) {
    return DataLoss("hosts row " + h.id + ": ips is not a JSON array");
  }
  for (const Json& ip : ips->as_array()) {
    if (ip.is_string()) h.ips.push_back(ip.as_string());
  }
  h.os_name = row.Text(5);
  h.os_version = row.Text(6);
  h.machine_type = row.Text(7);
  h.agent_version = row.Text(8);
  h.installed_at = row.Int(9);
  h.last_seen = row.Int(10);
  auto status = ParseHostStatus(row.Text(11));
  if (!status.ok()) return DataLoss("hosts row " + h.id + ": " + status.error().message());
  h.status = *status;
  h.plan = row.Text(12);
  h.agent_secret_hash = row.Text(13);
  h.inventory_version = row.Int(14);
  h.risk.vulnerabilities = row.Int(15);
  h.risk.baseline_failures = row.Int(16);
  h.risk.events = row.Int(17);
  h.risk.malware = row.Int(18);
  return h;
}

std::vector<SqlValue> HostParams(const Host& h) {
  return {h.id,
          h.tenant_id,
          h.machine_id,
          h.hostname,
          Json::StringArray(h.ips).Dump(),
          h.os_name,
          h.os_version,
          h.machine_type,
          h.agent_version,
          h.installed_at,
          h.last_seen,
          std::string(HostStatusName(h.status)),
          h.plan,
          h.agent_secret_hash,
          h.inventory_version,
          h.risk.vulnerabilities,
          h.risk.baseline_failures,
          h.risk.events,
          h.risk.malware};
}

std::string KeysetAfter(std::string_view col, std::string_view id_col, bool desc, const Json& value,
                        const std::string& last_id, std::vector<SqlValue>* params) {
  const std::string_view op = desc ? " < ?" : " > ?";
  SqlValue v = value.is_int() ? SqlValue(value.as_int()) : SqlValue(value.as_string());
  params->insert(params->end(), {v, v, v, last_id});
  // The leading "col >= ?" is implied by the rest; it is there so both planners turn the
  // condition into an index range instead of scanning from the start of the index (the OR alone
  // defeats that, making page N cost O(N)).
  std::string sql = "(";
  sql.append(col).append(desc ? " <= ?" : " >= ?").append(" AND (");
  sql.append(col).append(op).append(" OR (").append(col).append(" = ? AND ");
  sql.append(id_col).append(op).append(")))");
  return sql;
}

Result<PagePlan> PlanPage(const PageRequest& page, std::string_view sort, bool desc,
                          Json::Type value_type) {
  PagePlan plan;
  plan.limit = ClampPageLimit(page.limit);
  if (!page.cursor.empty()) {
    RAMPART_ASSIGN_OR_RETURN(PageCursor cursor, DecodeCursor(page.cursor));
    RAMPART_RETURN_IF_ERROR(CheckCursor(cursor, sort, desc, value_type));
    plan.after = std::move(cursor);
  }
  return plan;
}

}  // namespace sql_storage_internal

using sql_storage_internal::HostFromRow;
using sql_storage_internal::kHostColumns;
using sql_storage_internal::Text;

SqlStorage::SqlStorage(std::unique_ptr<SqlDb> db, int schema_version)
    : db_(std::move(db)), dialect_(db_->dialect()), schema_version_(schema_version) {}

std::string_view SqlStorage::backend() const { return mysql() ? "mysql" : "sqlite"; }

Result<std::vector<SqlRow>> SqlStorage::Query(std::string_view sql,
                                              std::span<const SqlValue> params) {
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  return lease->Query(sql, params);
}

Status SqlStorage::RequireTenant(SqlConnection& conn, std::string_view tenant_id, bool lock) {
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           conn.Query(std::string("SELECT id FROM tenants WHERE id = ?") +
                                          std::string(lock ? ForUpdate() : ""),
                                      params));
  if (rows.empty()) return NotFound("tenant " + std::string(tenant_id) + " not found");
  return Status::Ok();
}

Result<Host> SqlStorage::LoadHost(SqlConnection& conn, std::optional<std::string_view> tenant_id,
                                  std::string_view host_id, bool lock) {
  std::vector<SqlValue> params = {Text(host_id)};
  std::string sql = "SELECT " + std::string(kHostColumns) + " FROM hosts WHERE id = ?";
  if (tenant_id) {
    sql += " AND tenant_id = ?";
    params.push_back(Text(*tenant_id));
  }
  if (lock) sql += ForUpdate();
  RAMPART_ASSIGN_OR_RETURN(auto rows, conn.Query(sql, params));
  if (rows.empty()) return NotFound("host " + std::string(host_id) + " not found");
  return HostFromRow(rows[0]);
}

}  // namespace rampart::server
