// The host category: its pure parsers (cpuinfo, fib_trie, if_inet6, os-release, ELF header, machine
// classification) on real-shaped and hostile text, and the collector on the three fixture roots.
#include "agent/collectors/host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "agent/collectors/login_records.h"
#include "agent/collectors/proc_parsers.h"
#include "rampart/version.h"

namespace rampart::agent {
namespace {

using ::testing::ElementsAre;

std::string Root(const char* name) {
  return std::string(RAMPART_SOURCE_DIR) + "/tests/testdata/" + name;
}

Json CollectHost(const char* root) {
  auto host = HostView::Open(Root(root));
  EXPECT_TRUE(host) << host.error().ToString();
  FakeClock clock(std::chrono::system_clock::from_time_t(1764400000));
  const CollectContext ctx{*host, clock, CollectOptions{}};
  HostCollector c;
  auto out = c.Collect(ctx);
  EXPECT_TRUE(out) << out.error().ToString();
  EXPECT_TRUE(ValidateRow(*out, c.schema()).ok()) << ValidateRow(*out, c.schema()).message();
  return *out;
}

std::vector<std::string> Strings(const Json& arr) {
  std::vector<std::string> out;
  for (const auto& e : arr.as_array()) out.push_back(e.as_string());
  return out;
}

// What LastLogin() says about a root, as the collector must report it.
Json ExpectedLastLogin(const char* root) {
  auto host = HostView::Open(Root(root));
  auto rec = LastLogin(*host);
  if (!rec) return nullptr;
  Json j = Json::MakeObject();
  j["user"] = rec->user;
  j["time"] = FormatIso8601(rec->time);
  j["ip"] = !rec->ip.empty() ? rec->ip : rec->host;
  j["line"] = rec->line;
  return j;
}

TEST(HostParsers, CpuinfoCountsProcessorsAndSeesTheHypervisorFlag) {
  const CpuInfo c = ParseCpuinfo(
      "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n"
      "flags\t\t: fpu vme hypervisor lahf_lm\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) "
      "Processor\n"
      "flags\t\t: fpu vme hypervisor lahf_lm\n");
  EXPECT_EQ(c.processors, 2);
  EXPECT_EQ(c.model, "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(c.vendor, "GenuineIntel");
  EXPECT_TRUE(c.hypervisor);
  EXPECT_FALSE(ParseCpuinfo("processor : 0\nflags : fpu hypervisorx\n").hypervisor);
}

TEST(HostParsers, CpuinfoNamesAarch64CoresFromImplementerAndPart) {
  const CpuInfo c = ParseCpuinfo("processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n");
  EXPECT_EQ(c.model, "ARM Neoverse-N1");
  EXPECT_EQ(c.vendor, "ARM");
  EXPECT_EQ(ParseCpuinfo("CPU implementer : 0x41\nCPU part : 0xfff\n").model, "ARM part 0xfff");
  EXPECT_EQ(ParseCpuinfo("processor : 0\ncpu : POWER9 (architected), altivec supported\n").model,
            "POWER9 (architected), altivec supported");
}

TEST(HostParsers, CpuinfoSurvivesGarbage) {
  const CpuInfo c = ParseCpuinfo(std::string("\0\0:::\nprocessor\nCPU part : 0xzz\n::\n", 24));
  EXPECT_EQ(c.processors, 0);
  EXPECT_EQ(c.model, "");
}

TEST(HostParsers, FibTrieYieldsHostLocalAddressesOnce) {
  const auto ips = ParseFibTrieLocal(
      "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 10.0.0.0\n        /8 link UNICAST\n"
      "     |-- 10.0.0.7\n        /32 host LOCAL\n     |-- 10.255.255.255\n        /32 link "
      "BROADCAST\n"
      "Local:\n     |-- 10.0.0.7\n        /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host "
      "LOCAL\n"
      "     |-- 999.1.1.1\n        /32 host LOCAL\n     |-- 10.0.0.8\n");
  EXPECT_THAT(ips, ElementsAre("10.0.0.7", "127.0.0.1"));
  EXPECT_TRUE(ParseFibTrieLocal("/32 host LOCAL\n|--\n").empty());
}

TEST(HostParsers, IfInet6FormatsAddressesAndSkipsMalformedLines) {
  const auto a = ParseIfInet6(
      "fe8000000000000002163efffe0c1a2b 02 40 20 80     eth0\n"
      "00000000000000000000000000000001 01 80 10 80       lo\n"
      "zz8000000000000002163efffe0c1a2b 02 40 20 80     eth0\n"
      "fe80 02 40 20 80 eth0\n2408400503a211005a1e9c4fd1b37e20 02 ff 00 00 eth0\n");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].address, "fe80::216:3eff:fe0c:1a2b");
  EXPECT_EQ(a[0].ifname, "eth0");
  EXPECT_EQ(a[0].prefix_len, 64);
  EXPECT_EQ(a[0].scope, 0x20);
  EXPECT_EQ(a[1].address, "::1");
  EXPECT_EQ(a[1].scope, 0x10);
}

TEST(HostParsers, OsReleaseAndLegacyReleaseFiles) {
  const OsInfo os = ParseOsRelease("NAME=\"Rocky Linux\"\nVERSION_ID=\"9.3\"\nID=\"rocky\"\n# c\n");
  EXPECT_EQ(os.name, "Rocky Linux");
  EXPECT_EQ(os.version, "9.3");
  EXPECT_EQ(os.id, "rocky");
  const OsInfo rh = ParseRedhatRelease("CentOS Linux release 7.9.2009 (Core)\n");
  EXPECT_EQ(rh.name, "CentOS Linux");
  EXPECT_EQ(rh.version, "7.9.2009");
  EXPECT_EQ(rh.id, "centos");
  EXPECT_EQ(ParseRedhatRelease("Red Hat Enterprise Linux release 8.9 (Ootpa)").id, "rhel");
  EXPECT_EQ(ParseRedhatRelease("garbage without marker").name, "");
  EXPECT_EQ(ParseRedhatRelease(" release ").version, "");
}

TEST(HostParsers, ElfHeaderGivesTheArchitecture) {
  std::string h(64, '\0');
  std::memcpy(h.data(),
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  h[18] = 62;
  EXPECT_EQ(ElfMachine(h), "x86_64");
  h[18] = static_cast<char>(183);
  EXPECT_EQ(ElfMachine(h), "aarch64");
  h[18] = 21;
  EXPECT_EQ(ElfMachine(h), "ppc64le");
  EXPECT_EQ(ElfMachine(h.substr(0, 19)), std::nullopt);
  EXPECT_EQ(ElfMachine("#!/bin/sh\necho this is no elf file"), std::nullopt);
  EXPECT_EQ(ArchFromKernelRelease("6.1.0-18-amd64"), "x86_64");
  EXPECT_EQ(ArchFromKernelRelease("5.14.0-362.el9.aarch64"), "aarch64");
  EXPECT_EQ(ArchFromKernelRelease("6.6.14-0-virt"), "");
}

TEST(HostParsers, ClassifiesCloudVmsVmsContainersAndBareMetal) {
  MachineSignals aws;
  aws.dmi.sys_vendor = "Amazon EC2";
  aws.dmi.product_name = "m6i.large";
  aws.cpu_hypervisor_flag = true;
  EXPECT_EQ(ClassifyMachine(aws).machine_type, "CVM");
  EXPECT_EQ(ClassifyMachine(aws).cloud_provider, "aws");
  EXPECT_EQ(ClassifyMachine(aws).virtualization, "kvm");
  aws.dmi.product_name = "m5.metal";
  EXPECT_EQ(ClassifyMachine(aws).virtualization, "");

  MachineSignals gce;
  gce.dmi.sys_vendor = "Google";
  gce.dmi.product_name = "Google Compute Engine";
  EXPECT_EQ(ClassifyMachine(gce).cloud_provider, "gcp");

  MachineSignals hyperv;
  hyperv.dmi.sys_vendor = "Microsoft Corporation";
  hyperv.dmi.product_name = "Virtual Machine";
  EXPECT_EQ(ClassifyMachine(hyperv).machine_type, "VM");
  EXPECT_EQ(ClassifyMachine(hyperv).virtualization, "microsoft");
  hyperv.dmi.chassis_asset_tag = "7783-7084-3265-9085-8269-3286-77";
  EXPECT_EQ(ClassifyMachine(hyperv).machine_type, "CVM");
  EXPECT_EQ(ClassifyMachine(hyperv).cloud_provider, "azure");

  MachineSignals vmware;
  vmware.dmi.sys_vendor = "VMware, Inc.";
  vmware.dmi.product_name = "VMware Virtual Platform";
  EXPECT_EQ(ClassifyMachine(vmware).machine_type, "VM");
  EXPECT_EQ(ClassifyMachine(vmware).virtualization, "vmware");

  MachineSignals firecracker;  // no DMI at all, only the CPUID flag
  firecracker.cpu_hypervisor_flag = true;
  EXPECT_EQ(ClassifyMachine(firecracker).machine_type, "VM");

  MachineSignals dell;
  dell.dmi.sys_vendor = "Dell Inc.";
  dell.dmi.product_name = "PowerEdge R750";
  EXPECT_EQ(ClassifyMachine(dell).machine_type, "BM");
  MachineSignals huawei_server;  // a Huawei-built server is not Huawei Cloud
  huawei_server.dmi.sys_vendor = "Huawei";
  huawei_server.dmi.product_name = "2288H V5";
  EXPECT_EQ(ClassifyMachine(huawei_server).machine_type, "BM");

  dell.container = "docker";
  EXPECT_EQ(ClassifyMachine(dell).machine_type, "container");
  EXPECT_EQ(ClassifyMachine(dell).virtualization, "docker");
  EXPECT_EQ(ClassifyMachine(MachineSignals{}).machine_type, "other");
}

TEST(HostParsers, DetectsContainersFromPid1EnvironmentAndCgroup) {
  EXPECT_EQ(DetectContainerFromEnviron(std::string("PATH=/bin\0container=podman\0HOME=/", 34)),
            "podman");
  EXPECT_EQ(DetectContainerFromEnviron(std::string("PATH=/bin\0HOME=/", 16)), "");
  EXPECT_EQ(DetectContainerFromCgroup("0::/kubepods/besteffort/pod1/abc\n"), "kubernetes");
  EXPECT_EQ(DetectContainerFromCgroup("12:pids:/docker/4f1c2e9d7a\n"), "docker");
  EXPECT_EQ(DetectContainerFromCgroup("0::/init.scope\n"), "");
}

TEST(Host, DescribesTheDebianCloudVmFixture) {
  const Json h = CollectHost("root-debian");
  EXPECT_EQ(h.GetString("hostname"), "web01.example.com");
  EXPECT_THAT(Strings(*h.Find("ips")),
              ElementsAre("172.16.0.12", "172.16.0.13", "172.17.0.1",
                          "2408:4005:3a2:1100:5a1e:9c4f:d1b3:7e20", "fe80::216:3eff:fe0c:1a2b",
                          "fe80::d4f1:e2ff:fe3a:4b5c"));
  EXPECT_EQ(h.GetString("os_name"), "Debian GNU/Linux");
  EXPECT_EQ(h.GetString("os_version"), "12");
  EXPECT_EQ(h.GetString("os_id"), "debian");
  EXPECT_EQ(h.GetString("os_pretty_name"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(h.GetString("kernel"), "6.1.0-18-amd64");
  EXPECT_EQ(h.GetString("arch"), "x86_64");
  EXPECT_EQ(h.GetString("machine_type"), "CVM");
  EXPECT_EQ(h.GetString("cloud_provider"), "alibaba");
  EXPECT_EQ(h.GetString("virtualization"), "kvm");
  EXPECT_EQ(h.GetString("cpu_model"), "Intel(R) Xeon(R) Platinum 8269CY CPU @ 2.50GHz");
  EXPECT_EQ(h.GetInt("cpu_count"), 2);
  EXPECT_EQ(h.GetInt("mem_total_bytes"), 8052536LL * 1024);
  EXPECT_EQ(h.GetString("boot_time"), "2025-11-28T03:20:00Z");
  EXPECT_EQ(h.GetInt("uptime_seconds"), 86400);
  EXPECT_EQ(h.GetString("timezone"), "Asia/Shanghai");
  EXPECT_EQ(h.GetString("agent_version"), kVersion);
  EXPECT_EQ(*h.Find("last_login"), ExpectedLastLogin("root-debian"));
}

TEST(Host, DescribesTheRockyGravitonFixture) {
  const Json h = CollectHost("root-rpm");
  EXPECT_EQ(h.GetString("hostname"), "db01");
  EXPECT_THAT(Strings(*h.Find("ips")),
              ElementsAre("10.0.1.25", "2600:1f18:4a3:6e02:9c8e:1b2d:3f4a:5b6c",
                          "fe80::4d2:8cff:fe3a:11f1"));
  EXPECT_EQ(h.GetString("os_name"), "Rocky Linux");
  EXPECT_EQ(h.GetString("os_version"), "9.3");
  EXPECT_EQ(h.GetString("kernel"), "5.14.0-362.8.1.el9_3.aarch64");
  EXPECT_EQ(h.GetString("arch"), "aarch64");
  EXPECT_EQ(h.GetString("machine_type"), "CVM");
  EXPECT_EQ(h.GetString("cloud_provider"), "aws");
  EXPECT_EQ(h.GetString("cpu_model"), "ARM Neoverse-V1");
  EXPECT_EQ(h.GetInt("cpu_count"), 2);
  EXPECT_EQ(h.GetInt("mem_total_bytes"), 16183592LL * 1024);
  EXPECT_EQ(h.GetString("boot_time"), "2025-11-28T03:20:00Z");
  EXPECT_EQ(h.GetString("timezone"), "UTC");
  EXPECT_EQ(*h.Find("last_login"), ExpectedLastLogin("root-rpm"));
}

TEST(Host, DescribesTheAlpineKvmFixtureFromFallbackSources) {
  const Json h = CollectHost("root-alpine");
  // No /proc/sys/kernel/{hostname,osrelease} here: /etc/hostname and /proc/version answer.
  EXPECT_EQ(h.GetString("hostname"), "edge01");
  EXPECT_EQ(h.GetString("kernel"), "6.6.14-0-virt");
  EXPECT_THAT(Strings(*h.Find("ips")),
              ElementsAre("10.10.0.5", "192.168.122.50", "fe80::5054:ff:fe12:3456"));
  EXPECT_EQ(h.GetString("os_name"), "Alpine Linux");
  EXPECT_EQ(h.GetString("os_version"), "3.19.1");
  // /bin/busybox here is not an ELF file; the musl loader's header answers.
  EXPECT_EQ(h.GetString("arch"), "x86_64");
  EXPECT_EQ(h.GetString("machine_type"), "VM");
  EXPECT_EQ(h.GetString("virtualization"), "kvm");
  EXPECT_EQ(h.GetString("cloud_provider"), "");
  EXPECT_EQ(h.GetString("cpu_model"), "Common KVM processor");
  EXPECT_EQ(h.GetInt("mem_total_bytes"), 2030940LL * 1024);
  EXPECT_EQ(h.GetString("timezone"), "");
}

TEST(Host, ReportsTheLastLoginFromWtmpAndNullWithoutOne) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("rampart_host_" + std::to_string(::getpid()));
  fs::create_directories(root / "var/log");
  {
    auto host = HostView::Open(root.string());
    FakeClock clock(std::chrono::system_clock::from_time_t(0));
    const Json h = *HostCollector().Collect(CollectContext{*host, clock, {}});
    EXPECT_TRUE(h.Find("last_login")->is_null());
    EXPECT_EQ(h.GetString("machine_type"), "other");
    EXPECT_TRUE(h.Find("boot_time")->is_null());
  }
  std::string rec(kUtmpRecordSize, '\0');
  const std::int16_t type = 7;  // USER_PROCESS
  std::memcpy(rec.data(), &type, 2);
  std::memcpy(rec.data() + 8, "pts/0", 5);
  std::memcpy(rec.data() + 44, "alice", 5);
  std::memcpy(rec.data() + 76, "203.0.113.9", 11);
  const std::int32_t sec = 1764390000;
  std::memcpy(rec.data() + 340, &sec, 4);
  const unsigned char addr[4] = {203, 0, 113, 9};
  std::memcpy(rec.data() + 348, addr, 4);
  std::ofstream(root / "var/log/wtmp", std::ios::binary) << rec;
  auto host = HostView::Open(root.string());
  FakeClock clock(std::chrono::system_clock::from_time_t(0));
  const Json h = *HostCollector().Collect(CollectContext{*host, clock, {}});
  fs::remove_all(root);
  const Json* last = h.Find("last_login");
  ASSERT_TRUE(last != nullptr && last->is_object()) << h.Dump();
  EXPECT_EQ(last->GetString("user"), "alice");
  EXPECT_EQ(last->GetString("line"), "pts/0");
  EXPECT_EQ(last->GetString("ip"), "203.0.113.9");
  EXPECT_EQ(last->GetString("time"), FormatIso8601(1764390000));
}

}  // namespace
}  // namespace rampart::agent
