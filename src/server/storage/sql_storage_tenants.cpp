// SqlStorage: tenants, users, API tokens and enrolment tokens.

#include "common/wire.h"
#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::AlreadyExists;
using sql_storage_internal::CheckText;
using sql_storage_internal::FinishPage;
using sql_storage_internal::KeysetAfter;
using sql_storage_internal::PagePlan;
using sql_storage_internal::PlanPage;
using sql_storage_internal::Text;
using sql_storage_internal::UnixNow;

namespace {

constexpr std::string_view kUserColumns = "id, tenant_id, name, role, password_hash, created_at";
constexpr std::string_view kApiTokenColumns =
    "id, tenant_id, user_id, role, secret_hash, description, created_at, expires_at, revoked_at";
constexpr std::string_view kEnrollTokenColumns =
    "id, tenant_id, secret_hash, created_at, expires_at, revoked_at, uses";

constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxId = 64;

Result<User> UserFromRow(const SqlRow& row) {
  User u;
  u.id = row.Text(0);
  u.tenant_id = row.Text(1);
  u.name = row.Text(2);
  auto role = ParseRole(row.Text(3));
  if (!role.ok()) return DataLoss("users row " + u.id + ": " + role.error().message());
  u.role = *role;
  u.password_hash = row.Text(4);
  u.created_at = row.Int(5);
  return u;
}

Result<ApiTokenRecord> ApiTokenFromRow(const SqlRow& row) {
  ApiTokenRecord t;
  t.id = row.Text(0);
  t.tenant_id = row.Text(1);
  t.user_id = row.Text(2);
  auto role = ParseRole(row.Text(3));
  if (!role.ok()) return DataLoss("api_tokens row " + t.id + ": " + role.error().message());
  t.role = *role;
  t.secret_hash = row.Text(4);
  t.description = row.Text(5);
  t.created_at = row.Int(6);
  t.expires_at = row.Int(7);
  t.revoked_at = row.Int(8);
  return t;
}

Result<EnrollTokenRecord> EnrollTokenFromRow(const SqlRow& row) {
  EnrollTokenRecord t;
  t.id = row.Text(0);
  t.tenant_id = row.Text(1);
  t.secret_hash = row.Text(2);
  t.created_at = row.Int(3);
  t.expires_at = row.Int(4);
  t.revoked_at = row.Int(5);
  t.uses = row.Int(6);
  return t;
}

Result<Tenant> TenantFromRow(const SqlRow& row) {
  return Tenant{row.Text(0), row.Text(1), row.Int(2)};
}

// Sets revoked_at on a token of `tenant_id` in `table` (an already revoked token keeps its first
// revocation time). NotFound when the tenant has no such token.
Status RevokeToken(SqlConnection& conn, std::string_view table, std::string_view what,
                   std::string_view tenant_id, std::string_view token_id, std::int64_t now) {
  const SqlValue key[] = {Text(token_id), Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT revoked_at FROM " + std::string(table) +
                                                     " WHERE id = ? AND tenant_id = ?",
                                                 key));
  if (rows.empty()) return NotFound(std::string(what) + " " + std::string(token_id) + " not found");
  if (rows[0].Int(0) != 0) return Status::Ok();
  const SqlValue params[] = {now, Text(token_id)};
  return conn.Execute("UPDATE " + std::string(table) + " SET revoked_at = ? WHERE id = ?", params)
      .status();
}

}  // namespace

// ---- Tenants ----

Result<Tenant> SqlStorage::CreateTenant(std::string_view name, std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(CheckText("tenant name", name, kMaxName));
  Tenant tenant{wire::RandomId("tn"), std::string(name), now};
  const SqlValue params[] = {tenant.id, tenant.name, now};
  Status status = InTransaction([&](SqlConnection& conn) {
    return conn.Execute("INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)", params)
        .status();
  });
  if (status.code() == Code::kAlreadyExists) {
    return AlreadyExists("tenant name '" + tenant.name + "' is taken");
  }
  RAMPART_RETURN_IF_ERROR(status);
  return tenant;
}

Result<Tenant> SqlStorage::GetTenant(std::string_view tenant_id) {
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           Query("SELECT id, name, created_at FROM tenants WHERE id = ?", params));
  if (rows.empty()) return NotFound("tenant " + std::string(tenant_id) + " not found");
  return TenantFromRow(rows[0]);
}

Result<std::vector<Tenant>> SqlStorage::ListTenants() {
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           Query("SELECT id, name, created_at FROM tenants ORDER BY name, id", {}));
  std::vector<Tenant> tenants;
  tenants.reserve(rows.size());
  for (const SqlRow& row : rows) {
    RAMPART_ASSIGN_OR_RETURN(Tenant t, TenantFromRow(row));
    tenants.push_back(std::move(t));
  }
  return tenants;
}

// ---- Users ----

Result<User> SqlStorage::CreateUser(User user) {
  RAMPART_RETURN_IF_ERROR(CheckText("user name", user.name, kMaxName));
  if (user.id.empty()) user.id = wire::RandomId("u");
  RAMPART_RETURN_IF_ERROR(CheckText("user id", user.id, kMaxId));
  if (user.created_at == 0) user.created_at = UnixNow();
  const SqlValue params[] = {user.id,
                             user.tenant_id,
                             user.name,
                             std::string(RoleName(user.role)),
                             user.password_hash,
                             user.created_at};
  Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, user.tenant_id, /*lock=*/false));
    return conn
        .Execute("INSERT INTO users (" + std::string(kUserColumns) + ") VALUES (?, ?, ?, ?, ?, ?)",
                 params)
        .status();
  });
  if (status.code() == Code::kAlreadyExists) {
    return AlreadyExists("user name '" + user.name + "' is taken in this tenant");
  }
  RAMPART_RETURN_IF_ERROR(status);
  return user;
}

Result<User> SqlStorage::GetUser(std::string_view tenant_id, std::string_view user_id) {
  const SqlValue params[] = {Text(user_id), Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(kUserColumns) +
                                                " FROM users WHERE id = ? AND tenant_id = ?",
                                            params));
  if (rows.empty()) return NotFound("user " + std::string(user_id) + " not found");
  return UserFromRow(rows[0]);
}

Result<User> SqlStorage::GetUserByName(std::string_view tenant_id, std::string_view name) {
  const SqlValue params[] = {Text(tenant_id), Text(name)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(kUserColumns) +
                                                " FROM users WHERE tenant_id = ? AND name = ?",
                                            params));
  if (rows.empty()) return NotFound("user '" + std::string(name) + "' not found");
  return UserFromRow(rows[0]);
}

Result<Page<User>> SqlStorage::ListUsers(std::string_view tenant_id, const PageRequest& page) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan, PlanPage(page, "users", false, Json::Type::kString));
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE tenant_id = ?";
  if (plan.after) {
    sql +=
        " AND " + KeysetAfter("name", "id", false, plan.after->value, plan.after->last_id, &params);
  }
  sql += " ORDER BY name, id LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  return FinishPage<User>(rows, plan, "users", false, UserFromRow, [](const User& u) {
    return std::pair<Json, std::string>(Json(u.name), u.id);
  });
}

Status SqlStorage::DeleteUser(std::string_view tenant_id, std::string_view user_id,
                              std::int64_t now) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue key[] = {Text(user_id), Text(tenant_id)};
    RAMPART_ASSIGN_OR_RETURN(std::int64_t deleted,
                             conn.Execute("DELETE FROM users WHERE id = ? AND tenant_id = ?", key));
    if (deleted == 0) return NotFound("user " + std::string(user_id) + " not found");
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("DELETE FROM web_sessions WHERE user_id = ? AND tenant_id = ?", key).status());
    const SqlValue revoke[] = {now, Text(tenant_id), Text(user_id)};
    return conn
        .Execute(
            "UPDATE api_tokens SET revoked_at = ? "
            "WHERE tenant_id = ? AND user_id = ? AND revoked_at = 0",
            revoke)
        .status();
  });
}

// ---- API tokens ----

Result<ApiTokenRecord> SqlStorage::CreateApiToken(ApiTokenRecord token) {
  if (token.id.empty()) token.id = wire::RandomId("tk");
  RAMPART_RETURN_IF_ERROR(CheckText("token id", token.id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("token user id", token.user_id, kMaxId, true));
  if (token.created_at == 0) token.created_at = UnixNow();
  const SqlValue params[] = {
      token.id,          token.tenant_id,   token.user_id,    std::string(RoleName(token.role)),
      token.secret_hash, token.description, token.created_at, token.expires_at,
      token.revoked_at};
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, token.tenant_id, /*lock=*/false));
    if (!token.user_id.empty()) {
      const SqlValue user[] = {token.user_id, token.tenant_id};
      RAMPART_ASSIGN_OR_RETURN(
          auto rows, conn.Query("SELECT id FROM users WHERE id = ? AND tenant_id = ?", user));
      if (rows.empty()) return NotFound("user " + token.user_id + " not found");
    }
    return conn
        .Execute("INSERT INTO api_tokens (" + std::string(kApiTokenColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 params)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return token;
}

Result<ApiTokenRecord> SqlStorage::GetApiToken(std::string_view token_id) {
  const SqlValue params[] = {Text(token_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows,
      Query("SELECT " + std::string(kApiTokenColumns) + " FROM api_tokens WHERE id = ?", params));
  if (rows.empty()) return NotFound("API token " + std::string(token_id) + " not found");
  return ApiTokenFromRow(rows[0]);
}

Result<Page<ApiTokenRecord>> SqlStorage::ListApiTokens(std::string_view tenant_id,
                                                       const PageRequest& page) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan, PlanPage(page, "api_tokens", false, Json::Type::kInt));
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql =
      "SELECT " + std::string(kApiTokenColumns) + " FROM api_tokens WHERE tenant_id = ?";
  if (plan.after) {
    sql += " AND " +
           KeysetAfter("created_at", "id", false, plan.after->value, plan.after->last_id, &params);
  }
  sql += " ORDER BY created_at, id LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  return FinishPage<ApiTokenRecord>(rows, plan, "api_tokens", false, ApiTokenFromRow,
                                    [](const ApiTokenRecord& t) {
                                      return std::pair<Json, std::string>(Json(t.created_at), t.id);
                                    });
}

Status SqlStorage::RevokeApiToken(std::string_view tenant_id, std::string_view token_id,
                                  std::int64_t now) {
  return InTransaction([&](SqlConnection& conn) {
    return RevokeToken(conn, "api_tokens", "API token", tenant_id, token_id, now);
  });
}

// ---- Enrolment tokens ----

Result<EnrollTokenRecord> SqlStorage::CreateEnrollToken(EnrollTokenRecord token) {
  if (token.id.empty()) token.id = wire::RandomId("et");
  RAMPART_RETURN_IF_ERROR(CheckText("enrolment token id", token.id, kMaxId));
  if (token.created_at == 0) token.created_at = UnixNow();
  const SqlValue params[] = {token.id,         token.tenant_id,  token.secret_hash,
                             token.created_at, token.expires_at, token.revoked_at,
                             token.uses};
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, token.tenant_id, /*lock=*/false));
    return conn
        .Execute("INSERT INTO enroll_tokens (" + std::string(kEnrollTokenColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                 params)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return token;
}

Result<EnrollTokenRecord> SqlStorage::GetEnrollToken(std::string_view token_id) {
  const SqlValue params[] = {Text(token_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(kEnrollTokenColumns) +
                                                " FROM enroll_tokens WHERE id = ?",
                                            params));
  if (rows.empty()) return NotFound("enrolment token " + std::string(token_id) + " not found");
  return EnrollTokenFromRow(rows[0]);
}

Result<Page<EnrollTokenRecord>> SqlStorage::ListEnrollTokens(std::string_view tenant_id,
                                                             const PageRequest& page) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan, PlanPage(page, "enroll_tokens", false, Json::Type::kInt));
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql =
      "SELECT " + std::string(kEnrollTokenColumns) + " FROM enroll_tokens WHERE tenant_id = ?";
  if (plan.after) {
    sql += " AND " +
           KeysetAfter("created_at", "id", false, plan.after->value, plan.after->last_id, &params);
  }
  sql += " ORDER BY created_at, id LIMIT " + std::to_string(plan.limit + 1);
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  return FinishPage<EnrollTokenRecord>(
      rows, plan, "enroll_tokens", false, EnrollTokenFromRow, [](const EnrollTokenRecord& t) {
        return std::pair<Json, std::string>(Json(t.created_at), t.id);
      });
}

Status SqlStorage::RevokeEnrollToken(std::string_view tenant_id, std::string_view token_id,
                                     std::int64_t now) {
  return InTransaction([&](SqlConnection& conn) {
    return RevokeToken(conn, "enroll_tokens", "enrolment token", tenant_id, token_id, now);
  });
}

}  // namespace rampart::server
