#pragma once
// The schema of a tenant's settings document: which keys exist, their types, ranges and
// defaults. The API validates every PUT against it; the hub sends EffectiveSettings to agents.
//
// Settings are nested JSON objects ({"agent":{"heartbeat_seconds":30}}); a leaf's path is its
// dotted key path ("agent.heartbeat_seconds").

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace rampart::server::api {

struct SettingSpec {
  enum class Type {
    kInt,            // integer in [min, max]
    kEnum,           // one of `choices` ('|'-separated)
    kWhitelist,      // array of {"source": IP or CIDR, "hosts": "all" or [host ids]}
    kUserWhitelist,  // array of {"user": name, "hosts": "all" or [host ids]}
    kRules,          // up to 5 {"window_seconds", "max_failures", "level"} brute-force rules
    kTimeOfDay,      // "HH:MM" (00:00 to 23:59), host local time
  };
  std::string_view path;
  Type type;
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::int64_t default_int = 0;
  std::string_view choices;       // kEnum
  std::string_view default_text;  // kEnum, kTimeOfDay
  std::string_view description;
};

// Every known setting, in document order.
const std::vector<SettingSpec>& SettingSpecs();

// OK when `settings` is an object holding only known keys with valid values (missing keys take
// their defaults). InvalidArgument otherwise, naming the key path ("agent.heartbeat_seconds",
// "login.whitelist[2].source") and what was expected; unknown keys and duplicate keys are errors.
// `where` is put before every path in messages (the API passes "settings.", the body member).
Status ValidateSettings(const Json& settings, std::string_view where = "");

// The full settings tree: every known key, the stored value where it is valid, else the default.
// Unknown stored keys are dropped.
Json EffectiveSettings(const Json& stored);

// A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) of the settings object.
Json SettingsJsonSchema();

// "a.b.c" -> {"a","b","c"}.
std::vector<std::string_view> SettingPathParts(std::string_view path);

}  // namespace rampart::server::api
