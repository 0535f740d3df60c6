#include "agent/detectors/rules.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/strings.h"

namespace rampart::agent {

std::string RuleProblem::ToString() const {
  std::ostringstream os;
  os << file << ':' << line << ':' << column << ": " << code << ": " << message;
  return os.str();
}

namespace {

// Validation and compilation of one YAML document; collects every problem.
class Loader {
 public:
  Loader(std::string_view file, bool parsing_defaults)
      : file_(file), parsing_defaults_(parsing_defaults) {}

  std::vector<RuleProblem>& problems() { return problems_; }

  void Problem(const YAML::Mark& mark, std::string code, std::string message) {
    RuleProblem p;
    p.file = file_;
    p.line = mark.is_null() ? 0 : mark.line + 1;
    p.column = mark.is_null() ? 0 : mark.column + 1;
    p.code = std::move(code);
    p.message = std::move(message);
    problems_.push_back(std::move(p));
  }
  void Problem(const YAML::Node& node, std::string code, std::string message) {
    Problem(node.Mark(), std::move(code), std::move(message));
  }

  DetectionRules Load(const YAML::Node& root) {
    DetectionRules out = parsing_defaults_ ? DetectionRules{} : DefaultRules();
    if (!root.IsMap()) {
      Problem(root, "not_a_map",
              "expected a map of sections (version, brute_force, custom, invalid_user_scan, "
              "abnormal_login, whitelist)");
      return out;
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "version") {
        if (!v.IsScalar() || v.Scalar() != "1") Problem(v, "bad_version", "version must be 1");
      } else if (key == "brute_force") {
        out.brute_force = RuleList(v, false);
      } else if (key == "custom") {
        custom_ = RuleList(v, true);
        if (custom_.size() > kMaxCustomRules) {
          Problem(v, "too_many_custom",
                  "at most " + std::to_string(kMaxCustomRules) +
                      " custom rules are allowed, found " + std::to_string(custom_.size()));
        }
      } else if (key == "invalid_user_scan") {
        InvalidUserScan(v, &out.invalid_user_scan);
      } else if (key == "abnormal_login") {
        AbnormalLogin(v, &out.abnormal_login);
      } else if (key == "whitelist") {
        out.whitelist = WhitelistSection(v);
      } else {
        Problem(kv.first, "unknown_key",
                "unknown section '" + key +
                    "' (expected version, brute_force, custom, invalid_user_scan, abnormal_login, "
                    "whitelist)");
      }
    }
    for (auto& r : custom_) out.brute_force.push_back(std::move(r));
    return out;
  }

 private:
  bool Scalar(const YAML::Node& v, std::string_view what) {
    if (v.IsScalar()) return true;
    Problem(v, "not_a_scalar", std::string(what) + ": expected a single value");
    return false;
  }

  std::optional<std::int64_t> Duration(const YAML::Node& v, std::string_view what) {
    if (!Scalar(v, what)) return std::nullopt;
    auto d = ParseDuration(v.Scalar());
    if (!d) {
      Problem(v, "bad_duration",
              std::string(what) + ": '" + v.Scalar() +
                  "' is not a duration (a positive integer and s, m, h or d, e.g. 5m)");
    }
    return d;
  }

  std::optional<std::uint32_t> Count(const YAML::Node& v, std::string_view what, std::uint32_t min,
                                     std::uint32_t max) {
    if (!Scalar(v, what)) return std::nullopt;
    auto n = ParseInt<std::uint32_t>(v.Scalar());
    if (!n || *n < min || *n > max) {
      Problem(v, "bad_count",
              std::string(what) + ": '" + v.Scalar() + "' is not an integer from " +
                  std::to_string(min) + " to " + std::to_string(max));
      return std::nullopt;
    }
    return n;
  }

  std::optional<AlertLevel> Level(const YAML::Node& v) {
    if (!Scalar(v, "level")) return std::nullopt;
    auto l = ParseAlertLevel(v.Scalar());
    if (!l) {
      Problem(v, "bad_level",
              "level: '" + v.Scalar() + "' is not one of low, medium, high, critical, suspicious");
    }
    return l;
  }

  std::optional<bool> Bool(const YAML::Node& v, std::string_view what) {
    if (!Scalar(v, what)) return std::nullopt;
    const std::string s = ToLower(v.Scalar());
    if (s == "true") return true;
    if (s == "false") return false;
    Problem(v, "bad_bool", std::string(what) + ": '" + v.Scalar() + "' is not true or false");
    return std::nullopt;
  }

  static bool ValidName(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
  }

  std::vector<BruteForceRule> RuleList(const YAML::Node& list, bool custom) {
    std::vector<BruteForceRule> rules;
    if (!list.IsSequence()) {
      Problem(
          list, "not_a_list",
          custom ? "custom: expected a list of rules" : "brute_force: expected a list of rules");
      return rules;
    }
    for (const auto& item : list) {
      if (auto r = Rule(item, custom)) rules.push_back(std::move(*r));
    }
    if (!custom && list.size() > kMaxRules) {
      Problem(list, "too_many_rules",
              "brute_force: at most " + std::to_string(kMaxRules) + " rules, found " +
                  std::to_string(list.size()));
    }
    return rules;
  }

  std::optional<BruteForceRule> Rule(const YAML::Node& node, bool custom) {
    if (!node.IsMap()) {
      Problem(node, "not_a_map",
              "a rule is a map of name, scope, window, failures, sources, level");
      return std::nullopt;
    }
    BruteForceRule r;
    r.custom = custom;
    bool ok = true;
    bool has_name = false;
    bool has_window = false;
    bool has_failures = false;
    std::optional<YAML::Node> sources;  // a copy: the iterator yields temporaries
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "name") {
        has_name = true;
        if (!Scalar(v, "name")) {
          ok = false;
        } else if (!ValidName(v.Scalar())) {
          Problem(v, "bad_name",
                  "name: '" + v.Scalar() + "' must be 1-64 characters of a-z, 0-9, '_', '-'");
          ok = false;
        } else if (!names_.insert(v.Scalar()).second) {
          Problem(v, "duplicate_name", "name: '" + v.Scalar() + "' is used by another rule");
          ok = false;
        } else {
          r.name = v.Scalar();
        }
      } else if (key == "scope") {
        if (!Scalar(v, "scope")) {
          ok = false;
        } else if (v.Scalar() == "source" || v.Scalar() == "account") {
          r.scope = v.Scalar() == "source" ? RuleScope::kSource : RuleScope::kAccount;
        } else {
          Problem(v, "bad_scope", "scope: '" + v.Scalar() + "' is not source or account");
          ok = false;
        }
      } else if (key == "window") {
        has_window = true;
        const auto d = Duration(v, "window");
        if (d && *d > 86400) {
          Problem(v, "bad_duration", "window: at most 1d");
          ok = false;
        } else if (d) {
          r.window_seconds = *d;
        } else {
          ok = false;
        }
      } else if (key == "failures") {
        has_failures = true;
        const auto n = Count(v, "failures", 1, 1000000);
        if (n) r.failures = *n;
        ok = ok && n.has_value();
      } else if (key == "sources") {
        sources.emplace(v);
        const auto n = Count(v, "sources", 1, 10000);
        if (n) r.min_sources = *n;
        ok = ok && n.has_value();
      } else if (key == "level") {
        const auto l = Level(v);
        if (l) r.level = *l;
        ok = ok && l.has_value();
      } else {
        Problem(kv.first, "unknown_key",
                "unknown rule key '" + key +
                    "' (expected name, scope, window, failures, sources, level)");
        ok = false;
      }
    }
    for (const auto& [present, what] :
         {std::pair{has_name, "name"}, std::pair{has_window, "window"},
          std::pair{has_failures, "failures"}}) {
      if (!present) {
        Problem(node, "missing_key", std::string("rule has no '") + what + "'");
        ok = false;
      }
    }
    if (sources.has_value() && r.scope != RuleScope::kAccount) {
      Problem(*sources, "key_not_for_scope", "sources: only rules of scope account take it");
      ok = false;
    }
    if (r.min_sources > r.failures) {
      Problem(node, "bad_count", "sources: cannot exceed failures");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return r;
  }

  bool CheckMap(const YAML::Node& v, std::string_view section) {
    if (v.IsMap()) return true;
    Problem(v, "not_a_map", std::string(section) + ": expected a map");
    return false;
  }

  void InvalidUserScan(const YAML::Node& v, InvalidUserScanRule* out) {
    if (!CheckMap(v, "invalid_user_scan")) return;
    for (const auto& kv : v) {
      const std::string key = kv.first.Scalar();
      if (key == "enabled") {
        if (auto b = Bool(kv.second, key)) out->enabled = *b;
      } else if (key == "window") {
        if (auto d = Duration(kv.second, key)) out->window_seconds = *d;
      } else if (key == "distinct_users") {
        if (auto n = Count(kv.second, key, 1, 10000)) out->distinct_users = *n;
      } else if (key == "level") {
        if (auto l = Level(kv.second)) out->level = *l;
      } else {
        Problem(kv.first, "unknown_key",
                "unknown invalid_user_scan key '" + key +
                    "' (expected enabled, window, distinct_users, level)");
      }
    }
  }

  void AbnormalLogin(const YAML::Node& v, AbnormalLoginSettings* out) {
    if (!CheckMap(v, "abnormal_login")) return;
    for (const auto& kv : v) {
      const std::string key = kv.first.Scalar();
      if (key == "enabled") {
        if (auto b = Bool(kv.second, key)) out->enabled = *b;
      } else if (key == "learning_period") {
        if (auto d = Duration(kv.second, key)) out->learning_seconds = *d;
      } else if (key == "hour_tolerance") {
        if (auto n = Count(kv.second, key, 0, 12)) out->hour_tolerance = static_cast<int>(*n);
      } else {
        Problem(kv.first, "unknown_key",
                "unknown abnormal_login key '" + key +
                    "' (expected enabled, learning_period, hour_tolerance)");
      }
    }
  }

  static bool LooksLikeAddress(std::string_view s) {
    return s.find('/') != std::string_view::npos || s.find(':') != std::string_view::npos ||
           std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  }
  static bool ValidHostName(std::string_view s) {
    return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '-' || c == '_';
    });
  }

  Whitelist WhitelistSection(const YAML::Node& v) {
    Whitelist w;
    if (!CheckMap(v, "whitelist")) return w;
    for (const auto& kv : v) {
      const std::string key = kv.first.Scalar();
      if (key != "sources" && key != "users") {
        Problem(kv.first, "unknown_key",
                "unknown whitelist key '" + key + "' (expected sources, users)");
        continue;
      }
      if (!kv.second.IsSequence()) {
        Problem(kv.second, "not_a_list", "whitelist " + key + ": expected a list");
        continue;
      }
      for (const auto& item : kv.second) {
        if (!Scalar(item, "whitelist " + key)) continue;
        const std::string s = item.Scalar();
        if (key == "users") {
          const bool ok = !s.empty() && s.size() <= 256 &&
                          std::none_of(s.begin(), s.end(),
                                       [](char c) { return static_cast<unsigned char>(c) <= ' '; });
          if (ok) {
            w.users.push_back(s);
          } else {
            Problem(item, "bad_user", "whitelist users: '" + s + "' is not a user name");
          }
        } else if (LooksLikeAddress(s)) {
          if (auto c = ParseCidr(s)) {
            w.networks.push_back(*c);
          } else {
            Problem(
                item, "bad_source",
                "whitelist sources: '" + s + "' is not an IP address or CIDR (a.b.c.d/n, x::y/n)");
          }
        } else if (ValidHostName(s)) {
          w.hosts.push_back(s);
        } else {
          Problem(item, "bad_source",
                  "whitelist sources: '" + s + "' is not an address, CIDR or host name");
        }
      }
    }
    return w;
  }

  std::string file_;
  bool parsing_defaults_;
  std::vector<RuleProblem> problems_;
  std::vector<BruteForceRule> custom_;
  std::set<std::string> names_;
};

Result<DetectionRules> ParseImpl(std::string_view yaml, std::string_view file, bool defaults,
                                 std::vector<RuleProblem>* problems) {
  Loader loader(file, defaults);
  // Stage 1: read (syntax only).
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    loader.Problem(e.mark, "yaml_syntax", e.msg);
  }
  // Stages 2 and 3: validate every section, compiling what is valid.
  DetectionRules rules;
  if (loader.problems().empty()) {
    try {
      rules = loader.Load(root);
    } catch (const YAML::Exception& e) {
      loader.Problem(e.mark, "yaml_syntax", e.msg);
    }
  }
  if (loader.problems().empty()) return rules;
  std::string message;
  for (const auto& p : loader.problems()) {
    if (!message.empty()) message += '\n';
    message += p.ToString();
  }
  if (problems != nullptr) {
    problems->insert(problems->end(), loader.problems().begin(), loader.problems().end());
  }
  return InvalidArgument(std::move(message));
}

}  // namespace

Result<DetectionRules> ParseRules(std::string_view yaml, std::string_view file,
                                  std::vector<RuleProblem>* problems) {
  return ParseImpl(yaml, file, false, problems);
}

Result<DetectionRules> LoadRulesFile(const std::string& path, std::vector<RuleProblem>* problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(errno, path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ErrnoStatus(errno, path);
  return ParseRules(text.str(), path, problems);
}

const DetectionRules& DefaultRules() {
  static const DetectionRules kRules = [] {
    auto r = ParseImpl(DefaultRulesYaml(), "<embedded rules/login.yaml>", true, nullptr);
    if (!r) std::abort();  // a bug: the embedded defaults are checked by rules_test
    return std::move(r).value();
  }();
  return kRules;
}

}  // namespace rampart::agent
