// Fuzzes the systemd unit-file parser, drop-in merging, ExecStart= handling, specifier expansion
// and the systemctl list-units reader (systemd_unit.h) with arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/systemd_unit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto assignments = ParseUnitFile(text);
  UnitConfig config;
  config.Apply(assignments);
  config.Apply(assignments);
  UnitName name;
  const bool named = ParseUnitName("fuzz@inst\\x2dance.service", &name);
  for (const std::string& exec : config.GetList("Service", "ExecStart")) {
    const std::string stripped = StripExecPrefixes(exec);
    (void)SplitUnitCommandLine(stripped);
    if (named) (void)ExpandSpecifiers(stripped, name);
  }
  (void)config.GetSharedList("Timer", {"OnCalendar", "OnBootSec"});
  (void)StripExecPrefixes(text);
  (void)SplitUnitCommandLine(text);
  if (named) (void)ExpandSpecifiers(text, name);
  UnitName parsed;
  if (ParseUnitName(text.substr(0, 300), &parsed))
    (void)ExpandSpecifiers("%n %N %p %P %i %I %f", parsed);
  (void)ParseListUnits(text);
  return 0;
}
