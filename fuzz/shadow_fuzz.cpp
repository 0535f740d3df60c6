// Fuzzes the /etc/shadow parser and the password-field classifiers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/shadow.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& e : rampart::agent::ParseShadow(text)) {
    (void)rampart::agent::PasswordStatusName(e.status);
  }
  (void)rampart::agent::ClassifyPassword(text);
  (void)rampart::agent::HashType(text);
  return 0;
}
