#pragma once
// Storage: everything the platform keeps, behind one interface with two implementations on the
// same SQL code (storage/sql_storage.cpp over a SqlDb: SQLite in WAL mode, or MySQL/MariaDB).
// Migrations (storage/migrations.cpp) run in OpenStorage, versioned, each in a transaction where
// the database allows it. The same test suite (storage/storage_test.cpp) runs against both.
//
// Contract for all methods: tenant-scoped methods never return or touch another tenant's rows; a
// row of another tenant is NotFound, exactly like a missing one. Writes are atomic: on error
// nothing is written. Thread-safe: one Storage serves all server threads (it pools connections).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/baseline_model.h"
#include "server/events_model.h"
#include "server/malware_model.h"
#include "server/model.h"
#include "server/stats_model.h"
#include "server/vuln_model.h"

namespace rampart::server {

class Storage {
 public:
  virtual ~Storage() = default;

  virtual std::string_view backend() const = 0;  // "sqlite" or "mysql"
  virtual int schema_version() const = 0;

  // Tenants. CreateTenant: AlreadyExists when the name is taken.
  virtual Result<Tenant> CreateTenant(std::string_view name, std::int64_t now) = 0;
  virtual Result<Tenant> GetTenant(std::string_view tenant_id) = 0;
  virtual Result<std::vector<Tenant>> ListTenants() = 0;

  // Users. CreateUser: AlreadyExists for a taken (tenant, name); fills id and created_at.
  virtual Result<User> CreateUser(User user) = 0;
  virtual Result<User> GetUser(std::string_view tenant_id, std::string_view user_id) = 0;
  virtual Result<User> GetUserByName(std::string_view tenant_id, std::string_view name) = 0;
  virtual Result<Page<User>> ListUsers(std::string_view tenant_id, const PageRequest& page) = 0;
  // Also revokes the user's API tokens.
  virtual Status DeleteUser(std::string_view tenant_id, std::string_view user_id,
                            std::int64_t now) = 0;

  // API tokens. GetApiToken is not tenant-scoped: authentication looks a token up by its id.
  virtual Result<ApiTokenRecord> CreateApiToken(ApiTokenRecord token) = 0;
  virtual Result<ApiTokenRecord> GetApiToken(std::string_view token_id) = 0;
  virtual Result<Page<ApiTokenRecord>> ListApiTokens(std::string_view tenant_id,
                                                     const PageRequest& page) = 0;
  virtual Status RevokeApiToken(std::string_view tenant_id, std::string_view token_id,
                                std::int64_t now) = 0;

  // Enrolment tokens; GetEnrollToken is not tenant-scoped (enrolment looks it up by id).
  virtual Result<EnrollTokenRecord> CreateEnrollToken(EnrollTokenRecord token) = 0;
  virtual Result<EnrollTokenRecord> GetEnrollToken(std::string_view token_id) = 0;
  virtual Result<Page<EnrollTokenRecord>> ListEnrollTokens(std::string_view tenant_id,
                                                           const PageRequest& page) = 0;
  virtual Status RevokeEnrollToken(std::string_view tenant_id, std::string_view token_id,
                                   std::int64_t now) = 0;

  // Enrolment: in one transaction, counts a use of the token and creates the host, or, when the
  // tenant already has a host with host.machine_id, keeps that host's id and installed_at and
  // replaces its agent secret hash, agent version and hostname (status ONLINE, last_seen now).
  // Returns the stored host.
  virtual Result<Host> EnrollHost(std::string_view enroll_token_id, Host host,
                                  std::int64_t now) = 0;

  // Hosts.
  virtual Result<Host> GetHost(std::string_view tenant_id, std::string_view host_id) = 0;
  // For agent authentication (the agent presents its host id): not tenant-scoped.
  virtual Result<Host> GetHostById(std::string_view host_id) = 0;
  virtual Result<Page<Host>> ListHosts(std::string_view tenant_id, const HostQuery& query) = 0;
  // Deletes the host and everything stored for it (fingerprints, batch keys).
  virtual Status DeleteHost(std::string_view tenant_id, std::string_view host_id) = 0;
  // Sets last_seen = max(last_seen, time) and status ONLINE for each host, in one transaction.
  // Hosts that no longer exist or are UNINSTALLED are skipped.
  virtual Status RecordHeartbeats(
      const std::vector<std::pair<std::string, std::int64_t>>& beats) = 0;
  virtual Status SetHostStatus(std::string_view host_id, HostStatus status, std::int64_t now) = 0;
  // Marks every ONLINE host (all tenants) with last_seen < cutoff OFFLINE; returns how many.
  virtual Result<std::int64_t> MarkOffline(std::int64_t cutoff) = 0;
  // Counts per status across all tenants, for /metrics.
  virtual Result<std::vector<std::pair<HostStatus, std::int64_t>>> CountHostsByStatus() = 0;

  // Inventory. In one transaction: if (host, batch.idempotency_key) was committed before:
  // kDuplicate, nothing changes. Else if batch.full: replace all the host's fingerprint rows with
  // batch.rows. Else if host.inventory_version == batch.base: remove batch.removed keys, insert
  // batch.rows. Else: kResync, nothing changes. On commit: inventory_version = batch.version,
  // host_fields applied, the key recorded. NotFound when the host is gone.
  virtual Result<IngestOutcome> ApplyInventory(std::string_view host_id,
                                               const InventoryBatch& batch, std::int64_t now) = 0;
  virtual Result<Page<FingerprintRow>> QueryFingerprints(std::string_view tenant_id,
                                                         const FingerprintQuery& query) = 0;
  // Number of fingerprint rows per category for one host (host detail page).
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> CountFingerprints(
      std::string_view tenant_id, std::string_view host_id) = 0;

  // Settings: a JSON object per tenant with a version. PutSettings with expected_version >= 0
  // fails with FailedPrecondition when the stored version differs (optimistic concurrency).
  virtual Result<TenantSettings> GetSettings(std::string_view tenant_id) = 0;
  virtual Result<TenantSettings> PutSettings(std::string_view tenant_id, const Json& settings,
                                             std::int64_t expected_version, std::int64_t now) = 0;
  // (tenant_id, version) of every tenant whose settings changed at or after `since` (updated_at),
  // so each server node can push changes to the agents it holds, without in-process state.
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> SettingsChangedSince(
      std::int64_t since) = 0;

  // A named lease for periodic jobs across server nodes: true when `holder` holds `name` until
  // now + ttl_seconds after the call (taken when free or expired, renewed when already held).
  virtual Result<bool> TryAcquireLease(std::string_view name, std::string_view holder,
                                       std::int64_t ttl_seconds, std::int64_t now) = 0;

  // Removes idempotency keys older than `cutoff`; returns how many.
  virtual Result<std::int64_t> PruneBatchKeys(std::int64_t cutoff) = 0;

  // Login security (events_model.h).
  // Security events batch, in one transaction: kDuplicate when (host, key) was committed before
  // (nothing changes); otherwise each event is upserted by (host, incident id): a new incident is
  // inserted as pending; a known one takes the reported fields of the version with the later
  // last_seen, its level becomes max(stored, reported) and its status, note and first_seen (min)
  // are kept. The host's risk counter (open = pending events) is recomputed and the key recorded.
  // NotFound when the host is gone.
  virtual Result<EventsIngest> ApplySecurityEvents(std::string_view host_id,
                                                   const SecurityEventsBatch& batch,
                                                   std::int64_t now) = 0;
  // Blocks snapshot, in one transaction with its key (kDuplicate as above): replaces the host's
  // block list; pending events of the host whose source is blocked (or whose incident a block
  // names) become blocked (status_by "agent"); delivered block/unblock commands of the host whose
  // effect the snapshot shows become applied.
  virtual Result<EventsIngest> ApplyBlocksSnapshot(std::string_view host_id,
                                                   const BlocksSnapshot& snapshot,
                                                   std::int64_t now) = 0;
  // Newest last_seen first. NotFound when query.host_id names no host of the tenant.
  virtual Result<Page<SecurityEvent>> ListSecurityEvents(std::string_view tenant_id,
                                                         const EventQuery& query) = 0;
  virtual Result<SecurityEvent> GetSecurityEvent(std::string_view tenant_id,
                                                 std::string_view event_id) = 0;
  // Sets the status (and the note, when given) of the tenant's events `ids` in one transaction,
  // recording `by` and `now`; host risk counters follow. Returns the ids that exist (others are
  // skipped: the caller reports them).
  virtual Result<std::vector<std::string>> SetEventStatus(
      std::string_view tenant_id, const std::vector<std::string>& ids, EventStatus status,
      const std::optional<std::string>& note, std::string_view by, std::int64_t now) = 0;
  // Marks the tenant's pending and blocked events whitelisted when their source equals `source`
  // (non-empty) or their user equals `user` (non-empty), on `host_id` only when non-empty.
  // Returns how many changed.
  virtual Result<std::int64_t> WhitelistEvents(std::string_view tenant_id, std::string_view source,
                                               std::string_view user, std::string_view host_id,
                                               std::string_view by, std::int64_t now) = 0;
  // Active blocks of the tenant by host then source. NotFound for a host_id of another tenant.
  virtual Result<Page<BlockEntry>> ListBlocks(std::string_view tenant_id,
                                              const BlockQuery& query) = 0;

  // Agent command queue. EnqueueCommand stores `command` as pending (fills id and created_at
  // when empty); NotFound when the host is not the tenant's.
  virtual Result<AgentCommand> EnqueueCommand(AgentCommand command) = 0;
  // The host's commands, newest first.
  virtual Result<Page<AgentCommand>> ListCommands(std::string_view tenant_id,
                                                  std::string_view host_id,
                                                  const PageRequest& page) = 0;
  // In one transaction: pending commands of the host older than kCommandTtlSeconds become
  // expired; up to `limit` others (oldest first) become delivered at `now` and are returned. Two
  // nodes never claim the same command.
  virtual Result<std::vector<AgentCommand>> ClaimPendingCommands(std::string_view host_id,
                                                                 std::int64_t now, int limit) = 0;
  // A claimed command whose delivery failed goes back to pending.
  virtual Status RequeueCommand(std::string_view command_id) = 0;
  // Hosts (all tenants) with pending commands created at or after `since`: each node delivers
  // those whose agent it holds.
  virtual Result<std::vector<std::string>> HostsWithCommandsSince(std::int64_t since) = 0;
  // ---- Vulnerability management (vuln_model.h; the long form is docs/server.md) ----
  // Advisories are platform-wide reference data, not tenant rows.
  //
  // In one transaction: each record replaces the stored advisory with its id unless the stored
  // `modified` is newer (equal or unparsable times: replaced, so a re-import refreshes); the feed
  // row `import.name` is written with the counts; the feed generation increases by one. Returns
  // `import` with inserted/updated/unchanged/withdrawn/generation filled. InvalidArgument for an
  // id over 128 bytes or an empty one (nothing written).
  virtual Result<FeedImport> ImportAdvisories(FeedImport import,
                                              const std::vector<StoredAdvisory>& records) = 0;
  // Increases on every import (0: nothing imported yet). Nodes poll it to rebuild their index.
  virtual Result<std::int64_t> FeedGeneration() = 0;
  // Every stored advisory, withdrawn ones included (the matcher leaves those out).
  virtual Result<std::vector<StoredAdvisory>> LoadAdvisories() = 0;
  virtual Result<std::vector<FeedImport>> ListFeedImports() = 0;

  // Rematch queue. MarkHostsForRematch queues `host_ids` of `tenant_id` (all of the tenant's
  // hosts when empty; all hosts of all tenants when tenant_id is empty too). A host queued again
  // gets a new mark, so a rematch that started before the new mark does not dequeue it.
  virtual Status MarkHostsForRematch(std::string_view tenant_id,
                                     const std::vector<std::string>& host_ids,
                                     std::int64_t now) = 0;
  // Up to `limit` queued (host_id, mark), oldest first.
  virtual Result<std::vector<std::pair<std::string, std::string>>> QueuedRematches(int limit) = 0;
  // Dequeues the host unless it was marked again since `mark` was read.
  virtual Status FinishRematch(std::string_view host_id, std::string_view mark) = 0;
  // True (and records `now`) when the tenant's last scheduled scan is at least interval_seconds
  // old (or there was none); false otherwise.
  virtual Result<bool> ClaimScheduledScan(std::string_view tenant_id, std::int64_t interval_seconds,
                                          std::int64_t now) = 0;

  // Findings. In one transaction, for one host of the tenant: `current` (what matches now,
  // unique by (vuln_id, package)) is stored with first_detected kept from an earlier detection,
  // last_detected = now, status ignored when the finding was ignored by hand or an ignore rule
  // matches, else pending; a stored finding not in `current` becomes fixed (fixed_at = now) when
  // `still_advised(vuln_id)`, else (the advisory was withdrawn or left the feeds) it is deleted.
  // hosts.risk_vulnerabilities = the number of pending findings. NotFound for another tenant's
  // host.
  virtual Result<RematchResult> ReplaceHostFindings(
      std::string_view tenant_id, std::string_view host_id, std::vector<HostFinding> current,
      const std::function<bool(const std::string&)>& still_advised, std::int64_t now) = 0;
  // Findings ordered by severity (highest first), then vuln id, package, host.
  virtual Result<Page<HostFinding>> ListHostFindings(std::string_view tenant_id,
                                                     const HostFindingQuery& query) = 0;
  // One row per vulnerability id with the number of hosts, ordered like ListHostFindings.
  virtual Result<Page<VulnSummary>> ListVulnerabilities(std::string_view tenant_id,
                                                        const VulnQuery& query) = 0;
  // Ignores (or un-ignores) every finding of `vuln_id` on the host by hand; an un-ignored finding
  // that an ignore rule covers stays ignored. Returns the host's findings of that id; NotFound
  // when there are none (or the host is another tenant's).
  virtual Result<std::vector<HostFinding>> SetFindingIgnored(std::string_view tenant_id,
                                                             std::string_view host_id,
                                                             std::string_view vuln_id, bool ignored,
                                                             std::int64_t now) = 0;

  // Ignore rules; creating or deleting one re-evaluates the status of the tenant's open findings
  // in the same transaction. CreateIgnoreRule fills id and created_at.
  virtual Result<IgnoreRule> CreateIgnoreRule(IgnoreRule rule) = 0;
  virtual Result<std::vector<IgnoreRule>> ListIgnoreRules(std::string_view tenant_id) = 0;
  virtual Status DeleteIgnoreRule(std::string_view tenant_id, std::string_view rule_id) = 0;

  // Emergency flags on vulnerability ids. SetEmergency replaces the note of an existing flag.
  virtual Result<EmergencyFlag> SetEmergency(EmergencyFlag flag) = 0;
  virtual Result<std::vector<EmergencyFlag>> ListEmergencies(std::string_view tenant_id) = 0;
  virtual Status DeleteEmergency(std::string_view tenant_id, std::string_view vuln_id) = 0;
  // Console sessions (see WebSession). GetWebSession is not tenant-scoped: the cookie names it.
  // CreateWebSession: NotFound when the user is gone. TouchWebSession sets last_seen (NotFound
  // when the session is gone). PruneWebSessions removes sessions past expires_at or with
  // last_seen < idle_cutoff and returns how many.
  virtual Status CreateWebSession(const WebSession& session) = 0;
  virtual Result<WebSession> GetWebSession(std::string_view session_id) = 0;
  virtual Status TouchWebSession(std::string_view session_id, std::int64_t now) = 0;
  virtual Status DeleteWebSession(std::string_view session_id) = 0;
  virtual Result<std::int64_t> PruneWebSessions(std::int64_t now, std::int64_t idle_cutoff) = 0;

  // One tenant's hosts at a glance (the console's dashboard): counts per status (all three,
  // zeros included), how many have any risk counter above zero, and the `top_n` hosts with the
  // highest sum of risk counters (vulnerabilities + baseline failures + events + malware; only
  // hosts with a sum above zero; ties by hostname).
  virtual Result<HostSummary> SummarizeHosts(std::string_view tenant_id, int top_n) = 0;

  // Dashboard aggregates (stats_model.h). GetStatsOverview: pending events by type and level,
  // pending findings by severity. CountEventsByDay: events with first_seen >= from, grouped by
  // level and by day floor((first_seen + utc_offset_seconds) / 86400) (days in the caller's
  // zone; utc_offset_seconds in -54000..54000, else InvalidArgument); only non-zero groups.
  // AddVulnSnapshot: stores the snapshot unless the tenant already has one for that day (false
  // then; the first of a day wins). ListVulnSnapshots: the tenant's snapshots with from_day <= day
  // <= to_day ("YYYY-MM-DD"), oldest first.
  virtual Result<StatsOverview> GetStatsOverview(std::string_view tenant_id) = 0;
  virtual Result<std::vector<EventDayCount>> CountEventsByDay(std::string_view tenant_id,
                                                              std::int64_t from,
                                                              std::int64_t utc_offset_seconds) = 0;
  virtual Result<bool> AddVulnSnapshot(std::string_view tenant_id,
                                       const VulnDaySnapshot& snapshot) = 0;
  virtual Result<std::vector<VulnDaySnapshot>> ListVulnSnapshots(std::string_view tenant_id,
                                                                 std::string_view from_day,
                                                                 std::string_view to_day) = 0;
  // ---- Baseline management (baseline_model.h; the long form is docs/baseline.md) ----
  // Custom policies. PutBaselinePolicy inserts or replaces the tenant's policy `id` (created_at
  // kept from the first upload). DeleteBaselinePolicy also removes its settings, results,
  // history and ignores (host baseline counters follow); NotFound when absent.
  virtual Result<BaselinePolicyRecord> PutBaselinePolicy(BaselinePolicyRecord policy) = 0;
  virtual Result<std::vector<BaselinePolicyRecord>> ListBaselinePolicies(
      std::string_view tenant_id) = 0;
  virtual Result<BaselinePolicyRecord> GetBaselinePolicy(std::string_view tenant_id,
                                                         std::string_view policy_id) = 0;
  virtual Status DeleteBaselinePolicy(std::string_view tenant_id, std::string_view policy_id) = 0;
  // Settings rows the tenant has (policies without one use the defaults); tenant_id "" = every
  // tenant's (the scheduler).
  virtual Result<std::vector<BaselinePolicySettings>> ListBaselineSettings(
      std::string_view tenant_id) = 0;
  // Upserts enabled, host_ids, interval_days, at_minute (last_run_* are kept).
  virtual Status PutBaselineSettings(const BaselinePolicySettings& settings) = 0;
  // Stores the run (fills id and started_at when empty) and records it as the policy's last run.
  virtual Result<BaselineRun> CreateBaselineRun(BaselineRun run) = 0;
  virtual Result<BaselineRun> GetBaselineRun(std::string_view tenant_id,
                                             std::string_view run_id) = 0;
  // One host's results for one policy, in one transaction: kDuplicate-like (duplicate = true,
  // nothing changes) when (host, key) was committed before; otherwise the host's results for
  // batch.policy_id are replaced by batch.results, the day's history row (UTC) of host x policy
  // is rewritten with the non-ignored pass/fail counts, the run (when it is the tenant's) counts
  // one more host, hosts.risk_baseline_failures is recomputed and the key recorded. NotFound
  // when the host is gone.
  virtual Result<BaselineIngest> ApplyBaselineResults(std::string_view host_id,
                                                      const BaselineResultsBatch& batch,
                                                      std::int64_t now) = 0;
  // Latest results with hostname and ignored flag, by policy, check, hostname.
  virtual Result<std::vector<BaselineResultRow>> ListBaselineResults(
      std::string_view tenant_id, const BaselineResultQuery& query) = 0;
  // Per check (by policy, check id; only `policy_id` when non-empty) the number of hosts in each
  // status, ignored ones apart; hosts with results per policy and overall. Aggregated in SQL.
  virtual Result<BaselineCounts> CountBaselineResults(std::string_view tenant_id,
                                                      std::string_view policy_id) = 0;
  // Ignores; creating or deleting one recomputes the tenant's host baseline counters. Create
  // fills id and created_at; NotFound for a host_id that is not the tenant's.
  virtual Result<BaselineIgnore> CreateBaselineIgnore(BaselineIgnore ignore) = 0;
  virtual Result<std::vector<BaselineIgnore>> ListBaselineIgnores(std::string_view tenant_id) = 0;
  virtual Status DeleteBaselineIgnore(std::string_view tenant_id, std::string_view ignore_id) = 0;
  // Per day (YYYY-MM-DD, UTC) at or after since_date, oldest first: passed/failed summed over the
  // tenant's history rows and the number of hosts that reported that day.
  virtual Result<std::vector<BaselineDay>> BaselineTrend(std::string_view tenant_id,
                                                         std::string_view since_date) = 0;
  // ---- Malicious files and command results (malware_model.h; docs/scan.md, "Server") ----
  // Command results batch, in one transaction with its key (kDuplicate as above): each result
  // finishes the host's command with that id (succeeded/failed, message, result, finished_at)
  // unless it is unknown, another host's, or already finished (counted as ignored). A succeeded
  // quarantine / restore / delete_quarantined command whose args name an "event_id" of the host
  // moves that malware event to quarantined (vault_id from the result) / restored / deleted,
  // status_by = the command's created_by. NotFound when the host is gone.
  virtual Result<CommandResultsIngest> ApplyCommandResults(std::string_view host_id,
                                                           const CommandResultsBatch& batch,
                                                           std::int64_t now) = 0;
  // Malware events batch, in one transaction with its key (kDuplicate as above): each finding is
  // upserted by (host, path, sha256): a new one is inserted with the reported status (pending
  // becomes trusted when one of the tenant's trusted entries covers it); a known one takes the
  // later last_seen, the higher severity, count += reported count, the reported rules/family/md5/
  // size; its status changes to a reported non-pending status (quarantined with its vault id,
  // trusted), or back to pending when the file is seen again after it was quarantined or deleted;
  // decisions (whitelisted, handled, trusted, restored) stay. Scans are upserted by (host, id).
  // Every write here that can change an event's status (this, ApplyCommandResults,
  // SetMalwareStatus, CreateTrustedFile) recomputes hosts.risk_malware = the host's pending
  // events in the same transaction.
  virtual Result<EventsIngest> ApplyMalwareEvents(std::string_view host_id,
                                                  const MalwareEventsBatch& batch,
                                                  std::int64_t now) = 0;
  // Newest last_seen first. NotFound when query.host_id names no host of the tenant.
  virtual Result<Page<MalwareEvent>> ListMalwareEvents(std::string_view tenant_id,
                                                       const MalwareQuery& query) = 0;
  virtual Result<MalwareEvent> GetMalwareEvent(std::string_view tenant_id,
                                               std::string_view event_id) = 0;
  // Sets the status of one event by hand (by, now recorded). Returns the updated event.
  virtual Result<MalwareEvent> SetMalwareStatus(std::string_view tenant_id,
                                                std::string_view event_id, MalwareStatus status,
                                                std::string_view by, std::int64_t now) = 0;
  // Trusted files. CreateTrustedFile fills id and created_at, and in the same transaction marks
  // the tenant's pending events it covers trusted. InvalidArgument for an unknown kind or a host
  // id that is not the tenant's.
  virtual Result<TrustedCreated> CreateTrustedFile(TrustedFile entry) = 0;
  virtual Result<std::vector<TrustedFile>> ListTrustedFiles(std::string_view tenant_id) = 0;
  virtual Status DeleteTrustedFile(std::string_view tenant_id, std::string_view id) = 0;
  // Scan runs, newest started_at first. NotFound when query.host_id names no host of the tenant.
  virtual Result<Page<MalwareScan>> ListMalwareScans(std::string_view tenant_id,
                                                     const ScanQuery& query) = 0;
  // Counts for the dashboard; per_day: events first seen on each of the 30 UTC days ending with
  // the day of `now`, oldest first, zeros included.
  virtual Result<MalwareSummary> SummarizeMalware(std::string_view tenant_id, std::int64_t now) = 0;
};

// Opens (creating when needed) and migrates. URLs: "sqlite:///abs/path.db", "sqlite://:memory:"
// (tests), "mysql://user:pass@host:port/db" or "mysql://user:pass@localhost/db?socket=/path".
// An empty URL means sqlite://<data_dir>/rampart.db. Errors name the URL (password masked).
Result<std::unique_ptr<Storage>> OpenStorage(std::string_view url, std::string_view data_dir);

}  // namespace rampart::server
