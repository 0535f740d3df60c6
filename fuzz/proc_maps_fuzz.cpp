// Fuzzes the /proc/<pid>/maps parser: pathnames are process-controlled (a process can map a file
// it named itself, spaces, " (deleted)" and all), so every byte sequence must parse safely, each
// path must come out once, and the code-path filter must accept whatever the parser returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <unordered_set>

#include "agent/collectors/proc_maps.h"
#include "agent/vuln/runtime_usage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto files = rampart::agent::ParseProcMaps(text, 64);
  if (files.size() > 64) std::abort();
  std::unordered_set<std::string_view> seen;
  for (const auto& f : files) {
    if (f.path.empty() || f.path[0] != '/' || !seen.insert(f.path).second) std::abort();
    (void)rampart::agent::vuln::IsPackageCodePath(f);
  }
  return 0;
}
