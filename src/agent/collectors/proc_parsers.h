#pragma once
// Pure parsers of the procfs text files the host and resources collectors read (/proc/meminfo,
// /proc/cpuinfo, /proc/loadavg, /proc/stat, /proc/mounts, /proc/net/dev, /proc/net/fib_trie,
// /proc/net/if_inet6). None does I/O; none throws; every one accepts arbitrary bytes (truncated
// lines, garbage, numbers that overflow) and returns what it could understand, skipping the rest.
// Output sizes are bounded by the input size and by the per-parser caps below.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

// Caps that keep a hostile file from producing unbounded output.
inline constexpr std::size_t kMaxMounts = 4096;
inline constexpr std::size_t kMaxNics = 4096;
inline constexpr std::size_t kMaxAddresses = 4096;

// /proc/meminfo, in bytes (the file says "kB", meaning KiB). A key absent or unparsable stays
// nullopt; a value whose byte count overflows uint64 is treated as unparsable.
struct MemInfo {
  std::optional<std::uint64_t> mem_total;
  std::optional<std::uint64_t> mem_free;
  std::optional<std::uint64_t> mem_available;  // absent before Linux 3.14
  std::optional<std::uint64_t> buffers;
  std::optional<std::uint64_t> cached;
  std::optional<std::uint64_t> swap_total;
  std::optional<std::uint64_t> swap_free;
  // MemTotal - MemAvailable; without MemAvailable, MemTotal - (MemFree + Buffers + Cached). Clamped
  // at 0.
  std::optional<std::uint64_t> MemUsed() const;
  // SwapTotal - SwapFree, clamped at 0.
  std::optional<std::uint64_t> SwapUsed() const;
};
MemInfo ParseMeminfo(std::string_view text);

// /proc/cpuinfo summarised. `model` is "model name" (x86, some ARM), else a name derived from the
// aarch64 "CPU implementer"/"CPU part" pair ("ARM Neoverse-N1"), else "cpu" (POWER) or "Hardware".
// `processors` counts "processor" entries. `hypervisor` is the x86 "hypervisor" flag (set by CPUID
// under any hypervisor).
struct CpuInfo {
  std::string model;
  std::string vendor;  // vendor_id ("GenuineIntel") or the aarch64 implementer name
  int processors = 0;
  bool hypervisor = false;
};
CpuInfo ParseCpuinfo(std::string_view text);

// "ARM Neoverse-N1" for implementer 0x41 part 0xd0c; "" for pairs not in the table.
std::string Aarch64CpuName(std::uint32_t implementer, std::uint32_t part);

// /proc/loadavg: "0.21 0.17 0.06 1/90 5403". nullopt unless the three averages parse.
struct LoadAvg {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};
std::optional<LoadAvg> ParseLoadavg(std::string_view text);

// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks. guest/guest_nice are already counted in
// user/nice by the kernel, so they are not part of Total().
struct CpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0;
  std::uint64_t Total() const;
  std::uint64_t Idle() const { return idle + iowait; }
};
std::optional<CpuTimes> ParseProcStatCpu(std::string_view text);
// "btime" of /proc/stat (boot time, seconds since the epoch).
std::optional<std::int64_t> ParseProcStatBtime(std::string_view text);
// Busy percentage between two samples (or since boot when `before` is all zero), rounded to 0.01.
// 0 when no tick elapsed or the counters went backwards.
double CpuBusyPercent(const CpuTimes& before, const CpuTimes& after);

// /proc/mounts (= /proc/self/mounts, fstab format). Octal escapes (\040 for space, \011, \012,
// \134) are decoded in device and mount point.
struct MountEntry {
  std::string device;
  std::string mount;
  std::string fs_type;
  std::string options;
};
std::vector<MountEntry> ParseMounts(std::string_view text);
// True for file systems that hold data on a block device or a network share (ext4, xfs, btrfs, zfs,
// vfat, nfs, ...), false for virtual ones (proc, sysfs, tmpfs, cgroup, overlay, squashfs, ...).
bool IsStorageFileSystem(std::string_view fs_type);

// /proc/net/dev counters of one interface.
struct NicCounters {
  std::string name;
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};
// Lines with fewer than 16 numeric counters after "name:" are skipped.
std::vector<NicCounters> ParseNetDev(std::string_view text);

// Local IPv4 addresses from /proc/net/fib_trie: every leaf whose entry is "/32 host LOCAL", each
// address once, in order of appearance (loopback included; the caller filters).
std::vector<std::string> ParseFibTrieLocal(std::string_view text);

// One line of /proc/net/if_inet6: "fe8000000000000000fc00fffe000001 04 40 20 80 eth0".
struct Inet6Address {
  std::string address;  // RFC 5952 text ("fe80::fc:ff:fe00:1")
  std::string ifname;
  int prefix_len = 0;
  int scope = 0;  // 0x00 global, 0x10 host (loopback), 0x20 link, 0x40 site
};
std::vector<Inet6Address> ParseIfInet6(std::string_view text);

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
bool IsLoopbackAddress(std::string_view address);

}  // namespace rampart::agent
