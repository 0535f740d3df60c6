// Fuzzes the static shell/environment/pam_env parsers and the secret masking of what they find.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/env_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace rampart::agent;
  for (const auto& a : ParseShellEnv(text)) (void)MaskEnvValue(a.name, a.value);
  for (const auto& a : ParseEnvironmentFile(text)) (void)MaskEnvValue(a.name, a.value);
  for (const auto& a : ParsePamEnvironment(text)) (void)MaskEnvValue(a.name, a.value);
  (void)MaskEnvValue("DATABASE_URL", text);
  return 0;
}
