// The ports collector on this machine agrees with `ss -tulnH` and finds the test's own listeners.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <tuple>

#include "agent/collectors/ports.h"
#include "agent/collectors/registry.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

using Key = std::tuple<std::string, std::string, int>;  // proto, bind_ip, port

class Listener {
 public:
  // Binds a socket of `type` to addr:0 (and listens for TCP); port() tells the kernel's choice.
  Listener(int family, int type, const char* addr) {
    fd_ = ::socket(family, type | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      ::inet_pton(AF_INET, addr, &sin->sin_addr);
      len = sizeof(sockaddr_in);
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, addr, &sin6->sin6_addr);
      len = sizeof(sockaddr_in6);
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      Close();
      return;
    }
    if (type == SOCK_STREAM && ::listen(fd_, 8) != 0) {
      Close();
      return;
    }
    len = sizeof ss;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
      Close();
      return;
    }
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  ~Listener() { Close(); }
  int port() const { return port_; }
  bool ok() const { return fd_ >= 0 && port_ > 0; }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
  int port_ = 0;
};

// Parses `ss -tulnH` ("tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*"). The local address column needs
// care:
//  - IPv6 addresses are bracketed ("[::]:22", "[::ffff:127.0.0.1]:8080"): brackets dropped;
//  - "*:22" is how iproute2 prints the IPv6 wildcard of a socket that is *not* IPV6_V6ONLY
//  (dual-stack),
//    while a v6-only one prints "[::]:22"; /proc/net/tcp6 shows "::" for both, so "*" becomes "::";
//  - a socket bound to a device (SO_BINDTODEVICE) gets "%iface" after the address
//  ("127.0.0.53%lo:53");
//    /proc/net does not expose the device, so the suffix is dropped.
// The port is what follows the last ':'.
std::set<Key> SsListeners() {
  std::set<Key> out;
  FILE* p = ::popen("ss -tulnH 2>/dev/null", "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) {
    const auto f = SplitWhitespace(buf);
    if (f.size() < 5) continue;
    std::string_view local = f[4];
    const std::size_t colon = local.rfind(':');
    if (colon == std::string_view::npos) continue;
    const auto port = ParseInt<int>(local.substr(colon + 1));
    std::string_view addr = local.substr(0, colon);
    if (const std::size_t pct = addr.find('%'); pct != std::string_view::npos)
      addr = addr.substr(0, pct);
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']')
      addr = addr.substr(1, addr.size() - 2);
    if (addr == "*") addr = "::";
    if (!port) continue;
    out.emplace(std::string(f[0]), std::string(addr), *port);
  }
  ::pclose(p);
  return out;
}

std::set<Key> CollectorListeners(const Json& rows) {
  std::set<Key> out;
  for (const Json& r : rows.as_array()) {
    out.emplace(r.GetString("proto"), r.GetString("bind_ip"), static_cast<int>(r.GetInt("port")));
  }
  return out;
}

Json Collect() {
  HostView host;
  FakeClock clock(std::chrono::system_clock::now());
  CollectContext ctx{host, clock, {}};
  auto rows = MakePortsCollector()->Collect(ctx);
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? std::move(*rows) : Json::MakeArray();
}

TEST(PortsLive, MatchesSsAndFindsOwnListeners) {
  if (std::system("command -v ss >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "ss (iproute2) is not installed";
  Listener tcp4(AF_INET, SOCK_STREAM, "127.0.0.1");
  Listener tcp6(AF_INET6, SOCK_STREAM, "::");
  Listener udp4(AF_INET, SOCK_DGRAM, "0.0.0.0");
  ASSERT_TRUE(tcp4.ok() && udp4.ok());
  if (!tcp6.ok()) GTEST_SKIP() << "no IPv6 on this machine";

  // Other processes (tests running in parallel start servers all the time) may open or close
  // sockets between the two reads: retry until two reads agree.
  Json rows;
  std::set<Key> mine, theirs;
  for (int attempt = 0; attempt < 20; ++attempt) {
    rows = Collect();
    mine = CollectorListeners(rows);
    theirs = SsListeners();
    if (mine == theirs) break;
    ::usleep(200'000);
  }
  EXPECT_EQ(mine, theirs);

  char self_exe[PATH_MAX] = {};
  ASSERT_NE(::realpath("/proc/self/exe", self_exe), nullptr);
  const passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  const Key want[] = {{"tcp", "127.0.0.1", tcp4.port()},
                      {"tcp", "::", tcp6.port()},
                      {"udp", "0.0.0.0", udp4.port()}};
  for (const Key& k : want) {
    bool found = false;
    for (const Json& r : rows.as_array()) {
      if (r.GetString("proto") != std::get<0>(k) || r.GetString("bind_ip") != std::get<1>(k) ||
          r.GetInt("port") != std::get<2>(k)) {
        continue;
      }
      found = true;
      EXPECT_EQ(r.GetInt("pid"), ::getpid()) << r.Dump();
      EXPECT_EQ(r.GetString("exe"), self_exe) << r.Dump();
      EXPECT_EQ(r.GetString("user"), pw->pw_name) << r.Dump();
      EXPECT_FALSE(r.GetString("process").empty()) << r.Dump();
    }
    EXPECT_TRUE(found) << std::get<0>(k) << " " << std::get<1>(k) << ":" << std::get<2>(k);
  }
}

}  // namespace
}  // namespace rampart::agent
