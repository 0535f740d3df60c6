#include "agent/vuln/version.h"

#include "agent/vuln/version_apk.h"
#include "agent/vuln/version_deb.h"
#include "agent/vuln/version_maven.h"
#include "agent/vuln/version_pypi.h"
#include "agent/vuln/version_rpm.h"
#include "agent/vuln/version_semver.h"
#include "common/strings.h"

namespace rampart::agent::vuln {

Result<Ecosystem> ParseEcosystem(std::string_view name) {
  struct Alias {
    std::string_view name;
    Ecosystem eco;
  };
  static constexpr Alias kAliases[] = {
      {"deb", Ecosystem::kDeb},       {"debian", Ecosystem::kDeb},
      {"ubuntu", Ecosystem::kDeb},    {"rpm", Ecosystem::kRpm},
      {"redhat", Ecosystem::kRpm},    {"rhel", Ecosystem::kRpm},
      {"rocky", Ecosystem::kRpm},     {"almalinux", Ecosystem::kRpm},
      {"centos", Ecosystem::kRpm},    {"fedora", Ecosystem::kRpm},
      {"opensuse", Ecosystem::kRpm},  {"suse", Ecosystem::kRpm},
      {"apk", Ecosystem::kApk},       {"alpine", Ecosystem::kApk},
      {"pypi", Ecosystem::kPypi},     {"python", Ecosystem::kPypi},
      {"maven", Ecosystem::kMaven},   {"semver", Ecosystem::kSemver},
      {"npm", Ecosystem::kSemver},    {"go", Ecosystem::kSemver},
      {"crates", Ecosystem::kSemver}, {"crates.io", Ecosystem::kSemver},
      {"cargo", Ecosystem::kSemver},
  };
  const std::string lower = ToLower(name);
  for (const auto& a : kAliases) {
    if (a.name == lower) return a.eco;
  }
  return InvalidArgument("unknown ecosystem '" + std::string(name) +
                         "' (valid: deb, rpm, apk, pypi, maven, semver, npm, go, crates)");
}

std::string_view EcosystemName(Ecosystem e) {
  switch (e) {
    case Ecosystem::kDeb:
      return "deb";
    case Ecosystem::kRpm:
      return "rpm";
    case Ecosystem::kApk:
      return "apk";
    case Ecosystem::kPypi:
      return "pypi";
    case Ecosystem::kMaven:
      return "maven";
    case Ecosystem::kSemver:
      return "semver";
  }
  return "?";
}

Result<int> CompareVersions(Ecosystem e, std::string_view a, std::string_view b) {
  switch (e) {
    case Ecosystem::kDeb:
      return CompareDebVersions(a, b);
    case Ecosystem::kRpm:
      return CompareRpmVersions(a, b);
    case Ecosystem::kApk:
      return CompareApkVersions(a, b);
    case Ecosystem::kPypi:
      return ComparePypiVersions(a, b);
    case Ecosystem::kMaven:
      return CompareMavenVersions(a, b);
    case Ecosystem::kSemver:
      return CompareSemverVersions(a, b);
  }
  return Internal("unhandled ecosystem");
}

}  // namespace rampart::agent::vuln
