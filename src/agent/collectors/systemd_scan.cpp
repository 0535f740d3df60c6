#include "agent/collectors/systemd_scan.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

std::string_view BaseName(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string SourceOf(std::string_view dir) {
  if (dir.starts_with("/etc/") || dir.starts_with("/usr/local/")) return "admin";
  if (dir.starts_with("/run/")) return "runtime";
  return "vendor";
}

}  // namespace

SystemdUnitIndex::SystemdUnitIndex(const HostView& host) : host_(host) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (const std::string_view dir : kSystemdUnitDirs) {
    auto info = host_.Stat(dir);
    if (!info.ok() || !info->is_dir()) continue;
    if (!seen.insert({info->dev, info->ino}).second) continue;  // /lib -> /usr/lib
    dirs_.push_back(Dir{std::string(dir), SourceOf(dir), {}});
    ScanDir(dirs_.size() - 1);
  }
}

void SystemdUnitIndex::ScanLinkDir(const std::string& dir_path, const std::string& owner) {
  auto names = host_.ListDir(dir_path);
  if (!names.ok()) return;
  std::size_t n = 0;
  for (const std::string& name : *names) {
    if (++n > kMaxUnitDirEntries) break;
    UnitName parsed;
    if (!ParseUnitName(name, &parsed)) continue;
    wanted_by_[name].insert(owner);
    link_paths_.emplace(name, dir_path + "/" + name);
  }
}

void SystemdUnitIndex::ScanDir(std::size_t index) {
  const std::string dir_path = dirs_[index].path;
  auto names = host_.ListDir(dir_path);
  if (!names.ok()) {
    log::Debug("systemd: cannot list {}: {}", dir_path, names.error().ToString());
    return;
  }
  std::size_t n = 0;
  for (const std::string& name : *names) {
    if (++n > kMaxUnitDirEntries) {
      log::Debug("systemd: {} has more than {} entries; rest ignored", dir_path,
                 kMaxUnitDirEntries);
      break;
    }
    const std::string path = dir_path + "/" + name;
    bool link_dir = false;
    for (const std::string_view link_suffix : {".wants", ".requires", ".upholds"}) {
      if (EndsWith(name, link_suffix)) {
        ScanLinkDir(path, name.substr(0, name.size() - link_suffix.size()));
        link_dir = true;
      }
    }
    if (link_dir) continue;
    if (EndsWith(name, ".d")) {
      dirs_[index].dropin_dirs.insert(name);
      continue;
    }
    UnitName parsed;
    if (!ParseUnitName(name, &parsed)) continue;
    auto st = host_.Lstat(path);
    if (!st.ok()) continue;
    if (st->is_symlink()) {
      auto target = host_.ReadLink(path);
      if (!target.ok()) continue;
      if (*target == "/dev/null") {
        files_.emplace(name, UnitFileRef{path, index, true});
        continue;
      }
      const std::string target_name(BaseName(*target));
      if (target_name != name && !(parsed.is_instance() && target_name == parsed.TemplateName())) {
        aliases_[target_name].insert(name);
        if (dirs_[index].source != "vendor") admin_aliases_[target_name].insert(name);
        continue;
      }
      files_.emplace(name, UnitFileRef{path, index, false});
    } else if (st->is_regular()) {
      // An empty unit file masks the unit, as a link to /dev/null does.
      files_.emplace(name, UnitFileRef{path, index, st->size == 0});
    }
  }
}

std::vector<std::string> SystemdUnitIndex::DropInPaths(const UnitName& unit,
                                                       const std::string& name) const {
  std::vector<std::string> candidates = {name + ".d"};
  if (unit.is_instance()) candidates.push_back(unit.TemplateName() + ".d");
  candidates.push_back(unit.suffix.substr(1) + ".d");  // "service.d": applies to every service
  std::map<std::string, std::string> chosen;  // file name -> path; sorted as systemd applies them
  for (const Dir& dir : dirs_) {
    for (const std::string& cand : candidates) {
      if (dir.dropin_dirs.count(cand) == 0) continue;
      const std::string dropin_dir = dir.path + "/" + cand;
      auto entries = host_.ListDir(dropin_dir);
      if (!entries.ok()) continue;
      for (const std::string& e : *entries) {
        if (!EndsWith(e, ".conf") || chosen.size() >= kMaxDropIns) continue;
        chosen.emplace(e, dropin_dir + "/" + e);  // higher precedence directories come first
      }
    }
  }
  std::vector<std::string> out;
  out.reserve(chosen.size());
  for (auto& [file, path] : chosen) out.push_back(std::move(path));
  return out;
}

std::optional<SystemdUnit> SystemdUnitIndex::Load(std::string_view name_view) const {
  SystemdUnit u;
  u.name = std::string(name_view);
  if (!ParseUnitName(u.name, &u.parsed) || u.parsed.is_template()) return std::nullopt;
  auto ref = files_.find(u.name);
  if (ref == files_.end() && u.parsed.is_instance()) ref = files_.find(u.parsed.TemplateName());
  if (ref != files_.end()) {
    u.path = ref->second.path;
    u.source = dirs_[ref->second.dir].source;
    u.masked = ref->second.masked;
  } else if (auto link = link_paths_.find(u.name); link != link_paths_.end()) {
    // A "linked" unit: its file lives outside the search path and only the .wants/ link names it.
    if (!host_.Stat(link->second).ok()) return std::nullopt;
    u.path = link->second;
    u.source = SourceOf(link->second);
  } else {
    return std::nullopt;
  }
  if (!u.masked) {
    auto text = host_.ReadFile(u.path, kMaxUnitFileBytes);
    if (text.ok()) {
      u.config.Apply(ParseUnitFile(*text));
    } else {
      log::Debug("systemd: cannot read {}: {}", u.path, text.error().ToString());
    }
    for (std::string& dropin : DropInPaths(u.parsed, u.name)) {
      auto dtext = host_.ReadFile(dropin, kMaxUnitFileBytes);
      if (!dtext.ok()) continue;  // a drop-in masked by a /dev/null link, or unreadable
      u.config.Apply(ParseUnitFile(*dtext));
      u.drop_ins.push_back(std::move(dropin));
    }
  }
  if (auto w = wanted_by_.find(u.name); w != wanted_by_.end()) {
    u.wanted_by.assign(w->second.begin(), w->second.end());
  }
  if (auto a = aliases_.find(u.name); a != aliases_.end()) {
    u.aliases.assign(a->second.begin(), a->second.end());
  }
  u.enabled = !u.wanted_by.empty();
  if (auto a = admin_aliases_.find(u.name); a != admin_aliases_.end() && !u.enabled) {
    for (const std::string& alias_line : u.config.GetList("Install", "Alias")) {
      for (const std::string_view alias : SplitWhitespace(alias_line)) {
        if (a->second.count(std::string(alias)) != 0) u.enabled = true;
      }
    }
  }
  if (u.masked) u.enabled = false;
  return u;
}

std::vector<SystemdUnit> SystemdUnitIndex::LoadAll(std::string_view suffix) const {
  std::set<std::string> names;
  for (const auto& [name, ref] : files_) {
    UnitName parsed;
    if (EndsWith(name, suffix) && ParseUnitName(name, &parsed) && !parsed.is_template()) {
      names.insert(name);
    }
  }
  for (const auto& [name, owners] : wanted_by_) {
    UnitName parsed;
    if (EndsWith(name, suffix) && ParseUnitName(name, &parsed) && !parsed.is_template()) {
      names.insert(name);
    }
  }
  std::vector<SystemdUnit> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    if (auto u = Load(name)) out.push_back(std::move(*u));
  }
  return out;
}

}  // namespace rampart::agent
