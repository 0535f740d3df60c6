#pragma once
// The Debian Security Tracker's JSON (https://security-tracker.debian.org/tracker/data/json) ->
// Advisory. It is the source of truth for Debian 12 and later (the OSV Debian feed stops at Debian
// 11) and the only source of unfixed ("open"), "no-dsa" and "unimportant" issues. Pure: no I/O.
//
// Shape: { "<source package>": { "<CVE-... or TEMP-...>": { "description", "scope", "debianbug",
//   "releases": { "<codename>": { "status": "resolved|open|undetermined", "repositories": {...},
//   "fixed_version", "urgency", "nodsa", "nodsa_reason" } } } } }
//
// Mapping: one Advisory per issue id (id = the CVE or TEMP id; summary = description), with one
// Affected per (source package, release) in ecosystem "Debian:<N>" (codename -> number: ... buster
// 10, bullseye 11, bookworm 12, trixie 13, forky 14; "sid", "experimental" and unknown codenames
// are skipped and counted).
//   resolved, fixed_version "0"    -> not affected: no Affected entry
//   resolved, fixed_version V      -> ECOSYSTEM range introduced "0", fixed V; status ""
//   open / undetermined            -> ECOSYSTEM range introduced "0" (no fix); status
//   "open"/"undetermined",
//                                     or "unimportant" (urgency), "no-dsa" (nodsa given),
//                                     "end-of-life" (urgency), in that order of precedence
// Urgency (trailing '*' marks stripped): high/medium/low -> that severity; unimportant -> low;
// "not yet assigned", end-of-life and unknown words -> unknown. Advisory::severity is the highest
// per-release severity. An issue left with no Affected entry produces no Advisory.
// A malformed (package, issue) entry is reported and skipped; the rest of the file still loads.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/vuln/advisory.h"
#include "agent/vuln/feed.h"
#include "common/json.h"
#include "common/status.h"

namespace rampart::agent::vuln {

struct TrackerParseResult {
  std::vector<Advisory> advisories;  // one per issue id, in first-seen order
  std::vector<FeedError> errors;  // one per rejected entry (all kept; the caller bounds its report)
  std::size_t entries = 0;        // (package, issue) entries read, accepted or not
  std::size_t rejected = 0;       // entries rejected (== errors.size())
  std::size_t releases_skipped = 0;  // release entries whose codename has no Debian:N (sid, ...)
};

// One top-level member of a JSON object, split without building a tree: the decoded key and the raw
// text of its value (a view into the input).
using JsonMemberText = std::pair<std::string, std::string_view>;

// Splits the text of a JSON object into its members, checking only the structure (strings,
// nesting); values are validated when parsed. This keeps memory for a 100 MB tracker file at one
// package's tree. Error kInvalidArgument with the byte offset when the text is not a well-formed
// object.
Result<std::vector<JsonMemberText>> SplitJsonObjectMembers(std::string_view text);

// True when the members have the tracker's shape: no OSV "id"/"vulns" member, and the first
// non-empty package object has an issue object with a "releases" member.
bool LooksLikeDebianTracker(const std::vector<JsonMemberText>& members);

// Parses the tracker, already split. `source` (a file name) prefixes each FeedError and
// Advisory::source as "source:package/issue".
TrackerParseResult ParseDebianTrackerMembers(const std::vector<JsonMemberText>& members,
                                             std::string_view source);
// Split + parse. Error only when the text is not a JSON object at all.
Result<TrackerParseResult> ParseDebianTracker(std::string_view text, std::string_view source);

// "bookworm" -> "12", "sarge" -> "3.1", ...; nullopt for sid, experimental and unknown names.
std::optional<std::string_view> DebianReleaseNumber(std::string_view codename);

}  // namespace rampart::agent::vuln
