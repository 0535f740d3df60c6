#pragma once
// The agent's run-time settings and the server-pushed configuration that changes them.
//
// Known keys (in a config message's "settings", either flat {"agent.heartbeat_seconds": 30} or
// nested {"agent": {"heartbeat_seconds": 30}}):
//   agent.heartbeat_seconds           1..3600     (default 60)
//   agent.inventory_interval_seconds  1..604800   (default 3600)
//   agent.log_level                   trace|debug|info|warn|error|off
// Other keys are kept in config.json for components that read them later, and ignored here.
// The last applied configuration is persisted in <data_dir>/config.json
// ({"version": N, "settings": {...}}, mode 0600, atomic) and reported in "hello" so the server
// only pushes newer ones.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace rampart::agent {

inline constexpr std::string_view kConfigFile = "config.json";

struct AgentSettings {
  int heartbeat_seconds = 60;
  int inventory_interval_seconds = 3600;
  std::string log_level;  // empty: leave the process's level alone
};

struct StoredConfig {
  std::int64_t version = 0;
  Json settings = Json::MakeObject();
};

// Applies the known keys of `settings` onto *out. Invalid values (wrong type, out of range,
// unknown level) are skipped, each with a message in the returned list; valid ones are applied.
std::vector<std::string> ApplySettings(const Json& settings, AgentSettings* out);

// Reads <data_dir>/config.json: nullopt when there is none. Errors: kDataLoss when it is not
// {"version": int, "settings": object}.
Result<std::optional<StoredConfig>> LoadConfig(const std::string& data_dir);
Status SaveConfig(const std::string& data_dir, const StoredConfig& config);

}  // namespace rampart::agent
