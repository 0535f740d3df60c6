#include "agent/collectors/startup_services.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "agent/collectors/registry.h"
#include "agent/collectors/systemctl_query.h"
#include "agent/collectors/systemd_scan.h"
#include "agent/collectors/systemd_unit.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr Field kFields[] = {
    {"name", FieldType::kString, false, true},
    {"type", FieldType::kString, false, true},
    {"enabled", FieldType::kBool, false, true},
    {"state", FieldType::kString, false, true},
    {"exec", FieldType::kString, false, true},
    {"user", FieldType::kString, false, true},
    {"path", FieldType::kString, false, false},
    {"description", FieldType::kString, false, false},
    {"wanted_by", FieldType::kStringArray, false, false},
    {"restart", FieldType::kString, false, false},
    {"type_of_service", FieldType::kString, false, false},
    {"source", FieldType::kString, false, false},
    {"masked", FieldType::kBool, false, false},
    {"drop_ins", FieldType::kStringArray, false, false},
    {"aliases", FieldType::kStringArray, false, false},
};

constexpr std::size_t kMaxInitScripts = 10'000;
constexpr std::size_t kInitScriptHeadLines = 200;

using States = std::optional<std::map<std::string, std::string>>;

std::string StateOf(const States& states, const std::string& unit) {
  if (!states) return "unknown";
  auto it = states->find(unit);
  return it == states->end() ? "inactive" : it->second;
}

Json BaseRow(std::string name, std::string_view type) {
  Json row = Json::MakeObject();
  row["name"] = std::move(name);
  row["type"] = type;
  row["enabled"] = false;
  row["state"] = "unknown";
  row["exec"] = "";
  row["user"] = "root";
  row["path"] = "";
  row["description"] = "";
  row["wanted_by"] = Json::MakeArray();
  row["restart"] = "";
  row["type_of_service"] = "";
  row["source"] = "";
  row["masked"] = false;
  row["drop_ins"] = Json::MakeArray();
  row["aliases"] = Json::MakeArray();
  return row;
}

Json SystemdRow(const SystemdUnit& u, const States& states) {
  Json row = BaseRow(u.name, "systemd");
  const auto expand = [&u](std::string_view v) { return ExpandSpecifiers(v, u.parsed); };
  std::vector<std::string> execs;
  for (const std::string& e : u.config.GetList("Service", "ExecStart")) {
    execs.push_back(expand(StripExecPrefixes(e)));
  }
  std::string user = expand(u.config.Get("Service", "User"));
  if (user.empty()) {
    const std::string dynamic = ToLower(u.config.Get("Service", "DynamicUser"));
    const bool is_dynamic =
        dynamic == "yes" || dynamic == "true" || dynamic == "1" || dynamic == "on";
    // systemd names a dynamic user after the unit when User= is not set; otherwise services run as
    // root.
    user = is_dynamic ? u.name.substr(0, u.name.size() - u.parsed.suffix.size()) : "root";
  }
  std::string type = u.config.Get("Service", "Type");
  if (type.empty()) type = execs.empty() ? "oneshot" : "simple";
  std::string restart = u.config.Get("Service", "Restart");
  if (restart.empty()) restart = "no";

  row["enabled"] = u.enabled;
  row["state"] = u.masked ? std::string("masked") : StateOf(states, u.name);
  row["exec"] = Join(execs, " ; ");
  row["user"] = u.masked ? std::string() : user;
  row["path"] = u.path;
  row["description"] = expand(u.config.Get("Unit", "Description"));
  row["wanted_by"] = Json::StringArray(u.wanted_by);
  row["restart"] = u.masked ? std::string() : restart;
  row["type_of_service"] = u.masked ? std::string() : type;
  row["source"] = u.source;
  row["masked"] = u.masked;
  row["drop_ins"] = Json::StringArray(u.drop_ins);
  row["aliases"] = Json::StringArray(u.aliases);
  return row;
}

bool IsExecutable(const FileInfo& info) { return info.is_regular() && (info.mode & 0111) != 0; }

InitScriptInfo ReadInitScriptInfo(const HostView& host, const std::string& path) {
  std::string head;
  std::size_t lines = 0;
  (void)host.ForEachLine(
      path,
      [&](std::string_view line) {
        head.append(line);
        head.push_back('\n');
        return ++lines < kInitScriptHeadLines;
      },
      4096);
  return ParseInitScriptInfo(head);
}

// Script name -> runlevel directories holding a start link for it.
std::map<std::string, std::vector<std::string>> SysvStartLinks(const HostView& host) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string_view base : {"/etc", "/etc/rc.d"}) {
    for (const char level : {'2', '3', '4', '5'}) {
      const std::string dir = std::string(base) + "/rc" + level + ".d";
      auto names = host.ListDir(dir);
      if (!names.ok()) continue;
      for (const std::string& n : *names) {
        if (n.size() < 4 || n[0] != 'S' || !std::isdigit(static_cast<unsigned char>(n[1])) ||
            !std::isdigit(static_cast<unsigned char>(n[2]))) {
          continue;
        }
        auto& levels = out[n.substr(3)];
        const std::string level_name = std::string("runlevel") + level;
        if (std::find(levels.begin(), levels.end(), level_name) == levels.end()) {
          levels.push_back(level_name);
        }
      }
    }
  }
  return out;
}

std::map<std::string, std::vector<std::string>> OpenrcRunlevelLinks(const HostView& host) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string_view level : {"sysinit", "boot", "default"}) {
    auto names = host.ListDir("/etc/runlevels/" + std::string(level));
    if (!names.ok()) continue;
    for (const std::string& n : *names) out[n].emplace_back(level);
  }
  return out;
}

bool SkipInitScript(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kNotServices = {
      "README", "skeleton", "functions", "rc", "rcS", "halt", "reboot", "single"};
  if (name.empty() || name.front() == '.') return true;
  if (name.ends_with(".dpkg-old") || name.ends_with(".dpkg-dist") || name.ends_with(".rpmsave") ||
      name.ends_with(".rpmnew") || name.ends_with("~")) {
    return true;
  }
  return std::find(kNotServices.begin(), kNotServices.end(), name) != kNotServices.end();
}

void AddInitScripts(const HostView& host, const States& states, Json* rows) {
  // /etc/init.d is a link to /etc/rc.d/init.d on RPM systems; visit the directory once.
  std::string dir;
  for (const std::string_view candidate : {"/etc/init.d", "/etc/rc.d/init.d"}) {
    auto st = host.Stat(candidate);
    if (st.ok() && st->is_dir()) {
      dir = candidate;
      break;
    }
  }
  if (dir.empty()) return;
  auto names = host.ListDir(dir);
  if (!names.ok()) return;
  const auto sysv_links = SysvStartLinks(host);
  const auto openrc_links = OpenrcRunlevelLinks(host);
  std::size_t count = 0;
  for (const std::string& name : *names) {
    if (SkipInitScript(name)) continue;
    if (++count > kMaxInitScripts) break;
    const std::string path = dir + "/" + name;
    auto st = host.Stat(path);
    if (!st.ok() || !IsExecutable(*st)) continue;
    const InitScriptInfo info = ReadInitScriptInfo(host, path);
    Json row = BaseRow(name, info.openrc ? "openrc" : "sysv");
    const auto& links = info.openrc ? openrc_links : sysv_links;
    auto it = links.find(name);
    if (it != links.end()) {
      row["enabled"] = true;
      row["wanted_by"] = Json::StringArray(it->second);
    }
    // On a systemd host the sysv generator wraps the script in "<name>.service".
    row["state"] = StateOf(states, name + ".service");
    row["exec"] = path;
    row["path"] = path;
    row["description"] = info.description;
    if (!info.command_user.empty()) row["user"] = info.command_user;
    rows->Push(std::move(row));
  }
}

void AddRcLocal(const HostView& host, const States& states, Json* rows) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (const std::string_view path : {"/etc/rc.local", "/etc/rc.d/rc.local"}) {
    auto st = host.Stat(path);
    if (!st.ok() || !st->is_regular()) continue;
    if (!seen.insert({st->dev, st->ino}).second) continue;
    Json row = BaseRow("rc.local", "rc.local");
    row["enabled"] = IsExecutable(*st);
    row["state"] = StateOf(states, "rc-local.service");
    row["exec"] = path;
    row["path"] = path;
    rows->Push(std::move(row));
  }
}

std::string OpenrcValue(std::string_view line, std::string_view key) {
  line = TrimView(line);
  if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=') return "";
  return Unquote(TrimView(line.substr(key.size() + 1)));
}

class StartupServicesCollector final : public Collector {
 public:
  std::string_view name() const override { return "startup_services"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return kFields; }
  Result<Json> Collect(const CollectContext& ctx) override {
    return CollectStartupServices(ctx.host, QuerySystemdActiveStates(ctx.host));
  }
};

}  // namespace

std::span<const Field> StartupServicesSchema() { return kFields; }

InitScriptInfo ParseInitScriptInfo(std::string_view head) {
  InitScriptInfo info;
  const auto lines = SplitLines(head);
  if (!lines.empty() && lines[0].starts_with("#!")) {
    info.openrc = lines[0].find("openrc-run") != std::string_view::npos;
  }
  for (const std::string_view raw : lines) {
    const std::string_view line = TrimView(raw);
    constexpr std::string_view kLsb = "# Short-Description:";
    if (line.starts_with(kLsb) && info.description.empty()) {
      info.description = std::string(TrimView(line.substr(kLsb.size())));
    } else if (info.openrc) {
      if (std::string v = OpenrcValue(line, "description");
          !v.empty() && info.description.empty()) {
        info.description = std::move(v);
      } else if (std::string u = OpenrcValue(line, "command_user"); !u.empty()) {
        info.command_user = u.substr(0, u.find(':'));
      }
    }
  }
  return info;
}

Json CollectStartupServices(const HostView& host, const States& active_states) {
  Json rows = Json::MakeArray();
  const SystemdUnitIndex index(host);
  for (const SystemdUnit& u : index.LoadAll(".service")) rows.Push(SystemdRow(u, active_states));
  AddInitScripts(host, active_states, &rows);
  AddRcLocal(host, active_states, &rows);
  return rows;
}

std::unique_ptr<Collector> MakeStartupServicesCollector() {
  return std::make_unique<StartupServicesCollector>();
}

}  // namespace rampart::agent
