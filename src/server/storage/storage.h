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
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/model.h"

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
  // highest sum of risk counters (only hosts with a sum above zero; ties by hostname).
  virtual Result<HostSummary> SummarizeHosts(std::string_view tenant_id, int top_n) = 0;
};

// Opens (creating when needed) and migrates. URLs: "sqlite:///abs/path.db", "sqlite://:memory:"
// (tests), "mysql://user:pass@host:port/db" or "mysql://user:pass@localhost/db?socket=/path".
// An empty URL means sqlite://<data_dir>/rampart.db. Errors name the URL (password masked).
Result<std::unique_ptr<Storage>> OpenStorage(std::string_view url, std::string_view data_dir);

}  // namespace rampart::server
