#include "agent/vuln/matcher.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "agent/vuln/cvss.h"
#include "common/strings.h"

namespace rampart::agent::vuln {
namespace {

using Kind = RangeEvent::Kind;

std::string Key(std::string_view ecosystem, std::string_view name) {
  std::string key;
  key.reserve(ecosystem.size() + name.size() + 1);
  key.append(ecosystem).push_back('\0');
  key.append(name);
  return key;
}

// <0, 0, >0; an error (an invalid version) orders as "not comparable" and is reported as nullopt.
std::optional<int> Cmp(Ecosystem e, std::string_view a, std::string_view b) {
  auto r = CompareVersions(e, a, b);
  if (!r) return std::nullopt;
  return *r;
}

bool ValidVersion(Ecosystem e, std::string_view v) { return CompareVersions(e, v, v).ok(); }

// Debian tracker statuses that mean "affected, no fix in this release".
bool IsOpenStatus(std::string_view s) {
  return s == "open" || s == "undetermined" || s == "no-dsa" || s == "postponed" ||
         s == "ignored" || s == "end-of-life";
}

// The per-package severity when the feed gives one (the tracker's urgency for this release), else
// the advisory's, else the CVSS v3 band of its score.
Severity SeverityOf(const Advisory& a, const Affected& aff) {
  if (auto s = ParseSeverityWord(aff.severity)) return *s;
  if (a.severity != Severity::kUnknown) return a.severity;
  return SeverityFromV3Score(a.cvss_score);
}

}  // namespace

PreparedAffected PrepareAffected(const Advisory* advisory, const Affected& affected,
                                 Ecosystem comparator) {
  PreparedAffected p;
  p.advisory = advisory;
  p.affected = &affected;
  p.comparator = comparator;
  for (const Range& r : affected.ranges) {
    if (r.type == Range::Type::kGit) continue;
    PreparedRange pr;
    pr.comparator = r.type == Range::Type::kSemver ? Ecosystem::kSemver : comparator;
    for (const RangeEvent& e : r.events) {
      const bool zero = e.kind == Kind::kIntroduced && e.version == "0";
      if (!zero && !ValidVersion(pr.comparator, e.version)) pr.valid = false;
      if (e.kind == Kind::kLimit) {
        pr.limits.push_back(&e.version);
      } else {
        pr.events.push_back({e.kind, &e.version, zero});
      }
    }
    if (pr.valid) {
      const Ecosystem c = pr.comparator;
      std::stable_sort(pr.events.begin(), pr.events.end(),
                       [c](const PreparedRange::Event& a, const PreparedRange::Event& b) {
                         if (a.zero || b.zero) return a.zero && !b.zero;
                         return Cmp(c, *a.version, *b.version).value_or(0) < 0;
                       });
    } else {
      p.invalid = true;
    }
    p.ranges.push_back(std::move(pr));
  }
  return p;
}

Verdict Evaluate(const PreparedAffected& p, std::string_view version) {
  Verdict out;
  bool evaluable = false;
  for (const PreparedRange& r : p.ranges) {
    if (!r.valid) continue;
    evaluable = evaluable || !r.events.empty();
    if (!r.limits.empty()) {
      bool below = false;
      for (const std::string* l : r.limits)
        below = below || Cmp(r.comparator, version, *l).value_or(0) < 0;
      if (!below) continue;
    }
    bool vulnerable = false;
    std::size_t i = 0;
    for (; i < r.events.size(); ++i) {
      const auto& e = r.events[i];
      if (e.zero) {
        vulnerable = true;
        continue;
      }
      const auto c = Cmp(r.comparator, *e.version, version);
      if (!c) return {};  // the installed version is not a version of this ecosystem
      if (*c > 0) break;  // sorted: no later event is <= version
      if (e.kind == Kind::kIntroduced) vulnerable = true;
      if (e.kind == Kind::kFixed) vulnerable = false;
      if (e.kind == Kind::kLastAffected && *c < 0) vulnerable = false;
    }
    if (!vulnerable) continue;
    out.affected = true;
    for (; i < r.events.size(); ++i) {
      if (r.events[i].kind == Kind::kFixed) {
        out.fixed = *r.events[i].version;
        break;
      }
    }
    return out;
  }
  for (const std::string& v : p.affected->versions) {
    if (v == version) return {true, ""};
  }
  // A tracker entry that says "affected, no fix" without ranges: every version.
  if (!evaluable && p.affected->versions.empty() && IsOpenStatus(p.affected->status))
    return {true, ""};
  return out;
}

AdvisoryIndex AdvisoryIndex::Build(const std::vector<const Advisory*>& advisories) {
  AdvisoryIndex index;
  for (const Advisory* a : advisories) {
    if (a == nullptr || !a->withdrawn.empty()) continue;
    ++index.stats_.advisories;
    for (const Affected& aff : a->affected) {
      const std::string eco = IndexEcosystem(aff.ecosystem);
      const auto comparator = ComparatorFor(eco);
      if (!comparator) {
        ++index.stats_.unsupported;
        continue;
      }
      PreparedAffected p = PrepareAffected(a, aff, *comparator);
      for (const auto& r : p.ranges) index.stats_.invalid_ranges += r.valid ? 0 : 1;
      index.by_key_[Key(eco, NormalizePackageName(eco, aff.name))].push_back(std::move(p));
      ++index.stats_.entries;
    }
  }
  index.stats_.keys = index.by_key_.size();
  return index;
}

const std::vector<PreparedAffected>* AdvisoryIndex::Find(std::string_view ecosystem,
                                                         std::string_view name) const {
  auto it = by_key_.find(Key(ecosystem, name));
  return it == by_key_.end() ? nullptr : &it->second;
}

std::string FixCommand(std::string_view type, std::string_view package_manager,
                       const std::vector<std::string>& binaries, std::string_view fixed_version) {
  if (fixed_version.empty() || binaries.empty()) return "";
  std::string list;
  for (const auto& b : binaries) list += (list.empty() ? "" : " ") + b;
  if (type == "deb") return "apt-get install --only-upgrade " + list;
  if (type == "rpm")
    return std::string(package_manager == "yum" ? "yum update " : "dnf upgrade ") + list;
  if (type == "apk") return "apk upgrade " + list;
  if (type == "pypi")
    return "pip install '" + binaries.front() + ">=" + std::string(fixed_version) + "'";
  if (type == "npm") return "npm install -g " + binaries.front() + "@" + std::string(fixed_version);
  if (type == "go") return "go get " + binaries.front() + "@v" + std::string(fixed_version);
  return "upgrade " + binaries.front() + " to " + std::string(fixed_version);
}

namespace {

// Installed packages that share one lookup: (ecosystem, name, version).
struct Group {
  std::string ecosystem;
  std::string name;  // as matched (source name), before normalisation
  std::string version;
  std::string type;
  Ecosystem comparator = Ecosystem::kDeb;
  std::set<std::string> binaries;
  std::set<std::string> paths;  // language packages only
  bool kernel = false;
  bool running_kernel = false;
};

struct Match {
  const PreparedAffected* entry;
  std::string fixed;
};

bool OsManagedPython(const SoftwarePackage& p) {
  return StartsWith(p.path, "/usr/lib/python") || StartsWith(p.path, "/usr/lib64/python");
}

// Merges the matches of one group that share an id into findings.
void EmitFindings(const Group& g, std::vector<Match>& matches, const MatchTarget& target,
                  const std::vector<std::string>& meta_kernels, std::vector<Finding>& out) {
  const std::size_t n = matches.size();
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  auto root = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::map<std::string_view, std::size_t> owner;
  for (std::size_t i = 0; i < n; ++i) {
    const Advisory& a = *matches[i].entry->advisory;
    auto link = [&](std::string_view id) {
      auto [it, fresh] = owner.emplace(id, i);
      if (!fresh) parent[root(i)] = root(it->second);
    };
    link(a.id);
    for (const auto& alias : a.aliases) link(alias);
  }
  std::map<std::size_t, std::vector<const Match*>> components;
  for (std::size_t i = 0; i < n; ++i) components[root(i)].push_back(&matches[i]);

  for (auto& [unused, members] : components) {
    Finding f;
    f.package = g.name;
    f.binaries.assign(g.binaries.begin(), g.binaries.end());
    f.paths.assign(g.paths.begin(), g.paths.end());
    f.type = g.type;
    f.installed_version = g.version;
    f.ecosystem = g.ecosystem;
    const Advisory* primary = nullptr;
    std::set<std::string> other_ids;
    std::string tracker_status;
    bool unimportant = true;
    for (const Match* m : members) {
      const Advisory& a = *m->entry->advisory;
      const Affected& aff = *m->entry->affected;
      if (primary == nullptr || std::make_tuple(IdPreference(a.id), a.id) <
                                    std::make_tuple(IdPreference(primary->id), primary->id)) {
        primary = &a;
      }
      other_ids.insert(a.id);
      other_ids.insert(a.aliases.begin(), a.aliases.end());
      f.severity = std::max(f.severity, SeverityOf(a, aff));
      f.cvss_score = std::max(f.cvss_score, a.cvss_score);
      if (!m->fixed.empty() && (f.fixed_version.empty() ||
                                Cmp(g.comparator, m->fixed, f.fixed_version).value_or(0) > 0)) {
        f.fixed_version = m->fixed;
      }
      if (aff.status != "unimportant") unimportant = false;
      if (tracker_status.empty() && IsOpenStatus(aff.status) && aff.status != "open" &&
          aff.status != "undetermined") {
        tracker_status = aff.status;
      }
      for (const auto& ref : a.references) {
        if (std::find(f.references.begin(), f.references.end(), ref) == f.references.end()) {
          f.references.push_back(ref);
        }
      }
      if (!a.source.empty() &&
          std::find(f.sources.begin(), f.sources.end(), a.source) == f.sources.end()) {
        f.sources.push_back(a.source);
      }
    }
    f.id = primary->id;
    f.ids.push_back(f.id);
    for (const auto& id : other_ids) {
      if (id != f.id) f.ids.push_back(id);
    }
    f.summary = primary->summary;
    for (const Match* m : members) {
      if (!f.summary.empty()) break;
      f.summary = m->entry->advisory->summary;
    }
    if (f.summary.empty()) f.summary = primary->details.substr(0, primary->details.find('\n'));
    if (unimportant) {
      f.severity = Severity::kLow;
      f.labels.push_back("UNIMPORTANT");
    }
    if (!f.fixed_version.empty()) {
      f.status = "fixed_available";
    } else if (unimportant) {
      f.status = "unimportant";
    } else {
      f.status = tracker_status.empty() ? "unfixed" : tracker_status;
    }
    const std::string_view pm = target.os ? std::string_view(target.os->package_manager) : "";
    f.fix = FixCommand(g.type, pm, f.binaries, f.fixed_version);
    if (g.kernel && !target.kernel_release.empty()) {
      if (g.running_kernel) {
        f.labels.push_back("KERNEL_RUNNING");
        f.labels.push_back("NEED_REBOOT");
        if (g.type == "deb" && !f.fix.empty() && !meta_kernels.empty()) {
          // The fixed kernel comes as a new ABI-named package that the meta package pulls in.
          f.fix = FixCommand(g.type, pm, meta_kernels, f.fixed_version);
        }
        if (!f.fix.empty()) f.fix += " && reboot";
      } else {
        f.labels.push_back("KERNEL_NOT_RUNNING");
        std::vector<std::string> images;
        for (const auto& b : f.binaries) {
          if (IsKernelImagePackage(g.type, b)) images.push_back(b);
        }
        std::string list;
        for (const auto& b : images) list += " " + b;
        if (g.type == "deb") f.fix = "apt-get purge" + list;
        if (g.type == "rpm") f.fix = std::string(pm == "yum" ? "yum remove" : "dnf remove") + list;
        if (g.type == "apk") f.fix = "apk del" + list;
      }
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

std::vector<Finding> MatchHost(const AdvisoryIndex& index, const MatchTarget& target,
                               const MatchOptions& options, MatchStats* stats) {
  MatchStats local;
  MatchStats& st = stats != nullptr ? *stats : local;
  st = {};
  const bool has_os_packages = std::any_of(
      target.packages.begin(), target.packages.end(),
      [](const auto& p) { return p.type == "deb" || p.type == "rpm" || p.type == "apk"; });

  std::map<std::tuple<std::string, std::string, std::string>, Group> groups;
  std::vector<std::string> meta_kernels;
  for (const SoftwarePackage& p : target.packages) {
    ++st.packages;
    Group g;
    g.type = p.type;
    if (target.os && p.type == target.os->package_type) {
      g.ecosystem = target.os->ecosystem;
      g.comparator = target.os->comparator;
      const bool by_source = target.os->by_source && !p.source_name.empty();
      g.name = by_source ? p.source_name : p.name;
      // rpm: SOURCERPM's version has no epoch; the binary's EVR is the source's EVR.
      g.version = (by_source && p.type != "rpm" && !p.source_version.empty()) ? p.source_version
                                                                              : p.version;
      if (p.type == "deb") {
        if (auto kernel = KernelSourceOfSignedTemplate(p.source_name)) {
          g.name = std::move(*kernel);
          g.version = p.version;
        }
      }
      if (p.type == "deb" && StartsWith(p.name, "linux-image-") &&
          !IsKernelImagePackage("deb", p.name)) {
        meta_kernels.push_back(p.name);
      }
    } else if (const std::string_view eco = LanguageEcosystem(p.type); !eco.empty()) {
      if (p.type == "pypi" && has_os_packages && !options.include_os_managed_python &&
          OsManagedPython(p)) {
        ++st.skipped_os_managed;
        continue;
      }
      g.ecosystem = std::string(eco);
      g.comparator = *ComparatorFor(eco);
      g.name = p.name;
      g.version = p.version;
    } else {
      ++st.skipped_other;
      continue;
    }
    if (g.version.empty()) {
      ++st.invalid_versions;
      continue;
    }
    auto key = std::make_tuple(g.ecosystem, NormalizePackageName(g.ecosystem, g.name), g.version);
    auto [it, fresh] = groups.try_emplace(std::move(key), std::move(g));
    Group& grp = it->second;
    grp.binaries.insert(p.name);
    if (!LanguageEcosystem(p.type).empty() && !p.path.empty()) grp.paths.insert(p.path);
    if (IsKernelImagePackage(p.type, p.name)) {
      grp.kernel = true;
      if (!target.kernel_release.empty() &&
          IsRunningKernel(p.type, p.name, p.version, target.kernel_release)) {
        grp.running_kernel = true;
      }
    }
  }

  std::vector<Finding> findings;
  std::vector<Match> matches;
  for (auto& [key, g] : groups) {
    ++st.groups;
    const auto* entries = index.Find(std::get<0>(key), std::get<1>(key));
    if (entries == nullptr) continue;
    if (!ValidVersion(g.comparator, g.version)) {
      ++st.invalid_versions;
      continue;
    }
    matches.clear();
    for (const PreparedAffected& e : *entries) {
      if (e.affected->status == "unimportant" && !options.include_unimportant) continue;
      Verdict v = Evaluate(e, g.version);
      if (v.affected) matches.push_back({&e, std::move(v.fixed)});
    }
    if (!matches.empty()) EmitFindings(g, matches, target, meta_kernels, findings);
  }
  if (options.min_severity != Severity::kUnknown) {
    std::erase_if(findings, [&](const Finding& f) { return f.severity < options.min_severity; });
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::make_tuple(b.severity, a.package, a.installed_version, a.id) <
           std::make_tuple(a.severity, b.package, b.installed_version, b.id);
  });
  return findings;
}

}  // namespace rampart::agent::vuln
