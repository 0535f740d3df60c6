// Fuzzes the Maven version comparator with the shared property check (fuzz/version_properties.h).
// The strict order is not required to be transitive: the specification's order as OSV implements it
// has cycles such as 1.foo > 1 > 1-alpha > 1.foo (docs/versions.md), which we reproduce exactly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/vuln/version_maven.h"
#include "version_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rampart::fuzz::CheckVersionProperties(
      data, size,
      [](std::string_view a, std::string_view b) {
        return rampart::agent::vuln::CompareMavenVersions(a, b);
      },
      rampart::fuzz::Order::kCyclicAllowed);
  return 0;
}
