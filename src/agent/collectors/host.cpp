#include "agent/collectors/host.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_set>

#include "agent/collectors/login_records.h"
#include "agent/collectors/proc_parsers.h"
#include "agent/collectors/registry.h"
#include "common/logging.h"
#include "common/strings.h"
#include "rampart/version.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kSmallFile = 64 * 1024;
constexpr std::size_t kCpuinfoMax = 8u << 20;  // ~1.5 KiB per x86 CPU: room for thousands of CPUs

constexpr Field kLastLoginFields[] = {
    {"user", FieldType::kString},
    {"time", FieldType::kString},
    {"ip", FieldType::kString},
    {"line", FieldType::kString},
};

constexpr Field kHostSchema[] = {
    {"hostname", FieldType::kString, false, true},
    {"ips", FieldType::kStringArray, false, true},
    {"os_name", FieldType::kString, false, true},
    {"os_version", FieldType::kString, false, true},
    {"os_id", FieldType::kString},
    {"os_pretty_name", FieldType::kString},
    {"kernel", FieldType::kString, false, true},
    {"arch", FieldType::kString, false, true},
    {"machine_type", FieldType::kString, false, true},
    {"virtualization", FieldType::kString},
    {"cloud_provider", FieldType::kString},
    {"cpu_model", FieldType::kString, false, true},
    {"cpu_count", FieldType::kInt, false, true},
    {"mem_total_bytes", FieldType::kInt, false, true},
    {"boot_time", FieldType::kString, true, true},
    {"uptime_seconds", FieldType::kInt, true},
    {"timezone", FieldType::kString},
    {"agent_version", FieldType::kString, false, true},
    {"last_login", FieldType::kObject, true, false, kLastLoginFields},
};

std::optional<std::string> ReadSmall(const HostView& host, std::string_view path) {
  auto text = host.ReadFile(path, kSmallFile);
  if (!text) {
    log::Debug("host: {}: {}", path, text.error().ToString());
    return std::nullopt;
  }
  return std::move(*text);
}

// First line of a small file, trimmed; "" when missing.
std::string FirstLine(const HostView& host, std::string_view path) {
  auto text = ReadSmall(host, path);
  if (!text) return {};
  const auto lines = SplitLines(*text);
  return lines.empty() ? std::string() : Printable(TrimView(lines[0]));
}

std::string Hostname(const HostView& host) {
  if (host.is_live()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) return buf;
  }
  std::string name = FirstLine(host, "/proc/sys/kernel/hostname");
  if (name.empty()) name = FirstLine(host, "/etc/hostname");
  return name;
}

std::string KernelReleaseImpl(const HostView& host) {
  if (host.is_live()) {
    struct utsname u {};
    if (::uname(&u) == 0) return u.release;
  }
  std::string release = FirstLine(host, "/proc/sys/kernel/osrelease");
  if (!release.empty()) return release;
  // "Linux version 6.1.0-18-amd64 (debian-kernel@...) ..."
  const std::string version = FirstLine(host, "/proc/version");
  const auto fields = SplitWhitespace(version);
  if (fields.size() >= 3 && fields[0] == "Linux" && fields[1] == "version") {
    return std::string(fields[2]);
  }
  return {};
}

std::string Architecture(const HostView& host, std::string_view kernel) {
  if (host.is_live()) {
    struct utsname u {};
    if (::uname(&u) == 0) return u.machine;
  }
  // The machine the userland was built for: the ELF header of the shell (busybox on Alpine).
  // Then the dynamic loader, whose name also differs per architecture (musl, glibc).
  std::vector<std::string> candidates = {"/bin/sh", "/usr/bin/sh", "/bin/busybox", "/sbin/init"};
  for (const char* pattern :
       {"/lib/ld-musl-*.so.1", "/lib64/ld-linux-*.so.2", "/lib/ld-linux-*.so.*"}) {
    for (std::string& p : host.Glob(pattern)) candidates.push_back(std::move(p));
  }
  for (const std::string& path : candidates) {
    auto fd = host.OpenFile(path);
    if (!fd) continue;
    char header[64];
    const ssize_t n = ::pread(fd->get(), header, sizeof header, 0);
    if (n <= 0) continue;
    if (auto arch = ElfMachine(std::string_view(header, static_cast<std::size_t>(n)))) return *arch;
  }
  return ArchFromKernelRelease(kernel);
}

std::string Timezone(const HostView& host) {
  std::string tz = FirstLine(host, "/etc/timezone");
  if (!tz.empty()) return tz;
  auto target = host.ReadLink("/etc/localtime");
  if (target) {
    const auto pos = target->find("zoneinfo/");
    if (pos != std::string::npos) return Printable(target->substr(pos + 9));
  }
  // Alpine and BusyBox systems often configure the zone through TZ in /etc/profile.d; not read
  // here.
  return {};
}

Json LastLoginJson(const HostView& host) {
  auto rec = LastLogin(host);
  if (!rec) return nullptr;
  Json j = Json::MakeObject();
  j["user"] = rec->user;
  j["time"] = FormatIso8601(rec->time);
  j["ip"] = !rec->ip.empty() ? rec->ip : rec->host;
  j["line"] = rec->line;
  return j;
}

void AddLiveAddresses(std::vector<std::string>* out, std::unordered_set<std::string>* seen) {
  struct ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return;
  for (const struct ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || (ifa->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    const void* src = nullptr;
    int family = ifa->ifa_addr->sa_family;
    if (family == AF_INET) {
      src = &reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr)->sin_addr;
    } else if (family == AF_INET6) {
      src = &reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr)->sin6_addr;
    } else {
      continue;
    }
    if (::inet_ntop(family, src, buf, sizeof buf) == nullptr) continue;
    std::string ip(buf);
    if (!IsLoopbackAddress(ip) && seen->insert(ip).second) out->push_back(std::move(ip));
  }
  ::freeifaddrs(list);
}

}  // namespace

std::string ReadKernelRelease(const HostView& host) { return KernelReleaseImpl(host); }

std::vector<std::string> ReadHostAddresses(const HostView& host) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  if (auto trie = host.ReadFile("/proc/net/fib_trie", 16u << 20)) {
    for (auto& ip : ParseFibTrieLocal(*trie)) {
      if (!IsLoopbackAddress(ip) && seen.insert(ip).second) out.push_back(std::move(ip));
    }
  } else {
    log::Debug("host: /proc/net/fib_trie: {}", trie.error().ToString());
  }
  if (auto inet6 = host.ReadFile("/proc/net/if_inet6", 4u << 20)) {
    for (auto& a : ParseIfInet6(*inet6)) {
      if (a.scope == 0x10 || IsLoopbackAddress(a.address)) continue;
      if (seen.insert(a.address).second) out.push_back(std::move(a.address));
    }
  } else {
    log::Debug("host: /proc/net/if_inet6: {}", inet6.error().ToString());
  }
  if (host.is_live()) AddLiveAddresses(&out, &seen);
  return out;
}

OsInfo ReadOsInfo(const HostView& host) {
  for (std::string_view path : {"/etc/os-release", "/usr/lib/os-release"}) {
    if (auto text = ReadSmall(host, path)) {
      OsInfo os = ParseOsRelease(*text);
      if (!os.name.empty() || !os.id.empty()) return os;
    }
  }
  for (std::string_view path :
       {"/etc/redhat-release", "/etc/centos-release", "/etc/system-release"}) {
    if (auto text = ReadSmall(host, path)) {
      OsInfo os = ParseRedhatRelease(*text);
      if (!os.name.empty()) return os;
    }
  }
  OsInfo os;
  if (std::string v = FirstLine(host, "/etc/debian_version"); !v.empty()) {
    os = {"debian", "Debian GNU/Linux", v, "Debian GNU/Linux " + v};
  } else if (std::string a = FirstLine(host, "/etc/alpine-release"); !a.empty()) {
    os = {"alpine", "Alpine Linux", a, "Alpine Linux v" + a};
  }
  return os;
}

MachineSignals ReadMachineSignals(const HostView& host) {
  MachineSignals s;
  auto dmi = [&](std::string_view file) {
    return FirstLine(host, "/sys/class/dmi/id/" + std::string(file));
  };
  s.dmi.sys_vendor = dmi("sys_vendor");
  s.dmi.product_name = dmi("product_name");
  s.dmi.product_version = dmi("product_version");
  s.dmi.bios_vendor = dmi("bios_vendor");
  s.dmi.bios_version = dmi("bios_version");
  s.dmi.board_vendor = dmi("board_vendor");
  s.dmi.chassis_vendor = dmi("chassis_vendor");
  s.dmi.chassis_asset_tag = dmi("chassis_asset_tag");
  if (auto cpuinfo = host.ReadFile("/proc/cpuinfo", kCpuinfoMax)) {
    s.cpu_hypervisor_flag = ParseCpuinfo(*cpuinfo).hypervisor;
  }
  s.hypervisor_type = FirstLine(host, "/sys/hypervisor/type");
  if (host.Exists("/.dockerenv")) {
    s.container = "docker";
  } else if (host.Exists("/run/.containerenv")) {
    s.container = "podman";
  } else if (auto environ = host.ReadFile("/proc/1/environ", 1u << 20)) {
    s.container = DetectContainerFromEnviron(*environ);
  }
  if (s.container.empty()) {
    if (auto cgroup = ReadSmall(host, "/proc/1/cgroup"))
      s.container = DetectContainerFromCgroup(*cgroup);
  }
  return s;
}

std::span<const Field> HostCollector::schema() const { return kHostSchema; }

Result<Json> HostCollector::Collect(const CollectContext& ctx) {
  const HostView& host = ctx.host;
  Json j = Json::MakeObject();
  j["hostname"] = Hostname(host);
  j["ips"] = Json::StringArray(ReadHostAddresses(host));

  const OsInfo os = ReadOsInfo(host);
  j["os_name"] = os.name;
  j["os_version"] = os.version;
  j["os_id"] = os.id;
  j["os_pretty_name"] = os.pretty_name;

  const std::string kernel = ReadKernelRelease(host);
  j["kernel"] = kernel;
  j["arch"] = Architecture(host, kernel);

  const MachineClass machine = ClassifyMachine(ReadMachineSignals(host));
  j["machine_type"] = machine.machine_type;
  j["virtualization"] = machine.virtualization;
  j["cloud_provider"] = machine.cloud_provider;

  CpuInfo cpu;
  if (auto text = host.ReadFile("/proc/cpuinfo", kCpuinfoMax)) cpu = ParseCpuinfo(*text);
  j["cpu_model"] = cpu.model;
  std::int64_t cpu_count = cpu.processors;
  if (host.is_live()) {
    const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0) cpu_count = online;
  }
  j["cpu_count"] = cpu_count;

  std::uint64_t mem_total = 0;
  if (auto text = ReadSmall(host, "/proc/meminfo"))
    mem_total = ParseMeminfo(*text).mem_total.value_or(0);
  j["mem_total_bytes"] = static_cast<std::int64_t>(std::min<std::uint64_t>(mem_total, INT64_MAX));

  std::optional<std::int64_t> btime;
  if (auto stat = host.ReadFile("/proc/stat", 16u << 20)) btime = ParseProcStatBtime(*stat);
  j["boot_time"] = btime ? Json(FormatIso8601(*btime)) : Json(nullptr);
  std::optional<std::int64_t> uptime;
  const std::string uptime_line = FirstLine(host, "/proc/uptime");
  const auto up_fields = SplitWhitespace(uptime_line);
  if (!up_fields.empty()) {
    if (auto up = ParseDouble(up_fields[0]); up && std::isfinite(*up) && *up >= 0 && *up < 1e15) {
      uptime = static_cast<std::int64_t>(*up);
    }
  }
  j["uptime_seconds"] = uptime ? Json(*uptime) : Json(nullptr);
  j["timezone"] = Timezone(host);
  j["agent_version"] = std::string(kVersion);
  j["last_login"] = LastLoginJson(host);
  return j;
}

std::unique_ptr<Collector> MakeHostCollector() { return std::make_unique<HostCollector>(); }

}  // namespace rampart::agent
