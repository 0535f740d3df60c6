// Probes of authentication: accounts (passwd/shadow/group), the sshd effective configuration, PAM
// stacks, weak password hashes and network services without authentication.
#include <algorithm>
#include <map>
#include <set>

#include "agent/baseline/probes.h"
#include "agent/baseline/service_auth.h"
#include "agent/baseline/sshd_effective.h"
#include "common/strings.h"

namespace rampart::agent::baseline {
namespace {

bool IsNoLoginShell(std::string_view shell) {
  return shell == "/usr/sbin/nologin" || shell == "/sbin/nologin" || shell == "/bin/false" ||
         shell == "/usr/bin/false" || shell.empty();
}

Outcome Offenders(std::vector<std::string> bad, const std::string& ok_text) {
  if (bad.empty()) return Outcome::True(ok_text);
  return Outcome::False(ListSome(bad));
}

}  // namespace

Outcome ProbeAccounts(HostFacts& f, const Probe& p) {
  const std::string& c = p.check;
  const auto& passwd = f.Passwd();
  if (passwd.empty()) return Outcome::Error("/etc/passwd is absent or unreadable");
  if (c == "uid0_only_root") {
    std::vector<std::string> bad;
    for (const auto& e : passwd) {
      if (e.uid == 0 && e.name != "root") {
        bad.push_back("/etc/passwd:" + std::to_string(e.line) + ": " + e.name + " has uid 0");
      }
    }
    return Offenders(bad, "only root has uid 0");
  }
  if (c == "root_gid_0") {
    for (const auto& e : passwd) {
      if (e.name == "root") {
        return {e.gid == 0 ? Truth::kTrue : Truth::kFalse,
                {"root's primary gid is " + std::to_string(e.gid)}};
      }
    }
    return Outcome::False("no root account in /etc/passwd");
  }
  if (c == "passwords_shadowed") {
    std::vector<std::string> bad;
    for (const auto& e : passwd) {
      if (e.password != "x") {
        bad.push_back("/etc/passwd:" + std::to_string(e.line) + ": " + e.name +
                      " keeps its password field in passwd");
      }
    }
    return Offenders(bad, "every account's password is in /etc/shadow");
  }
  if (c == "unique_uids" || c == "unique_names") {
    std::map<std::string, std::vector<std::string>> seen;
    for (const auto& e : passwd) {
      seen[c == "unique_uids" ? std::to_string(e.uid) : e.name].push_back(e.name);
    }
    std::vector<std::string> bad;
    for (const auto& [k, names] : seen) {
      if (names.size() > 1) bad.push_back(k + " shared by " + Join(names, ", "));
    }
    return Offenders(bad, c == "unique_uids" ? "uids are unique" : "user names are unique");
  }
  if (c == "unique_gids") {
    std::map<std::uint32_t, std::vector<std::string>> seen;
    for (const auto& g : f.Groups()) seen[g.gid].push_back(g.name);
    std::vector<std::string> bad;
    for (const auto& [k, names] : seen) {
      if (names.size() > 1)
        bad.push_back("gid " + std::to_string(k) + " shared by " + Join(names, ", "));
    }
    return Offenders(bad, "gids are unique");
  }
  if (c == "shadow_group_empty") {
    std::vector<std::string> bad;
    for (const auto& g : f.Groups()) {
      if (g.name != "shadow") continue;
      for (const auto& m : g.members) bad.push_back(m + " is a member of group shadow");
      for (const auto& e : passwd) {
        if (e.gid == g.gid) bad.push_back(e.name + " has shadow as primary group");
      }
    }
    return Offenders(bad, "group shadow has no members");
  }
  if (c == "system_nologin") {
    // Accounts below UID_MIN (login.defs; 1000 by default) other than root and the historic
    // sync/shutdown/halt must not have a login shell.
    std::uint32_t uid_min = 1000;
    (void)f.host().ForEachLine("/etc/login.defs", [&](std::string_view line) {
      const auto w = SplitWhitespace(line);
      if (w.size() >= 2 && w[0] == "UID_MIN") {
        if (auto n = ParseInt<std::uint32_t>(w[1])) uid_min = *n;
      }
      return true;
    });
    std::vector<std::string> bad;
    for (const auto& e : passwd) {
      if (e.uid >= uid_min || e.name == "root" || e.name == "sync" || e.name == "shutdown" ||
          e.name == "halt" || e.uid == 65534) {
        continue;
      }
      if (!IsNoLoginShell(e.shell))
        bad.push_back(e.name + " (uid " + std::to_string(e.uid) + ") has shell " + e.shell);
    }
    return Offenders(bad, "system accounts have no login shell");
  }
  if (c == "no_legacy_plus") {
    std::vector<std::string> bad;
    for (const char* path : {"/etc/passwd", "/etc/shadow", "/etc/group"}) {
      int n = 0;
      (void)f.host().ForEachLine(path, [&](std::string_view line) {
        ++n;
        if (StartsWith(line, "+"))
          bad.push_back(std::string(path) + ":" + std::to_string(n) + ": legacy '+' entry");
        return true;
      });
    }
    return Offenders(bad, "no legacy NIS '+' entries");
  }
  // The rest need /etc/shadow.
  const auto& shadow = f.Shadow();
  if (!shadow) {
    return f.host().Exists("/etc/shadow")
               ? Outcome::Error("/etc/shadow is not readable (run as root)")
               : Outcome::Error("/etc/shadow is absent");
  }
  if (c == "no_empty_passwords") {
    std::vector<std::string> bad;
    for (const auto& s : *shadow) {
      if (s.status == PasswordStatus::kEmpty) {
        bad.push_back("/etc/shadow:" + std::to_string(s.line) + ": " + s.name +
                      " has an empty password");
      }
    }
    for (const auto& e : passwd) {
      if (e.password.empty()) {
        bad.push_back("/etc/passwd:" + std::to_string(e.line) + ": " + e.name +
                      " has an empty password");
      }
    }
    return Offenders(bad, "no account has an empty password");
  }
  // Ageing fields of accounts with a usable password.
  std::vector<std::string> bad;
  std::size_t n = 0;
  for (const auto& s : *shadow) {
    if (s.status != PasswordStatus::kSet) continue;
    ++n;
    std::optional<std::int64_t> v;
    std::string field;
    if (c == "password_max_days") {
      v = s.max_days;
      field = "max days";
    } else if (c == "password_min_days") {
      v = s.min_days;
      field = "min days";
    } else if (c == "password_warn_days") {
      v = s.warn_days;
      field = "warn days";
    } else {
      v = s.inactive_days;
      field = "inactive days";
    }
    if (!v || !p.cmp->Holds(std::to_string(*v))) {
      bad.push_back("/etc/shadow:" + std::to_string(s.line) + ": " + s.name + " " + field + " " +
                    (v ? std::to_string(*v) : std::string("unset")) + " (expected " +
                    p.cmp->Describe() + ")");
    }
  }
  return Offenders(bad, std::to_string(n) + " accounts with a password comply");
}

Outcome ProbeSshd(HostFacts& f, const Probe& p) {
  const auto& cfg = f.Sshd();
  if (!cfg) return Outcome::Na("/etc/ssh/sshd_config is absent");
  std::vector<std::string> bad, ok;
  auto judge = [&](const std::string& value, const std::string& where) {
    const std::string v = SshdExpandAlgorithms(p.key, value);
    const std::string desc = where + ": " + p.key + " " + value;
    if (p.cmp->Holds(v)) {
      ok.push_back(desc);
    } else {
      bad.push_back(desc + " (expected " + p.cmp->Describe() + ")");
    }
  };
  // The global value: what `sshd -T` prints when it could run (it resolves everything itself and
  // knows this build's defaults), else the files.
  const auto& effective = f.SshdEffective();
  const auto from_files = SshdGlobalValue(*cfg, p.key);
  const std::string* from_sshd = nullptr;
  if (effective.values) {
    auto it = effective.values->find(p.key);
    if (it != effective.values->end()) from_sshd = &it->second;
  }
  if (from_sshd) {
    std::string where = "sshd -T";
    if (from_files && from_files->source != "default")
      where += " (set at " + from_files->source + ")";
    judge(*from_sshd, where);
  } else if (from_files) {
    judge(from_files->value, from_files->source);
  } else {
    bad.push_back(p.key + " is not set and has no default");
  }
  // Every Match block that sets the keyword changes it for the connections it matches.
  for (const auto& block : cfg->matches) {
    for (const auto& d : block.directives) {
      if (d.key != p.key) continue;
      judge(d.value, d.file + ":" + std::to_string(d.line) + " (Match " + block.criteria + ")");
      break;
    }
  }
  for (const auto& problem : cfg->problems) ok.push_back(problem);
  if (!effective.note.empty()) (bad.empty() ? ok : bad).push_back(effective.note);
  if (!bad.empty()) return {Truth::kFalse, bad};
  return {Truth::kTrue, ok};
}

namespace {

struct PamLine {
  std::string type, control, module;
  std::vector<std::string> args;
  std::string where;
};

void ReadPamStack(const HostView& host, const std::string& service, const std::string& type,
                  int depth, std::vector<PamLine>* out) {
  if (depth > 8) return;
  const std::string path = "/etc/pam.d/" + service;
  int line_no = 0;
  (void)host.ForEachLine(path, [&](std::string_view raw) {
    ++line_no;
    std::string_view line = TrimView(raw);
    if (line.empty() || line[0] == '#') return true;
    if (ConsumePrefix(&line, "@include")) {
      ReadPamStack(host, Trim(line), type, depth + 1, out);
      return true;
    }
    auto w = SplitWhitespace(line);
    if (w.size() < 3) return true;
    std::string t(w[0]);
    if (!t.empty() && t[0] == '-') t.erase(0, 1);
    if (ToLower(t) != type) return true;
    std::size_t i = 1;
    std::string control(w[1]);
    if (StartsWith(control, "[")) {  // [value=action ...] spans words
      while (control.back() != ']' && i + 1 < w.size()) control += " " + std::string(w[++i]);
    }
    ++i;
    if (i >= w.size()) return true;
    if (control == "include" || control == "substack") {
      ReadPamStack(host, std::string(w[i]), type, depth + 1, out);
      return true;
    }
    PamLine pl;
    pl.type = t;
    pl.control = control;
    std::string mod(w[i]);
    pl.module = mod.substr(mod.rfind('/') == std::string::npos ? 0 : mod.rfind('/') + 1);
    for (std::size_t k = i + 1; k < w.size(); ++k) pl.args.emplace_back(w[k]);
    pl.where = path + ":" + std::to_string(line_no);
    out->push_back(std::move(pl));
    return true;
  });
}

}  // namespace

Outcome ProbePam(HostFacts& f, const Probe& p) {
  if (!f.host().Exists("/etc/pam.d/" + p.name)) {
    return Outcome::Na("/etc/pam.d/" + p.name + " is absent");
  }
  std::vector<PamLine> stack;
  ReadPamStack(f.host(), p.name, p.check, 0, &stack);
  std::vector<const PamLine*> lines;
  for (const auto& l : stack) {
    if (std::find(p.names.begin(), p.names.end(), l.module) == p.names.end()) continue;
    if (!p.control.empty() && !std::regex_search(l.control, std::regex(p.control))) continue;
    lines.push_back(&l);
  }
  const std::string what = p.check + " " + Join(p.names, "|") + " in /etc/pam.d/" + p.name;
  if (p.key.empty()) {  // the module itself must be (or not be) in the stack
    const bool present = !lines.empty();
    const std::string ev =
        present ? lines.front()->where + ": " + what : what + ": not in the stack";
    return {present == p.option_present ? Truth::kTrue : Truth::kFalse, {ev}};
  }
  if (lines.empty()) {
    if (!p.option_present) return Outcome::True(what + ": not in the stack");
    return Outcome::False(what + ": not in the stack");
  }
  std::vector<std::string> bad, ok;
  for (const auto* l : lines) {
    std::optional<std::string> value;
    for (const auto& a : l->args) {
      const auto eq = a.find('=');
      if (a.substr(0, eq) == p.key) value = eq == std::string::npos ? "" : a.substr(eq + 1);
    }
    const std::string desc = l->where + ": " + l->module + " " + Join(l->args, " ");
    if (!p.cmp) {
      (value.has_value() == p.option_present ? ok : bad).push_back(desc);
      continue;
    }
    if (!value && p.dflt) value = *p.dflt;
    if (value && p.cmp->Holds(*value)) {
      ok.push_back(desc);
    } else {
      bad.push_back(desc + " (" + p.key + " expected " + p.cmp->Describe() + ")");
    }
  }
  if (!bad.empty()) return {Truth::kFalse, bad};
  return {Truth::kTrue, ok};
}

Outcome ProbeWeakPasswords(HostFacts& f, const Probe& p) {
  std::vector<ShadowHash> accounts;
  const Status s = f.host().ForEachLine("/etc/shadow", [&](std::string_view line) {
    const auto fields = Split(line, ':');
    if (fields.size() >= 2 && !fields[0].empty() && fields[0][0] != '+' && fields[0][0] != '-') {
      accounts.push_back({std::string(fields[0]), std::string(fields[1])});
    }
    return accounts.size() < 100'000;
  });
  if (!s.ok()) return Outcome::Error("/etc/shadow: " + s.message());
  static const PasswordList builtin = ParsePasswordList(BuiltinPasswordList(), "builtin");
  std::vector<PasswordList> lists{builtin};
  for (const auto& d : f.options().dictionaries) lists.push_back(d);
  const WeakPasswordReport r = FindWeakPasswords(accounts, lists, p.budget);
  std::size_t candidates = 0;
  for (const auto& l : lists) candidates += l.words.size();
  for (auto& a : accounts) std::fill(a.hash.begin(), a.hash.end(), '\0');
  std::vector<std::string> bad;
  for (const auto& w : r.weak) {
    bad.push_back(w.user + " (" + w.hash_type + "): weak, in the " + w.list + " list");
  }
  if (!bad.empty()) {
    if (r.budget_exhausted) bad.push_back("budget exhausted before every account was tried");
    return {Truth::kFalse, bad};
  }
  if (r.budget_exhausted) {
    return Outcome::Error("budget exhausted after " + std::to_string(p.budget.count()) +
                          " ms of CPU: each of the " + std::to_string(r.accounts_checked) +
                          " accounts with a password was tried with its name and the " +
                          std::to_string(r.candidates_tried > 0 ? r.candidates_tried - 1 : 0) +
                          " most common passwords, none matched; raise the check's budget to try "
                          "all " +
                          std::to_string(candidates));
  }
  std::string ev = std::to_string(r.accounts_checked) + " accounts with a password tried against " +
                   std::to_string(lists.size()) + " list(s), none weak";
  if (!r.unsupported.empty()) ev += "; hash scheme unsupported for " + Join(r.unsupported, ", ");
  return Outcome::True(ev);
}

Outcome ProbeServiceAuth(HostFacts& f, const Probe& p) {
  std::vector<std::string> patterns;
  ServiceFinding (*analyze)(std::string_view, std::string_view) = nullptr;
  if (p.name == "redis") {
    patterns = {"/etc/redis/redis.conf", "/etc/redis.conf"};
    analyze = AnalyzeRedisConfig;
  } else if (p.name == "postgresql") {
    patterns = {"/etc/postgresql/*/*/pg_hba.conf", "/var/lib/pgsql/data/pg_hba.conf",
                "/var/lib/pgsql/*/data/pg_hba.conf"};
    analyze = AnalyzePgHba;
  } else if (p.name == "mongodb") {
    patterns = {"/etc/mongod.conf", "/etc/mongodb.conf"};
    analyze = AnalyzeMongodConfig;
  } else {
    patterns = {"/etc/elasticsearch/elasticsearch.yml"};
    analyze = AnalyzeElasticsearchConfig;
  }
  std::vector<std::string> bad, ok;
  for (const auto& path : ExpandPaths(f.host(), patterns)) {
    auto text = f.host().ReadFile(path, 4 << 20);
    if (!text) {
      if (text.status().code() == Code::kNotFound) continue;
      return Outcome::Error(path + ": " + text.status().message());
    }
    const ServiceFinding finding = analyze(*text, path);
    (finding.exposed ? bad : ok).push_back(finding.evidence);
  }
  if (!bad.empty()) return {Truth::kFalse, bad};
  if (ok.empty()) return Outcome::Na(p.name + " is not configured on this host");
  return {Truth::kTrue, ok};
}

}  // namespace rampart::agent::baseline
