#pragma once
// PyPI (PEP 440) version ordering, exactly as `packaging.version.Version` (packaging >= 22) parses
// and orders versions — the ordering pip, uv and the PyPA advisory database use.
//
// Accepted: everything packaging's VERSION_PATTERN accepts (case-insensitive, optional leading `v`,
// surrounding whitespace including Unicode spaces, `-`/`_`/`.` separators, spelling aliases such as
// `alpha`/`c`/`pre`/`preview`/`rev`/`r`, implicit post releases `1.0-1`, implicit numbers `1.0a`),
// epochs `N!`, local versions `+abc.1`. Numbers may be arbitrarily long.
// Versions PEP 440 rejects ("legacy" versions such as `0.1-bulbasaur` or `trunk`, which pip
// installed for years) are ordered as packaging < 22's LegacyVersion did: before every PEP 440
// version, and among themselves by its legacy key. Only empty or blank strings are rejected. See
// docs/versions.md. Pure and thread-safe.

#include <string_view>

#include "common/status.h"

namespace rampart::agent::vuln {

// Returns <0, 0 or >0 as `a` orders before, equal to, or after `b` under PEP 440.
// Error kInvalidArgument naming the input ("invalid pypi version ' ': empty") when either is blank.
Result<int> ComparePypiVersions(std::string_view a, std::string_view b);

}  // namespace rampart::agent::vuln
