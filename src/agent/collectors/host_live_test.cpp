// The host collector on this machine, checked against the kernel's own answers: gethostname(),
// uname(), sysconf(), /proc/meminfo, getifaddrs() and `ip -o addr`.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "agent/collectors/host.h"
#include "agent/collectors/proc_parsers.h"
#include "agent/collectors/resources.h"

namespace rampart::agent {
namespace {

Json CollectLive() {
  HostView live;
  CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(0);
  HostCollector c;
  auto out = c.Collect(CollectContext{live, SystemClock::Instance(), options});
  EXPECT_TRUE(out) << out.error().ToString();
  const Status valid = ValidateRow(*out, c.schema());
  EXPECT_TRUE(valid.ok()) << valid.message();
  return *out;
}

std::set<std::string> Ips(const Json& host) {
  std::set<std::string> out;
  for (const auto& e : host.Find("ips")->as_array()) out.insert(e.as_string());
  return out;
}

TEST(HostLive, HostnameKernelCpuAndMemoryMatchTheKernel) {
  const Json h = CollectLive();
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  EXPECT_EQ(h.GetString("hostname"), name);
  struct utsname u {};
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(h.GetString("kernel"), u.release);
  EXPECT_EQ(h.GetString("arch"), u.machine);
  EXPECT_EQ(h.GetInt("cpu_count"), ::sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  long long kib = -1;
  while (meminfo >> key) {
    if (key == "MemTotal:") {
      meminfo >> kib;
      break;
    }
  }
  ASSERT_GT(kib, 0);
  EXPECT_EQ(h.GetInt("mem_total_bytes"), kib * 1024);
  EXPECT_FALSE(h.GetString("boot_time").empty());
  const std::string type = h.GetString("machine_type");
  EXPECT_TRUE(type == "CVM" || type == "VM" || type == "container" || type == "BM" ||
              type == "other")
      << type;
}

// The addresses the fixture path (/proc/net/fib_trie + /proc/net/if_inet6 parsers) finds on this
// machine.
std::set<std::string> ProcNetIps() {
  std::set<std::string> out;
  std::ostringstream trie, inet6;
  trie << std::ifstream("/proc/net/fib_trie").rdbuf();
  inet6 << std::ifstream("/proc/net/if_inet6").rdbuf();
  for (const auto& ip : ParseFibTrieLocal(trie.str())) out.insert(ip);
  for (const auto& a : ParseIfInet6(inet6.str())) out.insert(a.address);
  return out;
}

TEST(HostLive, IpsHoldEveryNonLoopbackAddressOfGetifaddrs) {
  const std::set<std::string> ips = Ips(CollectLive());
  const std::set<std::string> proc_ips = ProcNetIps();
  struct ifaddrs* list = nullptr;
  ASSERT_EQ(::getifaddrs(&list), 0);
  int checked = 0;
  for (const struct ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || (ifa->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const int family = ifa->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    const void* src = family == AF_INET
                          ? static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr)->sin_addr)
                          : static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr)->sin6_addr);
    char buf[INET6_ADDRSTRLEN] = {};
    ASSERT_NE(::inet_ntop(family, src, buf, sizeof buf), nullptr);
    EXPECT_TRUE(ips.count(buf) == 1) << buf << " (" << ifa->ifa_name << ") missing";
    EXPECT_TRUE(proc_ips.count(buf) == 1) << buf << " not found by the /proc/net parsers";
    ++checked;
  }
  ::freeifaddrs(list);
  if (checked == 0) GTEST_SKIP() << "this machine has no non-loopback address";
  for (const auto& ip : ips) EXPECT_TRUE(ip != "127.0.0.1" && ip != "::1") << ip;
}

TEST(HostLive, IpsHoldEveryNonLoopbackAddressOfIpAddr) {
  FILE* p = ::popen("ip -o addr show 2>/dev/null", "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) text += buf;
  const int rc = ::pclose(p);
  if (rc != 0 || text.empty()) GTEST_SKIP() << "`ip` (iproute2) is not available";
  const std::set<std::string> ips = Ips(CollectLive());
  std::istringstream lines(text);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    // "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\ ..."
    std::istringstream words(line);
    std::string w, prev;
    while (words >> w) {
      if (prev == "inet" || prev == "inet6") {
        const std::string addr = w.substr(0, w.find('/'));
        if (line.find("scope host") == std::string::npos) {
          EXPECT_TRUE(ips.count(addr) == 1) << addr << " missing; line: " << line;
          ++checked;
        }
        break;
      }
      prev = w;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no non-loopback address";
}

TEST(ResourcesLive, LiveDisksHaveStatvfsSizes) {
  HostView live;
  CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(0);
  auto out = ResourcesCollector().Collect(CollectContext{live, SystemClock::Instance(), options});
  ASSERT_TRUE(out);
  int checked = 0;
  for (const auto& d : out->Find("disks")->as_array()) {
    if (d.Find("network")->as_bool()) continue;
    EXPECT_GT(d.GetInt("size_bytes"), 0) << d.Dump();
    EXPECT_LE(d.GetInt("used_bytes"), d.GetInt("size_bytes")) << d.Dump();
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no block-backed file system mounted";
}

}  // namespace
}  // namespace rampart::agent
