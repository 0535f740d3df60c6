// Fuzzes the baseline policy loader (agent/baseline/policy.h) with arbitrary YAML: it must report
// problems, never throw or crash; every problem carries a code and a message, and an accepted
// policy is fully compiled (every check has an id, a title and a condition whose probes exist).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/baseline/policy.h"

namespace {
using namespace rampart::agent::baseline;

bool Valid(const Node& n, int depth) {
  if (depth > 17) return false;
  if (n.kind == Node::Kind::kProbe) return n.probe != nullptr;
  if (n.children.empty()) return false;
  for (const auto& c : n.children) {
    if (!Valid(c, depth + 1)) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // yaml-cpp recursion on deep nesting is bounded by input size
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<PolicyProblem> problems;
  auto policy = ParsePolicy(text, "fuzz.yaml", &problems);
  if (policy.ok() != problems.empty()) __builtin_trap();
  for (const auto& p : problems) {
    if (p.code.empty() || p.message.empty()) __builtin_trap();
  }
  if (policy.ok()) {
    if (policy->id.empty() || policy->name.empty()) __builtin_trap();
    for (const auto& c : policy->checks) {
      if (c.id.empty() || c.title.empty() || !Valid(c.condition, 0)) __builtin_trap();
      if (c.applies_to && !Valid(*c.applies_to, 0)) __builtin_trap();
    }
  }
  return 0;
}
