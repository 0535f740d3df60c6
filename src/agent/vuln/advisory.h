#pragma once
// The advisory data model: what feed readers produce (OSV records, the Debian Security Tracker) and
// the matcher consumes. Plain values; no I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "agent/vuln/version.h"

namespace rampart::agent::vuln {

// One event of an OSV range, in order. Exactly one of the four kinds.
struct RangeEvent {
  enum class Kind { kIntroduced, kFixed, kLastAffected, kLimit };
  Kind kind = Kind::kIntroduced;
  std::string version;  // "0" for introduced means "from the first version"
};

struct Range {
  enum class Type { kEcosystem, kSemver, kGit };
  Type type = Type::kEcosystem;
  std::vector<RangeEvent> events;
};

// Where a package is affected. `ecosystem` is OSV's string as given ("Debian:12", "Alpine:v3.19",
// "PyPI", "npm", "Maven", "Go", "crates.io", "Ubuntu:22.04", "Rocky Linux:9"); `name` is the
// package name in that ecosystem (for Debian: the *source* package).
struct Affected {
  std::string ecosystem;
  std::string name;
  std::string purl;
  std::vector<Range> ranges;
  std::vector<std::string> versions;  // explicitly affected versions
  std::string severity;               // per-package severity when the feed gives one ("" otherwise)
  // Debian tracker only: the issue is known but not fixed in this release ("open"), or marked
  // "no-dsa" (minor, fixed in a point release at best), or "unimportant".
  std::string status;
};

enum class Severity { kUnknown, kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);  // "unknown", "low", "medium", "high", "critical"

struct Advisory {
  std::string id;  // "DSA-5380-1", "GHSA-xxxx", "CVE-2023-1234", "GO-2023-0001"
  std::vector<std::string>
      aliases;  // OSV aliases and related ids (CVEs of a DSA), without id itself
  std::string summary;
  std::string details;
  std::string published;  // ISO 8601 as given
  std::string modified;
  std::string withdrawn;  // non-empty: the record was withdrawn and must not match
  Severity severity = Severity::kUnknown;
  std::string cvss_vector;  // "CVSS:3.1/AV:N/..." when given
  double cvss_score = 0;    // 0 when unknown
  std::vector<Affected> affected;
  std::vector<std::string> references;  // URLs
  std::string source;                   // where it was read: "Debian-all.zip:DSA-5380-1.json"
};

}  // namespace rampart::agent::vuln
