// SqlStorage: per-tenant settings (versioned, optimistic concurrency) and leases for periodic jobs
// across server nodes.

#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::CheckText;
using sql_storage_internal::Text;

namespace {

constexpr std::size_t kMaxLeaseName = 128;
constexpr std::size_t kMaxLeaseHolder = 255;

Result<TenantSettings> SettingsFromRow(const SqlRow& row, std::string_view tenant_id) {
  TenantSettings s;
  s.version = row.Int(0);
  auto json = Json::Parse(row.Text(1));
  if (!json.ok() || !json->is_object()) {
    return DataLoss("settings of tenant " + std::string(tenant_id) + ": not a JSON object");
  }
  s.settings = std::move(*json);
  s.updated_at = row.Int(2);
  return s;
}

}  // namespace

Result<TenantSettings> SqlStorage::GetSettings(std::string_view tenant_id) {
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(RequireTenant(*lease, tenant_id, /*lock=*/false));
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows,
      lease->Query("SELECT version, settings, updated_at FROM tenant_settings WHERE tenant_id = ?",
                   params));
  if (rows.empty()) return TenantSettings{};  // never written: version 0, empty object
  return SettingsFromRow(rows[0], tenant_id);
}

Result<TenantSettings> SqlStorage::PutSettings(std::string_view tenant_id, const Json& settings,
                                               std::int64_t expected_version, std::int64_t now) {
  if (!settings.is_object()) return InvalidArgument("settings: expected a JSON object");
  const std::string text = settings.Dump();
  TenantSettings stored;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    // Locking the tenant row serialises writers of one tenant's settings, including the first
    // write, when there is no settings row yet to lock.
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, tenant_id, /*lock=*/true));
    const SqlValue key[] = {Text(tenant_id)};
    RAMPART_ASSIGN_OR_RETURN(auto rows,
                             conn.Query("SELECT version FROM tenant_settings WHERE tenant_id = ?" +
                                            std::string(ForUpdate()),
                                        key));
    const std::int64_t current = rows.empty() ? 0 : rows[0].Int(0);
    if (expected_version >= 0 && expected_version != current) {
      return FailedPrecondition("settings changed meanwhile: version is " +
                                std::to_string(current) + ", not " +
                                std::to_string(expected_version) + "; reload and retry");
    }
    stored = TenantSettings{current + 1, settings, now};
    if (rows.empty()) {
      const SqlValue params[] = {Text(tenant_id), stored.version, text, now};
      return conn
          .Execute(
              "INSERT INTO tenant_settings (tenant_id, version, settings, updated_at) "
              "VALUES (?, ?, ?, ?)",
              params)
          .status();
    }
    const SqlValue params[] = {stored.version, text, now, Text(tenant_id)};
    return conn
        .Execute(
            "UPDATE tenant_settings SET version = ?, settings = ?, updated_at = ? "
            "WHERE tenant_id = ?",
            params)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return stored;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqlStorage::SettingsChangedSince(
    std::int64_t since) {
  const SqlValue params[] = {since};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT tenant_id, version FROM tenant_settings WHERE updated_at >= ? "
                       "ORDER BY tenant_id",
                       params));
  std::vector<std::pair<std::string, std::int64_t>> changed;
  changed.reserve(rows.size());
  for (const SqlRow& row : rows) changed.emplace_back(row.Text(0), row.Int(1));
  return changed;
}

Result<bool> SqlStorage::TryAcquireLease(std::string_view name, std::string_view holder,
                                         std::int64_t ttl_seconds, std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(CheckText("lease name", name, kMaxLeaseName));
  RAMPART_RETURN_IF_ERROR(CheckText("lease holder", holder, kMaxLeaseHolder));
  if (ttl_seconds <= 0) return InvalidArgument("lease ttl: must be positive");
  bool held = false;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue take[] = {Text(holder), now + ttl_seconds, Text(name), Text(holder), now};
    RAMPART_RETURN_IF_ERROR(conn.Execute("UPDATE leases SET holder = ?, expires_at = ? "
                                         "WHERE name = ? AND (holder = ? OR expires_at <= ?)",
                                         take)
                                .status());
    // The outcome is read back rather than taken from the changed-row count: MySQL counts a
    // renewal that sets the same expiry as "0 rows changed".
    const SqlValue key[] = {Text(name)};
    RAMPART_ASSIGN_OR_RETURN(auto rows,
                             conn.Query("SELECT holder FROM leases WHERE name = ?", key));
    if (rows.empty()) {
      const SqlValue insert[] = {Text(name), Text(holder), now + ttl_seconds};
      auto inserted =
          conn.Execute("INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)", insert);
      if (inserted.ok()) {
        held = true;
        return Status::Ok();
      }
      if (inserted.error().code() != Code::kAlreadyExists) return inserted.error();
      // Another node created it between our UPDATE and INSERT: it holds the lease now.
      RAMPART_ASSIGN_OR_RETURN(rows, conn.Query("SELECT holder FROM leases WHERE name = ?", key));
    }
    held = !rows.empty() && rows[0].Text(0) == holder;
    return Status::Ok();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return held;
}

}  // namespace rampart::server
