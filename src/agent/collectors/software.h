#pragma once
// The `software` category: every package the host's package managers know about, one row per
// package. Sources (each in its own file, each reading only through HostView):
//   deb   /var/lib/dpkg/status                      software_dpkg.h
//   rpm   the RPM database, through librpm          software_rpm.h (the only file that includes
//   librpm) apk   /lib/apk/db/installed                     software_apk.h pypi  *.dist-info /
//   *.egg-info in site-packages software_lang.h npm   global node_modules/<pkg>/package.json
//   software_lang.h
// The collector (MakeSoftwareCollector in registry.h) concatenates the sources in that order;
// within a source rows are sorted by (name, arch, version, path). A missing source contributes no
// rows.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "common/json.h"

namespace rampart::agent {

// One installed package, whatever its ecosystem. Empty strings / nullopt mean "unknown" and, for
// the optional extras, are left out of the JSON row.
struct SoftwarePackage {
  std::string type;  // "deb", "rpm", "apk", "pypi", "npm"
  std::string name;  // as the package manager spells it
  std::string
      version;  // deb "1:2.3-4", rpm "[epoch:]version-release", apk "1.2-r3", pypi/npm as declared
  std::string
      source_name;  // the source package (deb Source, rpm SOURCERPM name, apk origin); else name
  std::string source_version;                // the source package's version; else version
  std::string arch;                          // "" for language packages
  std::optional<std::int64_t> install_time;  // seconds since the epoch
  std::string path;  // where it was found (database file, dist-info dir, package dir)

  // Extras.
  std::optional<std::int64_t> epoch;  // deb/rpm epoch when the version carries one
  std::optional<std::int64_t> size;   // installed size in bytes (deb Installed-Size KiB * 1024)
  std::optional<std::int64_t> build_time;  // rpm BUILDTIME, apk t:
  std::string status;                      // deb: the Status field ("install ok installed")
  std::string maintainer;                  // deb Maintainer, apk m:, rpm PACKAGER
  std::string vendor;                      // rpm VENDOR
  std::string license;                     // rpm LICENSE, apk L:, pypi License, npm license
  std::string normalized_name;             // pypi: PEP 503 normalised name
};

// The row schema of the category (the contract in docs/inventory.d/software.md).
std::span<const Field> SoftwareSchema();

// The JSON row for one package: the schema fields always (install_time, epoch, size null when
// unknown), the other extras only when known.
Json SoftwareRow(const SoftwarePackage& pkg);

// Sorts rows of one source by (name, arch, version, path), the order the collector emits.
void SortSoftwarePackages(std::vector<SoftwarePackage>& pkgs);

}  // namespace rampart::agent
