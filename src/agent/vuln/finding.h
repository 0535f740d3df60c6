#pragma once
// A vulnerability finding: one vulnerable package (a source package with all its installed
// binaries, for deb) and one or more advisories that describe the same issue (merged by shared
// ids), with the exact command that fixes it. Plain values plus their JSON form and the helpers
// that fill them; no I/O.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/vuln/advisory.h"
#include "common/json.h"

namespace rampart::agent::vuln {

// A running process that uses the package of a finding (see runtime_usage.h).
struct FindingProcess {
  std::int64_t pid = 0;
  std::string name;        // comm
  bool listening = false;  // holds a listening socket reachable from other hosts (REMOTE)
  bool deleted = false;    // maps a file of the package that was replaced on disk
};

struct Finding {
  std::string id;                // primary id: DSA/DLA/GHSA/PYSEC/GO... before a bare CVE
  std::vector<std::string> ids;  // every id and alias of the merged advisories, `id` first
  std::string package;           // the matched name: source package for deb/apk, as installed else
  std::vector<std::string> binaries;  // installed package names that carry it (sorted)
  // Language packages: where each installed copy was found (a site-packages dist-info, a
  // node_modules package dir), so several environments holding one version are told apart. Empty
  // for OS packages.
  std::vector<std::string> paths;
  std::string type;               // "deb", "rpm", "apk", "pypi", "npm", ...
  std::string installed_version;  // the version compared (source version for deb)
  std::string fixed_version;      // "" when there is no fix yet
  Severity severity = Severity::kUnknown;
  double cvss_score = 0;
  std::string summary;
  std::string ecosystem;  // index ecosystem: "Debian:12", "PyPI"
  // "fixed_available" (a fixed version exists), "unfixed" (no fix yet), or the Debian tracker's
  // status when there is no fix: "no-dsa", "postponed", "ignored", "end-of-life", "unimportant".
  std::string status;
  std::string fix;                      // shell command; "" when there is nothing to install yet
  std::vector<std::string> references;  // URLs, each once
  // KERNEL_RUNNING / KERNEL_NOT_RUNNING (kernel image packages, when the running kernel is known),
  // NEED_REBOOT (a running kernel must be rebooted into the fix), UNIMPORTANT (tracker
  // "unimportant"), NEED_RESTART (a running process maps a file of one of `binaries`), REMOTE (such
  // a process listens on a non-loopback TCP/UDP port).
  std::vector<std::string> labels;
  // With NEED_RESTART: the processes using the package, listening ones first, then by pid; at most
  // kMaxFindingProcesses (runtime_usage.h). Empty otherwise.
  std::vector<FindingProcess> processes;
  std::vector<std::string> sources;  // where the advisories were read ("Debian-all.zip:DSA-1.json")
};

// Ordering preference of a primary id: DSA, DLA, DTSA, GHSA, PYSEC, GO, RUSTSEC, distro errata
// (RHSA/RLSA/ALSA), then anything else, then CVE. Lower is preferred.
int IdPreference(std::string_view id);

// The JSON object of a finding: every field above ("severity" as its name, "cvss_score" a number);
// "processes" ([{pid, name, listening, deleted}]) only when it is not empty.
Json FindingToJson(const Finding& f);

}  // namespace rampart::agent::vuln
