// Fuzzes the cron, anacron and at parsers (crontab.h) with arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/crontab.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool system_format : {true, false}) {
    for (const auto& e : rampart::agent::ParseCrontab(text, system_format)) {
      if (e.schedule.empty() || e.command.empty()) __builtin_trap();
    }
  }
  (void)rampart::agent::ParseAnacrontab(text);
  (void)rampart::agent::ParseAtJob(text);
  (void)rampart::agent::ParseAtJobName(text.substr(0, text.find('\n')));
  return 0;
}
