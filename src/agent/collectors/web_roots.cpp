#include "agent/collectors/web_roots.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "agent/collectors/web_sites.h"

namespace rampart::agent {
namespace {

// Fallback web roots (servers without a configuration we parse, or defaults of the packages), then
// the other places malware lands. Patterns as HostView::Glob takes them.
constexpr std::array<std::string_view, 34> kFixedPlaces = {
    "/var/www",
    "/srv/www",
    "/srv/http",
    "/usr/share/nginx/html",
    "/usr/local/nginx/html",
    "/usr/local/apache2/htdocs",
    "/var/lib/tomcat*/webapps",
    "/opt/tomcat*/webapps",
    "/tmp",
    "/var/tmp",
    "/dev/shm",
    "/etc/crontab",
    "/etc/cron.d",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
    "/var/spool/cron",
    "/etc/systemd/system",
    "/run/systemd/system",
    "/etc/init.d",
    "/etc/rc.local",
    "/etc/profile.d",
    "/etc/ld.so.preload",
    "/root/.bashrc",
    "/root/.profile",
    "/root/.bash_profile",
    "/root/.config/autostart",
    "/root/.config/systemd/user",
    "/home/*/.bashrc",
    "/home/*/.profile",
    "/home/*/.bash_profile",
    "/home/*/.config/autostart",
    "/home/*/.config/systemd/user",
};

constexpr std::array<std::string_view, 16> kTooBroad = {
    "/",     "/bin",  "/boot", "/dev",  "/etc", "/home", "/lib", "/lib64",
    "/proc", "/root", "/run",  "/sbin", "/sys", "/usr",  "/var", "/opt"};

// "/var/www/$host/public" -> "/var/www"; "/srv/%{SERVER_NAME}" -> "/srv"; others unchanged.
std::string StaticPart(const std::string& root) {
  const auto var = std::min(root.find('$'), root.find("%{"));
  if (var == std::string::npos) return root;
  const auto slash = root.rfind('/', var);
  if (slash == std::string::npos || slash == 0) return "/";
  return root.substr(0, slash);
}

std::string WithoutTrailingSlash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

std::vector<std::string> CollapseNestedPaths(std::vector<std::string> paths) {
  for (std::string& p : paths) p = WithoutTrailingSlash(std::move(p));
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::vector<std::string> out;
  for (std::string& p : paths) {
    // Sorted order puts "/a" before "/a/b" but also before "/a-b"; compare against every kept
    // ancestor candidate by prefix + '/'.
    const bool covered = std::any_of(out.begin(), out.end(), [&](const std::string& kept) {
      return kept == "/" || (p.size() > kept.size() && p.compare(0, kept.size(), kept) == 0 &&
                             p[kept.size()] == '/');
    });
    if (!covered) out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> WebSiteScanRoots(const HostView& host, const Json& sites) {
  std::vector<std::string> out;
  if (!sites.is_array()) return out;
  const auto add = [&](const std::string& raw) {
    if (raw.empty() || raw.front() != '/') return;
    const std::string p = WithoutTrailingSlash(StaticPart(raw));
    if (std::find(kTooBroad.begin(), kTooBroad.end(), p) != kTooBroad.end()) return;
    if (host.Exists(p)) out.push_back(p);
  };
  for (const Json& row : sites.as_array()) {
    add(row.GetString("root"));
    if (const Json* others = row.Find("other_roots"); others != nullptr && others->is_array()) {
      for (const Json& o : others->as_array()) {
        if (o.is_string()) add(o.as_string());
      }
    }
  }
  return CollapseNestedPaths(std::move(out));
}

std::vector<std::string> QuickScanPlaces(const HostView& host) {
  std::vector<std::string> out = WebSiteScanRoots(host, CollectWebSites(host));
  for (std::string_view pattern : kFixedPlaces) {
    for (std::string& m : host.Glob(pattern)) out.push_back(std::move(m));
  }
  return CollapseNestedPaths(std::move(out));
}

}  // namespace rampart::agent
