#include "agent/collectors/proc_parsers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_set>

#include "common/strings.h"

namespace rampart::agent {
namespace {

std::optional<std::uint64_t> Sub(std::optional<std::uint64_t> a, std::uint64_t b) {
  if (!a) return std::nullopt;
  return *a > b ? *a - b : 0;
}

// Returns "key" and "value" of a "key<ws>:<ws>value" line (cpuinfo, meminfo).
bool SplitColon(std::string_view line, std::string_view* key, std::string_view* value) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *key = TrimView(line.substr(0, colon));
  *value = TrimView(line.substr(colon + 1));
  return true;
}

std::optional<std::uint64_t> KibToBytes(std::string_view value) {
  auto fields = SplitWhitespace(value);
  if (fields.empty()) return std::nullopt;
  auto n = ParseInt<std::uint64_t>(fields[0]);
  if (!n) return std::nullopt;
  const bool kib =
      fields.size() > 1 && (fields[1] == "kB" || fields[1] == "KB" || fields[1] == "kb");
  if (!kib) return n;
  if (*n > std::numeric_limits<std::uint64_t>::max() / 1024) return std::nullopt;
  return *n * 1024;
}

std::string DecodeOctalEscapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
      if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
        out.push_back(static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

struct PartName {
  std::uint32_t implementer;
  std::uint32_t part;
  const char* name;
};

// A subset of util-linux lscpu-arm.c: the cores found in cloud and server aarch64 machines.
constexpr PartName kAarch64Parts[] = {
    {0x41, 0xd03, "ARM Cortex-A53"},    {0x41, 0xd04, "ARM Cortex-A35"},
    {0x41, 0xd05, "ARM Cortex-A55"},    {0x41, 0xd07, "ARM Cortex-A57"},
    {0x41, 0xd08, "ARM Cortex-A72"},    {0x41, 0xd09, "ARM Cortex-A73"},
    {0x41, 0xd0a, "ARM Cortex-A75"},    {0x41, 0xd0b, "ARM Cortex-A76"},
    {0x41, 0xd0c, "ARM Neoverse-N1"},   {0x41, 0xd0d, "ARM Cortex-A77"},
    {0x41, 0xd40, "ARM Neoverse-V1"},   {0x41, 0xd41, "ARM Cortex-A78"},
    {0x41, 0xd44, "ARM Cortex-X1"},     {0x41, 0xd46, "ARM Cortex-A510"},
    {0x41, 0xd47, "ARM Cortex-A710"},   {0x41, 0xd49, "ARM Neoverse-N2"},
    {0x41, 0xd4f, "ARM Neoverse-V2"},   {0x41, 0xd8e, "ARM Neoverse-N3"},
    {0x41, 0xd84, "ARM Neoverse-V3"},   {0x48, 0xd01, "HiSilicon Kunpeng-920"},
    {0x50, 0x000, "APM X-Gene"},        {0x43, 0x0af, "Cavium ThunderX2"},
    {0x51, 0x800, "Qualcomm Kryo-2XX"}, {0xc0, 0xac3, "Ampere Ampere-1"},
    {0xc0, 0xac4, "Ampere Ampere-1a"},  {0x61, 0x022, "Apple M1"},
    {0x46, 0x001, "Fujitsu A64FX"},
};

const char* Aarch64Vendor(std::uint32_t implementer) {
  switch (implementer) {
    case 0x41:
      return "ARM";
    case 0x42:
      return "Broadcom";
    case 0x43:
      return "Cavium";
    case 0x46:
      return "Fujitsu";
    case 0x48:
      return "HiSilicon";
    case 0x4e:
      return "NVIDIA";
    case 0x50:
      return "APM";
    case 0x51:
      return "Qualcomm";
    case 0x61:
      return "Apple";
    case 0xc0:
      return "Ampere";
    default:
      return "";
  }
}

std::optional<std::uint32_t> ParseHexField(std::string_view v) {
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) v.remove_prefix(2);
  return ParseInt<std::uint32_t>(v, 16);
}

std::string FormatInet6(const std::array<unsigned char, 16>& bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) == nullptr) return {};
  return buf;
}

}  // namespace

std::optional<std::uint64_t> MemInfo::MemUsed() const {
  if (!mem_total) return std::nullopt;
  if (mem_available) return Sub(mem_total, *mem_available);
  if (!mem_free) return std::nullopt;
  // Pre-3.14 kernels: approximate "available" as free + page cache + buffers, as free(1) did.
  const std::uint64_t reclaimable = *mem_free + buffers.value_or(0) + cached.value_or(0);
  return Sub(mem_total, reclaimable);
}

std::optional<std::uint64_t> MemInfo::SwapUsed() const {
  if (!swap_total) return std::nullopt;
  return Sub(swap_total, swap_free.value_or(*swap_total));
}

MemInfo ParseMeminfo(std::string_view text) {
  MemInfo m;
  for (std::string_view line : SplitLines(text)) {
    std::string_view key, value;
    if (!SplitColon(line, &key, &value)) continue;
    std::optional<std::uint64_t>* slot = nullptr;
    if (key == "MemTotal")
      slot = &m.mem_total;
    else if (key == "MemFree")
      slot = &m.mem_free;
    else if (key == "MemAvailable")
      slot = &m.mem_available;
    else if (key == "Buffers")
      slot = &m.buffers;
    else if (key == "Cached")
      slot = &m.cached;
    else if (key == "SwapTotal")
      slot = &m.swap_total;
    else if (key == "SwapFree")
      slot = &m.swap_free;
    if (slot != nullptr) *slot = KibToBytes(value);
  }
  return m;
}

std::string Aarch64CpuName(std::uint32_t implementer, std::uint32_t part) {
  for (const auto& p : kAarch64Parts) {
    if (p.implementer == implementer && p.part == part) return p.name;
  }
  return {};
}

CpuInfo ParseCpuinfo(std::string_view text) {
  CpuInfo info;
  std::optional<std::uint32_t> implementer, part;
  std::string power_cpu, hardware;
  for (std::string_view line : SplitLines(text)) {
    std::string_view key, value;
    if (!SplitColon(line, &key, &value)) continue;
    if (key == "processor") {
      if (info.processors < std::numeric_limits<int>::max()) ++info.processors;
    } else if (key == "model name") {
      if (info.model.empty()) info.model = std::string(value);
    } else if (key == "vendor_id") {
      if (info.vendor.empty()) info.vendor = std::string(value);
    } else if (key == "flags") {
      if (!info.hypervisor) {
        for (std::string_view flag : SplitWhitespace(value)) {
          if (flag == "hypervisor") info.hypervisor = true;
        }
      }
    } else if (key == "CPU implementer") {
      if (!implementer) implementer = ParseHexField(value);
    } else if (key == "CPU part") {
      if (!part) part = ParseHexField(value);
    } else if (key == "cpu") {
      if (power_cpu.empty()) power_cpu = std::string(value);
    } else if (key == "Hardware") {
      if (hardware.empty()) hardware = std::string(value);
    }
  }
  if (implementer && info.vendor.empty()) info.vendor = Aarch64Vendor(*implementer);
  if (info.model.empty() && implementer && part) {
    info.model = Aarch64CpuName(*implementer, *part);
    if (info.model.empty()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s part 0x%03x",
                    *Aarch64Vendor(*implementer) != '\0' ? Aarch64Vendor(*implementer) : "unknown",
                    *part);
      info.model = buf;
    }
  }
  if (info.model.empty()) info.model = !power_cpu.empty() ? power_cpu : hardware;
  return info;
}

std::optional<LoadAvg> ParseLoadavg(std::string_view text) {
  auto fields = SplitWhitespace(text);
  if (fields.size() < 3) return std::nullopt;
  auto a = ParseDouble(fields[0]), b = ParseDouble(fields[1]), c = ParseDouble(fields[2]);
  if (!a || !b || !c) return std::nullopt;
  for (double v : {*a, *b, *c}) {
    if (!std::isfinite(v) || v < 0) return std::nullopt;
  }
  return LoadAvg{*a, *b, *c};
}

std::uint64_t CpuTimes::Total() const {
  // Saturating: hostile counters must not wrap into a small total.
  std::uint64_t sum = 0;
  for (std::uint64_t v : {user, nice, system, idle, iowait, irq, softirq, steal}) {
    sum = v > std::numeric_limits<std::uint64_t>::max() - sum
              ? std::numeric_limits<std::uint64_t>::max()
              : sum + v;
  }
  return sum;
}

std::optional<CpuTimes> ParseProcStatCpu(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    auto fields = SplitWhitespace(line);
    if (fields.size() < 5 || fields[0] != "cpu") continue;
    std::uint64_t* slots[] = {nullptr, nullptr, nullptr, nullptr,
                              nullptr, nullptr, nullptr, nullptr};
    CpuTimes t;
    slots[0] = &t.user, slots[1] = &t.nice, slots[2] = &t.system, slots[3] = &t.idle;
    slots[4] = &t.iowait, slots[5] = &t.irq, slots[6] = &t.softirq, slots[7] = &t.steal;
    for (std::size_t i = 1; i < fields.size() && i <= 8; ++i) {
      auto v = ParseInt<std::uint64_t>(fields[i]);
      if (!v) return std::nullopt;
      *slots[i - 1] = *v;
    }
    return t;
  }
  return std::nullopt;
}

std::optional<std::int64_t> ParseProcStatBtime(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    auto fields = SplitWhitespace(line);
    if (fields.size() == 2 && fields[0] == "btime") {
      auto v = ParseInt<std::int64_t>(fields[1]);
      if (v && *v >= 0) return v;
    }
  }
  return std::nullopt;
}

double CpuBusyPercent(const CpuTimes& before, const CpuTimes& after) {
  const std::uint64_t t0 = before.Total(), t1 = after.Total();
  const std::uint64_t i0 = before.Idle(), i1 = after.Idle();
  if (t1 <= t0 || i1 < i0) return 0;
  const std::uint64_t total = t1 - t0;
  const std::uint64_t idle = std::min(i1 - i0, total);
  const double pct = 100.0 * static_cast<double>(total - idle) / static_cast<double>(total);
  return std::round(pct * 100.0) / 100.0;
}

std::vector<MountEntry> ParseMounts(std::string_view text) {
  std::vector<MountEntry> out;
  for (std::string_view line : SplitLines(text)) {
    if (out.size() >= kMaxMounts) break;
    auto fields = SplitWhitespace(line);
    if (fields.size() < 3 || fields[0].front() == '#') continue;
    MountEntry e;
    e.device = DecodeOctalEscapes(fields[0]);
    e.mount = DecodeOctalEscapes(fields[1]);
    e.fs_type = std::string(fields[2]);
    if (fields.size() > 3) e.options = std::string(fields[3]);
    if (e.mount.empty() || e.mount.front() != '/') continue;
    out.push_back(std::move(e));
  }
  return out;
}

bool IsStorageFileSystem(std::string_view fs_type) {
  static constexpr std::string_view kStorage[] = {
      "ext2",    "ext3",  "ext4",           "xfs",        "btrfs",    "zfs",
      "f2fs",    "jfs",   "reiserfs",       "vfat",       "msdos",    "exfat",
      "ntfs",    "ntfs3", "fuseblk",        "hfs",        "hfsplus",  "ufs",
      "nfs",     "nfs4",  "cifs",           "smb3",       "ceph",     "glusterfs",
      "lustre",  "gfs2",  "ocfs2",          "bcachefs",   "nilfs2",   "udf",
      "iso9660", "erofs", "fuse.glusterfs", "fuse.sshfs", "fuse.ceph"};
  for (std::string_view s : kStorage) {
    if (fs_type == s) return true;
  }
  return false;
}

std::vector<NicCounters> ParseNetDev(std::string_view text) {
  std::vector<NicCounters> out;
  for (std::string_view line : SplitLines(text)) {
    if (out.size() >= kMaxNics) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = TrimView(line.substr(0, colon));
    if (name.empty() || name.find('|') != std::string_view::npos ||
        name.find(' ') != std::string_view::npos) {
      continue;
    }
    auto fields = SplitWhitespace(line.substr(colon + 1));
    if (fields.size() < 16) continue;
    std::uint64_t v[16];
    bool ok = true;
    for (std::size_t i = 0; i < 16 && ok; ++i) {
      auto n = ParseInt<std::uint64_t>(fields[i]);
      ok = n.has_value();
      v[i] = n.value_or(0);
    }
    if (!ok) continue;
    NicCounters c;
    c.name = std::string(name);
    c.rx_bytes = v[0], c.rx_packets = v[1], c.rx_errors = v[2], c.rx_dropped = v[3];
    c.tx_bytes = v[8], c.tx_packets = v[9], c.tx_errors = v[10], c.tx_dropped = v[11];
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> ParseFibTrieLocal(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  std::string_view leaf;  // the address of the last "|-- a.b.c.d" line
  for (std::string_view line : SplitLines(text)) {
    const std::string_view t = TrimView(line);
    if (t.starts_with("|-- ")) {
      leaf = TrimView(t.substr(4));
      continue;
    }
    if (leaf.empty() || !t.starts_with("/32 ")) continue;
    auto fields = SplitWhitespace(t);
    if (fields.size() < 3 || fields[1] != "host" || fields[2] != "LOCAL") continue;
    in_addr addr{};
    const std::string ip(leaf);
    if (::inet_pton(AF_INET, ip.c_str(), &addr) != 1) continue;
    if (out.size() < kMaxAddresses && seen.insert(ip).second) out.push_back(ip);
  }
  return out;
}

std::vector<Inet6Address> ParseIfInet6(std::string_view text) {
  std::vector<Inet6Address> out;
  for (std::string_view line : SplitLines(text)) {
    if (out.size() >= kMaxAddresses) break;
    auto fields = SplitWhitespace(line);
    if (fields.size() < 6 || fields[0].size() != 32) continue;
    std::array<unsigned char, 16> bytes{};
    bool ok = true;
    for (std::size_t i = 0; i < 16 && ok; ++i) {
      auto b = ParseInt<unsigned char>(fields[0].substr(2 * i, 2), 16);
      ok = b.has_value();
      bytes[i] = b.value_or(0);
    }
    auto prefix = ParseInt<int>(fields[2], 16);
    auto scope = ParseInt<int>(fields[3], 16);
    if (!ok || !prefix || !scope || *prefix > 128) continue;
    Inet6Address a;
    a.address = FormatInet6(bytes);
    a.ifname = std::string(fields[5]);
    a.prefix_len = *prefix;
    a.scope = *scope;
    if (!a.address.empty()) out.push_back(std::move(a));
  }
  return out;
}

bool IsLoopbackAddress(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

}  // namespace rampart::agent
