#pragma once
// Language packages installed outside the OS package manager's knowledge (and inside it: Debian's
// python3-* packages also ship dist-info/egg-info, so a module may appear both as deb and as pypi).
//
// Python: every *.dist-info (METADATA) and *.egg-info (a directory holding PKG-INFO, or a
// PKG-INFO-format file) in the site-packages/dist-packages directories matched by
// PythonSitePackagesPatterns(). Zipped .egg files are not read. npm: every top-level package
// (node_modules/<pkg>/package.json) and scoped package (node_modules/@scope/<pkg>/package.json) of
// the global roots in NpmGlobalRootPatterns(); nested node_modules (a package's own dependencies)
// are not walked.
//
// Parsers are pure and never fail on garbage; the readers go through HostView and bound every read.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/software.h"
#include "common/host_view.h"
#include "common/status.h"

namespace rampart::agent {

// The core-metadata header fields of METADATA / PKG-INFO (RFC 822 style: "Name: value" lines up to
// the first blank line; field names are case-insensitive; a repeated field keeps its first value;
// continuation lines are ignored). Missing fields are empty.
struct PythonMetadata {
  std::string metadata_version;
  std::string name;
  std::string version;
  std::string summary;
  std::string license;
};
PythonMetadata ParsePythonMetadata(std::string_view text);

// PEP 503 normalisation: lower case, every run of '-', '_' and '.' becomes one '-' ("Foo.Bar__baz"
// -> "foo-bar-baz").
std::string NormalizePythonName(std::string_view name);

// Name and version from a metadata directory name: "requests-2.31.0.dist-info" -> {"requests",
// "2.31.0"}, "PyYAML-6.0-py3.11.egg-info" -> {"PyYAML", "6.0"}, "foo.egg-info" -> {"foo", ""}.
// nullopt when the entry is neither a .dist-info nor an .egg-info name. Used when METADATA lacks
// Name or Version.
struct DistName {
  std::string name;
  std::string version;
};
std::optional<DistName> ParseDistInfoDirName(std::string_view entry);

// The fields of a package.json the inventory uses. license accepts the old {"type": "MIT"} form.
// Errors: kInvalidArgument when the text is not a JSON object.
struct NpmPackageJson {
  std::string name;
  std::string version;
  std::string license;
};
Result<NpmPackageJson> ParseNpmPackageJson(std::string_view text);

// Glob patterns (HostView::Glob syntax) of the directories searched.
std::span<const std::string_view> PythonSitePackagesPatterns();
std::span<const std::string_view> NpmGlobalRootPatterns();

// The directories that exist on the host, each once even when reached through several symlinked
// paths.
std::vector<std::string> FindPythonSitePackages(const HostView& host);
std::vector<std::string> FindNpmGlobalRoots(const HostView& host);

// One row per distribution / package found; no rows when nothing is installed.
std::vector<SoftwarePackage> ReadPythonPackages(const HostView& host);
std::vector<SoftwarePackage> ReadNpmPackages(const HostView& host);

}  // namespace rampart::agent
