#include "agent/baseline/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "common/strings.h"

namespace rampart::agent::baseline {

const char* LevelName(Level level) {
  switch (level) {
    case Level::kLow:
      return "low";
    case Level::kMedium:
      return "medium";
    case Level::kHigh:
      return "high";
  }
  return "medium";
}

namespace {

constexpr std::pair<Op, const char*> kOps[] = {
    {Op::kEq, "eq"}, {Op::kNe, "ne"},       {Op::kLt, "lt"},       {Op::kLe, "le"},
    {Op::kGt, "gt"}, {Op::kGe, "ge"},       {Op::kMatch, "match"}, {Op::kNotMatch, "not_match"},
    {Op::kIn, "in"}, {Op::kNotIn, "not_in"}};

constexpr std::pair<ProbeKind, const char*> kKinds[] = {
    {ProbeKind::kFile, "file"},
    {ProbeKind::kFileContent, "file_content"},
    {ProbeKind::kConfigValue, "config_value"},
    {ProbeKind::kDirScan, "dir_scan"},
    {ProbeKind::kCommand, "command"},
    {ProbeKind::kSysctl, "sysctl"},
    {ProbeKind::kKernelModule, "kernel_module"},
    {ProbeKind::kPackage, "package"},
    {ProbeKind::kSystemdUnit, "systemd_unit"},
    {ProbeKind::kMount, "mount"},
    {ProbeKind::kAccounts, "accounts"},
    {ProbeKind::kSshd, "sshd"},
    {ProbeKind::kPam, "pam"},
    {ProbeKind::kPort, "port"},
    {ProbeKind::kWeakPasswords, "weak_passwords"},
    {ProbeKind::kServiceAuth, "service_auth"},
    {ProbeKind::kOs, "os"},
};

// Keys each probe kind accepts (besides the comparison keys op/value/values where noted).
const std::map<ProbeKind, std::set<std::string>>& AllowedKeys() {
  static const auto* keys = new std::map<ProbeKind, std::set<std::string>>{
      {ProbeKind::kFile, {"path", "exists", "type", "mode", "owner", "group", "missing"}},
      {ProbeKind::kFileContent, {"path", "match", "expect", "missing"}},
      {ProbeKind::kConfigValue, {"path", "key", "separator", "op", "value", "default", "missing"}},
      {ProbeKind::kDirScan, {"path", "find", "name", "max_depth", "max_entries"}},
      {ProbeKind::kCommand, {"argv", "timeout", "match", "expect"}},
      {ProbeKind::kSysctl, {"key", "op", "value", "default"}},
      {ProbeKind::kKernelModule, {"name", "state"}},
      {ProbeKind::kPackage, {"name", "installed", "op", "version"}},
      {ProbeKind::kSystemdUnit, {"name", "enabled", "active"}},
      {ProbeKind::kMount, {"path", "options", "mounted"}},
      {ProbeKind::kAccounts, {"check", "op", "value"}},
      {ProbeKind::kSshd, {"key", "op", "value"}},
      {ProbeKind::kPam,
       {"service", "type", "module", "control", "option", "present", "op", "value", "default"}},
      {ProbeKind::kPort, {"port", "proto", "listening", "bind"}},
      {ProbeKind::kWeakPasswords, {"budget"}},
      {ProbeKind::kServiceAuth, {"service"}},
      {ProbeKind::kOs, {"id", "op", "version"}},
  };
  return *keys;
}

const std::set<std::string> kAccountChecks = {
    "uid0_only_root",     "no_empty_passwords", "password_max_days", "password_min_days",
    "password_warn_days", "inactive_days",      "unique_uids",       "unique_gids",
    "unique_names",       "system_nologin",     "root_gid_0",        "no_legacy_plus",
    "shadow_group_empty", "passwords_shadowed", "root_path_safe"};
const std::set<std::string> kDirFinds = {"world_writable", "setuid",  "setgid",
                                         "name",           "unowned", "group_writable"};
const std::set<std::string> kServices = {"redis", "postgresql", "mongodb", "elasticsearch"};

bool ValidId(std::string_view s) {
  if (s.empty() || s.size() > 96) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}
  std::vector<PolicyProblem>& problems() { return problems_; }

  void Problem(const YAML::Mark& mark, std::string code, std::string message) {
    PolicyProblem p;
    p.file = file_;
    p.line = mark.is_null() ? 0 : mark.line + 1;
    p.column = mark.is_null() ? 0 : mark.column + 1;
    p.check_id = check_id_;
    p.code = std::move(code);
    p.message = std::move(message);
    problems_.push_back(std::move(p));
  }
  void Problem(const YAML::Node& n, std::string code, std::string message) {
    Problem(n.Mark(), std::move(code), std::move(message));
  }

  Policy Load(const YAML::Node& root) {
    Policy policy;
    policy.file = file_;
    if (!root.IsMap()) {
      Problem(root, "not_a_map", "a policy is a map of id, name, description, applies_to, checks");
      return policy;
    }
    bool has_checks = false;
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "id") {
        if (Str(v, "id", &policy.id) && !ValidId(policy.id)) {
          Problem(v, "bad_id",
                  "id: '" + policy.id + "' must be 1-96 characters of A-Z a-z 0-9 _ - .");
        }
      } else if (key == "name") {
        Str(v, "name", &policy.name);
      } else if (key == "description") {
        Str(v, "description", &policy.description);
      } else if (key == "applies_to") {
        policy.applies_to = ParseNode(v, 0);
      } else if (key == "checks") {
        has_checks = true;
        if (!v.IsSequence()) {
          Problem(v, "not_a_list", "checks: expected a list of checks");
          continue;
        }
        for (const auto& item : v) {
          if (auto c = ParseCheck(item)) policy.checks.push_back(std::move(*c));
        }
      } else {
        Problem(kv.first, "unknown_key",
                "unknown policy key '" + key +
                    "' (expected id, name, description, applies_to, checks)");
      }
    }
    if (policy.id.empty()) Problem(root, "missing_key", "the policy has no 'id'");
    if (policy.name.empty()) Problem(root, "missing_key", "the policy has no 'name'");
    if (!has_checks) Problem(root, "missing_key", "the policy has no 'checks'");
    return policy;
  }

 private:
  bool Str(const YAML::Node& v, std::string_view what, std::string* out) {
    if (!v.IsScalar()) {
      Problem(v, "not_a_scalar", std::string(what) + ": expected a single value");
      return false;
    }
    *out = v.Scalar();
    return true;
  }

  bool StrList(const YAML::Node& v, std::string_view what, std::vector<std::string>* out) {
    if (v.IsScalar()) {
      out->push_back(v.Scalar());
      return true;
    }
    if (!v.IsSequence()) {
      Problem(v, "not_a_list", std::string(what) + ": expected a value or a list of values");
      return false;
    }
    for (const auto& item : v) {
      if (!item.IsScalar()) {
        Problem(item, "not_a_scalar", std::string(what) + ": every item must be a single value");
        return false;
      }
      out->push_back(item.Scalar());
    }
    return true;
  }

  std::optional<bool> Bool(const YAML::Node& v, std::string_view what) {
    std::string s;
    if (!Str(v, what, &s)) return std::nullopt;
    s = ToLower(s);
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
    Problem(v, "bad_value", std::string(what) + ": '" + s + "' is not true or false");
    return std::nullopt;
  }

  std::optional<std::int64_t> Int(const YAML::Node& v, std::string_view what, std::int64_t min,
                                  std::int64_t max) {
    std::string s;
    if (!Str(v, what, &s)) return std::nullopt;
    auto n = ParseInt<std::int64_t>(s);
    if (!n || *n < min || *n > max) {
      Problem(v, "bad_value",
              std::string(what) + ": '" + s + "' is not an integer from " + std::to_string(min) +
                  " to " + std::to_string(max));
      return std::nullopt;
    }
    return n;
  }

  std::shared_ptr<const std::regex> Regex(const YAML::Node& v, std::string_view what,
                                          std::string* text = nullptr) {
    std::string s;
    if (!Str(v, what, &s)) return nullptr;
    if (text) *text = s;
    auto flags = std::regex::ECMAScript | std::regex::optimize;
    std::string_view body = s;
    if (ConsumePrefix(&body, "(?i)")) flags |= std::regex::icase;
    try {
      return std::make_shared<const std::regex>(std::string(body), flags);
    } catch (const std::regex_error& e) {
      Problem(v, "bad_regex",
              std::string(what) + ": '" + s + "' is not a valid regex: " + e.what());
      return nullptr;
    }
  }

  std::optional<std::chrono::milliseconds> Duration(const YAML::Node& v, std::string_view what) {
    std::string s;
    if (!Str(v, what, &s)) return std::nullopt;
    std::string_view t = s;
    std::int64_t scale = 1000;
    if (ConsumeSuffix(&t, "ms")) {
      scale = 1;
    } else if (!ConsumeSuffix(&t, "s")) {
      Problem(v, "bad_duration",
              std::string(what) + ": '" + s + "' is not a duration like 500ms or 5s");
      return std::nullopt;
    }
    auto n = ParseInt<std::int64_t>(t);
    if (!n || *n <= 0 || *n * scale > 600'000) {
      Problem(v, "bad_duration",
              std::string(what) + ": '" + s + "' must be a positive duration of at most 600s");
      return std::nullopt;
    }
    return std::chrono::milliseconds(*n * scale);
  }

  // Comparison from op/value (value may be a list for in/not_in). default_op applies without op.
  // versions: lt/le/gt/ge order package versions (by the package manager's rules), not numbers.
  std::optional<Comparison> Compare(const YAML::Node& map, Op default_op,
                                    std::string_view value_key = "value", bool versions = false) {
    Comparison c;
    c.op = default_op;
    const YAML::Node op = map["op"];
    if (op) {
      std::string s;
      if (!Str(op, "op", &s)) return std::nullopt;
      bool found = false;
      for (const auto& [o, name] : kOps) {
        if (s == name) {
          c.op = o;
          found = true;
        }
      }
      if (!found) {
        Problem(
            op, "bad_op",
            "op: '" + s + "' is not one of eq, ne, lt, le, gt, ge, match, not_match, in, not_in");
        return std::nullopt;
      }
    }
    const YAML::Node v = map[std::string(value_key)];
    if (!v) {
      Problem(map, "missing_key", "a comparison needs '" + std::string(value_key) + "'");
      return std::nullopt;
    }
    if (c.op == Op::kIn || c.op == Op::kNotIn) {
      if (!StrList(v, value_key, &c.values)) return std::nullopt;
      return c;
    }
    if (!Str(v, value_key, &c.value)) return std::nullopt;
    if (c.op == Op::kMatch || c.op == Op::kNotMatch) {
      c.re = Regex(v, value_key);
      if (!c.re) return std::nullopt;
    } else if (!versions &&
               (c.op == Op::kLt || c.op == Op::kLe || c.op == Op::kGt || c.op == Op::kGe)) {
      auto d = ParseDouble(c.value);
      if (!d) {
        Problem(v, "bad_value", std::string(value_key) + ": '" + c.value + "' is not a number");
        return std::nullopt;
      }
      c.number = *d;
    }
    return c;
  }

  std::optional<Node> ParseNode(const YAML::Node& n, int depth) {
    if (depth > 16) {
      Problem(n, "bad_condition", "conditions nest at most 16 deep");
      return std::nullopt;
    }
    if (!n.IsMap() || n.size() != 1) {
      Problem(n, "bad_condition",
              "a condition is a map with exactly one key: all, any, none or a probe kind");
      return std::nullopt;
    }
    const auto kv = *n.begin();
    const std::string key = kv.first.Scalar();
    Node node;
    node.line = static_cast<int>(n.Mark().line) + 1;
    if (key == "all" || key == "any" || key == "none") {
      node.kind = key == "all"   ? Node::Kind::kAll
                  : key == "any" ? Node::Kind::kAny
                                 : Node::Kind::kNone;
      if (!kv.second.IsSequence() || kv.second.size() == 0) {
        Problem(kv.second, "not_a_list", key + ": expected a non-empty list of conditions");
        return std::nullopt;
      }
      bool ok = true;
      for (const auto& child : kv.second) {
        auto c = ParseNode(child, depth + 1);
        if (c) {
          node.children.push_back(std::move(*c));
        } else {
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      return node;
    }
    auto probe = ParseProbe(key, kv.first, kv.second);
    if (!probe) return std::nullopt;
    node.kind = Node::Kind::kProbe;
    node.probe = std::make_shared<const Probe>(std::move(*probe));
    return node;
  }

  std::optional<Probe> ParseProbe(const std::string& kind_name, const YAML::Node& key_node,
                                  const YAML::Node& m) {
    Probe p;
    p.line = static_cast<int>(key_node.Mark().line) + 1;
    bool known = false;
    for (const auto& [k, name] : kKinds) {
      if (kind_name == name) {
        p.kind = k;
        known = true;
      }
    }
    if (!known) {
      Problem(key_node, "bad_probe",
              "unknown condition '" + kind_name +
                  "' (all, any, none, file, file_content, config_value, dir_scan, command, sysctl, "
                  "kernel_module, package, systemd_unit, mount, accounts, sshd, pam, port, "
                  "weak_passwords, service_auth, os)");
      return std::nullopt;
    }
    if (m.IsNull() && p.kind == ProbeKind::kWeakPasswords) return p;
    if (!m.IsMap()) {
      Problem(m, "not_a_map", kind_name + ": expected a map of its parameters");
      return std::nullopt;
    }
    const auto& allowed = AllowedKeys().at(p.kind);
    const std::size_t before = problems_.size();
    for (const auto& kv : m) {
      const std::string k = kv.first.Scalar();
      if (!allowed.count(k)) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        Problem(kv.first, "unknown_key",
                kind_name + ": unknown key '" + k + "' (expected " + Join(names, ", ") + ")");
      }
    }
    auto need = [&](const char* k) -> YAML::Node {
      YAML::Node v = m[k];
      if (!v) Problem(m, "missing_key", kind_name + ": needs '" + k + "'");
      return v;
    };
    auto missing_flag = [&] {
      if (const YAML::Node v = m["missing"]) {
        std::string s;
        if (Str(v, "missing", &s)) {
          if (s == "pass") {
            p.missing_ok = true;
          } else if (s != "fail") {
            Problem(v, "bad_value", "missing: '" + s + "' is not pass or fail");
          }
        }
      }
    };
    auto expect_flag = [&] {
      if (const YAML::Node v = m["expect"]) {
        std::string s;
        if (Str(v, "expect", &s)) {
          if (s == "absent") {
            p.expect = Expect::kAbsent;
          } else if (s != "present") {
            Problem(v, "bad_value", "expect: '" + s + "' is not present or absent");
          }
        }
      }
    };
    auto paths = [&] {
      if (YAML::Node v = need("path")) {
        if (StrList(v, "path", &p.paths)) {
          for (const auto& path : p.paths) {
            if (!StartsWith(path, "/")) {
              Problem(v, "bad_value", "path: '" + path + "' must be absolute");
            }
          }
        }
      }
    };
    auto dflt = [&] {
      if (const YAML::Node v = m["default"]) {
        std::string s;
        if (Str(v, "default", &s)) p.dflt = s;
      }
    };
    switch (p.kind) {
      case ProbeKind::kFile: {
        paths();
        missing_flag();
        if (const YAML::Node v = m["exists"]) p.exists = Bool(v, "exists");
        if (const YAML::Node v = m["type"]) {
          if (Str(v, "type", &p.file_type) && p.file_type != "file" && p.file_type != "dir" &&
              p.file_type != "symlink") {
            Problem(v, "bad_value", "type: '" + p.file_type + "' is not file, dir or symlink");
          }
        }
        if (const YAML::Node v = m["mode"]) {
          std::string s;
          if (Str(v, "mode", &s)) {
            auto mode = ParseInt<std::uint32_t>(s, 8);
            if (!mode || *mode > 07777) {
              Problem(v, "bad_mode", "mode: '" + s + "' is not an octal mode like 0644");
            } else {
              p.max_mode = *mode;
            }
          }
        }
        if (const YAML::Node v = m["owner"]) StrList(v, "owner", &p.owners);
        if (const YAML::Node v = m["group"]) StrList(v, "group", &p.groups);
        break;
      }
      case ProbeKind::kFileContent:
        paths();
        missing_flag();
        expect_flag();
        if (YAML::Node v = need("match")) p.pattern = Regex(v, "match", &p.pattern_text);
        break;
      case ProbeKind::kConfigValue:
        paths();
        missing_flag();
        dflt();
        if (YAML::Node v = need("key")) Str(v, "key", &p.key);
        if (const YAML::Node v = m["separator"]) {
          if (Str(v, "separator", &p.separator) && p.separator != "=" && p.separator != ":" &&
              p.separator != " ") {
            Problem(v, "bad_value", "separator: must be '=', ':' or ' ' (whitespace)");
          }
          if (p.separator == " ") p.separator.clear();
        } else {
          p.separator = "=";
        }
        p.cmp = Compare(m, Op::kEq);
        break;
      case ProbeKind::kDirScan:
        paths();
        if (YAML::Node v = need("find")) {
          if (Str(v, "find", &p.check) && !kDirFinds.count(p.check)) {
            Problem(v, "bad_value",
                    "find: '" + p.check +
                        "' is not world_writable, group_writable, setuid, setgid, unowned or name");
          }
        }
        if (const YAML::Node v = m["name"]) p.pattern = Regex(v, "name", &p.pattern_text);
        if (p.check == "name" && !p.pattern) {
          Problem(m, "missing_key", "dir_scan: find: name needs 'name' (a regex)");
        }
        if (const YAML::Node v = m["max_depth"]) {
          if (auto n = Int(v, "max_depth", 0, 32)) p.max_depth = static_cast<int>(*n);
        }
        if (const YAML::Node v = m["max_entries"]) {
          if (auto n = Int(v, "max_entries", 1, 1'000'000))
            p.max_entries = static_cast<std::size_t>(*n);
        }
        break;
      case ProbeKind::kCommand:
        expect_flag();
        if (YAML::Node v = need("argv")) {
          if (StrList(v, "argv", &p.argv) && (p.argv.empty() || !StartsWith(p.argv[0], "/"))) {
            Problem(v, "bad_value",
                    "argv: the program must be an absolute path (no shell, no PATH)");
          }
        }
        if (const YAML::Node v = m["timeout"]) {
          if (auto d = Duration(v, "timeout")) p.timeout = *d;
        }
        if (YAML::Node v = need("match")) p.pattern = Regex(v, "match", &p.pattern_text);
        break;
      case ProbeKind::kSysctl:
        if (YAML::Node v = need("key")) Str(v, "key", &p.key);
        dflt();
        p.cmp = Compare(m, Op::kEq);
        break;
      case ProbeKind::kKernelModule:
        if (YAML::Node v = need("name")) Str(v, "name", &p.name);
        if (YAML::Node v = need("state")) {
          if (Str(v, "state", &p.state) && p.state != "loaded" && p.state != "not_loaded" &&
              p.state != "disabled") {
            Problem(v, "bad_value",
                    "state: '" + p.state + "' is not loaded, not_loaded or disabled");
          }
        }
        break;
      case ProbeKind::kPackage:
        if (YAML::Node v = need("name")) StrList(v, "name", &p.names);
        if (const YAML::Node v = m["installed"]) p.installed = Bool(v, "installed");
        if (m["version"]) {
          p.cmp = Compare(m, Op::kGe, "version", /*versions=*/true);
          if (p.cmp && (p.cmp->op == Op::kMatch || p.cmp->op == Op::kNotMatch ||
                        p.cmp->op == Op::kIn || p.cmp->op == Op::kNotIn)) {
            Problem(m, "bad_op", "package: version takes eq, ne, lt, le, gt or ge");
          }
        }
        break;
      case ProbeKind::kSystemdUnit:
        if (YAML::Node v = need("name")) StrList(v, "name", &p.names);
        if (const YAML::Node v = m["enabled"]) p.enabled = Bool(v, "enabled");
        if (const YAML::Node v = m["active"]) p.active = Bool(v, "active");
        if (!m["enabled"] && !m["active"]) {
          Problem(m, "missing_key", "systemd_unit: needs 'enabled' or 'active'");
        }
        break;
      case ProbeKind::kMount:
        if (YAML::Node v = need("path")) Str(v, "path", &p.name);
        if (const YAML::Node v = m["options"]) StrList(v, "options", &p.options);
        if (const YAML::Node v = m["mounted"]) {
          std::string s;
          if (Str(v, "mounted", &s)) {
            if (s == "required") {
              p.mount_required = true;
            } else if (s != "optional") {
              Problem(v, "bad_value", "mounted: '" + s + "' is not required or optional");
            }
          }
        }
        break;
      case ProbeKind::kAccounts:
        if (YAML::Node v = need("check")) {
          if (Str(v, "check", &p.check) && !kAccountChecks.count(p.check)) {
            std::vector<std::string> names(kAccountChecks.begin(), kAccountChecks.end());
            Problem(v, "bad_value", "check: '" + p.check + "' is not one of " + Join(names, ", "));
          }
        }
        if (m["value"]) p.cmp = Compare(m, Op::kLe);
        if ((p.check == "password_max_days" || p.check == "password_min_days" ||
             p.check == "password_warn_days" || p.check == "inactive_days") &&
            !m["value"]) {
          Problem(m, "missing_key", "accounts: check " + p.check + " needs 'value'");
        }
        break;
      case ProbeKind::kSshd:
        if (YAML::Node v = need("key")) {
          if (Str(v, "key", &p.key)) p.key = ToLower(p.key);
        }
        p.cmp = Compare(m, Op::kEq);
        break;
      case ProbeKind::kPam:
        if (YAML::Node v = need("service")) Str(v, "service", &p.name);
        if (YAML::Node v = need("type")) {
          if (Str(v, "type", &p.check) && p.check != "auth" && p.check != "account" &&
              p.check != "password" && p.check != "session") {
            Problem(v, "bad_value",
                    "type: '" + p.check + "' is not auth, account, password or session");
          }
        }
        if (YAML::Node v = need("module")) StrList(v, "module", &p.names);
        if (const YAML::Node v = m["control"]) Str(v, "control", &p.control);
        if (const YAML::Node v = m["option"]) Str(v, "option", &p.key);
        if (const YAML::Node v = m["present"]) {
          if (auto b = Bool(v, "present")) p.option_present = *b;
        }
        dflt();
        if (m["value"]) p.cmp = Compare(m, Op::kEq);
        if (m["value"] && !m["option"]) {
          Problem(m, "missing_key", "pam: 'value' needs 'option'");
        }
        break;
      case ProbeKind::kPort:
        if (YAML::Node v = need("port")) {
          if (auto n = Int(v, "port", 1, 65535)) p.port = static_cast<int>(*n);
        }
        p.proto = "tcp";
        if (const YAML::Node v = m["proto"]) {
          if (Str(v, "proto", &p.proto) && p.proto != "tcp" && p.proto != "udp") {
            Problem(v, "bad_value", "proto: '" + p.proto + "' is not tcp or udp");
          }
        }
        if (const YAML::Node v = m["listening"]) p.listening = Bool(v, "listening");
        if (!p.listening) p.listening = false;
        if (const YAML::Node v = m["bind"]) {
          std::string s;
          if (Str(v, "bind", &s)) {
            if (s == "non_loopback") {
              p.non_loopback = true;
            } else if (s != "any") {
              Problem(v, "bad_value", "bind: '" + s + "' is not any or non_loopback");
            }
          }
        }
        break;
      case ProbeKind::kWeakPasswords:
        if (const YAML::Node v = m["budget"]) {
          if (auto d = Duration(v, "budget")) p.budget = *d;
        }
        break;
      case ProbeKind::kServiceAuth:
        if (YAML::Node v = need("service")) {
          if (Str(v, "service", &p.name) && !kServices.count(p.name)) {
            Problem(v, "bad_value",
                    "service: '" + p.name + "' is not redis, postgresql, mongodb or elasticsearch");
          }
        }
        break;
      case ProbeKind::kOs:
        if (YAML::Node v = need("id")) StrList(v, "id", &p.names);
        if (m["version"]) p.cmp = Compare(m, Op::kGe, "version");
        break;
    }
    if (problems_.size() != before) return std::nullopt;
    return p;
  }

  bool ParseFixtureFile(const std::string& path, const YAML::Node& v, FixtureFile* f) {
    f->path = path;
    if (!StartsWith(path, "/") || path.find("..") != std::string::npos) {
      Problem(v, "bad_fixture", "fixture path '" + path + "' must be absolute without '..'");
      return false;
    }
    if (v.IsScalar()) {
      f->content = v.Scalar();
      return true;
    }
    if (!v.IsMap()) {
      Problem(v, "bad_fixture",
              "a fixture file is its content or a map (content, mode, uid, gid, dir, symlink, "
              "copy)");
      return false;
    }
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      if (k == "content") {
        Str(kv.second, "content", &f->content);
      } else if (k == "mode") {
        std::string s;
        auto mode = Str(kv.second, "mode", &s) ? ParseInt<std::uint32_t>(s, 8) : std::nullopt;
        if (!mode || *mode > 07777) {
          Problem(kv.second, "bad_mode", "mode: expected an octal mode");
          return false;
        }
        f->mode = *mode;
      } else if (k == "uid" || k == "gid") {
        auto n = Int(kv.second, k, 0, 65535);
        if (!n) return false;
        (k == "uid" ? f->uid : f->gid) = static_cast<std::uint32_t>(*n);
      } else if (k == "dir") {
        auto b = Bool(kv.second, "dir");
        if (!b) return false;
        f->dir = *b;
      } else if (k == "symlink") {
        Str(kv.second, "symlink", &f->symlink);
      } else if (k == "copy") {
        // Binary content (an RPM database) kept in a file beside the policy or its tests file.
        std::string rel;
        if (!Str(kv.second, "copy", &rel)) return false;
        if (rel.empty() || StartsWith(rel, "/") || rel.find("..") != std::string::npos) {
          Problem(kv.second, "bad_fixture",
                  "copy: '" + rel +
                      "' must be a relative path without '..' (from the directory of " + file_ +
                      ")");
          return false;
        }
        const auto slash = file_.rfind('/');
        f->copy =
            (slash == std::string::npos ? std::string(".") : file_.substr(0, slash)) + "/" + rel;
      } else {
        Problem(kv.first, "bad_fixture", "unknown fixture key '" + k + "'");
        return false;
      }
    }
    return true;
  }

  void ParseFixtures(const YAML::Node& v, std::vector<std::vector<FixtureFile>>* out) {
    auto one = [&](const YAML::Node& root) {
      if (!root.IsMap()) {
        Problem(root, "bad_fixture", "a fixture root is a map of path: content");
        return;
      }
      std::vector<FixtureFile> files;
      for (const auto& kv : root) {
        FixtureFile f;
        if (ParseFixtureFile(kv.first.Scalar(), kv.second, &f)) files.push_back(std::move(f));
      }
      out->push_back(std::move(files));
    };
    if (v.IsSequence()) {
      for (const auto& root : v) one(root);
    } else {
      one(v);
    }
  }

  void Tests(const YAML::Node& v, Check* c) {
    if (!v.IsMap()) {
      Problem(v, "bad_fixture", "tests: expected a map with pass and fail");
      return;
    }
    for (const auto& t : v) {
      const std::string tk = t.first.Scalar();
      if (tk == "pass") {
        ParseFixtures(t.second, &c->pass_fixtures);
      } else if (tk == "fail") {
        ParseFixtures(t.second, &c->fail_fixtures);
      } else if (tk == "skip") {
        Str(t.second, "skip", &c->test_skip);
      } else {
        Problem(t.first, "bad_fixture", "tests: unknown key '" + tk + "' (pass, fail, skip)");
      }
    }
  }

 public:
  void LoadTests(const YAML::Node& root, Policy* policy) {
    const YAML::Node tests = root.IsMap() ? root["tests"] : YAML::Node();
    if (!tests || !tests.IsMap()) {
      Problem(root, "not_a_map",
              "a tests file is a map with 'tests': check id -> {pass, fail, skip}");
      return;
    }
    for (const auto& kv : tests) {
      check_id_ = kv.first.Scalar();
      auto it = std::find_if(policy->checks.begin(), policy->checks.end(),
                             [&](const Check& c) { return c.id == check_id_; });
      if (it == policy->checks.end()) {
        Problem(kv.first, "unknown_check",
                "policy " + policy->id + " has no check '" + check_id_ + "'");
        continue;
      }
      Tests(kv.second, &*it);
    }
    check_id_.clear();
  }

 private:
  std::optional<Check> ParseCheck(const YAML::Node& n) {
    check_id_.clear();
    if (!n.IsMap()) {
      Problem(n, "not_a_map", "a check is a map (id, title, level, check, ...)");
      return std::nullopt;
    }
    Check c;
    c.file = file_;
    c.line = static_cast<int>(n.Mark().line) + 1;
    if (const YAML::Node id = n["id"]; id && id.IsScalar()) {
      check_id_ = id.Scalar();
    }
    const std::size_t before = problems_.size();
    bool has_condition = false;
    bool has_level = false;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "id") {
        if (Str(v, "id", &c.id)) {
          if (!ValidId(c.id)) {
            Problem(v, "bad_id", "id: '" + c.id + "' must be 1-96 characters of A-Z a-z 0-9 _ - .");
          } else if (!ids_.insert(c.id).second) {
            Problem(v, "duplicate_id", "id: '" + c.id + "' is used by another check");
          }
        }
      } else if (key == "title") {
        Str(v, "title", &c.title);
      } else if (key == "description") {
        Str(v, "description", &c.description);
      } else if (key == "rationale") {
        Str(v, "rationale", &c.rationale);
      } else if (key == "remediation") {
        if (v.IsMap()) {
          for (const auto& r : v) {
            const std::string rk = r.first.Scalar();
            if (rk == "advice") {
              Str(r.second, "advice", &c.remediation);
            } else if (rk == "command") {
              Str(r.second, "command", &c.remediation_command);
            } else {
              Problem(r.first, "unknown_key",
                      "remediation: unknown key '" + rk + "' (advice, command)");
            }
          }
        } else {
          Str(v, "remediation", &c.remediation);
        }
      } else if (key == "level") {
        has_level = true;
        std::string s;
        if (Str(v, "level", &s)) {
          if (s == "high") {
            c.level = Level::kHigh;
          } else if (s == "medium") {
            c.level = Level::kMedium;
          } else if (s == "low") {
            c.level = Level::kLow;
          } else {
            Problem(v, "bad_level", "level: '" + s + "' is not high, medium or low");
          }
        }
      } else if (key == "references") {
        StrList(v, "references", &c.references);
      } else if (key == "applies_to") {
        c.applies_to = ParseNode(v, 0);
      } else if (key == "check") {
        has_condition = true;
        if (auto node = ParseNode(v, 0)) c.condition = std::move(*node);
      } else if (key == "tests") {
        Tests(v, &c);
      } else {
        Problem(kv.first, "unknown_key",
                "unknown check key '" + key +
                    "' (expected id, title, description, rationale, remediation, level, "
                    "references, applies_to, check, tests)");
      }
    }
    if (c.id.empty()) Problem(n, "missing_key", "the check has no 'id'");
    if (c.title.empty()) Problem(n, "missing_key", "the check has no 'title'");
    if (c.remediation.empty()) Problem(n, "missing_key", "the check has no 'remediation'");
    if (!has_level) Problem(n, "missing_key", "the check has no 'level'");
    if (!has_condition) Problem(n, "missing_key", "the check has no 'check' (its condition)");
    check_id_.clear();
    if (problems_.size() != before) return std::nullopt;
    return c;
  }

  std::string file_;
  std::string check_id_;
  std::set<std::string> ids_;
  std::vector<PolicyProblem> problems_;
};

Status ProblemsStatus(const std::vector<PolicyProblem>& problems) {
  std::string msg;
  for (const auto& p : problems) {
    if (!msg.empty()) msg += '\n';
    msg += p.ToString();
  }
  return InvalidArgument(msg);
}

}  // namespace

const char* OpName(Op op) {
  for (const auto& [o, name] : kOps) {
    if (o == op) return name;
  }
  return "eq";
}

const char* ProbeKindName(ProbeKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "?";
}

bool Comparison::Holds(std::string_view found) const {
  switch (op) {
    case Op::kEq:
      return ToLower(found) == ToLower(value);
    case Op::kNe:
      return ToLower(found) != ToLower(value);
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      auto d = ParseDouble(TrimView(found));
      if (!d) return false;
      if (op == Op::kLt) return *d < number;
      if (op == Op::kLe) return *d <= number;
      if (op == Op::kGt) return *d > number;
      return *d >= number;
    }
    case Op::kMatch:
    case Op::kNotMatch: {
      const bool m = re && std::regex_search(found.begin(), found.end(), *re);
      return op == Op::kMatch ? m : !m;
    }
    case Op::kIn:
    case Op::kNotIn: {
      const std::string f = ToLower(found);
      const bool in = std::any_of(values.begin(), values.end(),
                                  [&](const std::string& v) { return ToLower(v) == f; });
      return op == Op::kIn ? in : !in;
    }
  }
  return false;
}

std::string Comparison::Describe() const {
  if (op == Op::kIn || op == Op::kNotIn) {
    return std::string(OpName(op)) + " [" + Join(values, ", ") + "]";
  }
  return std::string(OpName(op)) + " " + value;
}

std::string PolicyProblem::ToString() const {
  std::ostringstream os;
  os << file << ':' << line << ':' << column << ": ";
  if (!check_id.empty()) os << "check " << check_id << ": ";
  os << code << ": " << message;
  return os.str();
}

Result<Policy> ParsePolicy(std::string_view yaml, std::string_view file,
                           std::vector<PolicyProblem>* problems) {
  Loader loader(file);
  Policy policy;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    policy = loader.Load(root);
  } catch (const YAML::Exception& e) {
    loader.Problem(e.mark, "yaml_syntax", e.msg);
  }
  auto& found = loader.problems();
  if (found.empty()) return policy;
  if (problems) problems->insert(problems->end(), found.begin(), found.end());
  return ProblemsStatus(found);
}

Status ParsePolicyTests(std::string_view yaml, std::string_view file, Policy* policy,
                        std::vector<PolicyProblem>* problems) {
  Loader loader(file);
  try {
    loader.LoadTests(YAML::Load(std::string(yaml)), policy);
  } catch (const YAML::Exception& e) {
    loader.Problem(e.mark, "yaml_syntax", e.msg);
  }
  auto& found = loader.problems();
  if (found.empty()) return Status::Ok();
  if (problems) problems->insert(problems->end(), found.begin(), found.end());
  return ProblemsStatus(found);
}

Result<Policy> LoadPolicyFile(const std::string& path, std::vector<PolicyProblem>* problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("policy file " + path + ": cannot be read");
  std::string text;
  text.resize(std::size_t{4} << 20);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.peek() != std::char_traits<char>::eof()) {
    return ResourceExhausted("policy file " + path + ": larger than 4 MiB");
  }
  return ParsePolicy(text, path, problems);
}

}  // namespace rampart::agent::baseline
