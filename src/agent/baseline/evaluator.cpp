#include "agent/baseline/evaluator.h"

#include <unistd.h>

#include <algorithm>

#include "agent/baseline/probes.h"
#include "agent/baseline/sshd_effective.h"
#include "agent/collectors/host.h"
#include "agent/collectors/software_apk.h"
#include "agent/collectors/software_dpkg.h"
#include "agent/collectors/software_rpm.h"
#include "agent/collectors/systemctl_query.h"
#include "common/strings.h"

namespace rampart::agent::baseline {

const char* CheckStatusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kNotApplicable:
      return "not_applicable";
    case CheckStatus::kError:
      return "error";
  }
  return "error";
}

std::string ListSome(const std::vector<std::string>& items, std::size_t max) {
  std::vector<std::string> head(
      items.begin(), items.begin() + static_cast<std::ptrdiff_t>(std::min(max, items.size())));
  std::string s = Join(head, "; ");
  if (items.size() > max) s += "; and " + std::to_string(items.size() - max) + " more";
  return s;
}

// ---- host facts -------------------------------------------------------------------------------

const std::vector<std::string>& HostFacts::OsIds() {
  if (!os_ids_) {
    os_ids_.emplace();
    std::string text;
    for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
      if (auto t = host_.ReadFile(path, 64 << 10)) {
        text = std::move(*t);
        break;
      }
    }
    const auto kvs = ParseKeyValueLines(text);
    if (auto id = FindValue(kvs, "ID")) os_ids_->push_back(ToLower(*id));
    if (auto like = FindValue(kvs, "ID_LIKE")) {
      for (auto w : SplitWhitespace(*like)) os_ids_->push_back(ToLower(w));
    }
    if (auto v = FindValue(kvs, "VERSION_ID")) os_version_ = *v;
    if (os_ids_->empty()) {
      const OsInfo os = ReadOsInfo(host_);  // legacy release files
      if (!os.id.empty()) os_ids_->push_back(os.id);
      os_version_ = os.version;
    }
  }
  return *os_ids_;
}

const std::string& HostFacts::OsVersion() {
  OsIds();
  return os_version_;
}

const std::vector<SoftwarePackage>& HostFacts::Packages() {
  if (!packages_) {
    packages_ = ReadDpkgPackages(host_);
    const bool dpkg = host_.Exists("/var/lib/dpkg/status");
    const auto rpmdb = FindRpmDb(host_);
    std::size_t rpms = 0;
    for (auto& p : ReadRpmPackages(host_)) {
      packages_->push_back(std::move(p));
      ++rpms;
    }
    const bool apk = host_.Exists("/lib/apk/db/installed");
    for (auto& p : ReadApkPackages(host_)) packages_->push_back(std::move(p));
    // "not installed" is an answer only where a package database was read.
    if (!dpkg && !rpmdb && !apk) {
      package_db_problem_ = "no package database (dpkg status, RPM database or apk installed)";
    } else if (rpmdb && rpms == 0 && !dpkg && !apk) {
      // Every RPM system has packages; an empty result is a database librpm could not read.
      package_db_problem_ = "the RPM database " + rpmdb->file + " could not be read";
    }
  }
  return *packages_;
}

const std::string& HostFacts::PackageDbProblem() {
  (void)Packages();
  return package_db_problem_;
}

const SystemdUnitIndex& HostFacts::Units() {
  if (!units_) units_ = std::make_unique<SystemdUnitIndex>(host_);
  return *units_;
}

const std::optional<std::map<std::string, std::string>>& HostFacts::ActiveStates() {
  if (!active_read_) {
    active_read_ = true;
    if (host_.is_live() && options_.allow_commands) active_ = QuerySystemdActiveStates(host_);
  }
  return active_;
}

const std::map<std::string, HostFacts::Setting>& HostFacts::SysctlConfig() {
  if (sysctl_) return *sysctl_;
  sysctl_.emplace();
  // systemd-sysctl order: *.conf from these directories, a name in an earlier directory hiding the
  // same name in later ones, applied in name order; /etc/sysctl.conf last.
  std::map<std::string, std::string> by_name;
  for (const char* dir : {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
                          "/usr/lib/sysctl.d", "/lib/sysctl.d"}) {
    auto names = host_.ListDir(dir);
    if (!names) continue;
    for (const auto& n : *names) {
      if (EndsWith(n, ".conf") && !by_name.count(n)) by_name[n] = std::string(dir) + "/" + n;
    }
  }
  std::vector<std::string> files;
  for (const auto& [n, path] : by_name) files.push_back(path);
  files.push_back("/etc/sysctl.conf");
  for (const auto& path : files) {
    int line_no = 0;
    (void)host_.ForEachLine(path, [&](std::string_view raw) {
      ++line_no;
      std::string_view line = TrimView(raw);
      if (line.empty() || line[0] == '#' || line[0] == ';') return true;
      if (line[0] == '-') line.remove_prefix(1);  // "-key = v": ignore errors when applying
      const auto eq = line.find('=');
      if (eq == std::string_view::npos) return true;
      std::string key(TrimView(line.substr(0, eq)));
      std::replace(key.begin(), key.end(), '/', '.');
      (*sysctl_)[key] = {std::string(TrimView(line.substr(eq + 1))),
                         path + ":" + std::to_string(line_no)};
      return true;
    });
  }
  return *sysctl_;
}

const std::optional<std::set<std::string>>& HostFacts::LoadedModules() {
  if (!loaded_read_) {
    loaded_read_ = true;
    if (host_.is_live()) {
      if (auto text = host_.ReadFile("/proc/modules")) {
        loaded_.emplace();
        ForEachLineOf(*text, [&](std::string_view line) {
          const auto sp = line.find(' ');
          if (sp != std::string_view::npos) loaded_->insert(std::string(line.substr(0, sp)));
        });
      }
    }
  }
  return loaded_;
}

namespace {
std::string ModName(std::string_view s) {
  std::string n(s);
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}
}  // namespace

const HostFacts::ModprobeRules& HostFacts::Modprobe() {
  if (modprobe_) return *modprobe_;
  modprobe_.emplace();
  std::map<std::string, std::string> by_name;
  for (const char* dir : {"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                          "/lib/modprobe.d", "/usr/lib/modprobe.d"}) {
    auto names = host_.ListDir(dir);
    if (!names) continue;
    for (const auto& n : *names) {
      if (EndsWith(n, ".conf") && !by_name.count(n)) by_name[n] = std::string(dir) + "/" + n;
    }
  }
  for (const auto& [n, path] : by_name) {
    int line_no = 0;
    (void)host_.ForEachLine(path, [&](std::string_view raw) {
      ++line_no;
      const auto w = SplitWhitespace(TrimView(raw));
      if (w.size() < 2 || w[0].front() == '#') return true;
      const std::string where = path + ":" + std::to_string(line_no);
      if (w[0] == "install" && w.size() >= 3) {
        std::vector<std::string> rest(w.begin() + 2, w.end());
        modprobe_->install[ModName(w[1])] = {Join(rest, " "), where};
      } else if (w[0] == "blacklist") {
        modprobe_->blacklist[ModName(w[1])] = {"blacklist", where};
      }
      return true;
    });
  }
  return *modprobe_;
}

void ReadModuleLists(const HostView& host, std::set<std::string>* available,
                     std::set<std::string>* builtin, bool live) {
  std::vector<std::string> releases;
  if (live) {
    if (auto r = host.ReadFile("/proc/sys/kernel/osrelease")) releases.push_back(Trim(*r));
  } else if (auto names = host.ListDir("/lib/modules")) {
    releases = *names;
  }
  auto base = [](std::string_view path) {
    const auto slash = path.rfind('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto ko = name.find(".ko");
    return ModName(name.substr(0, ko));
  };
  for (const auto& rel : releases) {
    const std::string dir = "/lib/modules/" + rel;
    (void)host.ForEachLine(dir + "/modules.dep", [&](std::string_view line) {
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) available->insert(base(line.substr(0, colon)));
      return true;
    });
    (void)host.ForEachLine(dir + "/modules.builtin", [&](std::string_view line) {
      if (!TrimView(line).empty()) builtin->insert(base(TrimView(line)));
      return true;
    });
  }
}

const std::set<std::string>& HostFacts::AvailableModules() {
  ModulesKnown();
  return available_;
}
const std::set<std::string>& HostFacts::BuiltinModules() {
  ModulesKnown();
  return builtin_;
}
bool HostFacts::ModulesKnown() {
  if (!modules_read_) {
    modules_read_ = true;
    ReadModuleLists(host_, &available_, &builtin_, host_.is_live());
  }
  return !available_.empty() || !builtin_.empty();
}

const std::vector<MountEntry>& HostFacts::Mounts() {
  if (!mounts_) {
    auto text = host_.ReadFile(host_.is_live() ? "/proc/self/mounts" : "/etc/fstab", 4 << 20);
    mounts_ = text ? ParseMounts(*text) : std::vector<MountEntry>{};
  }
  return *mounts_;
}

const std::vector<PasswdEntry>& HostFacts::Passwd() {
  if (!passwd_) passwd_ = ReadPasswd(host_);
  return *passwd_;
}
const std::vector<GroupEntry>& HostFacts::Groups() {
  if (!groups_) groups_ = ReadGroup(host_);
  return *groups_;
}
const std::optional<std::vector<ShadowEntry>>& HostFacts::Shadow() {
  if (!shadow_read_) {
    shadow_read_ = true;
    shadow_ = ReadShadow(host_);
  }
  return shadow_;
}
const std::vector<PortRow>& HostFacts::Ports() {
  if (!ports_) ports_ = ReadListeningPorts(host_);
  return *ports_;
}

const std::optional<SshdConfig>& HostFacts::Sshd() {
  if (sshd_read_) return sshd_;
  sshd_read_ = true;
  auto text = host_.ReadFile("/etc/ssh/sshd_config", 1 << 20);
  if (!text) return sshd_;
  std::size_t budget = 256;  // included files at most
  sshd_ = ParseSshdConfig(*text, "/etc/ssh/sshd_config", [&](const std::string& pattern) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& path : host_.Glob(pattern)) {
      if (budget == 0) break;
      --budget;
      if (auto t = host_.ReadFile(path, 1 << 20)) out.emplace_back(path, std::move(*t));
    }
    return out;
  });
  return sshd_;
}

const HostFacts::SshdTest& HostFacts::SshdEffective() {
  if (sshd_test_) return *sshd_test_;
  sshd_test_.emplace();
  // Only this machine's sshd describes this machine, and only policies allowed to run programs
  // (shipped ones) run it.
  if (!host_.is_live() || !options_.allow_commands) return *sshd_test_;
  // sshd -T loads the host keys, which only root can read: without root the files answer, as
  // they do under --root (the evidence names file:line or "default" either way).
  if (::geteuid() != 0) return *sshd_test_;
  const std::string unsafe = UnsafeExecutable(kSshdProgram);
  if (!unsafe.empty()) {
    if (!EndsWith(unsafe, "is not installed")) {
      sshd_test_->note = std::string("sshd -T not run (") + unsafe + "); values from the files";
    }
    return *sshd_test_;
  }
  auto values = RunSshdTest(kSshdProgram, "", "");
  if (values.ok()) {
    sshd_test_->values = std::move(*values);
  } else {
    sshd_test_->note = std::string(kSshdProgram) + " -T failed (" + values.status().message() +
                       "); values from the files";
  }
  return *sshd_test_;
}

std::optional<std::uint32_t> HostFacts::UserId(const std::string& s) {
  if (auto n = ParseInt<std::uint32_t>(s)) return n;
  for (const auto& e : Passwd()) {
    if (e.name == s) return e.uid;
  }
  if (s == "root") return 0;  // uid 0 is root by definition, even with a damaged passwd
  return std::nullopt;
}
std::optional<std::uint32_t> HostFacts::GroupId(const std::string& s) {
  if (auto n = ParseInt<std::uint32_t>(s)) return n;
  for (const auto& g : Groups()) {
    if (g.name == s) return g.gid;
  }
  if (s == "root") return 0;
  return std::nullopt;
}

// ---- the condition tree -----------------------------------------------------------------------

namespace {

Outcome RunProbe(HostFacts& f, const Probe& p) {
  switch (p.kind) {
    case ProbeKind::kFile:
      return ProbeFile(f, p);
    case ProbeKind::kFileContent:
      return ProbeFileContent(f, p);
    case ProbeKind::kConfigValue:
      return ProbeConfigValue(f, p);
    case ProbeKind::kDirScan:
      return ProbeDirScan(f, p);
    case ProbeKind::kCommand:
      return ProbeCommand(f, p);
    case ProbeKind::kSysctl:
      return ProbeSysctl(f, p);
    case ProbeKind::kKernelModule:
      return ProbeKernelModule(f, p);
    case ProbeKind::kPackage:
      return ProbePackage(f, p);
    case ProbeKind::kSystemdUnit:
      return ProbeSystemdUnit(f, p);
    case ProbeKind::kMount:
      return ProbeMount(f, p);
    case ProbeKind::kAccounts:
      return ProbeAccounts(f, p);
    case ProbeKind::kSshd:
      return ProbeSshd(f, p);
    case ProbeKind::kPam:
      return ProbePam(f, p);
    case ProbeKind::kPort:
      return ProbePort(f, p);
    case ProbeKind::kWeakPasswords:
      return ProbeWeakPasswords(f, p);
    case ProbeKind::kServiceAuth:
      return ProbeServiceAuth(f, p);
    case ProbeKind::kOs:
      return ProbeOs(f, p);
  }
  return Outcome::Error("unknown probe");
}

void Append(std::vector<std::string>* to, const std::vector<std::string>& from) {
  to->insert(to->end(), from.begin(), from.end());
}

Outcome EvalNode(HostFacts& f, const Node& n) {
  if (n.kind == Node::Kind::kProbe) return RunProbe(f, *n.probe);
  std::vector<Outcome> kids;
  kids.reserve(n.children.size());
  for (const auto& c : n.children) {
    kids.push_back(EvalNode(f, c));
    // all: the first false decides; any/none: the first true decides.
    const Truth t = kids.back().truth;
    if ((n.kind == Node::Kind::kAll && t == Truth::kFalse) ||
        (n.kind != Node::Kind::kAll && t == Truth::kTrue)) {
      break;
    }
  }
  auto collect = [&](Truth t) {
    Outcome o{t, {}};
    for (const auto& k : kids) {
      if (k.truth == t) Append(&o.evidence, k.evidence);
    }
    return o;
  };
  auto has = [&](Truth t) {
    return std::any_of(kids.begin(), kids.end(), [&](const Outcome& o) { return o.truth == t; });
  };
  Outcome r;
  if (n.kind == Node::Kind::kAll) {
    if (has(Truth::kFalse)) return collect(Truth::kFalse);
    if (has(Truth::kError)) return collect(Truth::kError);
    if (!has(Truth::kTrue)) return collect(Truth::kNotApplicable);
    return collect(Truth::kTrue);
  }
  if (has(Truth::kTrue)) {
    r = collect(Truth::kTrue);
  } else if (has(Truth::kError)) {
    return collect(Truth::kError);
  } else if (!has(Truth::kFalse)) {
    return collect(Truth::kNotApplicable);
  } else {
    r = collect(Truth::kFalse);
  }
  if (n.kind == Node::Kind::kNone) {
    r.truth = r.truth == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
  }
  return r;
}

std::string Evidence(const Outcome& o) { return ListSome(o.evidence, 12); }

}  // namespace

Evaluator::Evaluator(const HostView& host, EvaluatorOptions options)
    : facts_(std::make_unique<HostFacts>(host, std::move(options))) {}
Evaluator::~Evaluator() = default;

CheckResult Evaluator::PolicyApplies(const Policy& policy) {
  if (!policy.applies_to) return {CheckStatus::kPass, ""};
  const Outcome o = EvalNode(*facts_, *policy.applies_to);
  if (o.truth == Truth::kTrue) return {CheckStatus::kPass, Evidence(o)};
  if (o.truth == Truth::kError) return {CheckStatus::kError, Evidence(o)};
  return {CheckStatus::kNotApplicable, "policy does not apply: " + Evidence(o)};
}

CheckResult Evaluator::Evaluate(const Check& check) {
  if (check.applies_to) {
    const Outcome a = EvalNode(*facts_, *check.applies_to);
    if (a.truth == Truth::kError) return {CheckStatus::kError, Evidence(a)};
    if (a.truth != Truth::kTrue) {
      return {CheckStatus::kNotApplicable, "does not apply: " + Evidence(a)};
    }
  }
  const Outcome o = EvalNode(*facts_, check.condition);
  switch (o.truth) {
    case Truth::kTrue:
      return {CheckStatus::kPass, Evidence(o)};
    case Truth::kFalse:
      return {CheckStatus::kFail, Evidence(o)};
    case Truth::kNotApplicable:
      return {CheckStatus::kNotApplicable, Evidence(o)};
    case Truth::kError:
      return {CheckStatus::kError, Evidence(o)};
  }
  return {CheckStatus::kError, "unreachable"};
}

int Score(const std::vector<CheckStatus>& statuses) {
  int pass = 0;
  int fail = 0;
  for (auto s : statuses) {
    pass += s == CheckStatus::kPass;
    fail += s == CheckStatus::kFail;
  }
  if (pass + fail == 0) return 100;
  return (pass * 100) / (pass + fail);
}

}  // namespace rampart::agent::baseline
