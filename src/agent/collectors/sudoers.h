#pragma once
// sudoers(5) parsing, enough to answer "who may run commands as root": user specifications (user
// lines, %group, %#gid, #uid, ALL), User_Alias definitions (expanded, cycles cut), and the include
// directives
// (#include / @include / #includedir / @includedir). Host, runas and command parts are not
// evaluated: any rule naming a user grants sudo. Negated entries ("!bob") and netgroups ("+ng") are
// ignored.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_view.h"

namespace rampart::agent {

// One user-list item of a user specification, as written ("alice", "%sudo", "%#27", "#1000", "ALL",
// or a User_Alias name).
struct SudoGrant {
  std::string who;
  bool nopasswd = false;  // the rule has a NOPASSWD: tag
  std::size_t line = 0;
};

struct SudoersFile {
  std::vector<SudoGrant> grants;
  std::map<std::string, std::vector<std::string>> user_aliases;
  std::vector<std::string> includes;  // paths as written (relative ones are relative to this file)
  std::vector<std::string> includedirs;  // directories as written
};

// Pure parser of one sudoers file. Handles comments, '\' line continuations and multi-alias lines
// ("User_Alias A = x, y : B = z"). Never fails; what it cannot read it skips.
SudoersFile ParseSudoers(std::string_view text);

// The principals granted by a set of sudoers files, with aliases expanded. Add() every file, then
// Finish() once, then ask Grants(). Not thread-safe while building; const methods are.
class SudoPolicy {
 public:
  void Add(const SudoersFile& file);
  // Expands User_Alias names (depth ≤ 16, cycles cut) over everything added so far.
  void Finish();
  // True when a rule names the user, its uid, one of its groups (by name or gid), or ALL.
  // *nopasswd (optional) is set when such a rule carries NOPASSWD. REQUIRES: Finish() was called.
  bool Grants(std::string_view user, std::uint32_t uid, const std::vector<std::string>& groups,
              const std::vector<std::uint32_t>& gids, bool* nopasswd = nullptr) const;

 private:
  void Expand(const std::string& who, bool nopasswd, int depth, std::set<std::string>* seen);
  void AddPrincipal(const std::string& who, bool nopasswd);

  std::map<std::string, std::vector<std::string>> aliases_;
  std::vector<std::pair<std::string, bool>> raw_;            // grants before alias expansion
  std::map<std::string, bool, std::less<>> users_, groups_;  // value: NOPASSWD seen
  std::map<std::uint32_t, bool> uids_, gids_;
  bool all_ = false;
  bool all_nopasswd_ = false;
};

// Reads /etc/sudoers and everything it includes (depth ≤ 8, ≤ 256 files, 1 MiB each; includedir
// skips names ending in '~' or containing '.', as sudo does). Missing files are skipped
// (log::Debug).
SudoPolicy ReadSudoPolicy(const HostView& host);

}  // namespace rampart::agent
