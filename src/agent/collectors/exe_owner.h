#pragma once
// Which distribution package owns an executable path: dpkg (/var/lib/dpkg/info/*.list) or apk
// (/lib/apk/db/installed). rpm hosts answer nothing here: rpm file ownership comes with the
// software collector's librpm code (software_rpm.cpp), the only file allowed to include librpm.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/host_view.h"

namespace rampart::agent {

// The /usr-merged spelling of a path: "/bin/x" -> "/usr/bin/x", "/sbin/x" -> "/usr/sbin/x",
// "/lib/x" -> "/usr/lib/x" (also lib32, lib64, libx32). Other paths are returned unchanged. Both
// the kernel's exe link (resolved: "/usr/bin/sleep") and dpkg's lists (as shipped: "/bin/sleep")
// are compared in this form.
std::string UsrMergeCanonical(std::string_view path);

// Package name of a dpkg info file name: "libc6:amd64.list" -> "libc6"; "" when not a ".list" file.
std::string DpkgListPackage(std::string_view file_name);

// path (as given) -> owning package, for each wanted path found. Pure: `lines` are one .list file's
// lines.
void MatchDpkgList(
    std::string_view package, std::string_view list_text,
    const std::unordered_map<std::string, std::vector<std::string>>& wanted_canonical,
    std::unordered_map<std::string, std::string>* owners);

// Parses /lib/apk/db/installed (blocks of "X:value" lines separated by blank lines; "P:" package,
// "F:" directory without the leading '/', "R:" file in the last F: directory) and returns path ->
// package for the wanted paths (compared in UsrMergeCanonical form).
std::unordered_map<std::string, std::string> ParseApkOwners(std::string_view installed,
                                                            const std::vector<std::string>& wanted);

// Finds the owners of `paths` on the host: dpkg when /var/lib/dpkg/info exists, else apk when
// /lib/apk/db/installed exists, else none. Reads only what is needed: dpkg lists are streamed and
// the scan stops once every path is owned. Paths without an owner are absent from the result.
std::unordered_map<std::string, std::string> FindPackageOwners(
    const HostView& host, const std::vector<std::string>& paths);

// FindPackageOwners with memory: answers (owners and "no owner") are kept while the package
// database is unchanged, i.e. while /var/lib/dpkg/info (whose mtime moves with every install,
// upgrade and removal) or /lib/apk/db/installed keep their identity and mtime. Not thread-safe.
class PackageOwnerCache {
 public:
  std::unordered_map<std::string, std::string> Find(const HostView& host,
                                                    const std::vector<std::string>& paths);

 private:
  std::string stamp_;
  std::unordered_map<std::string, std::string> known_;  // path -> package; "" = owned by none
};

}  // namespace rampart::agent
