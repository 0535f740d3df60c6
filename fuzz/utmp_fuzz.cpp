// Fuzzes the binary utmp/wtmp and lastlog record parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/login_records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)rampart::agent::ParseUtmp(bytes);
  (void)rampart::agent::ParseLastlog(bytes);
  return 0;
}
