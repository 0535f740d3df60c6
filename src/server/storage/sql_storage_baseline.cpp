// SqlStorage: baseline management. Custom policies, per tenant x policy settings, runs, the latest
// result per host x policy x check (replaced per host x policy by each results batch, idempotent
// per batch key), the per-day pass-rate history and ignores. Ignored results stay stored; the
// "ignored" flag and the counters are computed against baseline_ignores at read/write time.

#include <ctime>

#include "common/tz.h"
#include "common/wire.h"
#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::CheckText;
using sql_storage_internal::Text;

namespace {

constexpr std::size_t kMaxId = 128;
constexpr std::size_t kMaxBatchKey = 128;
constexpr std::size_t kMaxBy = 255;
constexpr std::size_t kResultsPerInsert = 50;

// True (1) when an ignore covers the result row aliased `r`.
constexpr std::string_view kIgnoredExpr =
    "EXISTS (SELECT 1 FROM baseline_ignores i WHERE i.tenant_id = r.tenant_id AND "
    "i.policy_id = r.policy_id AND (i.check_id = '' OR i.check_id = r.check_id) AND "
    "(i.host_id = '' OR i.host_id = r.host_id))";

std::string Day(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::vector<std::string> Strings(const std::string& text) {
  std::vector<std::string> out;
  auto parsed = Json::Parse(text);
  if (!parsed.ok() || !parsed->is_array()) return out;
  for (const Json& item : parsed->as_array()) {
    if (item.is_string()) out.push_back(item.as_string());
  }
  return out;
}

constexpr std::string_view kPolicyColumns =
    "tenant_id, id, name, yaml, checks, created_by, created_at, updated_at";

BaselinePolicyRecord PolicyFromRow(const SqlRow& row) {
  BaselinePolicyRecord p;
  p.tenant_id = row.Text(0);
  p.id = row.Text(1);
  p.name = row.Text(2);
  p.yaml = row.Text(3);
  p.checks = row.Int(4);
  p.created_by = row.Text(5);
  p.created_at = row.Int(6);
  p.updated_at = row.Int(7);
  return p;
}

constexpr std::string_view kSettingsColumns =
    "tenant_id, policy_id, enabled, host_ids, interval_days, at_minute, last_run_at, last_run_id, "
    "updated_at, time_zone";

BaselinePolicySettings SettingsFromRow(const SqlRow& row) {
  BaselinePolicySettings s;
  s.tenant_id = row.Text(0);
  s.policy_id = row.Text(1);
  s.enabled = row.Int(2) != 0;
  s.host_ids = Strings(row.Text(3));
  s.interval_days = static_cast<int>(row.Int(4));
  s.at_minute = static_cast<int>(row.Int(5));
  s.last_run_at = row.Int(6);
  s.last_run_id = row.Text(7);
  s.updated_at = row.Int(8);
  s.time_zone = row.Text(9);
  return s;
}

constexpr std::string_view kRunColumns =
    "id, tenant_id, policy_id, hosts_targeted, results_received, created_by, started_at";

BaselineRun RunFromRow(const SqlRow& row) {
  BaselineRun r;
  r.id = row.Text(0);
  r.tenant_id = row.Text(1);
  r.policy_id = row.Text(2);
  r.hosts_targeted = row.Int(3);
  r.results_received = row.Int(4);
  r.created_by = row.Text(5);
  r.started_at = row.Int(6);
  return r;
}

BaselineIgnore IgnoreFromRow(const SqlRow& row) {
  BaselineIgnore i;
  i.id = row.Text(0);
  i.tenant_id = row.Text(1);
  i.policy_id = row.Text(2);
  i.check_id = row.Text(3);
  i.host_id = row.Text(4);
  i.reason = row.Text(5);
  i.created_by = row.Text(6);
  i.created_at = row.Int(7);
  return i;
}

// hosts.risk_baseline_failures = failed, non-ignored results of each host of the tenant (or of
// one host).
Status RecomputeBaselineRisk(SqlConnection& conn, std::string_view tenant_id,
                             std::string_view host_id) {
  std::string sql =
      "UPDATE hosts SET risk_baseline_failures = (SELECT COUNT(*) FROM baseline_results r WHERE "
      "r.host_id = hosts.id AND r.status = 'fail' AND NOT " +
      std::string(kIgnoredExpr) + ") WHERE tenant_id = ?";
  std::vector<SqlValue> params = {Text(tenant_id)};
  if (!host_id.empty()) {
    sql += " AND id = ?";
    params.push_back(Text(host_id));
  }
  return conn.Execute(sql, params).status();
}

Status CheckResultFields(const BaselineCheckResult& r) {
  RAMPART_RETURN_IF_ERROR(CheckText("check id", r.check_id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("check level", r.level, 16));
  RAMPART_RETURN_IF_ERROR(CheckText("check status", r.status, 16));
  return Status::Ok();
}

}  // namespace

Result<BaselinePolicyRecord> SqlStorage::PutBaselinePolicy(BaselinePolicyRecord policy) {
  RAMPART_RETURN_IF_ERROR(CheckText("policy id", policy.id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("policy name", policy.name, 255));
  RAMPART_RETURN_IF_ERROR(CheckText("created by", policy.created_by, kMaxBy, true));
  if (policy.updated_at == 0) policy.updated_at = sql_storage_internal::UnixNow();
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, policy.tenant_id, /*lock=*/false));
    const SqlValue key[] = {policy.tenant_id, policy.id};
    RAMPART_ASSIGN_OR_RETURN(
        auto rows, conn.Query("SELECT created_at, created_by FROM baseline_policies WHERE "
                              "tenant_id = ? AND id = ?" +
                                  std::string(ForUpdate()),
                              key));
    if (!rows.empty()) {
      policy.created_at = rows[0].Int(0);
      policy.created_by = rows[0].Text(1);
      const SqlValue params[] = {policy.name,       policy.yaml,      policy.checks,
                                 policy.updated_at, policy.tenant_id, policy.id};
      return conn
          .Execute(
              "UPDATE baseline_policies SET name = ?, yaml = ?, checks = ?, updated_at = ? WHERE "
              "tenant_id = ? AND id = ?",
              params)
          .status();
    }
    if (policy.created_at == 0) policy.created_at = policy.updated_at;
    const SqlValue params[] = {policy.tenant_id,  policy.id,        policy.name,
                               policy.yaml,       policy.checks,    policy.created_by,
                               policy.created_at, policy.updated_at};
    return conn
        .Execute("INSERT INTO baseline_policies (" + std::string(kPolicyColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 params)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return policy;
}

Result<std::vector<BaselinePolicyRecord>> SqlStorage::ListBaselinePolicies(
    std::string_view tenant_id) {
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(kPolicyColumns) +
                                                " FROM baseline_policies WHERE tenant_id = ? "
                                                "ORDER BY id",
                                            params));
  std::vector<BaselinePolicyRecord> out;
  for (const SqlRow& row : rows) out.push_back(PolicyFromRow(row));
  return out;
}

Result<BaselinePolicyRecord> SqlStorage::GetBaselinePolicy(std::string_view tenant_id,
                                                           std::string_view policy_id) {
  const SqlValue params[] = {Text(tenant_id), Text(policy_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(kPolicyColumns) +
                                                " FROM baseline_policies WHERE tenant_id = ? "
                                                "AND id = ?",
                                            params));
  if (rows.empty()) return NotFound("baseline policy " + std::string(policy_id) + " not found");
  return PolicyFromRow(rows[0]);
}

Status SqlStorage::DeleteBaselinePolicy(std::string_view tenant_id, std::string_view policy_id) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue key[] = {Text(tenant_id), Text(policy_id)};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Execute("DELETE FROM baseline_policies WHERE tenant_id = ? AND id = ?", key));
    if (n == 0) return NotFound("baseline policy " + std::string(policy_id) + " not found");
    for (std::string_view table :
         {"baseline_settings", "baseline_results", "baseline_history", "baseline_ignores"}) {
      RAMPART_RETURN_IF_ERROR(conn.Execute("DELETE FROM " + std::string(table) +
                                               " WHERE tenant_id = ? AND policy_id = ?",
                                           key)
                                  .status());
    }
    return RecomputeBaselineRisk(conn, tenant_id, "");
  });
}

Result<std::vector<BaselinePolicySettings>> SqlStorage::ListBaselineSettings(
    std::string_view tenant_id) {
  std::string sql = "SELECT " + std::string(kSettingsColumns) + " FROM baseline_settings";
  std::vector<SqlValue> params;
  if (!tenant_id.empty()) {
    sql += " WHERE tenant_id = ?";
    params.push_back(Text(tenant_id));
  }
  sql += " ORDER BY tenant_id, policy_id";
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  std::vector<BaselinePolicySettings> out;
  for (const SqlRow& row : rows) out.push_back(SettingsFromRow(row));
  return out;
}

Status SqlStorage::PutBaselineSettings(const BaselinePolicySettings& s) {
  RAMPART_RETURN_IF_ERROR(CheckText("policy id", s.policy_id, kMaxId));
  if (s.interval_days < 0 || s.interval_days > 366 || s.at_minute < 0 || s.at_minute >= 1440) {
    return InvalidArgument("baseline schedule out of range");
  }
  if (!IsValidZoneName(s.time_zone) || s.time_zone.size() > 64) {
    return InvalidArgument("baseline schedule time zone: not an IANA zone name");
  }
  const std::string hosts = Json::StringArray(s.host_ids).Dump();
  const std::int64_t now = s.updated_at != 0 ? s.updated_at : sql_storage_internal::UnixNow();
  return InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, s.tenant_id, /*lock=*/false));
    const SqlValue update[] = {std::int64_t{s.enabled ? 1 : 0},
                               hosts,
                               std::int64_t{s.interval_days},
                               std::int64_t{s.at_minute},
                               s.time_zone,
                               now,
                               s.tenant_id,
                               s.policy_id};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Execute(
            "UPDATE baseline_settings SET enabled = ?, host_ids = ?, interval_days = ?, "
            "at_minute = ?, time_zone = ?, updated_at = ? WHERE tenant_id = ? AND policy_id = ?",
            update));
    if (n > 0) return Status::Ok();
    const SqlValue insert[] = {s.tenant_id,
                               s.policy_id,
                               std::int64_t{s.enabled ? 1 : 0},
                               hosts,
                               std::int64_t{s.interval_days},
                               std::int64_t{s.at_minute},
                               now,
                               s.time_zone};
    return conn
        .Execute("INSERT INTO baseline_settings (" + std::string(kSettingsColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, 0, '', ?, ?)",
                 insert)
        .status();
  });
}

Result<BaselineRun> SqlStorage::CreateBaselineRun(BaselineRun run) {
  RAMPART_RETURN_IF_ERROR(CheckText("policy id", run.policy_id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("created by", run.created_by, kMaxBy));
  if (run.id.empty()) run.id = wire::RandomId("brun");
  if (run.started_at == 0) run.started_at = sql_storage_internal::UnixNow();
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, run.tenant_id, /*lock=*/false));
    const SqlValue params[] = {
        run.id,         run.tenant_id, run.policy_id, run.hosts_targeted, run.results_received,
        run.created_by, run.started_at};
    RAMPART_RETURN_IF_ERROR(conn.Execute("INSERT INTO baseline_runs (" + std::string(kRunColumns) +
                                             ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                                         params)
                                .status());
    const SqlValue last[] = {run.started_at, run.id, run.tenant_id, run.policy_id};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Execute("UPDATE baseline_settings SET last_run_at = ?, last_run_id = ? WHERE "
                     "tenant_id = ? AND policy_id = ?",
                     last));
    if (n > 0) return Status::Ok();
    const SqlValue insert[] = {run.tenant_id, run.policy_id, run.started_at, run.id,
                               run.started_at};
    return conn
        .Execute("INSERT INTO baseline_settings (" + std::string(kSettingsColumns) +
                     ") VALUES (?, ?, 1, '[]', 0, 0, ?, ?, ?, 'UTC')",
                 insert)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return run;
}

Result<BaselineRun> SqlStorage::GetBaselineRun(std::string_view tenant_id,
                                               std::string_view run_id) {
  const SqlValue params[] = {Text(tenant_id), Text(run_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT " + std::string(kRunColumns) +
                                                " FROM baseline_runs WHERE tenant_id = ? AND "
                                                "id = ?",
                                            params));
  if (rows.empty()) return NotFound("baseline run " + std::string(run_id) + " not found");
  return RunFromRow(rows[0]);
}

Result<BaselineIngest> SqlStorage::ApplyBaselineResults(std::string_view host_id,
                                                        const BaselineResultsBatch& batch,
                                                        std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(CheckText("batch key", batch.idempotency_key, kMaxBatchKey));
  RAMPART_RETURN_IF_ERROR(CheckText("policy id", batch.policy_id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("run id", batch.run_id, 64, /*allow_empty=*/true));
  for (const BaselineCheckResult& r : batch.results) RAMPART_RETURN_IF_ERROR(CheckResultFields(r));
  BaselineIngest out;
  const std::string day = Day(now);
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    out = BaselineIngest{};
    RAMPART_ASSIGN_OR_RETURN(Host host, LoadHost(conn, std::nullopt, host_id, /*lock=*/true));
    const SqlValue seen_key[] = {Text(host_id), batch.idempotency_key};
    RAMPART_ASSIGN_OR_RETURN(
        auto seen,
        conn.Query("SELECT 1 FROM batch_keys WHERE host_id = ? AND batch_key = ?", seen_key));
    if (!seen.empty()) {
      out.duplicate = true;
      return Status::Ok();
    }
    const SqlValue hp[] = {Text(host_id), batch.policy_id};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("DELETE FROM baseline_results WHERE host_id = ? AND policy_id = ?", hp)
            .status());
    for (std::size_t start = 0; start < batch.results.size(); start += kResultsPerInsert) {
      const std::size_t end = std::min(batch.results.size(), start + kResultsPerInsert);
      std::string sql =
          "INSERT INTO baseline_results (tenant_id, host_id, policy_id, check_id, title, level, "
          "status, evidence, remediation, fix_command, refs, run_id, checked_at) VALUES ";
      std::vector<SqlValue> params;
      for (std::size_t i = start; i < end; ++i) {
        const BaselineCheckResult& r = batch.results[i];
        if (i > start) sql += ", ";
        sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        params.insert(params.end(),
                      {host.tenant_id, host.id, batch.policy_id, r.check_id, r.title, r.level,
                       r.status, r.evidence, r.remediation, r.remediation_command,
                       Json::StringArray(r.references).Dump(), batch.run_id, now});
      }
      RAMPART_RETURN_IF_ERROR(conn.Execute(sql, params).status());
    }
    out.stored = static_cast<std::int64_t>(batch.results.size());
    // The day's history row of host x policy: the counts as of this batch, ignores applied.
    RAMPART_ASSIGN_OR_RETURN(
        auto counts,
        conn.Query("SELECT r.status, COUNT(*) FROM baseline_results r WHERE r.host_id = ? AND "
                   "r.policy_id = ? AND r.status IN ('pass', 'fail') AND NOT " +
                       std::string(kIgnoredExpr) + " GROUP BY r.status",
                   hp));
    std::int64_t passed = 0, failed = 0;
    for (const SqlRow& row : counts) {
      (row.Text(0) == "pass" ? passed : failed) = row.Int(1);
    }
    const SqlValue hist_key[] = {Text(host_id), batch.policy_id, day};
    RAMPART_RETURN_IF_ERROR(conn.Execute("DELETE FROM baseline_history WHERE host_id = ? AND "
                                         "policy_id = ? AND day = ?",
                                         hist_key)
                                .status());
    const SqlValue hist[] = {host.tenant_id, host.id, batch.policy_id, day, passed, failed};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("INSERT INTO baseline_history (tenant_id, host_id, policy_id, day, passed, "
                     "failed) VALUES (?, ?, ?, ?, ?, ?)",
                     hist)
            .status());
    if (!batch.run_id.empty()) {
      const SqlValue run[] = {batch.run_id, host.tenant_id};
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("UPDATE baseline_runs SET results_received = results_received + 1 WHERE "
                       "id = ? AND tenant_id = ?",
                       run)
              .status());
    }
    RAMPART_RETURN_IF_ERROR(RecomputeBaselineRisk(conn, host.tenant_id, host.id));
    return sql_storage_internal::RecordBatchKey(conn, host.tenant_id, host.id,
                                                batch.idempotency_key, now);
  });
  RAMPART_RETURN_IF_ERROR(status);
  return out;
}

Result<std::vector<BaselineResultRow>> SqlStorage::ListBaselineResults(
    std::string_view tenant_id, const BaselineResultQuery& query) {
  std::string sql =
      "SELECT r.tenant_id, r.host_id, h.hostname, r.policy_id, r.check_id, r.title, r.level, "
      "r.status, r.evidence, r.remediation, r.refs, r.run_id, r.checked_at, r.fix_command, " +
      std::string(kIgnoredExpr) +
      " FROM baseline_results r JOIN hosts h ON h.id = r.host_id WHERE r.tenant_id = ?";
  std::vector<SqlValue> params = {Text(tenant_id)};
  sql_storage_internal::AndEqualsIfSet(sql, params, "r.policy_id", query.policy_id);
  sql_storage_internal::AndEqualsIfSet(sql, params, "r.host_id", query.host_id);
  sql_storage_internal::AndEqualsIfSet(sql, params, "r.check_id", query.check_id);
  sql_storage_internal::AndEqualsIfSet(sql, params, "r.status", query.status);
  sql += " ORDER BY r.policy_id, r.check_id, h.hostname, r.host_id";
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  std::vector<BaselineResultRow> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    BaselineResultRow r;
    r.tenant_id = row.Text(0);
    r.host_id = row.Text(1);
    r.hostname = row.Text(2);
    r.policy_id = row.Text(3);
    r.result.check_id = row.Text(4);
    r.result.title = row.Text(5);
    r.result.level = row.Text(6);
    r.result.status = row.Text(7);
    r.result.evidence = row.Text(8);
    r.result.remediation = row.Text(9);
    r.result.references = Strings(row.Text(10));
    r.run_id = row.Text(11);
    r.checked_at = row.Int(12);
    r.result.remediation_command = row.Text(13);
    r.ignored = row.Int(14) != 0;
    out.push_back(std::move(r));
  }
  return out;
}

Result<BaselineCounts> SqlStorage::CountBaselineResults(std::string_view tenant_id,
                                                        std::string_view policy_id) {
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string where = " WHERE r.tenant_id = ?";
  if (!policy_id.empty()) {
    where += " AND r.policy_id = ?";
    params.push_back(Text(policy_id));
  }
  auto count = [](std::string_view status) {
    return "SUM(CASE WHEN x.ig = 0 AND x.status = '" + std::string(status) + "' THEN 1 ELSE 0 END)";
  };
  const std::string sql =
      "SELECT x.policy_id, x.check_id, MAX(x.title), MAX(x.level), MAX(x.remediation), "
      "MAX(x.fix_command), MAX(x.refs), " +
      count("pass") + ", " + count("fail") + ", " + count("not_applicable") + ", " +
      count("error") +
      ", SUM(x.ig) FROM (SELECT r.policy_id, r.check_id, r.title, r.level, r.remediation, "
      "r.fix_command, r.refs, r.status, CASE WHEN " +
      std::string(kIgnoredExpr) + " THEN 1 ELSE 0 END AS ig FROM baseline_results r" + where +
      ") x GROUP BY x.policy_id, x.check_id ORDER BY x.policy_id, x.check_id";
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  BaselineCounts out;
  for (const SqlRow& row : rows) {
    BaselineCheckCount c;
    c.policy_id = row.Text(0);
    c.check.check_id = row.Text(1);
    c.check.title = row.Text(2);
    c.check.level = row.Text(3);
    c.check.remediation = row.Text(4);
    c.check.remediation_command = row.Text(5);
    c.check.references = Strings(row.Text(6));
    c.passed = row.Int(7);
    c.failed = row.Int(8);
    c.not_applicable = row.Int(9);
    c.error = row.Int(10);
    c.ignored = row.Int(11);
    out.checks.push_back(std::move(c));
  }
  RAMPART_ASSIGN_OR_RETURN(
      auto hosts, Query("SELECT r.policy_id, COUNT(DISTINCT r.host_id) FROM baseline_results r" +
                            where + " GROUP BY r.policy_id ORDER BY r.policy_id",
                        params));
  for (const SqlRow& row : hosts) out.hosts_per_policy.emplace_back(row.Text(0), row.Int(1));
  RAMPART_ASSIGN_OR_RETURN(
      auto total,
      Query("SELECT COUNT(DISTINCT r.host_id) FROM baseline_results r" + where, params));
  out.hosts = total.empty() ? 0 : total[0].Int(0);
  return out;
}

Result<BaselineIgnore> SqlStorage::CreateBaselineIgnore(BaselineIgnore ignore) {
  RAMPART_RETURN_IF_ERROR(CheckText("policy id", ignore.policy_id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("check id", ignore.check_id, kMaxId, true));
  RAMPART_RETURN_IF_ERROR(CheckText("host id", ignore.host_id, 64, true));
  RAMPART_RETURN_IF_ERROR(CheckText("reason", ignore.reason, 4096, true));
  RAMPART_RETURN_IF_ERROR(CheckText("created by", ignore.created_by, kMaxBy, true));
  if (ignore.check_id.empty() && ignore.host_id.empty()) {
    return InvalidArgument("an ignore needs a check id, a host id or both");
  }
  if (ignore.id.empty()) ignore.id = wire::RandomId("bign");
  if (ignore.created_at == 0) ignore.created_at = sql_storage_internal::UnixNow();
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, ignore.tenant_id, /*lock=*/false));
    if (!ignore.host_id.empty()) {
      RAMPART_RETURN_IF_ERROR(LoadHost(conn, ignore.tenant_id, ignore.host_id, false).status());
    }
    const SqlValue params[] = {ignore.id,         ignore.tenant_id, ignore.policy_id,
                               ignore.check_id,   ignore.host_id,   ignore.reason,
                               ignore.created_by, ignore.created_at};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("INSERT INTO baseline_ignores (id, tenant_id, policy_id, check_id, host_id, "
                     "reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     params)
            .status());
    return RecomputeBaselineRisk(conn, ignore.tenant_id, ignore.host_id);
  });
  RAMPART_RETURN_IF_ERROR(status);
  return ignore;
}

Result<std::vector<BaselineIgnore>> SqlStorage::ListBaselineIgnores(std::string_view tenant_id) {
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT id, tenant_id, policy_id, check_id, host_id, reason, created_by, "
                       "created_at FROM baseline_ignores WHERE tenant_id = ? ORDER BY "
                       "created_at, id",
                       params));
  std::vector<BaselineIgnore> out;
  for (const SqlRow& row : rows) out.push_back(IgnoreFromRow(row));
  return out;
}

Status SqlStorage::DeleteBaselineIgnore(std::string_view tenant_id, std::string_view ignore_id) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue key[] = {Text(tenant_id), Text(ignore_id)};
    RAMPART_ASSIGN_OR_RETURN(
        auto rows,
        conn.Query("SELECT host_id FROM baseline_ignores WHERE tenant_id = ? AND id = ?", key));
    if (rows.empty()) return NotFound("baseline ignore " + std::string(ignore_id) + " not found");
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("DELETE FROM baseline_ignores WHERE tenant_id = ? AND id = ?", key).status());
    return RecomputeBaselineRisk(conn, tenant_id, rows[0].Text(0));
  });
}

Result<std::vector<BaselineDay>> SqlStorage::BaselineTrend(std::string_view tenant_id,
                                                           std::string_view since_date) {
  const SqlValue params[] = {Text(tenant_id), Text(since_date)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT day, SUM(passed), SUM(failed), COUNT(DISTINCT host_id) FROM "
                       "baseline_history WHERE tenant_id = ? AND day >= ? GROUP BY day ORDER BY "
                       "day",
                       params));
  std::vector<BaselineDay> out;
  for (const SqlRow& row : rows) {
    out.push_back(BaselineDay{row.Text(0), row.Int(1), row.Int(2), row.Int(3)});
  }
  return out;
}

}  // namespace rampart::server
