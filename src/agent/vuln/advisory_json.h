#pragma once
// The stored form of an Advisory: a JSON object holding every field of advisory.h, so an advisory
// read from any feed (OSV or the Debian tracker) can be kept in the platform's database and read
// back exactly. Not OSV: the tracker's per-release status and the derived severity/CVSS fields are
// kept as they are. Pure; no I/O.

#include "agent/vuln/advisory.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent::vuln {

// {"id","aliases","summary","details","published","modified","withdrawn","severity","cvss_vector",
//  "cvss_score","affected":[{"ecosystem","name","purl","ranges":[{"type":"ECOSYSTEM|SEMVER|GIT",
//  "events":[{"introduced|fixed|last_affected|limit": V}]}],"versions","severity","status"}],
//  "references","source"}
Json AdvisoryToJson(const Advisory& a);

// The inverse. InvalidArgument naming the member ("affected[0].ranges[1].type: ...") when the
// object does not have this shape (a database row written by another version, or damaged).
Result<Advisory> AdvisoryFromJson(const Json& j);

}  // namespace rampart::agent::vuln
