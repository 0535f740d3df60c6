#pragma once
// Domain records of the platform. Plain structs, no SQL or HTTP types. Times are Unix seconds
// (UTC). Every record that belongs to a tenant carries tenant_id; storage scopes every query by it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace rampart::server {

enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };
std::string_view RoleName(Role role);           // "viewer" "operator" "admin"
Result<Role> ParseRole(std::string_view text);  // InvalidArgument names the accepted values
inline bool RoleAtLeast(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

enum class HostStatus { kOnline, kOffline, kUninstalled };
std::string_view HostStatusName(HostStatus status);  // "ONLINE" "OFFLINE" "UNINSTALLED"
Result<HostStatus> ParseHostStatus(std::string_view text);

struct Tenant {
  std::string id;  // "tn_..."
  std::string name;
  std::int64_t created_at = 0;
};

struct User {
  std::string id;  // "u_..."
  std::string tenant_id;
  std::string name;
  Role role = Role::kViewer;
  std::string password_hash;  // argon2id encoded string; empty: cannot sign in with a password
  std::int64_t created_at = 0;
};

// A console sign-in session (web_sessions). `id` is the SHA-256 hex of the cookie's secret.
struct WebSession {
  std::string id;
  std::string tenant_id;
  std::string user_id;
  std::int64_t created_at = 0;
  std::int64_t last_seen = 0;
  std::int64_t expires_at = 0;  // absolute limit (unix seconds)
  std::string remote_addr;
};

struct ApiTokenRecord {
  std::string id;  // "tk_..."
  std::string tenant_id;
  std::string user_id;  // empty: a service token not tied to a user
  Role role = Role::kViewer;
  std::string secret_hash;  // argon2id encoded
  std::string description;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;  // 0: never
  std::int64_t revoked_at = 0;  // 0: active
};

struct EnrollTokenRecord {
  std::string id;  // "et_..."
  std::string tenant_id;
  std::string secret_hash;  // argon2id encoded
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::int64_t revoked_at = 0;
  std::int64_t uses = 0;
};

struct RiskCounters {
  std::int64_t vulnerabilities = 0;
  std::int64_t baseline_failures = 0;
  std::int64_t events = 0;
  std::int64_t malware = 0;  // open (pending) malware events
};

struct Host {
  std::string id;  // "h_..."; also the agent id
  std::string tenant_id;
  std::string machine_id;  // stable machine identity reported at enrolment (re-enrolment key)
  std::string hostname;
  std::vector<std::string> ips;
  std::string os_name;
  std::string os_version;
  std::string machine_type;  // CVM BM VM container other
  std::string agent_version;
  std::int64_t installed_at = 0;  // first enrolment
  std::int64_t last_seen = 0;
  HostStatus status = HostStatus::kOffline;
  std::string plan = "basic";     // "basic" | "pro"
  std::string agent_secret_hash;  // hex SHA-256 of the agent's 256-bit random secret
  std::int64_t inventory_version = 0;
  RiskCounters risk;
};

// Keyset pagination. `cursor` is opaque to callers (storage makes and reads it); an unreadable
// cursor is InvalidArgument.
struct PageRequest {
  int limit = 50;  // 1..500, clamped by the API layer
  std::string cursor;
};
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty: no more
};

struct HostQuery {
  std::optional<HostStatus> status;
  std::string hostname_contains;  // case-insensitive substring
  std::string os_name;            // exact
  std::string plan;               // exact
  std::string ip;                 // exact, any of the host's addresses
  // Sort: "hostname" (default), "last_seen", "installed_at"; descending when sort_desc.
  std::string sort = "hostname";
  bool sort_desc = false;
  PageRequest page;
};

struct FingerprintRow {
  std::string host_id;
  std::string hostname;  // filled by fleet queries
  std::string category;
  std::string row_key;  // wire::RowKey(data)
  Json data;
  std::int64_t updated_at = 0;
};

// Fleet-wide filter: each (field, value) must equal the row's top-level field, compared as text
// (numbers in decimal, booleans "true"/"false").
struct FingerprintQuery {
  std::string category;
  std::string host_id;  // empty: every host of the tenant
  std::vector<std::pair<std::string, std::string>> equals;
  PageRequest page;
};

// One inventory batch as received from an agent, already validated by the service layer.
struct InventoryBatch {
  std::string idempotency_key;
  std::int64_t version = 0;
  std::int64_t base = 0;
  bool full = false;
  std::int64_t collected_at = 0;
  // full: every row per category. delta: added rows per category.
  std::vector<std::pair<std::string, std::vector<Json>>> rows;
  // delta only: removed row keys per category.
  std::vector<std::pair<std::string, std::vector<std::string>>> removed;
  // Host record fields taken from the "host" category (hostname, ips, os...), applied to hosts.
  std::optional<Host> host_fields;
};

enum class IngestOutcome { kCommitted, kDuplicate, kResync };

struct TenantSettings {
  std::int64_t version = 0;  // increases on every change
  Json settings = Json::MakeObject();
  std::int64_t updated_at = 0;
};

// Storage::SummarizeHosts.
struct HostSummary {
  std::vector<std::pair<HostStatus, std::int64_t>> by_status;
  std::int64_t at_risk = 0;
  std::vector<Host> top_risky;
};

}  // namespace rampart::server
