// Fuzzes the Caddyfile parser (agent/collectors/web_config.h): line-oriented tokens, quoting, block
// structure, snippets and imports (every imported file resolves to the same text again, bounded by
// the depth and file limits).
#include <cstddef>
#include <cstdint>
#include <string>

#include "web_config_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const WebFileReader reader = fuzz::SelfIncludingReader(text);
  const WebConfigLimits limits = fuzz::kFuzzWebLimits;
  const WebConfig cfg = ParseCaddyfile(text, "/etc/caddy/Caddyfile", reader, limits);
  if (cfg.files.size() > limits.max_files || cfg.sites.size() > limits.max_sites) __builtin_trap();
  for (const WebSite& s : cfg.sites) {
    if (s.server != "caddy" || s.config.empty()) __builtin_trap();
  }
  return 0;
}
