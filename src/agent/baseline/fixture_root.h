#pragma once
// Test support: builds a host root directory from fixture files (policy `tests:` entries), so each
// check can be evaluated against its own pass and fail roots. Used by tests only.

#include <string>
#include <vector>

#include "agent/baseline/policy.h"
#include "common/status.h"

namespace rampart::agent::baseline {

// Creates a fresh directory `dir` (removing an old one) holding `base` then `files` (a later path
// replaces an earlier one). Parent directories are created 0755; modes are applied exactly (umask
// ignored); uid/gid are applied only when running as root, and a fixture that needs them when not
// root is reported through *needs_root (the caller skips it). Errors: kInternal with the failing
// path.
Status BuildFixtureRoot(const std::string& dir, const std::vector<FixtureFile>& base,
                        const std::vector<FixtureFile>& files, bool* needs_root);

}  // namespace rampart::agent::baseline
