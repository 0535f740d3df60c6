#pragma once
// Matching a host's installed packages against advisories.
//
// AdvisoryIndex is built once from the active advisories: (index ecosystem, normalised package
// name) -> the affected entries naming it, each with its ranges prepared (events validated and
// sorted by version once), so matching a package is one hash lookup plus a few comparisons per
// advisory.
//
// Rules (docs/vuln.md "Matching" is the long form):
//  - OS packages are matched in the host's OS ecosystem only (OsTargetFor); deb and apk packages by
//  their
//    *source* package name and version (dpkg "Source: name (version)", apk origin), rpm by
//    SOURCERPM name (Rocky, AlmaLinux) or binary name (Red Hat) with the binary's
//    epoch:version-release. All binaries of one source at one version give ONE finding listing
//    them.
//  - Ranges: ECOSYSTEM (the ecosystem's comparator) and SEMVER (SemVer) follow the OSV spec's
//  evaluation:
//    events sorted by version, "introduced: 0" first; introduced <= v sets affected, fixed <= v
//    clears it, last_affected < v clears it; a range with limit events only applies below some
//    limit. A range with an event the comparator rejects never matches (counted in
//    IndexStats::invalid_ranges). GIT ranges are ignored; `versions` are exact matches. An entry
//    with a Debian-tracker status "open", "undetermined", "no-dsa", "postponed", "ignored" or
//    "end-of-life" and no range is affected in every version; "unimportant" entries are skipped
//    unless MatchOptions::include_unimportant.
//  - Advisories matching one package that share any id or alias are merged into one finding (all
//  ids,
//    highest severity and CVSS score, highest fixed version).
//  - Python distributions under /usr/lib*/python* on a host with an OS package manager belong to
//  that
//    package manager (Debian's python3-* ship dist-info there) and are matched through their OS
//    package, not as PyPI, unless MatchOptions::include_os_managed_python.
//  - Kernel images: every installed kernel is matched; when the running release is known each
//  kernel
//    finding is labelled KERNEL_RUNNING (+ NEED_REBOOT) or KERNEL_NOT_RUNNING, and a vulnerable
//    kernel that is not running is fixed by removing it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/collectors/software.h"
#include "agent/vuln/advisory.h"
#include "agent/vuln/finding.h"
#include "agent/vuln/platform.h"
#include "agent/vuln/version.h"

namespace rampart::agent::vuln {

// One range ready for evaluation: events validated against the comparator and sorted by version.
struct PreparedRange {
  struct Event {
    RangeEvent::Kind kind;
    const std::string* version;  // points into the Affected it was prepared from
    bool zero;                   // introduced "0"
  };
  Ecosystem comparator = Ecosystem::kDeb;
  std::vector<Event> events;               // introduced/fixed/last_affected, by version
  std::vector<const std::string*> limits;  // limit events
  bool valid = true;
};

// An affected entry ready for evaluation. REQUIRES: `affected` outlives it.
struct PreparedAffected {
  const Advisory* advisory = nullptr;
  const Affected* affected = nullptr;
  Ecosystem comparator = Ecosystem::kDeb;
  std::vector<PreparedRange> ranges;  // GIT ranges left out
  bool invalid = false;               // some range had an event the comparator rejects
};

// Validates and sorts the ranges of `affected` for `comparator` (SEMVER ranges always use semver).
PreparedAffected PrepareAffected(const Advisory* advisory, const Affected& affected,
                                 Ecosystem comparator);

struct Verdict {
  bool affected = false;
  std::string fixed;  // the first fixed version above the installed one ("" when none)
};
// Whether `version` is affected. An installed version the comparator rejects is not affected.
Verdict Evaluate(const PreparedAffected& p, std::string_view version);

struct IndexStats {
  std::size_t advisories = 0;      // active advisories seen
  std::size_t entries = 0;         // affected entries indexed
  std::size_t keys = 0;            // distinct (ecosystem, package) keys
  std::size_t unsupported = 0;     // affected entries of ecosystems without a comparator
  std::size_t invalid_ranges = 0;  // ranges with events the comparator rejects (never match)
};

// REQUIRES: the advisories outlive the index and are not modified. Immutable after Build;
// concurrent lookups are safe.
class AdvisoryIndex {
 public:
  static AdvisoryIndex Build(const std::vector<const Advisory*>& advisories);
  // The entries for an index ecosystem and a *normalised* name; nullptr when none.
  const std::vector<PreparedAffected>* Find(std::string_view ecosystem,
                                            std::string_view name) const;
  const IndexStats& stats() const { return stats_; }

 private:
  std::unordered_map<std::string, std::vector<PreparedAffected>> by_key_;
  IndexStats stats_;
};

// What is matched: the host's OS ecosystem (nullopt: its OS packages are not matched), the running
// kernel release ("" when unknown), and every installed package.
struct MatchTarget {
  std::optional<OsTarget> os;
  std::string kernel_release;
  std::vector<SoftwarePackage> packages;
};

struct MatchOptions {
  bool include_unimportant = false;
  bool include_os_managed_python = false;
  Severity min_severity = Severity::kUnknown;
};

struct MatchStats {
  std::size_t packages = 0;  // installed packages looked at
  std::size_t groups = 0;    // (ecosystem, name, version) lookups made
  std::size_t skipped_os_managed = 0;
  std::size_t skipped_other = 0;     // packages of a type without an ecosystem on this host
  std::size_t invalid_versions = 0;  // installed versions the comparator rejects
};

// Findings sorted by severity (highest first), then package, then id. Thread-safe (const index).
std::vector<Finding> MatchHost(const AdvisoryIndex& index, const MatchTarget& target,
                               const MatchOptions& options = {}, MatchStats* stats = nullptr);

// The fix command for a finding of `type` on a host using `package_manager`: apt-get install
// --only-upgrade / dnf upgrade / yum update / apk upgrade with the binaries, pip install
// 'name>=fixed', npm install -g name@fixed; "" when there is no fixed version.
std::string FixCommand(std::string_view type, std::string_view package_manager,
                       const std::vector<std::string>& binaries, std::string_view fixed_version);

}  // namespace rampart::agent::vuln
