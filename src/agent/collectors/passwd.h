#pragma once
// /etc/passwd and /etc/group parsing, shared by every collector that names users (accounts, ports,
// processes, scheduled tasks, env vars). Pure parsers plus a host reader.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/host_view.h"

namespace rampart::agent {

struct PasswdEntry {
  std::string name;
  std::string password;  // the passwd field ("x" when the hash lives in shadow)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string gecos;
  std::string home;
  std::string shell;
  std::size_t line = 0;  // 1-based line in the file
};

struct GroupEntry {
  std::string name;
  std::uint32_t gid = 0;
  std::vector<std::string> members;
};

// Parses one passwd line; false for comments, blank, NIS "+"/"-" lines and malformed lines
// (wrong field count, non-numeric uid/gid).
bool ParsePasswdLine(std::string_view line, PasswdEntry* out);
std::vector<PasswdEntry> ParsePasswd(std::string_view text);
bool ParseGroupLine(std::string_view line, GroupEntry* out);
std::vector<GroupEntry> ParseGroup(std::string_view text);

// Reads /etc/passwd (streamed, so a huge file costs no memory beyond its entries; at most
// max_entries kept).
std::vector<PasswdEntry> ReadPasswd(const HostView& host, std::size_t max_entries = 1'000'000);
std::vector<GroupEntry> ReadGroup(const HostView& host, std::size_t max_entries = 1'000'000);

// uid -> user name, first entry wins (as getpwuid does).
class UserNames {
 public:
  explicit UserNames(const std::vector<PasswdEntry>& entries);
  static UserNames Read(const HostView& host) { return UserNames(ReadPasswd(host)); }
  // The name, or the decimal uid when unknown.
  std::string Name(std::uint32_t uid) const;

 private:
  std::unordered_map<std::uint32_t, std::string> names_;
};

}  // namespace rampart::agent
