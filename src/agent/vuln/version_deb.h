#pragma once
// Debian package versions ([epoch:]upstream[-revision]) ordered exactly as dpkg orders them
// (lib/dpkg/version.c: parseversion + verrevcmp, dpkg 1.21). See docs/versions.md.
// All functions are pure and thread-safe; none allocates on success.

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

// A parsed Debian version. `upstream` and `revision` view into the string given to ParseDebVersion,
// which must outlive this value. An absent revision is "" (which orders equal to "0").
struct DebVersion {
  std::uint32_t epoch = 0;  // 0 when absent; at most INT_MAX, as dpkg enforces
  std::string_view upstream;
  std::string_view revision;
};

// Parses `version` the way `dpkg --compare-versions` does. Leading and trailing blanks (space, tab)
// are ignored. Error kInvalidArgument ("invalid deb version '1:': empty upstream version") for
// exactly what dpkg reports as an error: an empty string, embedded blanks, an empty / non-numeric /
// negative / too big
// (> INT_MAX) epoch, an empty upstream version, an empty revision after a final '-'. What dpkg only
// warns about (upstream not starting with a digit, characters outside [A-Za-z0-9.+~:-]) is accepted
// and ordered as dpkg orders it. Also rejected: a NUL byte (dpkg can never be handed one).
Result<DebVersion> ParseDebVersion(std::string_view version);

// Orders two parsed versions: epoch numerically, then upstream, then revision with dpkg's
// verrevcmp. Returns -1, 0 or 1.
int CompareDebVersions(const DebVersion& a, const DebVersion& b);

// dpkg's verrevcmp on one part (upstream or revision): non-digit runs compare character by
// character with '~' before the end of the string, the end before letters, letters before
// everything else; digit runs compare numerically (any length). Returns -1, 0 or 1.
int CompareDebVersionPart(std::string_view a, std::string_view b);

// Parses both and compares them; -1, 0 or 1. Error: the ParseDebVersion error of the first invalid
// input.
Result<int> CompareDebVersions(std::string_view a, std::string_view b);

}  // namespace rampart::agent::vuln
