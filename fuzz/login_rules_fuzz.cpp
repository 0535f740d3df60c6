// Fuzzes the login detection rules loader (rules.h) with arbitrary YAML: it must report problems,
// never throw or crash, and every problem must carry a code; accepted rules must honour the limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/detectors/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  if (size > 64 * 1024) return 0;  // yaml-cpp recursion on deep nesting is bounded by input size
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<RuleProblem> problems;
  auto rules = ParseRules(text, "fuzz.yaml", &problems);
  if (rules.ok() != problems.empty()) __builtin_trap();
  for (const auto& p : problems) {
    if (p.code.empty() || p.message.empty()) __builtin_trap();
  }
  if (rules.ok()) {
    std::size_t custom = 0;
    for (const auto& r : rules->brute_force) {
      if (r.failures == 0 || r.window_seconds <= 0 || r.name.empty()) __builtin_trap();
      custom += r.custom ? 1 : 0;
    }
    if (custom > kMaxCustomRules) __builtin_trap();
  }
  return 0;
}
