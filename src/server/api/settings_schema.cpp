#include "server/api/settings_schema.h"

#include <arpa/inet.h>

#include <string>

#include "common/strings.h"
#include "common/whitelist_scope.h"

namespace rampart::server::api {
namespace {

using Type = SettingSpec::Type;

constexpr std::size_t kMaxWhitelistEntries = 1000;
constexpr std::size_t kMaxWhitelistHosts = 10000;
constexpr std::size_t kMaxHostIdBytes = 64;
constexpr std::size_t kMaxUserBytes = 255;
constexpr std::size_t kMaxRules = 5;

// Short rendering of an offending value for error messages.
std::string Shown(const Json& value) {
  std::string text = value.Dump();
  if (text.size() > 64) text = text.substr(0, 61) + "...";
  return text;
}

const SettingSpec* FindLeaf(std::string_view path) {
  for (const SettingSpec& spec : SettingSpecs()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

// True when some leaf lies below `path` (so `path` names an object of settings).
bool IsBranch(std::string_view path) {
  for (const SettingSpec& spec : SettingSpecs()) {
    if (spec.path.size() > path.size() && StartsWith(spec.path, path) &&
        spec.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

// The keys directly under `prefix` ("" for the root), for "unknown key" messages.
std::vector<std::string> ChildKeys(std::string_view prefix) {
  std::vector<std::string> keys;
  for (const SettingSpec& spec : SettingSpecs()) {
    std::string_view rest = spec.path;
    if (!prefix.empty() && !(ConsumePrefix(&rest, prefix) && ConsumePrefix(&rest, "."))) continue;
    std::string key(rest.substr(0, rest.find('.')));
    bool seen = false;
    for (const std::string& k : keys) seen = seen || k == key;
    if (!seen) keys.push_back(std::move(key));
  }
  return keys;
}

bool IsHostId(std::string_view id) {
  if (id.empty() || id.size() > kMaxHostIdBytes) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// An IPv4/IPv6 address, optionally with a /prefix length that fits the family.
bool IsIpOrCidr(std::string_view text) {
  std::string_view addr = text;
  std::optional<int> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    prefix = ParseInt<int>(text.substr(slash + 1));
    if (!prefix || *prefix < 0) return false;
  }
  const std::string a(addr);
  unsigned char buf[16];
  if (inet_pton(AF_INET, a.c_str(), buf) == 1) return !prefix || *prefix <= 32;
  if (inet_pton(AF_INET6, a.c_str(), buf) == 1) return !prefix || *prefix <= 128;
  return false;
}

bool IsUserName(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserBytes) return false;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// `subject` is "source" (an IP or CIDR) or "user" (a login name).
Status ValidateWhitelistEntry(const Json& entry, const std::string& path,
                              std::string_view subject = "source") {
  if (!entry.is_object()) {
    return InvalidArgument(path + ": expected an object {\"" + std::string(subject) +
                           "\": ..., \"hosts\": ...}");
  }
  bool has_source = false;
  bool has_hosts = false;
  bool has_user = false;
  bool has_countries = false;
  for (const auto& [key, value] : entry.as_object()) {
    const std::string field = path + "." + Printable(key);
    if (key == subject) {
      if (has_source) return InvalidArgument(field + ": duplicate key");
      has_source = true;
      if (subject == "user") {
        if (!value.is_string() || !IsUserName(value.as_string())) {
          return InvalidArgument(field +
                                 ": expected a user name of 1 to 255 bytes without "
                                 "control characters, got " +
                                 Shown(value));
        }
      } else if (!value.is_string() || !IsIpOrCidr(value.as_string())) {
        return InvalidArgument(field + ": expected an IPv4/IPv6 address or CIDR, got " +
                               Shown(value));
      }
    } else if (key == "hosts") {
      if (has_hosts) return InvalidArgument(field + ": duplicate key");
      has_hosts = true;
      const bool all = value.is_string() && value.as_string() == "all";
      bool list = value.is_array() && value.size() > 0 && value.size() <= kMaxWhitelistHosts;
      if (list) {
        for (const Json& id : value.as_array())
          list = list && id.is_string() && IsHostId(id.as_string());
      }
      if (!all && !list) {
        return InvalidArgument(field + ": expected \"all\" or a non-empty array (at most " +
                               std::to_string(kMaxWhitelistHosts) + ") of host ids, got " +
                               Shown(value));
      }
    } else if (key == "user" && subject == "source") {
      // Both a source and a user: the entry covers that user from that source only.
      has_user = true;
      if (!value.is_string() || !IsUserName(value.as_string())) {
        return InvalidArgument(field +
                               ": expected a user name of 1 to 255 bytes without control "
                               "characters, got " +
                               Shown(value));
      }
    } else if (IsWhitelistWindowKey(key)) {
      has_countries = has_countries || key == "countries";
    } else {
      return InvalidArgument(field + ": unknown key (accepted: " + std::string(subject) +
                             (subject == "source" ? ", user" : "") +
                             ", hosts, countries, days, hours, zone)");
    }
  }
  RAMPART_RETURN_IF_ERROR(ParseWhitelistWindow(entry, path).status());
  // An entry needs a subject: a source entry may name a user or countries instead of a source.
  if (!has_source && !(subject == "source" && (has_user || has_countries))) {
    return InvalidArgument(path + "." + std::string(subject) + ": required" +
                           (subject == "source" ? " (or user, or countries)" : ""));
  }
  if (!has_hosts) return InvalidArgument(path + ".hosts: required");
  return Status::Ok();
}

Status ValidateRule(const Json& rule, const std::string& path) {
  if (!rule.is_object()) {
    return InvalidArgument(path +
                           ": expected an object {\"window_seconds\", \"max_failures\", "
                           "\"level\"}");
  }
  bool has_window = false;
  bool has_failures = false;
  for (const auto& [key, value] : rule.as_object()) {
    const std::string field = path + "." + Printable(key);
    if (key == "window_seconds" || key == "max_failures") {
      bool& seen = key == "window_seconds" ? has_window : has_failures;
      if (seen) return InvalidArgument(field + ": duplicate key");
      seen = true;
      const std::int64_t lo = key == "window_seconds" ? 10 : 2;
      const std::int64_t hi = key == "window_seconds" ? 7 * 86400 : 100000;
      if (!value.is_int() || value.as_int() < lo || value.as_int() > hi) {
        return InvalidArgument(field + ": expected an integer from " + std::to_string(lo) + " to " +
                               std::to_string(hi) + ", got " + Shown(value));
      }
    } else if (key == "level") {
      const bool ok =
          value.is_string() && (value.as_string() == "low" || value.as_string() == "medium" ||
                                value.as_string() == "high" || value.as_string() == "critical");
      if (!ok) {
        return InvalidArgument(field + ": expected low, medium, high or critical, got " +
                               Shown(value));
      }
    } else {
      return InvalidArgument(field +
                             ": unknown key (accepted: window_seconds, max_failures, "
                             "level)");
    }
  }
  if (!has_window) return InvalidArgument(path + ".window_seconds: required");
  if (!has_failures) return InvalidArgument(path + ".max_failures: required");
  return Status::Ok();
}

bool IsTimeOfDay(const Json& value) {
  if (!value.is_string() || value.as_string().size() != 5) return false;
  const std::string& t = value.as_string();
  auto digit = [&](std::size_t i) { return t[i] >= '0' && t[i] <= '9'; };
  if (!digit(0) || !digit(1) || t[2] != ':' || !digit(3) || !digit(4)) return false;
  return (t[0] - '0') * 10 + (t[1] - '0') < 24 && t[3] < '6';
}

Status ValidateLeaf(const SettingSpec& spec, const Json& value, const std::string& path) {
  switch (spec.type) {
    case Type::kTimeOfDay:
      if (IsTimeOfDay(value)) return Status::Ok();
      return InvalidArgument(path + ": expected a time of day \"HH:MM\" (00:00 to 23:59), got " +
                             Shown(value));
    case Type::kInt:
      if (!value.is_int() || value.as_int() < spec.min || value.as_int() > spec.max) {
        return InvalidArgument(path + ": expected an integer from " + std::to_string(spec.min) +
                               " to " + std::to_string(spec.max) + ", got " + Shown(value));
      }
      return Status::Ok();
    case Type::kEnum:
      if (value.is_string()) {
        for (std::string_view choice : Split(spec.choices, '|')) {
          if (choice == value.as_string()) return Status::Ok();
        }
      }
      return InvalidArgument(path + ": expected one of " + std::string(spec.choices) + ", got " +
                             Shown(value));
    case Type::kWhitelist: {
      if (!value.is_array() || value.size() > kMaxWhitelistEntries) {
        return InvalidArgument(path + ": expected an array of at most " +
                               std::to_string(kMaxWhitelistEntries) + " entries");
      }
      const Json::Array& entries = value.as_array();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        RAMPART_RETURN_IF_ERROR(
            ValidateWhitelistEntry(entries[i], path + "[" + std::to_string(i) + "]"));
      }
      return Status::Ok();
    }
    case Type::kUserWhitelist: {
      if (!value.is_array() || value.size() > kMaxWhitelistEntries) {
        return InvalidArgument(path + ": expected an array of at most " +
                               std::to_string(kMaxWhitelistEntries) + " entries");
      }
      const Json::Array& entries = value.as_array();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        RAMPART_RETURN_IF_ERROR(
            ValidateWhitelistEntry(entries[i], path + "[" + std::to_string(i) + "]", "user"));
      }
      return Status::Ok();
    }
    case Type::kRules: {
      if (!value.is_array() || value.size() > kMaxRules) {
        return InvalidArgument(path + ": expected an array of at most " +
                               std::to_string(kMaxRules) + " rules");
      }
      const Json::Array& rules = value.as_array();
      for (std::size_t i = 0; i < rules.size(); ++i) {
        RAMPART_RETURN_IF_ERROR(ValidateRule(rules[i], path + "[" + std::to_string(i) + "]"));
      }
      return Status::Ok();
    }
  }
  return Internal(path + ": unknown setting type");
}

Status ValidateObject(const Json& object, const std::string& prefix) {
  const Json::Object& members = object.as_object();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string& key = members[i].first;
    const std::string path = prefix.empty() ? Printable(key) : prefix + "." + Printable(key);
    for (std::size_t j = 0; j < i; ++j) {
      if (members[j].first == key) return InvalidArgument(path + ": duplicate key");
    }
    // A key holding '.' would otherwise alias a nested path.
    const bool plain = !key.empty() && key.find('.') == std::string::npos && Printable(key) == key;
    if (plain) {
      if (const SettingSpec* leaf = FindLeaf(path)) {
        RAMPART_RETURN_IF_ERROR(ValidateLeaf(*leaf, members[i].second, path));
        continue;
      }
      if (IsBranch(path)) {
        if (!members[i].second.is_object()) return InvalidArgument(path + ": expected an object");
        RAMPART_RETURN_IF_ERROR(ValidateObject(members[i].second, path));
        continue;
      }
    }
    return InvalidArgument(path + ": unknown setting (known " +
                           (prefix.empty() ? std::string("keys") : "keys under " + prefix) + ": " +
                           Join(ChildKeys(prefix), ", ") + ")");
  }
  return Status::Ok();
}

Json DefaultValue(const SettingSpec& spec) {
  switch (spec.type) {
    case Type::kInt:
      return Json(spec.default_int);
    case Type::kEnum:
    case Type::kTimeOfDay:
      return Json(spec.default_text);
    case Type::kWhitelist:
    case Type::kUserWhitelist:
    case Type::kRules:
      return Json::MakeArray();
  }
  return Json();
}

// The stored value at `path`, or nullptr.
const Json* Lookup(const Json& root, std::string_view path) {
  const Json* node = &root;
  for (std::string_view part : SettingPathParts(path)) {
    node = node->is_object() ? node->Find(part) : nullptr;
    if (node == nullptr) return nullptr;
  }
  return node;
}

Json LeafSchema(const SettingSpec& spec) {
  Json schema = Json::MakeObject();
  schema.Set("description", spec.description);
  switch (spec.type) {
    case Type::kInt:
      schema.Set("type", "integer");
      schema.Set("minimum", spec.min);
      schema.Set("maximum", spec.max);
      schema.Set("default", spec.default_int);
      break;
    case Type::kTimeOfDay:
      schema.Set("type", "string");
      schema.Set("pattern", "^([01][0-9]|2[0-3]):[0-5][0-9]$");
      schema.Set("default", spec.default_text);
      break;
    case Type::kEnum: {
      schema.Set("type", "string");
      Json choices = Json::MakeArray();
      for (std::string_view c : Split(spec.choices, '|')) choices.Push(c);
      schema.Set("enum", std::move(choices));
      schema.Set("default", spec.default_text);
      break;
    }
    case Type::kWhitelist: {
      auto parsed = Json::Parse(R"({
        "type": "array", "maxItems": 1000, "default": [],
        "items": {"type": "object", "additionalProperties": false,
                  "required": ["hosts"],
                  "properties": {
                    "source": {"type": "string", "description": "IPv4/IPv6 address or CIDR; required unless user or countries is given"},
                    "user": {"type": "string", "minLength": 1, "maxLength": 255,
                             "description": "only this user from the source"},
                    "countries": {"type": "array", "minItems": 1, "maxItems": 300,
                                  "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                  "description": "ISO 3166-1 alpha-2 codes from GeoIP"},
                    "days": {"type": "array", "minItems": 1,
                             "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
                    "hours": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$",
                              "description": "HH:MM-HH:MM, end exclusive; 22:00-06:00 wraps midnight"},
                    "zone": {"type": "string", "default": "UTC",
                             "description": "UTC, local = the host time zone, or +HH:MM/-HH:MM"},
                    "hosts": {"oneOf": [{"const": "all"},
                                        {"type": "array", "minItems": 1, "maxItems": 10000,
                                         "items": {"type": "string"}}]}}}})");
      Json whitelist = parsed.ok() ? std::move(*parsed) : Json::MakeObject();
      whitelist.Set("description", spec.description);
      return whitelist;
    }
    case Type::kUserWhitelist: {
      auto parsed = Json::Parse(R"({
        "type": "array", "maxItems": 1000, "default": [],
        "items": {"type": "object", "additionalProperties": false,
                  "required": ["user", "hosts"],
                  "properties": {
                    "user": {"type": "string", "minLength": 1, "maxLength": 255},
                    "countries": {"type": "array", "minItems": 1, "maxItems": 300,
                                  "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                  "description": "ISO 3166-1 alpha-2 codes from GeoIP"},
                    "days": {"type": "array", "minItems": 1,
                             "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
                    "hours": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$",
                              "description": "HH:MM-HH:MM, end exclusive; 22:00-06:00 wraps midnight"},
                    "zone": {"type": "string", "default": "UTC",
                             "description": "UTC, local = the host time zone, or +HH:MM/-HH:MM"},
                    "hosts": {"oneOf": [{"const": "all"},
                                        {"type": "array", "minItems": 1, "maxItems": 10000,
                                         "items": {"type": "string"}}]}}}})");
      Json whitelist = parsed.ok() ? std::move(*parsed) : Json::MakeObject();
      whitelist.Set("description", spec.description);
      return whitelist;
    }
    case Type::kRules: {
      auto parsed = Json::Parse(R"({
        "type": "array", "maxItems": 5, "default": [],
        "items": {"type": "object", "additionalProperties": false,
                  "required": ["window_seconds", "max_failures"],
                  "properties": {
                    "window_seconds": {"type": "integer", "minimum": 10, "maximum": 604800},
                    "max_failures": {"type": "integer", "minimum": 2, "maximum": 100000},
                    "level": {"enum": ["low", "medium", "high", "critical"],
                              "default": "high"}}}})");
      Json rules = parsed.ok() ? std::move(*parsed) : Json::MakeObject();
      rules.Set("description", spec.description);
      return rules;
    }
  }
  return schema;
}

Json ObjectSchema() {
  Json schema = Json::MakeObject();
  schema.Set("type", "object");
  schema.Set("additionalProperties", false);
  schema.Set("properties", Json::MakeObject());
  return schema;
}

SettingSpec IntSetting(std::string_view path, std::int64_t min, std::int64_t max,
                       std::int64_t default_value, std::string_view description) {
  SettingSpec spec{};
  spec.path = path;
  spec.type = Type::kInt;
  spec.min = min;
  spec.max = max;
  spec.default_int = default_value;
  spec.description = description;
  return spec;
}

SettingSpec EnumSetting(std::string_view path, std::string_view choices,
                        std::string_view default_value, std::string_view description) {
  SettingSpec spec{};
  spec.path = path;
  spec.type = Type::kEnum;
  spec.choices = choices;
  spec.default_text = default_value;
  spec.description = description;
  return spec;
}

SettingSpec TimeSetting(std::string_view path, std::string_view default_value,
                        std::string_view description) {
  SettingSpec spec{};
  spec.path = path;
  spec.type = Type::kTimeOfDay;
  spec.default_text = default_value;
  spec.description = description;
  return spec;
}

SettingSpec ListSetting(std::string_view path, Type type, std::string_view description) {
  SettingSpec spec{};
  spec.path = path;
  spec.type = type;
  spec.description = description;
  return spec;
}

SettingSpec WhitelistSetting(std::string_view path, std::string_view description) {
  SettingSpec spec{};
  spec.path = path;
  spec.type = Type::kWhitelist;
  spec.description = description;
  return spec;
}

}  // namespace

const std::vector<SettingSpec>& SettingSpecs() {
  static const std::vector<SettingSpec> kSpecs = {
      IntSetting("agent.heartbeat_seconds", 5, 3600, 60, "Seconds between agent heartbeats."),
      IntSetting("agent.inventory_interval_seconds", 60, 86400, 3600,
                 "Seconds between inventory collections."),
      EnumSetting("agent.log_level", "trace|debug|info|warn|error", "info",
                  "The agent's log level."),
      IntSetting("hosts.offline_after_seconds", 30, 86400, 180,
                 "A host without a heartbeat for this long is OFFLINE."),
      IntSetting("brute_force.window_seconds", 10, 86400, 300,
                 "Window in which failed logins from one source are counted."),
      IntSetting("brute_force.max_failures", 2, 10000, 5,
                 "Failed logins within the window that make a brute-force attack."),
      IntSetting("brute_force.block_seconds", 0, 30 * 86400, 900,
                 "How long an attacking source is blocked (0: do not block)."),
      WhitelistSetting("login.whitelist",
                       "Login sources never reported or blocked, each for all hosts or a list; "
                       "an entry may be scoped to a user, countries, days and hours (then it "
                       "suppresses the alerts it covers but does not exempt from blocking)."),
      ListSetting("brute_force.rules", Type::kRules,
                  "Up to 5 custom password-cracking rules besides the default one: "
                  "{window_seconds, max_failures, level (default high)} each."),
      ListSetting("login.whitelist_users", Type::kUserWhitelist,
                  "Login users never reported, each for all hosts or a list; optionally "
                  "scoped to countries, days and hours."),
      IntSetting("login.abnormal.learning_days", 1, 90, 14,
                 "Days a host learns its usual login sources, users, locations and hours "
                 "before abnormal logins are reported."),
      IntSetting("vulnerabilities.scan_interval_hours", 0, 720, 24,
                 "Hours between scheduled vulnerability rematches of every host (0: only when "
                 "an inventory or a feed changes, or on demand)."),
      EnumSetting("malware.realtime", "on|off", "on",
                  "Scan files written to the watched directories (web roots, /tmp, /dev/shm, "
                  "cron, systemd, autostart) as they are written."),
      EnumSetting("malware.auto_quarantine", "on|off", "off",
                  "Move files found by real-time and scheduled scans into the vault at once."),
      TimeSetting("malware.quick_scan_time", "03:00",
                  "Host-local time of the daily quick scan (web roots, temporary, cron, systemd "
                  "and autostart places)."),
      IntSetting("malware.full_scan_days", 0, 365, 0,
                 "Days between full scans of all local file systems (0: never)."),
      TimeSetting("malware.full_scan_window_start", "01:00",
                  "Host-local time from which a due full scan may start."),
      IntSetting("malware.full_scan_window_hours", 1, 24, 6,
                 "Hours after the window start during which a due full scan may start; a "
                 "scheduled full scan stops at the end of the window."),
      IntSetting("malware.quick_scan_window_hours", 1, 24, 2,
                 "Hours from the quick scan time during which the daily quick scan may start (an "
                 "agent that was not running at the quick scan time runs it when it starts "
                 "inside the window); it stops at the end of the window."),
  };
  return kSpecs;
}

std::vector<std::string_view> SettingPathParts(std::string_view path) { return Split(path, '.'); }

Status ValidateSettings(const Json& settings, std::string_view where) {
  if (!settings.is_object()) {
    std::string name(where);
    if (!name.empty() && name.back() == '.') name.pop_back();
    return InvalidArgument((name.empty() ? std::string("settings") : name) +
                           ": expected a JSON object");
  }
  Status status = ValidateObject(settings, "");
  if (status.ok() || where.empty()) return status;
  return InvalidArgument(std::string(where) + status.message());
}

Json EffectiveSettings(const Json& stored) {
  Json out = Json::MakeObject();
  for (const SettingSpec& spec : SettingSpecs()) {
    const Json* value = Lookup(stored, spec.path);
    const std::string path(spec.path);
    Json chosen =
        (value != nullptr && ValidateLeaf(spec, *value, path).ok()) ? *value : DefaultValue(spec);
    auto parts = SettingPathParts(spec.path);
    Json* node = &out;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) node = &(*node)[parts[i]];
    node->Set(parts.back(), std::move(chosen));
  }
  return out;
}

Json SettingsJsonSchema() {
  Json root = ObjectSchema();
  for (const SettingSpec& spec : SettingSpecs()) {
    auto parts = SettingPathParts(spec.path);
    Json* node = &root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      Json& props = (*node)["properties"];
      if (props.Find(parts[i]) == nullptr) props.Set(parts[i], ObjectSchema());
      node = &props[parts[i]];
    }
    (*node)["properties"].Set(parts.back(), LeafSchema(spec));
  }
  return root;
}

}  // namespace rampart::server::api
