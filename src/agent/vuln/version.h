#pragma once
// Version comparison per package ecosystem, exactly as each ecosystem's own tool orders versions
// (dpkg, rpmvercmp, apk, PEP 440, Maven's ComparableVersion, SemVer 2.0). The vulnerability matcher
// decides "affected or fixed" with these, so a wrong answer is a false positive or a missed
// vulnerability. All functions are pure and thread-safe.

#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

enum class Ecosystem { kDeb, kRpm, kApk, kPypi, kMaven, kSemver };

// Accepts "deb" (also "debian", "ubuntu"), "rpm" ("redhat", "rhel", "rocky", "almalinux", "centos",
// "fedora", "opensuse", "suse"), "apk" ("alpine"), "pypi" ("python"), "maven", "semver" ("npm",
// "go", "crates", "crates.io", "cargo"); case-insensitive. Error kInvalidArgument listing the valid
// names.
Result<Ecosystem> ParseEcosystem(std::string_view name);
std::string_view EcosystemName(Ecosystem e);

// Returns <0, 0 or >0 as a orders before, equal to, or after b.
// Error kInvalidArgument naming the offending input ("invalid deb version '1:': empty upstream
// version") when either string is not a valid version of the ecosystem.
Result<int> CompareVersions(Ecosystem e, std::string_view a, std::string_view b);

}  // namespace rampart::agent::vuln
