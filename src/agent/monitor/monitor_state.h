#pragma once
// The login monitor's persistent state (<data_dir>/login_monitor.json, mode 0600, written
// atomically and durably): where each followed log file and the journal stand, and the incidents
// reported so far, so that a restarted agent resumes after the last processed line and reports a
// continuing attack under the same incident id instead of raising a new one.
//
// Format (version 1):
//   {"version":1,
//    "files":[{"path":"/var/log/auth.log","dev":2049,"ino":1234,"offset":5678,
//              "fp":"<hex sha256 of the first fp_len bytes>","fp_len":256}, ...],
//    "journal":"<sd-journal cursor or empty>",
//    "incidents":[{"key":"brute_force\nsrc\n203.0.113.7","id":"<32 hex>","type":"brute_force",
//                  "level":"high","first_seen":1764000000,"last_seen":1764000060,"count":17}, ...]}
// The file is ours, but it is still parsed defensively (fuzz/monitor_state_fuzz.cpp): any damage
// is an error naming the field, and the monitor then starts over (from the end of each log).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/monitor/file_tailer.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kMonitorStateFile = "login_monitor.json";

struct IncidentRecord {
  std::string key;  // IncidentKey() of the alert
  std::string id;   // the stable event id sent to the server
  std::string type;
  std::string level;  // contract level name (low, medium, high, critical)
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
  std::uint64_t count = 0;
  friend bool operator==(const IncidentRecord&, const IncidentRecord&) = default;
};

struct MonitorState {
  std::vector<FileCursor> files;
  std::string journal_cursor;
  std::vector<IncidentRecord> incidents;
  friend bool operator==(const MonitorState&, const MonitorState&) = default;
};

std::string EncodeMonitorState(const MonitorState& state);
// Errors: kDataLoss naming what is wrong ("files[2].offset: expected a non-negative integer").
Result<MonitorState> DecodeMonitorState(std::string_view text);

// nullopt when the file does not exist; errors as DecodeMonitorState (prefixed with the path) or
// the read error.
Result<std::optional<MonitorState>> LoadMonitorState(const std::string& path);
Status SaveMonitorState(const std::string& path, const MonitorState& state);

}  // namespace rampart::agent
