#pragma once
// RPM packages, read from the host's RPM database through librpm (this header does not include
// librpm; software_rpm.cpp is the only file that does).
//
// Databases looked for under the host root, first found wins:
//   /var/lib/rpm/rpmdb.sqlite, /usr/lib/sysimage/rpm/rpmdb.sqlite  (sqlite: RHEL 9, Fedora 33+)
//   /var/lib/rpm/Packages, /usr/lib/sysimage/rpm/Packages            (Berkeley DB, via bdb_ro)
// SUSE's ndb (Packages.db) is not supported by Debian's librpm build: no rows, a debug log.
// On a host without any of them (a Debian machine) librpm is never called, so it prints nothing. A
// file without the backend's magic (or a cut sqlite file) is not handed to librpm either, and a
// database librpm failed to open is not retried until the file changes (librpm leaks a connection
// on that path).
//
// Thread safety: librpm keeps global state (macro context, log callback, configuration), so every
// call into it is serialised by one process-wide mutex, and configuration is read once
// (rpmReadConfigFiles) per process. librpm's own messages go to log::Debug instead of stderr. No
// other code in the process may use librpm concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/software.h"
#include "common/host_view.h"

namespace rampart::agent {

// "foo-1.2-3.el9.src.rpm" -> {"foo", "1.2-3.el9"}; also ".nosrc.rpm". A name without two dashes
// gives {whole name without the suffix, ""}.
struct RpmSourceRpm {
  std::string_view name;
  std::string_view version;  // version-release
};
RpmSourceRpm ParseSourceRpm(std::string_view sourcerpm);

// "[epoch:]version-release" as rpm -q prints with %{EPOCH}: prefix when an epoch exists.
std::string RpmEvr(std::optional<std::int64_t> epoch, std::string_view version,
                   std::string_view release);

// Where the database is: dbpath (host path of the directory), the database file, the librpm
// backend.
struct RpmDbLocation {
  std::string dbpath;
  std::string file;
  std::string backend;  // "sqlite" or "bdb_ro"
};
std::optional<RpmDbLocation> FindRpmDb(const HostView& host);

// Every package in the host's RPM database; empty when there is none or it cannot be opened.
std::vector<SoftwarePackage> ReadRpmPackages(const HostView& host);

}  // namespace rampart::agent
