#include "agent/collectors/web_sites.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <utility>

#include "agent/collectors/registry.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr Field kFields[] = {
    {"server", FieldType::kString, false, true},
    {"names", FieldType::kStringArray, false, true},
    {"listen", FieldType::kStringArray, false, true},
    {"tls", FieldType::kBool, false, true},
    {"root", FieldType::kString, false, true},
    {"root_exists", FieldType::kBool, false, true},
    {"config", FieldType::kString, false, false},
    {"line", FieldType::kInt, true, false},
    {"default_server", FieldType::kBool, false, false},
    {"other_roots", FieldType::kStringArray, false, false},
    {"missing_roots", FieldType::kStringArray, false, false},
    {"upstreams", FieldType::kStringArray, false, false},
    {"config_errors", FieldType::kStringArray, false, false},
};

constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxProcesses = 100'000;
constexpr std::size_t kMaxErrorsPerRow = 20;

std::string Dirname(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Basename(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// nginx's --prefix for a main file: distribution packages keep the configuration in /etc and use
// /usr/share/nginx (Debian, RHEL) or /var/lib/nginx (Alpine); a source build has
// <prefix>/conf/nginx.conf.
std::string NginxPrefix(const HostView& host, const std::string& conf) {
  const std::string dir = Dirname(conf);
  if (dir.starts_with("/etc/")) {
    if (!host.Exists("/usr/share/nginx") && host.Exists("/var/lib/nginx")) return "/var/lib/nginx";
    return "/usr/share/nginx";
  }
  if (Basename(dir) == "conf") return Dirname(dir);
  return dir;
}

// Apache's compiled-in ServerRoot: /etc/httpd/conf/httpd.conf -> /etc/httpd,
// /etc/apache2/apache2.conf -> /etc/apache2.
std::string ApacheServerRoot(const std::string& conf) {
  const std::string dir = Dirname(conf);
  if (Basename(dir) == "conf") return Dirname(dir);
  return dir;
}

bool IsGlob(std::string_view p) { return p.find_first_of("*?[") != std::string_view::npos; }

std::vector<WebConfigFile> ReadIncluded(const HostView& host, const std::string& pattern,
                                        bool optional, std::vector<std::string>* errors) {
  std::vector<std::string> paths;
  if (IsGlob(pattern)) {
    paths = host.Glob(pattern);
  } else {
    paths.push_back(pattern);
  }
  std::vector<WebConfigFile> out;
  for (const std::string& p : paths) {
    auto st = host.Stat(p);
    if (!st.ok()) {
      if (optional && st.error().code() == Code::kNotFound) continue;
      errors->push_back(p + ": " + st.error().message());
      continue;
    }
    std::vector<std::string> files;
    if (st->is_dir()) {
      auto names = host.ListDir(p);
      if (!names.ok()) {
        errors->push_back(p + ": " + names.error().message());
        continue;
      }
      for (const std::string& n : *names) {
        const std::string child = p + "/" + n;
        auto cst = host.Stat(child);
        if (cst.ok() && cst->is_regular()) files.push_back(child);
      }
    } else {
      files.push_back(p);
    }
    for (const std::string& f : files) {
      auto text = host.ReadFile(f, kMaxConfigBytes);
      if (!text.ok()) {
        errors->push_back(f + ": " +
                          (text.error().code() == Code::kResourceExhausted
                               ? std::string("larger than 1 MiB, not read")
                               : text.error().message()));
        continue;
      }
      out.push_back({f, std::move(*text)});
    }
  }
  return out;
}

// Configuration files named on the command lines of running web servers.
void AddFromProcesses(const HostView& host, std::vector<WebConfigSource>* out) {
  auto pids = host.ListDir("/proc");
  if (!pids.ok()) return;
  std::size_t seen = 0;
  for (const std::string& pid : *pids) {
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      continue;
    }
    if (++seen > kMaxProcesses) break;
    auto comm = host.ReadFile("/proc/" + pid + "/comm", 256);
    if (!comm.ok()) continue;
    const std::string name = Trim(*comm);
    const bool nginx = name == "nginx";
    const bool apache = name == "httpd" || name == "apache2";
    const bool caddy = name == "caddy";
    if (!nginx && !apache && !caddy) continue;
    auto cmdline = host.ReadFile("/proc/" + pid + "/cmdline", 8192);
    if (!cmdline.ok()) continue;
    // nginx rewrites its title into one space-separated string; others keep NUL separators.
    std::replace(cmdline->begin(), cmdline->end(), '\0', ' ');
    const auto args = SplitWhitespace(*cmdline);
    if (caddy) {
      // `caddy run --config FILE [--adapter caddyfile]`; JSON configurations are not read.
      for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        const std::string file(args[i + 1]);
        if (args[i] == "--config" && file.starts_with('/') && !file.ends_with(".json")) {
          out->push_back({"caddy", file, Dirname(file)});
        }
      }
      continue;
    }
    std::string conf, root;
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == (nginx ? "-c" : "-f")) conf = std::string(args[i + 1]);
      if (apache && args[i] == "-d") root = std::string(args[i + 1]);
    }
    if (apache && !root.empty() && !root.starts_with('/')) root.clear();
    if (apache && !conf.empty() && !conf.starts_with('/')) {
      conf = root.empty() ? std::string() : root + "/" + conf;
    }
    if (conf.empty() || !conf.starts_with('/')) continue;
    if (nginx) {
      out->push_back({"nginx", conf, NginxPrefix(host, conf)});
    } else {
      out->push_back({"apache", conf, root.empty() ? ApacheServerRoot(conf) : root});
    }
  }
}

Json SiteRow(const HostView& host, const WebSite& site, const std::vector<std::string>& errors) {
  Json row = Json::MakeObject();
  row["server"] = site.server;
  row["names"] = Json::StringArray(site.names);
  row["listen"] = Json::StringArray(site.listen);
  row["tls"] = site.tls;
  row["root"] = site.root;
  std::vector<std::string> missing;
  bool root_exists = false;
  if (!site.root.empty()) {
    root_exists = host.Stat(site.root).ok();
    if (!root_exists) missing.push_back(site.root);
  }
  for (const std::string& r : site.other_roots) {
    if (!host.Stat(r).ok()) missing.push_back(r);
  }
  row["root_exists"] = root_exists;
  row["config"] = site.config;
  row["line"] = site.line > 0 ? Json(site.line) : Json();
  row["default_server"] = site.default_server;
  row["other_roots"] = Json::StringArray(site.other_roots);
  row["missing_roots"] = Json::StringArray(missing);
  row["upstreams"] = Json::StringArray(site.upstreams);
  std::vector<std::string> mine;
  for (const std::string& e : errors) {
    if (mine.size() >= kMaxErrorsPerRow) break;
    if (e.starts_with(site.config + ":")) mine.push_back(e);
  }
  row["config_errors"] = Json::StringArray(mine);
  return row;
}

class WebSitesCollector final : public Collector {
 public:
  std::string_view name() const override { return "web_sites"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return kFields; }
  Result<Json> Collect(const CollectContext& ctx) override { return CollectWebSites(ctx.host); }
};

}  // namespace

std::span<const Field> WebSitesSchema() { return kFields; }

std::vector<WebConfigSource> FindWebConfigs(const HostView& host) {
  std::vector<WebConfigSource> candidates;
  for (const char* p : {"/etc/nginx/nginx.conf", "/usr/local/nginx/conf/nginx.conf",
                        "/usr/local/etc/nginx/nginx.conf", "/opt/nginx/conf/nginx.conf",
                        "/usr/local/openresty/nginx/conf/nginx.conf"}) {
    candidates.push_back({"nginx", p, NginxPrefix(host, p)});
  }
  for (const char* p :
       {"/etc/apache2/apache2.conf", "/etc/httpd/conf/httpd.conf", "/etc/apache2/httpd.conf",
        "/usr/local/apache2/conf/httpd.conf", "/usr/local/etc/apache24/httpd.conf"}) {
    candidates.push_back({"apache", p, ApacheServerRoot(p)});
  }
  candidates.push_back({"caddy", "/etc/caddy/Caddyfile", "/etc/caddy"});
  AddFromProcesses(host, &candidates);
  // Tomcat: Debian keeps server.xml in /etc/tomcatN with CATALINA_BASE /var/lib/tomcatN; RHEL in
  // /etc/tomcat with CATALINA_BASE /usr/share/tomcat; tarball installs in <base>/conf.
  for (const std::string& conf : host.Glob("/etc/tomcat*/server.xml")) {
    const std::string dir = Basename(Dirname(conf));
    std::string base = "/var/lib/" + dir;
    if (!host.Exists(base)) base = "/usr/share/" + dir;
    candidates.push_back({"tomcat", conf, base});
  }
  for (const char* pattern :
       {"/opt/tomcat*/conf/server.xml", "/usr/share/tomcat*/conf/server.xml",
        "/usr/local/tomcat*/conf/server.xml", "/var/lib/tomcat*/conf/server.xml"}) {
    for (const std::string& conf : host.Glob(pattern)) {
      candidates.push_back({"tomcat", conf, Dirname(Dirname(conf))});
    }
  }
  std::vector<WebConfigSource> out;
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (WebConfigSource& c : candidates) {
    auto st = host.Stat(c.path);
    if (!st.ok() || !st->is_regular()) continue;
    if (!seen.insert({st->dev, st->ino}).second) continue;
    out.push_back(std::move(c));
  }
  return out;
}

WebConfig ReadWebConfig(const HostView& host, const WebConfigSource& source) {
  std::vector<std::string> errors;
  std::vector<WebConfigFile> main = ReadIncluded(host, source.path, false, &errors);
  if (main.empty()) {
    WebConfig cfg;
    cfg.files.push_back(source.path);
    cfg.errors = std::move(errors);
    return cfg;
  }
  const WebFileReader reader = [&host](const std::string& pattern, bool optional,
                                       std::vector<std::string>* errs) {
    return ReadIncluded(host, pattern, optional, errs);
  };
  if (source.server == "nginx") {
    return ParseNginxConfig(main[0].text, source.path, source.base, reader);
  }
  if (source.server == "apache") {
    return ParseApacheConfig(main[0].text, source.path, source.base, reader);
  }
  if (source.server == "caddy") return ParseCaddyfile(main[0].text, source.path, reader);
  return ParseTomcatServerXml(main[0].text, source.path, source.base);
}

Json CollectWebSites(const HostView& host) {
  Json rows = Json::MakeArray();
  for (const WebConfigSource& source : FindWebConfigs(host)) {
    const WebConfig cfg = ReadWebConfig(host, source);
    for (const std::string& e : cfg.errors) log::Debug("web_sites: {}: {}", source.server, e);
    for (const WebSite& site : cfg.sites) rows.Push(SiteRow(host, site, cfg.errors));
  }
  return rows;
}

std::unique_ptr<Collector> MakeWebSitesCollector() { return std::make_unique<WebSitesCollector>(); }

}  // namespace rampart::agent
