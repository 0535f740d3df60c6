// Fuzzes the login detectors' saved state (login_detectors.json, detectors/detector_state.h): a
// damaged or hostile file is an error or a bounded state, never a crash, and what loads survives
// a save and reload unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/detectors/detector_state.h"
#include "agent/detectors/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::int64_t kNow = 1796601600;
  BruteForceOptions small;
  small.max_tracked_keys = 64;
  AbnormalLoginOptions abnormal_options;
  abnormal_options.max_users = 64;
  BruteForceDetector brute(DefaultRules(), small);
  AbnormalLoginDetector abnormal(DefaultRules().abnormal_login, {}, abnormal_options);
  if (!DecodeDetectorState(text, kNow, &brute, &abnormal).ok()) return 0;
  if (brute.tracked_keys() > 3 * small.max_tracked_keys) std::abort();
  if (abnormal.tracked_users() > abnormal_options.max_users) std::abort();
  const std::string once = EncodeDetectorState(brute, abnormal, kNow);
  BruteForceDetector brute2(DefaultRules(), small);
  AbnormalLoginDetector abnormal2(DefaultRules().abnormal_login, {}, abnormal_options);
  if (!DecodeDetectorState(once, kNow, &brute2, &abnormal2).ok()) std::abort();
  if (EncodeDetectorState(brute2, abnormal2, kNow) != once) std::abort();
  // The loaded state is usable.
  rampart::agent::LoginEvent e;
  e.time = kNow;
  e.outcome = LoginOutcome::kFailure;
  e.kind = "password";
  e.service = "sshd";
  e.user = "root";
  e.source = "203.0.113.7";
  brute2.Process(e);
  abnormal2.Process(e);
  return 0;
}
