#include "agent/collectors/software_lang.h"

#include <cstdint>
#include <set>
#include <utility>

#include "common/json.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxHeaderBytes = std::size_t{256}
                                        << 10;  // METADATA headers (body is skipped)
constexpr std::size_t kMaxPackageJsonBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxRows = 200'000;
constexpr int kMaxJsonDepth = 64;

constexpr std::string_view kPythonPatterns[] = {
    "/usr/lib/python*/site-packages",
    "/usr/lib/python*/dist-packages",  // includes Debian's /usr/lib/python3/dist-packages
    "/usr/lib64/python*/site-packages",
    "/usr/lib64/python*/dist-packages",
    "/usr/local/lib/python*/site-packages",
    "/usr/local/lib/python*/dist-packages",
    "/usr/local/lib64/python*/site-packages",
    "/usr/local/lib64/python*/dist-packages",
    "/opt/*/lib/python*/site-packages",
    "/opt/*/venv*/lib/python*/site-packages",
    "/root/.local/lib/python*/site-packages",
    "/home/*/.local/lib/python*/site-packages",
    "/root/.pyenv/versions/*/lib/python*/site-packages",
    "/home/*/.pyenv/versions/*/lib/python*/site-packages",
};

constexpr std::string_view kNpmPatterns[] = {
    "/usr/lib/node_modules",
    "/usr/local/lib/node_modules",
    "/opt/*/lib/node_modules",
    "/root/.nvm/versions/node/*/lib/node_modules",
    "/home/*/.nvm/versions/node/*/lib/node_modules",
};

// Existing directories matching `patterns`, deduplicated by (dev, inode).
std::vector<std::string> FindDirs(const HostView& host,
                                  std::span<const std::string_view> patterns) {
  std::vector<std::string> out;
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (std::string_view pattern : patterns) {
    for (std::string& dir : host.Glob(pattern)) {
      auto st = host.Stat(dir);
      if (!st || !st->is_dir()) continue;
      if (!seen.emplace(st->dev, st->ino).second) continue;
      out.push_back(std::move(dir));
    }
  }
  return out;
}

// The header block of a METADATA/PKG-INFO file, streamed so a huge long-description is never read.
Result<std::string> ReadMetadataHeaders(const HostView& host, const std::string& path) {
  std::string headers;
  Status s = host.ForEachLine(
      path,
      [&headers](std::string_view line) {
        if (TrimView(line).empty()) return false;
        headers.append(line).push_back('\n');
        return headers.size() < kMaxHeaderBytes;
      },
      std::size_t{64} << 10);
  if (!s.ok()) return s;
  return headers;
}

std::optional<std::int64_t> MtimeOf(const HostView& host, const std::string& path) {
  auto st = host.Stat(path);
  if (!st) return std::nullopt;
  return st->mtime;
}

void ReadSitePackages(const HostView& host, const std::string& dir,
                      std::vector<SoftwarePackage>* out) {
  auto names = host.ListDir(dir);
  if (!names) {
    log::Debug("software: {}: {}", dir, names.error().ToString());
    return;
  }
  for (const std::string& entry : *names) {
    if (out->size() >= kMaxRows) return;
    const auto dist = ParseDistInfoDirName(entry);
    if (!dist) continue;
    const std::string path = dir + "/" + entry;
    auto st = host.Stat(path);
    if (!st) continue;
    std::string metadata_file;
    if (st->is_dir()) {
      metadata_file = path + (EndsWith(entry, ".dist-info") ? "/METADATA" : "/PKG-INFO");
    } else if (st->is_regular() && EndsWith(entry, ".egg-info")) {
      metadata_file = path;  // distutils writes PKG-INFO content straight into a file
    } else {
      continue;
    }
    PythonMetadata meta;
    if (auto headers = ReadMetadataHeaders(host, metadata_file); headers) {
      meta = ParsePythonMetadata(*headers);
    } else {
      log::Debug("software: {}: {}", metadata_file, headers.error().ToString());
    }
    SoftwarePackage pkg;
    pkg.type = "pypi";
    pkg.name = meta.name.empty() ? dist->name : meta.name;
    pkg.version = meta.version.empty() ? dist->version : meta.version;
    if (pkg.name.empty()) continue;
    pkg.source_name = pkg.name;
    pkg.source_version = pkg.version;
    pkg.install_time = st->mtime;
    pkg.path = path;
    pkg.license = meta.license;
    pkg.normalized_name = NormalizePythonName(pkg.name);
    out->push_back(std::move(pkg));
  }
}

void ReadNpmPackage(const HostView& host, const std::string& dir, std::string_view dir_name,
                    std::vector<SoftwarePackage>* out) {
  const std::string manifest = dir + "/package.json";
  auto text = host.ReadFile(manifest, kMaxPackageJsonBytes);
  if (!text) {
    log::Debug("software: {}: {}", manifest, text.error().ToString());
    return;
  }
  auto parsed = ParseNpmPackageJson(*text);
  if (!parsed) {
    log::Debug("software: {}: {}", manifest, parsed.error().ToString());
    return;
  }
  SoftwarePackage pkg;
  pkg.type = "npm";
  pkg.name = parsed->name.empty() ? std::string(dir_name) : parsed->name;
  pkg.version = parsed->version;
  pkg.source_name = pkg.name;
  pkg.source_version = pkg.version;
  pkg.install_time = MtimeOf(host, dir);
  pkg.path = dir;
  pkg.license = parsed->license;
  out->push_back(std::move(pkg));
}

bool IsDir(const HostView& host, const std::string& path) {
  auto st = host.Stat(path);
  return st && st->is_dir();
}

}  // namespace

PythonMetadata ParsePythonMetadata(std::string_view text) {
  PythonMetadata out;
  bool seen[5] = {};
  for (std::string_view line : SplitLines(text)) {
    if (TrimView(line).empty()) break;  // end of the header block; the body is the description
    if (line.front() == ' ' || line.front() == '\t') continue;  // folded continuation
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    const std::string_view key = TrimView(line.substr(0, colon));
    const std::string_view value = TrimView(line.substr(colon + 1));
    static constexpr std::string_view kKeys[] = {"Metadata-Version", "Name", "Version", "Summary",
                                                 "License"};
    std::string* const fields[] = {&out.metadata_version, &out.name, &out.version, &out.summary,
                                   &out.license};
    for (std::size_t i = 0; i < 5; ++i) {
      if (!seen[i] && EqualsIgnoreCase(key, kKeys[i])) {
        seen[i] = true;
        *fields[i] = std::string(value);
        break;
      }
    }
  }
  // "UNKNOWN" is what old setuptools writes for an unset field.
  if (out.license == "UNKNOWN") out.license.clear();
  return out;
}

std::string NormalizePythonName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) out.push_back('-');
      in_run = true;
      continue;
    }
    in_run = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::optional<DistName> ParseDistInfoDirName(std::string_view entry) {
  std::string_view stem;
  if (EndsWith(entry, ".dist-info")) {
    stem = entry.substr(0, entry.size() - std::string_view(".dist-info").size());
  } else if (EndsWith(entry, ".egg-info")) {
    stem = entry.substr(0, entry.size() - std::string_view(".egg-info").size());
  } else {
    return std::nullopt;
  }
  if (stem.empty()) return std::nullopt;
  // Both formats escape '-' inside the name and version as '_', so the first '-' ends the name and
  // the next one (egg-info's "-py3.11" tag) ends the version.
  DistName out;
  const std::size_t dash = stem.find('-');
  out.name = std::string(stem.substr(0, dash));
  if (dash != std::string_view::npos) {
    std::string_view rest = stem.substr(dash + 1);
    out.version = std::string(rest.substr(0, rest.find('-')));
  }
  if (out.name.empty()) return std::nullopt;
  return out;
}

Result<NpmPackageJson> ParseNpmPackageJson(std::string_view text) {
  auto json = Json::Parse(text, kMaxJsonDepth);
  if (!json) return json.error();
  if (!json->is_object()) return InvalidArgument("package.json is not an object");
  NpmPackageJson out;
  if (const Json* v = json->Find("name"); v != nullptr && v->is_string()) out.name = v->as_string();
  if (const Json* v = json->Find("version"); v != nullptr && v->is_string()) {
    out.version = v->as_string();
  }
  if (const Json* v = json->Find("license"); v != nullptr) {
    if (v->is_string()) {
      out.license = v->as_string();
    } else if (v->is_object()) {
      out.license = v->GetString("type");
    }
  }
  return out;
}

std::span<const std::string_view> PythonSitePackagesPatterns() { return kPythonPatterns; }
std::span<const std::string_view> NpmGlobalRootPatterns() { return kNpmPatterns; }

std::vector<std::string> FindPythonSitePackages(const HostView& host) {
  return FindDirs(host, kPythonPatterns);
}

std::vector<std::string> FindNpmGlobalRoots(const HostView& host) {
  return FindDirs(host, kNpmPatterns);
}

std::vector<SoftwarePackage> ReadPythonPackages(const HostView& host) {
  std::vector<SoftwarePackage> out;
  for (const std::string& dir : FindPythonSitePackages(host)) ReadSitePackages(host, dir, &out);
  return out;
}

std::vector<SoftwarePackage> ReadNpmPackages(const HostView& host) {
  std::vector<SoftwarePackage> out;
  for (const std::string& root : FindNpmGlobalRoots(host)) {
    auto names = host.ListDir(root);
    if (!names) continue;
    for (const std::string& entry : *names) {
      if (out.size() >= kMaxRows) return out;
      if (entry.empty() || entry.front() == '.') continue;  // .bin, .package-lock.json
      const std::string path = root + "/" + entry;
      if (entry.front() != '@') {
        if (IsDir(host, path)) ReadNpmPackage(host, path, entry, &out);
        continue;
      }
      auto scoped = host.ListDir(path);
      if (!scoped) continue;
      for (const std::string& sub : *scoped) {
        if (out.size() >= kMaxRows) return out;
        if (sub.empty() || sub.front() == '.') continue;
        const std::string sub_path = path + "/" + sub;
        if (IsDir(host, sub_path)) ReadNpmPackage(host, sub_path, entry + "/" + sub, &out);
      }
    }
  }
  return out;
}

}  // namespace rampart::agent
