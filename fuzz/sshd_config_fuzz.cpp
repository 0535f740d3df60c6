// Fuzzes the sshd_config parser (agent/baseline/sshd_config.h). The input is the main file; every
// Include resolves to the same text again, so include recursion, loops and Match nesting are
// exercised. Values looked up must come from the parsed directives or the defaults. The input is
// also parsed as `sshd -T` output and as an sshd time value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/baseline/sshd_config.h"
#include "agent/baseline/sshd_effective.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent::baseline;
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  int includes = 0;
  const SshdConfig cfg = ParseSshdConfig(text, "/etc/ssh/sshd_config", [&](const std::string& p) {
    std::vector<std::pair<std::string, std::string>> out;
    if (++includes < 64) out.emplace_back(p, text);
    return out;
  });
  if (cfg.global.size() + cfg.matches.size() > 4096 + 64) __builtin_trap();
  const SshdConnection conn{"root", "host.example", "10.1.2.3", "10.0.0.1", "22"};
  for (const char* key : {"permitrootlogin", "passwordauthentication", "ciphers", "port"}) {
    auto g = SshdGlobalValue(cfg, key);
    auto v = SshdValueFor(cfg, key, conn);
    if (!g || !v) __builtin_trap();  // all four have defaults
  }
  for (const auto& m : cfg.matches) (void)SshdMatches(m.criteria, conn);
  // The same bytes as `sshd -T` output and as a time value.
  const auto t = ParseSshdTestOutput(text);
  if (t.size() > 4096) __builtin_trap();
  for (const auto& [key, value] : t) {
    if (key.empty() || value.empty()) __builtin_trap();
    (void)SshdExpandAlgorithms(key, value);
  }
  if (auto secs = ParseSshdTime(text); secs && *secs < 0) __builtin_trap();
  return 0;
}
