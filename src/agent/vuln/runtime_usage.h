#pragma once
// Which installed packages running processes use, for the NEED_RESTART and REMOTE labels of
// findings: a process that maps a file of a vulnerable package runs its vulnerable code (or, when
// the mapped file is " (deleted)", the old code an upgrade replaced on disk) until it is restarted;
// one that also listens on a port reachable from other hosts exposes it to the network.
//
// ReadRuntimeUsage does the I/O (one pass over /proc/*/maps, the ports table, the package
// database's file lists); BuildRuntimeUsage and ApplyRuntimeLabels are pure.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/collectors/proc_maps.h"
#include "agent/vuln/finding.h"
#include "common/host_view.h"

namespace rampart::agent::vuln {

// Most distinct file paths looked up in the package database in one run.
inline constexpr std::size_t kMaxRuntimePaths = 65'536;
// Most processes listed on one finding.
inline constexpr std::size_t kMaxFindingProcesses = 20;

// How one process uses one package.
struct ProcessUse {
  bool listening = false;  // the process holds a listening socket bound to a non-loopback address
  bool deleted = false;    // one of the package's files it maps was replaced on disk
};

struct PackageUsage {
  std::map<std::int64_t, ProcessUse> processes;  // pid -> use; every pid maps a file of the package
  bool listening() const;                        // some process listens
  bool deleted() const;                          // some mapping is of a replaced file
};

struct RuntimeUsage {
  // False when there was no /proc to read (an image root): findings then get no runtime labels.
  bool available = false;
  // Binary package name (as dpkg / apk name it, without ":arch") -> its use.
  std::unordered_map<std::string, PackageUsage> packages;
  std::unordered_map<std::int64_t, std::string> names;  // pid -> comm
  std::size_t processes_scanned = 0;  // user-space processes whose files were read
  std::size_t paths = 0;              // distinct code paths looked up
};

// The files of one process that count as its code.
struct ProcessFiles {
  std::int64_t pid = 0;
  std::string name;
  std::vector<MappedFile> files;
};

// Whether a mapped path counts as code of an installed package: under /usr, /lib*, /bin, /sbin or
// /opt, and an executable mapping or a shared object ("*.so", "*.so.N"). Data files (locale
// archives, fonts, caches) and paths outside the package directories (/tmp, /home, /memfd:...)
// do not.
bool IsPackageCodePath(const MappedFile& file);

// Pure: joins processes' code files with their owners (path -> package, as FindPackageOwners
// returns) and the pids holding a non-loopback listening socket. `available` is set.
RuntimeUsage BuildRuntimeUsage(const std::vector<ProcessFiles>& processes,
                               const std::unordered_map<std::string, std::string>& owners,
                               const std::unordered_set<std::int64_t>& listening_pids);

// Whether a bound address (as the ports collector prints it) is reachable only from this host:
// 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104.
bool IsLoopbackAddress(std::string_view bind_ip);

// Reads the host: every user-space process (kernel threads skipped) once — /proc/<pid>/stat,
// /proc/<pid>/exe and /proc/<pid>/maps (at most 8 MiB of it, kMaxMappedFilesPerPid files) —
// then the owners of at most kMaxRuntimePaths distinct code paths (FindPackageOwners: dpkg lists
// or the apk database) and the listening sockets (ReadListeningPorts). On the live host,
// processes whose root directory is not this process's (containers, chroots) are skipped: their
// paths name another filesystem's files. A process that exits or cannot be read (another user's,
// without root) contributes what could be read (its exe link, or nothing). Never fails: without
// /proc the result is not `available`. Thread-safe (no shared state); the result is a snapshot of
// a changing /proc.
RuntimeUsage ReadRuntimeUsage(const HostView& host);

// Labels OS-package findings (type deb, apk, rpm) of which some binary is in use: NEED_RESTART
// when a process maps a file of it, REMOTE when such a process listens on a non-loopback port;
// fills Finding::processes (the union over the binaries, listening first then by pid, at most
// kMaxFindingProcesses). Labels already present are not repeated. A usage that is not
// `available` changes nothing.
void ApplyRuntimeLabels(std::vector<Finding>& findings, const RuntimeUsage& usage);

}  // namespace rampart::agent::vuln
