// Fuzzes what the server reads from an agent's baseline_results batches (the path AgentHub takes
// before touching storage), with the invariants storage relies on checked on every accepted
// result.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "common/json.h"
#include "server/service/baseline_protocol.h"
#include "server/service/channel_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = server::ParseChannelMessage(text);
  if (!message) return 0;
  const Json* payload = message->Find("payload");
  auto parsed = server::ParseBaselineResults("fuzz-key", payload != nullptr ? *payload : *message);
  if (!parsed) return 0;
  const server::BaselineResultsBatch& b = parsed->batch;
  if (!server::IsBaselineId(b.policy_id) || b.run_id.size() > 64) __builtin_trap();
  if (b.score < 0 || b.score > 100) __builtin_trap();
  if (b.results.size() + parsed->rejected.size() > server::kMaxBaselineResultsPerBatch) {
    __builtin_trap();
  }
  std::set<std::string> ids;
  for (const server::BaselineCheckResult& r : b.results) {
    if (!server::IsBaselineId(r.check_id) || !ids.insert(r.check_id).second) __builtin_trap();
    if (r.evidence.size() > server::kMaxBaselineEvidence) __builtin_trap();
    if (r.remediation.size() > server::kMaxBaselineRemediation ||
        r.remediation_command.size() > server::kMaxBaselineRemediation) {
      __builtin_trap();
    }
    if (r.references.size() > server::kMaxBaselineReferences || r.title.size() > 1024) {
      __builtin_trap();
    }
  }
  return 0;
}
