// Fuzzes the sudoers parser and alias expansion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/sudoers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto file = rampart::agent::ParseSudoers(text);
  rampart::agent::SudoPolicy policy;
  policy.Add(file);
  policy.Finish();
  bool nopasswd = false;
  (void)policy.Grants("alice", 1000, {"alice", "sudo"}, {1000, 27}, &nopasswd);
  return 0;
}
