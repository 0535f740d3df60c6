#include "agent/collectors/exe_owner.h"

#include <algorithm>

#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxDpkgLists = 100'000;
constexpr std::size_t kMaxApkDbBytes = std::size_t{128} << 20;

using WantedMap = std::unordered_map<std::string, std::vector<std::string>>;

// canonical path -> the requested spellings that map to it.
WantedMap Canonicalise(const std::vector<std::string>& paths) {
  WantedMap wanted;
  for (const std::string& p : paths) {
    if (p.empty()) continue;
    auto& spellings = wanted[UsrMergeCanonical(p)];
    if (std::find(spellings.begin(), spellings.end(), p) == spellings.end()) spellings.push_back(p);
  }
  return wanted;
}

void Record(const WantedMap& wanted, std::string_view path, std::string_view package,
            std::unordered_map<std::string, std::string>* owners) {
  const auto it = wanted.find(UsrMergeCanonical(path));
  if (it == wanted.end()) return;
  for (const std::string& spelling : it->second) owners->emplace(spelling, std::string(package));
}

std::size_t CountWanted(const WantedMap& wanted) {
  std::size_t n = 0;
  for (const auto& [canonical, spellings] : wanted) n += spellings.size();
  return n;
}

}  // namespace

std::string UsrMergeCanonical(std::string_view path) {
  static constexpr std::string_view kMerged[] = {"/bin/",   "/sbin/",  "/lib/",
                                                 "/lib32/", "/lib64/", "/libx32/"};
  for (std::string_view prefix : kMerged) {
    if (path.substr(0, prefix.size()) == prefix) return "/usr" + std::string(path);
  }
  return std::string(path);
}

std::string DpkgListPackage(std::string_view file_name) {
  constexpr std::string_view kExt = ".list";
  if (file_name.size() <= kExt.size() || file_name.substr(file_name.size() - kExt.size()) != kExt) {
    return {};
  }
  std::string_view pkg = file_name.substr(0, file_name.size() - kExt.size());
  if (const std::size_t colon = pkg.find(':'); colon != std::string_view::npos) {
    pkg = pkg.substr(0, colon);
  }
  return std::string(pkg);
}

void MatchDpkgList(std::string_view package, std::string_view list_text, const WantedMap& wanted,
                   std::unordered_map<std::string, std::string>* owners) {
  for (std::string_view line : SplitLines(list_text)) Record(wanted, line, package, owners);
}

std::unordered_map<std::string, std::string> ParseApkOwners(
    std::string_view installed, const std::vector<std::string>& wanted) {
  const WantedMap canonical = Canonicalise(wanted);
  std::unordered_map<std::string, std::string> owners;
  std::string package;
  std::string dir;
  for (std::string_view line : SplitLines(installed)) {
    if (line.empty()) {  // end of a package block
      package.clear();
      dir.clear();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') continue;
    const std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        package = std::string(value);
        break;
      case 'F':
        dir = std::string(value);
        break;
      case 'R':
        if (!package.empty()) {
          const std::string path =
              dir.empty() ? "/" + std::string(value) : "/" + dir + "/" + std::string(value);
          Record(canonical, path, package, &owners);
        }
        break;
      default:
        break;
    }
  }
  return owners;
}

std::unordered_map<std::string, std::string> FindPackageOwners(
    const HostView& host, const std::vector<std::string>& paths) {
  std::unordered_map<std::string, std::string> owners;
  const WantedMap wanted = Canonicalise(paths);
  if (wanted.empty()) return owners;
  const std::size_t total = CountWanted(wanted);

  if (auto lists = host.ListDir("/var/lib/dpkg/info"); lists.ok()) {
    std::size_t scanned = 0;
    for (const std::string& name : *lists) {
      if (owners.size() >= total || ++scanned > kMaxDpkgLists) break;
      const std::string package = DpkgListPackage(name);
      if (package.empty()) continue;
      const Status st = host.ForEachLine(
          "/var/lib/dpkg/info/" + name,
          [&](std::string_view line) {
            Record(wanted, line, package, &owners);
            return true;
          },
          4096);
      if (!st.ok()) log::Debug("processes: {}", st.ToString());
    }
    return owners;
  }
  if (host.Exists("/lib/apk/db/installed")) {
    auto db = host.ReadFile("/lib/apk/db/installed", kMaxApkDbBytes);
    if (db.ok()) return ParseApkOwners(*db, paths);
    log::Debug("processes: {}", db.status().ToString());
  }
  return owners;
}

std::unordered_map<std::string, std::string> PackageOwnerCache::Find(
    const HostView& host, const std::vector<std::string>& paths) {
  std::string stamp;
  for (const char* db : {"/var/lib/dpkg/info", "/lib/apk/db/installed"}) {
    if (auto st = host.Stat(db); st.ok()) {
      stamp = std::string(db) + ":" + std::to_string(st->dev) + ":" + std::to_string(st->ino) +
              ":" + std::to_string(st->mtime) + "." + std::to_string(st->mtime_nsec) + ":" +
              std::to_string(st->size);
      break;
    }
  }
  if (stamp != stamp_ || known_.size() > 100'000) {
    known_.clear();
    stamp_ = std::move(stamp);
  }
  std::vector<std::string> unknown;
  for (const std::string& p : paths) {
    if (!p.empty() && known_.count(p) == 0) unknown.push_back(p);
  }
  std::sort(unknown.begin(), unknown.end());
  unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
  if (!unknown.empty()) {
    auto found = FindPackageOwners(host, unknown);
    for (std::string& p : unknown) {
      auto it = found.find(p);
      known_[std::move(p)] = it == found.end() ? std::string() : std::move(it->second);
    }
  }
  std::unordered_map<std::string, std::string> out;
  for (const std::string& p : paths) {
    if (auto it = known_.find(p); it != known_.end() && !it->second.empty()) out[p] = it->second;
  }
  return out;
}

}  // namespace rampart::agent
