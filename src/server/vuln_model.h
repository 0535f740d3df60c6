#pragma once
// Records of vulnerability management on the platform. Advisories and feeds are platform-wide
// reference data (like a package index: the same for every tenant, never tenant rows); findings,
// ignore rules and emergency flags belong to a tenant. Plain structs; times are Unix seconds.

#include <cstdint>
#include <string>
#include <vector>

#include "server/model.h"

namespace rampart::server {

// One advisory as the database keeps it: the id, the feed's `modified` time as a key that sorts
// as text ("%020d.%09d" seconds and nanoseconds since year 1; "" when the feed gives none), whether
// it is withdrawn, and the whole advisory as JSON (agent/vuln/advisory_json.h).
struct StoredAdvisory {
  std::string id;
  std::string modified;  // sortable key; "" unknown
  bool withdrawn = false;
  std::string data;  // JSON text
};

// One feed import: advisories read from one file or directory.
struct FeedImport {
  std::string name;            // the feed's file or directory name ("Debian-all.zip")
  std::int64_t records = 0;    // records read and accepted by the reader
  std::int64_t skipped = 0;    // records rejected (reported by the importer)
  std::int64_t inserted = 0;   // new advisory ids
  std::int64_t updated = 0;    // ids whose stored copy was older and was replaced
  std::int64_t unchanged = 0;  // ids whose stored copy was as new or newer (kept)
  std::int64_t withdrawn = 0;  // accepted records that are withdrawn
  std::int64_t imported_at = 0;
  std::int64_t generation = 0;  // the feed generation this import produced
};

enum class FindingStatus { kPending, kIgnored, kFixed };
std::string_view FindingStatusName(FindingStatus s);  // "pending" "ignored" "fixed"
Result<FindingStatus> ParseFindingStatus(std::string_view text);

// One vulnerability on one host: a (primary vulnerability id, package) pair. The detail fields are
// those of `rampart vuln --json` (agent/vuln/finding.h); `detail` holds that JSON object.
struct HostFinding {
  std::string tenant_id;
  std::string host_id;
  std::string hostname;          // filled by reads
  std::string vuln_id;           // primary id (DSA before CVE, ...)
  std::string package;           // matched package (source package for deb)
  std::vector<std::string> ids;  // every id and alias, vuln_id first
  std::string installed_version;
  std::string fixed_version;  // "" when there is no fix yet
  std::string severity;       // "unknown" "low" "medium" "high" "critical"
  double score = 0;
  std::string summary;
  std::string fix_command;
  Json detail = Json::MakeObject();
  FindingStatus status = FindingStatus::kPending;
  bool manually_ignored = false;  // an operator ignored it (kept over rematches)
  std::string ignored_by;         // "rule:<id>", "user", or ""
  std::int64_t first_detected = 0;
  std::int64_t last_detected = 0;
  std::int64_t fixed_at = 0;  // 0 unless fixed
};

// An ignore rule: a finding is ignored when every non-empty criterion holds (vulnerability id
// equal to any of the finding's ids; package equal; host among `host_ids`). At least one criterion
// must be set.
struct IgnoreRule {
  std::string id;  // "vir_..."
  std::string tenant_id;
  std::string vuln_id;
  std::string package;
  std::vector<std::string> host_ids;
  std::string reason;
  std::int64_t created_at = 0;
};
bool IgnoreRuleMatches(const IgnoreRule& rule, const HostFinding& finding);

struct EmergencyFlag {
  std::string tenant_id;
  std::string vuln_id;
  std::string note;
  std::int64_t created_at = 0;
};

// Fleet view: one vulnerability with the number of the tenant's hosts that have it.
struct VulnSummary {
  std::string vuln_id;
  std::vector<std::string> ids;
  std::string severity;
  double score = 0;
  std::string summary;
  std::vector<std::string> packages;
  std::int64_t hosts = 0;  // hosts with a finding of this id in the queried status(es)
  bool emergency = false;
  std::int64_t first_detected = 0;
  std::int64_t last_detected = 0;
};

struct VulnQuery {
  std::string severity;  // exact; "" any
  std::string status;    // pending|ignored|fixed; "" = pending and ignored (open)
  std::string package;   // exact
  bool emergency_only = false;
  PageRequest page;
};

struct HostFindingQuery {
  std::string host_id;  // "" any host of the tenant
  std::string vuln_id;  // "" any
  std::string status;   // as VulnQuery
  std::string severity;
  std::string package;
  PageRequest page;
};

// What a rematch of one host changed.
struct RematchResult {
  std::int64_t detected = 0;  // findings matched now
  std::int64_t new_findings = 0;
  std::int64_t fixed = 0;    // findings that became fixed
  std::int64_t removed = 0;  // findings of advisories no longer in the feeds (withdrawn)
};

}  // namespace rampart::server
