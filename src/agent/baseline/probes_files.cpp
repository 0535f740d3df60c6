// Probes over files: file metadata, line regexes, key = value settings, bounded directory scans,
// and the command probe (which also needs file metadata: where the program lives).
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "agent/baseline/probes.h"
#include "agent/collectors/systemctl_query.h"
#include "common/strings.h"

namespace rampart::agent::baseline {
namespace {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::string Octal(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string UserName(HostFacts& f, std::uint32_t uid) {
  for (const auto& e : f.Passwd()) {
    if (e.uid == uid) return e.name;
  }
  return std::to_string(uid);
}
std::string GroupName(HostFacts& f, std::uint32_t gid) {
  for (const auto& g : f.Groups()) {
    if (g.gid == gid) return g.name;
  }
  return std::to_string(gid);
}

const char* TypeName(const FileInfo& st) {
  if (st.is_symlink()) return "symlink";
  if (st.is_dir()) return "dir";
  if (st.is_regular()) return "file";
  return "special";
}

}  // namespace

std::vector<std::string> ExpandPaths(const HostView& host, const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& p : paths) {
    if (HasWildcard(p)) {
      for (auto& m : host.Glob(p)) {
        if (seen.insert(m).second) out.push_back(std::move(m));
      }
    } else if (seen.insert(p).second) {
      out.push_back(p);
    }
  }
  return out;
}

Outcome ProbeFile(HostFacts& f, const Probe& p) {
  std::vector<std::string> ok, bad;
  bool any = false;
  for (const auto& path : ExpandPaths(f.host(), p.paths)) {
    auto st = p.file_type == "symlink" ? f.host().Lstat(path) : f.host().Stat(path);
    if (!st) {
      if (st.status().code() != Code::kNotFound) {
        return Outcome::Error(path + ": " + st.status().message());
      }
      continue;
    }
    any = true;
    if (p.exists && !*p.exists) {
      bad.push_back(path + ": exists");
      continue;
    }
    std::string desc = path + ": " + TypeName(*st) + " " + Octal(st->mode) + " " +
                       UserName(f, st->uid) + ":" + GroupName(f, st->gid);
    std::vector<std::string> why;
    if (!p.file_type.empty() && p.file_type != TypeName(*st)) why.push_back("not a " + p.file_type);
    if (p.max_mode && (st->mode & 07777 & ~*p.max_mode) != 0) {
      why.push_back("mode " + Octal(st->mode) + " exceeds " + Octal(*p.max_mode));
    }
    if (!p.owners.empty()) {
      const bool owner_ok =
          std::any_of(p.owners.begin(), p.owners.end(), [&](const std::string& o) {
            auto uid = f.UserId(o);
            return uid && *uid == st->uid;
          });
      if (!owner_ok) why.push_back("owner not " + Join(p.owners, "|"));
    }
    if (!p.groups.empty()) {
      const bool group_ok =
          std::any_of(p.groups.begin(), p.groups.end(), [&](const std::string& g) {
            auto gid = f.GroupId(g);
            return gid && *gid == st->gid;
          });
      if (!group_ok) why.push_back("group not " + Join(p.groups, "|"));
    }
    if (why.empty()) {
      ok.push_back(desc);
    } else {
      bad.push_back(desc + " (" + Join(why, ", ") + ")");
    }
  }
  if (!bad.empty()) return {Truth::kFalse, bad};
  if (!any) {
    const std::string paths = Join(p.paths, ", ");
    if (p.exists && !*p.exists) return Outcome::True(paths + ": absent");
    if (p.missing_ok) return Outcome::True(paths + ": absent (nothing to check)");
    return Outcome::False(paths + ": absent");
  }
  return {Truth::kTrue, ok};
}

Outcome ProbeFileContent(HostFacts& f, const Probe& p) {
  std::vector<std::string> hits;
  bool any_file = false;
  for (const auto& path : ExpandPaths(f.host(), p.paths)) {
    int line_no = 0;
    const Status s = f.host().ForEachLine(path, [&](std::string_view line) {
      ++line_no;
      if (std::regex_search(line.begin(), line.end(), *p.pattern)) {
        hits.push_back(path + ":" + std::to_string(line_no) + ": " +
                       std::string(TrimView(line.substr(0, 200))));
      }
      return hits.size() < 64;
    });
    if (s.ok()) {
      any_file = true;
    } else if (s.code() != Code::kNotFound) {
      return Outcome::Error(path + ": " + s.message());
    }
  }
  const std::string where = Join(p.paths, ", ");
  if (!any_file) {
    if (p.expect == Expect::kAbsent || p.missing_ok) return Outcome::True(where + ": absent");
    return Outcome::False(where + ": absent");
  }
  if (p.expect == Expect::kPresent) {
    if (hits.empty()) return Outcome::False(where + ": no line matches /" + p.pattern_text + "/");
    return {Truth::kTrue, hits};
  }
  if (hits.empty()) return Outcome::True(where + ": no line matches /" + p.pattern_text + "/");
  return {Truth::kFalse, hits};
}

Outcome ProbeConfigValue(HostFacts& f, const Probe& p) {
  std::optional<HostFacts::Setting> found;
  bool any_file = false;
  const std::string key = ToLower(p.key);
  for (const auto& path : ExpandPaths(f.host(), p.paths)) {
    int line_no = 0;
    const Status s = f.host().ForEachLine(path, [&](std::string_view raw) {
      ++line_no;
      std::string_view line = TrimView(raw);
      if (line.empty() || line[0] == '#' || line[0] == ';') return true;
      std::string_view k, v;
      if (p.separator.empty()) {
        const auto sp = line.find_first_of(" \t");
        if (sp == std::string_view::npos) return true;
        k = line.substr(0, sp);
        v = TrimView(line.substr(sp));
      } else {
        const auto eq = line.find(p.separator[0]);
        if (eq == std::string_view::npos) return true;
        k = TrimView(line.substr(0, eq));
        v = TrimView(line.substr(eq + 1));
      }
      if (ToLower(k) != key) return true;
      if (const auto c = v.find(" #"); c != std::string_view::npos) v = TrimView(v.substr(0, c));
      found = HostFacts::Setting{Unquote(v), path + ":" + std::to_string(line_no)};
      return true;
    });
    if (s.ok()) {
      any_file = true;
    } else if (s.code() != Code::kNotFound) {
      return Outcome::Error(path + ": " + s.message());
    }
  }
  const std::string where = Join(p.paths, ", ");
  if (!found) {
    if (p.dflt) {
      const bool ok = p.cmp->Holds(*p.dflt);
      return {ok ? Truth::kTrue : Truth::kFalse,
              {p.key + " not set in " + where + "; default " + *p.dflt +
               (ok ? "" : " (expected " + p.cmp->Describe() + ")")}};
    }
    if (!any_file && p.missing_ok) return Outcome::True(where + ": absent");
    return Outcome::False(p.key + " not set in " + where + " (expected " + p.cmp->Describe() + ")");
  }
  const bool ok = p.cmp->Holds(found->value);
  return {ok ? Truth::kTrue : Truth::kFalse,
          {found->where + ": " + p.key + " " + found->value +
           (ok ? "" : " (expected " + p.cmp->Describe() + ")")}};
}

Outcome ProbeDirScan(HostFacts& f, const Probe& p) {
  std::vector<std::string> found;
  std::size_t visited = 0;
  bool truncated = false;
  std::set<std::uint32_t> known_uids, known_gids;
  if (p.check == "unowned") {
    for (const auto& e : f.Passwd()) known_uids.insert(e.uid);
    for (const auto& g : f.Groups()) known_gids.insert(g.gid);
  }
  auto consider = [&](const std::string& path, const std::string& name, const FileInfo& st) {
    if (st.is_symlink()) {
      if (p.check == "name" && std::regex_search(name, *p.pattern)) found.push_back(path);
      return;
    }
    const std::uint32_t m = st.mode;
    bool hit = false;
    if (p.check == "world_writable") {
      hit = (m & S_IWOTH) && !(st.is_dir() && (m & S_ISVTX));
    } else if (p.check == "group_writable") {
      hit = (m & (S_IWOTH | S_IWGRP)) && !(st.is_dir() && (m & S_ISVTX));
    } else if (p.check == "setuid") {
      hit = st.is_regular() && (m & S_ISUID);
    } else if (p.check == "setgid") {
      hit = st.is_regular() && (m & S_ISGID);
    } else if (p.check == "unowned") {
      hit = !known_uids.count(st.uid) || !known_gids.count(st.gid);
    } else if (p.check == "name") {
      hit = std::regex_search(name, *p.pattern);
    }
    if (hit) found.push_back(path + " (" + Octal(m) + ")");
  };
  // Depth-first walk that never follows symlinks (Lstat) and stops at max_entries.
  std::function<void(const std::string&, int)> walk = [&](const std::string& dir, int depth) {
    auto names = f.host().ListDir(dir);
    if (!names) return;
    for (const auto& n : *names) {
      if (++visited > p.max_entries) {
        truncated = true;
        return;
      }
      const std::string path = dir == "/" ? "/" + n : dir + "/" + n;
      auto st = f.host().Lstat(path);
      if (!st) continue;
      consider(path, n, *st);
      if (found.size() >= 100) return;
      if (st->is_dir() && depth < p.max_depth) walk(path, depth + 1);
      if (truncated) return;
    }
  };
  bool any_root = false;
  for (const auto& root : ExpandPaths(f.host(), p.paths)) {
    auto st = f.host().Lstat(root);
    if (!st || !st->is_dir()) {
      if (st) {
        any_root = true;
        consider(root, root.substr(root.rfind('/') + 1), *st);
      }
      continue;
    }
    any_root = true;
    consider(root, root.substr(root.rfind('/') + 1), *st);
    walk(root, 1);
  }
  const std::string where = Join(p.paths, ", ");
  if (!found.empty()) return {Truth::kFalse, {p.check + ": " + ListSome(found)}};
  if (truncated) {
    return Outcome::Error(where + ": scan stopped after " + std::to_string(p.max_entries) +
                          " entries with nothing found");
  }
  if (!any_root) return Outcome::True(where + ": absent");
  return Outcome::True(where + ": no " + p.check + " entries among " + std::to_string(visited));
}

std::string UnsafeExecutable(const std::string& path) {
  if (path.empty() || path[0] != '/') return path + " is not an absolute path";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return path + " is not installed";
  if (!S_ISREG(st.st_mode)) return path + " is not a regular file";
  // The program and every directory above it: root-owned, not writable by group or others.
  std::string p = path;
  while (true) {
    struct stat s {};
    if (lstat(p.c_str(), &s) != 0) return p + ": cannot stat";
    if (S_ISLNK(s.st_mode)) {
      // Follow merged-/usr links such as /bin -> usr/bin: judge the target too.
      if (stat(p.c_str(), &s) != 0) return p + ": dangling symlink";
    }
    if (s.st_uid != 0) return p + " is not owned by root";
    if (s.st_mode & (S_IWGRP | S_IWOTH)) return p + " is writable by group or others";
    if (p == "/") break;
    const auto slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  return "";
}

Outcome ProbeCommand(HostFacts& f, const Probe& p) {
  if (!f.host().is_live()) {
    return Outcome::Na("command " + p.argv[0] +
                       " not run: commands are never run against a --root (they would inspect this "
                       "machine, not the image)");
  }
  if (!f.options().allow_commands) return Outcome::Na("commands are disabled");
  const std::string unsafe = UnsafeExecutable(p.argv[0]);
  if (!unsafe.empty()) {
    if (EndsWith(unsafe, "is not installed")) return Outcome::Na(unsafe);
    return Outcome::Error("refused to run: " + unsafe);
  }
  auto out = RunCommandCapture(p.argv, p.timeout, std::size_t{1} << 20);
  if (!out) return Outcome::Error(out.status().message());
  std::vector<std::string> hits;
  ForEachLineOf(*out, [&](std::string_view line) {
    if (hits.size() < 16 && std::regex_search(line.begin(), line.end(), *p.pattern)) {
      hits.push_back(std::string(TrimView(line.substr(0, 200))));
    }
  });
  const std::string cmd = Join(p.argv, " ");
  if (p.expect == Expect::kPresent) {
    if (hits.empty())
      return Outcome::False(cmd + ": no output line matches /" + p.pattern_text + "/");
    return Outcome::True(cmd + ": " + ListSome(hits));
  }
  if (hits.empty()) return Outcome::True(cmd + ": no output line matches /" + p.pattern_text + "/");
  return Outcome::False(cmd + ": " + ListSome(hits));
}

}  // namespace rampart::agent::baseline
