#pragma once
// RPM package versions ([epoch:]version[-release]) ordered exactly as rpm orders them: rpmverParse
// + rpmverCmp + rpmvercmp (rpm 4.18, what `rpm --eval '%{lua:print(rpm.vercmp(a, b))}'` answers).
// See docs/versions.md. All functions are pure and thread-safe; none allocates on
// success.

#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

// A parsed EVR. Views into the string given to ParseRpmVersion, which must outlive this value.
struct RpmVersion {
  std::string_view epoch;    // digits, possibly empty; "" and absent both order as "0"
  std::string_view version;  // may be empty ("1:" has an empty version, as in rpm)
  std::string_view release;  // meaningful only when has_release
  bool has_release = false;  // "1.0-" has an empty but present release
};

// Splits like rpm's parseEVR: the epoch is the leading run of digits when a ':' follows it (so
// "a:1" and "1.m+e2:1" have no epoch: their colon is part of the version), the release follows the
// LAST '-'. Error kInvalidArgument for an empty string (rpmverParse refuses it) and for a NUL byte
// (rpm can never be handed one). rpm accepts every other string, so this does too.
Result<RpmVersion> ParseRpmVersion(std::string_view evr);

// rpmverCmp: epochs (absent = "0"), then versions, then releases, each with rpmvercmp. When only
// one side has a release, that side is newer ("1-0" > "1", "1-" > "1"). Returns -1, 0 or 1.
int CompareRpmVersions(const RpmVersion& a, const RpmVersion& b);

// rpmvercmp on one segment string: runs of ASCII letters or digits compare pairwise (numbers by
// value, any length, and newer than letters), every other byte only separates, '~' sorts before
// everything including the end, '^' after the end but before anything else; the side with segments
// left wins. Returns -1, 0 or 1.
int RpmVerCmp(std::string_view a, std::string_view b);

// Parses both and compares them; -1, 0 or 1. Error: the ParseRpmVersion error of the first invalid
// input.
Result<int> CompareRpmVersions(std::string_view a, std::string_view b);

}  // namespace rampart::agent::vuln
