// Fuzzes the parser of Alpine's /lib/apk/db/installed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/software_apk.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const ApkStanza& s : ParseApkInstalled(text)) {
    if (s.name.empty()) __builtin_trap();
    for (std::string_view v : {s.name, s.version, s.arch, s.origin, s.build_time}) {
      if (!v.empty() && (v.data() < text.data() || v.data() + v.size() > text.data() + size)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
