#include "agent/collectors/env_vars.h"

#include <array>
#include <set>
#include <string>
#include <vector>

#include "agent/collectors/env_file.h"
#include "agent/collectors/passwd.h"
#include "agent/collectors/registry.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxProfileD = 64;

constexpr std::array<Field, 7> kSchema{{
    {"name", FieldType::kString, false, true},
    {"value", FieldType::kString, false, true},
    {"scope", FieldType::kString, false, true},
    {"user", FieldType::kString, false, true},
    {"source", FieldType::kString, false, true},
    {"line", FieldType::kInt, false, false},
    {"masked", FieldType::kBool, false, false},
}};

enum class Syntax { kShell, kEnvironment, kPamEnv };

struct Source {
  std::string path;
  Syntax syntax;
};

class EnvVarsCollector final : public Collector {
 public:
  std::string_view name() const override { return "env_vars"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return EnvVarsSchema(); }
  Result<Json> Collect(const CollectContext& ctx) override;
};

void CollectFile(const HostView& host, const Source& src, std::string_view user, Json* rows) {
  if (rows->size() >= kEnvMaxRows) return;
  auto text = host.ReadFile(src.path, kEnvMaxFileBytes);
  if (!text) {
    if (text.error().code() != Code::kNotFound) {
      log::Debug("env_vars: {}: {}", src.path, text.error().ToString());
    }
    return;
  }
  const std::size_t room = kEnvMaxRows - rows->size();
  std::vector<EnvAssignment> found;
  switch (src.syntax) {
    case Syntax::kShell:
      found = ParseShellEnv(*text, room);
      break;
    case Syntax::kEnvironment:
      found = ParseEnvironmentFile(*text, room);
      break;
    case Syntax::kPamEnv:
      found = ParsePamEnvironment(*text, room);
      break;
  }
  for (const auto& a : found) {
    const MaskedValue mv = MaskEnvValue(a.name, a.value);
    Json row;
    row["name"] = a.name;
    row["value"] = mv.value;
    row["scope"] = user.empty() ? "system" : "user";
    row["user"] = user;
    row["source"] = src.path;
    row["line"] = a.line;
    row["masked"] = mv.masked;
    rows->Push(std::move(row));
  }
}

std::vector<Source> SystemSources(const HostView& host) {
  std::vector<Source> out = {
      {"/etc/environment", Syntax::kEnvironment},
      {"/etc/default/locale", Syntax::kEnvironment},
      {"/etc/security/pam_env.conf", Syntax::kPamEnv},
      {"/etc/profile", Syntax::kShell},
  };
  std::size_t n = 0;
  for (auto& p : host.Glob("/etc/profile.d/*.sh")) {
    if (++n > kMaxProfileD) break;
    out.push_back({std::move(p), Syntax::kShell});
  }
  for (const char* p : {"/etc/bash.bashrc", "/etc/bashrc", "/etc/zsh/zshenv", "/etc/zshenv",
                        "/etc/csh.cshrc", "/etc/csh.login"}) {
    out.push_back({p, Syntax::kShell});
  }
  n = 0;
  for (auto& p : host.Glob("/etc/profile.d/*.csh")) {
    if (++n > kMaxProfileD) break;
    out.push_back({std::move(p), Syntax::kShell});
  }
  return out;
}

Result<Json> EnvVarsCollector::Collect(const CollectContext& ctx) {
  const HostView& host = ctx.host;
  Json rows = Json::MakeArray();
  for (const auto& src : SystemSources(host)) CollectFile(host, src, "", &rows);

  static constexpr std::array<std::string_view, 7> kShellFiles = {
      ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zshenv", ".zprofile"};
  std::set<std::string> homes_done;
  for (const auto& u : ReadPasswd(host, 100'000)) {
    if (rows.size() >= kEnvMaxRows) break;
    std::string home = u.home;
    while (home.size() > 1 && home.back() == '/') home.pop_back();
    // "/" as a home would read the system's root dotfiles under a daemon's name.
    if (home.size() <= 1 || home.front() != '/' || !homes_done.insert(home).second) continue;
    auto st = host.Stat(home);
    if (!st || !st->is_dir()) continue;
    for (auto f : kShellFiles)
      CollectFile(host, {home + "/" + std::string(f), Syntax::kShell}, u.name, &rows);
    CollectFile(host, {home + "/.pam_environment", Syntax::kPamEnv}, u.name, &rows);
  }
  return rows;
}

}  // namespace

std::span<const Field> EnvVarsSchema() { return kSchema; }

std::unique_ptr<Collector> MakeEnvVarsCollector() { return std::make_unique<EnvVarsCollector>(); }

}  // namespace rampart::agent
