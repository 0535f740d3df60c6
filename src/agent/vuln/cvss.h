#pragma once
// CVSS base scores computed from vector strings, and severity words as feeds spell them. Pure
// functions, thread-safe. Used by the feed readers to fill Advisory::cvss_score and
// Advisory::severity.

#include <optional>
#include <string_view>

#include "agent/vuln/advisory.h"
#include "common/status.h"

namespace rampart::agent::vuln {

// Base score of a CVSS v3.0 or v3.1 vector ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" -> 9.8),
// by the CVSS 3.1 specification's formulas (section 7.1) and its Roundup (Appendix A), which gives
// the v3.0 results too. The eight base metrics must each appear once; temporal and environmental
// metrics are accepted (with their valid values) and do not change the base score. Error
// kInvalidArgument naming the bad part.
Result<double> CvssV3BaseScore(std::string_view vector);

// Base score of a CVSS v2 vector ("AV:N/AC:L/Au:N/C:P/I:P/A:P" -> 7.5; an optional "(...)" wrapper
// or "CVSS:2.0/" prefix is accepted), by the CVSS v2 guide's equations, rounded to one decimal.
Result<double> CvssV2BaseScore(std::string_view vector);

// The CVSS v3 qualitative bands: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical. A
// score of 0.0 ("none") has no Severity value and maps to kUnknown.
Severity SeverityFromV3Score(double score);
// The CVSS v2 bands (NVD): 0.0-3.9 low, 4.0-6.9 medium, 7.0-10.0 high (v2 has no critical).
Severity SeverityFromV2Score(double score);

// A severity word as feeds write it, case-insensitive: "low", "moderate"/"medium", "high",
// "important" (Red Hat) -> high, "critical"; "negligible" and "unimportant" -> low. nullopt for
// anything else (including "unknown", "not yet assigned").
std::optional<Severity> ParseSeverityWord(std::string_view word);

}  // namespace rampart::agent::vuln
