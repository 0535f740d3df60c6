#include "agent/collectors/resources.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_set>

#include "agent/collectors/proc_parsers.h"
#include "agent/collectors/registry.h"
#include "common/logging.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kProcFileMax = 16u << 20;

constexpr Field kDiskFields[] = {
    {"mount", FieldType::kString},     {"fs_type", FieldType::kString},
    {"device", FieldType::kString},    {"size_bytes", FieldType::kInt},
    {"used_bytes", FieldType::kInt},   {"avail_bytes", FieldType::kInt},
    {"inodes_total", FieldType::kInt}, {"inodes_used", FieldType::kInt},
    {"network", FieldType::kBool},
};

constexpr Field kNicFields[] = {
    {"name", FieldType::kString},    {"rx_bytes", FieldType::kInt},
    {"tx_bytes", FieldType::kInt},   {"rx_packets", FieldType::kInt},
    {"tx_packets", FieldType::kInt}, {"rx_errors", FieldType::kInt},
    {"tx_errors", FieldType::kInt},  {"rx_dropped", FieldType::kInt},
    {"tx_dropped", FieldType::kInt},
};

constexpr Field kResourcesSchema[] = {
    {"cpu_percent", FieldType::kDouble, false, true},
    {"load1", FieldType::kDouble, true, true},
    {"load5", FieldType::kDouble, true, true},
    {"load15", FieldType::kDouble, true, true},
    {"mem_total_bytes", FieldType::kInt, false, true},
    {"mem_used_bytes", FieldType::kInt, false, true},
    {"swap_total_bytes", FieldType::kInt, false, true},
    {"swap_used_bytes", FieldType::kInt, false, true},
    {"disks", FieldType::kObjectArray, false, false, kDiskFields},
    {"nics", FieldType::kObjectArray, false, false, kNicFields},
};

// Json holds int64; kernel counters are uint64 and a hostile file can exceed INT64_MAX.
std::int64_t Clamp(std::uint64_t v) {
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(v, std::numeric_limits<std::int64_t>::max()));
}

std::uint64_t Mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

bool IsNetworkFileSystem(std::string_view fs) {
  return fs.starts_with("nfs") || fs == "cifs" || fs == "smb3" || fs == "ceph" ||
         fs == "glusterfs" || fs == "lustre" || fs.starts_with("fuse.");
}

std::optional<CpuTimes> ReadCpuTimes(const HostView& host) {
  auto text = host.ReadFile("/proc/stat", kProcFileMax);
  if (!text) {
    log::Debug("resources: /proc/stat: {}", text.error().ToString());
    return std::nullopt;
  }
  return ParseProcStatCpu(*text);
}

double CpuPercent(const CollectContext& ctx) {
  const auto first = ReadCpuTimes(ctx.host);
  if (!first) return 0;
  if (!ctx.host.is_live() || ctx.options.sample_interval.count() <= 0) {
    return CpuBusyPercent(CpuTimes{}, *first);
  }
  ctx.clock.SleepFor(ctx.options.sample_interval);
  const auto second = ReadCpuTimes(ctx.host);
  if (!second) return CpuBusyPercent(CpuTimes{}, *first);
  return CpuBusyPercent(*first, *second);
}

Json DiskJson(const HostView& host, const MountEntry& m) {
  Json d = Json::MakeObject();
  d["mount"] = m.mount;
  d["fs_type"] = m.fs_type;
  d["device"] = m.device;
  const bool network = IsNetworkFileSystem(m.fs_type);
  std::uint64_t size = 0, used = 0, avail = 0, inodes = 0, inodes_used = 0;
  // statvfs only describes this machine's mounts, and on a network file system it can block for
  // minutes on an unreachable server: both cases report zeros.
  struct statvfs st {};
  if (host.is_live() && !network && ::statvfs(m.mount.c_str(), &st) == 0) {
    const std::uint64_t frsize = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
    size = Mul(st.f_blocks, frsize);
    used = Mul(st.f_blocks >= st.f_bfree ? st.f_blocks - st.f_bfree : 0, frsize);
    avail = Mul(st.f_bavail, frsize);
    inodes = st.f_files;
    inodes_used = st.f_files >= st.f_ffree ? st.f_files - st.f_ffree : 0;
  }
  d["size_bytes"] = Clamp(size);
  d["used_bytes"] = Clamp(used);
  d["avail_bytes"] = Clamp(avail);
  d["inodes_total"] = Clamp(inodes);
  d["inodes_used"] = Clamp(inodes_used);
  d["network"] = network;
  return d;
}

Json Disks(const HostView& host) {
  Json disks = Json::MakeArray();
  auto text = host.ReadFile("/proc/mounts", kProcFileMax);
  if (!text) {
    log::Debug("resources: /proc/mounts: {}", text.error().ToString());
    return disks;
  }
  std::unordered_set<std::string> seen_devices;
  for (const MountEntry& m : ParseMounts(*text)) {
    // A container's root is an overlay: the only overlay worth reporting.
    const bool keep = IsStorageFileSystem(m.fs_type) || (m.fs_type == "overlay" && m.mount == "/");
    if (!keep) continue;
    // Bind mounts and btrfs subvolumes repeat a device; its first (outermost) mount stands for it.
    if (!seen_devices.insert(m.device + '\0' + m.fs_type).second) continue;
    disks.Push(DiskJson(host, m));
  }
  return disks;
}

Json Nics(const HostView& host) {
  Json nics = Json::MakeArray();
  auto text = host.ReadFile("/proc/net/dev", kProcFileMax);
  if (!text) {
    log::Debug("resources: /proc/net/dev: {}", text.error().ToString());
    return nics;
  }
  for (const NicCounters& c : ParseNetDev(*text)) {
    if (c.name == "lo") continue;
    Json n = Json::MakeObject();
    n["name"] = c.name;
    n["rx_bytes"] = Clamp(c.rx_bytes);
    n["tx_bytes"] = Clamp(c.tx_bytes);
    n["rx_packets"] = Clamp(c.rx_packets);
    n["tx_packets"] = Clamp(c.tx_packets);
    n["rx_errors"] = Clamp(c.rx_errors);
    n["tx_errors"] = Clamp(c.tx_errors);
    n["rx_dropped"] = Clamp(c.rx_dropped);
    n["tx_dropped"] = Clamp(c.tx_dropped);
    nics.Push(std::move(n));
  }
  return nics;
}

}  // namespace

std::span<const Field> ResourcesCollector::schema() const { return kResourcesSchema; }

Result<Json> ResourcesCollector::Collect(const CollectContext& ctx) {
  const HostView& host = ctx.host;
  Json j = Json::MakeObject();
  j["cpu_percent"] = CpuPercent(ctx);

  std::optional<LoadAvg> load;
  if (auto text = host.ReadFile("/proc/loadavg", 4096)) load = ParseLoadavg(*text);
  j["load1"] = load ? Json(load->load1) : Json(nullptr);
  j["load5"] = load ? Json(load->load5) : Json(nullptr);
  j["load15"] = load ? Json(load->load15) : Json(nullptr);

  MemInfo mem;
  if (auto text = host.ReadFile("/proc/meminfo", 1u << 20)) {
    mem = ParseMeminfo(*text);
  } else {
    log::Debug("resources: /proc/meminfo: {}", text.error().ToString());
  }
  j["mem_total_bytes"] = Clamp(mem.mem_total.value_or(0));
  j["mem_used_bytes"] = Clamp(mem.MemUsed().value_or(0));
  j["swap_total_bytes"] = Clamp(mem.swap_total.value_or(0));
  j["swap_used_bytes"] = Clamp(mem.SwapUsed().value_or(0));
  j["disks"] = Disks(host);
  j["nics"] = Nics(host);
  return j;
}

std::unique_ptr<Collector> MakeResourcesCollector() {
  return std::make_unique<ResourcesCollector>();
}

}  // namespace rampart::agent
