// Fuzzes the TZif reader (common/time_zone.h) that the agent uses for whitelist windows in named
// zones: never crashes on a hostile or damaged zone file, and a parsed zone gives offsets within
// TZif's bounds at any time, footer rule included.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/time_zone.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto zone = rampart::TimeZone::Parse(bytes, "fuzz");
  if (!zone) {
    if (zone.error().message().find("fuzz") == std::string_view::npos) std::abort();
    return 0;
  }
  for (std::int64_t t :
       {std::int64_t{-4102444800}, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1774746000},
        std::int64_t{1792890000}, std::int64_t{2147483648}, std::int64_t{4102444800},
        std::int64_t{253402300799}}) {
    const std::int32_t off = zone->UtcOffset(t);
    // Offsets come from ttinfo entries (checked) or the footer (hh <= 24 plus DST +-24h).
    if (off < -2 * 93600 || off > 2 * 93600) std::abort();
  }
  (void)rampart::IsTimeZoneName(bytes);
  return 0;
}
