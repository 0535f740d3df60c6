#pragma once
// Reads a host's systemd unit directories the way systemd resolves them (systemd.unit(5)), without
// talking to systemd: unit search path precedence, masks, aliases, templates and their instances,
// drop-ins, and the *.wants/ *.requires/ *.upholds/ symlinks that make a unit enabled.
// Shared by the startup_services (.service) and scheduled_tasks (.timer) collectors.
// Not thread-safe for concurrent use of one index; the HostView must outlive it.

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/systemd_unit.h"
#include "common/host_view.h"

namespace rampart::agent {

// The unit search path, highest precedence first. /lib and /usr/lib are the same directory on
// merged-/usr systems; the index visits a directory once (by device and inode). Generator output
// (/run/systemd/ generator*) is not read: it mirrors /etc/init.d and /etc/fstab, which are reported
// from their sources.
inline constexpr std::string_view kSystemdUnitDirs[] = {
    "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
    "/lib/systemd/system", "/usr/lib/systemd/system"};

inline constexpr std::size_t kMaxUnitFileBytes = 1 << 20;
inline constexpr std::size_t kMaxUnitDirEntries = 50'000;
inline constexpr std::size_t kMaxDropIns = 64;

struct SystemdUnit {
  std::string name;  // "ssh.service", "getty@tty1.service"
  UnitName parsed;
  std::string path;  // the unit file (the template's file for an instance; the mask link if masked)
  std::string source;   // "admin" (/etc, /usr/local), "runtime" (/run), "vendor" (/lib, /usr/lib)
  bool masked = false;  // the highest-precedence file is a symlink to /dev/null
  bool enabled =
      false;  // linked from a *.wants/ *.requires/ *.upholds/ dir, or an [Install] Alias= exists
  std::vector<std::string>
      wanted_by;  // the units whose .wants/.requires/.upholds dirs link it, sorted
  std::vector<std::string> aliases;   // alias symlink names pointing at it, sorted
  std::vector<std::string> drop_ins;  // drop-in files applied, in the order applied
  UnitConfig config;                  // the unit file followed by its drop-ins
};

class SystemdUnitIndex {
 public:
  // Lists the unit directories of `host`. Missing or unreadable directories are skipped (debug
  // log).
  explicit SystemdUnitIndex(const HostView& host);

  // Every unit with `suffix` (".service", ".timer") that systemd could load: unit files (not
  // templates), enabled instances of templates, units linked from a .wants/ dir that live
  // elsewhere, masked units. Sorted by name.
  std::vector<SystemdUnit> LoadAll(std::string_view suffix) const;
  // One unit by name (also an instance that is not enabled). nullopt when no file defines it.
  std::optional<SystemdUnit> Load(std::string_view name) const;

 private:
  struct Dir {
    std::string path;
    std::string source;
    std::set<std::string> dropin_dirs;  // "<name>.d" entries of the directory
  };
  struct UnitFileRef {
    std::string path;
    std::size_t dir = 0;
    bool masked = false;
  };
  void ScanDir(std::size_t index);
  void ScanLinkDir(const std::string& dir_path, const std::string& owner);
  std::vector<std::string> DropInPaths(const UnitName& unit, const std::string& name) const;

  const HostView& host_;
  std::vector<Dir> dirs_;
  std::map<std::string, UnitFileRef> files_;                    // name -> highest-precedence file
  std::map<std::string, std::set<std::string>> wanted_by_;      // unit -> owners of links to it
  std::map<std::string, std::string> link_paths_;               // unit -> first link naming it
  std::map<std::string, std::set<std::string>> aliases_;        // unit -> alias names (any dir)
  std::map<std::string, std::set<std::string>> admin_aliases_;  // unit -> aliases in /etc or /run
};

}  // namespace rampart::agent
