#include "agent/collectors/passwd.h"

#include "common/strings.h"

namespace rampart::agent {

bool ParsePasswdLine(std::string_view line, PasswdEntry* out) {
  if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-')
    return false;
  const auto f = Split(line, ':');
  if (f.size() != 7 || f[0].empty()) return false;
  auto uid = ParseInt<std::uint32_t>(f[2]);
  auto gid = ParseInt<std::uint32_t>(f[3]);
  if (!uid || !gid) return false;
  out->name = std::string(f[0]);
  out->password = std::string(f[1]);
  out->uid = *uid;
  out->gid = *gid;
  out->gecos = std::string(f[4]);
  out->home = std::string(f[5]);
  out->shell = std::string(f[6]);
  return true;
}

std::vector<PasswdEntry> ParsePasswd(std::string_view text) {
  std::vector<PasswdEntry> out;
  std::size_t n = 0;
  for (std::string_view line : SplitLines(text)) {
    ++n;
    PasswdEntry e;
    if (ParsePasswdLine(line, &e)) {
      e.line = n;
      out.push_back(std::move(e));
    }
  }
  return out;
}

bool ParseGroupLine(std::string_view line, GroupEntry* out) {
  if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-')
    return false;
  const auto f = Split(line, ':');
  if (f.size() != 4 || f[0].empty()) return false;
  auto gid = ParseInt<std::uint32_t>(f[2]);
  if (!gid) return false;
  out->name = std::string(f[0]);
  out->gid = *gid;
  out->members.clear();
  if (!f[3].empty()) {
    for (auto m : Split(f[3], ',')) {
      m = TrimView(m);
      if (!m.empty()) out->members.emplace_back(m);
    }
  }
  return true;
}

std::vector<GroupEntry> ParseGroup(std::string_view text) {
  std::vector<GroupEntry> out;
  for (std::string_view line : SplitLines(text)) {
    GroupEntry e;
    if (ParseGroupLine(line, &e)) out.push_back(std::move(e));
  }
  return out;
}

std::vector<PasswdEntry> ReadPasswd(const HostView& host, std::size_t max_entries) {
  std::vector<PasswdEntry> out;
  std::size_t n = 0;
  (void)host.ForEachLine(
      "/etc/passwd",
      [&](std::string_view line) {
        ++n;
        PasswdEntry e;
        if (ParsePasswdLine(line, &e)) {
          e.line = n;
          out.push_back(std::move(e));
        }
        return out.size() < max_entries;
      },
      64 << 10);
  return out;
}

std::vector<GroupEntry> ReadGroup(const HostView& host, std::size_t max_entries) {
  std::vector<GroupEntry> out;
  (void)host.ForEachLine(
      "/etc/group",
      [&](std::string_view line) {
        GroupEntry e;
        if (ParseGroupLine(line, &e)) out.push_back(std::move(e));
        return out.size() < max_entries;
      },
      1 << 20);
  return out;
}

UserNames::UserNames(const std::vector<PasswdEntry>& entries) {
  for (const auto& e : entries) names_.emplace(e.uid, e.name);
}

std::string UserNames::Name(std::uint32_t uid) const {
  auto it = names_.find(uid);
  return it != names_.end() ? it->second : std::to_string(uid);
}

}  // namespace rampart::agent
