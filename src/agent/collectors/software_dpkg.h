#pragma once
// dpkg's database: /var/lib/dpkg/status (deb822 stanzas) and the per-package file lists under
// /var/lib/dpkg/info, whose mtime is the time the package was last unpacked.
//
// The parser works on string_views over the caller's buffer: no copies, no regex, one pass (a 5 MB
// status file parses in a few milliseconds). It never fails: malformed lines are skipped, stanzas
// without a Package field are dropped. Deviations from dpkg, which refuses a database with these
// errors: a repeated field keeps its first value; CRLF line ends are accepted; a line made only of
// blanks ends a stanza, as deb822 allows.

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "agent/collectors/software.h"
#include "common/host_view.h"

namespace rampart::agent {

// The fields of one status stanza the inventory uses; views into the parsed text, empty when
// absent. Values are trimmed; continuation lines (multi-line Description, Conffiles) are skipped.
struct DpkgStanza {
  std::string_view package;
  std::string_view status;        // "install ok installed"
  std::string_view version;       // "1:2.3-4"
  std::string_view architecture;  // "amd64", "all"
  std::string_view source;        // "openssl (3.0.11-1~deb12u2)" or "foo"
  std::string_view maintainer;
  std::string_view installed_size;  // KiB, decimal
  std::string_view multi_arch;      // "same", "foreign", "allowed"
};

// Calls fn for every stanza that has a Package field, in file order. Views stay valid as long as
// `text`.
void ForEachDpkgStanza(std::string_view text, const std::function<void(const DpkgStanza&)>& fn);
// The same, collected.
std::vector<DpkgStanza> ParseDpkgStatus(std::string_view text);

// The three words of a Status field. Empty views when the field does not have three words.
struct DpkgStatus {
  std::string_view want;   // unknown install hold deinstall purge
  std::string_view eflag;  // ok reinstreq
  std::string_view state;  // not-installed config-files half-installed unpacked half-configured
                           // triggers-awaiting triggers-pending installed
};
DpkgStatus ParseDpkgStatusField(std::string_view status);

// True when the package's files are on disk: every known state except not-installed and
// config-files (dpkg -l's "n" and "c" rows), i.e. what `dpkg-query -W` prints minus removed
// packages whose conffiles remain. An unknown or malformed state is false.
bool DpkgPackageIsPresent(std::string_view status_field);

// "openssl (3.0.11-1~deb12u2)" -> {"openssl", "3.0.11-1~deb12u2"}; "foo" -> {"foo", ""}.
struct DpkgSource {
  std::string_view name;
  std::string_view version;
};
DpkgSource ParseDpkgSource(std::string_view source_field);

// The epoch of a Debian version ("1:2.3-4" -> 1); nullopt when there is none or it is not a number.
std::optional<std::int64_t> DpkgVersionEpoch(std::string_view version);

// Reads <admindir>/status and the .list mtimes under <admindir>/info; one row per present package.
// A missing or unreadable status file yields no rows (logged at debug level).
std::vector<SoftwarePackage> ReadDpkgPackages(const HostView& host,
                                              std::string_view admindir = "/var/lib/dpkg");

}  // namespace rampart::agent
