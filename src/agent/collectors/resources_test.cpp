// The resources category: the procfs parsers it uses (meminfo, loadavg, stat, mounts, net/dev) on
// real and hostile text, and the collector on the three fixture roots and, for the sampling
// contract, this machine.
#include "agent/collectors/resources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/collectors/proc_parsers.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;

std::string Root(const char* name) {
  return std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + name;
}

Json CollectResources(const char* root) {
  auto host = HostView::Open(Root(root));
  EXPECT_TRUE(host) << host.error().ToString();
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  const CollectContext ctx{*host, clock, CollectOptions{}};
  ResourcesCollector c;
  auto out = c.Collect(ctx);
  EXPECT_TRUE(out) << out.error().ToString();
  const Status valid = ValidateRow(*out, c.schema());
  EXPECT_TRUE(valid.ok()) << valid.message();
  return *out;
}

std::vector<std::string> Column(const Json& arr, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& e : arr.as_array()) out.push_back(e.GetString(key));
  return out;
}

TEST(ResourcesParsers, MeminfoConvertsKibToBytesAndDerivesUsage) {
  const MemInfo m = ParseMeminfo(
      "MemTotal:        1000 kB\nMemFree:  100 kB\nMemAvailable:    400 kB\nSwapTotal: 50 kB\n"
      "SwapFree: 20 kB\nHugePages_Total:       0\n");
  EXPECT_EQ(m.mem_total, 1024000u);
  EXPECT_EQ(m.MemUsed(), 600u * 1024);
  EXPECT_EQ(m.SwapUsed(), 30u * 1024);
}

TEST(ResourcesParsers, MeminfoWithoutMemAvailableFallsBackToFreePlusCache) {
  const MemInfo m =
      ParseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  EXPECT_EQ(m.MemUsed(), 600u * 1024);
  EXPECT_EQ(m.SwapUsed(), std::nullopt);
}

TEST(ResourcesParsers, MeminfoRejectsOverflowAndGarbage) {
  const MemInfo m = ParseMeminfo(
      "MemTotal: 99999999999999999999 kB\nMemFree: 18014398509481984 kB\nMemAvailable: -5 kB\n"
      "SwapTotal: 10 kB\nSwapFree: 999 kB\nMemTotal\n:\n\xff\xfe");
  EXPECT_EQ(m.mem_total, std::nullopt);
  EXPECT_EQ(m.mem_free, std::nullopt);  // 2^54 KiB overflows uint64 bytes
  EXPECT_EQ(m.mem_available, std::nullopt);
  EXPECT_EQ(m.MemUsed(), std::nullopt);
  EXPECT_EQ(m.SwapUsed(), 0u);  // free > total clamps instead of wrapping
}

TEST(ResourcesParsers, LoadavgNeedsThreeFiniteAverages) {
  const auto l = ParseLoadavg("0.52 0.58 0.59 2/312 48211\n");
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ(l->load1, 0.52);
  EXPECT_DOUBLE_EQ(l->load15, 0.59);
  EXPECT_FALSE(ParseLoadavg("0.52 0.58\n"));
  EXPECT_FALSE(ParseLoadavg("nan 1 1"));
  EXPECT_FALSE(ParseLoadavg("1 x 1"));
}

TEST(ResourcesParsers, CpuBusyPercentBetweenSamplesAndSinceBoot) {
  const auto boot =
      ParseProcStatCpu("cpu  100000 500 50000 1500000 2000 0 1000 0 0 0\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(boot);
  EXPECT_EQ(boot->Total(), 1653500u);
  EXPECT_DOUBLE_EQ(CpuBusyPercent(CpuTimes{}, *boot), 9.16);
  CpuTimes later = *boot;
  later.user += 30;
  later.idle += 70;
  EXPECT_DOUBLE_EQ(CpuBusyPercent(*boot, later), 30.0);
  EXPECT_DOUBLE_EQ(CpuBusyPercent(later, *boot), 0.0);  // counters going backwards
  EXPECT_DOUBLE_EQ(CpuBusyPercent(*boot, *boot), 0.0);
  EXPECT_FALSE(ParseProcStatCpu("cpu 1 2 x 4\n"));
  EXPECT_FALSE(ParseProcStatCpu("cpu0 1 2 3 4\n"));
  const auto huge = ParseProcStatCpu("cpu 18446744073709551615 18446744073709551615 1 1\n");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->Total(), UINT64_MAX);
  EXPECT_EQ(ParseProcStatBtime("ctxt 1\nbtime 1764300000\n"), 1764300000);
  EXPECT_EQ(ParseProcStatBtime("btime -3\n"), std::nullopt);
}

TEST(ResourcesParsers, MountsDecodeOctalEscapesAndSkipGarbage) {
  const auto m = ParseMounts(
      "/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\n/dev/x\n\\\\ relative ext4 rw\n"
      "/dev/sdb1 /trail\\04 xfs rw 0 0\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].mount, "/mnt/my disk");
  EXPECT_EQ(m[0].fs_type, "ext4");
  EXPECT_EQ(m[1].mount, "/trail\\04");
  EXPECT_TRUE(IsStorageFileSystem("xfs"));
  EXPECT_FALSE(IsStorageFileSystem("tmpfs"));
  EXPECT_FALSE(IsStorageFileSystem("overlay"));
}

TEST(ResourcesParsers, NetDevReadsCountersAndSkipsHeadersAndShortLines) {
  const auto n = ParseNetDev(
      "Inter-|   Receive |  Transmit\n face |bytes    packets|bytes\n"
      "  eth0: 10 2 0 1 0 0 0 0 20 4 0 3 0 0 0 0\n  bad: 1 2 3\n"
      "  big: 99999999999999999999 2 0 1 0 0 0 0 20 4 0 3 0 0 0 0\n");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].name, "eth0");
  EXPECT_EQ(n[0].rx_bytes, 10u);
  EXPECT_EQ(n[0].rx_dropped, 1u);
  EXPECT_EQ(n[0].tx_bytes, 20u);
  EXPECT_EQ(n[0].tx_packets, 4u);
  EXPECT_EQ(n[0].tx_dropped, 3u);
}

TEST(Resources, DescribesTheDebianFixture) {
  const Json r = CollectResources("root-debian");
  // A fixture is not live: CPU % is the busy share since boot of its /proc/stat.
  EXPECT_DOUBLE_EQ(r.Find("cpu_percent")->as_double(), 9.16);
  EXPECT_DOUBLE_EQ(r.Find("load1")->as_double(), 0.52);
  EXPECT_DOUBLE_EQ(r.Find("load5")->as_double(), 0.58);
  EXPECT_DOUBLE_EQ(r.Find("load15")->as_double(), 0.59);
  EXPECT_EQ(r.GetInt("mem_total_bytes"), 8052536LL * 1024);
  EXPECT_EQ(r.GetInt("mem_used_bytes"), (8052536LL - 5832104LL) * 1024);
  EXPECT_EQ(r.GetInt("swap_total_bytes"), 2097148LL * 1024);
  EXPECT_EQ(r.GetInt("swap_used_bytes"), (2097148LL - 1992444LL) * 1024);
  const Json& disks = *r.Find("disks");
  // proc, sysfs, tmpfs, cgroup2, nsfs and docker's overlay are not disks; /dev/vdb1 again at
  // /var/lib/docker is the same disk as /data.
  EXPECT_THAT(Column(disks, "mount"),
              ElementsAre("/", "/boot/efi", "/data", "/mnt/backup disk", "/mnt/share"));
  EXPECT_THAT(Column(disks, "fs_type"), ElementsAre("ext4", "vfat", "xfs", "ext4", "nfs4"));
  EXPECT_THAT(Column(disks, "device"), ElementsAre("/dev/vda1", "/dev/vda15", "/dev/vdb1",
                                                   "/dev/vdc1", "10.0.0.2:/exports/share"));
  for (const auto& d : disks.as_array()) {
    EXPECT_EQ(d.GetInt("size_bytes", -1), 0) << "no statvfs of a non-live root";
    EXPECT_EQ(d.GetInt("used_bytes", -1), 0);
  }
  EXPECT_TRUE(disks.as_array()[4].Find("network")->as_bool());
  EXPECT_FALSE(disks.as_array()[0].Find("network")->as_bool());
  const Json& nics = *r.Find("nics");
  EXPECT_THAT(Column(nics, "name"), ElementsAre("eth0", "docker0", "vethd1b3a7c"));
  EXPECT_EQ(nics.as_array()[0].GetInt("rx_bytes"), 9823746512LL);
  EXPECT_EQ(nics.as_array()[0].GetInt("tx_bytes"), 1234567890LL);
  EXPECT_EQ(nics.as_array()[0].GetInt("rx_dropped"), 12);
  EXPECT_EQ(nics.as_array()[1].GetInt("tx_packets"), 389123);
}

TEST(Resources, DescribesTheRockyFixture) {
  const Json r = CollectResources("root-rpm");
  EXPECT_DOUBLE_EQ(r.Find("load1")->as_double(), 1.07);
  EXPECT_EQ(r.GetInt("mem_used_bytes"), (16183592LL - 14520380LL) * 1024);
  EXPECT_EQ(r.GetInt("swap_total_bytes"), 0);
  EXPECT_EQ(r.GetInt("swap_used_bytes"), 0);
  EXPECT_THAT(Column(*r.Find("disks"), "mount"), ElementsAre("/", "/boot", "/boot/efi", "/home"));
  EXPECT_THAT(Column(*r.Find("disks"), "device"),
              ElementsAre("/dev/mapper/rl-root", "/dev/nvme0n1p2", "/dev/nvme0n1p1",
                          "/dev/mapper/rl-home"));
  ASSERT_EQ(r.Find("nics")->size(), 1u);
  EXPECT_EQ(r.Find("nics")->as_array()[0].GetInt("rx_bytes"), 45678901234LL);
  EXPECT_EQ(r.Find("nics")->as_array()[0].GetInt("tx_bytes"), 9876543210LL);
}

TEST(Resources, DescribesTheAlpineFixture) {
  const Json r = CollectResources("root-alpine");
  EXPECT_DOUBLE_EQ(r.Find("cpu_percent")->as_double(), 9.16);
  EXPECT_DOUBLE_EQ(r.Find("load15")->as_double(), 0.05);
  EXPECT_EQ(r.GetInt("mem_used_bytes"), (2030940LL - 1765232LL) * 1024);
  EXPECT_EQ(r.GetInt("swap_used_bytes"), 0);
  EXPECT_THAT(Column(*r.Find("disks"), "mount"), ElementsAre("/", "/boot"));
  EXPECT_THAT(Column(*r.Find("nics"), "name"), ElementsAre("eth0", "eth1"));
  EXPECT_EQ(r.Find("nics")->as_array()[1].GetInt("rx_errors"), 2);
  EXPECT_EQ(r.Find("nics")->as_array()[1].GetInt("tx_dropped"), 1);
}

TEST(Resources, SamplesCpuOverTheConfiguredIntervalOnTheClockOnALiveHost) {
  HostView live;
  if (!live.Exists("/proc/stat")) GTEST_SKIP() << "no /proc/stat on this machine";
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(250);
  const auto before = clock.Monotonic();
  const Json r = *ResourcesCollector().Collect(CollectContext{live, clock, options});
  EXPECT_EQ(clock.Monotonic() - before, std::chrono::milliseconds(250));
  const double pct = r.Find("cpu_percent")->as_double();
  EXPECT_GE(pct, 0.0);
  EXPECT_LE(pct, 100.0);
  // Interval 0 takes one sample and never sleeps.
  options.sample_interval = std::chrono::milliseconds(0);
  const auto t0 = clock.Monotonic();
  (void)ResourcesCollector().Collect(CollectContext{live, clock, options});
  EXPECT_EQ(clock.Monotonic(), t0);
}

TEST(Resources, MissingFilesDegradeToZerosAndEmptyLists) {
  auto host = HostView::Open(Root("root-debian") + "/etc");  // a directory with no /proc at all
  ASSERT_TRUE(host);
  FakeClock clock(std::chrono::system_clock::from_time_t(0));
  ResourcesCollector c;
  auto out = c.Collect(CollectContext{*host, clock, {}});
  ASSERT_TRUE(out);
  EXPECT_TRUE(ValidateRow(*out, c.schema()).ok());
  EXPECT_DOUBLE_EQ(out->Find("cpu_percent")->as_double(), 0.0);
  EXPECT_TRUE(out->Find("load1")->is_null());
  EXPECT_EQ(out->Find("disks")->size(), 0u);
  EXPECT_EQ(out->Find("nics")->size(), 0u);
}

}  // namespace
}  // namespace rampart::agent
