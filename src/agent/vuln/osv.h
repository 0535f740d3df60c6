#pragma once
// OSV records (https://ossf.github.io/osv-schema/) -> Advisory. Pure: no I/O; feed.cpp reads files
// and zips.

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/vuln/advisory.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent::vuln {

// Validates one OSV record and converts it. `source` is copied into Advisory::source.
//
// Validation (per the OSV schema): `id` (non-empty string) and `modified` (RFC 3339 date-time) are
// required; `published`/`withdrawn` are RFC 3339 when present; `aliases`/`related` are arrays of
// strings (related objects with an `id`, an older schema draft, are accepted); `severity[]` entries
// have a `type` of CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu and a string `score` (CVSS_V2/V3 vectors
// must parse); `affected[]` entries have `package.{ecosystem,name}` (non-empty strings; `package`
// may be absent only when every range is GIT), `ranges[]` with `type` ECOSYSTEM, SEMVER or GIT (GIT
// needs `repo`) and a non-empty `events` array, each event holding exactly one of introduced,
// fixed, last_affected, limit as a non-empty string, at least one introduced per range and never
// both fixed and last_affected; `versions` is an array of strings; `references[]` have a string
// `url`. Unknown members are ignored. Version strings are not checked against their ecosystem here
// (the matcher does that when it compares them).
//
// Derived fields: `aliases` = aliases + related, in order, without duplicates or the id itself.
// `cvss_vector`/`cvss_score` from the first CVSS_V3 entry (record level, else per-package), else
// CVSS_V2 (scored with the v2 equations), else CVSS_V4 (vector kept, score 0: no v4 scoring).
// `severity` from the score's band; with no score, from `database_specific.severity` (GitHub
// LOW/MODERATE/HIGH/CRITICAL; MODERATE -> medium), then an Ubuntu severity entry, then the highest
// per-package severity. Affected::severity is the normalised name ("low".."critical") of the
// package's `ecosystem_specific` or `database_specific` severity (or of its own severity[]
// entries), "" otherwise.
//
// Errors: kInvalidArgument whose message starts with the JSON path of the problem:
//   "affected[0].ranges[1].events[2]: expected exactly one of introduced, fixed, last_affected,
//   limit".
Result<Advisory> ParseOsvRecord(const Json& record, std::string_view source);

// An RFC 3339 instant, comparable. Parsed from "2023-03-29T00:00:00Z",
// "2024-02-16T08:21:07.894811Z", "2023-03-29T02:00:00+02:00" ('t'/'z' lower case and a space
// separator accepted).
struct Timestamp {
  std::int64_t seconds =
      0;  // since 0001-01-01T00:00:00Z (so year 1, used by Go's placeholder, is fine)
  std::int32_t nanos = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace rampart::agent::vuln
