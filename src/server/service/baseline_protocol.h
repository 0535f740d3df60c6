#pragma once
// The server's reading of the agent's baseline batches (docs/baseline.md, "Management"): strict
// validation of untrusted agent input, bounded sizes. Pure functions (fuzzed in
// fuzz/baseline_results_fuzz.cpp); no storage, no I/O. Thread-safe.
//
//   kind "baseline_results": {"run_id":"brun_..."|"", "policy":{"id","name","score"},
//                             "results":[{"id","title","level","status","evidence",
//                                         "remediation":{"advice","command"},
//                                         "references":[...]}, ...]}
//
// The results are what `rampart baseline --json` prints for one policy (its "policy" member is
// optional there and ignored here: the batch names the policy once).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "server/baseline_model.h"

namespace rampart::server {

inline constexpr std::size_t kMaxBaselineResultsPerBatch = 5000;
inline constexpr std::size_t kMaxBaselineEvidence = 8192;      // longer evidence is truncated
inline constexpr std::size_t kMaxBaselineRemediation = 16384;  // longer advice is truncated
inline constexpr std::size_t kMaxBaselineReferences = 64;

// True for a policy or check id: 1..128 bytes of [A-Za-z0-9._-], starting with a letter or digit.
bool IsBaselineId(std::string_view id);

struct ParsedBaselineResults {
  BaselineResultsBatch batch;
  std::vector<std::string> rejected;  // "results[i]: <what was expected>"
};

// InvalidArgument ("baseline_results batch: ...") when the payload is not an object with a valid
// policy (id as IsBaselineId, name <= 255 bytes, score 0..100), an optional run_id (<= 64 bytes
// of [A-Za-z0-9_-]) and a "results" array of at most kMaxBaselineResultsPerBatch items. Each
// result is validated on its own: id (IsBaselineId, unique in the batch), title (<= 1024 bytes),
// level (low|medium|high), status (pass|fail|not_applicable|error), evidence (a string) and
// remediation ({"advice","command"|null} or a string) (control characters other than newline
// and tab become '?'; truncated at their maximum), references (<= 64 strings of <= 256 bytes).
// Invalid results land in `rejected`.
Result<ParsedBaselineResults> ParseBaselineResults(std::string_view key, const Json& payload);

}  // namespace rampart::server
