// Fuzzes the nginx configuration parser (agent/collectors/web_config.h). The input is the main
// file; every include resolves to the same text again, so include recursion and the depth and file
// limits are exercised along with the tokenizer and the block structure.
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
  const WebConfig cfg =
      ParseNginxConfig(text, "/etc/nginx/nginx.conf", "/usr/share/nginx", reader, limits);
  if (cfg.files.size() > limits.max_files || cfg.sites.size() > limits.max_sites) __builtin_trap();
  for (const WebSite& s : cfg.sites) {
    if (s.server != "nginx" || s.listen.empty() || s.config.empty()) __builtin_trap();
    if (!s.root.empty() && s.root.front() != '/') __builtin_trap();
  }
  return 0;
}
