// Fuzzes the deb version comparator (dpkg ordering) with the shared property check
// (fuzz/version_properties.h): never crashes, and on the versions it accepts the order is a total
// preorder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/vuln/version_deb.h"
#include "version_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rampart::fuzz::CheckVersionProperties(data, size, [](std::string_view a, std::string_view b) {
    return rampart::agent::vuln::CompareDebVersions(a, b);
  });
  return 0;
}
