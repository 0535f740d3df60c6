#include "agent/vuln/platform.h"

#include <cctype>

#include "agent/collectors/software_lang.h"
#include "common/strings.h"

namespace rampart::agent::vuln {
namespace {

// "9.3" -> "9"; "22.04" -> "22"; "" -> "".
std::string_view Major(std::string_view version) { return version.substr(0, version.find('.')); }

// "3.19.1" -> "3.19".
std::string_view MajorMinor(std::string_view version) {
  const std::size_t first = version.find('.');
  if (first == std::string_view::npos) return version;
  return version.substr(0, version.find('.', first + 1));
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// The first ':'-separated field of `rest` that looks like a release number ("22.04", "9").
std::string_view FirstReleaseField(std::string_view rest) {
  for (std::string_view field : Split(rest, ':')) {
    if (!field.empty() && std::isdigit(static_cast<unsigned char>(field.front())) != 0)
      return field;
  }
  return {};
}

}  // namespace

std::optional<OsTarget> OsTargetFor(const OsInfo& os) {
  const std::string id = ToLower(os.id);
  const std::string_view version = os.version;
  if (version.empty()) return std::nullopt;
  OsTarget t;
  if (id == "debian") {
    t = {"Debian:" + std::string(Major(version)), "deb", Ecosystem::kDeb, "apt-get", true};
  } else if (id == "ubuntu") {
    t = {"Ubuntu:" + std::string(MajorMinor(version)), "deb", Ecosystem::kDeb, "apt-get", true};
  } else if (id == "alpine") {
    t = {"Alpine:v" + std::string(MajorMinor(version)), "apk", Ecosystem::kApk, "apk", true};
  } else if (id == "rocky" || id == "almalinux" || id == "rhel" || id == "centos") {
    const std::string major(Major(version));
    const std::string name = id == "rocky"       ? "Rocky Linux"
                             : id == "almalinux" ? "AlmaLinux"
                                                 : "Red Hat";
    const bool old = AllDigits(major) && std::stoi(major) < 8;
    t = {name + ":" + major, "rpm", Ecosystem::kRpm, old ? "yum" : "dnf", name != "Red Hat"};
  } else {
    return std::nullopt;
  }
  return t;
}

std::string IndexEcosystem(std::string_view osv_ecosystem) {
  const std::size_t colon = osv_ecosystem.find(':');
  if (colon == std::string_view::npos) return std::string(osv_ecosystem);
  const std::string_view name = osv_ecosystem.substr(0, colon);
  const std::string_view rest = osv_ecosystem.substr(colon + 1);
  if (name == "Ubuntu") {
    const std::string_view release = FirstReleaseField(rest);
    return "Ubuntu:" + std::string(release);
  }
  if (name == "Red Hat") return "Red Hat:" + std::string(Major(FirstReleaseField(rest)));
  if (name == "Rocky Linux" || name == "AlmaLinux")
    return std::string(name) + ":" + std::string(Major(rest));
  if (name == "Alpine") return "Alpine:" + std::string(rest.substr(0, rest.find(':')));
  if (name == "Debian") return "Debian:" + std::string(Major(rest.substr(0, rest.find(':'))));
  return std::string(osv_ecosystem);
}

std::optional<Ecosystem> ComparatorFor(std::string_view eco) {
  const std::string_view name = eco.substr(0, eco.find(':'));
  if (name == "Debian" || name == "Ubuntu") return Ecosystem::kDeb;
  if (name == "Alpine") return Ecosystem::kApk;
  if (name == "Rocky Linux" || name == "AlmaLinux" || name == "Red Hat" || name == "openSUSE" ||
      name == "SUSE") {
    return Ecosystem::kRpm;
  }
  if (name == "PyPI") return Ecosystem::kPypi;
  if (name == "Maven") return Ecosystem::kMaven;
  if (name == "npm" || name == "Go" || name == "crates.io") return Ecosystem::kSemver;
  return std::nullopt;
}

std::string_view LanguageEcosystem(std::string_view type) {
  if (type == "pypi") return "PyPI";
  if (type == "npm") return "npm";
  if (type == "maven") return "Maven";
  if (type == "go") return "Go";
  if (type == "crates" || type == "cargo") return "crates.io";
  return {};
}

std::string NormalizePackageName(std::string_view eco, std::string_view name) {
  if (eco == "PyPI") return NormalizePythonName(name);
  if (eco == "npm") return ToLower(name);
  return std::string(name);
}

bool IsKernelImagePackage(std::string_view type, std::string_view name) {
  if (type == "deb") {
    for (std::string_view prefix : {"linux-image-unsigned-", "linux-image-"}) {
      if (StartsWith(name, prefix)) {
        const std::string_view rest = name.substr(prefix.size());
        return !rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front())) != 0;
      }
    }
    return false;
  }
  if (type == "rpm") return name == "kernel" || name == "kernel-core" || name == "kernel-rt-core";
  if (type == "apk")
    return StartsWith(name, "linux-") && name != "linux-firmware" &&
           !StartsWith(name, "linux-firmware-") && !StartsWith(name, "linux-headers") &&
           !StartsWith(name, "linux-pam");
  return false;
}

bool IsRunningKernel(std::string_view type, std::string_view name, std::string_view version,
                     std::string_view release) {
  if (type == "deb") {
    return name == "linux-image-" + std::string(release) ||
           name == "linux-image-unsigned-" + std::string(release);
  }
  if (type == "rpm") {
    // EVR "[epoch:]5.14.0-362.el9" runs as "5.14.0-362.el9.x86_64" (or without the arch suffix).
    const std::size_t colon = version.find(':');
    const std::string_view vr =
        colon == std::string_view::npos ? version : version.substr(colon + 1);
    return release == vr ||
           (StartsWith(release, vr) && release.size() > vr.size() && release[vr.size()] == '.');
  }
  if (type == "apk") {
    // linux-lts 6.6.14-r0 runs as "6.6.14-0-lts".
    const std::size_t r = version.rfind("-r");
    if (r == std::string_view::npos || !StartsWith(name, "linux-")) return false;
    const std::string expected = std::string(version.substr(0, r)) + "-" +
                                 std::string(version.substr(r + 2)) + "-" +
                                 std::string(name.substr(6));
    return release == expected;
  }
  return false;
}

std::optional<std::string> KernelSourceOfSignedTemplate(std::string_view source) {
  constexpr std::string_view kPrefix = "linux-signed";
  if (!StartsWith(source, kPrefix)) return std::nullopt;
  const std::string_view rest = source.substr(kPrefix.size());
  if (rest.empty() || rest == "-amd64" || rest == "-arm64" || rest == "-i386") return "linux";
  if (rest.front() != '-') return std::nullopt;
  return "linux" + std::string(rest);
}

}  // namespace rampart::agent::vuln
