#pragma once
// Baseline policies: data (YAML, policies/*.yaml), loaded in three stages — read (YAML syntax),
// validate (every key, type and value of every check; all problems collected, each with file, line,
// column, check id and a stable code), compile (regexes, comparisons, durations). The format is
// documented in docs/baseline.md. Only policy.cpp includes yaml-cpp.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
// GCC 12's <regex> trips -Wmaybe-uninitialized inside its own automaton code under ASan builds.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rampart::agent::baseline {

enum class Level { kLow, kMedium, kHigh };
const char* LevelName(Level level);

// How a found value is compared with the expected one. eq/ne/in/not_in compare case-insensitively;
// lt/le/gt/ge compare numbers (a value that is not a number fails the comparison); match/not_match
// search the value with a regex.
enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kNotMatch, kIn, kNotIn };
const char* OpName(Op op);

struct Comparison {
  Op op = Op::kEq;
  std::string value;                // as written (eq, ne, lt.., match)
  std::vector<std::string> values;  // in, not_in
  double number = 0;                // lt/le/gt/ge
  std::shared_ptr<const std::regex> re;
  // True when `found` satisfies the comparison.
  bool Holds(std::string_view found) const;
  std::string Describe() const;  // "le 1", "in [no, prohibit-password]"
};

enum class ProbeKind {
  kFile,           // file exists/type/mode/owner/group
  kFileContent,    // a regex over lines: present or absent
  kConfigValue,    // key = value in config files, compared
  kDirScan,        // world-writable / setuid / name-matching entries under a directory (bounded)
  kCommand,        // argv (no shell), timeout, output regex; live host only
  kSysctl,         // /proc/sys on a live host, sysctl.conf + sysctl.d under --root
  kKernelModule,   // loaded / disabled (modprobe.d install /bin/false, or not available)
  kPackage,        // installed (and version)
  kSystemdUnit,    // enabled / active
  kMount,          // mount options of a mount point
  kAccounts,       // account properties from passwd/shadow/group
  kSshd,           // sshd effective configuration
  kPam,            // PAM module lines and options
  kPort,           // listening ports (live host)
  kWeakPasswords,  // /etc/shadow hashes against common passwords
  kServiceAuth,    // redis / postgresql / mongodb / elasticsearch without authentication
  kOs,             // os-release id and version
};
const char* ProbeKindName(ProbeKind kind);

enum class Expect { kPresent, kAbsent };

// One typed probe. Only the fields of its kind are set (see docs/baseline.md for each kind's keys).
struct Probe {
  ProbeKind kind = ProbeKind::kFile;
  int line = 0;
  std::vector<std::string> paths;  // file, file_content, config_value, dir_scan (globs allowed)
  std::string name;                // module, package, unit, service, sysctl key, sshd/pam key...
  std::vector<std::string> names;  // package: any of; os: ids
  std::string key;                 // config_value, sysctl, sshd keyword, pam option
  std::string separator;           // config_value: "=", ":" or "" (whitespace)
  std::string check;               // accounts: which check; dir_scan: what to find; pam type
  std::optional<bool> exists;      // file
  std::string file_type;           // file: file | dir | symlink
  std::optional<std::uint32_t> max_mode;  // file: no permission bits beyond these
  std::vector<std::string> owners, groups;
  bool missing_ok = false;  // file/config_value/file_content: an absent file satisfies the probe
  Expect expect = Expect::kPresent;
  std::shared_ptr<const std::regex> pattern;  // file_content, command, dir_scan name
  std::string pattern_text;
  std::optional<Comparison> cmp;     // config_value, sysctl, sshd, pam option, accounts, package
  std::optional<std::string> dflt;   // value when not configured (sysctl, config_value, pam)
  std::optional<bool> installed;     // package
  std::optional<bool> enabled;       // systemd_unit
  std::optional<bool> active;        // systemd_unit
  std::string state;                 // kernel_module: loaded | not_loaded | disabled
  std::vector<std::string> options;  // mount: required options
  bool mount_required = false;       // mount: a separate mount must exist
  std::vector<std::string> argv;     // command
  std::chrono::milliseconds timeout{5000};
  int max_depth = 6;                // dir_scan
  std::size_t max_entries = 20000;  // dir_scan
  std::optional<bool> listening;    // port
  std::string proto;                // port: tcp | udp
  int port = 0;
  bool non_loopback = false;               // port: only non-loopback binds count
  std::chrono::milliseconds budget{3000};  // weak_passwords CPU budget
  bool option_present = true;              // pam: the option (or module) must be present
  std::string control;                     // pam: expected control (regex text), "" any
};

struct Node {
  enum class Kind { kAll, kAny, kNone, kProbe };
  Kind kind = Kind::kProbe;
  int line = 0;
  std::vector<Node> children;
  std::shared_ptr<const Probe> probe;
};

// A fixture file for the check's self-test: content plus optional mode/owner, or a directory or a
// symlink.
struct FixtureFile {
  std::string path;
  std::string content;
  std::optional<std::uint32_t> mode;
  std::optional<std::uint32_t> uid, gid;
  bool dir = false;
  std::string symlink;  // non-empty: a symlink to this target
  // non-empty: the content is this file's (`copy:` in the YAML, relative to the directory of the
  // file that holds the fixture; for binary content such as an RPM database).
  std::string copy;
};

struct Check {
  std::string id;
  std::string title;
  std::string description;
  std::string rationale;
  std::string remediation;
  std::string remediation_command;  // "" when no command is safe to give
  Level level = Level::kMedium;
  std::vector<std::string> references;
  std::optional<Node> applies_to;
  Node condition;
  std::string file;
  int line = 0;
  // Self-test fixtures (tests: pass/fail): roots on which the check must pass and must fail.
  std::vector<std::vector<FixtureFile>> pass_fixtures, fail_fixtures;
  // tests: skip: why fixtures cannot exercise the check (a command probe runs only on a live host).
  std::string test_skip;
};

struct Policy {
  std::string id;
  std::string name;
  std::string description;
  std::string file;
  std::optional<Node> applies_to;
  std::vector<Check> checks;
};

// One problem found while loading a policy. `code` is stable (docs/baseline.md): yaml_syntax,
// not_a_map, not_a_list, not_a_scalar, unknown_key, missing_key, duplicate_id, bad_id, bad_level,
// bad_value, bad_regex, bad_op, bad_mode, bad_duration, bad_probe, bad_condition, bad_fixture,
// unknown_check.
struct PolicyProblem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string check_id;  // "" outside a check
  std::string code;
  std::string message;
  std::string ToString() const;  // "file:line:column: [check id] code: message"
};

// Parses a policy from YAML text; `file` names it in messages. On any problem returns
// kInvalidArgument (message: every problem, one per line) and appends each to `problems` when
// non-null.
Result<Policy> ParsePolicy(std::string_view yaml, std::string_view file,
                           std::vector<PolicyProblem>* problems = nullptr);
// Attaches fixture tests kept beside a policy (tests/testdata/baseline/<policy file
// stem>.tests.yaml): a map `tests:` of check id -> {pass, fail, skip}, each as a check's inline
// `tests:`. A check id the policy does not have is a problem (unknown_check). Errors as
// ParsePolicy.
Status ParsePolicyTests(std::string_view yaml, std::string_view file, Policy* policy,
                        std::vector<PolicyProblem>* problems = nullptr);

// Reads (at most 4 MiB) and parses a policy file.
Result<Policy> LoadPolicyFile(const std::string& path,
                              std::vector<PolicyProblem>* problems = nullptr);

}  // namespace rampart::agent::baseline
