#include "agent/transport/agent_config.h"

#include "agent/transport/durable_file.h"
#include "common/files.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

// The value of "agent.<name>" in either spelling, or nullptr.
const Json* FindAgentKey(const Json& settings, std::string_view name) {
  if (const Json* flat = settings.Find("agent." + std::string(name))) return flat;
  if (const Json* agent = settings.Find("agent"); agent != nullptr && agent->is_object()) {
    return agent->Find(name);
  }
  return nullptr;
}

void ApplyInt(const Json& settings, std::string_view name, std::int64_t lo, std::int64_t hi,
              int* out, std::vector<std::string>* problems) {
  const Json* v = FindAgentKey(settings, name);
  if (v == nullptr) return;
  if (!v->is_int() || v->as_int() < lo || v->as_int() > hi) {
    problems->push_back("agent." + std::string(name) + ": expected an integer in " +
                        std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                        v->Dump().substr(0, 64));
    return;
  }
  *out = static_cast<int>(v->as_int());
}

}  // namespace

std::vector<std::string> ApplySettings(const Json& settings, AgentSettings* out) {
  std::vector<std::string> problems;
  ApplyInt(settings, "heartbeat_seconds", 1, 3600, &out->heartbeat_seconds, &problems);
  ApplyInt(settings, "inventory_interval_seconds", 1, 604800, &out->inventory_interval_seconds,
           &problems);
  if (const Json* level = FindAgentKey(settings, "log_level")) {
    log::Level parsed{};
    if (level->is_string() && log::ParseLevel(level->as_string(), &parsed)) {
      out->log_level = level->as_string();
    } else {
      problems.push_back("agent.log_level: expected trace, debug, info, warn, error or off, got " +
                         level->Dump().substr(0, 64));
    }
  }
  return problems;
}

Result<std::optional<StoredConfig>> LoadConfig(const std::string& data_dir) {
  const std::string path = data_dir + "/" + std::string(kConfigFile);
  auto text = ReadLocalFile(path, 16 << 20);
  if (!text) {
    if (text.error().code() == Code::kNotFound) return std::optional<StoredConfig>();
    return text.error();
  }
  auto doc = Json::Parse(*text);
  if (!doc) return DataLoss(path + ": " + doc.error().message());
  const Json* version = doc->Find("version");
  const Json* settings = doc->Find("settings");
  if (version == nullptr || !version->is_int() || settings == nullptr || !settings->is_object()) {
    return DataLoss(path + ": expected {\"version\": integer, \"settings\": object}");
  }
  return std::optional<StoredConfig>(StoredConfig{version->as_int(), *settings});
}

Status SaveConfig(const std::string& data_dir, const StoredConfig& config) {
  Json doc = Json::MakeObject();
  doc.Set("version", config.version);
  doc.Set("settings", config.settings);
  return WriteFileDurable(data_dir + "/" + std::string(kConfigFile), doc.Dump(2) + "\n", 0600);
}

}  // namespace rampart::agent
