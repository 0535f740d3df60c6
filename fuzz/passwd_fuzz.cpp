// Fuzzes the /etc/passwd and /etc/group parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/passwd.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto users = rampart::agent::ParsePasswd(text);
  const rampart::agent::UserNames names(users);
  for (const auto& u : users) (void)names.Name(u.uid);
  (void)rampart::agent::ParseGroup(text);
  return 0;
}
