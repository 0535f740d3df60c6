// Fuzzes the timestamp parsers: no crash, and a parsed prefix never extends past the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/sources/log_time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  const std::int64_t refs[] = {0, 1795920687, -86400 * 365, std::int64_t{1} << 40};
  for (std::int64_t ref : refs) {
    for (std::int32_t off : {0, 3600, -43200, 50400}) {
      const std::optional<ParsedTime> results[] = {
          ParseRfc3164Time(s, ref, off), ParseIsoTime(s, off), ParsePostgresTime(s, off),
          ParseMysqlOldTime(s, off), ParseCtimeTime(s, off)};
      for (const auto& r : results) {
        if (r && (r->length == 0 || r->length > s.size())) std::abort();
        if (r && (r->nsec < 0 || r->nsec >= 1000000000)) std::abort();
      }
    }
  }
  (void)MonthFromName(s);
  return 0;
}
