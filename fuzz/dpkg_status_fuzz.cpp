// Fuzzes the dpkg status parser and the helpers applied to its field values.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/software_dpkg.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t n = 0;
  for (const DpkgStanza& s : ParseDpkgStatus(text)) {
    // Every view points into the input.
    for (std::string_view v : {s.package, s.status, s.version, s.architecture, s.source}) {
      if (!v.empty() && (v.data() < text.data() || v.data() + v.size() > text.data() + size)) {
        __builtin_trap();
      }
    }
    if (s.package.empty()) __builtin_trap();
    (void)DpkgPackageIsPresent(s.status);
    const DpkgSource src = ParseDpkgSource(s.source);
    (void)src;
    (void)DpkgVersionEpoch(s.version);
    ++n;
  }
  std::size_t m = 0;
  ForEachDpkgStanza(text, [&m](const DpkgStanza&) { ++m; });
  if (m != n) __builtin_trap();
  return 0;
}
