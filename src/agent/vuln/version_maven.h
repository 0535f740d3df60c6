#pragma once
// Maven version ordering per the POM reference's "Version Order Specification"
// (maven.apache.org/pom.html#version-order-specification), implemented as OSV (osv.dev,
// osv-scanner, osv-scalibr) orders Maven versions — the ordering the OSV Maven feed's ECOSYSTEM
// ranges and "affected versions" lists were computed with, and the one the golden fixtures encode.
//
// Summary: split on '.', '-' and digit/letter transitions (a transition acts as '-'); empty tokens
// are "0"; qualifiers are case-insensitive with alpha(a) < beta(b) < milestone(m) < rc = cr <
// snapshot <
// "" = ga = final = release < sp < other qualifiers (alphabetical); a/b/m abbreviate only when
// directly followed by a digit; trailing null tokens (0, "", ga, final, release) are trimmed at the
// end and before each hyphen; the shorter version is padded with nulls; ".qualifier" < "-qualifier"
// < "-number" <
// ".number". Numbers have any length.
//
// Where Apache Maven 3.9's own ComparableVersion disagrees (27 of the ~14,850 fixture pairs, e.g.
// "2.9.0-1" vs "2.9.0.RC1"), this follows the specification/OSV; docs/versions.md lists
// the differences. Every non-empty ASCII string is a version; the empty string and non-ASCII bytes
// are rejected. Pure and thread-safe; does not allocate for versions of up to 32 tokens.

#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

// Returns <0, 0 or >0 as `a` orders before, equal to, or after `b`.
// Error kInvalidArgument naming the input ("invalid maven version '': empty version").
Result<int> CompareMavenVersions(std::string_view a, std::string_view b);

}  // namespace rampart::agent::vuln
