#pragma once
// Where a host's packages live in OSV's world: the OS ecosystem string from os-release
// ("Debian:12", "Alpine:v3.19", "Rocky Linux:9"), the key under which feed ecosystems are indexed,
// package-name normalisation per ecosystem, the comparator for each ecosystem, and which installed
// kernel is the running one. Pure functions; no I/O; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "agent/collectors/host_info.h"
#include "agent/vuln/version.h"

namespace rampart::agent::vuln {

// The OS package ecosystem of a host.
struct OsTarget {
  std::string ecosystem;     // index key of the OS ecosystem: "Debian:12", "Ubuntu:22.04",
                             // "Alpine:v3.19", "Rocky Linux:9", "AlmaLinux:9", "Red Hat:9"
  std::string package_type;  // SoftwarePackage::type of its packages: "deb", "rpm", "apk"
  Ecosystem comparator = Ecosystem::kDeb;
  std::string package_manager;  // "apt-get", "dnf", "yum", "apk"
  // True when the ecosystem's advisories name *source* packages (Debian, Ubuntu, Alpine's origin,
  // Rocky, AlmaLinux); false when they name binary packages (Red Hat).
  bool by_source = true;
};

// From os-release's ID and VERSION_ID: debian 12 -> "Debian:12"; ubuntu 22.04 -> "Ubuntu:22.04";
// alpine 3.19.1 -> "Alpine:v3.19"; rocky 9.3 -> "Rocky Linux:9"; almalinux 9.3 -> "AlmaLinux:9";
// rhel 9.3 -> "Red Hat:9" (RHEL 7 and CentOS 7 use yum, later releases dnf). nullopt for an OS
// without an OSV ecosystem we can match (or an empty VERSION_ID).
std::optional<OsTarget> OsTargetFor(const OsInfo& os);

// The index key of an OSV ecosystem string: the OS ecosystems are cut to name and major release as
// OsTargetFor produces them ("Ubuntu:22.04:LTS" and "Ubuntu:Pro:22.04:LTS" -> "Ubuntu:22.04",
// "Red Hat:enterprise_linux:9::appstream" -> "Red Hat:9", "Rocky Linux:9" as is, "Debian:12" as
// is); the language ecosystems keep their name ("PyPI", "npm", "Maven", "Go", "crates.io").
std::string IndexEcosystem(std::string_view osv_ecosystem);

// The comparator for versions of an index ecosystem (as IndexEcosystem returns): Debian/Ubuntu ->
// deb, Alpine -> apk, Rocky Linux/AlmaLinux/Red Hat/openSUSE/SUSE -> rpm, PyPI -> pypi, Maven ->
// maven, npm/Go/crates.io -> semver. nullopt for an ecosystem without a comparator (such records
// are not indexed).
std::optional<Ecosystem> ComparatorFor(std::string_view index_ecosystem);

// The index ecosystem of a language package type: "pypi" -> "PyPI", "npm" -> "npm", "maven" ->
// "Maven", "go" -> "Go", "crates" / "cargo" -> "crates.io"; "" for OS types and unknown ones.
std::string_view LanguageEcosystem(std::string_view package_type);

// Package names as the index compares them: PyPI names PEP 503-normalised ("zope.interface" and
// "Zope_Interface" -> "zope-interface"); npm lower-cased (npm names are case-insensitive on the
// registry); everything else unchanged (Maven "group:artifact", Debian source names, Go module
// paths).
std::string NormalizePackageName(std::string_view index_ecosystem, std::string_view name);

// Kernel packages: a binary that installs a kernel image ("linux-image-6.1.0-18-amd64",
// "linux-image-unsigned-...", rpm "kernel" / "kernel-core", apk "linux-lts" / "linux-virt").
// Meta packages that only depend on a kernel ("linux-image-amd64") are not kernel images.
bool IsKernelImagePackage(std::string_view package_type, std::string_view name);

// True when the kernel image package `name` at `version` is the kernel running as `release`
// ("6.1.0-18-amd64" for linux-image-6.1.0-18-amd64; "5.14.0-362.el9.x86_64" for kernel-core
// 5.14.0-362.el9; "6.6.14-0-lts" for linux-lts 6.6.14-r0). REQUIRES: release is not empty.
bool IsRunningKernel(std::string_view package_type, std::string_view name, std::string_view version,
                     std::string_view release);

// Debian and Ubuntu build signed kernel images from template source packages ("linux-signed-amd64",
// "linux-signed-hwe-5.15") whose own version ("6.1.76+1") is not the kernel's; the advisories name
// the kernel source ("linux", "linux-hwe-5.15") at the binary's version ("6.1.76-1"). Returns that
// kernel source name for a signed template, nullopt for any other source.
std::optional<std::string> KernelSourceOfSignedTemplate(std::string_view source_name);

}  // namespace rampart::agent::vuln
