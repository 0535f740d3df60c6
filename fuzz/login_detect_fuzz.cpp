// Fuzzes the brute-force and abnormal-login detectors with event sequences decoded from bytes (5
// bytes per event: time step, source, user, outcome/kind, attempts): no crash, state stays within
// its caps, and alert counts never fall.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/detectors/abnormal_login.h"
#include "agent/detectors/brute_force.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  BruteForceOptions options;
  options.max_tracked_keys = 16;
  BruteForceDetector bf(DefaultRules(), options);
  AbnormalLoginSettings settings = DefaultRules().abnormal_login;
  settings.learning_seconds = 3600;
  AbnormalLoginDetector ab(settings, DefaultRules().whitelist);
  static const char* kSources[] = {"203.0.113.1",     "203.0.113.2",  "2001:db8::1",
                                   "::ffff:10.0.0.1", "host.example", "",
                                   "198.51.100.7",    "198.51.100.8"};
  static const char* kKinds[] = {"password", "invalid_user", "publickey", "preauth"};
  std::int64_t t = 1795000000;
  std::vector<std::uint64_t> counts;
  for (std::size_t i = 0; i + 5 <= size; i += 5) {
    const std::uint8_t* b = data + i;
    LoginEvent e;
    t += (b[0] & 0x80) != 0 ? (b[0] & 0x7f) * 600 : b[0];  // mostly seconds, sometimes hours
    e.time = (b[0] == 0xff) ? t - 100 : t;                 // now and then a late event
    e.source = b[1] < 64 ? kSources[b[1] % 8] : "10." + std::to_string(b[1]) + ".0.1";
    e.user = "u" + std::to_string(b[2] % 40);
    e.outcome = (b[3] & 1) != 0 ? LoginOutcome::kSuccess : LoginOutcome::kFailure;
    e.kind = kKinds[(b[3] >> 1) % 4];
    e.invalid_user = (b[3] & 0x10) != 0;
    e.attempts = b[4] % 8;
    e.service = "sshd";
    std::vector<std::size_t> changed;
    bf.Process(e, &changed);
    ab.Process(e, &changed);
    if (bf.tracked_keys() > 3 * options.max_tracked_keys) __builtin_trap();
    const auto& alerts = bf.alerts();
    for (std::size_t j = 0; j < alerts.size(); ++j) {
      if (j < counts.size() && alerts[j].count < counts[j]) __builtin_trap();
      if (alerts[j].first_seen > alerts[j].last_seen) __builtin_trap();
      if (alerts[j].users.size() > kMaxAlertNames) __builtin_trap();
    }
    counts.clear();
    for (const auto& a : alerts) counts.push_back(a.count);
  }
  return 0;
}
