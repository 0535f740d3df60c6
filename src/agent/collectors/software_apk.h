#pragma once
// Alpine's package database, /lib/apk/db/installed: stanzas separated by blank lines, one "X:value"
// line per field (P name, V version, A arch, o origin, m maintainer, t build time, I installed
// size, L license; F/R/Z/a/M lines list the package's files and are skipped). apk records no
// install time.
//
// The parser works on string_views over the caller's buffer and never fails: lines that are not
// "X:value" are skipped, stanzas without P are dropped, a repeated field keeps its first value,
// CRLF is accepted.

#include <functional>
#include <string_view>
#include <vector>

#include "agent/collectors/software.h"
#include "common/host_view.h"

namespace rampart::agent {

// Views into the parsed text; empty when absent.
struct ApkStanza {
  std::string_view name;            // P:
  std::string_view version;         // V:
  std::string_view arch;            // A:
  std::string_view origin;          // o: the source package (aport)
  std::string_view maintainer;      // m:
  std::string_view build_time;      // t: seconds since the epoch
  std::string_view installed_size;  // I: bytes
  std::string_view license;         // L:
};

void ForEachApkStanza(std::string_view text, const std::function<void(const ApkStanza&)>& fn);
std::vector<ApkStanza> ParseApkInstalled(std::string_view text);

// Reads /lib/apk/db/installed; no rows when it is missing.
std::vector<SoftwarePackage> ReadApkPackages(const HostView& host);

}  // namespace rampart::agent
