// Fuzzes the agent's reading of pushed tenant login settings (SettingsFromConfig: rules,
// whitelists with scopes) and applies the resulting whitelist to an event.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/monitor/login_monitor.h"
#include "common/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  auto parsed = rampart::Json::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) return 0;
  std::vector<std::string> problems;
  const LoginMonitorSettings s =
      SettingsFromConfig(*parsed, "h1", LoginMonitorSettings{}, &problems);
  LoginEvent e;
  e.source = "198.51.100.7";
  e.user = "root";
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{1796601600}, std::int64_t{-86401}}) {
    e.time = t;
    (void)s.rules.whitelist.Suppresses(e, [](std::string_view) { return std::string("DE"); });
  }
  return 0;
}
