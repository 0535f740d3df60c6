#include "agent/collectors/web_services.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "agent/collectors/passwd.h"
#include "agent/collectors/ports.h"
#include "agent/collectors/proc_pid.h"
#include "agent/collectors/proc_reader.h"
#include "agent/collectors/registry.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr Field kFields[] = {
    {"server", FieldType::kString, false, true},
    {"pid", FieldType::kInt, false, true},
    {"version", FieldType::kString, false, true},
    {"listen", FieldType::kStringArray, false, true},
    {"user", FieldType::kString, false, true},
    {"exe", FieldType::kString, false, true},
    {"config", FieldType::kString, false, false},
    {"workers", FieldType::kInt, false, false},
    {"worker_user", FieldType::kString, false, false},
    {"version_source", FieldType::kString, false, false},
    {"cmdline", FieldType::kString, false, false},
};

// Bytes of an executable searched for its version string.
constexpr std::size_t kMaxBinaryScan = std::size_t{64} << 20;
constexpr std::size_t kChunk = std::size_t{1} << 20;

struct Proc {
  std::int64_t pid = 0;
  std::int64_t ppid = 0;
  std::uint32_t uid = 0;
  std::string comm;
  std::string exe;
  std::string cmdline;
  std::string kind;
};

std::string_view Basename(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::vector<std::string_view> Args(std::string_view cmdline) { return SplitWhitespace(cmdline); }

// The value of `-x VALUE`, `--flag VALUE` or `--flag=VALUE` in the arguments; "" when absent.
std::string Option(std::string_view cmdline, std::initializer_list<std::string_view> names) {
  const auto args = Args(cmdline);
  for (std::size_t i = 0; i < args.size(); ++i) {
    for (std::string_view n : names) {
      if (args[i] == n && i + 1 < args.size()) return std::string(args[i + 1]);
      if (n.starts_with("--") && args[i].size() > n.size() + 1 && args[i].starts_with(n) &&
          args[i][n.size()] == '=') {
        return std::string(args[i].substr(n.size() + 1));
      }
    }
  }
  return "";
}

// -Dname=value of a JVM command line.
std::string JavaProperty(std::string_view cmdline, std::string_view name) {
  const std::string key = "-D" + std::string(name) + "=";
  for (std::string_view a : Args(cmdline)) {
    if (a.starts_with(key)) return std::string(a.substr(key.size()));
  }
  return "";
}

bool ArgvNamed(std::string_view cmdline, std::string_view name) {
  const auto args = Args(cmdline);
  // argv[0] (or the script after an interpreter) named `name`, or a process title "name: ...".
  for (std::size_t i = 0; i < args.size() && i < 2; ++i) {
    std::string_view a = args[i];
    if (a.ends_with(':')) a.remove_suffix(1);
    if (Basename(a) == name) return true;
  }
  return false;
}

std::string FirstExisting(const HostView& host, std::initializer_list<const char*> paths) {
  for (const char* p : paths) {
    if (host.Exists(p)) return p;
  }
  return "";
}

std::string ConfigOf(const HostView& host, const Proc& p) {
  const std::string_view base = Basename(p.exe);
  if (p.kind == "nginx") {
    std::string c = Option(p.cmdline, {"-c"});
    if (!c.empty()) return c;
    if (p.exe.starts_with("/usr/local/nginx/")) return "/usr/local/nginx/conf/nginx.conf";
    return FirstExisting(host, {"/etc/nginx/nginx.conf"});
  }
  if (p.kind == "apache") {
    std::string c = Option(p.cmdline, {"-f"});
    const std::string root = Option(p.cmdline, {"-d"});
    if (!c.empty() && c.front() != '/' && !root.empty()) c = root + "/" + c;
    if (!c.empty()) return c;
    if (base == "apache2") return FirstExisting(host, {"/etc/apache2/apache2.conf"});
    return FirstExisting(host, {"/etc/httpd/conf/httpd.conf", "/etc/apache2/httpd.conf",
                                "/usr/local/apache2/conf/httpd.conf"});
  }
  if (p.kind == "lighttpd") {
    std::string c = Option(p.cmdline, {"-f"});
    return c.empty() ? FirstExisting(host, {"/etc/lighttpd/lighttpd.conf"}) : c;
  }
  if (p.kind == "caddy") {
    std::string c = Option(p.cmdline, {"--config", "-config", "-conf"});
    return c.empty() ? FirstExisting(host, {"/etc/caddy/Caddyfile"}) : c;
  }
  if (p.kind == "tomcat") {
    const std::string base_dir = JavaProperty(p.cmdline, "catalina.base");
    return base_dir.empty() ? "" : base_dir + "/conf/server.xml";
  }
  if (p.kind == "php-fpm") {
    // php-fpm retitles its master "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)".
    const auto open = p.cmdline.find('(');
    const auto close = p.cmdline.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open + 1) {
      return p.cmdline.substr(open + 1, close - open - 1);
    }
    return Option(p.cmdline, {"-y", "--fpm-config"});
  }
  if (p.kind == "haproxy") return Option(p.cmdline, {"-f"});
  if (p.kind == "traefik") return Option(p.cmdline, {"--configFile", "--configfile"});
  if (p.kind == "uwsgi") return Option(p.cmdline, {"--ini", "--yaml", "--xml", "--json"});
  if (p.kind == "gunicorn") return Option(p.cmdline, {"-c", "--config"});
  return "";
}

// Reads at most kMaxBinaryScan bytes in chunks that overlap by 64 bytes, so a marker across a
// chunk boundary is found.
std::string ScanBinary(int fd, std::string_view marker) {
  std::string buf;
  std::size_t total = 0;
  std::vector<char> chunk(kChunk);
  while (total < kMaxBinaryScan) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n <= 0) break;
    total += static_cast<std::size_t>(n);
    buf.append(chunk.data(), static_cast<std::size_t>(n));
    std::string v = FindVersionAfter(buf, marker);
    if (!v.empty()) return v;
    if (buf.size() > 64) buf.erase(0, buf.size() - 64);
  }
  return "";
}

// Versions found in executables, by (root, path, marker) and the file's identity, so an unchanged
// binary is read once per agent process rather than at every collection.
struct BinaryVersionCache {
  struct Entry {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::int64_t size = 0;
    std::int64_t mtime = 0;
    std::int64_t mtime_nsec = 0;
    std::string version;
  };
  std::mutex mu;
  std::map<std::string, Entry> entries;  // GUARDED_BY(mu)
};
BinaryVersionCache& VersionCache() {
  static auto* cache = new BinaryVersionCache();  // never destroyed: safe during exit
  return *cache;
}
constexpr std::size_t kMaxCachedBinaries = 256;

// Searches an executable for `marker` followed by a version, through the cache.
std::string VersionInBinary(const HostView& host, const std::string& exe, std::string_view marker) {
  auto fd = host.OpenFile(exe);
  if (!fd.ok()) return "";
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  BinaryVersionCache::Entry now;
  now.dev = static_cast<std::uint64_t>(st.st_dev);
  now.ino = static_cast<std::uint64_t>(st.st_ino);
  now.size = static_cast<std::int64_t>(st.st_size);
  now.mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec);
  now.mtime_nsec = static_cast<std::int64_t>(st.st_mtim.tv_nsec);
  std::string key = host.root();
  key.push_back('\0');
  key += exe;
  key.push_back('\0');
  key += marker;
  BinaryVersionCache& cache = VersionCache();
  {
    std::lock_guard lock(cache.mu);
    auto it = cache.entries.find(key);
    if (it != cache.entries.end() && it->second.dev == now.dev && it->second.ino == now.ino &&
        it->second.size == now.size && it->second.mtime == now.mtime &&
        it->second.mtime_nsec == now.mtime_nsec) {
      return it->second.version;
    }
  }
  now.version = ScanBinary(fd->get(), marker);
  std::lock_guard lock(cache.mu);
  if (cache.entries.size() >= kMaxCachedBinaries) cache.entries.clear();
  cache.entries[key] = now;
  return now.version;
}

struct Version {
  std::string value;
  std::string source;
};

Version VersionOf(const HostView& host, const Proc& p,
                  std::map<std::pair<std::string, std::string>, std::string>* cache) {
  const auto binary = [&](std::string_view marker) -> Version {
    auto key = std::make_pair(p.exe, std::string(marker));
    auto it = cache->find(key);
    if (it == cache->end()) it = cache->emplace(key, VersionInBinary(host, p.exe, marker)).first;
    return {it->second, it->second.empty() ? "" : "binary"};
  };
  if (p.kind == "nginx") return binary("nginx/");
  if (p.kind == "apache") return binary("Apache/");
  if (p.kind == "lighttpd") return binary("lighttpd/");
  if (p.kind == "php-fpm") {
    Version v = binary("X-Powered-By: PHP/");
    if (!v.value.empty()) return v;
    // Debian names the binary after the branch: /usr/sbin/php-fpm8.2.
    std::string_view base = Basename(p.exe.empty() ? p.comm : p.exe);
    base.remove_prefix(std::min(base.size(), std::string_view("php-fpm").size()));
    if (!base.empty() && std::isdigit(static_cast<unsigned char>(base.front()))) {
      return {std::string(base), "exe-name"};
    }
    return {};
  }
  if (p.kind == "tomcat") {
    const std::string home = JavaProperty(p.cmdline, "catalina.home");
    if (home.empty()) return {};
    auto notes = host.ReadFile(home + "/RELEASE-NOTES", 256 << 10);
    if (!notes.ok()) return {};
    std::string v = FindVersionAfter(*notes, "Apache Tomcat Version ");
    return {v, v.empty() ? "" : "release-notes"};
  }
  return {};
}

std::string ListenString(const PortRow& r) {
  const std::string ip = r.family == 6 ? "[" + r.bind_ip + "]" : r.bind_ip;
  return ip + ":" + std::to_string(r.port);
}

class WebServicesCollector final : public Collector {
 public:
  std::string_view name() const override { return "web_services"; }
  Shape shape() const override { return Shape::kRows; }
  std::span<const Field> schema() const override { return kFields; }
  Result<Json> Collect(const CollectContext& ctx) override { return CollectWebServices(ctx.host); }
};

}  // namespace

std::span<const Field> WebServicesSchema() { return kFields; }

std::string WebServerKind(std::string_view comm, std::string_view exe, std::string_view cmdline) {
  const std::string_view base = exe.empty() ? comm : Basename(exe);
  const auto is = [&](std::string_view n) { return base == n || (exe.empty() && comm == n); };
  if (is("nginx") || is("openresty")) return "nginx";
  if (is("apache2") || is("httpd")) return "apache";
  if (is("lighttpd")) return "lighttpd";
  if (is("caddy")) return "caddy";
  if (is("haproxy")) return "haproxy";
  if (is("traefik")) return "traefik";
  if (is("uwsgi")) return "uwsgi";
  if (base.starts_with("php-fpm") || comm.starts_with("php-fpm")) return "php-fpm";
  if ((base == "java" || comm == "java") &&
      cmdline.find("org.apache.catalina.startup.Bootstrap") != std::string_view::npos) {
    return "tomcat";
  }
  if (ArgvNamed(cmdline, "gunicorn") || comm == "gunicorn") return "gunicorn";
  if (ArgvNamed(cmdline, "uvicorn")) return "uvicorn";
  if (base == "node" || base == "nodejs") return "node";
  return "";
}

std::string FindVersionAfter(std::string_view data, std::string_view marker) {
  if (marker.empty()) return "";
  std::size_t from = 0;
  while (from < data.size()) {
    const auto at = data.find(marker, from);
    if (at == std::string_view::npos) return "";
    std::size_t i = at + marker.size();
    if (i < data.size() && std::isdigit(static_cast<unsigned char>(data[i]))) {
      const std::size_t start = i;
      while (i < data.size() && i - start < 64 &&
             (std::isdigit(static_cast<unsigned char>(data[i])) || data[i] == '.')) {
        ++i;
      }
      if (i < data.size() && data[i] == '-' && i + 1 < data.size() &&
          std::isalnum(static_cast<unsigned char>(data[i + 1]))) {
        ++i;
        while (i < data.size() && i - start < 64 &&
               (std::isalnum(static_cast<unsigned char>(data[i])) || data[i] == '.' ||
                data[i] == '_' || data[i] == '~')) {
          ++i;
        }
      }
      std::string v(data.substr(start, i - start));
      while (!v.empty() && v.back() == '.') v.pop_back();
      return v;
    }
    from = at + 1;
  }
  return "";
}

Json CollectWebServices(const HostView& host) {
  std::unordered_map<std::int64_t, Proc> procs;
  for (const std::int64_t pid : ListPids(host)) {
    Proc p;
    p.pid = pid;
    p.comm = ReadComm(host, pid);
    if (auto exe = ReadExeLink(host, pid)) p.exe = ParseExeLink(*exe).path;
    if (auto raw = ReadPrefix(host, "/proc/" + std::to_string(pid) + "/cmdline", 4096); raw.ok()) {
      p.cmdline = ParseCmdline(*raw);
    }
    p.kind = WebServerKind(p.comm, p.exe, p.cmdline);
    if (p.kind.empty()) continue;
    if (auto status = ReadPrefix(host, "/proc/" + std::to_string(pid) + "/status", 8192);
        status.ok()) {
      const PidStatus st = ParseProcPidStatus(*status);
      p.ppid = st.ppid.value_or(0);
      p.uid = st.real_uid.value_or(0);
    }
    procs.emplace(pid, std::move(p));
  }
  // Each process's instance: climb while the parent is the same kind of server (bounded against
  // a hostile ppid loop).
  std::map<std::int64_t, std::vector<std::int64_t>> members;  // main pid -> workers
  for (const auto& [pid, p] : procs) {
    std::int64_t top = pid;
    for (int hops = 0; hops < 64; ++hops) {
      auto parent = procs.find(procs.at(top).ppid);
      if (parent == procs.end() || parent->second.kind != p.kind || parent->first == top) break;
      top = parent->first;
    }
    auto& list = members[top];
    if (top != pid) list.push_back(pid);
  }
  std::unordered_map<std::int64_t, std::int64_t> instance_of;
  for (const auto& [main, workers] : members) {
    instance_of[main] = main;
    for (const std::int64_t w : workers) instance_of[w] = main;
  }
  std::map<std::int64_t, std::vector<std::string>> listen;
  if (!members.empty()) {
    for (const PortRow& r : ReadListeningPorts(host)) {
      if (r.proto != "tcp" || !r.pid) continue;
      auto it = instance_of.find(*r.pid);
      if (it == instance_of.end()) continue;
      auto& l = listen[it->second];
      std::string s = ListenString(r);
      if (std::find(l.begin(), l.end(), s) == l.end()) l.push_back(std::move(s));
    }
  }
  const UserNames users = UserNames::Read(host);
  std::map<std::pair<std::string, std::string>, std::string> version_cache;
  Json rows = Json::MakeArray();
  for (auto& [main, workers] : members) {
    const Proc& p = procs.at(main);
    std::vector<std::string>& ports = listen[main];
    // A Node.js process is a web service only when it listens.
    if (p.kind == "node" && ports.empty()) continue;
    std::sort(workers.begin(), workers.end());
    const Version version = VersionOf(host, p, &version_cache);
    Json row = Json::MakeObject();
    row["server"] = p.kind;
    row["pid"] = main;
    row["version"] = version.value;
    row["listen"] = Json::StringArray(ports);
    row["user"] = users.Name(p.uid);
    row["exe"] = p.exe;
    row["config"] = ConfigOf(host, p);
    row["workers"] = static_cast<std::int64_t>(workers.size());
    row["worker_user"] = workers.empty() ? std::string() : users.Name(procs.at(workers[0]).uid);
    row["version_source"] = version.source;
    row["cmdline"] = p.cmdline;
    rows.Push(std::move(row));
  }
  return rows;
}

std::unique_ptr<Collector> MakeWebServicesCollector() {
  return std::make_unique<WebServicesCollector>();
}

}  // namespace rampart::agent
