// Fuzzes the Apache httpd configuration parser (agent/collectors/web_config.h): sections,
// continuation lines, quoting, Define expansion and includes (every include resolves to the same
// text again, bounded by the depth and file limits).
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
      ParseApacheConfig(text, "/etc/apache2/apache2.conf", "/etc/apache2", reader, limits);
  if (cfg.files.size() > limits.max_files) __builtin_trap();
  for (const WebSite& s : cfg.sites) {
    if (s.server != "apache") __builtin_trap();
  }
  const WebConfig xml = ParseTomcatServerXml(text, "/etc/tomcat/server.xml", "/usr/share/tomcat");
  for (const WebSite& s : xml.sites) {
    if (s.server != "tomcat" || s.root.empty()) __builtin_trap();
  }
  return 0;
}
