#pragma once
// `rampart vuln`: match this host's (or a mounted root's) installed packages against advisory
// feeds.

#include <cstdio>
#include <string>
#include <vector>

namespace rampart::cli {

struct VulnArgs {
  std::vector<std::string> feeds;  // OSV files, zips, directories, Debian tracker JSON
  std::string root = "/";          // host root (a mounted image, a container's rootfs, a fixture)
  bool json = false;
  std::string min_severity;          // "" = every finding; else low, medium, high or critical
  bool include_unimportant = false;  // Debian tracker "unimportant" issues
  bool include_os_python = false;    // Python distributions owned by the OS package manager
};

// Prints a table (severity, id, package, installed, fixed, fix) sorted by severity then package, or
// with
// --json one document {"findings":[...], "stats":{...}, "feed_errors":[...]}. Per-record feed
// problems are warnings on `err` (source, id, reason) and never stop the run. Returns 1 when there
// are findings, 0 when none, 2 on usage errors: no --feed, a feed path that cannot be read, a bad
// --root or --min-severity.
int RunVuln(const VulnArgs& args, std::FILE* out, std::FILE* err);

}  // namespace rampart::cli
