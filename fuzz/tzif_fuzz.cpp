// Fuzzes the TZif reader and the POSIX TZ rule parser (common/tz.h). The input is parsed as a TZif
// file and as a TZ string; a zone that parses must answer offsets within RFC 8536's range and map
// every local time to an instant near it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/tz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart;
  if (size > 64 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParsePosixTz(text);
  auto tz = ParseTzif(text, "fuzz");
  if (!tz.ok()) return 0;
  for (std::int64_t t :
       {std::int64_t{-2208988800}, std::int64_t{0}, std::int64_t{1774746000},
        std::int64_t{1792000000}, std::int64_t{2524608000}, std::int64_t{4102444800}}) {
    const std::int32_t off = tz->UtcOffsetAt(t);
    if (off <= -26 * 3600 || off >= 26 * 3600) __builtin_trap();
    const std::int64_t u = tz->LocalToUtc(t);
    if (u < t - 60 * 3600 || u > t + 60 * 3600) __builtin_trap();
  }
  return 0;
}
