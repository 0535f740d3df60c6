#include "server/storage/migrations.h"

#include <array>
#include <string>

namespace rampart::server {
namespace {

// MySQL: InnoDB and a binary collation, so text compares and sorts byte-wise as in SQLite (keyset
// pagination and uniqueness then behave the same on both backends).

constexpr std::string_view kSqliteV1 = R"sql(
CREATE TABLE IF NOT EXISTS tenants (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS tenants_name ON tenants(name);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
  password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS users_tenant_name ON users(tenant_id, name);
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL,
  secret_hash TEXT NOT NULL, description TEXT NOT NULL, created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS api_tokens_tenant_created ON api_tokens(tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS api_tokens_tenant_user ON api_tokens(tenant_id, user_id);
CREATE TABLE IF NOT EXISTS enroll_tokens (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL,
  uses INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS enroll_tokens_tenant_created ON enroll_tokens(tenant_id, created_at, id);
)sql";

constexpr std::string_view kMysqlV1 = R"sql(
CREATE TABLE IF NOT EXISTS tenants (
  id VARCHAR(64) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL,
  UNIQUE KEY tenants_name (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS users (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL, name VARCHAR(255) NOT NULL,
  role VARCHAR(16) NOT NULL, password_hash TEXT NOT NULL, created_at BIGINT NOT NULL,
  UNIQUE KEY users_tenant_name (tenant_id, name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS api_tokens (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(64) NOT NULL, role VARCHAR(16) NOT NULL, secret_hash TEXT NOT NULL,
  description TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL,
  KEY api_tokens_tenant_created (tenant_id, created_at, id),
  KEY api_tokens_tenant_user (tenant_id, user_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS enroll_tokens (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL, secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL,
  uses BIGINT NOT NULL,
  KEY enroll_tokens_tenant_created (tenant_id, created_at, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

// Hosts carry one index per sort of ListHosts (keyset pagination walks it), (status, last_seen)
// for the cross-tenant offline sweep. Fingerprints: the primary key serves one host's rows in page
// order; (tenant_id, category, host_id, row_key) serves fleet-wide queries in page order.
constexpr std::string_view kSqliteV2 = R"sql(
CREATE TABLE IF NOT EXISTS hosts (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, machine_id TEXT NOT NULL,
  hostname TEXT NOT NULL, ips TEXT NOT NULL, os_name TEXT NOT NULL, os_version TEXT NOT NULL,
  machine_type TEXT NOT NULL, agent_version TEXT NOT NULL, installed_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL, status TEXT NOT NULL, plan TEXT NOT NULL,
  agent_secret_hash TEXT NOT NULL, inventory_version INTEGER NOT NULL,
  risk_vulnerabilities INTEGER NOT NULL DEFAULT 0, risk_baseline_failures INTEGER NOT NULL DEFAULT 0,
  risk_events INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS hosts_tenant_machine ON hosts(tenant_id, machine_id);
CREATE INDEX IF NOT EXISTS hosts_tenant_hostname ON hosts(tenant_id, hostname, id);
CREATE INDEX IF NOT EXISTS hosts_tenant_last_seen ON hosts(tenant_id, last_seen, id);
CREATE INDEX IF NOT EXISTS hosts_tenant_installed ON hosts(tenant_id, installed_at, id);
CREATE INDEX IF NOT EXISTS hosts_status_last_seen ON hosts(status, last_seen);
CREATE TABLE IF NOT EXISTS fingerprints (
  tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, category TEXT NOT NULL, row_key TEXT NOT NULL,
  data TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (host_id, category, row_key));
CREATE INDEX IF NOT EXISTS fingerprints_tenant_category
  ON fingerprints(tenant_id, category, host_id, row_key);
CREATE TABLE IF NOT EXISTS batch_keys (
  tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, batch_key TEXT NOT NULL,
  committed_at INTEGER NOT NULL, PRIMARY KEY (host_id, batch_key));
CREATE INDEX IF NOT EXISTS batch_keys_committed ON batch_keys(committed_at);
)sql";

constexpr std::string_view kMysqlV2 = R"sql(
CREATE TABLE IF NOT EXISTS hosts (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  machine_id VARCHAR(255) NOT NULL, hostname VARCHAR(255) NOT NULL, ips TEXT NOT NULL,
  os_name VARCHAR(255) NOT NULL, os_version VARCHAR(255) NOT NULL,
  machine_type VARCHAR(64) NOT NULL, agent_version VARCHAR(64) NOT NULL,
  installed_at BIGINT NOT NULL, last_seen BIGINT NOT NULL, status VARCHAR(16) NOT NULL,
  plan VARCHAR(16) NOT NULL, agent_secret_hash VARCHAR(128) NOT NULL,
  inventory_version BIGINT NOT NULL, risk_vulnerabilities BIGINT NOT NULL DEFAULT 0,
  risk_baseline_failures BIGINT NOT NULL DEFAULT 0, risk_events BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY hosts_tenant_machine (tenant_id, machine_id),
  KEY hosts_tenant_hostname (tenant_id, hostname, id),
  KEY hosts_tenant_last_seen (tenant_id, last_seen, id),
  KEY hosts_tenant_installed (tenant_id, installed_at, id),
  KEY hosts_status_last_seen (status, last_seen)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS fingerprints (
  tenant_id VARCHAR(64) NOT NULL, host_id VARCHAR(64) NOT NULL, category VARCHAR(64) NOT NULL,
  row_key VARCHAR(64) NOT NULL, data LONGTEXT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (host_id, category, row_key),
  KEY fingerprints_tenant_category (tenant_id, category, host_id, row_key)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS batch_keys (
  tenant_id VARCHAR(64) NOT NULL, host_id VARCHAR(64) NOT NULL, batch_key VARCHAR(128) NOT NULL,
  committed_at BIGINT NOT NULL, PRIMARY KEY (host_id, batch_key),
  KEY batch_keys_committed (committed_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

constexpr std::string_view kSqliteV3 = R"sql(
CREATE TABLE IF NOT EXISTS tenant_settings (
  tenant_id TEXT PRIMARY KEY, version INTEGER NOT NULL, settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tenant_settings_updated ON tenant_settings(updated_at);
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
)sql";

constexpr std::string_view kMysqlV3 = R"sql(
CREATE TABLE IF NOT EXISTS tenant_settings (
  tenant_id VARCHAR(64) NOT NULL PRIMARY KEY, version BIGINT NOT NULL, settings LONGTEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  KEY tenant_settings_updated (updated_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS leases (
  name VARCHAR(128) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL,
  expires_at BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

// Login security: events upserted by (host_id, incident_id) and listed newest first per tenant;
// each host's active blocks (replaced by snapshots); the durable per-host command queue (pending
// commands found per host on connect, and by creation time for the cross-node delivery poll).
constexpr std::string_view kSqliteV4 = R"sql(
CREATE TABLE IF NOT EXISTS security_events (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, incident_id TEXT NOT NULL,
  type TEXT NOT NULL, level INTEGER NOT NULL, status TEXT NOT NULL, rule TEXT NOT NULL,
  service TEXT NOT NULL, source TEXT NOT NULL, user_name TEXT NOT NULL, users TEXT NOT NULL,
  sources TEXT NOT NULL, count INTEGER NOT NULL, failures INTEGER NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, reason TEXT NOT NULL,
  network TEXT NOT NULL, country TEXT NOT NULL, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, status_by TEXT NOT NULL, status_at INTEGER NOT NULL,
  note TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS security_events_incident ON security_events(host_id, incident_id);
CREATE INDEX IF NOT EXISTS security_events_tenant_last_seen
  ON security_events(tenant_id, last_seen, id);
CREATE INDEX IF NOT EXISTS security_events_tenant_source ON security_events(tenant_id, source);
CREATE INDEX IF NOT EXISTS security_events_tenant_user ON security_events(tenant_id, user_name);
CREATE INDEX IF NOT EXISTS security_events_host_status ON security_events(host_id, status);
CREATE TABLE IF NOT EXISTS host_blocks (
  tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL,
  event_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  backend TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (host_id, source));
CREATE INDEX IF NOT EXISTS host_blocks_tenant ON host_blocks(tenant_id, host_id, source);
CREATE INDEX IF NOT EXISTS host_blocks_tenant_source ON host_blocks(tenant_id, source);
CREATE TABLE IF NOT EXISTS agent_commands (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, name TEXT NOT NULL,
  args TEXT NOT NULL, status TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
  delivered_at INTEGER NOT NULL, applied_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS agent_commands_host ON agent_commands(host_id, status, created_at);
CREATE INDEX IF NOT EXISTS agent_commands_status ON agent_commands(status, created_at);
CREATE INDEX IF NOT EXISTS agent_commands_tenant_host
  ON agent_commands(tenant_id, host_id, created_at, id);
)sql";

constexpr std::string_view kMysqlV4 = R"sql(
CREATE TABLE IF NOT EXISTS security_events (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  host_id VARCHAR(64) NOT NULL, incident_id VARCHAR(64) NOT NULL, type VARCHAR(32) NOT NULL,
  level INT NOT NULL, status VARCHAR(16) NOT NULL, rule VARCHAR(128) NOT NULL,
  service VARCHAR(64) NOT NULL, source VARCHAR(255) NOT NULL, user_name VARCHAR(255) NOT NULL,
  users TEXT NOT NULL, sources TEXT NOT NULL, count BIGINT NOT NULL, failures BIGINT NOT NULL,
  first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, reason VARCHAR(32) NOT NULL,
  network VARCHAR(64) NOT NULL, country VARCHAR(8) NOT NULL, created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL, status_by VARCHAR(255) NOT NULL, status_at BIGINT NOT NULL,
  note TEXT NOT NULL,
  UNIQUE KEY security_events_incident (host_id, incident_id),
  KEY security_events_tenant_last_seen (tenant_id, last_seen, id),
  KEY security_events_tenant_source (tenant_id, source),
  KEY security_events_tenant_user (tenant_id, user_name),
  KEY security_events_host_status (host_id, status)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS host_blocks (
  tenant_id VARCHAR(64) NOT NULL, host_id VARCHAR(64) NOT NULL, source VARCHAR(64) NOT NULL,
  reason VARCHAR(64) NOT NULL, event_id VARCHAR(64) NOT NULL, created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL, backend VARCHAR(16) NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (host_id, source),
  KEY host_blocks_tenant (tenant_id, host_id, source),
  KEY host_blocks_tenant_source (tenant_id, source)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS agent_commands (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  host_id VARCHAR(64) NOT NULL, name VARCHAR(64) NOT NULL, args TEXT NOT NULL,
  status VARCHAR(16) NOT NULL, created_by VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL, applied_at BIGINT NOT NULL,
  KEY agent_commands_host (host_id, status, created_at),
  KEY agent_commands_status (status, created_at),
  KEY agent_commands_tenant_host (tenant_id, host_id, created_at, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

// Vulnerability management. Advisories, feeds and the feed generation are platform-wide reference
// data (no tenant_id: every tenant matches against the same feeds); findings, ignore rules,
// emergency flags and the scan schedule are tenant rows. vuln_rematch is the queue of hosts whose
// findings must be recomputed (inventory changed, feed imported, scheduled or on-demand scan).
constexpr std::string_view kSqliteV5 = R"sql(
CREATE TABLE IF NOT EXISTS vuln_advisories (
  id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL, feed TEXT NOT NULL,
  data TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vuln_feeds (
  name TEXT PRIMARY KEY, records INTEGER NOT NULL, skipped INTEGER NOT NULL,
  inserted INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL, imported_at INTEGER NOT NULL, generation INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vuln_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vuln_rematch (
  host_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, mark TEXT NOT NULL,
  marked_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vuln_findings (
  tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, vuln_id TEXT NOT NULL, package TEXT NOT NULL,
  fkey TEXT NOT NULL, ids TEXT NOT NULL, installed_version TEXT NOT NULL,
  fixed_version TEXT NOT NULL, severity TEXT NOT NULL, severity_rank INTEGER NOT NULL,
  score REAL NOT NULL, summary TEXT NOT NULL, fix_command TEXT NOT NULL, detail TEXT NOT NULL,
  status TEXT NOT NULL, manual_ignore INTEGER NOT NULL, ignored_by TEXT NOT NULL,
  first_detected INTEGER NOT NULL, last_detected INTEGER NOT NULL, fixed_at INTEGER NOT NULL,
  PRIMARY KEY (host_id, vuln_id, package));
CREATE INDEX IF NOT EXISTS vuln_findings_tenant_vuln ON vuln_findings(tenant_id, vuln_id);
CREATE INDEX IF NOT EXISTS vuln_findings_tenant_rank
  ON vuln_findings(tenant_id, severity_rank, fkey);
CREATE TABLE IF NOT EXISTS vuln_ignore_rules (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, vuln_id TEXT NOT NULL, package TEXT NOT NULL,
  host_ids TEXT NOT NULL, reason TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS vuln_ignore_rules_tenant ON vuln_ignore_rules(tenant_id, created_at, id);
CREATE TABLE IF NOT EXISTS vuln_emergencies (
  tenant_id TEXT NOT NULL, vuln_id TEXT NOT NULL, note TEXT NOT NULL,
  created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, vuln_id));
CREATE TABLE IF NOT EXISTS vuln_schedule (
  tenant_id TEXT PRIMARY KEY, last_scan_at INTEGER NOT NULL);
)sql";

constexpr std::string_view kMysqlV5 = R"sql(
CREATE TABLE IF NOT EXISTS vuln_advisories (
  id VARCHAR(128) NOT NULL PRIMARY KEY, modified VARCHAR(64) NOT NULL, withdrawn TINYINT NOT NULL,
  feed VARCHAR(255) NOT NULL, data LONGTEXT NOT NULL,
  updated_at BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_feeds (
  name VARCHAR(255) NOT NULL PRIMARY KEY, records BIGINT NOT NULL, skipped BIGINT NOT NULL,
  inserted BIGINT NOT NULL, updated BIGINT NOT NULL, unchanged BIGINT NOT NULL,
  withdrawn BIGINT NOT NULL, imported_at BIGINT NOT NULL,
  generation BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_state (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_rematch (
  host_id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  mark VARCHAR(64) NOT NULL,
  marked_at BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_findings (
  tenant_id VARCHAR(64) NOT NULL, host_id VARCHAR(64) NOT NULL, vuln_id VARCHAR(128) NOT NULL,
  package VARCHAR(255) NOT NULL, fkey VARCHAR(480) NOT NULL, ids TEXT NOT NULL,
  installed_version VARCHAR(255) NOT NULL, fixed_version VARCHAR(255) NOT NULL,
  severity VARCHAR(16) NOT NULL, severity_rank INT NOT NULL, score DOUBLE NOT NULL,
  summary TEXT NOT NULL, fix_command TEXT NOT NULL, detail LONGTEXT NOT NULL,
  status VARCHAR(16) NOT NULL, manual_ignore TINYINT NOT NULL, ignored_by VARCHAR(80) NOT NULL,
  first_detected BIGINT NOT NULL, last_detected BIGINT NOT NULL, fixed_at BIGINT NOT NULL,
  PRIMARY KEY (host_id, vuln_id, package),
  KEY vuln_findings_tenant_vuln (tenant_id, vuln_id),
  KEY vuln_findings_tenant_rank (tenant_id, severity_rank, fkey)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_ignore_rules (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  vuln_id VARCHAR(128) NOT NULL, package VARCHAR(255) NOT NULL, host_ids TEXT NOT NULL,
  reason TEXT NOT NULL, created_at BIGINT NOT NULL,
  KEY vuln_ignore_rules_tenant (tenant_id, created_at, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_emergencies (
  tenant_id VARCHAR(64) NOT NULL, vuln_id VARCHAR(128) NOT NULL, note TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, vuln_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS vuln_schedule (
  tenant_id VARCHAR(64) NOT NULL PRIMARY KEY,
  last_scan_at BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

// Console sign-in sessions. The id is the SHA-256 of the cookie secret (the secret is never
// stored); expires_at is the absolute limit, last_seen drives the idle limit.
constexpr std::string_view kSqliteV6 = R"sql(
CREATE TABLE IF NOT EXISTS web_sessions (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  remote_addr TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS web_sessions_expires ON web_sessions(expires_at);
CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions(tenant_id, user_id);
)sql";

constexpr std::string_view kMysqlV6 = R"sql(
CREATE TABLE IF NOT EXISTS web_sessions (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(64) NOT NULL, created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL,
  expires_at BIGINT NOT NULL, remote_addr VARCHAR(64) NOT NULL,
  KEY web_sessions_expires (expires_at),
  KEY web_sessions_user (tenant_id, user_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

// Dashboard trends: one row per tenant and UTC day with its open (pending) vulnerability findings
// by severity, written once a day by the "stats-snapshot" job (findings keep no history of
// their status, so past days cannot be recomputed); covering indexes for the dashboard's counts
// (open events by type and level, events per day, open findings by severity). MySQL has no
// CREATE INDEX IF NOT EXISTS (MariaDB only), so its indexes come by ALTER TABLE.
constexpr std::string_view kSqliteV9 = R"sql(
CREATE TABLE IF NOT EXISTS stats_vuln_daily (
  tenant_id TEXT NOT NULL, day TEXT NOT NULL, critical INTEGER NOT NULL, high INTEGER NOT NULL,
  medium INTEGER NOT NULL, low INTEGER NOT NULL, unknown INTEGER NOT NULL,
  taken_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, day));
CREATE INDEX IF NOT EXISTS security_events_tenant_first_seen
  ON security_events(tenant_id, first_seen, level);
CREATE INDEX IF NOT EXISTS security_events_tenant_status
  ON security_events(tenant_id, status, type, level);
CREATE INDEX IF NOT EXISTS vuln_findings_tenant_status
  ON vuln_findings(tenant_id, status, severity);
)sql";

constexpr std::string_view kMysqlV9 = R"sql(
CREATE TABLE IF NOT EXISTS stats_vuln_daily (
  tenant_id VARCHAR(64) NOT NULL, day CHAR(10) NOT NULL, critical BIGINT NOT NULL,
  high BIGINT NOT NULL, medium BIGINT NOT NULL, low BIGINT NOT NULL, unknown BIGINT NOT NULL,
  taken_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, day)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE security_events ADD INDEX security_events_tenant_first_seen (tenant_id, first_seen, level),
  ADD INDEX security_events_tenant_status (tenant_id, status, type, level);
ALTER TABLE vuln_findings ADD INDEX vuln_findings_tenant_status (tenant_id, status, severity);
)sql";

// Baseline management (docs/baseline.md, "Management"): custom policies per tenant, per tenant x
// policy settings, runs, the latest result per host x policy x check, the per-day pass-rate
// history per host x policy, and ignores.
constexpr std::string_view kSqliteV7 = R"sql(
CREATE TABLE IF NOT EXISTS baseline_policies (
  tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, yaml TEXT NOT NULL,
  checks INTEGER NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE IF NOT EXISTS baseline_settings (
  tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL, enabled INTEGER NOT NULL,
  host_ids TEXT NOT NULL, interval_days INTEGER NOT NULL, at_minute INTEGER NOT NULL,
  last_run_at INTEGER NOT NULL, last_run_id TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, policy_id));
CREATE TABLE IF NOT EXISTS baseline_runs (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL,
  hosts_targeted INTEGER NOT NULL, results_received INTEGER NOT NULL, created_by TEXT NOT NULL,
  started_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS baseline_runs_tenant ON baseline_runs(tenant_id, policy_id, started_at);
CREATE TABLE IF NOT EXISTS baseline_results (
  tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, policy_id TEXT NOT NULL, check_id TEXT NOT NULL,
  title TEXT NOT NULL, level TEXT NOT NULL, status TEXT NOT NULL, evidence TEXT NOT NULL,
  remediation TEXT NOT NULL, fix_command TEXT NOT NULL, refs TEXT NOT NULL,
  run_id TEXT NOT NULL,
  checked_at INTEGER NOT NULL, PRIMARY KEY (host_id, policy_id, check_id));
CREATE INDEX IF NOT EXISTS baseline_results_tenant
  ON baseline_results(tenant_id, policy_id, check_id);
CREATE TABLE IF NOT EXISTS baseline_history (
  tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, policy_id TEXT NOT NULL, day TEXT NOT NULL,
  passed INTEGER NOT NULL, failed INTEGER NOT NULL, PRIMARY KEY (host_id, policy_id, day));
CREATE INDEX IF NOT EXISTS baseline_history_tenant ON baseline_history(tenant_id, day);
CREATE TABLE IF NOT EXISTS baseline_ignores (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, policy_id TEXT NOT NULL, check_id TEXT NOT NULL,
  host_id TEXT NOT NULL, reason TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS baseline_ignores_tenant ON baseline_ignores(tenant_id, policy_id);
)sql";

constexpr std::string_view kMysqlV7 = R"sql(
CREATE TABLE IF NOT EXISTS baseline_policies (
  tenant_id VARCHAR(64) NOT NULL, id VARCHAR(128) NOT NULL, name VARCHAR(255) NOT NULL,
  yaml LONGTEXT NOT NULL, checks BIGINT NOT NULL, created_by VARCHAR(255) NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS baseline_settings (
  tenant_id VARCHAR(64) NOT NULL, policy_id VARCHAR(128) NOT NULL, enabled TINYINT NOT NULL,
  host_ids MEDIUMTEXT NOT NULL, interval_days INT NOT NULL, at_minute INT NOT NULL,
  last_run_at BIGINT NOT NULL, last_run_id VARCHAR(64) NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, policy_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS baseline_runs (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  policy_id VARCHAR(128) NOT NULL, hosts_targeted BIGINT NOT NULL,
  results_received BIGINT NOT NULL, created_by VARCHAR(255) NOT NULL, started_at BIGINT NOT NULL,
  KEY baseline_runs_tenant (tenant_id, policy_id, started_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS baseline_results (
  tenant_id VARCHAR(64) NOT NULL, host_id VARCHAR(64) NOT NULL, policy_id VARCHAR(128) NOT NULL,
  check_id VARCHAR(128) NOT NULL, title TEXT NOT NULL, level VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL, evidence TEXT NOT NULL, remediation TEXT NOT NULL,
  fix_command TEXT NOT NULL,
  refs TEXT NOT NULL, run_id VARCHAR(64) NOT NULL, checked_at BIGINT NOT NULL,
  PRIMARY KEY (host_id, policy_id, check_id),
  KEY baseline_results_tenant (tenant_id, policy_id, check_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS baseline_history (
  tenant_id VARCHAR(64) NOT NULL, host_id VARCHAR(64) NOT NULL, policy_id VARCHAR(128) NOT NULL,
  day CHAR(10) NOT NULL, passed BIGINT NOT NULL, failed BIGINT NOT NULL,
  PRIMARY KEY (host_id, policy_id, day),
  KEY baseline_history_tenant (tenant_id, day)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS baseline_ignores (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  policy_id VARCHAR(128) NOT NULL, check_id VARCHAR(128) NOT NULL, host_id VARCHAR(64) NOT NULL,
  reason TEXT NOT NULL, created_by VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL,
  KEY baseline_ignores_tenant (tenant_id, policy_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql";

// Malicious files: findings per (host, path, sha256) (path_key = SHA-256 of the path, so the
// unique key stays short on MySQL), the tenant's trusted files, scan runs; agent command results.
constexpr std::string_view kSqliteV8 = R"sql(
CREATE TABLE IF NOT EXISTS malware_events (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, path TEXT NOT NULL,
  path_key TEXT NOT NULL, sha256 TEXT NOT NULL, md5 TEXT NOT NULL, size INTEGER NOT NULL,
  rules TEXT NOT NULL, severity INTEGER NOT NULL, family TEXT NOT NULL, status TEXT NOT NULL,
  vault_id TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL, status_by TEXT NOT NULL, status_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS malware_events_file ON malware_events(host_id, path_key, sha256);
CREATE INDEX IF NOT EXISTS malware_events_tenant_seen ON malware_events(tenant_id, last_seen, id);
CREATE INDEX IF NOT EXISTS malware_events_tenant_sha ON malware_events(tenant_id, sha256);
CREATE INDEX IF NOT EXISTS malware_events_tenant_created ON malware_events(tenant_id, created_at);
CREATE TABLE IF NOT EXISTS malware_trusted (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
  note TEXT NOT NULL, host_ids TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS malware_trusted_tenant ON malware_trusted(tenant_id, created_at, id);
CREATE TABLE IF NOT EXISTS malware_scans (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, host_id TEXT NOT NULL, scan_id TEXT NOT NULL,
  mode TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,
  files INTEGER NOT NULL, bytes INTEGER NOT NULL, findings INTEGER NOT NULL,
  error TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS malware_scans_host ON malware_scans(host_id, scan_id);
CREATE INDEX IF NOT EXISTS malware_scans_tenant ON malware_scans(tenant_id, started_at, id);
ALTER TABLE agent_commands ADD COLUMN result_message TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_commands ADD COLUMN result TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_commands ADD COLUMN finished_at INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr std::string_view kMysqlV8 = R"sql(
CREATE TABLE IF NOT EXISTS malware_events (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  host_id VARCHAR(64) NOT NULL, path TEXT NOT NULL, path_key CHAR(64) NOT NULL,
  sha256 CHAR(64) NOT NULL, md5 VARCHAR(32) NOT NULL, size BIGINT NOT NULL, rules TEXT NOT NULL,
  severity INT NOT NULL, family VARCHAR(128) NOT NULL, status VARCHAR(16) NOT NULL,
  vault_id VARCHAR(128) NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
  count BIGINT NOT NULL, status_by VARCHAR(255) NOT NULL, status_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  UNIQUE KEY malware_events_file (host_id, path_key, sha256),
  KEY malware_events_tenant_seen (tenant_id, last_seen, id),
  KEY malware_events_tenant_sha (tenant_id, sha256),
  KEY malware_events_tenant_created (tenant_id, created_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS malware_trusted (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL,
  value TEXT NOT NULL, note TEXT NOT NULL, host_ids TEXT NOT NULL,
  created_by VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL,
  KEY malware_trusted_tenant (tenant_id, created_at, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS malware_scans (
  id VARCHAR(64) NOT NULL PRIMARY KEY, tenant_id VARCHAR(64) NOT NULL,
  host_id VARCHAR(64) NOT NULL, scan_id VARCHAR(64) NOT NULL, mode VARCHAR(16) NOT NULL,
  started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, files BIGINT NOT NULL,
  bytes BIGINT NOT NULL, findings BIGINT NOT NULL, error TEXT NOT NULL, updated_at BIGINT NOT NULL,
  UNIQUE KEY malware_scans_host (host_id, scan_id),
  KEY malware_scans_tenant (tenant_id, started_at, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE agent_commands ADD COLUMN result_message TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_commands ADD COLUMN result TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_commands ADD COLUMN finished_at BIGINT NOT NULL DEFAULT 0;
)sql";

// Hosts' malware risk: open (pending) malware events per host, kept like the other risk counters
// (recomputed on every write that can change it); filled in for existing events.
constexpr std::string_view kSqliteV10 = R"sql(
ALTER TABLE hosts ADD COLUMN risk_malware INTEGER NOT NULL DEFAULT 0;
UPDATE hosts SET risk_malware = (SELECT COUNT(*) FROM malware_events m
  WHERE m.host_id = hosts.id AND m.status = 'pending');
)sql";

constexpr std::string_view kMysqlV10 = R"sql(
ALTER TABLE hosts ADD COLUMN risk_malware BIGINT NOT NULL DEFAULT 0;
UPDATE hosts SET risk_malware = (SELECT COUNT(*) FROM malware_events m
  WHERE m.host_id = hosts.id AND m.status = 'pending');
)sql";

// Baseline schedules in a time zone: the IANA name the schedule's "at" is read in.
constexpr std::string_view kSqliteV11 = R"sql(
ALTER TABLE baseline_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
)sql";

constexpr std::string_view kMysqlV11 = R"sql(
ALTER TABLE baseline_settings ADD COLUMN time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC';
)sql";

constexpr std::array<Migration, 11> kMigrations = {{
    {1, "tenants, users, API and enrolment tokens", kSqliteV1, kMysqlV1},
    {2, "hosts, fingerprints and batch keys", kSqliteV2, kMysqlV2},
    {3, "tenant settings and leases", kSqliteV3, kMysqlV3},
    {4, "security events, host blocks and the agent command queue", kSqliteV4, kMysqlV4},
    {5, "vulnerability advisories, feeds, findings, ignore rules", kSqliteV5, kMysqlV5},
    {6, "console sign-in sessions", kSqliteV6, kMysqlV6},
    {7, "baseline policies, settings, runs, results, history, ignores", kSqliteV7, kMysqlV7},
    {8, "malware events, trusted files, scan runs, agent command results", kSqliteV8, kMysqlV8},
    {9, "daily vulnerability snapshots for the dashboard", kSqliteV9, kMysqlV9},
    {10, "hosts' malware risk counter", kSqliteV10, kMysqlV10},
    {11, "baseline schedule time zones", kSqliteV11, kMysqlV11},
}};

constexpr std::string_view kCreateSqliteMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "description TEXT NOT NULL, applied_at INTEGER NOT NULL)";
constexpr std::string_view kCreateMysqlMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, "
    "description VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL) ENGINE=InnoDB";

Result<bool> IsApplied(SqlConnection& conn, int version) {
  const SqlValue params[] = {std::int64_t{version}};
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           conn.Query("SELECT 1 FROM schema_migrations WHERE version = ?", params));
  return !rows.empty();
}

Status Record(SqlConnection& conn, const Migration& m, std::int64_t now) {
  const SqlValue params[] = {std::int64_t{m.version}, std::string(m.description), now};
  return conn
      .Execute("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
               params)
      .status();
}

// SQLite: each migration in its own write transaction; the re-check inside it makes a second
// process that raced us skip what we already applied.
Status ApplySqlite(SqlConnection& conn, const Migration& m, std::int64_t now) {
  RAMPART_RETURN_IF_ERROR(conn.Begin());
  Status status = [&]() -> Status {
    RAMPART_ASSIGN_OR_RETURN(bool applied, IsApplied(conn, m.version));
    if (applied) return Status::Ok();
    RAMPART_RETURN_IF_ERROR(conn.ExecuteScript(m.sqlite_sql));
    return Record(conn, m, now);
  }();
  if (!status.ok()) {
    (void)conn.Rollback();
    return status;
  }
  return conn.Commit();
}

// MySQL: DDL commits implicitly, so a migration cannot be one transaction; the named lock keeps
// other nodes out, and every statement is IF NOT EXISTS so a run cut short is simply redone.
Status ApplyMysql(SqlConnection& conn, const Migration& m, std::int64_t now) {
  RAMPART_ASSIGN_OR_RETURN(bool applied, IsApplied(conn, m.version));
  if (applied) return Status::Ok();
  RAMPART_RETURN_IF_ERROR(conn.ExecuteScript(m.mysql_sql));
  return Record(conn, m, now);
}

Result<int> MigrateLocked(SqlConnection& conn, SqlDialect dialect, std::int64_t now,
                          std::span<const Migration> migrations) {
  RAMPART_RETURN_IF_ERROR(
      conn.Execute(dialect == SqlDialect::kMysql ? kCreateMysqlMigrations : kCreateSqliteMigrations)
          .status());
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  RAMPART_ASSIGN_OR_RETURN(int applied, AppliedSchemaVersion(conn));
  if (applied > latest) {
    return FailedPrecondition("database schema " + std::to_string(applied) +
                              " is newer than this rampart (" + std::to_string(latest) + ")");
  }
  for (const Migration& m : migrations) {
    Status status =
        dialect == SqlDialect::kMysql ? ApplyMysql(conn, m, now) : ApplySqlite(conn, m, now);
    if (!status.ok()) {
      return status.WithContext("migration " + std::to_string(m.version) + " (" +
                                std::string(m.description) + ")");
    }
  }
  return latest;
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations.back().version; }

Result<int> AppliedSchemaVersion(SqlConnection& conn) {
  RAMPART_ASSIGN_OR_RETURN(auto rows,
                           conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  if (rows.empty()) return 0;
  return static_cast<int>(rows[0].Int(0));
}

Result<int> RunMigrations(SqlDb& db, std::int64_t unix_now, std::span<const Migration> migrations) {
  RAMPART_ASSIGN_OR_RETURN(auto lease, db.Acquire());
  SqlConnection& conn = *lease;
  if (db.dialect() == SqlDialect::kSqlite) {
    return MigrateLocked(conn, db.dialect(), unix_now, migrations);
  }
  RAMPART_ASSIGN_OR_RETURN(auto locked, conn.Query("SELECT GET_LOCK('rampart_migrate', 30)"));
  if (locked.empty() || locked[0].Int(0) != 1) {
    return Unavailable("migrations: another server held the migration lock for 30 s");
  }
  Result<int> result = MigrateLocked(conn, db.dialect(), unix_now, migrations);
  auto released = conn.Query("SELECT RELEASE_LOCK('rampart_migrate')");
  if (result.ok() && !released.ok()) return released.status();
  return result;
}

}  // namespace rampart::server
