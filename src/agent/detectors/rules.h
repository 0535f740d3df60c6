#pragma once
// Login detection rules: data (YAML, rules/login.yaml), loaded in three stages — read (YAML
// syntax), validate (every key, type and value; all problems collected, each with file, line and a
// stable code), compile (durations to seconds, CIDRs to bit patterns). The same defaults are
// embedded in the binary (DefaultRulesYaml) so the detectors work without the shipped file; a test
// checks that the shipped file and the embedded text are identical. Only rules.cpp includes
// yaml-cpp.
//
// Semantics of a rules file: it is a complete rule set; a top-level section that is absent takes
// its default (so a file with only `whitelist:` keeps the default brute-force rules).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/login_event.h"
#include "common/status.h"
#include "common/whitelist_scope.h"

namespace rampart::agent {

enum class AlertLevel { kLow, kMedium, kHigh, kCritical, kSuspicious };

// "low", "medium", "high", "critical", "suspicious".
const char* AlertLevelName(AlertLevel level);
std::optional<AlertLevel> ParseAlertLevel(std::string_view name);
// Order for escalation and sorting: suspicious < low < medium < high < critical.
int AlertLevelRank(AlertLevel level);

// "30s", "5m", "1h", "7d" (a positive integer and one unit) -> seconds; nullopt otherwise.
std::optional<std::int64_t> ParseDuration(std::string_view text);

// source: failures from one source address (or host name as logged); account: failures against one
// user name from at least `min_sources` distinct sources (a distributed attack).
enum class RuleScope { kSource, kAccount };
const char* RuleScopeName(RuleScope scope);

struct BruteForceRule {
  std::string name;
  RuleScope scope = RuleScope::kSource;
  std::int64_t window_seconds = 60;
  std::uint32_t failures = 5;
  std::uint32_t min_sources = 1;  // account scope only
  AlertLevel level = AlertLevel::kMedium;
  bool custom = false;  // from the `custom` list (at most kMaxCustomRules)
  friend bool operator==(const BruteForceRule&, const BruteForceRule&) = default;
};

struct InvalidUserScanRule {
  bool enabled = true;
  std::int64_t window_seconds = 600;
  std::uint32_t distinct_users = 5;
  AlertLevel level = AlertLevel::kMedium;
  friend bool operator==(const InvalidUserScanRule&, const InvalidUserScanRule&) = default;
};

struct AbnormalLoginSettings {
  bool enabled = true;
  std::int64_t learning_seconds = 7 * 86400;
  int hour_tolerance = 1;  // a login within this many hours of a learned hour is usual
  friend bool operator==(const AbnormalLoginSettings&, const AbnormalLoginSettings&) = default;
};

// An IPv4 or IPv6 network; IPv4 is held as ::ffff:a.b.c.d so mapped addresses match IPv4 entries.
struct Cidr {
  std::array<std::uint8_t, 16> addr{};
  int prefix = 128;  // in the 128-bit space (an IPv4 /24 is stored as 120)
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// Parses an IPv4/IPv6 address (including ::ffff:a.b.c.d) into the 128-bit form. nullopt otherwise.
std::optional<std::array<std::uint8_t, 16>> ParseIpAddress(std::string_view text);
// Parses "a.b.c.d", "a.b.c.d/n", "x::y", "x::y/n".
std::optional<Cidr> ParseCidr(std::string_view text);
bool CidrContains(const Cidr& net, const std::array<std::uint8_t, 16>& addr);

// Sources and users whose events produce no alerts (the events are still listed).
// A whitelist entry with a scope (the tenant's login.whitelist entries with countries, days, hours
// or both a source and a user): it covers an event only when every condition it has holds.
struct ScopedWhitelistEntry {
  std::optional<Cidr> network;  // none: any source
  std::string user;             // "": any user
  WhitelistWindow window;
  friend bool operator==(const ScopedWhitelistEntry&, const ScopedWhitelistEntry&) = default;
};

// Country of a source ("" when unknown); may be empty (no GeoIP: entries with countries cover
// nothing).
using CountryOf = std::function<std::string(std::string_view source)>;

struct Whitelist {
  std::vector<Cidr> networks;
  std::vector<std::string> hosts;  // sources logged as host names, compared exactly
  std::vector<std::string> users;
  std::vector<ScopedWhitelistEntry> scoped;
  bool SourceListed(std::string_view source) const;
  bool UserListed(std::string_view user) const;
  // The unconditional lists only.
  bool Suppresses(std::string_view source, std::string_view user) const {
    return SourceListed(source) || UserListed(user);
  }
  // The unconditional lists, then the scoped entries (time of the event, its source's country).
  bool Suppresses(const LoginEvent& event, const CountryOf& country_of) const;
  friend bool operator==(const Whitelist& a, const Whitelist& b) {
    return a.networks == b.networks && a.hosts == b.hosts && a.users == b.users &&
           a.scoped == b.scoped;
  }
};

constexpr std::size_t kMaxCustomRules = 5;
constexpr std::size_t kMaxRules = 10;  // in the brute_force list (custom ones come on top)

struct DetectionRules {
  std::vector<BruteForceRule> brute_force;  // defaults first, then custom ones
  InvalidUserScanRule invalid_user_scan;
  Whitelist whitelist;
  AbnormalLoginSettings abnormal_login;
  friend bool operator==(const DetectionRules&, const DetectionRules&) = default;
};

// One problem found while loading rules. `code` is stable (documented in docs/logscan.md):
// yaml_syntax, not_a_map, not_a_list, not_a_scalar, unknown_key, missing_key, bad_version,
// bad_name, duplicate_name, bad_scope, bad_duration, bad_count, bad_level, bad_bool, bad_source,
// bad_user, key_not_for_scope, too_many_custom, too_many_rules.
struct RuleProblem {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string code;
  std::string message;
  std::string ToString() const;  // "file:line:column: code: message"
};

// Parses rules from YAML text. On any problem returns kInvalidArgument (message: every problem, one
// per line) and, when `problems` is non-null, appends each problem to it. `file` names the source
// in messages.
Result<DetectionRules> ParseRules(std::string_view yaml, std::string_view file,
                                  std::vector<RuleProblem>* problems = nullptr);
// Reads and parses a rules file. Errors: unreadable file (kNotFound/kPermissionDenied), or problems
// as ParseRules.
Result<DetectionRules> LoadRulesFile(const std::string& path,
                                     std::vector<RuleProblem>* problems = nullptr);

// The embedded default rules: the exact text of rules/login.yaml, and its compiled form.
std::string_view DefaultRulesYaml();
const DetectionRules& DefaultRules();

}  // namespace rampart::agent
