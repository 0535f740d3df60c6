// SqlStorage: vulnerability management. Advisories and feed imports (platform-wide reference
// data), the rematch queue, per-host findings with their status, ignore rules and emergency flags
// (tenant rows).

#include <algorithm>
#include <map>
#include <set>

#include "common/wire.h"
#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::AndEqualsIfSet;
using sql_storage_internal::CheckText;
using sql_storage_internal::PagePlan;
using sql_storage_internal::PlanPage;
using sql_storage_internal::Text;

namespace {

constexpr std::size_t kMaxVulnId = 128;
constexpr std::size_t kMaxPackage = 255;
constexpr std::size_t kMaxFeedName = 255;
constexpr std::size_t kMaxVersion = 255;
constexpr std::size_t kAdvisoriesPerStatement = 100;
constexpr std::size_t kBytesPerStatement = 4 << 20;  // well under MySQL's max_allowed_packet
constexpr std::string_view kGenerationKey = "feed_generation";

int SeverityRank(std::string_view severity) {
  if (severity == "critical") return 4;
  if (severity == "high") return 3;
  if (severity == "medium") return 2;
  if (severity == "low") return 1;
  return 0;
}
std::string_view SeverityOfRank(std::int64_t rank) {
  constexpr std::string_view kNames[] = {"unknown", "low", "medium", "high", "critical"};
  return rank >= 0 && rank <= 4 ? kNames[rank] : "unknown";
}

double Real(const SqlRow& row, std::size_t i) {
  if (const auto* d = std::get_if<double>(&row.columns[i])) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&row.columns[i])) return static_cast<double>(*n);
  return std::strtod(row.Text(i).c_str(), nullptr);
}

std::vector<std::string> StringList(const std::string& text) {
  std::vector<std::string> out;
  auto j = Json::Parse(text);
  if (!j.ok() || !j->is_array()) return out;
  for (const Json& item : j->as_array()) {
    if (item.is_string()) out.push_back(item.as_string());
  }
  return out;
}

std::string FindingKey(std::string_view vuln_id, std::string_view package,
                       std::string_view host_id) {
  std::string key(vuln_id);
  key.append("|").append(package).append("|").append(host_id);
  return key;
}

constexpr std::string_view kFindingColumns =
    "f.tenant_id, f.host_id, h.hostname, f.vuln_id, f.package, f.ids, f.installed_version, "
    "f.fixed_version, f.severity, f.score, f.summary, f.fix_command, f.detail, f.status, "
    "f.manual_ignore, f.ignored_by, f.first_detected, f.last_detected, f.fixed_at, "
    "f.severity_rank, f.fkey";

Result<HostFinding> FindingFromRow(const SqlRow& row) {
  HostFinding f;
  f.tenant_id = row.Text(0);
  f.host_id = row.Text(1);
  f.hostname = row.Text(2);
  f.vuln_id = row.Text(3);
  f.package = row.Text(4);
  f.ids = StringList(row.Text(5));
  f.installed_version = row.Text(6);
  f.fixed_version = row.Text(7);
  f.severity = row.Text(8);
  f.score = Real(row, 9);
  f.summary = row.Text(10);
  f.fix_command = row.Text(11);
  auto detail = Json::Parse(row.Text(12));
  if (!detail.ok() || !detail->is_object()) {
    return DataLoss("finding " + f.vuln_id + " on host " + f.host_id + ": detail is not JSON");
  }
  f.detail = std::move(*detail);
  RAMPART_ASSIGN_OR_RETURN(f.status, ParseFindingStatus(row.Text(13)));
  f.manually_ignored = row.Int(14) != 0;
  f.ignored_by = row.Text(15);
  f.first_detected = row.Int(16);
  f.last_detected = row.Int(17);
  f.fixed_at = row.Int(18);
  return f;
}

IgnoreRule RuleFromRow(const SqlRow& row) {
  IgnoreRule r;
  r.id = row.Text(0);
  r.tenant_id = row.Text(1);
  r.vuln_id = row.Text(2);
  r.package = row.Text(3);
  r.host_ids = StringList(row.Text(4));
  r.reason = row.Text(5);
  r.created_at = row.Int(6);
  return r;
}

constexpr std::string_view kRuleColumns =
    "id, tenant_id, vuln_id, package, host_ids, reason, created_at";

Result<std::vector<IgnoreRule>> LoadRules(SqlConnection& conn, std::string_view tenant_id) {
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT " + std::string(kRuleColumns) +
                                                     " FROM vuln_ignore_rules WHERE tenant_id = ? "
                                                     "ORDER BY created_at, id",
                                                 params));
  std::vector<IgnoreRule> rules;
  for (const SqlRow& row : rows) rules.push_back(RuleFromRow(row));
  return rules;
}

// The status of a detected finding and who ignored it.
std::pair<FindingStatus, std::string> OpenStatus(const HostFinding& f,
                                                 const std::vector<IgnoreRule>& rules) {
  if (f.manually_ignored) return {FindingStatus::kIgnored, "user"};
  for (const IgnoreRule& rule : rules) {
    if (IgnoreRuleMatches(rule, f)) return {FindingStatus::kIgnored, "rule:" + rule.id};
  }
  return {FindingStatus::kPending, ""};
}

Status UpdateRiskCounter(SqlConnection& conn, const std::string& host_id) {
  const SqlValue params[] = {host_id, host_id};
  return conn
      .Execute(
          "UPDATE hosts SET risk_vulnerabilities = (SELECT COUNT(*) FROM vuln_findings "
          "WHERE host_id = ? AND status = 'pending') WHERE id = ?",
          params)
      .status();
}

Status CheckFinding(const HostFinding& f) {
  RAMPART_RETURN_IF_ERROR(CheckText("vuln_id", f.vuln_id, kMaxVulnId));
  RAMPART_RETURN_IF_ERROR(CheckText("package", f.package, kMaxPackage));
  RAMPART_RETURN_IF_ERROR(CheckText("installed_version", f.installed_version, kMaxVersion, true));
  RAMPART_RETURN_IF_ERROR(CheckText("fixed_version", f.fixed_version, kMaxVersion, true));
  return Status::Ok();
}

// Status filter: "" means open (pending and ignored).
Result<std::string> StatusCondition(std::string_view status, std::vector<SqlValue>* params) {
  if (status.empty()) return std::string(" AND f.status <> 'fixed'");
  RAMPART_ASSIGN_OR_RETURN(FindingStatus s, ParseFindingStatus(status));
  params->push_back(std::string(FindingStatusName(s)));
  return std::string(" AND f.status = ?");
}

}  // namespace

// ---- Advisories and feeds ----

Result<FeedImport> SqlStorage::ImportAdvisories(FeedImport import,
                                                const std::vector<StoredAdvisory>& records) {
  RAMPART_RETURN_IF_ERROR(CheckText("feed name", import.name, kMaxFeedName));
  for (const StoredAdvisory& a : records) {
    RAMPART_RETURN_IF_ERROR(CheckText("advisory id", a.id, kMaxVulnId));
    RAMPART_RETURN_IF_ERROR(CheckText("advisory modified", a.modified, 64, true));
  }
  // The last copy of an id within one import wins, as in AdvisorySet.
  std::map<std::string_view, const StoredAdvisory*> by_id;
  for (const StoredAdvisory& a : records) {
    auto [it, added] = by_id.emplace(a.id, &a);
    if (!added && !(a.modified < it->second->modified)) it->second = &a;
  }
  std::vector<const StoredAdvisory*> unique;
  unique.reserve(by_id.size());
  for (const auto& [id, a] : by_id) unique.push_back(a);
  const std::int64_t now = import.imported_at;
  FeedImport done;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    done = import;
    done.inserted = done.updated = done.unchanged = done.withdrawn = 0;
    std::vector<const StoredAdvisory*> write;
    for (std::size_t i = 0; i < unique.size(); i += kAdvisoriesPerStatement) {
      const std::size_t n = std::min(kAdvisoriesPerStatement, unique.size() - i);
      std::string sql = "SELECT id, modified FROM vuln_advisories WHERE id IN (";
      std::vector<SqlValue> params;
      for (std::size_t k = 0; k < n; ++k) {
        sql += k == 0 ? "?" : ", ?";
        params.push_back(unique[i + k]->id);
      }
      sql += ")";
      RAMPART_ASSIGN_OR_RETURN(auto rows, conn.Query(sql, params));
      std::map<std::string, std::string> stored;
      for (const SqlRow& row : rows) stored.emplace(row.Text(0), row.Text(1));
      for (std::size_t k = 0; k < n; ++k) {
        const StoredAdvisory* a = unique[i + k];
        if (a->withdrawn) ++done.withdrawn;
        auto it = stored.find(a->id);
        if (it == stored.end()) {
          ++done.inserted;
        } else if (!a->modified.empty() && !it->second.empty() && a->modified <= it->second) {
          ++done.unchanged;
          continue;
        } else {
          ++done.updated;
        }
        write.push_back(a);
      }
    }
    std::size_t i = 0;
    while (i < write.size()) {
      std::vector<SqlValue> params;
      std::size_t n = 0;
      std::size_t bytes = 0;
      while (i + n < write.size() && n < kAdvisoriesPerStatement &&
             (n == 0 || bytes < kBytesPerStatement)) {
        const StoredAdvisory* a = write[i + n];
        params.insert(params.end(), {a->id, a->modified, std::int64_t{a->withdrawn ? 1 : 0},
                                     import.name, a->data, now});
        bytes += a->data.size();
        ++n;
      }
      std::string sql =
          "INSERT INTO vuln_advisories (id, modified, withdrawn, feed, data, updated_at) VALUES ";
      for (std::size_t k = 0; k < n; ++k)
        sql += k == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)";
      sql += mysql() ? " ON DUPLICATE KEY UPDATE modified = VALUES(modified), withdrawn = "
                       "VALUES(withdrawn), feed = VALUES(feed), data = VALUES(data), "
                       "updated_at = VALUES(updated_at)"
                     : " ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, withdrawn = "
                       "excluded.withdrawn, feed = excluded.feed, data = excluded.data, "
                       "updated_at = excluded.updated_at";
      RAMPART_RETURN_IF_ERROR(conn.Execute(sql, params).status());
      i += n;
    }
    // The generation row is locked (MySQL) or the database is (SQLite), so concurrent imports get
    // distinct generations.
    const SqlValue key[] = {std::string(kGenerationKey)};
    RAMPART_ASSIGN_OR_RETURN(
        auto gen,
        conn.Query("SELECT value FROM vuln_state WHERE name = ?" + std::string(ForUpdate()), key));
    done.generation = gen.empty() ? 1 : gen[0].Int(0) + 1;
    const SqlValue set[] = {done.generation, std::string(kGenerationKey)};
    if (gen.empty()) {
      const SqlValue insert[] = {std::string(kGenerationKey), done.generation};
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("INSERT INTO vuln_state (name, value) VALUES (?, ?)", insert).status());
    } else {
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("UPDATE vuln_state SET value = ? WHERE name = ?", set).status());
    }
    const SqlValue name[] = {import.name};
    RAMPART_RETURN_IF_ERROR(conn.Execute("DELETE FROM vuln_feeds WHERE name = ?", name).status());
    const SqlValue feed[] = {import.name,    import.records, import.skipped, done.inserted,
                             done.updated,   done.unchanged, done.withdrawn, now,
                             done.generation};
    return conn
        .Execute(
            "INSERT INTO vuln_feeds (name, records, skipped, inserted, updated, unchanged, "
            "withdrawn, imported_at, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            feed)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return done;
}

Result<std::int64_t> SqlStorage::FeedGeneration() {
  const SqlValue key[] = {std::string(kGenerationKey)};
  RAMPART_ASSIGN_OR_RETURN(auto rows, Query("SELECT value FROM vuln_state WHERE name = ?", key));
  return rows.empty() ? 0 : rows[0].Int(0);
}

Result<std::vector<StoredAdvisory>> SqlStorage::LoadAdvisories() {
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           Query("SELECT id, modified, withdrawn, data FROM vuln_advisories", {}));
  std::vector<StoredAdvisory> out;
  out.reserve(rows.size());
  for (SqlRow& row : rows) {
    StoredAdvisory a;
    a.id = row.Text(0);
    a.modified = row.Text(1);
    a.withdrawn = row.Int(2) != 0;
    if (auto* text = std::get_if<std::string>(&row.columns[3])) {
      a.data = std::move(*text);
    } else {
      a.data = row.Text(3);
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<FeedImport>> SqlStorage::ListFeedImports() {
  RAMPART_ASSIGN_OR_RETURN(
      auto rows, Query("SELECT name, records, skipped, inserted, updated, unchanged, withdrawn, "
                       "imported_at, generation FROM vuln_feeds ORDER BY name",
                       {}));
  std::vector<FeedImport> out;
  for (const SqlRow& row : rows) {
    out.push_back(FeedImport{row.Text(0), row.Int(1), row.Int(2), row.Int(3), row.Int(4),
                             row.Int(5), row.Int(6), row.Int(7), row.Int(8)});
  }
  return out;
}

// ---- Rematch queue ----

Status SqlStorage::MarkHostsForRematch(std::string_view tenant_id,
                                       const std::vector<std::string>& host_ids, std::int64_t now) {
  const std::string mark = wire::RandomId("m");
  const std::string upsert =
      mysql() ? " ON DUPLICATE KEY UPDATE mark = VALUES(mark), marked_at = VALUES(marked_at)"
              : " ON CONFLICT (host_id) DO UPDATE SET mark = excluded.mark, "
                "marked_at = excluded.marked_at";
  return InTransaction([&](SqlConnection& conn) -> Status {
    if (host_ids.empty()) {
      std::vector<SqlValue> params = {mark, now};
      std::string sql =
          "INSERT INTO vuln_rematch (host_id, tenant_id, mark, marked_at) "
          "SELECT id, tenant_id, ?, ? FROM hosts WHERE status <> 'UNINSTALLED'";
      if (!tenant_id.empty()) {
        sql += " AND tenant_id = ?";
        params.push_back(Text(tenant_id));
      }
      // SQLite needs a WHERE on an INSERT ... SELECT before ON CONFLICT to parse it.
      sql += mysql() ? "" : " AND 1";
      return conn.Execute(sql + upsert, params).status();
    }
    for (const std::string& host_id : host_ids) {
      const SqlValue params[] = {mark, now, host_id, Text(tenant_id)};
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("INSERT INTO vuln_rematch (host_id, tenant_id, mark, marked_at) "
                       "SELECT id, tenant_id, ?, ? FROM hosts WHERE id = ? AND tenant_id = ?" +
                           upsert,
                       params)
              .status());
    }
    return Status::Ok();
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SqlStorage::QueuedRematches(int limit) {
  const SqlValue params[] = {std::int64_t{std::max(1, limit)}};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows,
      Query("SELECT host_id, mark FROM vuln_rematch ORDER BY marked_at, host_id LIMIT ?", params));
  std::vector<std::pair<std::string, std::string>> out;
  for (const SqlRow& row : rows) out.emplace_back(row.Text(0), row.Text(1));
  return out;
}

Status SqlStorage::FinishRematch(std::string_view host_id, std::string_view mark) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {Text(host_id), Text(mark)};
    return conn.Execute("DELETE FROM vuln_rematch WHERE host_id = ? AND mark = ?", params).status();
  });
}

Result<bool> SqlStorage::ClaimScheduledScan(std::string_view tenant_id,
                                            std::int64_t interval_seconds, std::int64_t now) {
  bool due = false;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, tenant_id, /*lock=*/true));
    const SqlValue key[] = {Text(tenant_id)};
    RAMPART_ASSIGN_OR_RETURN(
        auto rows, conn.Query("SELECT last_scan_at FROM vuln_schedule WHERE tenant_id = ?", key));
    if (!rows.empty() && rows[0].Int(0) + interval_seconds > now) return Status::Ok();
    due = true;
    if (rows.empty()) {
      const SqlValue insert[] = {Text(tenant_id), now};
      return conn
          .Execute("INSERT INTO vuln_schedule (tenant_id, last_scan_at) VALUES (?, ?)", insert)
          .status();
    }
    const SqlValue update[] = {now, Text(tenant_id)};
    return conn.Execute("UPDATE vuln_schedule SET last_scan_at = ? WHERE tenant_id = ?", update)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return due;
}

// ---- Findings ----

Result<RematchResult> SqlStorage::ReplaceHostFindings(
    std::string_view tenant_id, std::string_view host_id, std::vector<HostFinding> current,
    const std::function<bool(const std::string&)>& still_advised, std::int64_t now) {
  for (const HostFinding& f : current) RAMPART_RETURN_IF_ERROR(CheckFinding(f));
  const std::string host(host_id);
  RematchResult result;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    result = RematchResult{};
    RAMPART_RETURN_IF_ERROR(LoadHost(conn, tenant_id, host_id, /*lock=*/true).status());
    RAMPART_ASSIGN_OR_RETURN(std::vector<IgnoreRule> rules, LoadRules(conn, tenant_id));
    const SqlValue key[] = {host};
    RAMPART_ASSIGN_OR_RETURN(
        auto rows, conn.Query("SELECT vuln_id, package, status, manual_ignore, first_detected, "
                              "detail, ignored_by, last_detected FROM vuln_findings "
                              "WHERE host_id = ?",
                              key));
    struct Prev {
      std::string status;
      bool manual;
      std::int64_t first;
      std::string detail;
      std::string ignored_by;
      std::int64_t last;
      bool seen = false;
    };
    std::map<std::pair<std::string, std::string>, Prev> prev;
    for (const SqlRow& row : rows) {
      prev[{row.Text(0), row.Text(1)}] =
          Prev{row.Text(2), row.Int(3) != 0, row.Int(4), row.Text(5), row.Text(6), row.Int(7)};
    }
    // Every open finding is seen again (or fixed below): one statement refreshes last_detected.
    const SqlValue touch[] = {now, host};
    RAMPART_RETURN_IF_ERROR(conn.Execute("UPDATE vuln_findings SET last_detected = ? "
                                         "WHERE host_id = ? AND status <> 'fixed'",
                                         touch)
                                .status());
    for (HostFinding& f : current) {
      f.tenant_id = std::string(tenant_id);
      f.host_id = host;
      ++result.detected;
      auto it = prev.find({f.vuln_id, f.package});
      const bool existed = it != prev.end();
      if (existed) {
        it->second.seen = true;
        f.manually_ignored = it->second.manual;
      }
      auto [st, by] = OpenStatus(f, rules);
      const std::string detail = f.detail.Dump();
      const std::string status_name(FindingStatusName(st));
      if (existed && it->second.status == status_name && it->second.detail == detail &&
          it->second.ignored_by == by) {
        continue;  // unchanged: last_detected was refreshed above
      }
      const SqlValue params[] = {Json::StringArray(f.ids).Dump(),
                                 f.installed_version,
                                 f.fixed_version,
                                 f.severity,
                                 std::int64_t{SeverityRank(f.severity)},
                                 f.score,
                                 f.summary,
                                 f.fix_command,
                                 detail,
                                 status_name,
                                 std::int64_t{f.manually_ignored ? 1 : 0},
                                 by,
                                 existed ? it->second.first : now,
                                 now,
                                 std::string(tenant_id),
                                 FindingKey(f.vuln_id, f.package, host),
                                 host,
                                 f.vuln_id,
                                 f.package};
      if (existed) {
        RAMPART_RETURN_IF_ERROR(
            conn.Execute("UPDATE vuln_findings SET ids = ?, installed_version = ?, "
                         "fixed_version = ?, severity = ?, severity_rank = ?, score = ?, "
                         "summary = ?, fix_command = ?, detail = ?, status = ?, "
                         "manual_ignore = ?, ignored_by = ?, first_detected = ?, "
                         "last_detected = ?, fixed_at = 0, tenant_id = ?, fkey = ? "
                         "WHERE host_id = ? AND vuln_id = ? AND package = ?",
                         params)
                .status());
      } else {
        ++result.new_findings;
        RAMPART_RETURN_IF_ERROR(
            conn.Execute("INSERT INTO vuln_findings (ids, installed_version, fixed_version, "
                         "severity, severity_rank, score, summary, fix_command, detail, status, "
                         "manual_ignore, ignored_by, first_detected, last_detected, tenant_id, "
                         "fkey, host_id, vuln_id, package, fixed_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                         params)
                .status());
      }
    }
    for (const auto& [id, p] : prev) {
      if (p.seen) continue;
      const SqlValue where[] = {host, id.first, id.second};
      if (!still_advised(id.first)) {
        ++result.removed;
        RAMPART_RETURN_IF_ERROR(conn.Execute("DELETE FROM vuln_findings WHERE host_id = ? AND "
                                             "vuln_id = ? AND package = ?",
                                             where)
                                    .status());
        continue;
      }
      if (p.status == "fixed") continue;
      ++result.fixed;
      // last_detected goes back to the last rematch that matched it (the refresh above touched it).
      const SqlValue fix[] = {now, p.last, host, id.first, id.second};
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("UPDATE vuln_findings SET status = 'fixed', fixed_at = ?, "
                       "last_detected = ? WHERE host_id = ? AND vuln_id = ? AND package = ?",
                       fix)
              .status());
    }
    return UpdateRiskCounter(conn, host);
  });
  RAMPART_RETURN_IF_ERROR(status);
  return result;
}

Result<Page<HostFinding>> SqlStorage::ListHostFindings(std::string_view tenant_id,
                                                       const HostFindingQuery& query) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan, PlanPage(query.page, "findings", true, Json::Type::kInt));
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(RequireTenant(*lease, tenant_id, false));
  if (!query.host_id.empty()) {
    RAMPART_RETURN_IF_ERROR(LoadHost(*lease, tenant_id, query.host_id, false).status());
  }
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql = "SELECT " + std::string(kFindingColumns) +
                    " FROM vuln_findings f JOIN hosts h ON h.id = f.host_id WHERE f.tenant_id = ?";
  AndEqualsIfSet(sql, params, "f.host_id", query.host_id);
  AndEqualsIfSet(sql, params, "f.vuln_id", query.vuln_id);
  RAMPART_ASSIGN_OR_RETURN(std::string status_sql, StatusCondition(query.status, &params));
  sql += status_sql;
  AndEqualsIfSet(sql, params, "f.severity", query.severity);
  AndEqualsIfSet(sql, params, "f.package", query.package);
  if (plan.after) {
    const std::int64_t rank = plan.after->value.as_int();
    sql += " AND (f.severity_rank < ? OR (f.severity_rank = ? AND f.fkey > ?))";
    params.insert(params.end(), {rank, rank, plan.after->last_id});
  }
  sql += " ORDER BY f.severity_rank DESC, f.fkey LIMIT ?";
  params.push_back(std::int64_t{plan.limit + 1});
  RAMPART_ASSIGN_OR_RETURN(auto rows, lease->Query(sql, params));
  Page<HostFinding> page;
  const std::size_t limit = static_cast<std::size_t>(plan.limit);
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    RAMPART_ASSIGN_OR_RETURN(HostFinding f, FindingFromRow(rows[i]));
    page.items.push_back(std::move(f));
  }
  if (rows.size() > limit) {
    const SqlRow& last = rows[limit - 1];
    page.next_cursor =
        EncodeCursor(PageCursor{"findings", true, Json(last.Int(19)), last.Text(20)});
  }
  return page;
}

Result<Page<VulnSummary>> SqlStorage::ListVulnerabilities(std::string_view tenant_id,
                                                          const VulnQuery& query) {
  RAMPART_ASSIGN_OR_RETURN(PagePlan plan,
                           PlanPage(query.page, "vulnerabilities", true, Json::Type::kInt));
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(RequireTenant(*lease, tenant_id, false));
  std::vector<SqlValue> params = {Text(tenant_id)};
  std::string sql =
      "SELECT f.vuln_id, MAX(f.severity_rank), MAX(f.score), MAX(f.summary), MAX(f.ids), "
      "COUNT(DISTINCT f.host_id), MIN(f.first_detected), MAX(f.last_detected) "
      "FROM vuln_findings f WHERE f.tenant_id = ?";
  RAMPART_ASSIGN_OR_RETURN(std::string status_sql, StatusCondition(query.status, &params));
  sql += status_sql;
  AndEqualsIfSet(sql, params, "f.severity", query.severity);
  AndEqualsIfSet(sql, params, "f.package", query.package);
  if (query.emergency_only) {
    sql += " AND f.vuln_id IN (SELECT vuln_id FROM vuln_emergencies WHERE tenant_id = ?)";
    params.push_back(Text(tenant_id));
  }
  sql += " GROUP BY f.vuln_id";
  if (plan.after) {
    const std::int64_t rank = plan.after->value.as_int();
    sql += " HAVING (MAX(f.severity_rank) < ? OR (MAX(f.severity_rank) = ? AND f.vuln_id > ?))";
    params.insert(params.end(), {rank, rank, plan.after->last_id});
  }
  sql += " ORDER BY MAX(f.severity_rank) DESC, f.vuln_id LIMIT ?";
  params.push_back(std::int64_t{plan.limit + 1});
  RAMPART_ASSIGN_OR_RETURN(auto rows, lease->Query(sql, params));

  const SqlValue tenant[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto flagged,
      lease->Query("SELECT vuln_id FROM vuln_emergencies WHERE tenant_id = ?", tenant));
  std::set<std::string> emergencies;
  for (const SqlRow& row : flagged) emergencies.insert(row.Text(0));

  Page<VulnSummary> page;
  const std::size_t limit = static_cast<std::size_t>(plan.limit);
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    const SqlRow& row = rows[i];
    VulnSummary v;
    v.vuln_id = row.Text(0);
    v.severity = std::string(SeverityOfRank(row.Int(1)));
    v.score = Real(row, 2);
    v.summary = row.Text(3);
    v.ids = StringList(row.Text(4));
    v.hosts = row.Int(5);
    v.first_detected = row.Int(6);
    v.last_detected = row.Int(7);
    v.emergency = emergencies.count(v.vuln_id) > 0;
    page.items.push_back(std::move(v));
  }
  // Packages per listed vulnerability (a second, bounded query keeps the grouped one portable).
  for (VulnSummary& v : page.items) {
    std::vector<SqlValue> p = {Text(tenant_id), v.vuln_id};
    RAMPART_ASSIGN_OR_RETURN(auto pkgs,
                             lease->Query("SELECT DISTINCT package FROM vuln_findings "
                                          "WHERE tenant_id = ? AND vuln_id = ? ORDER BY package",
                                          p));
    for (const SqlRow& row : pkgs) v.packages.push_back(row.Text(0));
  }
  if (rows.size() > limit) {
    const SqlRow& last = rows[limit - 1];
    page.next_cursor =
        EncodeCursor(PageCursor{"vulnerabilities", true, Json(last.Int(1)), last.Text(0)});
  }
  return page;
}

Result<std::vector<HostFinding>> SqlStorage::SetFindingIgnored(std::string_view tenant_id,
                                                               std::string_view host_id,
                                                               std::string_view vuln_id,
                                                               bool ignored, std::int64_t now) {
  (void)now;
  std::vector<HostFinding> out;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    out.clear();
    RAMPART_RETURN_IF_ERROR(LoadHost(conn, tenant_id, host_id, /*lock=*/true).status());
    const SqlValue params[] = {Text(host_id), Text(vuln_id)};
    const std::string select = "SELECT " + std::string(kFindingColumns) +
                               " FROM vuln_findings f JOIN hosts h ON h.id = f.host_id "
                               "WHERE f.host_id = ? AND f.vuln_id = ? ORDER BY f.package";
    RAMPART_ASSIGN_OR_RETURN(auto rows, conn.Query(select, params));
    if (rows.empty()) {
      return NotFound("vulnerability " + std::string(vuln_id) + " not found on host " +
                      std::string(host_id));
    }
    RAMPART_ASSIGN_OR_RETURN(std::vector<IgnoreRule> rules, LoadRules(conn, tenant_id));
    for (const SqlRow& row : rows) {
      RAMPART_ASSIGN_OR_RETURN(HostFinding f, FindingFromRow(row));
      f.manually_ignored = ignored;
      std::string by = f.ignored_by;
      if (f.status != FindingStatus::kFixed) std::tie(f.status, by) = OpenStatus(f, rules);
      f.ignored_by = by;
      const SqlValue update[] = {std::int64_t{ignored ? 1 : 0},
                                 std::string(FindingStatusName(f.status)),
                                 by,
                                 f.host_id,
                                 f.vuln_id,
                                 f.package};
      RAMPART_RETURN_IF_ERROR(
          conn.Execute("UPDATE vuln_findings SET manual_ignore = ?, status = ?, ignored_by = ? "
                       "WHERE host_id = ? AND vuln_id = ? AND package = ?",
                       update)
              .status());
      out.push_back(std::move(f));
    }
    return UpdateRiskCounter(conn, std::string(host_id));
  });
  RAMPART_RETURN_IF_ERROR(status);
  return out;
}

Status SqlStorage::ReapplyIgnoreRules(SqlConnection& conn, std::string_view tenant_id) {
  RAMPART_ASSIGN_OR_RETURN(std::vector<IgnoreRule> rules, LoadRules(conn, tenant_id));
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           conn.Query("SELECT " + std::string(kFindingColumns) +
                                          " FROM vuln_findings f JOIN hosts h ON h.id = f.host_id "
                                          "WHERE f.tenant_id = ? AND f.status <> 'fixed'",
                                      params));
  std::set<std::string> hosts;
  for (const SqlRow& row : rows) {
    RAMPART_ASSIGN_OR_RETURN(HostFinding f, FindingFromRow(row));
    auto [st, by] = OpenStatus(f, rules);
    if (st == f.status && by == f.ignored_by) continue;
    const SqlValue update[] = {std::string(FindingStatusName(st)), by, f.host_id, f.vuln_id,
                               f.package};
    RAMPART_RETURN_IF_ERROR(conn.Execute("UPDATE vuln_findings SET status = ?, ignored_by = ? "
                                         "WHERE host_id = ? AND vuln_id = ? AND package = ?",
                                         update)
                                .status());
    hosts.insert(f.host_id);
  }
  for (const std::string& host : hosts) RAMPART_RETURN_IF_ERROR(UpdateRiskCounter(conn, host));
  return Status::Ok();
}

// ---- Ignore rules and emergencies ----

Result<IgnoreRule> SqlStorage::CreateIgnoreRule(IgnoreRule rule) {
  RAMPART_RETURN_IF_ERROR(CheckText("vuln_id", rule.vuln_id, kMaxVulnId, true));
  RAMPART_RETURN_IF_ERROR(CheckText("package", rule.package, kMaxPackage, true));
  RAMPART_RETURN_IF_ERROR(CheckText("reason", rule.reason, 1000, true));
  if (rule.vuln_id.empty() && rule.package.empty() && rule.host_ids.empty()) {
    return InvalidArgument("ignore rule: set at least one of vuln_id, package, host_ids");
  }
  if (rule.id.empty()) rule.id = wire::RandomId("vir");
  if (rule.created_at == 0) rule.created_at = sql_storage_internal::UnixNow();
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, rule.tenant_id, /*lock=*/true));
    for (const std::string& host : rule.host_ids) {
      auto loaded = LoadHost(conn, rule.tenant_id, host, false);
      if (!loaded.ok()) return InvalidArgument("host_ids: host " + host + " not found");
    }
    const SqlValue params[] = {rule.id,
                               rule.tenant_id,
                               rule.vuln_id,
                               rule.package,
                               Json::StringArray(rule.host_ids).Dump(),
                               rule.reason,
                               rule.created_at};
    RAMPART_RETURN_IF_ERROR(conn.Execute("INSERT INTO vuln_ignore_rules (" +
                                             std::string(kRuleColumns) +
                                             ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                                         params)
                                .status());
    return ReapplyIgnoreRules(conn, rule.tenant_id);
  });
  RAMPART_RETURN_IF_ERROR(status);
  return rule;
}

Result<std::vector<IgnoreRule>> SqlStorage::ListIgnoreRules(std::string_view tenant_id) {
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(RequireTenant(*lease, tenant_id, false));
  return LoadRules(*lease, tenant_id);
}

Status SqlStorage::DeleteIgnoreRule(std::string_view tenant_id, std::string_view rule_id) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, tenant_id, /*lock=*/true));
    const SqlValue params[] = {Text(rule_id), Text(tenant_id)};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Execute("DELETE FROM vuln_ignore_rules WHERE id = ? AND tenant_id = ?", params));
    if (n == 0) return NotFound("ignore rule " + std::string(rule_id) + " not found");
    return ReapplyIgnoreRules(conn, tenant_id);
  });
}

Result<EmergencyFlag> SqlStorage::SetEmergency(EmergencyFlag flag) {
  RAMPART_RETURN_IF_ERROR(CheckText("vuln_id", flag.vuln_id, kMaxVulnId));
  RAMPART_RETURN_IF_ERROR(CheckText("note", flag.note, 1000, true));
  if (flag.created_at == 0) flag.created_at = sql_storage_internal::UnixNow();
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    RAMPART_RETURN_IF_ERROR(RequireTenant(conn, flag.tenant_id, /*lock=*/true));
    const SqlValue key[] = {flag.tenant_id, flag.vuln_id};
    RAMPART_RETURN_IF_ERROR(
        conn.Execute("DELETE FROM vuln_emergencies WHERE tenant_id = ? AND vuln_id = ?", key)
            .status());
    const SqlValue params[] = {flag.tenant_id, flag.vuln_id, flag.note, flag.created_at};
    return conn
        .Execute(
            "INSERT INTO vuln_emergencies (tenant_id, vuln_id, note, created_at) "
            "VALUES (?, ?, ?, ?)",
            params)
        .status();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return flag;
}

Result<std::vector<EmergencyFlag>> SqlStorage::ListEmergencies(std::string_view tenant_id) {
  RAMPART_ASSIGN_OR_RETURN(auto lease, db_->Acquire());
  RAMPART_RETURN_IF_ERROR(RequireTenant(*lease, tenant_id, false));
  const SqlValue params[] = {Text(tenant_id)};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           lease->Query("SELECT tenant_id, vuln_id, note, created_at FROM "
                                        "vuln_emergencies WHERE tenant_id = ? ORDER BY vuln_id",
                                        params));
  std::vector<EmergencyFlag> out;
  for (const SqlRow& row : rows) {
    out.push_back(EmergencyFlag{row.Text(0), row.Text(1), row.Text(2), row.Int(3)});
  }
  return out;
}

Status SqlStorage::DeleteEmergency(std::string_view tenant_id, std::string_view vuln_id) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {Text(tenant_id), Text(vuln_id)};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t n,
        conn.Execute("DELETE FROM vuln_emergencies WHERE tenant_id = ? AND vuln_id = ?", params));
    if (n == 0) return NotFound("emergency flag on " + std::string(vuln_id) + " not found");
    return Status::Ok();
  });
}

}  // namespace rampart::server
