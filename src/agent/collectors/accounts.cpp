#include "agent/collectors/accounts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <map>
#include <optional>
#include <unordered_map>

#include "agent/collectors/login_records.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/registry.h"
#include "agent/collectors/sudoers.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxAccounts = 100'000;
constexpr std::size_t kMaxKeysFileBytes = 1 << 20;
constexpr std::size_t kMaxSshdConfigBytes = 1 << 20;
constexpr std::size_t kMaxWtmpBytes = 8u << 20;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kNeverExpires = 99'999;  // shadow's conventional "no maximum age"

constexpr std::array<Field, 16> kSchema{{
    {"name", FieldType::kString, false, true},
    {"uid", FieldType::kInt, false, true},
    {"gid", FieldType::kInt, false, true},
    {"groups", FieldType::kStringArray, false, false},
    {"home", FieldType::kString, false, false},
    {"shell", FieldType::kString, false, true},
    {"is_root", FieldType::kBool, false, true},
    {"is_sudo", FieldType::kBool, false, true},
    {"password_status", FieldType::kString, false, true},
    {"password_last_change", FieldType::kString, true, false},
    {"password_max_days", FieldType::kInt, true, false},
    {"ssh_keys", FieldType::kInt, false, true},
    {"login_type", FieldType::kString, false, true},
    {"last_login_time", FieldType::kString, true, true},
    {"last_login_ip", FieldType::kString, true, true},
    {"password_hash_type", FieldType::kString, true, false},
}};

Json OptInt(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

std::string_view BaseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// sshd_config with its Include directives spliced in (globs relative to /etc/ssh, depth ≤ 4).
void AppendSshdConfig(const HostView& host, const std::string& path, int depth, std::string* out) {
  if (depth > 4 || out->size() > kMaxSshdConfigBytes) return;
  auto text = host.ReadFile(path, kMaxSshdConfigBytes);
  if (!text) return;
  for (std::string_view line : SplitLines(*text)) {
    const auto words = SplitWhitespace(line);
    if (words.size() >= 2 && ToLower(words[0]) == "include") {
      for (std::size_t i = 1; i < words.size(); ++i) {
        std::string pattern(words[i]);
        if (pattern.front() != '/') pattern = "/etc/ssh/" + pattern;
        for (const auto& p : host.Glob(pattern)) AppendSshdConfig(host, p, depth + 1, out);
      }
      continue;
    }
    out->append(line);
    out->push_back('\n');
  }
}

struct LastSeen {
  std::int64_t time = 0;
  std::string ip;
};

// Reads the lastlog record of one uid (records are indexed by uid; the file is sparse).
std::optional<LastSeen> LastlogFor(const UniqueFd& fd, std::uint64_t file_size, std::uint32_t uid) {
  const std::uint64_t off = std::uint64_t{uid} * kLastlogRecordSize;
  if (!fd.valid() || off + kLastlogRecordSize > file_size) return std::nullopt;
  std::string buf(kLastlogRecordSize, '\0');
  if (::pread(fd.get(), buf.data(), buf.size(), static_cast<off_t>(off)) !=
      static_cast<ssize_t>(buf.size())) {
    return std::nullopt;
  }
  const auto entries = ParseLastlog(buf);
  if (entries.empty()) return std::nullopt;
  return LastSeen{entries.front().time, entries.front().host};
}

// The latest USER_PROCESS per user name in the tail of /var/log/wtmp.
std::unordered_map<std::string, LastSeen> WtmpLogins(const HostView& host) {
  std::unordered_map<std::string, LastSeen> out;
  auto fd = host.OpenFile("/var/log/wtmp");
  struct stat st {};
  if (!fd || ::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return out;
  const auto size = static_cast<std::size_t>(st.st_size) / kUtmpRecordSize * kUtmpRecordSize;
  const std::size_t want = std::min(size, kMaxWtmpBytes / kUtmpRecordSize * kUtmpRecordSize);
  std::string buf(want, '\0');
  const ssize_t n = ::pread(fd->get(), buf.data(), want, static_cast<off_t>(size - want));
  if (n <= 0) return out;
  buf.resize(static_cast<std::size_t>(n));
  for (auto& r : ParseUtmp(buf)) {
    if (r.type != UtmpType::kUserProcess || r.user.empty()) continue;
    auto& seen = out[r.user];
    if (r.time >= seen.time) seen = {r.time, !r.ip.empty() ? r.ip : r.host};
  }
  return out;
}

// On this machine a login shell that does not exist cannot run, so the account cannot log in. In an
// image or fixture root the shell may simply not have been copied, so the check is live-only.
bool ShellMissing(const HostView& host, const std::string& shell) {
  if (!host.is_live() || shell.empty() || shell.front() != '/') return false;
  return !host.Exists(shell);
}

bool IsAdminGroup(std::string_view g) { return g == "sudo" || g == "wheel" || g == "admin"; }

class AccountsCollector final : public Collector {
 public:
  std::string_view name() const override { return "accounts"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return AccountsSchema(); }
  Result<Json> Collect(const CollectContext& ctx) override;
};

Result<Json> AccountsCollector::Collect(const CollectContext& ctx) {
  const HostView& host = ctx.host;
  if (!host.Exists("/etc/passwd")) return NotFound("accounts: no /etc/passwd in " + host.root());
  const auto users = ReadPasswd(host, kMaxAccounts);
  const auto groups = ReadGroup(host, kMaxAccounts);

  std::unordered_map<std::uint32_t, const GroupEntry*> group_by_gid;
  std::unordered_map<std::string, std::vector<const GroupEntry*>> groups_of_member;
  for (const auto& g : groups) {
    group_by_gid.emplace(g.gid, &g);
    for (const auto& m : g.members) groups_of_member[m].push_back(&g);
  }

  const auto shadow = ReadShadow(host, kMaxAccounts);
  if (!shadow) log::Debug("accounts: /etc/shadow unreadable in {}", host.root());
  std::unordered_map<std::string, const ShadowEntry*> shadow_by_name;
  if (shadow) {
    for (const auto& s : *shadow) shadow_by_name.emplace(s.name, &s);
  }

  const SudoPolicy sudo = ReadSudoPolicy(host);
  std::string sshd_config;
  AppendSshdConfig(host, "/etc/ssh/sshd_config", 0, &sshd_config);
  const auto key_patterns = AuthorizedKeysPatterns(sshd_config);

  auto lastlog = host.OpenFile("/var/log/lastlog");
  UniqueFd lastlog_fd = lastlog ? std::move(*lastlog) : UniqueFd();
  struct stat lastlog_st {};
  if (lastlog_fd.valid() && ::fstat(lastlog_fd.get(), &lastlog_st) != 0) lastlog_st.st_size = 0;
  const auto wtmp = WtmpLogins(host);

  const std::int64_t today =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.clock.Now().time_since_epoch()).count() /
      kSecondsPerDay;

  Json rows = Json::MakeArray();
  for (const auto& u : users) {
    Json row;
    row["name"] = u.name;
    row["uid"] = u.uid;
    row["gid"] = u.gid;

    std::vector<std::string> group_names;
    std::vector<std::uint32_t> gids{u.gid};
    auto primary = group_by_gid.find(u.gid);
    group_names.push_back(primary != group_by_gid.end() ? primary->second->name
                                                        : std::to_string(u.gid));
    if (auto it = groups_of_member.find(u.name); it != groups_of_member.end()) {
      for (const GroupEntry* g : it->second) {
        if (g->gid == u.gid && g->name == group_names.front()) continue;
        bool dup = false;
        for (const auto& n : group_names) dup = dup || n == g->name;
        if (dup) continue;
        group_names.push_back(g->name);
        gids.push_back(g->gid);
      }
    }
    row["groups"] = Json::StringArray(group_names);
    row["home"] = u.home;
    row["shell"] = u.shell;
    row["is_root"] = u.uid == 0;

    bool nopasswd = false;
    bool is_sudo = sudo.Grants(u.name, u.uid, group_names, gids, &nopasswd);
    for (const auto& g : group_names) is_sudo = is_sudo || IsAdminGroup(g);
    row["is_sudo"] = is_sudo;

    // Password state: shadow when it has the user, else the passwd field itself.
    const ShadowEntry* sh = nullptr;
    if (auto it = shadow_by_name.find(u.name); it != shadow_by_name.end()) sh = it->second;
    PasswordStatus status;
    std::string hash_type;
    std::string_view source;
    if (sh != nullptr && u.password == "x") {
      status = sh->status;
      hash_type = sh->hash_type;
      source = "shadow";
    } else if (u.password != "x" || shadow) {
      // A hash in passwd itself is used as is; "x" without a shadow entry can never match.
      status = ClassifyPassword(u.password);
      hash_type = HashType(u.password);
      source = u.password == "x" ? "shadow" : "passwd";
    } else {
      status = PasswordStatus::kNone;
      source = "unavailable";
    }
    row["password_status"] = PasswordStatusName(status);

    std::optional<std::int64_t> last_change, max_days;
    if (sh != nullptr) {  // ageing applies whatever field holds the password
      last_change = sh->last_change;
      max_days = sh->max_days;
    }
    row["password_last_change"] = last_change && *last_change > 0
                                      ? Json(FormatIso8601(*last_change * kSecondsPerDay))
                                      : Json(nullptr);
    row["password_max_days"] = OptInt(max_days);

    std::int64_t keys = 0;
    if (!u.home.empty() && u.home.front() == '/') {
      std::vector<std::string> seen_paths;
      for (const auto& pattern : key_patterns) {
        const std::string path = ExpandAuthorizedKeysPath(pattern, u.name, u.uid, u.home);
        bool dup = false;
        for (const auto& p : seen_paths) dup = dup || p == path;
        if (dup) continue;
        seen_paths.push_back(path);
        if (auto text = host.ReadFile(path, kMaxKeysFileBytes)) {
          keys += static_cast<std::int64_t>(CountAuthorizedKeys(*text));
        }
      }
    }
    row["ssh_keys"] = keys;
    const std::string effective_shell = u.shell.empty() ? "/bin/sh" : u.shell;
    const bool nologin = IsNoLoginShell(u.shell) || ShellMissing(host, effective_shell);
    row["login_type"] = LoginType(nologin, keys, status);

    std::optional<LastSeen> last =
        LastlogFor(lastlog_fd, static_cast<std::uint64_t>(lastlog_st.st_size), u.uid);
    if (auto it = wtmp.find(u.name); it != wtmp.end() && (!last || it->second.time > last->time)) {
      last = it->second;
    }
    row["last_login_time"] = last ? Json(FormatIso8601(last->time)) : Json(nullptr);
    row["last_login_ip"] = last && !last->ip.empty() ? Json(last->ip) : Json(nullptr);

    // Extras.
    row["password_hash_type"] = hash_type.empty() ? Json(nullptr) : Json(hash_type);
    row["password_status_source"] = source;
    bool expired = false;
    if (last_change && *last_change == 0) expired = true;
    if (last_change && *last_change > 0 && max_days && *max_days < kNeverExpires) {
      expired = today > *last_change + *max_days;
    }
    row["password_expired"] = expired;
    row["password_min_days"] = OptInt(sh != nullptr ? sh->min_days : std::nullopt);
    row["password_warn_days"] = OptInt(sh != nullptr ? sh->warn_days : std::nullopt);
    row["password_inactive_days"] = OptInt(sh != nullptr ? sh->inactive_days : std::nullopt);
    // 0 or empty: never expires.
    const std::int64_t expire = sh != nullptr ? sh->expire.value_or(0) : 0;
    row["account_expires"] =
        expire > 0 ? Json(FormatIso8601(expire * kSecondsPerDay)) : Json(nullptr);
    row["account_expired"] = expire > 0 && today >= expire;
    row["sudo_nopasswd"] = is_sudo && nopasswd;
    row["uid0_duplicate"] = u.uid == 0 && u.name != "root";
    row["gecos"] = u.gecos;
    rows.Push(std::move(row));
  }
  return rows;
}

}  // namespace

std::span<const Field> AccountsSchema() { return kSchema; }

bool IsNoLoginShell(std::string_view shell) {
  if (shell == "/dev/null") return true;
  const std::string_view base = BaseName(TrimView(shell));
  return base == "nologin" || base == "false" || base == "sync" || base == "shutdown" ||
         base == "halt";
}

bool IsAuthorizedKeyLine(std::string_view line) {
  line = TrimView(line);
  if (line.empty() || line.front() == '#') return false;
  auto is_key_type = [](std::string_view t) {
    return t.starts_with("ssh-") || t.starts_with("ecdsa-sha2-") || t.starts_with("sk-ssh-") ||
           t.starts_with("sk-ecdsa-sha2-");
  };
  auto token_at = [&](std::size_t pos) {
    std::size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    return line.substr(pos, end - pos);
  };
  auto has_blob_after = [&](std::size_t pos) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    return pos < line.size();
  };
  std::string_view first = token_at(0);
  if (is_key_type(first)) return has_blob_after(first.size());
  // Skip the options field: up to the first unquoted blank.
  bool quoted = false;
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\' && quoted && i + 1 < line.size()) {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      break;
    }
  }
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i >= line.size()) return false;
  const std::string_view type = token_at(i);
  return is_key_type(type) && has_blob_after(i + type.size());
}

std::size_t CountAuthorizedKeys(std::string_view text) {
  std::size_t n = 0;
  for (std::string_view line : SplitLines(text)) n += IsAuthorizedKeyLine(line) ? 1u : 0u;
  return n;
}

std::vector<std::string> AuthorizedKeysPatterns(std::string_view sshd_config) {
  for (std::string_view line : SplitLines(sshd_config)) {
    line = TrimView(line);
    if (line.empty() || line.front() == '#') continue;
    auto words = SplitWhitespace(line);
    if (words.empty()) continue;
    std::string key = ToLower(words[0]);
    // "Key=value" is also accepted by sshd.
    std::vector<std::string> values;
    if (auto eq = key.find('='); eq != std::string::npos) {
      if (eq + 1 < key.size()) values.emplace_back(words[0].substr(eq + 1));
      key.resize(eq);
    }
    if (key == "match") break;  // later settings are conditional
    if (key != "authorizedkeysfile") continue;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i] != "=") values.emplace_back(words[i]);
    }
    if (values.size() == 1 && values[0] == "none") return {};
    return values;
  }
  return {".ssh/authorized_keys", ".ssh/authorized_keys2"};
}

std::string ExpandAuthorizedKeysPath(std::string_view pattern, std::string_view user,
                                     std::uint32_t uid, std::string_view home) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 >= pattern.size()) {
      out.push_back(pattern[i]);
      continue;
    }
    const char c = pattern[++i];
    if (c == 'h') {
      out.append(home);
    } else if (c == 'u') {
      out.append(user);
    } else if (c == 'U') {
      out.append(std::to_string(uid));
    } else if (c == '%') {
      out.push_back('%');
    } else {
      out.push_back('%');
      out.push_back(c);
    }
  }
  if (out.empty() || out.front() != '/') {
    std::string base(home);
    if (base.empty() || base.back() != '/') base.push_back('/');
    out = base + out;
  }
  return out;
}

std::string_view LoginType(bool nologin_shell, std::int64_t ssh_keys, PasswordStatus status) {
  if (nologin_shell) return "nologin";
  const bool key = ssh_keys > 0;
  const bool password = status == PasswordStatus::kSet;
  if (key && password) return "key+password";
  if (key) return "key";
  if (password) return "password";
  return "none";
}

std::unique_ptr<Collector> MakeAccountsCollector() { return std::make_unique<AccountsCollector>(); }

}  // namespace rampart::agent
