#pragma once
// SqlStorage: the one Storage implementation, written against SqlDb so the same code serves SQLite
// and MySQL/MariaDB. Dialect-specific SQL is confined to a few helpers (row locks, upserts, JSON
// field extraction, the IP filter). Methods are split by area over sql_storage_*.cpp.
//
// Thread-safe: every call takes its own pooled connection (never two at once, so a busy pool
// cannot deadlock a thread against itself). Every write runs in SqlDb::InTransaction, so it is
// all-or-nothing and is retried when the database reports busy or a deadlock.

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/storage/page_cursor.h"
#include "server/storage/sql_db.h"
#include "server/storage/storage.h"

namespace rampart::server {

class SqlStorage final : public Storage {
 public:
  // `schema_version`: what RunMigrations returned for `db`.
  SqlStorage(std::unique_ptr<SqlDb> db, int schema_version);

  std::string_view backend() const override;
  int schema_version() const override { return schema_version_; }

  Result<Tenant> CreateTenant(std::string_view name, std::int64_t now) override;
  Result<Tenant> GetTenant(std::string_view tenant_id) override;
  Result<std::vector<Tenant>> ListTenants() override;

  Result<User> CreateUser(User user) override;
  Result<User> GetUser(std::string_view tenant_id, std::string_view user_id) override;
  Result<User> GetUserByName(std::string_view tenant_id, std::string_view name) override;
  Result<Page<User>> ListUsers(std::string_view tenant_id, const PageRequest& page) override;
  Status DeleteUser(std::string_view tenant_id, std::string_view user_id,
                    std::int64_t now) override;

  Result<ApiTokenRecord> CreateApiToken(ApiTokenRecord token) override;
  Result<ApiTokenRecord> GetApiToken(std::string_view token_id) override;
  Result<Page<ApiTokenRecord>> ListApiTokens(std::string_view tenant_id,
                                             const PageRequest& page) override;
  Status RevokeApiToken(std::string_view tenant_id, std::string_view token_id,
                        std::int64_t now) override;

  Result<EnrollTokenRecord> CreateEnrollToken(EnrollTokenRecord token) override;
  Result<EnrollTokenRecord> GetEnrollToken(std::string_view token_id) override;
  Result<Page<EnrollTokenRecord>> ListEnrollTokens(std::string_view tenant_id,
                                                   const PageRequest& page) override;
  Status RevokeEnrollToken(std::string_view tenant_id, std::string_view token_id,
                           std::int64_t now) override;

  Result<Host> EnrollHost(std::string_view enroll_token_id, Host host, std::int64_t now) override;
  Result<Host> GetHost(std::string_view tenant_id, std::string_view host_id) override;
  Result<Host> GetHostById(std::string_view host_id) override;
  Result<Page<Host>> ListHosts(std::string_view tenant_id, const HostQuery& query) override;
  Status DeleteHost(std::string_view tenant_id, std::string_view host_id) override;
  Status RecordHeartbeats(const std::vector<std::pair<std::string, std::int64_t>>& beats) override;
  Status SetHostStatus(std::string_view host_id, HostStatus status, std::int64_t now) override;
  Result<std::int64_t> MarkOffline(std::int64_t cutoff) override;
  Result<std::vector<std::pair<HostStatus, std::int64_t>>> CountHostsByStatus() override;

  Result<IngestOutcome> ApplyInventory(std::string_view host_id, const InventoryBatch& batch,
                                       std::int64_t now) override;
  Result<Page<FingerprintRow>> QueryFingerprints(std::string_view tenant_id,
                                                 const FingerprintQuery& query) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> CountFingerprints(
      std::string_view tenant_id, std::string_view host_id) override;

  Result<TenantSettings> GetSettings(std::string_view tenant_id) override;
  Result<TenantSettings> PutSettings(std::string_view tenant_id, const Json& settings,
                                     std::int64_t expected_version, std::int64_t now) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> SettingsChangedSince(
      std::int64_t since) override;

  Status CreateWebSession(const WebSession& session) override;
  Result<WebSession> GetWebSession(std::string_view session_id) override;
  Status TouchWebSession(std::string_view session_id, std::int64_t now) override;
  Status DeleteWebSession(std::string_view session_id) override;
  Result<std::int64_t> PruneWebSessions(std::int64_t now, std::int64_t idle_cutoff) override;
  Result<HostSummary> SummarizeHosts(std::string_view tenant_id, int top_n) override;
  Result<StatsOverview> GetStatsOverview(std::string_view tenant_id) override;
  Result<std::vector<EventDayCount>> CountEventsByDay(std::string_view tenant_id, std::int64_t from,
                                                      std::int64_t utc_offset_seconds) override;
  Result<bool> AddVulnSnapshot(std::string_view tenant_id,
                               const VulnDaySnapshot& snapshot) override;
  Result<std::vector<VulnDaySnapshot>> ListVulnSnapshots(std::string_view tenant_id,
                                                         std::string_view from_day,
                                                         std::string_view to_day) override;

  Result<CommandResultsIngest> ApplyCommandResults(std::string_view host_id,
                                                   const CommandResultsBatch& batch,
                                                   std::int64_t now) override;
  Result<EventsIngest> ApplyMalwareEvents(std::string_view host_id, const MalwareEventsBatch& batch,
                                          std::int64_t now) override;
  Result<Page<MalwareEvent>> ListMalwareEvents(std::string_view tenant_id,
                                               const MalwareQuery& query) override;
  Result<MalwareEvent> GetMalwareEvent(std::string_view tenant_id,
                                       std::string_view event_id) override;
  Result<MalwareEvent> SetMalwareStatus(std::string_view tenant_id, std::string_view event_id,
                                        MalwareStatus status, std::string_view by,
                                        std::int64_t now) override;
  Result<TrustedCreated> CreateTrustedFile(TrustedFile entry) override;
  Result<std::vector<TrustedFile>> ListTrustedFiles(std::string_view tenant_id) override;
  Status DeleteTrustedFile(std::string_view tenant_id, std::string_view id) override;
  Result<Page<MalwareScan>> ListMalwareScans(std::string_view tenant_id,
                                             const ScanQuery& query) override;
  Result<MalwareSummary> SummarizeMalware(std::string_view tenant_id, std::int64_t now) override;

  Result<bool> TryAcquireLease(std::string_view name, std::string_view holder,
                               std::int64_t ttl_seconds, std::int64_t now) override;
  Result<std::int64_t> PruneBatchKeys(std::int64_t cutoff) override;

  Result<EventsIngest> ApplySecurityEvents(std::string_view host_id,
                                           const SecurityEventsBatch& batch,
                                           std::int64_t now) override;
  Result<EventsIngest> ApplyBlocksSnapshot(std::string_view host_id, const BlocksSnapshot& snapshot,
                                           std::int64_t now) override;
  Result<Page<SecurityEvent>> ListSecurityEvents(std::string_view tenant_id,
                                                 const EventQuery& query) override;
  Result<SecurityEvent> GetSecurityEvent(std::string_view tenant_id,
                                         std::string_view event_id) override;
  Result<std::vector<std::string>> SetEventStatus(std::string_view tenant_id,
                                                  const std::vector<std::string>& ids,
                                                  EventStatus status,
                                                  const std::optional<std::string>& note,
                                                  std::string_view by, std::int64_t now) override;
  Result<std::int64_t> WhitelistEvents(std::string_view tenant_id, std::string_view source,
                                       std::string_view user, std::string_view host_id,
                                       std::string_view by, std::int64_t now) override;
  Result<Page<BlockEntry>> ListBlocks(std::string_view tenant_id, const BlockQuery& query) override;
  Result<AgentCommand> EnqueueCommand(AgentCommand command) override;
  Result<Page<AgentCommand>> ListCommands(std::string_view tenant_id, std::string_view host_id,
                                          const PageRequest& page) override;
  Result<std::vector<AgentCommand>> ClaimPendingCommands(std::string_view host_id, std::int64_t now,
                                                         int limit) override;
  Status RequeueCommand(std::string_view command_id) override;
  Result<std::vector<std::string>> HostsWithCommandsSince(std::int64_t since) override;
  Result<FeedImport> ImportAdvisories(FeedImport import,
                                      const std::vector<StoredAdvisory>& records) override;
  Result<std::int64_t> FeedGeneration() override;
  Result<std::vector<StoredAdvisory>> LoadAdvisories() override;
  Result<std::vector<FeedImport>> ListFeedImports() override;
  Status MarkHostsForRematch(std::string_view tenant_id, const std::vector<std::string>& host_ids,
                             std::int64_t now) override;
  Result<std::vector<std::pair<std::string, std::string>>> QueuedRematches(int limit) override;
  Status FinishRematch(std::string_view host_id, std::string_view mark) override;
  Result<bool> ClaimScheduledScan(std::string_view tenant_id, std::int64_t interval_seconds,
                                  std::int64_t now) override;
  Result<RematchResult> ReplaceHostFindings(
      std::string_view tenant_id, std::string_view host_id, std::vector<HostFinding> current,
      const std::function<bool(const std::string&)>& still_advised, std::int64_t now) override;
  Result<Page<HostFinding>> ListHostFindings(std::string_view tenant_id,
                                             const HostFindingQuery& query) override;
  Result<Page<VulnSummary>> ListVulnerabilities(std::string_view tenant_id,
                                                const VulnQuery& query) override;
  Result<std::vector<HostFinding>> SetFindingIgnored(std::string_view tenant_id,
                                                     std::string_view host_id,
                                                     std::string_view vuln_id, bool ignored,
                                                     std::int64_t now) override;
  Result<IgnoreRule> CreateIgnoreRule(IgnoreRule rule) override;
  Result<std::vector<IgnoreRule>> ListIgnoreRules(std::string_view tenant_id) override;
  Status DeleteIgnoreRule(std::string_view tenant_id, std::string_view rule_id) override;
  Result<EmergencyFlag> SetEmergency(EmergencyFlag flag) override;
  Result<std::vector<EmergencyFlag>> ListEmergencies(std::string_view tenant_id) override;
  Status DeleteEmergency(std::string_view tenant_id, std::string_view vuln_id) override;

  Result<BaselinePolicyRecord> PutBaselinePolicy(BaselinePolicyRecord policy) override;
  Result<std::vector<BaselinePolicyRecord>> ListBaselinePolicies(
      std::string_view tenant_id) override;
  Result<BaselinePolicyRecord> GetBaselinePolicy(std::string_view tenant_id,
                                                 std::string_view policy_id) override;
  Status DeleteBaselinePolicy(std::string_view tenant_id, std::string_view policy_id) override;
  Result<std::vector<BaselinePolicySettings>> ListBaselineSettings(
      std::string_view tenant_id) override;
  Status PutBaselineSettings(const BaselinePolicySettings& settings) override;
  Result<BaselineRun> CreateBaselineRun(BaselineRun run) override;
  Result<BaselineRun> GetBaselineRun(std::string_view tenant_id, std::string_view run_id) override;
  Result<BaselineIngest> ApplyBaselineResults(std::string_view host_id,
                                              const BaselineResultsBatch& batch,
                                              std::int64_t now) override;
  Result<std::vector<BaselineResultRow>> ListBaselineResults(
      std::string_view tenant_id, const BaselineResultQuery& query) override;
  Result<BaselineCounts> CountBaselineResults(std::string_view tenant_id,
                                              std::string_view policy_id) override;
  Result<BaselineIgnore> CreateBaselineIgnore(BaselineIgnore ignore) override;
  Result<std::vector<BaselineIgnore>> ListBaselineIgnores(std::string_view tenant_id) override;
  Status DeleteBaselineIgnore(std::string_view tenant_id, std::string_view ignore_id) override;
  Result<std::vector<BaselineDay>> BaselineTrend(std::string_view tenant_id,
                                                 std::string_view since_date) override;

 private:
  bool mysql() const { return dialect_ == SqlDialect::kMysql; }
  // " FOR UPDATE" on MySQL (row lock for read-modify-write under READ COMMITTED); SQLite's
  // BEGIN IMMEDIATE already serialises writers.
  std::string_view ForUpdate() const { return mysql() ? " FOR UPDATE" : ""; }
  // One statement on a pooled connection, outside a transaction (reads).
  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params);
  Status InTransaction(const std::function<Status(SqlConnection&)>& work) {
    return db_->InTransaction(work);
  }
  // Re-evaluates the status of the tenant's open findings against its ignore rules; updates the
  // hosts' vulnerability counters. REQUIRES: inside a transaction on `conn`.
  Status ReapplyIgnoreRules(SqlConnection& conn, std::string_view tenant_id);
  // NotFound unless `tenant_id` exists. REQUIRES: called inside a transaction on `conn`.
  Status RequireTenant(SqlConnection& conn, std::string_view tenant_id, bool lock);
  // The host row, or NotFound when it is missing or not of `tenant_id` (nullopt: any tenant, for
  // the methods that are not tenant-scoped).
  Result<Host> LoadHost(SqlConnection& conn, std::optional<std::string_view> tenant_id,
                        std::string_view host_id, bool lock);

  std::unique_ptr<SqlDb> db_;
  const SqlDialect dialect_;
  const int schema_version_;
};

// Shared by the sql_storage_*.cpp files.
namespace sql_storage_internal {

inline SqlValue Text(std::string_view s) { return std::string(s); }
// List filters: appends " AND column = ?" and the value; AndEqualsIfSet skips an empty filter.
inline void AndEquals(std::string& sql, std::vector<SqlValue>& params, std::string_view column,
                      SqlValue value) {
  sql.append(" AND ").append(column).append(" = ?");
  params.push_back(std::move(value));
}
inline void AndEqualsIfSet(std::string& sql, std::vector<SqlValue>& params, std::string_view column,
                           const std::string& value) {
  if (!value.empty()) AndEquals(sql, params, column, value);
}
inline Status AlreadyExists(std::string message) {
  return {Code::kAlreadyExists, std::move(message)};
}

// InvalidArgument "<field>: ..." when `value` is empty (and !allow_empty) or longer than `max`
// bytes (the MySQL column width; checked for both backends so they accept the same input).
Status CheckText(std::string_view field, std::string_view value, std::size_t max,
                 bool allow_empty = false);

// Unix seconds now, for records whose caller left created_at at 0.
std::int64_t UnixNow();

inline constexpr std::string_view kHostColumns =
    "id, tenant_id, machine_id, hostname, ips, os_name, os_version, machine_type, agent_version, "
    "installed_at, last_seen, status, plan, agent_secret_hash, inventory_version, "
    "risk_vulnerabilities, risk_baseline_failures, risk_events, risk_malware";
Result<Host> HostFromRow(const SqlRow& row);
// Parameters in kHostColumns order.
std::vector<SqlValue> HostParams(const Host& host);

// Keyset condition "(col >= ? AND (col > ? OR (col = ? AND id > ?)))" (">" becomes "<" when
// desc), with its parameters appended.
std::string KeysetAfter(std::string_view col, std::string_view id_col, bool desc, const Json& value,
                        const std::string& last_id, std::vector<SqlValue>* params);

// A page request checked and ready for SQL: the clamped limit and, when the request carried a
// cursor, where the previous page ended (InvalidArgument for a cursor of another sort).
struct PagePlan {
  int limit = 50;
  std::optional<PageCursor> after;
};
Result<PagePlan> PlanPage(const PageRequest& page, std::string_view sort, bool desc,
                          Json::Type value_type);

// Builds a page from rows fetched with LIMIT plan.limit + 1: the extra row only says that there is
// a next page. map: SqlRow -> Result<T>; key: const T& -> std::pair<Json, std::string> (the sort
// value and id that the next page starts after).
template <typename T, typename Map, typename Key>
Result<Page<T>> FinishPage(const std::vector<SqlRow>& rows, const PagePlan& plan,
                           std::string_view sort, bool desc, Map map, Key key) {
  Page<T> page;
  const std::size_t limit = static_cast<std::size_t>(plan.limit);
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    RAMPART_ASSIGN_OR_RETURN(T item, map(rows[i]));
    page.items.push_back(std::move(item));
  }
  if (rows.size() > limit && !page.items.empty()) {
    auto [value, id] = key(page.items.back());
    page.next_cursor = EncodeCursor(PageCursor{std::string(sort), desc, std::move(value), id});
  }
  return page;
}

// Agent batches (events, blocks, malware, command results): the host row (locked on MySQL with
// `for_update`) with its tenant, and whether (host, key) was committed before; NotFound when the
// host is gone. RecordBatchKey records the key in the batch's transaction.
struct HostForBatch {
  std::string tenant_id;
  bool duplicate = false;
};
Result<HostForBatch> LockHostForBatch(SqlConnection& conn, std::string_view for_update,
                                      const std::string& host_id, const std::string& key);
Status RecordBatchKey(SqlConnection& conn, const std::string& tenant_id, const std::string& host_id,
                      const std::string& key, std::int64_t now);

}  // namespace sql_storage_internal

}  // namespace rampart::server
