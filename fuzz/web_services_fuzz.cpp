// Fuzzes what web_services reads from untrusted places (agent/collectors/web_services.h): version
// strings searched in executable bytes, and the server kind from comm / exe / cmdline text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/web_services.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::string_view marker : {"nginx/", "Apache/", "X-Powered-By: PHP/", "v"}) {
    const std::string v = FindVersionAfter(text, marker);
    if (v.size() > 128) __builtin_trap();
    if (!v.empty() && (v.front() < '0' || v.front() > '9')) __builtin_trap();
  }
  const std::size_t a = size / 3;
  const std::size_t b = 2 * size / 3;
  (void)WebServerKind(text.substr(0, a), text.substr(a, b - a), text.substr(b));
  return 0;
}
