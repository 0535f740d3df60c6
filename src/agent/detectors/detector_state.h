#pragma once
// The login detectors' state saved across agent restarts (<data_dir>/login_detectors.json, mode
// 0600, written atomically: temp file + fsync + rename), so an attacker guessing slowly across a
// restart is still caught and a host does not start its abnormal-login learning period over.
//
// Format (version 1):
//   {"version":1,"saved_at":1796601600,
//    "brute_force":{"event_time":T,
//      "sources":[{"key":"203.0.113.7","windows":[{"rule":"brute_force","last":T,
//                  "slots":[[T,COUNT],...],"users":["root",...]}]}, ...],     least recent first
//      "accounts":[{"key":"root","windows":[{"rule":"distributed_brute_force","last":T,
//                  "slots":[[T,COUNT],...],"sources":[["198.51.100.4",T],...]}]}, ...],
//      "scans":[{"key":"203.0.113.7","last":T,"users":[["oracle",T],...]}, ...]},
//    "abnormal":{"started":true,"baseline":false,"learning_ends":T,
//      "profiles":[{"user":"alice","networks":["198.51.100.0/24"],"hours":16777215,
//                   "countries":["FR"]}, ...]}}
// Windows are tied to rules by name: a rule renamed or removed since the save loses its window; a
// rule whose window shrank drops what is now outside it. Failures outside their rule's window as
// of the latest event time saved ("event_time"; the clock at load if earlier) are dropped — events
// arrive in time order, so they could never count again; judging by the clock instead would drop
// the windows a resumed log's backlog is about to continue — and keys left without failures are
// not restored. Alerts are not saved:
// the monitor's incident book (monitor_state.h) keeps their ids, so a continuing attack is still
// reported under its id once it crosses a threshold again.
//
// The file is ours but parsed defensively (fuzz/detector_state_fuzz.cpp): any damage is kDataLoss
// naming the field, and the caller then starts with empty detectors (never a crash).

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/detectors/abnormal_login.h"
#include "agent/detectors/brute_force.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kDetectorStateFile = "login_detectors.json";
inline constexpr std::int64_t kDetectorStateVersion = 1;

std::string EncodeDetectorState(const BruteForceDetector& brute,
                                const AbnormalLoginDetector& abnormal, std::int64_t now);
// Loads `text` into the (fresh) detectors. Errors: kDataLoss naming what is wrong; the detectors
// may then hold part of the state: discard them.
Status DecodeDetectorState(std::string_view text, std::int64_t now, BruteForceDetector* brute,
                           AbnormalLoginDetector* abnormal);

Status SaveDetectorState(const std::string& path, const BruteForceDetector& brute,
                         const AbnormalLoginDetector& abnormal, std::int64_t now);
// False when the file does not exist. Errors: the read error, or DecodeDetectorState's (prefixed
// with the path).
Result<bool> LoadDetectorState(const std::string& path, std::int64_t now, BruteForceDetector* brute,
                               AbnormalLoginDetector* abnormal);

}  // namespace rampart::agent
