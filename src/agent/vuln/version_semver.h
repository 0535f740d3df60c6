#pragma once
// SemVer 2.0.0 precedence, as npm (node-semver), Go modules (golang.org/x/mod/semver) and Cargo
// order versions.
//
// Accepted: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] per semver.org, with
//   - one optional leading `v` (Go: v1.2.3) or `=` (npm);
//   - numbers of any length (compared as digit strings, no overflow);
//   - `+incompatible` and any other build metadata, ignored for ordering;
//   - Go pseudo-versions (v0.0.0-20191109021931-daa7c04131f5), which are ordinary pre-releases;
//   - the short forms `1` and `1.2` (= 1.0.0, 1.2.0; Go's semver accepts "v1", "v1.2") and more
//   than
//     three numeric components (`1.1.3.4`; the extra ones compare numerically, absent ones as 0).
//     Neither is SemVer; both appear in OSV feeds and the golden fixtures. Short forms take no
//     pre-release or build suffix.
// Rejected: leading zeros in numeric identifiers (`01.2.3`, `1.2.3-01`), empty identifiers,
// characters outside [0-9A-Za-z-] in pre-release/build, whitespace. See
// docs/versions.md. Pure and thread-safe; does not allocate on valid input.

#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

// Returns <0, 0 or >0 as `a` has lower, equal or higher precedence than `b`.
// Error kInvalidArgument naming the input ("invalid semver version '1.2.3-': ...").
Result<int> CompareSemverVersions(std::string_view a, std::string_view b);

}  // namespace rampart::agent::vuln
