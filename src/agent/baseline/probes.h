#pragma once
// Internal to the evaluator: the three-valued outcome of a probe and the cached facts of one host.
// Probe implementations are split by theme (probes_files.cpp, probes_system.cpp, probes_auth.cpp).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/baseline/evaluator.h"
#include "agent/baseline/sshd_config.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/ports.h"
#include "agent/collectors/proc_parsers.h"
#include "agent/collectors/shadow.h"
#include "agent/collectors/software.h"
#include "agent/collectors/systemd_scan.h"

namespace rampart::agent::baseline {

enum class Truth { kTrue, kFalse, kNotApplicable, kError };

struct Outcome {
  Truth truth = Truth::kError;
  std::vector<std::string> evidence;
  static Outcome True(std::string e) { return {Truth::kTrue, {std::move(e)}}; }
  static Outcome False(std::string e) { return {Truth::kFalse, {std::move(e)}}; }
  static Outcome Na(std::string e) { return {Truth::kNotApplicable, {std::move(e)}}; }
  static Outcome Error(std::string e) { return {Truth::kError, {std::move(e)}}; }
};

// "a, b, c and 7 more"
std::string ListSome(const std::vector<std::string>& items, std::size_t max = 8);

class HostFacts {
 public:
  HostFacts(const HostView& host, EvaluatorOptions options)
      : host_(host), options_(std::move(options)) {}

  const HostView& host() const { return host_; }
  const EvaluatorOptions& options() const { return options_; }

  // os-release: ID, ID_LIKE words, VERSION_ID.
  const std::vector<std::string>& OsIds();
  const std::string& OsVersion();
  const std::vector<SoftwarePackage>& Packages();
  // Why package answers cannot be trusted: no package database at all, or an RPM database that
  // could not be read; "" when one was read.
  const std::string& PackageDbProblem();
  const SystemdUnitIndex& Units();
  const std::optional<std::map<std::string, std::string>>& ActiveStates();
  struct Setting {
    std::string value;
    std::string where;  // file:line
  };
  const std::map<std::string, Setting>& SysctlConfig();         // key (dotted) -> last assignment
  const std::optional<std::set<std::string>>& LoadedModules();  // live only
  struct ModprobeRules {
    std::map<std::string, Setting> install;    // module -> install command
    std::map<std::string, Setting> blacklist;  // module -> where
  };
  const ModprobeRules& Modprobe();
  // Module names available in the kernel(s) (modules.dep) and built in (modules.builtin); empty
  // when /lib/modules has nothing readable.
  const std::set<std::string>& AvailableModules();
  const std::set<std::string>& BuiltinModules();
  bool ModulesKnown();
  const std::vector<MountEntry>& Mounts();  // /proc/self/mounts live, /etc/fstab otherwise
  const std::vector<PasswdEntry>& Passwd();
  const std::vector<GroupEntry>& Groups();
  const std::optional<std::vector<ShadowEntry>>& Shadow();
  const std::vector<PortRow>& Ports();
  // sshd_config parsed (nullopt when absent).
  const std::optional<SshdConfig>& Sshd();
  // `sshd -T` on a live host, when commands are allowed and sshd is installed in a root-owned
  // path. `values` unset: not run or failed; `note` then says why when it matters (it failed).
  struct SshdTest {
    std::optional<std::map<std::string, std::string>> values;
    std::string note;
  };
  const SshdTest& SshdEffective();
  std::optional<std::uint32_t> UserId(const std::string& name_or_number);
  std::optional<std::uint32_t> GroupId(const std::string& name_or_number);

 private:
  const HostView& host_;
  EvaluatorOptions options_;
  std::optional<std::vector<std::string>> os_ids_;
  std::string os_version_;
  std::optional<std::vector<SoftwarePackage>> packages_;
  std::string package_db_problem_;
  std::unique_ptr<SystemdUnitIndex> units_;
  bool active_read_ = false;
  std::optional<std::map<std::string, std::string>> active_;
  std::optional<std::map<std::string, Setting>> sysctl_;
  bool loaded_read_ = false;
  std::optional<std::set<std::string>> loaded_;
  std::optional<ModprobeRules> modprobe_;
  bool modules_read_ = false;
  std::set<std::string> available_, builtin_;
  std::optional<std::vector<MountEntry>> mounts_;
  std::optional<std::vector<PasswdEntry>> passwd_;
  std::optional<std::vector<GroupEntry>> groups_;
  bool shadow_read_ = false;
  std::optional<std::vector<ShadowEntry>> shadow_;
  std::optional<std::vector<PortRow>> ports_;
  bool sshd_read_ = false;
  std::optional<SshdConfig> sshd_;
  std::optional<SshdTest> sshd_test_;
};

// The probe implementations.
Outcome ProbeFile(HostFacts& f, const Probe& p);
Outcome ProbeFileContent(HostFacts& f, const Probe& p);
Outcome ProbeConfigValue(HostFacts& f, const Probe& p);
Outcome ProbeDirScan(HostFacts& f, const Probe& p);
Outcome ProbeCommand(HostFacts& f, const Probe& p);
Outcome ProbeSysctl(HostFacts& f, const Probe& p);
Outcome ProbeKernelModule(HostFacts& f, const Probe& p);
Outcome ProbePackage(HostFacts& f, const Probe& p);
Outcome ProbeSystemdUnit(HostFacts& f, const Probe& p);
Outcome ProbeMount(HostFacts& f, const Probe& p);
Outcome ProbePort(HostFacts& f, const Probe& p);
Outcome ProbeOs(HostFacts& f, const Probe& p);
Outcome ProbeAccounts(HostFacts& f, const Probe& p);
Outcome ProbeSshd(HostFacts& f, const Probe& p);
Outcome ProbePam(HostFacts& f, const Probe& p);
Outcome ProbeWeakPasswords(HostFacts& f, const Probe& p);
Outcome ProbeServiceAuth(HostFacts& f, const Probe& p);

// Expands globs in `paths` (a path without wildcards stays as is, existing or not), de-duplicated,
// in the order given (each glob's matches sorted).
std::vector<std::string> ExpandPaths(const HostView& host, const std::vector<std::string>& paths);

// Checks that a program may be run: absolute, a regular file, and it and every directory above it
// owned by root and writable by no one else. Returns "" when safe, else the reason.
std::string UnsafeExecutable(const std::string& path);

}  // namespace rampart::agent::baseline
