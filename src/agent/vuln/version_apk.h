#pragma once
// Alpine package versions (number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}) ordered as
// apk-tools orders them (src/version.c, apk-tools 2.10-2.14, the apk of Alpine 3.x; `apk version
// -t`). See docs/versions.md for the rules, the choices made where apk versions disagree,
// and the handling of malformed versions. All functions are pure and thread-safe; none allocates.

#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

// Returns -1, 0 or 1 as `a` orders before, equal to or after `b`.
// Like `apk version -t`, every non-empty string is accepted: a malformed version is ordered by its
// well-formed prefix, and the point where it stops parsing sorts below the end of a version
// ("1 > 1-ruff", "1.2.0A < 1.2.0d"); two versions that stop parsing at the same point with equal
// prefixes are equal ("1-r0-1 = 1-r0-2"). This is a total preorder on all accepted strings.
// Error kInvalidArgument ("invalid apk version '': empty version") for an empty string or a NUL
// byte.
Result<int> CompareApkVersions(std::string_view a, std::string_view b);

// True when `version` is well formed: valid for apk-tools' apk_version_validate (2.x), starting
// with a digit, every '.' followed by a digit, "-r" followed by digits or the end, and an optional
// apk 3
// "~<lower-case hex>" commit hash before the revision. Alpine's own package versions all are; a
// feed reader can use this to flag suspicious advisory data.
bool IsWellFormedApkVersion(std::string_view version);

}  // namespace rampart::agent::vuln
