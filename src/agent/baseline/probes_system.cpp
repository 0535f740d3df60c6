// Probes of the system's state: kernel parameters, kernel modules, packages, systemd units, mounts,
// listening ports and the OS identity.
#include <algorithm>

#include "agent/baseline/probes.h"
#include "agent/vuln/version.h"
#include "common/strings.h"

namespace rampart::agent::baseline {
namespace {

std::string NormalizeSpaces(std::string_view s) {
  std::string out;
  for (auto w : SplitWhitespace(s)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string ModName(std::string_view s) {
  std::string n(s);
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

}  // namespace

Outcome ProbeSysctl(HostFacts& f, const Probe& p) {
  const auto& cmp = *p.cmp;
  auto judge = [&](const std::string& value, const std::string& where) {
    const bool ok = cmp.Holds(value);
    return Outcome{
        ok ? Truth::kTrue : Truth::kFalse,
        {where + ": " + p.key + " = " + value + (ok ? "" : " (expected " + cmp.Describe() + ")")}};
  };
  if (f.host().is_live()) {
    std::string path = "/proc/sys/" + p.key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    auto v = f.host().ReadFile(path, 64 << 10);
    if (!v) {
      if (v.status().code() == Code::kNotFound) {
        return Outcome::Na(p.key + " does not exist in this kernel");
      }
      return Outcome::Error(path + ": " + v.status().message());
    }
    return judge(NormalizeSpaces(*v), "running kernel");
  }
  const auto& conf = f.SysctlConfig();
  if (auto it = conf.find(p.key); it != conf.end()) {
    return judge(NormalizeSpaces(it->second.value), it->second.where);
  }
  if (p.dflt) return judge(*p.dflt, "not configured; kernel default");
  return Outcome::False(p.key + " is not set in /etc/sysctl.conf or sysctl.d (expected " +
                        cmp.Describe() + ")");
}

Outcome ProbeKernelModule(HostFacts& f, const Probe& p) {
  const std::string name = ModName(p.name);
  const auto& loaded = f.LoadedModules();
  const bool is_loaded = loaded && loaded->count(name);
  if (p.state == "loaded" || p.state == "not_loaded") {
    if (!loaded) return Outcome::Na("loaded modules are known only on a live host");
    const bool want = p.state == "loaded";
    return {is_loaded == want ? Truth::kTrue : Truth::kFalse,
            {name + (is_loaded ? " is loaded" : " is not loaded")}};
  }
  // disabled: not loaded, and cannot be loaded (install to true/false, or not available)
  if (is_loaded) return Outcome::False(name + " is loaded");
  if (f.BuiltinModules().count(name)) {
    return Outcome::False(name + " is built into the kernel and cannot be disabled");
  }
  const auto& rules = f.Modprobe();
  if (auto it = rules.install.find(name); it != rules.install.end()) {
    const std::string cmd = it->second.value;
    static const std::regex kFalse(R"(^(/usr)?/bin/(true|false)\b)");
    if (std::regex_search(cmd, kFalse)) {
      return Outcome::True(it->second.where + ": install " + name + " " + cmd);
    }
  }
  if (f.ModulesKnown() && !f.AvailableModules().count(name)) {
    return Outcome::True(name + " is not available in the installed kernel(s)");
  }
  std::string why = name + " can be loaded: no 'install " + name + " /bin/false' in modprobe.d";
  if (auto it = rules.blacklist.find(name); it != rules.blacklist.end()) {
    why += " (blacklisted at " + it->second.where + ", which stops only automatic loading)";
  }
  return Outcome::False(why);
}

Outcome ProbePackage(HostFacts& f, const Probe& p) {
  std::vector<const SoftwarePackage*> hits;
  for (const auto& pkg : f.Packages()) {
    if (pkg.type != "deb" && pkg.type != "rpm" && pkg.type != "apk") continue;
    if (std::find(p.names.begin(), p.names.end(), pkg.name) != p.names.end()) hits.push_back(&pkg);
  }
  const std::string names = Join(p.names, "|");
  const bool want_installed = p.installed.value_or(true);
  if (hits.empty()) {
    const std::string& problem = f.PackageDbProblem();
    if (StartsWith(problem, "no package database")) return Outcome::Na(problem);
    if (!problem.empty()) return Outcome::Error(problem);
    return {want_installed ? Truth::kFalse : Truth::kTrue, {names + " not installed"}};
  }
  const SoftwarePackage& pkg = *hits.front();
  const std::string desc = pkg.name + " " + pkg.version + " installed";
  if (!want_installed) return Outcome::False(desc);
  if (!p.cmp) return Outcome::True(desc);
  auto eco = vuln::ParseEcosystem(pkg.type);
  if (!eco) return Outcome::Error(eco.status().message());
  auto c = vuln::CompareVersions(*eco, pkg.version, p.cmp->value);
  if (!c) return Outcome::Error(desc + ": " + c.status().message());
  bool ok = false;
  switch (p.cmp->op) {
    case Op::kEq:
      ok = *c == 0;
      break;
    case Op::kNe:
      ok = *c != 0;
      break;
    case Op::kLt:
      ok = *c < 0;
      break;
    case Op::kLe:
      ok = *c <= 0;
      break;
    case Op::kGt:
      ok = *c > 0;
      break;
    default:
      ok = *c >= 0;
  }
  return {ok ? Truth::kTrue : Truth::kFalse,
          {desc + (ok ? "" : " (expected version " + p.cmp->Describe() + ")")}};
}

Outcome ProbeSystemdUnit(HostFacts& f, const Probe& p) {
  std::vector<std::string> ev;
  bool any_enabled = false;
  bool any_active = false;
  bool any_unit = false;
  std::string enabled_name;
  for (const auto& name : p.names) {
    auto unit = f.Units().Load(name);
    if (!unit) continue;
    any_unit = true;
    const bool en = unit->enabled && !unit->masked;
    if (en && !any_enabled) enabled_name = name;
    any_enabled = any_enabled || en;
    ev.push_back(name +
                 (unit->masked ? " masked"
                  : en         ? " enabled"
                               : " disabled") +
                 " (" + unit->path + ")");
  }
  if (!any_unit) ev.push_back(Join(p.names, "|") + ": no such unit");
  if (p.enabled && *p.enabled != any_enabled) return {Truth::kFalse, ev};
  if (p.active) {
    const auto& states = f.ActiveStates();
    if (!states) {
      if (p.enabled) return {Truth::kTrue, ev};  // the enabled part holds; active is unknowable
      return Outcome::Na("unit activity is known only on a live host running systemd");
    }
    for (const auto& name : p.names) {
      auto it = states->find(name);
      if (it != states->end()) {
        ev.push_back(name + " " + it->second);
        any_active = any_active || it->second == "active";
      }
    }
    if (*p.active != any_active) return {Truth::kFalse, ev};
  }
  return {Truth::kTrue, ev};
}

Outcome ProbeMount(HostFacts& f, const Probe& p) {
  const MountEntry* entry = nullptr;
  for (const auto& m : f.Mounts()) {
    if (m.mount == p.name) entry = &m;  // the last mount on a path is the visible one
  }
  const char* source = f.host().is_live() ? "/proc/self/mounts" : "/etc/fstab";
  if (!entry) {
    if (p.mount_required)
      return Outcome::False(p.name + " is not a separate mount (" + source + ")");
    return Outcome::Na(p.name + " is not a separate mount (" + source + ")");
  }
  std::set<std::string> have;
  for (auto o : Split(entry->options, ',')) have.insert(std::string(o));
  std::vector<std::string> missing;
  for (const auto& o : p.options) {
    if (!have.count(o)) missing.push_back(o);
  }
  const std::string desc = std::string(source) + ": " + entry->device + " " + entry->mount + " " +
                           entry->fs_type + " " + entry->options;
  if (!missing.empty()) return Outcome::False(desc + " (missing " + Join(missing, ",") + ")");
  return Outcome::True(desc);
}

Outcome ProbePort(HostFacts& f, const Probe& p) {
  if (!f.host().is_live()) return Outcome::Na("listening ports are known only on a live host");
  std::vector<std::string> hits;
  for (const auto& row : f.Ports()) {
    if (row.proto != p.proto || row.port != p.port) continue;
    const bool loopback = StartsWith(row.bind_ip, "127.") || row.bind_ip == "::1";
    if (p.non_loopback && loopback) continue;
    hits.push_back(row.proto + " " + row.bind_ip + ":" + std::to_string(row.port) +
                   (row.process.empty() ? "" : " (" + row.process + ")"));
  }
  const bool listening = !hits.empty();
  if (hits.empty()) hits.push_back(p.proto + "/" + std::to_string(p.port) + " not listening");
  return {listening == *p.listening ? Truth::kTrue : Truth::kFalse, hits};
}

Outcome ProbeOs(HostFacts& f, const Probe& p) {
  const auto& ids = f.OsIds();
  const std::string desc =
      "os " + (ids.empty() ? std::string("unknown") : Join(ids, "/")) + " " + f.OsVersion();
  const bool id_ok = std::any_of(p.names.begin(), p.names.end(), [&](const std::string& n) {
    return std::find(ids.begin(), ids.end(), ToLower(n)) != ids.end();
  });
  if (!id_ok) return Outcome::False(desc);
  if (p.cmp && !p.cmp->Holds(f.OsVersion())) {
    return Outcome::False(desc + " (expected version " + p.cmp->Describe() + ")");
  }
  return Outcome::True(desc);
}

}  // namespace rampart::agent::baseline
