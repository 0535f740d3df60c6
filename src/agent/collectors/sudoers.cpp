#include "agent/collectors/sudoers.h"

#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxLogicalLine = 64 << 10;
constexpr int kMaxIncludeDepth = 8;
constexpr std::size_t kMaxFiles = 256;
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr int kMaxAliasDepth = 16;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Drops a '#' comment. '#' followed by a digit is a uid ("#1000") and "%#27" a gid, not comments.
std::string_view StripComment(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '#') continue;
    const bool token_start = i == 0 || IsSpace(s[i - 1]) || s[i - 1] == ',' || s[i - 1] == '=';
    const bool digit_next = i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9';
    if (token_start && !digit_next) return TrimView(s.substr(0, i));
  }
  return s;
}

// "#include x" / "@includedir x" -> true with *dir and *path set.
bool ParseInclude(std::string_view s, bool* dir, std::string* path) {
  if (s.empty() || (s.front() != '#' && s.front() != '@')) return false;
  std::string_view rest = s.substr(1);
  if (rest.starts_with("includedir") && rest.size() > 10 && IsSpace(rest[10])) {
    *dir = true;
    rest.remove_prefix(10);
  } else if (rest.starts_with("include") && rest.size() > 7 && IsSpace(rest[7])) {
    *dir = false;
    rest.remove_prefix(7);
  } else {
    return false;
  }
  *path = Unquote(TrimView(rest));
  return !path->empty();
}

std::string FirstWord(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && !IsSpace(s[n]) && s[n] != '=') ++n;
  return std::string(s.substr(0, n));
}

// Items of a comma-separated list ("a, %b ,c"), unquoted and trimmed, empties dropped.
std::vector<std::string> ListItems(std::string_view s) {
  std::vector<std::string> out;
  for (auto item : Split(s, ',')) {
    item = TrimView(item);
    if (!item.empty()) out.push_back(Unquote(item));
  }
  return out;
}

// "A = x, y : B = z" after the User_Alias keyword. ':' after '%' belongs to a "%:group" name.
void ParseUserAliases(std::string_view defs, SudoersFile* out) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= defs.size(); ++i) {
    if (i < defs.size() && !(defs[i] == ':' && (i == 0 || defs[i - 1] != '%'))) continue;
    const std::string_view def = defs.substr(start, i - start);
    start = i + 1;
    const std::size_t eq = def.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(TrimView(def.substr(0, eq)));
    if (name.empty()) continue;
    auto& members = out->user_aliases[name];
    for (auto& m : ListItems(def.substr(eq + 1))) members.push_back(std::move(m));
  }
}

// A user specification: "user_list host_list = [(runas)] [TAGS:] commands [: host_list = ...]".
void ParseUserSpec(std::string_view s, std::size_t line, SudoersFile* out) {
  std::vector<std::string> users;
  std::size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsSpace(s[pos])) ++pos;
    const std::size_t begin = pos;
    while (pos < s.size() && !IsSpace(s[pos]) && s[pos] != ',') ++pos;
    if (pos > begin) users.push_back(Unquote(s.substr(begin, pos - begin)));
    std::size_t look = pos;
    while (look < s.size() && IsSpace(s[look])) ++look;
    if (look < s.size() && s[look] == ',') {
      pos = look + 1;
      continue;
    }
    pos = look;
    break;
  }
  const std::string_view rest = s.substr(pos);
  // A user list must be followed by a host list and '='; anything else is not a rule.
  if (users.empty() || rest.empty() || rest.find('=') == std::string_view::npos) return;
  if (rest.front() == '=') return;  // "NAME = value" is an alias or a malformed line
  const bool nopasswd = rest.find("NOPASSWD:") != std::string_view::npos;
  for (auto& u : users) out->grants.push_back({std::move(u), nopasswd, line});
}

void ParseLogicalLine(std::string_view raw, std::size_t line, SudoersFile* out) {
  std::string_view s = TrimView(raw);
  bool dir = false;
  std::string path;
  if (ParseInclude(s, &dir, &path)) {
    (dir ? out->includedirs : out->includes).push_back(std::move(path));
    return;
  }
  s = StripComment(s);
  if (s.empty()) return;
  const std::string word = FirstWord(s);
  if (word.starts_with("Defaults") || word == "Host_Alias" || word == "Cmnd_Alias" ||
      word == "Cmd_Alias" || word == "Runas_Alias") {
    return;
  }
  if (word == "User_Alias") {
    ParseUserAliases(s.substr(word.size()), out);
    return;
  }
  ParseUserSpec(s, line, out);
}

bool IsAliasName(std::string_view s) {
  if (s.empty() || !(s.front() >= 'A' && s.front() <= 'Z')) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void Merge(std::map<std::string, bool, std::less<>>* m, const std::string& k, bool nopasswd) {
  (*m)[k] = (*m)[k] || nopasswd;
}

}  // namespace

SudoersFile ParseSudoers(std::string_view text) {
  SudoersFile out;
  std::string logical;
  std::size_t start_line = 0;
  std::size_t n = 0;
  for (std::string_view line : SplitLines(text)) {
    ++n;
    if (logical.empty()) start_line = n;
    const bool continued = !line.empty() && line.back() == '\\';
    if (continued) line.remove_suffix(1);
    if (logical.size() + line.size() <= kMaxLogicalLine) logical.append(line);
    if (continued) {
      logical.push_back(' ');
      continue;
    }
    ParseLogicalLine(logical, start_line, &out);
    logical.clear();
  }
  if (!logical.empty()) ParseLogicalLine(logical, start_line, &out);
  return out;
}

void SudoPolicy::Add(const SudoersFile& file) {
  for (const auto& [name, members] : file.user_aliases) {
    auto& dst = aliases_[name];
    dst.insert(dst.end(), members.begin(), members.end());
  }
  for (const auto& g : file.grants) raw_.emplace_back(g.who, g.nopasswd);
}

void SudoPolicy::Finish() {
  for (const auto& [who, nopasswd] : raw_) {
    std::set<std::string> seen;
    Expand(who, nopasswd, 0, &seen);
  }
}

void SudoPolicy::Expand(const std::string& who, bool nopasswd, int depth,
                        std::set<std::string>* seen) {
  if (depth > kMaxAliasDepth || who.empty() || who.front() == '!' || who.front() == '+') return;
  auto it = IsAliasName(who) && who != "ALL" ? aliases_.find(who) : aliases_.end();
  if (it == aliases_.end()) {
    AddPrincipal(who, nopasswd);
    return;
  }
  if (!seen->insert(who).second) return;  // alias cycle
  for (const auto& m : it->second) Expand(m, nopasswd, depth + 1, seen);
}

void SudoPolicy::AddPrincipal(const std::string& who, bool nopasswd) {
  if (who == "ALL") {
    all_ = true;
    all_nopasswd_ = all_nopasswd_ || nopasswd;
  } else if (who.starts_with("%#") || who.starts_with("%:#")) {
    if (auto gid = ParseInt<std::uint32_t>(who.substr(who.find('#') + 1))) {
      gids_[*gid] = gids_[*gid] || nopasswd;
    }
  } else if (who.starts_with("%:")) {
    Merge(&groups_, who.substr(2), nopasswd);
  } else if (who.front() == '%') {
    Merge(&groups_, who.substr(1), nopasswd);
  } else if (who.front() == '#') {
    if (auto uid = ParseInt<std::uint32_t>(who.substr(1))) uids_[*uid] = uids_[*uid] || nopasswd;
  } else {
    Merge(&users_, who, nopasswd);
  }
}

bool SudoPolicy::Grants(std::string_view user, std::uint32_t uid,
                        const std::vector<std::string>& groups,
                        const std::vector<std::uint32_t>& gids, bool* nopasswd) const {
  bool granted = false;
  bool np = false;
  auto hit = [&](bool rule_nopasswd) {
    granted = true;
    np = np || rule_nopasswd;
  };
  if (all_) hit(all_nopasswd_);
  if (auto it = users_.find(user); it != users_.end()) hit(it->second);
  if (auto it = uids_.find(uid); it != uids_.end()) hit(it->second);
  for (const auto& g : groups) {
    if (auto it = groups_.find(g); it != groups_.end()) hit(it->second);
  }
  for (auto g : gids) {
    if (auto it = gids_.find(g); it != gids_.end()) hit(it->second);
  }
  if (nopasswd != nullptr) *nopasswd = np;
  return granted;
}

namespace {

std::string DirName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

std::string Resolve(const std::string& base_file, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  return DirName(base_file) + "/" + path;
}

struct Loader {
  const HostView& host;
  SudoPolicy* policy;
  std::size_t files = 0;

  void Load(const std::string& path, int depth) {
    if (depth > kMaxIncludeDepth || files >= kMaxFiles) {
      log::Debug("sudoers: include limit reached at {}", path);
      return;
    }
    ++files;
    auto text = host.ReadFile(path, kMaxFileBytes);
    if (!text) {
      log::Debug("sudoers: {}: {}", path, text.error().ToString());
      return;
    }
    const SudoersFile file = ParseSudoers(*text);
    policy->Add(file);
    for (const auto& inc : file.includes) Load(Resolve(path, inc), depth + 1);
    for (const auto& d : file.includedirs) {
      const std::string dir = Resolve(path, d);
      auto names = host.ListDir(dir);
      if (!names) continue;
      for (const auto& name : *names) {
        if (name.empty() || name.back() == '~' || name.find('.') != std::string::npos) continue;
        Load(dir + "/" + name, depth + 1);
      }
    }
  }
};

}  // namespace

SudoPolicy ReadSudoPolicy(const HostView& host) {
  SudoPolicy policy;
  Loader loader{host, &policy};
  loader.Load("/etc/sudoers", 0);
  policy.Finish();
  return policy;
}

}  // namespace rampart::agent
